// IPC handlers for the audit log: list with filters, verify (recomputes the whole tree and every
// checkpoint), and export. Reading the log is itself not recorded; exporting it is.
import type { HandlerGroup } from '../ipc/handlers';
import type { AuditRecord } from './record';
import { auditJsonLines, fhirAuditBundle } from './export';

function view(record: AuditRecord) {
  return { ...record, details: record.details as Record<string, unknown> };
}

export const auditHandlers: HandlerGroup<'audit:list' | 'audit:verify' | 'audit:export'> = {
  'audit:list': (query, { services }) => {
    const page = services.audit().list({ ...query, descending: true });
    return { records: page.records.map(view), hasMore: page.hasMore };
  },
  'audit:verify': (_request, { services }) => {
    const audit = services.audit();
    const verification = audit.verify();
    const signingKeyFingerprint = audit.signingKey().fingerprint;
    services.record({
      action: 'audit.verify',
      outcome: verification.ok ? 'success' : 'failure',
      reason: verification.ok ? null : verification.problem,
    });
    return verification.ok
      ? {
          ok: true,
          size: verification.size,
          root: verification.root,
          checkpointsVerified: verification.checkpointsVerified,
          firstBadSequence: null,
          problem: null,
          signingKeyFingerprint,
        }
      : {
          ok: false,
          size: audit.size(),
          root: null,
          checkpointsVerified: 0,
          firstBadSequence: verification.firstBadSequence,
          problem: verification.problem,
          signingKeyFingerprint,
        };
  },
  'audit:export': ({ format }, { services }) => {
    const audit = services.audit();
    services.record({ action: 'audit.export', details: { format } });
    // A checkpoint at export time: the copy that leaves the console pins the log as it is now.
    const checkpoint = services.db().transaction(() => audit.checkpoint())();
    const key = audit.signingKey();
    const now = new Date(services.clock.nowMs()).toISOString();
    const day = now.slice(0, 10);
    if (format === 'jsonl') {
      return {
        fileName: `wardkeep-audit-${day}.jsonl`,
        mimeType: 'application/x-ndjson',
        content: [...auditJsonLines(audit, checkpoint, key.verifierKey)].join(''),
      };
    }
    return {
      fileName: `wardkeep-audit-${day}.fhir.json`,
      mimeType: 'application/fhir+json',
      content: JSON.stringify(
        fhirAuditBundle(audit.recordTexts(1, checkpoint.treeSize), key.name, now),
      ),
    };
  },
};
