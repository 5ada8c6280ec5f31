// Step 4 of the import: the final report of what was written, the rows skipped, and the last
// progress reached. Closing it returns to the refreshed inventory.
import { useEffect, useRef } from 'react';
import { Alert } from '../shared/Alert';
import { formatQuantity } from '../shared/format';
import { IssueTable } from './IssueTable';
import { ProgressBar } from './ProgressBar';
import { Stat } from './Stat';
import { useImportStore } from './importStore';

export function ReportStep() {
  const report = useImportStore((state) => state.report);
  const close = useImportStore((state) => state.close);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeRef.current?.focus();
  }, []);

  if (report === null) return null;
  const written = report.created + report.updated;

  return (
    <div className="import-step">
      <Alert tone="success" title="Import complete" testId="import-report">
        {formatQuantity(written, 'device')} written.
        {report.invalidRows > 0
          ? ` ${formatQuantity(report.invalidRows, 'invalid row')} skipped.`
          : ''}
      </Alert>
      <ProgressBar />
      <dl className="stats">
        <Stat label="Rows in file" value={report.rows} />
        <Stat label="Created" value={report.created} tone="good" name="created" />
        <Stat label="Updated" value={report.updated} name="updated" />
        <Stat label="Unchanged" value={report.unchanged} name="unchanged" />
        <Stat
          label="Skipped"
          value={report.invalidRows}
          tone={report.invalidRows > 0 ? 'bad' : undefined}
          name="skipped"
        />
      </dl>
      {report.issues.length > 0 ? (
        <>
          <h3 className="section-title">Skipped rows</h3>
          <IssueTable issues={report.issues} />
        </>
      ) : null}
      <div className="dialog-actions">
        <span className="dialog-actions__spacer" />
        <button
          ref={closeRef}
          type="button"
          className="button button--primary"
          onClick={() => void close()}
        >
          Close
        </button>
      </div>
    </div>
  );
}
