// A form that sends one text file the user picks to main: pick it, read it in the window within the
// contract's size limit, call the channel, show the failure or what was done.
// Invariant: nothing is read or sent until a file is chosen, and a file over the limit is refused
// before it is read.
import type { ReactNode } from 'react';
import { useState } from 'react';
import type { Result } from '../../src-preload/contract';
import { FileField } from '../shared/FileField';
import { ActionFeedback } from './ActionFeedback';
import { readFileText } from './files';
import { useAction } from './useAction';

export function FileUploadForm<T>({
  formLabel,
  title,
  lead,
  inline = false,
  fileLabel,
  accept,
  maximumBytes,
  send,
  success,
  testId,
  submitLabel,
  onDone,
  children,
}: {
  formLabel: string;
  title: string;
  lead?: string;
  inline?: boolean;
  fileLabel: string;
  accept: string;
  maximumBytes: number;
  /** Calls main with the file's text. */
  send: (text: string) => Promise<Result<T>>;
  success: (value: T) => string;
  testId: string;
  submitLabel: string;
  onDone: () => Promise<void>;
  /** Fields shown after the file picker. */
  children?: ReactNode;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const action = useAction();
  return (
    <form
      className={inline ? 'pki-form pki-form--inline' : 'pki-form'}
      aria-label={formLabel}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (file === null) return;
        void action
          .run(async () => {
            const read = await readFileText(file, maximumBytes);
            if (!read.ok) return read;
            return send(read.value);
          }, success)
          .then(onDone);
      }}
    >
      <h3>{title}</h3>
      {lead ? <p className="muted">{lead}</p> : null}
      <FileField
        label={fileLabel}
        accept={accept}
        onFile={setFile}
        error={submitted && file === null ? 'choose the file' : null}
      />
      {children}
      <ActionFeedback action={action} testId={testId} />
      <button type="submit" className="button button--primary" disabled={action.busy}>
        {submitLabel}
      </button>
    </form>
  );
}
