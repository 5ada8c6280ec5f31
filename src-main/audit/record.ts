// An audit record and its one byte encoding: canonical JSON (RFC 8785 JCS — keys sorted by UTF-16
// code units, no whitespace, ECMAScript number and string forms) in UTF-8. The same bytes are
// stored, hashed as the Merkle leaf, exported as a JSON line and parsed back, so a record read
// anywhere hashes to the leaf the log committed to. Details never carry a secret: a key that names
// one (password, secret, seed, key, token, TOTP, recovery code, at any depth) is refused.
import { fail } from '../lib/errors';

export const auditOutcomes = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** What a caller records; the log adds the sequence and the time. */
export interface AuditEntry {
  /** Username, or null for the system or an anonymous attempt. */
  actor: string | null;
  role: string | null;
  sessionId: string | null;
  /** Dotted lowercase words, domain first: `auth.login`, `device.update`, `breakglass.open`. */
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  /** The action was taken in a break-glass (emergency) session. */
  emergency: boolean;
  details: JsonObject;
}

export interface AuditRecord extends AuditEntry {
  /** 1-based, gapless: the leaf index plus one. */
  sequence: number;
  /** UTC, ISO 8601 with milliseconds (`2026-11-23T10:00:00.000Z`). */
  time: string;
}

/** The version of the record encoding, inside every record so a later format can coexist. */
export const recordFormatVersion = 1;

const actionPattern = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const isoTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const limits = {
  actionLength: 128,
  textLength: 256,
  reasonLength: 2000,
  detailsBytes: 16_384,
  detailsDepth: 8,
} as const;

/** Words that always name a credential, matched as whole words of a key's name. */
const secretWords = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'seed',
  'mnemonic',
  'pin',
]);

/** Credentials that people write as one word or two: `recoveryCode`, `privatekey`, `API_KEY`. */
const secretCompounds = ['recoverycode', 'privatekey', 'secretkey'];

/**
 * Words that name a credential unless a qualifier says the value is something public about it:
 * `key` is refused but `keyId`, `publicKey` and `keyFingerprint` are allowed; `token` is refused
 * but `tokenType` is allowed; `totp` is refused but `totpEnabled` is allowed.
 */
const qualifiedSecretWords = new Set([
  'key',
  'apikey',
  'signingkey',
  'token',
  'credential',
  'credentials',
  'totp',
  'otp',
]);

const publicQualifiers = new Set([
  'id',
  'ids',
  'fingerprint',
  'public',
  'algorithm',
  'type',
  'usage',
  'size',
  'length',
  'hint',
  'name',
  'slot',
  'enabled',
  'enrolled',
  'count',
  'expires',
  'expiry',
  'issued',
  'version',
]);

/** Splits `recoveryCode`, `recovery_code`, `Recovery-Code` and `RECOVERY_CODE` into words. */
function keyWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

// Detail keys repeat from record to record: remember each verdict (bounded, it is only a cache).
const verdicts = new Map<string, string | null>();

/** Why a details key is refused (the word it contains), or null when it is allowed. */
export function secretKeyReason(name: string): string | null {
  const known = verdicts.get(name);
  if (known !== undefined) return known;
  const verdict = judgeKey(name);
  if (verdicts.size >= 4096) verdicts.clear();
  verdicts.set(name, verdict);
  return verdict;
}

function judgeKey(name: string): string | null {
  const words = keyWords(name);
  const joined = words.join('');
  for (const word of words) {
    if (secretWords.has(word)) return `"${word}"`;
  }
  for (const compound of secretCompounds) {
    if (joined.includes(compound)) return `"${compound}"`;
  }
  const qualified = words.some((word) => publicQualifiers.has(word));
  for (const word of words) {
    if (qualifiedSecretWords.has(word) && !qualified) return `"${word}"`;
  }
  return null;
}

function invalid(message: string, details?: unknown): never {
  fail('audit.invalid', message, details);
}

function checkText(field: string, value: unknown, maxLength: number, nullable: boolean): void {
  if (value === null && nullable) return;
  if (typeof value !== 'string') {
    invalid(`audit ${field} must be ${nullable ? 'a string or null' : 'a string'}`, { field });
  }
  if (value.length === 0) invalid(`audit ${field} is empty; use null for none`, { field });
  if (value.length > maxLength) {
    invalid(`audit ${field} is ${value.length} characters; the limit is ${maxLength}`, { field });
  }
  if (loneSurrogate.test(value)) {
    invalid(`audit ${field} holds a lone UTF-16 surrogate and is not valid Unicode`, { field });
  }
}

/**
 * Canonical JSON of a details value, refusing what JSON cannot carry exactly (undefined,
 * functions, NaN, Infinity, class instances) and any key that names a secret. Paths in messages
 * are like `details.user.password`; a value is never quoted, in case it is the secret.
 */
function canonicalValue(
  value: unknown,
  path: string,
  depth: number,
  refuseSecrets: boolean,
): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) invalid(`${path} is not a finite number`, { path });
      return JSON.stringify(value);
    case 'string':
      if (loneSurrogate.test(value)) {
        invalid(`${path} holds a lone UTF-16 surrogate and is not valid Unicode`, { path });
      }
      return JSON.stringify(value);
    case 'object': {
      if (depth >= limits.detailsDepth) {
        invalid(`${path} is nested deeper than ${limits.detailsDepth} levels`, { path });
      }
      if (Array.isArray(value)) {
        return `[${value.map((item, index) => canonicalValue(item, `${path}[${index}]`, depth + 1, refuseSecrets)).join(',')}]`;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        invalid(`${path} is not a plain JSON object`, { path });
      }
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is the order RFC 8785 §3.2.3 requires.
      const keys = Object.keys(record).sort();
      const members: string[] = [];
      for (const key of keys) {
        const keyPath = /^[A-Za-z_$][\w$]*$/.test(key)
          ? `${path}.${key}`
          : `${path}[${JSON.stringify(key)}]`;
        const why = refuseSecrets ? secretKeyReason(key) : null;
        if (why !== null) {
          invalid(
            `${keyPath} looks like a secret (its name contains ${why}): audit records never hold passwords, keys, TOTP seeds, tokens or recovery codes`,
            { path: keyPath },
          );
        }
        if (loneSurrogate.test(key)) {
          invalid(`${keyPath} has a key that is not valid Unicode`, { path: keyPath });
        }
        const member = record[key];
        if (member === undefined) invalid(`${keyPath} is undefined; omit it or use null`);
        members.push(
          `${JSON.stringify(key)}:${canonicalValue(member, keyPath, depth + 1, refuseSecrets)}`,
        );
      }
      return `{${members.join(',')}}`;
    }
    default:
      invalid(`${path} is a ${typeof value}, which JSON cannot hold`, { path });
  }
}

/** RFC 8785 canonical JSON of a plain JSON value (at most 8 levels deep). */
export function canonicalJson(value: JsonValue): string {
  return canonicalValue(value, 'value', 0, false);
}

/** Checks a caller's entry and returns the canonical JSON of its details. */
export function validateEntry(entry: AuditEntry): string {
  if (typeof entry !== 'object' || entry === null) invalid('an audit entry must be an object');
  checkText('action', entry.action, limits.actionLength, false);
  if (!actionPattern.test(entry.action)) {
    invalid(`audit action "${entry.action}" must be dotted lowercase words like "device.update"`, {
      field: 'action',
    });
  }
  checkText('actor', entry.actor, limits.textLength, true);
  checkText('role', entry.role, limits.textLength, true);
  checkText('sessionId', entry.sessionId, limits.textLength, true);
  checkText('target', entry.target, limits.textLength, true);
  checkText('reason', entry.reason, limits.reasonLength, true);
  if (!(auditOutcomes as readonly unknown[]).includes(entry.outcome)) {
    invalid(`audit outcome must be one of ${auditOutcomes.join(', ')}`, { field: 'outcome' });
  }
  if (typeof entry.emergency !== 'boolean') {
    invalid('audit emergency must be true or false', { field: 'emergency' });
  }
  if (typeof entry.details !== 'object' || entry.details === null || Array.isArray(entry.details)) {
    invalid('audit details must be a JSON object ({} for none)', { field: 'details' });
  }
  const details = canonicalValue(entry.details, 'details', 0, true);
  if (Buffer.byteLength(details) > limits.detailsBytes) {
    invalid(
      `audit details are ${Buffer.byteLength(details)} bytes; the limit is ${limits.detailsBytes}`,
      {
        field: 'details',
      },
    );
  }
  return details;
}

const quote = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));

/**
 * The canonical encoding of a record whose details are already canonical JSON. Keys in code-unit
 * order: action, actor, details, emergency, outcome, reason, role, sequence, sessionId, target,
 * time, version.
 */
export function encodeRecord(
  record: Omit<AuditRecord, 'details'>,
  canonicalDetails: string,
): string {
  return `{"action":${quote(record.action)},"actor":${quote(record.actor)},"details":${canonicalDetails},"emergency":${record.emergency ? 'true' : 'false'},"outcome":${quote(record.outcome)},"reason":${quote(record.reason)},"role":${quote(record.role)},"sequence":${record.sequence},"sessionId":${quote(record.sessionId)},"target":${quote(record.target)},"time":${quote(record.time)},"version":${recordFormatVersion}}`;
}

const recordKeys = [
  'action',
  'actor',
  'details',
  'emergency',
  'outcome',
  'reason',
  'role',
  'sequence',
  'sessionId',
  'target',
  'time',
  'version',
].join(',');

/**
 * Parses the canonical encoding back into a record, refusing anything that is not exactly what
 * encodeRecord writes (so a parsed record re-encodes to the same bytes and the same leaf).
 */
export function decodeRecord(text: string): AuditRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('audit.tampered', 'a stored audit record is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail('audit.tampered', 'a stored audit record is not a JSON object');
  }
  const value = parsed as Record<string, unknown>;
  if (Object.keys(value).join(',') !== recordKeys || value.version !== recordFormatVersion) {
    fail('audit.tampered', 'a stored audit record does not have the fields of format 1');
  }
  const record = {
    sequence: value.sequence,
    time: value.time,
    actor: value.actor,
    role: value.role,
    sessionId: value.sessionId,
    action: value.action,
    target: value.target,
    outcome: value.outcome,
    reason: value.reason,
    emergency: value.emergency,
    details: value.details,
  } as AuditRecord;
  if (
    !Number.isSafeInteger(record.sequence) ||
    record.sequence < 1 ||
    typeof record.time !== 'string' ||
    !isoTimePattern.test(record.time)
  ) {
    fail('audit.tampered', 'a stored audit record has a malformed sequence or time');
  }
  let details: string;
  try {
    details = validateEntry(record);
  } catch (error) {
    fail('audit.tampered', `stored audit record ${record.sequence} is malformed`, {
      cause: (error as Error).message,
    });
  }
  if (encodeRecord(record, details) !== text) {
    fail('audit.tampered', `stored audit record ${record.sequence} is not in canonical form`);
  }
  return record;
}

export function hasLoneSurrogate(text: string): boolean {
  return loneSurrogate.test(text);
}

export function isIsoTime(value: string): boolean {
  return isoTimePattern.test(value) && !Number.isNaN(Date.parse(value));
}
