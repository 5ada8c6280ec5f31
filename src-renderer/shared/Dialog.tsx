// A modal dialog on the native <dialog>: focus stays inside, the page behind cannot be used, and
// Esc asks the owner to close (it may refuse while something is running).
// Invariant: the dialog is open exactly while this component is mounted.
import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';

interface DialogProps {
  title: string;
  /** Esc, or the owner's own Cancel: the owner unmounts the dialog to close it. */
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  tone?: 'normal' | 'danger';
}

export function Dialog({ title, onClose, children, testId, tone = 'normal' }: DialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = `dialog-${title.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`;

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={dialogRef}
      className={tone === 'danger' ? 'modal modal--danger' : 'modal'}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId} className="modal__title">
        {title}
      </h2>
      <div className="modal__body">{children}</div>
    </dialog>
  );
}
