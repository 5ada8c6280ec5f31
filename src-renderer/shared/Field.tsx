// One labelled value of a definition list (<dl>): a dash, muted, when the value is missing, so a
// blank field reads as "not recorded" rather than as a layout gap.
import type { ReactNode } from 'react';

export function Field({
  label,
  value,
  monospace,
}: {
  label: string;
  value: ReactNode;
  monospace?: boolean;
}) {
  const missing = value === null || value === undefined || value === '';
  return (
    <>
      <dt>{label}</dt>
      <dd className={missing ? 'muted' : monospace ? 'mono' : undefined}>
        {missing ? '—' : value}
      </dd>
    </>
  );
}
