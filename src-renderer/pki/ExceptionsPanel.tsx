// Documented exceptions for legacy devices that cannot hold a certificate: overdue reviews first,
// each with its risk, compensating controls, zone, owner and review date; engineers document a new
// one (often straight from a provisioning refusal), record a review, or revoke one.
// Invariants: after every change the list is read again from main; a new exception names a device
// the inventory holds, found by its serial number or asset tag.
import { useEffect, useId, useState } from 'react';
import type { DeviceRecord } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { Alert } from '../shared/Alert';
import { TextField } from '../shared/TextField';
import { useMainNow } from '../shell/useSessionWatch';
import { formatUtc } from '../provisioning/outcome';
import { isoDate } from '../provisioning/label';
import { ActionFeedback } from './ActionFeedback';
import type { ExceptionDraft, ExceptionRecord, ExceptionSubject } from './exceptions';
import {
  addDays,
  exceptionDeviceName,
  exceptionDraftProblems,
  exceptionRequest,
  exceptionSubjectText,
  reviewWords,
} from './exceptions';
import type { PkiAccess } from './pkiAccess';
import { usePkiStore } from './pkiStore';
import { pkiFailures, useAction } from './useAction';

export function ExceptionsPanel({ access }: { access: PkiAccess }) {
  const exceptions = usePkiStore((state) => state.exceptions);
  const includeRevoked = usePkiStore((state) => state.includeRevoked);
  const loadExceptions = usePkiStore((state) => state.loadExceptions);
  const subject = usePkiStore((state) => state.exceptionSubject);
  const clearSubject = usePkiStore((state) => state.clearExceptionSubject);
  const [creating, setCreating] = useState(false);
  /** What the last change did, kept here because a revoked exception leaves the list. */
  const [notice, setNotice] = useState<string | null>(null);
  const today = isoDate(useMainNow());

  useEffect(() => {
    void loadExceptions();
  }, [loadExceptions]);

  const formOpen = access.writeExceptions && (creating || subject !== null);
  const overdue = exceptions?.filter((record) => record.overdue).length ?? 0;

  return (
    <div className="pki-panel" data-testid="pki-exceptions">
      <div className="pki-toolbar">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={includeRevoked}
            onChange={(event) => void loadExceptions(event.target.checked)}
          />
          Show revoked exceptions
        </label>
        <span className="pki-toolbar__spacer" />
        {access.writeExceptions && !formOpen ? (
          <button
            type="button"
            className="button"
            onClick={() => {
              setNotice(null);
              setCreating(true);
            }}
          >
            Document an exception…
          </button>
        ) : null}
      </div>
      {formOpen ? (
        <ExceptionForm
          key={subject === null ? 'new' : `refusal:${subject.attemptId}`}
          subject={subject}
          today={today}
          onClose={() => {
            setCreating(false);
            clearSubject();
          }}
          onCreated={(record) => {
            setNotice(
              `Exception documented for ${exceptionDeviceName(record)}; review by ${record.reviewDate}.`,
            );
            void loadExceptions();
          }}
        />
      ) : null}
      {subject !== null && !access.writeExceptions ? (
        <p className="muted">
          {exceptionSubjectText(subject)} Documenting the exception needs an engineer.
        </p>
      ) : null}
      {notice !== null ? (
        <Alert tone="success" testId="exceptions-notice">
          {notice}
        </Alert>
      ) : null}
      {overdue > 0 ? (
        <p className="state--bad" data-testid="exceptions-overdue">
          {overdue === 1 ? '1 exception is' : `${overdue} exceptions are`} overdue for review.
        </p>
      ) : null}
      {exceptions === null ? (
        <p className="muted">Loading exceptions…</p>
      ) : exceptions.length === 0 ? (
        <p className="muted" data-testid="no-exceptions">
          No legacy-device exception is documented.
        </p>
      ) : (
        <ol className="exception-list">
          {exceptions.map((record) => (
            <ExceptionItem
              key={record.id}
              record={record}
              access={access}
              today={today}
              onChanged={(message) => {
                setNotice(message);
                void loadExceptions();
              }}
            />
          ))}
        </ol>
      )}
    </div>
  );
}

function ExceptionItem({
  record,
  access,
  today,
  onChanged,
}: {
  record: ExceptionRecord;
  access: PkiAccess;
  today: string;
  /** With what to say above the list; null when the item says it itself. */
  onChanged: (message: string | null) => void;
}) {
  const [mode, setMode] = useState<'none' | 'review' | 'revoke'>('none');
  const [reviewDate, setReviewDate] = useState(() => addDays(today, 180));
  const [text, setText] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const action = useAction();
  const state = record.status === 'revoked' ? 'revoked' : record.overdue ? 'overdue' : 'active';
  const device = record.device;

  function submit(): void {
    setSubmitted(true);
    if (text.trim() === '') return;
    const run =
      mode === 'review'
        ? action.run(
            () =>
              call(
                'provision:exception-review',
                { id: record.id, reviewDate, note: text.trim() },
                pkiFailures,
              ),
            (updated) => `Reviewed; next review ${updated.reviewDate}.`,
          )
        : action.run(
            () =>
              call(
                'provision:exception-revoke',
                { id: record.id, reason: text.trim() },
                pkiFailures,
              ),
            () => 'Exception revoked.',
          );
    const revoking = mode === 'revoke';
    void run.then((value) => {
      if (value === null) return;
      setMode('none');
      setText('');
      setSubmitted(false);
      // A revoked exception leaves the list, and its own message with it.
      onChanged(
        revoking
          ? `Exception for ${exceptionDeviceName(record)} revoked; it is listed under the revoked exceptions.`
          : null,
      );
    });
  }

  return (
    <li
      className={`exception exception--${state}`}
      data-testid="exception-record"
      data-state={state}
    >
      <div className="exception__heading">
        <h3>
          {exceptionDeviceName(record)}
          {device?.assetTag ? <span className="muted"> · {device.assetTag}</span> : null}
        </h3>
        <span className={`status-pill status-pill--${dueTones[state]}`}>{reviewWords(record)}</span>
      </div>
      <dl className="field-group__list">
        <dt>Risk accepted</dt>
        <dd>{record.risk}</dd>
        <dt>Compensating controls</dt>
        <dd>
          <ul className="exception__controls">
            {record.compensatingControls.map((control) => (
              <li key={control}>{control}</li>
            ))}
          </ul>
        </dd>
        <dt>Restricted zone</dt>
        <dd>{record.zoneId ?? 'None named'}</dd>
        <dt>Owner</dt>
        <dd>{record.owner}</dd>
        <dt>Review by</dt>
        <dd>{record.reviewDate}</dd>
        <dt>Documented</dt>
        <dd>
          {formatUtc(record.createdAt)} by {record.createdBy}
        </dd>
        {record.reviewedAt ? (
          <>
            <dt>Last review</dt>
            <dd>
              {formatUtc(record.reviewedAt)} by {record.reviewedBy}: {record.reviewNote}
            </dd>
          </>
        ) : null}
        {record.revokedAt ? (
          <>
            <dt>Revoked</dt>
            <dd>
              {formatUtc(record.revokedAt)} by {record.revokedBy}: {record.revocationReason}
            </dd>
          </>
        ) : null}
      </dl>
      <ActionFeedback action={action} testId="exception-change" />
      {record.status === 'active' && mode === 'none' ? (
        <div className="exception__actions">
          {access.reviewExceptions ? (
            <button
              type="button"
              className="button button--small"
              onClick={() => setMode('review')}
            >
              Record a review…
            </button>
          ) : null}
          {access.writeExceptions ? (
            <button
              type="button"
              className="button button--small button--danger-outline"
              onClick={() => setMode('revoke')}
            >
              Revoke…
            </button>
          ) : null}
        </div>
      ) : null}
      {mode !== 'none' ? (
        <form
          className="exception__form"
          noValidate
          aria-label={mode === 'review' ? 'Record a review' : 'Revoke the exception'}
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          {mode === 'review' ? (
            <DateField label="Next review" value={reviewDate} onChange={setReviewDate} />
          ) : null}
          <TextArea
            label={mode === 'review' ? 'What the review found' : 'Why it is revoked'}
            value={text}
            onChange={setText}
            error={submitted && text.trim() === '' ? 'write a few words' : null}
          />
          <div className="dialog-actions">
            <button
              type="button"
              className="button"
              onClick={() => {
                setMode('none');
                action.clear();
              }}
            >
              Cancel
            </button>
            <button
              type="submit"
              className={mode === 'review' ? 'button button--primary' : 'button button--danger'}
              disabled={action.busy}
            >
              {mode === 'review' ? 'Record review' : 'Revoke exception'}
            </button>
          </div>
        </form>
      ) : null}
    </li>
  );
}

function TextArea({
  label,
  value,
  onChange,
  error,
  hint,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: string | null | undefined;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={3}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      {hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? <p className="field__error">{error}</p> : null}
    </div>
  );
}

function DateField({
  label,
  value,
  onChange,
  error,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null | undefined;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="date"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
      />
      {error ? <p className="field__error">{error}</p> : null}
    </div>
  );
}

interface ZoneName {
  id: string;
  name: string;
}

/** The zones of the network policy, for the restricted-zone choice; null when not readable. */
function useZones(): ZoneName[] | null {
  const [zones, setZones] = useState<ZoneName[] | null>(null);
  useEffect(() => {
    let current = true;
    void call('network:policy', {}, ['permission.denied']).then((result) => {
      if (current && result.ok) {
        setZones(result.value.policy.zones.map((zone) => ({ id: zone.id, name: zone.name })));
      }
    });
    return () => {
      current = false;
    };
  }, []);
  return zones;
}

function ExceptionForm({
  subject,
  today,
  onClose,
  onCreated,
}: {
  subject: ExceptionSubject | null;
  today: string;
  onClose: () => void;
  onCreated: (record: ExceptionRecord) => void;
}) {
  const zoneSelectId = useId();
  const deviceSelectId = useId();
  const zones = useZones();
  const [search, setSearch] = useState(subject?.serialNumber ?? '');
  const [matches, setMatches] = useState<DeviceRecord[] | null>(null);
  const [draft, setDraft] = useState<ExceptionDraft>({
    deviceUid: subject?.deviceUid ?? '',
    risk: '',
    controls: '',
    zoneId: '',
    owner: '',
    reviewDate: addDays(today, 180),
  });
  const [submitted, setSubmitted] = useState(false);
  const action = useAction();
  const problems = submitted ? exceptionDraftProblems(draft, today) : {};

  async function find(text: string): Promise<void> {
    if (text.trim() === '') return;
    const result = await call('devices:list', { text: text.trim(), limit: 20 });
    if (!result.ok) return;
    const rows = result.value.rows;
    setMatches(rows);
    setDraft((current) => {
      if (rows.some((row) => row.uid === current.deviceUid)) return current;
      const exact = rows.filter((row) => row.serialNumber === text.trim());
      const only = exact.length === 1 ? exact[0] : rows.length === 1 ? rows[0] : undefined;
      return { ...current, deviceUid: only?.uid ?? '' };
    });
  }

  // The device a refusal named is looked up at once; the form is remade for another one.
  const subjectSerial = subject?.serialNumber ?? null;
  useEffect(() => {
    if (subjectSerial !== null) void find(subjectSerial);
  }, [subjectSerial]);

  function change(patch: Partial<ExceptionDraft>): void {
    setDraft((current) => ({ ...current, ...patch }));
  }

  return (
    <form
      className="pki-form exception-form"
      aria-label="Document a legacy-device exception"
      data-testid="exception-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (Object.keys(exceptionDraftProblems(draft, today)).length > 0) return;
        void action
          .run(
            () => call('provision:exception-create', exceptionRequest(draft), pkiFailures),
            (record) => `Exception documented; review by ${record.reviewDate}.`,
          )
          .then((record) => {
            if (record === null) return;
            onCreated(record);
            onClose();
          });
      }}
    >
      <h3>Document a legacy-device exception</h3>
      {subject !== null ? (
        <p className="muted" data-testid="exception-subject">
          {exceptionSubjectText(subject)}
        </p>
      ) : null}
      <div className="exception-form__find">
        <TextField
          label="Find the device (serial number or asset tag)"
          value={search}
          onValueChange={setSearch}
          spellCheck={false}
        />
        <button type="button" className="button" onClick={() => void find(search)}>
          Find
        </button>
      </div>
      {matches !== null ? (
        matches.length === 0 ? (
          <p className="field__error">
            No device in the inventory matches. Add it to the inventory first (Inventory → Import
            CSV), then document its exception.
          </p>
        ) : (
          <div className="field">
            <label htmlFor={deviceSelectId}>Device</label>
            <select
              id={deviceSelectId}
              value={draft.deviceUid}
              onChange={(event) => change({ deviceUid: event.target.value })}
              aria-invalid={problems.deviceUid ? true : undefined}
            >
              <option value="">Choose the device</option>
              {matches.map((device) => (
                <option key={device.uid} value={device.uid}>
                  {device.assetTag ? `${device.assetTag} · ` : ''}
                  {device.manufacturer} {device.model} · serial {device.serialNumber}
                </option>
              ))}
            </select>
            {problems.deviceUid ? <p className="field__error">{problems.deviceUid}</p> : null}
          </div>
        )
      ) : problems.deviceUid ? (
        <p className="field__error">{problems.deviceUid}</p>
      ) : null}
      <TextArea
        label="Risk accepted"
        value={draft.risk}
        onChange={(risk) => change({ risk })}
        error={problems.risk}
        hint="What could happen because the device has no certificate."
      />
      <TextArea
        label="Compensating controls (one per line)"
        value={draft.controls}
        onChange={(controls) => change({ controls })}
        error={problems.controls}
        hint="For example: restricted zone with no route to the internet; flows monitored."
      />
      {zones !== null ? (
        <div className="field">
          <label htmlFor={zoneSelectId}>Restricted zone</label>
          <select
            id={zoneSelectId}
            value={draft.zoneId}
            onChange={(event) => change({ zoneId: event.target.value })}
          >
            <option value="">None</option>
            {zones.map((zone) => (
              <option key={zone.id} value={zone.id}>
                {zone.name} ({zone.id})
              </option>
            ))}
          </select>
        </div>
      ) : (
        <TextField
          label="Restricted zone id (optional)"
          value={draft.zoneId}
          onValueChange={(zoneId) => change({ zoneId })}
        />
      )}
      <TextField
        label="Risk owner"
        value={draft.owner}
        onValueChange={(owner) => change({ owner })}
        error={problems.owner}
        maxLength={200}
      />
      <DateField
        label="Review by"
        value={draft.reviewDate}
        onChange={(reviewDate) => change({ reviewDate })}
        error={problems.reviewDate}
      />
      <ActionFeedback action={action} testId="exception-create" />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={action.busy}>
          {action.busy ? 'Saving…' : 'Document exception'}
        </button>
      </div>
    </form>
  );
}

const dueTones = { overdue: 'danger', active: 'success', revoked: 'muted' } as const;
