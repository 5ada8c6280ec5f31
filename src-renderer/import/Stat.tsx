// One count in the import's preview or report: a label over a number, toned when it matters.
import { formatCount } from '../shared/format';

interface StatProps {
  label: string;
  value: number;
  tone?: 'good' | 'bad';
  /** A stable name for tests and styles, e.g. "created". */
  name?: string;
}

export function Stat({ label, value, tone, name }: StatProps) {
  return (
    <div className={tone ? `stats__item stats__item--${tone}` : 'stats__item'} data-stat={name}>
      <dt>{label}</dt>
      <dd>{formatCount(value)}</dd>
    </div>
  );
}
