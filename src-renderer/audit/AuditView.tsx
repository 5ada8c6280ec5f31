// The audit log (administrators and managers): newest first, filtered by actor, action, outcome,
// time and emergency; a Verify button that has main recompute every record, the Merkle tree and
// every signed checkpoint; exports as JSON lines or FHIR AuditEvent (administrators, step-up).
// Invariant: the table shows only what main returned for the filters on screen; changing a
// filter starts again from the newest record.
import { useCallback, useEffect, useState } from 'react';
import type {
  AuditQuery,
  AuditRecordView,
  AuditVerificationView,
} from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { downloadText } from '../api/download';

const pageSize = 200;

interface Filters {
  actor: string;
  action: string;
  outcome: '' | 'success' | 'failure' | 'denied';
  emergencyOnly: boolean;
  fromDate: string;
  toDate: string;
}

const noFilters: Filters = {
  actor: '',
  action: '',
  outcome: '',
  emergencyOnly: false,
  fromDate: '',
  toDate: '',
};

/** The request for a page: empty filters left out, dates as whole UTC days. */
export function auditQuery(filters: Filters, offset: number): AuditQuery {
  const query: AuditQuery = { limit: pageSize, offset };
  if (filters.actor.trim()) query.actor = filters.actor.trim();
  if (filters.action.trim()) query.action = filters.action.trim();
  if (filters.outcome) query.outcome = filters.outcome;
  if (filters.emergencyOnly) query.emergency = true;
  if (filters.fromDate) query.fromTime = `${filters.fromDate}T00:00:00.000Z`;
  if (filters.toDate) query.toTime = `${filters.toDate}T23:59:59.999Z`;
  return query;
}

function detailsText(record: AuditRecordView): string {
  const text = JSON.stringify(record.details);
  return text === '{}' ? '' : text;
}

export function AuditView({ canExport }: { canExport: boolean }) {
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [records, setRecords] = useState<AuditRecordView[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [verification, setVerification] = useState<AuditVerificationView | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [exporting, setExporting] = useState(false);

  const load = useCallback(async (active: Filters, offset: number) => {
    setLoading(true);
    const result = await call('audit:list', auditQuery(active, offset));
    setLoading(false);
    if (!result.ok) return;
    setRecords((previous) =>
      offset === 0 ? result.value.records : [...(previous ?? []), ...result.value.records],
    );
    setHasMore(result.value.hasMore);
  }, []);

  useEffect(() => {
    void load(filters, 0);
  }, [filters, load]);

  async function verify(): Promise<void> {
    setVerifying(true);
    const result = await call('audit:verify', {});
    setVerifying(false);
    if (result.ok) setVerification(result.value);
    void load(filters, 0);
  }

  async function exportAs(format: 'jsonl' | 'fhir'): Promise<void> {
    setExporting(true);
    const result = await call('audit:export', { format });
    setExporting(false);
    if (result.ok) downloadText(result.value.fileName, result.value.mimeType, result.value.content);
  }

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    setDraft((current) => ({ ...current, [key]: value }));

  return (
    <div className="admin-view" data-testid="audit-view">
      <div className="admin-view__header">
        <h1>Audit log</h1>
        <p className="muted">
          Every sign-in, refusal, change, import, export and emergency action, append-only. Verify
          recomputes every record, the Merkle tree and every signed checkpoint.
        </p>
      </div>
      <div className="admin-view__bar">
        <button type="button" className="button" disabled={verifying} onClick={() => void verify()}>
          {verifying ? 'Verifying…' : 'Verify the log'}
        </button>
        {canExport && (
          <div className="button-group" role="group" aria-label="Export audit log">
            <button
              type="button"
              className="button"
              disabled={exporting}
              onClick={() => void exportAs('jsonl')}
            >
              Export JSON lines
            </button>
            <button
              type="button"
              className="button"
              disabled={exporting}
              onClick={() => void exportAs('fhir')}
              title="FHIR R4 AuditEvent resources"
            >
              Export FHIR
            </button>
          </div>
        )}
      </div>
      {verification && (
        <p
          role="status"
          data-testid="audit-verification"
          className={verification.ok ? 'state--good' : 'state--bad'}
        >
          {verification.ok
            ? `Intact: ${verification.size.toLocaleString('en-US')} records, ${verification.checkpointsVerified} signed checkpoints verified. Root ${verification.root ?? ''}. Signing key ${verification.signingKeyFingerprint.slice(0, 16)}…`
            : `Does not verify: ${verification.problem ?? 'unknown problem'}${verification.firstBadSequence === null ? '' : ` (first bad record: #${verification.firstBadSequence})`}`}
        </p>
      )}
      <form
        className="admin-view__filters"
        aria-label="Filter the audit log"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters(draft);
        }}
      >
        <label>
          Actor
          <input value={draft.actor} onChange={(event) => set('actor', event.target.value)} />
        </label>
        <label>
          Action
          <input
            value={draft.action}
            placeholder="auth, account.role…"
            onChange={(event) => set('action', event.target.value)}
          />
        </label>
        <label>
          Outcome
          <select
            value={draft.outcome}
            onChange={(event) => set('outcome', event.target.value as Filters['outcome'])}
          >
            <option value="">Any</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
            <option value="denied">Denied</option>
          </select>
        </label>
        <label>
          From
          <input
            type="date"
            value={draft.fromDate}
            onChange={(event) => set('fromDate', event.target.value)}
          />
        </label>
        <label>
          To
          <input
            type="date"
            value={draft.toDate}
            onChange={(event) => set('toDate', event.target.value)}
          />
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.emergencyOnly}
            onChange={(event) => set('emergencyOnly', event.target.checked)}
          />
          Emergency only
        </label>
        <button type="submit" className="button">
          Apply
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            setDraft(noFilters);
            setFilters(noFilters);
          }}
        >
          Clear
        </button>
      </form>
      {records === null ? (
        <p className="muted">Loading the audit log…</p>
      ) : records.length === 0 ? (
        <p className="muted" data-testid="audit-empty">
          No record matches these filters.
        </p>
      ) : (
        <div className="table-scroll">
          <table
            className="data-table audit-table"
            data-testid="audit-table"
            aria-label="Audit records"
          >
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Actor</th>
                <th scope="col">Role</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">Reason</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {records.map((record) => (
                <tr
                  key={record.sequence}
                  data-sequence={record.sequence}
                  className={record.emergency ? 'row--emergency' : undefined}
                >
                  <td>{record.sequence}</td>
                  <td>{record.time.replace('T', ' ').slice(0, 19)}</td>
                  <td>{record.actor ?? 'system'}</td>
                  <td>{record.role ?? '—'}</td>
                  <td>
                    {record.action}
                    {record.emergency && <strong className="state--bad"> EMERGENCY</strong>}
                  </td>
                  <td>{record.target ?? '—'}</td>
                  <td className={record.outcome === 'success' ? undefined : 'state--bad'}>
                    {record.outcome}
                  </td>
                  <td>{record.reason ?? ''}</td>
                  <td className="mono">{detailsText(record)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hasMore && (
        <button
          type="button"
          className="button"
          disabled={loading}
          onClick={() => void load(filters, records?.length ?? 0)}
        >
          {loading ? 'Loading…' : 'Older records'}
        </button>
      )}
    </div>
  );
}
