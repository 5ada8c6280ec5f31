// The what-if draft: the moves and conduit edits made so far, "Check what changes" (main evaluates
// every observed flow under the draft and lists those whose verdict would change), and "Apply…",
// which records the whole draft as one policy version after a reason and a step-up.
// Invariants: Apply is offered only for the draft that was checked (any edit drops the result);
// nothing changes in main before Apply is confirmed.
import { useEffect, useRef, useState } from 'react';
import { verdicts } from '../../src-preload/network/model';
import { Alert } from '../shared/Alert';
import { Dialog } from '../shared/Dialog';
import { FailureAlert } from '../shared/FailureAlert';
import { formatCount, formatQuantity } from '../shared/format';
import { draftSize, formatPorts } from './draft';
import { verdictStyles } from './mapStyle';
import { conduitProtocolLabels, conduitStateLabels, formatService } from './networkLabels';
import { useNetworkStore } from './networkStore';
import { DeviceLink, zoneName } from './PanelParts';
import { ReasonForm } from './ReasonForm';
import { VerdictBadge } from './VerdictBadge';

/** Changed flows listed; the rest are counted. */
const shownChanges = 100;

export function DraftPanel({ canChange }: { canChange: boolean }) {
  const draft = useNetworkStore((state) => state.draft);
  const index = useNetworkStore((state) => state.index);
  const whatIf = useNetworkStore((state) => state.whatIf);
  const whatIfBusy = useNetworkStore((state) => state.whatIfBusy);
  const whatIfError = useNetworkStore((state) => state.whatIfError);
  const applied = useNetworkStore((state) => state.applied);
  const [applying, setApplying] = useState(false);
  const store = useNetworkStore.getState();
  const size = draftSize(draft);

  if (size === 0) {
    if (applied === null) return null;
    return (
      <section className="draft-panel" aria-label="Policy change" data-testid="draft-panel">
        <Alert
          tone="success"
          title={`Policy version ${applied.version} recorded`}
          testId="draft-applied"
        >
          {formatQuantity(applied.changeCount, 'change')} by {applied.actor}: “{applied.reason}”.{' '}
          <button type="button" className="button--link link-button" onClick={store.dismissApplied}>
            Dismiss
          </button>
        </Alert>
      </section>
    );
  }

  return (
    <section className="draft-panel" aria-labelledby="draft-title" data-testid="draft-panel">
      <header className="draft-panel__header">
        <h2 id="draft-title">What-if draft</h2>
        <span className="muted">{formatQuantity(size, 'change')}, nothing applied yet</span>
      </header>
      <ul className="draft-list" data-testid="draft-items">
        {draft.moves.map((move) => (
          <li key={move.deviceUid}>
            <span>
              Move <DeviceLink nodeId={move.nodeId} label={move.label} />:{' '}
              {zoneName(index, move.fromZoneId)} → <strong>{zoneName(index, move.toZoneId)}</strong>
            </span>
            <button
              type="button"
              className="button button--small"
              aria-label={`Remove the move of ${move.label} from the draft`}
              onClick={() => store.dropMove(move.deviceUid)}
            >
              Remove
            </button>
          </li>
        ))}
        {draft.conduits.map(({ conduit, isNew }) => (
          <li key={conduit.id}>
            <span>
              {isNew ? 'Add' : 'Change'} conduit <code>{conduit.id}</code>:{' '}
              <strong>{conduitStateLabels[conduit.state]}</strong>{' '}
              {conduitProtocolLabels[conduit.protocol]}{' '}
              {conduit.ports.length > 0 ? formatPorts(conduit.ports) : ''} (
              {zoneName(index, conduit.from)} → {zoneName(index, conduit.to)})
            </span>
            <button
              type="button"
              className="button button--small"
              aria-label={`Remove the change of conduit ${conduit.id} from the draft`}
              onClick={() => store.dropConduit(conduit.id)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="draft-panel__actions">
        <button
          type="button"
          className="button button--primary"
          disabled={whatIfBusy}
          onClick={() => void store.runWhatIf()}
        >
          {whatIfBusy ? 'Checking…' : 'Check what changes'}
        </button>
        {canChange ? (
          <button
            type="button"
            className="button"
            disabled={whatIf === null}
            title={whatIf === null ? 'Check what changes first' : undefined}
            onClick={() => setApplying(true)}
          >
            Apply…
          </button>
        ) : null}
        <button type="button" className="button button--link" onClick={store.discardDraft}>
          Discard draft
        </button>
      </div>
      {whatIfError ? <FailureAlert error={whatIfError} testId="whatif-error" /> : null}
      {whatIf ? <WhatIfResult /> : null}
      {applying ? <ApplyDialog onClose={() => setApplying(false)} /> : null}
    </section>
  );
}

function WhatIfResult() {
  const whatIf = useNetworkStore((state) => state.whatIf);
  const index = useNetworkStore((state) => state.index);
  const resultRef = useRef<HTMLDivElement>(null);
  // The answer appears under the draft, often below the fold: bring it into view once.
  useEffect(() => {
    resultRef.current?.scrollIntoView({ block: 'nearest' });
  }, [whatIf]);
  if (whatIf === null) return null;
  return (
    <div className="whatif" data-testid="whatif-result" ref={resultRef}>
      <table className="data-table network-table whatif__counts" data-testid="whatif-counts">
        <thead>
          <tr>
            <th scope="col">Verdict</th>
            <th scope="col" className="numeric">
              Now
            </th>
            <th scope="col" className="numeric">
              With the draft
            </th>
          </tr>
        </thead>
        <tbody>
          {verdicts.map((verdict) => (
            <tr key={verdict} data-verdict={verdict}>
              <th scope="row">{verdictStyles[verdict].label}</th>
              <td className="numeric">{formatCount(whatIf.before[verdict] ?? 0)}</td>
              <td className="numeric">{formatCount(whatIf.after[verdict] ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {whatIf.changes.length === 0 ? (
        <p className="muted" data-testid="whatif-none">
          No flow would change its verdict.
        </p>
      ) : (
        <>
          <p>
            <strong>{formatQuantity(whatIf.changes.length, 'flow')}</strong> would change (thicker
            on the map):
          </p>
          <table className="data-table network-table" data-testid="whatif-changes">
            <thead>
              <tr>
                <th scope="col">Flow</th>
                <th scope="col">Now</th>
                <th scope="col">With the draft</th>
              </tr>
            </thead>
            <tbody>
              {whatIf.changes.slice(0, shownChanges).map((change) => {
                const source = index?.nodeByAddress.get(change.flow.source);
                const destination = index?.nodeByAddress.get(change.flow.destination);
                return (
                  <tr key={change.flow.id} data-flow-id={change.flow.id}>
                    <td>
                      <DeviceLink
                        nodeId={source?.id ?? null}
                        label={source?.label ?? change.flow.source}
                      />{' '}
                      →{' '}
                      <DeviceLink
                        nodeId={destination?.id ?? null}
                        label={destination?.label ?? change.flow.destination}
                      />{' '}
                      <span className="mono muted">
                        {formatService(change.flow.protocol, change.flow.port)}
                      </span>
                    </td>
                    <td data-before={change.before.verdict}>
                      <VerdictBadge verdict={change.before.verdict} />
                    </td>
                    <td data-after={change.after.verdict}>
                      <VerdictBadge verdict={change.after.verdict} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {whatIf.changes.length > shownChanges ? (
            <p className="muted">
              and {formatQuantity(whatIf.changes.length - shownChanges, 'more flow')}
            </p>
          ) : null}
        </>
      )}
    </div>
  );
}

function ApplyDialog({ onClose }: { onClose: () => void }) {
  const draft = useNetworkStore((state) => state.draft);
  const busy = useNetworkStore((state) => state.applyBusy);
  const error = useNetworkStore((state) => state.applyError);
  const version = useNetworkStore((state) => state.policy?.version ?? 0);

  return (
    <Dialog title="Apply the draft" onClose={() => !busy && onClose()} testId="apply-dialog">
      <ReasonForm
        fieldId="apply-reason"
        busy={busy}
        lead={
          <>
            The {formatQuantity(draftSize(draft), 'change')} become policy version {version + 1},
            one recorded change: who, when and why. It can be reverted later.
          </>
        }
        missingMessage="Say why the policy changes: it is recorded with the change."
        onReason={async (reason) => {
          if (await useNetworkStore.getState().apply(reason)) onClose();
        }}
      >
        {error ? (
          error.code === 'stepup.required' ? (
            <Alert tone="warning" testId="apply-error">
              Not applied: the confirmation with your password and code was cancelled.
            </Alert>
          ) : (
            <FailureAlert error={error} testId="apply-error" />
          )
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Applying…' : 'Apply'}
          </button>
        </div>
      </ReasonForm>
    </Dialog>
  );
}
