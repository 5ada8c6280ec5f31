// Step 3 of the import: what the import would do (created, updated, unchanged, invalid) and every
// invalid row, then the choice: import all or nothing, or import only the valid rows.
import { Alert } from '../shared/Alert';
import { formatCount, formatQuantity } from '../shared/format';
import { IssueTable } from './IssueTable';
import { Stat } from './Stat';
import { useImportStore } from './importStore';

export function PreviewStep() {
  const validation = useImportStore((state) => state.validation);
  const refused = useImportStore((state) => state.refused);
  const error = useImportStore((state) => state.error);
  const busy = useImportStore((state) => state.busy);
  const { commit, backToMapping, close } = useImportStore.getState();
  if (validation === null) return null;

  const validRows = validation.rows - validation.invalidRows;
  const hasInvalid = validation.invalidRows > 0;

  return (
    <div className="import-step">
      <dl className="stats" data-testid="import-preview">
        <Stat label="Rows in file" value={validation.rows} />
        <Stat label="Would create" value={validation.created} tone="good" name="created" />
        <Stat label="Would update" value={validation.updated} name="updated" />
        <Stat label="Unchanged" value={validation.unchanged} name="unchanged" />
        <Stat
          label="Invalid"
          value={validation.invalidRows}
          tone={hasInvalid ? 'bad' : undefined}
          name="invalid"
        />
      </dl>
      {hasInvalid ? (
        <>
          <h3 className="section-title">
            {formatQuantity(validation.invalidRows, 'invalid row')} (
            {formatQuantity(validation.issues.length, 'problem')})
          </h3>
          <IssueTable issues={validation.issues} />
        </>
      ) : (
        <Alert tone="success">Every row is valid.</Alert>
      )}
      {refused ? (
        <Alert tone="error" title="Nothing was imported" testId="import-refused">
          The import is all or nothing, and {formatQuantity(refused.invalidRows, 'row')}{' '}
          {refused.invalidRows === 1 ? 'is' : 'are'} invalid. Fix the file and import it again, or
          import the valid rows only.
          {error ? <span className="alert__detail"> {error.message}</span> : null}
        </Alert>
      ) : error ? (
        <Alert tone="error" testId="import-error">
          {error.message} <code>{error.code}</code>
        </Alert>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button" disabled={busy} onClick={backToMapping}>
          Back to columns
        </button>
        <span className="dialog-actions__spacer" />
        <button type="button" className="button" disabled={busy} onClick={() => void close()}>
          Cancel
        </button>
        {hasInvalid ? (
          <button
            type="button"
            className="button"
            disabled={busy || validRows === 0}
            onClick={() => void commit(true)}
          >
            Import valid rows only ({formatCount(validRows)})
          </button>
        ) : null}
        <button
          type="button"
          className="button button--primary"
          disabled={busy}
          title="All or nothing: if any row is invalid, nothing is written."
          onClick={() => void commit(false)}
        >
          Import all {formatCount(validation.rows)}
        </button>
      </div>
    </div>
  );
}
