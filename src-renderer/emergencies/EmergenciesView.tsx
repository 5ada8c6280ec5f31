// Emergency sessions (administrators): every use of the emergency credential, those awaiting
// review first; each with who opened it, why, when, how it ended, and a sign-off form that needs a
// comment. Main refuses a review by the person who opened the session, and one of a session
// still open. Invariant: the list is read again from main after every review.
import { useCallback, useEffect, useState } from 'react';
import type { EmergencySessionRecord, WardkeepError } from '../../src-preload/contract';
import { emergencyReasonLabels } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { Alert } from '../shared/Alert';
import { FailureAlert } from '../shared/FailureAlert';
import { useSessionStore } from '../session/sessionStore';
import { emergencyOrder, emergencyState } from './emergencyOrder';
import { RotateCredentialButton } from './RotateCredential';

export function EmergenciesView() {
  const [records, setRecords] = useState<EmergencySessionRecord[] | null>(null);
  const breakGlassReady = useSessionStore((state) => state.breakGlassReady);
  const refreshStatus = useSessionStore((state) => state.refreshStatus);

  const load = useCallback(async () => {
    const result = await call('breakglass:list', {});
    if (result.ok) setRecords(emergencyOrder(result.value));
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const awaiting = records?.filter((record) => emergencyState(record) === 'awaiting').length ?? 0;
  return (
    <div className="admin-view" data-testid="emergencies-view">
      <div className="admin-view__header">
        <h1>Emergency sessions</h1>
        <p className="muted">
          Each use of the emergency credential must be reviewed and signed off by an administrator
          who did not open it.
        </p>
      </div>
      <div className="admin-view__bar">
        <span>
          Sealed emergency credential:{' '}
          {breakGlassReady ? (
            <strong>ready</strong>
          ) : (
            <strong className="state--bad">none — generate one</strong>
          )}
        </span>
        <RotateCredentialButton
          label={
            breakGlassReady ? 'Replace emergency credential…' : 'Generate emergency credential…'
          }
        />
      </div>
      {records === null ? (
        <p className="muted">Loading emergency sessions…</p>
      ) : records.length === 0 ? (
        <p className="muted" data-testid="no-emergencies">
          The emergency credential has never been used.
        </p>
      ) : (
        <>
          {awaiting > 0 ? (
            <Alert tone="warning" testId="awaiting-review">
              {awaiting === 1 ? '1 session awaits' : `${awaiting} sessions await`} review.
            </Alert>
          ) : null}
          <ol className="emergency-list">
            {records.map((record) => (
              <EmergencyItem
                key={record.id}
                record={record}
                onReviewed={async () => {
                  await load();
                  await refreshStatus();
                }}
              />
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

function EmergencyItem({
  record,
  onReviewed,
}: {
  record: EmergencySessionRecord;
  onReviewed: () => Promise<void>;
}) {
  const state = emergencyState(record);
  const [comment, setComment] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WardkeepError | null>(null);
  const commentMissing = comment.trim() === '';

  async function review(): Promise<void> {
    setSubmitted(true);
    if (busy || commentMissing) return;
    setBusy(true);
    setError(null);
    const result = await call('breakglass:review', { id: record.id, comment: comment.trim() }, [
      'breakglass.review',
      'breakglass.active',
      'not_found',
      'ipc.payload',
      'stepup.required',
    ]);
    setBusy(false);
    if (result.ok) {
      setComment('');
      await onReviewed();
      return;
    }
    if (result.error.code !== 'stepup.required') setError(result.error);
  }

  return (
    <li
      className={`emergency emergency--${state}`}
      data-testid="emergency-record"
      data-id={record.id}
      data-state={state}
    >
      <div className="emergency__heading">
        <h2>
          #{record.id} · {record.openedBy}
        </h2>
        <span className={`status-pill status-pill--${stateTones[state]}`}>
          {state === 'awaiting' ? 'Awaits review' : state === 'open' ? 'Open now' : 'Reviewed'}
        </span>
      </div>
      <dl className="field-group__list">
        <dt>Reason</dt>
        <dd>
          {emergencyReasonLabels[record.reason]}
          {record.reasonText ? `: ${record.reasonText}` : ''}
        </dd>
        <dt>Opened</dt>
        <dd>{formatTime(record.openedAt)}</dd>
        <dt>{record.closedAt ? 'Closed' : 'Ends'}</dt>
        <dd>
          {formatTime(record.closedAt ?? record.endsAt)}
          {record.closeReason ? ` (${closeReasonLabel(record.closeReason)})` : ''}
        </dd>
        {record.reviewedAt ? (
          <>
            <dt>Reviewed</dt>
            <dd>
              {formatTime(record.reviewedAt)} by {record.reviewedBy}: {record.reviewComment}
            </dd>
          </>
        ) : null}
      </dl>
      {state === 'awaiting' ? (
        <form
          className="emergency__review"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void review();
          }}
        >
          <div className="field">
            <label htmlFor={`review-${record.id}`}>Review comment</label>
            <textarea
              id={`review-${record.id}`}
              rows={2}
              maxLength={2000}
              value={comment}
              onChange={(event) => setComment(event.target.value)}
              aria-invalid={submitted && commentMissing ? true : undefined}
            />
            {submitted && commentMissing ? (
              <p className="field__error">
                Say what was checked (the audit log of the session) and what was found.
              </p>
            ) : null}
          </div>
          {error ? <FailureAlert error={error} testId="review-error" /> : null}
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Signing off…' : 'Sign off review'}
          </button>
        </form>
      ) : null}
    </li>
  );
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

function closeReasonLabel(reason: string): string {
  switch (reason) {
    case 'logout':
    case 'locked':
      return 'ended by the user';
    case 'expired':
    case 'emergency_ended':
      return 'time ran out';
    default:
      return reason.replace(/_/g, ' ');
  }
}

const stateTones = { awaiting: 'danger', open: 'warning', reviewed: 'success' } as const;
