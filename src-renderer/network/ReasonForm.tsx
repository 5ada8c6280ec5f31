// The form of a policy change that is recorded with why it was made (apply a draft, revert to a
// version): a required "Why" above the change's own alerts and buttons.
// Invariant: the change is asked for only with a reason that is not blank, trimmed, and never
// while the previous request is still being answered.
import type { ReactNode } from 'react';
import { useState } from 'react';

export function ReasonForm({
  fieldId,
  busy,
  lead,
  missingMessage,
  onReason,
  children,
}: {
  /** The textarea's id; its error is `${fieldId}-error`. */
  fieldId: string;
  busy: boolean;
  lead: ReactNode;
  missingMessage: string;
  onReason: (reason: string) => Promise<void>;
  /** The alerts and the dialog's buttons, after the field. */
  children: ReactNode;
}) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const errorId = `${fieldId}-error`;

  async function submit(): Promise<void> {
    if (busy) return;
    if (reason.trim() === '') {
      setMissing(true);
      return;
    }
    setMissing(false);
    await onReason(reason.trim());
  }

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="modal__lead">{lead}</p>
      <div className="field">
        <label htmlFor={fieldId}>Why</label>
        <textarea
          id={fieldId}
          rows={3}
          maxLength={2000}
          value={reason}
          aria-invalid={missing ? true : undefined}
          aria-describedby={missing ? errorId : undefined}
          onChange={(event) => setReason(event.target.value)}
          autoFocus
        />
        {missing ? (
          <p className="field__error" id={errorId}>
            {missingMessage}
          </p>
        ) : null}
      </div>
      {children}
    </form>
  );
}
