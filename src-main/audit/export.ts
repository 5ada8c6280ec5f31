// Audit exports. JSON lines: each record's canonical text (its Merkle leaf input, byte for byte)
// on its own line, from record 1 to a signed checkpoint's size, then one trailer line with that
// checkpoint — so a reader with the pinned public key recomputes every leaf and the root alone
// (verifyAuditJsonLines). FHIR R4: one AuditEvent per record in a `collection` Bundle, coded with
// DICOM event types (DCM), break-glass as Emergency Override Started/Stopped, and purpose of use
// ETREAT + BTG (v3-ActReason) on every record made in an emergency session.
import { createHash } from 'node:crypto';
import { fail } from '../lib/errors';
import { openCheckpoint, parseVerifierKey } from './checkpoint';
import type { SignedCheckpoint } from './checkpoint';
import type { AuditLog } from './log';
import { CompactTree, leafHash } from './merkle';
import type { AuditRecord } from './record';
import { canonicalJson, decodeRecord } from './record';

// ---------------------------------------------------------------------------------------------
// JSON lines

/**
 * The JSON-lines export of records 1..checkpoint.treeSize, one line per yield (each ends in a
 * newline). Pages through the log, so a million records never sit in memory at once.
 */
export function* auditJsonLines(
  log: AuditLog,
  checkpoint: SignedCheckpoint,
  verifierKey: string,
): Generator<string> {
  let count = 0;
  for (const text of log.recordTexts(1, checkpoint.treeSize)) {
    count += 1;
    yield `${text}\n`;
  }
  if (count !== checkpoint.treeSize) {
    fail(
      'audit.tampered',
      `the log holds ${count} records but the checkpoint being exported commits to ${checkpoint.treeSize}`,
    );
  }
  yield `${canonicalJson({ checkpoint: checkpoint.note, verifierKey })}\n`;
}

export type JsonLinesVerification =
  | { ok: true; size: number; root: string; checkpointTime: string }
  /** `line` is null when only the root says something changed, not which line. */
  | { ok: false; line: number | null; problem: string };

/**
 * Checks an export on its own: the trailer's checkpoint must be signed by `pinnedVerifierKey`
 * (never the key the file names), every line must be a canonical record numbered by its line,
 * and the leaves must hash to the checkpoint's root. Names the first line that fails.
 */
export function verifyAuditJsonLines(
  text: string,
  pinnedVerifierKey: string,
): JsonLinesVerification {
  const lines = text.split('\n');
  if (lines.pop() !== '')
    return { ok: false, line: lines.length, problem: 'the file does not end with a newline' };
  const trailerText = lines.pop();
  if (trailerText === undefined) return { ok: false, line: 1, problem: 'the file is empty' };
  const trailerLine = lines.length + 1;
  let checkpointNote: string;
  try {
    const trailer = JSON.parse(trailerText) as { checkpoint?: unknown };
    if (typeof trailer.checkpoint !== 'string') throw new Error('no checkpoint');
    checkpointNote = trailer.checkpoint;
  } catch {
    return { ok: false, line: trailerLine, problem: 'the last line is not a checkpoint trailer' };
  }
  let body;
  try {
    body = openCheckpoint(checkpointNote, [parseVerifierKey(pinnedVerifierKey)]);
  } catch (error) {
    return {
      ok: false,
      line: trailerLine,
      problem: `the checkpoint does not verify: ${(error as Error).message}`,
    };
  }
  const tree = new CompactTree();
  for (const [index, line] of lines.entries()) {
    try {
      const record = decodeRecord(line);
      if (record.sequence !== index + 1) {
        return {
          ok: false,
          line: index + 1,
          problem: `line ${index + 1} holds record ${record.sequence}`,
        };
      }
    } catch (error) {
      return {
        ok: false,
        line: index + 1,
        problem: `line ${index + 1}: ${(error as Error).message}`,
      };
    }
    tree.append(leafHash(line));
  }
  if (tree.size !== body.treeSize) {
    return {
      ok: false,
      line: Math.min(tree.size, body.treeSize) + 1,
      problem: `the file holds ${tree.size} records but its checkpoint commits to ${body.treeSize}`,
    };
  }
  if (!tree.root().equals(body.rootHash)) {
    return {
      ok: false,
      line: null,
      problem:
        'the records do not hash to the checkpoint root: a record was altered, added or reordered',
    };
  }
  return {
    ok: true,
    size: tree.size,
    root: body.rootHash.toString('base64'),
    checkpointTime: body.time,
  };
}

// ---------------------------------------------------------------------------------------------
// FHIR R4 AuditEvent

export const dicomSystem = 'http://dicom.nema.org/resources/ontology/DCM';
export const actReasonSystem = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const auditEntityTypeSystem = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
export const securityRoleTypeSystem =
  'http://terminology.hl7.org/CodeSystem/extra-security-role-type';
export const actionCodeSystem = 'https://wardkeep.org/fhir/CodeSystem/audit-action';
export const roleCodeSystem = 'https://wardkeep.org/fhir/CodeSystem/role';

export interface FhirCoding {
  system: string;
  code: string;
  display: string;
}

export interface FhirAuditEvent {
  resourceType: 'AuditEvent';
  id: string;
  type: FhirCoding;
  subtype: FhirCoding[];
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  outcome: '0' | '4' | '8';
  outcomeDesc?: string;
  purposeOfEvent?: Array<{ coding: FhirCoding[] }>;
  agent: Array<{
    type: { coding: FhirCoding[] };
    role?: Array<{ coding: FhirCoding[]; text: string }>;
    who: { display: string };
    altId?: string;
    requestor: boolean;
    purposeOfUse?: Array<{ coding: FhirCoding[] }>;
  }>;
  source: { site: string; observer: { display: string } };
  entity: Array<{
    what?: { display: string };
    type: FhirCoding;
    name: string;
    detail: Array<{ type: string; valueString?: string; valueBase64Binary?: string }>;
  }>;
}

const dcm = (code: string, display: string): FhirCoding => ({ system: dicomSystem, code, display });

/** DICOM PS3.16 CID 400 audit event IDs and CID 401 event type codes used here. */
export const dicomCodes = {
  applicationActivity: dcm('110100', 'Application Activity'),
  auditLogUsed: dcm('110101', 'Audit Log Used'),
  export: dcm('110106', 'Export'),
  import: dcm('110107', 'Import'),
  securityAlert: dcm('110113', 'Security Alert'),
  userAuthentication: dcm('110114', 'User Authentication'),
  login: dcm('110122', 'Login'),
  logout: dcm('110123', 'Logout'),
  emergencyOverrideStarted: dcm('110127', 'Emergency Override Started'),
  networkConfiguration: dcm('110128', 'Network Configuration'),
  securityConfiguration: dcm('110129', 'Security Configuration'),
  hardwareConfiguration: dcm('110130', 'Hardware Configuration'),
  softwareConfiguration: dcm('110131', 'Software Configuration'),
  securityRolesChanged: dcm('110136', 'Security Roles Changed'),
  userSecurityAttributesChanged: dcm('110137', 'User Security Attributes Changed'),
  emergencyOverrideStopped: dcm('110138', 'Emergency Override Stopped'),
} as const;

const emergencyPurpose = [
  { system: actReasonSystem, code: 'ETREAT', display: 'Emergency Treatment' },
  { system: actReasonSystem, code: 'BTG', display: 'break the glass' },
];

const endsSession = /^(logout|end|lock|expire|expired|timeout)$/;

/**
 * The DICOM event type and subtype of a dotted action. Devices are medical hardware in the
 * console's inventory (Hardware Configuration; their firmware, Software Configuration); keys,
 * certificates and trust anchors are Security Configuration; zones, conduits and policy are
 * Network Configuration. Nothing here touches a patient record, so 110110 is never used.
 */
export function dicomEventType(action: string): { type: FhirCoding; subtype: FhirCoding | null } {
  const words = action.split('.');
  const domain = words[0]!;
  const verb = words[words.length - 1]!;
  if (domain === 'breakglass') {
    if (verb === 'open' || verb === 'start') {
      return { type: dicomCodes.securityAlert, subtype: dicomCodes.emergencyOverrideStarted };
    }
    if (verb === 'close' || verb === 'stop' || verb === 'expire') {
      return { type: dicomCodes.securityAlert, subtype: dicomCodes.emergencyOverrideStopped };
    }
    // Reviewing an emergency session is reading its audit trail and signing off.
    return { type: dicomCodes.auditLogUsed, subtype: null };
  }
  if (verb === 'export') return { type: dicomCodes.export, subtype: null };
  if (verb === 'import') return { type: dicomCodes.import, subtype: null };
  switch (domain) {
    case 'auth':
    case 'session':
    case 'stepup':
      return {
        type: dicomCodes.userAuthentication,
        subtype: endsSession.test(verb) ? dicomCodes.logout : dicomCodes.login,
      };
    case 'account':
    case 'user':
      return {
        type: dicomCodes.securityAlert,
        subtype: words.includes('role')
          ? dicomCodes.securityRolesChanged
          : dicomCodes.userSecurityAttributesChanged,
      };
    case 'device':
      return {
        type: dicomCodes.securityAlert,
        subtype: words.includes('firmware')
          ? dicomCodes.softwareConfiguration
          : dicomCodes.hardwareConfiguration,
      };
    case 'pki':
    case 'key':
    case 'certificate':
    case 'trust':
    case 'provision':
    case 'baseline':
      return { type: dicomCodes.securityAlert, subtype: dicomCodes.securityConfiguration };
    case 'policy':
    case 'network':
    case 'zone':
    case 'conduit':
      return { type: dicomCodes.securityAlert, subtype: dicomCodes.networkConfiguration };
    case 'audit':
      return { type: dicomCodes.auditLogUsed, subtype: null };
    default:
      return { type: dicomCodes.applicationActivity, subtype: null };
  }
}

const actionVerbs: Record<string, FhirAuditEvent['action']> = {};
for (const verb of ['create', 'add', 'issue', 'import', 'enrol', 'enroll', 'register']) {
  actionVerbs[verb] = 'C';
}
for (const verb of ['read', 'view', 'list', 'search', 'query', 'export', 'print', 'verify']) {
  actionVerbs[verb] = 'R';
}
for (const verb of [
  'update',
  'change',
  'edit',
  'set',
  'rename',
  'move',
  'assign',
  'rotate',
  'renew',
  'revoke',
  'enable',
  'disable',
  'reset',
  'approve',
]) {
  actionVerbs[verb] = 'U';
}
for (const verb of ['delete', 'remove', 'decommission', 'destroy', 'purge']) {
  actionVerbs[verb] = 'D';
}

/** C/R/U/D by the action's last word; anything else (log in, open, close, review) executes: E. */
export function fhirActionCode(action: string): FhirAuditEvent['action'] {
  const verb = action.slice(action.lastIndexOf('.') + 1);
  return actionVerbs[verb] ?? 'E';
}

/**
 * 0 success; 4 (minor failure) for `denied` — refused for the user's input or rights, like a
 * wrong password or a missing permission; 8 (serious failure) for `failure` — the action was
 * attempted and did not complete.
 */
export function fhirOutcome(outcome: AuditRecord['outcome']): FhirAuditEvent['outcome'] {
  return outcome === 'success' ? '0' : outcome === 'denied' ? '4' : '8';
}

/** A stable resource id per log and sequence: a version-8 UUID from SHA-256 (RFC 9562). */
export function auditEventId(origin: string, sequence: number): string {
  const bytes = createHash('sha256').update(`${origin}\n${sequence}`).digest().subarray(0, 16);
  bytes[6] = 0x80 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `record` is the canonical text as stored (log.recordTexts), so a reader can check its leaf. */
export function toFhirAuditEvent(recordText: string, origin: string): FhirAuditEvent {
  const record = decodeRecord(recordText);
  const { type, subtype } = dicomEventType(record.action);
  const purpose = record.emergency ? [{ coding: emergencyPurpose }] : undefined;
  const actionCoding: FhirCoding = {
    system: actionCodeSystem,
    code: record.action,
    display: record.action,
  };
  const event: FhirAuditEvent = {
    resourceType: 'AuditEvent',
    id: auditEventId(origin, record.sequence),
    type,
    subtype: subtype ? [subtype, actionCoding] : [actionCoding],
    action: fhirActionCode(record.action),
    recorded: record.time,
    outcome: fhirOutcome(record.outcome),
    ...(record.reason === null ? {} : { outcomeDesc: record.reason }),
    ...(purpose ? { purposeOfEvent: purpose } : {}),
    agent: [
      {
        type: {
          coding: [
            record.actor === null
              ? dcm('110150', 'Application')
              : { system: securityRoleTypeSystem, code: 'humanuser', display: 'human user' },
          ],
        },
        ...(record.role === null
          ? {}
          : {
              role: [
                {
                  coding: [{ system: roleCodeSystem, code: record.role, display: record.role }],
                  text: record.role,
                },
              ],
            }),
        who: { display: record.actor ?? 'Wardkeep console (system or anonymous)' },
        ...(record.sessionId === null ? {} : { altId: record.sessionId }),
        requestor: record.actor !== null,
        ...(purpose ? { purposeOfUse: purpose } : {}),
      },
    ],
    source: { site: origin, observer: { display: `Wardkeep console ${origin}` } },
    entity: [
      {
        ...(record.target === null ? {} : { what: { display: record.target } }),
        type: record.action.startsWith('account.')
          ? { system: auditEntityTypeSystem, code: '1', display: 'Person' }
          : { system: auditEntityTypeSystem, code: '2', display: 'System Object' },
        name: `Wardkeep audit record ${record.sequence}`,
        detail: [
          { type: 'sequence', valueString: String(record.sequence) },
          ...(Object.keys(record.details).length === 0
            ? []
            : [{ type: 'details', valueString: canonicalJson(record.details) }]),
          // The exact leaf input: SHA-256(0x00 ‖ these bytes) is the record's Merkle leaf.
          { type: 'record', valueBase64Binary: Buffer.from(recordText, 'utf8').toString('base64') },
        ],
      },
    ],
  };
  return event;
}

export interface FhirAuditBundle {
  resourceType: 'Bundle';
  type: 'collection';
  timestamp: string;
  entry?: Array<{ fullUrl: string; resource: FhirAuditEvent }>;
}

/** One Bundle.entry as JSON text, for writing a large bundle a piece at a time. */
export function fhirAuditEventEntry(recordText: string, origin: string): string {
  const resource = toFhirAuditEvent(recordText, origin);
  return JSON.stringify({ fullUrl: `urn:uuid:${resource.id}`, resource });
}

export function fhirAuditBundle(
  recordTexts: Iterable<string>,
  origin: string,
  timestampIso: string,
): FhirAuditBundle {
  const entry = [...recordTexts].map((text) => {
    const resource = toFhirAuditEvent(text, origin);
    return { fullUrl: `urn:uuid:${resource.id}`, resource };
  });
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: timestampIso,
    ...(entry.length === 0 ? {} : { entry }),
  };
}
