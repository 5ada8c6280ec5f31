// The dialog that imports observed flows: a Zeek conn.log (TSV or JSON lines) or a CSV, its format
// detected by main or chosen; the report of invalid lines with the choice to import the valid
// ones; the counts of what was imported.
// Invariant: nothing is written until main answers committed; the dialog never says "imported"
// otherwise.
import { useId } from 'react';
import { flowFileFormats } from '../../src-preload/network/model';
import type { FlowFileFormat } from '../../src-preload/network/model';
import { Stat } from '../import/Stat';
import { Alert } from '../shared/Alert';
import { Dialog } from '../shared/Dialog';
import { FailureAlert } from '../shared/FailureAlert';
import { formatCount, formatQuantity } from '../shared/format';
import {
  flowFileAccept,
  flowFormatLabels,
  flowImportOutcome,
  unlistedIssueCount,
} from './flowImport';
import { useFlowImportStore } from './flowImportStore';
import type { FlowImportReport } from './types';

export function FlowImportDialog() {
  const open = useFlowImportStore((state) => state.open);
  const step = useFlowImportStore((state) => state.step);
  const close = useFlowImportStore((state) => state.close);
  if (!open) return null;
  const busy = step === 'reading' || step === 'importing';
  return (
    <Dialog
      title="Import observed flows"
      onClose={() => !busy && close()}
      testId="flow-import-dialog"
    >
      <div className="flow-import">{step === 'report' ? <ReportStep /> : <ChooseStep />}</div>
    </Dialog>
  );
}

function ChooseStep() {
  const fileId = useId();
  const formatId = useId();
  const step = useFlowImportStore((state) => state.step);
  const fileName = useFlowImportStore((state) => state.fileName);
  const format = useFlowImportStore((state) => state.format);
  const error = useFlowImportStore((state) => state.error);
  const store = useFlowImportStore.getState();
  const busy = step !== 'choose';

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void store.importFile();
      }}
    >
      <p className="modal__lead">
        Flows come from passive sources only: a Zeek <code>conn.log</code> or a CSV export. Nothing
        is written while any line is invalid: you see which lines first, and choose.
      </p>
      <div className="field">
        <label htmlFor={fileId}>Flow file</label>
        <input
          id={fileId}
          type="file"
          accept={flowFileAccept}
          disabled={busy}
          autoFocus
          onChange={(event) => store.chooseFile(event.target.files?.[0] ?? null)}
        />
      </div>
      <div className="field">
        <label htmlFor={formatId}>Format</label>
        <select
          id={formatId}
          value={format ?? ''}
          disabled={busy}
          onChange={(event) =>
            store.setFormat(
              event.target.value === '' ? null : (event.target.value as FlowFileFormat),
            )
          }
        >
          <option value="">Detect from the first line</option>
          {flowFileFormats.map((item) => (
            <option key={item} value={item}>
              {flowFormatLabels[item]}
            </option>
          ))}
        </select>
      </div>
      {busy ? (
        <p role="status" className="muted">
          {step === 'reading' ? `Reading ${fileName ?? 'the file'}…` : 'Checking every line…'}
        </p>
      ) : null}
      {error ? <FailureAlert error={error} testId="flow-import-error" /> : null}
      <div className="dialog-actions">
        <button type="button" className="button" disabled={busy} onClick={store.close}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || fileName === null}
        >
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

function ReportStep() {
  const report = useFlowImportStore((state) => state.report);
  const step = useFlowImportStore((state) => state.step);
  const error = useFlowImportStore((state) => state.error);
  const store = useFlowImportStore.getState();
  if (report === null) return null;
  const outcome = flowImportOutcome(report);
  const busy = step === 'importing';

  return (
    <div data-testid="flow-import-report" data-outcome={outcome.kind}>
      {outcome.kind === 'imported' ? (
        <Alert tone="success" title={`${report.fileName} imported`} testId="flow-import-done">
          {flowFormatLabels[report.format]}
          {outcome.skippedLines > 0
            ? `; ${formatQuantity(outcome.skippedLines, 'invalid line was', 'invalid lines were')} left out`
            : ''}
          . The map and its findings are up to date.
        </Alert>
      ) : outcome.kind === 'invalid-lines' ? (
        <Alert tone="warning" title="Nothing imported yet" testId="flow-import-refused">
          {formatQuantity(report.rejectedLines, 'line is', 'lines are')} invalid in{' '}
          {report.fileName}, read as {flowFormatLabels[report.format]}. Fix them at the source and
          import the file again, or import the {formatCount(outcome.validLines)} valid ones now.
        </Alert>
      ) : (
        <Alert tone="error" title="Nothing to import" testId="flow-import-refused">
          {report.fileName} holds no valid connection record: nothing was written.
        </Alert>
      )}
      <ImportCounts report={report} />
      {report.issues.length > 0 ? <IssueList report={report} /> : null}
      {error ? <FailureAlert error={error} testId="flow-import-error" /> : null}
      <div className="dialog-actions">
        {outcome.kind === 'imported' ? (
          <button type="button" className="button button--primary" onClick={store.close}>
            Close
          </button>
        ) : (
          <>
            <button type="button" className="button" disabled={busy} onClick={store.close}>
              Cancel
            </button>
            <button type="button" className="button" disabled={busy} onClick={store.chooseAnother}>
              Choose another file
            </button>
            {outcome.kind === 'invalid-lines' ? (
              <button
                type="button"
                className="button button--primary"
                disabled={busy}
                onClick={() => void store.importValidLines()}
              >
                {busy
                  ? 'Importing…'
                  : `Import the ${formatQuantity(outcome.validLines, 'valid line')}`}
              </button>
            ) : null}
          </>
        )}
      </div>
    </div>
  );
}

function ImportCounts({ report }: { report: FlowImportReport }) {
  const committed = report.committed;
  return (
    <dl className="stats stats--compact" data-testid="flow-import-counts">
      <Stat label="Record lines" value={report.recordLines} name="record-lines" />
      <Stat
        label="Invalid lines"
        value={report.rejectedLines}
        name="rejected-lines"
        {...(report.rejectedLines > 0 ? { tone: 'bad' as const } : {})}
      />
      <Stat
        label={committed ? 'Connections' : 'Valid connections'}
        value={report.connections}
        name="connections"
        {...(committed ? { tone: 'good' as const } : {})}
      />
      <Stat label={committed ? 'Flows' : 'Flows they make'} value={report.flows} name="flows" />
      <Stat label="Unknown addresses" value={report.unknownAddresses} name="unknown-addresses" />
    </dl>
  );
}

function IssueList({ report }: { report: FlowImportReport }) {
  const unlisted = unlistedIssueCount(report);
  return (
    <div className="flow-issues">
      <table className="data-table network-table" data-testid="flow-import-issues">
        <caption className="flow-issues__caption">Invalid lines</caption>
        <thead>
          <tr>
            <th scope="col" className="numeric">
              Line
            </th>
            <th scope="col">Field</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {report.issues.map((issue, position) => (
            <tr key={`${issue.line}:${position}`} data-line={issue.line}>
              <td className="numeric">{issue.line}</td>
              <td className="mono">{issue.field ?? '—'}</td>
              <td>{issue.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {unlisted > 0 ? (
        <p className="muted">and {formatQuantity(unlisted, 'more invalid line')} not listed</p>
      ) : null}
    </div>
  );
}
