// IPC handlers for the audit log: list with filters, verify (recomputes the whole tree and every
// checkpoint), and export. Reading the log is itself not recorded; exporting it is.
import type { HandlerGroup } from '../ipc/handlers';
import type { AuditRecord } from './record';
import { auditExport } from './audit-export';

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
    services.db().transaction(() => audit.checkpoint())();
    return auditExport(audit, format, services.clock);
  },
};
