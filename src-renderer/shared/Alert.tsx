// A message box inside a form or dialog. Errors use role="alert" so they are announced the
// moment they appear; notices use role="status" so they do not interrupt.
import type { ReactNode } from 'react';

type AlertTone = 'error' | 'warning' | 'notice' | 'success';

interface AlertProps {
  tone: AlertTone;
  title?: string;
  children: ReactNode;
  testId?: string;
}

export function Alert({ tone, title, children, testId }: AlertProps) {
  return (
    <div
      className={`alert alert--${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid={testId}
    >
      {title ? <strong className="alert__title">{title}</strong> : null}
      <div className="alert__body">{children}</div>
    </div>
  );
}
