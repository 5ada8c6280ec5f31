// The policy's versions: who changed it, when, why, how and how much, newest first; an engineer
// reverts to an earlier version with a reason and a step-up, which records a new version (the
// history is never rewritten).
// Invariants: Revert shows only for who may change the policy and can step up; a revert someone
// else's change overtook is refused by main and shown as such (reload, then decide again), never
// retried over their change.
import { useState } from 'react';
import { Alert } from '../shared/Alert';
import { Dialog } from '../shared/Dialog';
import { FailureAlert } from '../shared/FailureAlert';
import { formatQuantity } from '../shared/format';
import type { NetworkActions } from './networkActions';
import { formatMoment } from './networkLabels';
import { useNetworkStore } from './networkStore';
import { useNetworkToolsStore } from './networkToolsStore';
import { SidePanel } from './PanelParts';
import { ReasonForm } from './ReasonForm';
import {
  conflictSentence,
  describeVersionKind,
  latestVersion,
  policyConflictOf,
  versionRows,
} from './policyVersions';

export function VersionsPanel({ actions }: { actions: NetworkActions }) {
  const versions = useNetworkToolsStore((state) => state.versions);
  const versionsError = useNetworkToolsStore((state) => state.versionsError);
  const reverted = useNetworkToolsStore((state) => state.reverted);
  const [reverting, setReverting] = useState<number | null>(null);
  const store = useNetworkToolsStore.getState();
  const rows = versions === null ? [] : versionRows(versions);

  return (
    <SidePanel
      title="Policy versions"
      subtitle={
        versions === null
          ? 'Loading…'
          : `Version ${latestVersion(versions)} in force · ${formatQuantity(versions.length, 'version')} recorded`
      }
      testId="versions-panel"
      onClose={store.closePanel}
      closeLabel="Close the policy versions"
    >
      {reverted ? (
        <Alert
          tone="success"
          title={`Policy version ${reverted.version} recorded`}
          testId="revert-done"
        >
          Reverted to version {reverted.revertedTo ?? '?'}:{' '}
          {formatQuantity(reverted.changeCount, 'change')} by {reverted.actor}. The map shows it.{' '}
          <button
            type="button"
            className="button--link link-button"
            onClick={store.dismissReverted}
          >
            Dismiss
          </button>
        </Alert>
      ) : null}
      {versionsError ? <FailureAlert error={versionsError} testId="versions-error" /> : null}
      {versions !== null && rows.length === 0 ? (
        <p className="muted">No policy recorded yet: import a zones file first.</p>
      ) : null}
      <ol className="tool-list" data-testid="versions">
        {rows.map(({ record, current, revertable }) => (
          <li
            key={record.version}
            className={current ? 'tool-item tool-item--current' : 'tool-item'}
            data-version={record.version}
            data-kind={record.kind}
          >
            <div className="tool-item__heading">
              <strong>Version {record.version}</strong>
              {current ? <span className="tool-tag">in force</span> : null}
              <span className="muted">{describeVersionKind(record)}</span>
              {actions.revert && revertable ? (
                <button
                  type="button"
                  className="button button--small"
                  aria-label={`Revert to version ${record.version}`}
                  onClick={() => {
                    store.clearRevertError();
                    setReverting(record.version);
                  }}
                >
                  Revert…
                </button>
              ) : null}
            </div>
            <p className="tool-item__text">
              <span className="muted">
                {formatMoment(record.at)} · {record.actor} ·{' '}
                {formatQuantity(record.changeCount, 'change')}
              </span>
            </p>
            <p className="tool-item__reason">“{record.reason}”</p>
          </li>
        ))}
      </ol>
      {actions.importFlows && !actions.revert ? (
        <p className="muted" data-testid="revert-unavailable">
          Reverting needs your password and code again, which an emergency session does not have.
        </p>
      ) : null}
      {reverting !== null ? (
        <RevertDialog version={reverting} onClose={() => setReverting(null)} />
      ) : null}
    </SidePanel>
  );
}

function RevertDialog({ version, onClose }: { version: number; onClose: () => void }) {
  const busy = useNetworkToolsStore((state) => state.revertBusy);
  const error = useNetworkToolsStore((state) => state.revertError);
  const latest = useNetworkToolsStore((state) => latestVersion(state.versions ?? []));
  const conflict = error === null ? null : policyConflictOf(error);

  async function reload(): Promise<void> {
    useNetworkToolsStore.getState().clearRevertError();
    onClose();
    await useNetworkStore.getState().load();
  }

  return (
    <Dialog
      title={`Revert to version ${version}`}
      onClose={() => !busy && onClose()}
      testId="revert-dialog"
    >
      <ReasonForm
        fieldId="revert-reason"
        busy={busy}
        lead={
          <>
            The zones, conduits and device assignments return to what version {version} held. It is
            recorded as version {latest + 1}, one change with who, when and why; the versions in
            between stay in the history and can be returned to later.
          </>
        }
        missingMessage="Say why the policy goes back: it is recorded with the change."
        onReason={async (reason) => {
          if (await useNetworkToolsStore.getState().revert(version, reason)) onClose();
        }}
      >
        {conflict ? (
          <Alert tone="warning" title="Not reverted" testId="revert-conflict">
            {conflictSentence(conflict)}{' '}
            <button type="button" className="button button--small" onClick={() => void reload()}>
              Reload
            </button>
          </Alert>
        ) : error?.code === 'stepup.required' ? (
          <Alert tone="warning" testId="revert-error">
            Not reverted: the confirmation with your password and code was cancelled.
          </Alert>
        ) : error ? (
          <FailureAlert error={error} testId="revert-error" />
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button--primary"
            disabled={busy || conflict !== null}
          >
            {busy ? 'Reverting…' : `Revert to version ${version}`}
          </button>
        </div>
      </ReasonForm>
    </Dialog>
  );
}
