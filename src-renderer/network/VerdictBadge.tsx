// A flow's verdict as a small badge: its word and its line, in the colour the map draws it with.
// Colour is never the only cue: the word is always there.
import type { Verdict } from '../../src-preload/network/model';
import { verdictStyles } from './mapStyle';

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <span className={`verdict verdict--${verdict}`} data-verdict={verdict}>
      <VerdictLine verdict={verdict} />
      {verdictStyles[verdict].label}
    </span>
  );
}

/** The line the map draws for a verdict, as a small inline picture. */
export function VerdictLine({ verdict, width = 22 }: { verdict: Verdict; width?: number }) {
  const style = verdictStyles[verdict];
  return (
    <svg className="verdict__line" width={width} height="8" aria-hidden="true" focusable="false">
      <line
        x1="1"
        y1="4"
        x2={width - 1}
        y2="4"
        stroke={style.color}
        strokeWidth={Math.max(1.5, style.width)}
        strokeDasharray={style.dashes === false ? undefined : style.dashes.join(' ')}
      />
    </svg>
  );
}
