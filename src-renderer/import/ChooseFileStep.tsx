// Step 1 of the import: pick a CSV file; it is read in the window and staged in main.
import { useId } from 'react';
import { Alert } from '../shared/Alert';
import { ProgressBar } from './ProgressBar';
import { useImportStore } from './importStore';

export function ChooseFileStep() {
  const id = useId();
  const busy = useImportStore((state) => state.busy);
  const fileName = useImportStore((state) => state.fileName);
  const error = useImportStore((state) => state.error);
  const stageFile = useImportStore((state) => state.stageFile);
  const close = useImportStore((state) => state.close);

  return (
    <div className="import-step">
      <p>
        Choose a CSV export from your CMMS or a spreadsheet. The first line must hold the column
        names; you match them to Wardkeep&apos;s fields in the next step. Nothing is written until
        you confirm the import.
      </p>
      <div className="field">
        <label htmlFor={id}>CSV file</label>
        <input
          id={id}
          type="file"
          accept=".csv,text/csv"
          disabled={busy}
          autoFocus
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void stageFile(file);
          }}
        />
      </div>
      {busy ? (
        <>
          <p role="status">Reading {fileName}…</p>
          <ProgressBar />
        </>
      ) : null}
      {error ? (
        <Alert tone="error" title="The file could not be staged" testId="import-error">
          {error.message} <code>{error.code}</code>
        </Alert>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => void close()}>
          Cancel
        </button>
      </div>
    </div>
  );
}
