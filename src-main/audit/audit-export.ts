// Exports of the audit log for auditors and SIEMs: JSON lines (each record exactly as hashed into
// the Merkle tree, then the latest signed checkpoint, so a reader can recompute the root and check
// the signature), and a FHIR R4 Bundle of AuditEvent with DICOM event codes (break-glass start and
// stop as DCM 110127 / 110138, emergency actions with purpose of use ETREAT and BTG).
import type { Clock } from '../lib/clock';
import type { AuditLog } from './log';
import type { AuditRecord } from './record';
import { decodeRecord } from './record';

const dicom = 'http://dicom.nema.org/resources/ontology/DCM';
const actReason = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const auditEventType = 'http://terminology.hl7.org/CodeSystem/audit-event-type';

interface Coding {
  system: string;
  code: string;
  display: string;
}

const code = (system: string, value: string, display: string): Coding => ({
  system,
  code: value,
  display,
});

/** The DICOM event type and subtype that name a record's action. */
export function eventCodes(action: string): { type: Coding; subtype: Coding[] } {
  const [domain] = action.split('.');
  switch (action) {
    case 'breakglass.open':
      return {
        type: code(dicom, '110113', 'Security Alert'),
        subtype: [code(dicom, '110127', 'Emergency Override Started')],
      };
    case 'breakglass.close':
      return {
        type: code(dicom, '110113', 'Security Alert'),
        subtype: [code(dicom, '110138', 'Emergency Override Stopped')],
      };
    case 'session.end':
      return {
        type: code(dicom, '110114', 'User Authentication'),
        subtype: [code(dicom, '110123', 'Logout')],
      };
    case 'inventory.import':
      return { type: code(dicom, '110107', 'Import'), subtype: [] };
    case 'inventory.export':
    case 'audit.export':
      return { type: code(dicom, '110106', 'Export'), subtype: [] };
    default:
      break;
  }
  switch (domain) {
    case 'auth':
    case 'session':
    case 'mfa':
      return {
        type: code(dicom, '110114', 'User Authentication'),
        subtype: [code(dicom, '110122', 'Login')],
      };
    case 'account':
    case 'settings':
      return { type: code(dicom, '110136', 'Security Roles Changed'), subtype: [] };
    case 'access':
      return { type: code(dicom, '110113', 'Security Alert'), subtype: [] };
    case 'audit':
      return { type: code(dicom, '110101', 'Audit Log Used'), subtype: [] };
    default:
      return {
        type: code(auditEventType, 'rest', 'RESTful Operation'),
        subtype: [],
      };
  }
}

/** FHIR AuditEvent.action: C create, R read, U update, D delete, E execute. */
export function actionCode(action: string): 'C' | 'R' | 'U' | 'D' | 'E' {
  const verb = action.split('.').at(-1) ?? '';
  if (['create', 'add', 'issue', 'import', 'enrol'].includes(verb)) return 'C';
  if (['read', 'list', 'get', 'export', 'verify'].includes(verb)) return 'R';
  if (['update', 'role', 'password', 'change', 'review', 'rotate', 'unlock'].includes(verb))
    return 'U';
  if (['delete', 'disable', 'remove', 'revoke'].includes(verb)) return 'D';
  return 'E';
}

/** FHIR AuditEvent.outcome: 0 success, 4 minor failure, 8 serious failure. */
const outcomeCode = { success: '0', failure: '4', denied: '8' } as const;

export function auditEventOf(record: AuditRecord): Record<string, unknown> {
  const { type, subtype } = eventCodes(record.action);
  const event: Record<string, unknown> = {
    resourceType: 'AuditEvent',
    id: `wardkeep-audit-${record.sequence}`,
    type,
    ...(subtype.length > 0 ? { subtype } : {}),
    action: actionCode(record.action),
    recorded: record.time,
    outcome: outcomeCode[record.outcome],
    ...(record.reason ? { outcomeDesc: record.reason } : {}),
    ...(record.emergency
      ? {
          purposeOfEvent: [
            {
              coding: [
                code(actReason, 'ETREAT', 'Emergency Treatment'),
                code(actReason, 'BTG', 'break the glass'),
              ],
            },
          ],
        }
      : {}),
    agent: [
      {
        ...(record.role ? { role: [{ text: record.role }] } : {}),
        who: { display: record.actor ?? 'system' },
        ...(record.sessionId ? { altId: record.sessionId } : {}),
        requestor: true,
      },
    ],
    source: {
      observer: { display: 'Wardkeep console' },
      type: [
        code(
          'http://terminology.hl7.org/CodeSystem/security-source-type',
          '4',
          'Application Server',
        ),
      ],
    },
    entity: [
      {
        ...(record.target ? { what: { display: record.target } } : {}),
        detail: [
          { type: 'wardkeep-action', valueString: record.action },
          { type: 'wardkeep-sequence', valueString: String(record.sequence) },
          { type: 'wardkeep-details', valueString: JSON.stringify(record.details) },
        ],
      },
    ],
  };
  return event;
}

export interface AuditExportFile {
  fileName: string;
  mimeType: string;
  content: string;
}

export function auditExport(
  audit: AuditLog,
  format: 'jsonl' | 'fhir',
  clock: Clock,
): AuditExportFile {
  const day = new Date(clock.nowMs()).toISOString().slice(0, 10);
  const checkpoint = audit.latestCheckpoint();
  if (format === 'jsonl') {
    const lines = [...audit.recordTexts()];
    if (checkpoint) lines.push(JSON.stringify({ checkpoint: checkpoint.note }));
    return {
      fileName: `wardkeep-audit-${day}.jsonl`,
      mimeType: 'application/x-ndjson',
      content: `${lines.join('\n')}\n`,
    };
  }
  const entries: string[] = [];
  for (const text of audit.recordTexts()) {
    const resource = auditEventOf(decodeRecord(text));
    entries.push(JSON.stringify({ fullUrl: `urn:uuid:${String(resource.id)}`, resource }));
  }
  const bundle = `{"resourceType":"Bundle","type":"collection","timestamp":${JSON.stringify(
    new Date(clock.nowMs()).toISOString(),
  )}${checkpoint ? `,"meta":{"tag":[{"system":"urn:wardkeep:audit-checkpoint","code":${JSON.stringify(checkpoint.note)}}]}` : ''},"entry":[${entries.join(',')}]}`;
  return {
    fileName: `wardkeep-audit-${day}.fhir.json`,
    mimeType: 'application/fhir+json',
    content: bundle,
  };
}
