// The PKI service the provisioning protocol, the IPC handlers and the CLI call. Every method that
// writes is synchronous and runs in `db.transaction`, so a caller may wrap it, with its own audit
// record, in one transaction (nested calls become savepoints); slow crypto (key generation,
// PKCS#12 decryption) happens in the prepare steps before any transaction opens. The one async
// writer, publishCrl, signs through WebCrypto and then records in one short transaction; callers
// that want the record inside their own transaction use prepareCrl + recordCrl.
//
// Certificates are found again by SHA-256(SubjectPublicKeyInfo ‖ 0x00 ‖ device uid): the same CSR
// for the same device returns the same stored certificate while it lives, which the provisioning
// protocol's retries rely on.
import { X509Certificate, createHash } from 'node:crypto';
import type { Clock } from '../lib/clock';
import { fail, WardkeepFailure } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { createLogger } from '../lib/logger';
import type { SqliteDatabase } from '../store/database';
import type {
  AuthorityKeyAlgorithm,
  LoadedAuthority,
  LocalAuthorityOptions,
  PreparedAuthority,
} from './authority';
import { checkAuthority, generateLocalAuthority, readAuthorityPkcs12 } from './authority';
import type { BaselineDocument, PublisherKey } from './baseline';
import { modelKey, openBaseline, readPublisherKey } from './baseline';
import { encodeName, randomSerial, serialHex, signCertificate } from './certificate-builder';
import { signCrl } from './crl';
import type { CertificationRequest } from './csr';
import { parseCertificationRequest } from './csr';
import { describeName, formatName, readCertificate, sha256Hex, toPem } from './der';
import type { TrustAnchor } from './identity';
import { checkTrustBundle, verifyDeviceIdentity } from './identity';
import type { KeyDescription } from './keys';
import { describeKey, publicKeyFromSpki } from './keys';
import {
  backdateMs,
  checkText,
  dayMs,
  deviceProfile,
  deviceSubject,
  maxCertificateValidityDays,
  maxCrlValidityDays,
} from './profile';
import type {
  AuthoritySummary,
  BaselineSummary,
  CertificateFilter,
  CertificateRecord,
  CertificateStatus,
  DeviceForCertificate,
  ExpirySummary,
  FirmwareReport,
  FirmwareVerdict,
  IdentityEvidence,
  IdentityVerdict,
  IssueRequest,
  IssuedCertificate,
  PkiPolicy,
  PkiStatus,
  PreparedCrl,
  PublishedCrl,
  PublisherKeyInfo,
  RevocationReason,
  TrustAnchorRecord,
  TrustImportReport,
} from './types';
import { revocationReasons } from './types';

export type { AuthorityKeyAlgorithm, LocalAuthorityOptions, PreparedAuthority };

export interface PkiDependencies {
  db: SqliteDatabase;
  clock: Clock;
  logger?: Logger;
}

export interface PkiService {
  status(): PkiStatus;
  policy(): PkiPolicy;
  /** Site name (O= of new certificates), certificate and CRL validity in days. */
  setPolicy(patch: Partial<PkiPolicy>): PkiPolicy;

  /** Makes a local root + issuing CA (keys on the thread pool). Writes nothing. */
  generateLocalAuthority(options: LocalAuthorityOptions): Promise<PreparedAuthority>;
  /** Reads an enterprise sub-CA from PKCS#12 and checks it; `pki.invalid` with details.problem. */
  readAuthorityPkcs12(
    file: Uint8Array,
    password: string,
    options: { siteName: string },
  ): PreparedAuthority;
  /** Installs a prepared CA and sets the site name; refuses when one is installed already. */
  installAuthority(prepared: PreparedAuthority): AuthoritySummary;
  /** PEM of the issuing CA then its chain up to the root. */
  authorityChainPem(): string;

  /**
   * Issues a pending LDevID from a CSR, or returns the live (pending or active, unexpired) one
   * already issued for the same key and device with `reissued: true`. Refuses with `pki.invalid`
   * (details.problem csr.malformed | csr.signature | csr.key | csr.key_reused), `pki.revoked`
   * (the key was revoked as compromised), `pki.not_initialised`, `input.invalid` (device text).
   */
  issue(request: IssueRequest): IssuedCertificate;
  /** pending → active; supersedes (revokes) the device's other active certificates. Idempotent. */
  confirm(serial: string): CertificateRecord;
  /** pending → revoked (cessationOfOperation), marked abandoned. Idempotent; refuses active ones. */
  abandon(serial: string): CertificateRecord;
  /** Abandons every certificate pending for longer than `ageMs` (after a crash, say). */
  abandonPendingOlderThan(ageMs: number): CertificateRecord[];
  /** Revokes a pending or active certificate; a revoked one keeps its first reason and date. */
  revoke(serial: string, reason: RevocationReason): CertificateRecord;
  /** Revokes every unexpired pending or active certificate of a device (decommissioning). */
  revokeForDevice(deviceUid: string, reason: RevocationReason): CertificateRecord[];
  /**
   * Revokes (cessationOfOperation) every live certificate of a device the inventory holds as
   * decommissioned, whatever path decommissioned it. Call it in the same transaction.
   */
  revokeForDecommissioned(): CertificateRecord[];
  /** A new pending certificate for the same device, with the same key or a new CSR's. */
  renew(serial: string, options?: { csr?: string | Uint8Array }): IssuedCertificate;
  getCertificate(serial: string): CertificateRecord;
  /** The stored certificate with its chain, as issue returned it. */
  certificateBundle(serial: string): IssuedCertificate;
  findCertificateByFingerprint(sha256: string | Uint8Array): CertificateRecord | null;
  listCertificates(filter?: CertificateFilter): CertificateRecord[];
  /** Unrevoked certificates whose notAfter falls within the next `withinDays` days, soonest first. */
  listExpiring(withinDays: number): CertificateRecord[];
  expirySummary(): ExpirySummary;

  /** Signs a CRL of the current revocations with the next CRL number. Writes nothing. */
  prepareCrl(): Promise<PreparedCrl>;
  /** Records a prepared CRL as published; `pki.invalid` (details.problem 'crl.stale') if stale. */
  recordCrl(prepared: PreparedCrl): PublishedCrl;
  /**
   * prepareCrl + recordCrl, prepared again if a revocation slipped in between. `record` wraps the
   * write (e.g. with its audit record in the same transaction); it must call `write` once.
   */
  publishCrl(record?: (write: () => PublishedCrl) => PublishedCrl): Promise<PublishedCrl>;
  latestCrl(): PublishedCrl | null;

  importTrustBundle(pem: string, options?: { manufacturer?: string }): TrustImportReport;
  listTrustAnchors(): TrustAnchorRecord[];
  removeTrustAnchor(fingerprintSha256: string): void;
  verifyDeviceIdentity(evidence: IdentityEvidence): IdentityVerdict;

  setBaselinePublisherKey(pem: string): PublisherKeyInfo;
  importBaseline(file: string | Uint8Array): BaselineSummary;
  baselineSummary(): BaselineSummary | null;
  checkFirmware(report: FirmwareReport): FirmwareVerdict;
}

// ---------------------------------------------------------------------------------------------
// Rows.

interface SettingsRow {
  site_name: string | null;
  certificate_validity_days: number;
  crl_validity_days: number;
  baseline_publisher_spki: Buffer | null;
  baseline_publisher_fingerprint: string | null;
  baseline_publisher_algorithm: PublisherKeyInfo['algorithm'] | null;
  baseline_publisher_configured_at_ms: number | null;
}

interface AuthorityRow {
  id: number;
  origin: 'local' | 'imported';
  certificate_der: Buffer;
  fingerprint_sha256: string;
  private_key_pkcs8: Buffer;
  subject: string;
  key_algorithm: string;
  not_before_ms: number;
  not_after_ms: number;
  installed_at_ms: number;
  revocation_revision: number;
}

interface ChainRow {
  position: number;
  certificate_der: Buffer;
  subject: string;
  private_key_pkcs8: Buffer | null;
}

interface CertificateRow {
  serial: string;
  authority_id: number;
  device_uid: string;
  device_name: string;
  device_serial: string;
  request_key: string;
  public_key_sha256: string;
  key_algorithm: string;
  subject: string;
  fingerprint_sha256: string;
  certificate_der: Buffer;
  not_before_ms: number;
  not_after_ms: number;
  issued_at_ms: number;
  state: 'pending' | 'active' | 'revoked';
  confirmed_at_ms: number | null;
  revoked_at_ms: number | null;
  revocation_reason: RevocationReason | null;
  abandoned: number;
  renews_serial: string | null;
}

interface BaselineRow {
  id: number;
  sequence: number;
  publisher: string;
  issued_at: string;
  payload_sha256: string;
  publisher_fingerprint: string;
  imported_at_ms: number;
}

interface SubjectKey {
  subjectPublicKeyInfoDer: Buffer;
  key: KeyDescription;
  publicKeySha256: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

function statusOf(row: CertificateRow, nowMs: number): CertificateStatus {
  if (row.state === 'revoked') return 'revoked';
  return row.not_after_ms <= nowMs ? 'expired' : row.state;
}

function toRecord(row: CertificateRow, nowMs: number): CertificateRecord {
  return {
    serial: row.serial,
    deviceUid: row.device_uid,
    deviceName: row.device_name,
    deviceSerial: row.device_serial,
    subject: row.subject,
    keyAlgorithm: row.key_algorithm,
    publicKeySha256: row.public_key_sha256,
    fingerprintSha256: row.fingerprint_sha256,
    status: statusOf(row, nowMs),
    notBefore: iso(row.not_before_ms),
    notAfter: iso(row.not_after_ms),
    issuedAt: iso(row.issued_at_ms),
    confirmedAt: isoOrNull(row.confirmed_at_ms),
    revokedAt: isoOrNull(row.revoked_at_ms),
    revocationReason: row.revocation_reason,
    abandoned: row.abandoned === 1,
    renewsSerial: row.renews_serial,
  };
}

function checkSerial(serial: unknown): string {
  if (typeof serial !== 'string' || !/^[0-9a-fA-F]{32}$/.test(serial)) {
    fail('input.invalid', 'a certificate serial is 32 hexadecimal digits', { field: 'serial' });
  }
  return serial.toLowerCase();
}

function checkReason(reason: unknown): RevocationReason {
  if (!revocationReasons.includes(reason as RevocationReason)) {
    fail('input.invalid', `the revocation reason must be one of ${revocationReasons.join(', ')}`, {
      field: 'reason',
    });
  }
  return reason as RevocationReason;
}

function checkDays(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    fail('input.invalid', `${field} must be a whole number of days from 1 to ${max}`, { field });
  }
  return value;
}

/** What a device reports: compared after trimming, so only emptiness and size are refused. */
function reportedText(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > maxLength) {
    fail('input.invalid', `${field} must be 1 to ${maxLength} characters`, { field });
  }
  return value.trim();
}

function requestKey(subjectPublicKeyInfoDer: Buffer, deviceUid: string): string {
  return createHash('sha256')
    .update(subjectPublicKeyInfoDer)
    .update(Buffer.of(0))
    .update(deviceUid, 'utf8')
    .digest('hex');
}

function stale(message: string): never {
  fail('pki.invalid', message, { problem: 'crl.stale' });
}

// ---------------------------------------------------------------------------------------------

export function createPki(dependencies: PkiDependencies): PkiService {
  const { db, clock } = dependencies;
  const logger = dependencies.logger ?? createLogger('pki');

  const transaction = <T>(work: () => T): T => db.transaction(work).immediate();

  const statements = {
    settings: db.prepare<[], SettingsRow>('SELECT * FROM pki_settings WHERE id = 1'),
    currentAuthority: db.prepare<[], AuthorityRow>(
      'SELECT * FROM pki_authorities WHERE current = 1',
    ),
    authorityById: db.prepare<[number], AuthorityRow>('SELECT * FROM pki_authorities WHERE id = ?'),
    chain: db.prepare<[number], ChainRow>(
      'SELECT position, certificate_der, subject, private_key_pkcs8 FROM pki_authority_chain WHERE authority_id = ? ORDER BY position',
    ),
    certificate: db.prepare<[string], CertificateRow>(
      'SELECT * FROM pki_certificates WHERE serial = ?',
    ),
    certificateByFingerprint: db.prepare<[string], CertificateRow>(
      'SELECT * FROM pki_certificates WHERE fingerprint_sha256 = ?',
    ),
    liveByRequest: db.prepare<[string, number], CertificateRow>(
      `SELECT * FROM pki_certificates WHERE request_key = ? AND state <> 'revoked'
       AND not_after_ms > ? ORDER BY issued_at_ms DESC, rowid DESC LIMIT 1`,
    ),
    keyOfOtherDevice: db.prepare<[string, string], { device_uid: string }>(
      'SELECT device_uid FROM pki_certificates WHERE public_key_sha256 = ? AND device_uid <> ? LIMIT 1',
    ),
    compromisedKey: db.prepare<[string], { serial: string }>(
      `SELECT serial FROM pki_certificates WHERE public_key_sha256 = ?
       AND revocation_reason = 'keyCompromise' LIMIT 1`,
    ),
    insertCertificate: db.prepare(
      `INSERT INTO pki_certificates (serial, authority_id, device_uid, device_name, device_serial,
         request_key, public_key_sha256, key_algorithm, subject, fingerprint_sha256,
         certificate_der, not_before_ms, not_after_ms, issued_at_ms, state, renews_serial)
       VALUES (@serial, @authority_id, @device_uid, @device_name, @device_serial, @request_key,
         @public_key_sha256, @key_algorithm, @subject, @fingerprint_sha256, @certificate_der,
         @not_before_ms, @not_after_ms, @issued_at_ms, 'pending', @renews_serial)`,
    ),
    activate: db.prepare<[number, string]>(
      `UPDATE pki_certificates SET state = 'active', confirmed_at_ms = ? WHERE serial = ?`,
    ),
    revoke: db.prepare<[number, string, number, string]>(
      `UPDATE pki_certificates SET state = 'revoked', revoked_at_ms = ?, revocation_reason = ?,
         abandoned = ? WHERE serial = ?`,
    ),
    bumpRevision: db.prepare<[number]>(
      'UPDATE pki_authorities SET revocation_revision = revocation_revision + 1 WHERE id = ?',
    ),
    otherActiveOfDevice: db.prepare<[string, string], CertificateRow>(
      `SELECT * FROM pki_certificates WHERE device_uid = ? AND serial <> ? AND state = 'active'`,
    ),
    liveOfDevice: db.prepare<[string, number], CertificateRow>(
      `SELECT * FROM pki_certificates WHERE device_uid = ? AND state <> 'revoked'
       AND not_after_ms > ? ORDER BY issued_at_ms`,
    ),
    liveOfDecommissioned: db.prepare<[number], CertificateRow>(
      `SELECT c.* FROM pki_certificates c JOIN devices d ON d.uid = c.device_uid
       WHERE d.lifecycle_state = 'decommissioned' AND c.state <> 'revoked'
       AND c.not_after_ms > ? ORDER BY c.issued_at_ms`,
    ),
    pendingBefore: db.prepare<[number], CertificateRow>(
      `SELECT * FROM pki_certificates WHERE state = 'pending' AND issued_at_ms < ?
       ORDER BY issued_at_ms`,
    ),
    expiring: db.prepare<[number, number], CertificateRow>(
      `SELECT * FROM pki_certificates WHERE state <> 'revoked' AND not_after_ms > ?
       AND not_after_ms <= ? ORDER BY not_after_ms, serial`,
    ),
    expiryCounts: db.prepare<
      [{ now: number; in30: number; in60: number; in90: number }],
      {
        within30: number | null;
        within60: number | null;
        within90: number | null;
        expired: number | null;
      }
    >(
      `SELECT sum(not_after_ms > @now AND not_after_ms <= @in30) AS within30,
         sum(not_after_ms > @now AND not_after_ms <= @in60) AS within60,
         sum(not_after_ms > @now AND not_after_ms <= @in90) AS within90,
         sum(not_after_ms <= @now) AS expired
       FROM pki_certificates WHERE state <> 'revoked'`,
    ),
    lastCrlNumber: db.prepare<[number], { last: number | null }>(
      'SELECT max(crl_number) AS last FROM pki_crls WHERE authority_id = ?',
    ),
    crlEntries: db.prepare<
      [number, number],
      { serial: string; revoked_at_ms: number; revocation_reason: RevocationReason }
    >(
      `SELECT serial, revoked_at_ms, revocation_reason FROM pki_certificates
       WHERE authority_id = ? AND state = 'revoked' AND not_after_ms > ?
       ORDER BY revoked_at_ms, serial`,
    ),
    insertCrl: db.prepare(
      `INSERT INTO pki_crls (authority_id, crl_number, this_update_ms, next_update_ms,
         revoked_count, crl_der)
       VALUES (@authority_id, @crl_number, @this_update_ms, @next_update_ms, @revoked_count,
         @crl_der)`,
    ),
    latestCrl: db.prepare<
      [number],
      {
        crl_number: number;
        this_update_ms: number;
        next_update_ms: number;
        revoked_count: number;
        crl_der: Buffer;
      }
    >(
      `SELECT crl_number, this_update_ms, next_update_ms, revoked_count, crl_der FROM pki_crls
       WHERE authority_id = ? ORDER BY crl_number DESC LIMIT 1`,
    ),
    trustAnchors: db.prepare<
      [],
      {
        fingerprint_sha256: string;
        manufacturer: string;
        subject: string;
        certificate_der: Buffer;
        not_after_ms: number;
        imported_at_ms: number;
      }
    >('SELECT * FROM pki_trust_anchors ORDER BY id'),
    trustAnchorCount: db.prepare<[], { count: number }>(
      'SELECT count(*) AS count FROM pki_trust_anchors',
    ),
    trustAnchorExists: db.prepare<[string], { id: number }>(
      'SELECT id FROM pki_trust_anchors WHERE fingerprint_sha256 = ?',
    ),
    insertTrustAnchor: db.prepare(
      `INSERT INTO pki_trust_anchors (fingerprint_sha256, manufacturer, subject, certificate_der,
         not_after_ms, imported_at_ms)
       VALUES (@fingerprint_sha256, @manufacturer, @subject, @certificate_der, @not_after_ms,
         @imported_at_ms)`,
    ),
    deleteTrustAnchor: db.prepare<[string]>(
      'DELETE FROM pki_trust_anchors WHERE fingerprint_sha256 = ?',
    ),
    currentBaseline: db.prepare<[], BaselineRow>(
      `SELECT id, sequence, publisher, issued_at, payload_sha256, publisher_fingerprint,
         imported_at_ms FROM pki_baselines ORDER BY id DESC LIMIT 1`,
    ),
    latestBaselineOf: db.prepare<[string], BaselineRow>(
      `SELECT id, sequence, publisher, issued_at, payload_sha256, publisher_fingerprint,
         imported_at_ms FROM pki_baselines WHERE publisher_fingerprint = ?
       ORDER BY id DESC LIMIT 1`,
    ),
    baselineCounts: db.prepare<[number], { models: number; images: number }>(
      `SELECT count(DISTINCT manufacturer_key || char(0) || model_key) AS models,
         count(*) AS images FROM pki_firmware_approvals WHERE baseline_id = ?`,
    ),
    insertBaseline: db.prepare(
      `INSERT INTO pki_baselines (sequence, publisher, issued_at, payload_sha256,
         publisher_fingerprint, signed_file, imported_at_ms)
       VALUES (@sequence, @publisher, @issued_at, @payload_sha256, @publisher_fingerprint,
         @signed_file, @imported_at_ms)`,
    ),
    insertApproval: db.prepare(
      `INSERT OR IGNORE INTO pki_firmware_approvals (baseline_id, manufacturer_key, model_key,
         manufacturer, model, version, sha256)
       VALUES (@baseline_id, @manufacturer_key, @model_key, @manufacturer, @model, @version,
         @sha256)`,
    ),
    approvals: db.prepare<[number, string, string], { version: string; sha256: string }>(
      `SELECT version, sha256 FROM pki_firmware_approvals
       WHERE baseline_id = ? AND manufacturer_key = ? AND model_key = ? ORDER BY version`,
    ),
  };

  // Loaded CAs, by certificate fingerprint: a row rolled back with a caller's transaction is
  // simply never looked up again.
  const loadedAuthorities = new Map<string, LoadedAuthority>();
  const loadedAnchors = new Map<string, TrustAnchor>();

  function preparedFromRows(row: AuthorityRow): PreparedAuthority {
    return {
      origin: row.origin,
      siteName: '',
      issuing: { certificateDer: row.certificate_der, privateKeyPkcs8: row.private_key_pkcs8 },
      chain: statements.chain.all(row.id).map((link) => ({
        certificateDer: link.certificate_der,
        privateKeyPkcs8: link.private_key_pkcs8,
      })),
    };
  }

  function requireAuthority(): { row: AuthorityRow; loaded: LoadedAuthority } {
    const row = statements.currentAuthority.get();
    if (!row) {
      fail(
        'pki.not_initialised',
        'no issuing CA is installed: create one on the console or import the sub-CA (PKCS#12)',
      );
    }
    let loaded = loadedAuthorities.get(row.fingerprint_sha256);
    if (!loaded) {
      loaded = checkAuthority(preparedFromRows(row), null);
      loadedAuthorities.set(row.fingerprint_sha256, loaded);
    }
    return { row, loaded };
  }

  function settings(): SettingsRow {
    return statements.settings.get()!;
  }

  function policy(): PkiPolicy {
    const row = settings();
    return {
      siteName: row.site_name,
      certificateValidityDays: row.certificate_validity_days,
      crlValidityDays: row.crl_validity_days,
    };
  }

  function summary(row: AuthorityRow): AuthoritySummary {
    return {
      origin: row.origin,
      subject: row.subject,
      fingerprintSha256: row.fingerprint_sha256,
      keyAlgorithm: row.key_algorithm,
      notBefore: iso(row.not_before_ms),
      notAfter: iso(row.not_after_ms),
      chainSubjects: statements.chain.all(row.id).map((link) => link.subject),
      installedAt: iso(row.installed_at_ms),
    };
  }

  function bundle(row: CertificateRow, reissued: boolean): IssuedCertificate {
    const { loaded } = requireAuthority();
    return {
      record: toRecord(row, clock.nowMs()),
      reissued,
      certificateDer: row.certificate_der,
      certificatePem: toPem('CERTIFICATE', row.certificate_der),
      chainDer: loaded.presentedChainDer,
      trustAnchorsDer: loaded.trustAnchorsDer,
    };
  }

  function getRow(serial: string): CertificateRow {
    const row = statements.certificate.get(checkSerial(serial));
    if (!row) fail('not_found', `no certificate has serial ${serial}`, { serial });
    return row;
  }

  function revokeRow(
    row: CertificateRow,
    reason: RevocationReason,
    abandoned: boolean,
  ): CertificateRow {
    statements.revoke.run(clock.nowMs(), reason, abandoned ? 1 : 0, row.serial);
    statements.bumpRevision.run(row.authority_id);
    logger.info('certificate revoked', { serial: row.serial, reason, abandoned });
    return statements.certificate.get(row.serial)!;
  }

  /** Inside a transaction: the live certificate for this key and device, or a new pending one. */
  function issueFor(
    subjectKey: SubjectKey,
    device: DeviceForCertificate,
    renews: string | null,
  ): IssuedCertificate {
    const nowMs = clock.nowMs();
    const { row: authority, loaded } = requireAuthority();
    const key = requestKey(subjectKey.subjectPublicKeyInfoDer, device.uid);
    if (renews === null) {
      const live = statements.liveByRequest.get(key, nowMs);
      if (live) return bundle(live, true);
    }
    const other = statements.keyOfOtherDevice.get(subjectKey.publicKeySha256, device.uid);
    if (other) {
      fail(
        'pki.invalid',
        `this public key is already certified for another device (${other.device_uid})`,
        {
          problem: 'csr.key_reused',
        },
      );
    }
    if (statements.compromisedKey.get(subjectKey.publicKeySha256)) {
      fail(
        'pki.revoked',
        'this public key was revoked as compromised; the device needs a new key',
        {
          problem: 'csr.key_compromised',
        },
      );
    }
    const site = settings();
    if (!site.site_name) fail('pki.not_initialised', 'no site name is configured');
    const caNotAfterMs = Math.min(
      loaded.certificate.notAfterMs,
      ...loaded.chain.map((link) => link.notAfterMs),
    );
    const startMs = Math.floor(nowMs / 1000) * 1000;
    if (caNotAfterMs <= startMs) {
      fail('pki.invalid', `the issuing CA expired on ${iso(caNotAfterMs)}`, {
        problem: 'authority.expired',
      });
    }
    const notBeforeMs = Math.max(startMs - backdateMs, loaded.certificate.notBeforeMs);
    const notAfterMs = Math.min(startMs + site.certificate_validity_days * dayMs, caNotAfterMs);
    const subjectDer = encodeName(
      deviceSubject({
        siteName: site.site_name,
        deviceName: device.name,
        serialNumber: device.serialNumber,
      }),
    );
    const serial = randomSerial();
    const der = signCertificate(
      {
        serial,
        issuerNameDer: loaded.certificate.subjectDer,
        subjectNameDer: subjectDer,
        notBeforeMs,
        notAfterMs,
        subjectPublicKeyInfoDer: subjectKey.subjectPublicKeyInfoDer,
        profile: deviceProfile({
          key: subjectKey.key,
          subjectPublicKeyInfoDer: subjectKey.subjectPublicKeyInfoDer,
          issuerKeyIdentifier: loaded.keyIdentifier,
          deviceUid: device.uid,
          serialNumber: device.serialNumber,
        }),
      },
      loaded.signer,
    );
    const serialText = serialHex(serial);
    statements.insertCertificate.run({
      serial: serialText,
      authority_id: authority.id,
      device_uid: device.uid,
      device_name: device.name,
      device_serial: device.serialNumber,
      request_key: key,
      public_key_sha256: subjectKey.publicKeySha256,
      key_algorithm: subjectKey.key.name,
      subject: describeName(subjectDer),
      fingerprint_sha256: sha256Hex(der),
      certificate_der: der,
      not_before_ms: notBeforeMs,
      not_after_ms: notAfterMs,
      issued_at_ms: nowMs,
      renews_serial: renews,
    });
    logger.info('certificate issued', { serial: serialText, device: device.uid, renews });
    return bundle(statements.certificate.get(serialText)!, false);
  }

  function checkDevice(device: DeviceForCertificate): DeviceForCertificate {
    if (typeof device !== 'object' || device === null) {
      fail('input.invalid', 'device must be given', { field: 'device' });
    }
    return {
      uid: checkText(device.uid, 'device.uid', 200),
      name: checkText(device.name, 'device.name'),
      serialNumber: checkText(device.serialNumber, 'device.serialNumber'),
    };
  }

  function publisherKey(): PublisherKey | null {
    const row = settings();
    if (!row.baseline_publisher_spki || !row.baseline_publisher_algorithm) return null;
    return {
      spkiDer: row.baseline_publisher_spki,
      fingerprintSha256: row.baseline_publisher_fingerprint!,
      algorithm: row.baseline_publisher_algorithm,
    };
  }

  function baselineSummary(row: BaselineRow): BaselineSummary {
    const counts = statements.baselineCounts.get(row.id)!;
    return {
      sequence: row.sequence,
      publisher: row.publisher,
      issuedAt: row.issued_at,
      importedAt: iso(row.imported_at_ms),
      models: counts.models,
      approvedImages: counts.images,
      publisherKeyFingerprintSha256: row.publisher_fingerprint,
    };
  }

  function anchors(): TrustAnchor[] {
    return statements.trustAnchors.all().map((row) => {
      let anchor = loadedAnchors.get(row.fingerprint_sha256);
      if (!anchor) {
        anchor = {
          fingerprintSha256: row.fingerprint_sha256,
          manufacturer: row.manufacturer,
          fields: readCertificate(row.certificate_der),
          certificate: new X509Certificate(row.certificate_der),
        };
        loadedAnchors.set(row.fingerprint_sha256, anchor);
      }
      return anchor;
    });
  }

  const service: PkiService = {
    status() {
      const authority = statements.currentAuthority.get();
      const baseline = statements.currentBaseline.get();
      return {
        authority: authority ? summary(authority) : null,
        policy: policy(),
        trustAnchors: statements.trustAnchorCount.get()!.count,
        baseline: baseline ? baselineSummary(baseline) : null,
        baselinePublisher: publisherInfo(),
      };
    },

    policy,

    setPolicy(patch) {
      const siteName =
        patch.siteName === undefined ? undefined : checkText(patch.siteName, 'siteName');
      const certificateDays =
        patch.certificateValidityDays === undefined
          ? undefined
          : checkDays(
              patch.certificateValidityDays,
              'certificateValidityDays',
              maxCertificateValidityDays,
            );
      const crlDays =
        patch.crlValidityDays === undefined
          ? undefined
          : checkDays(patch.crlValidityDays, 'crlValidityDays', maxCrlValidityDays);
      return transaction(() => {
        const current = settings();
        db.prepare(
          `UPDATE pki_settings SET site_name = ?, certificate_validity_days = ?,
             crl_validity_days = ? WHERE id = 1`,
        ).run(
          siteName ?? current.site_name,
          certificateDays ?? current.certificate_validity_days,
          crlDays ?? current.crl_validity_days,
        );
        return policy();
      });
    },

    generateLocalAuthority: (options) => generateLocalAuthority(options, clock.nowMs()),

    readAuthorityPkcs12: (file, password, options) =>
      readAuthorityPkcs12(file, password, options, clock.nowMs()),

    installAuthority(preparedAuthority) {
      const nowMs = clock.nowMs();
      const siteName = checkText(preparedAuthority.siteName, 'siteName');
      const loaded = checkAuthority(preparedAuthority, nowMs);
      return transaction(() => {
        const existing = statements.currentAuthority.get();
        if (existing) {
          fail(
            'pki.invalid',
            `an issuing CA is already installed (${existing.subject}); replacing it is not supported`,
            { problem: 'authority.exists' },
          );
        }
        const certificate = loaded.certificate;
        const result = db
          .prepare(
            `INSERT INTO pki_authorities (origin, current, certificate_der, fingerprint_sha256,
               private_key_pkcs8, subject, key_algorithm, not_before_ms, not_after_ms,
               installed_at_ms)
             VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            preparedAuthority.origin,
            certificate.der,
            certificate.fingerprintSha256,
            preparedAuthority.issuing.privateKeyPkcs8,
            formatName(certificate.subject),
            loaded.signer.description.name,
            certificate.notBeforeMs,
            certificate.notAfterMs,
            nowMs,
          );
        const authorityId = Number(result.lastInsertRowid);
        const insertLink = db.prepare(
          `INSERT INTO pki_authority_chain (authority_id, position, certificate_der,
             fingerprint_sha256, subject, private_key_pkcs8) VALUES (?, ?, ?, ?, ?, ?)`,
        );
        preparedAuthority.chain.forEach((link, index) => {
          const fields = loaded.chain[index]!;
          insertLink.run(
            authorityId,
            index + 1,
            link.certificateDer,
            fields.fingerprintSha256,
            formatName(fields.subject),
            link.privateKeyPkcs8,
          );
        });
        db.prepare('UPDATE pki_settings SET site_name = ? WHERE id = 1').run(siteName);
        logger.info('issuing CA installed', {
          origin: preparedAuthority.origin,
          fingerprint: certificate.fingerprintSha256,
        });
        return summary(statements.authorityById.get(authorityId)!);
      });
    },

    authorityChainPem() {
      const { row } = requireAuthority();
      return [
        row.certificate_der,
        ...statements.chain.all(row.id).map((link) => link.certificate_der),
      ]
        .map((der) => toPem('CERTIFICATE', der))
        .join('');
    },

    issue(request) {
      const csr: CertificationRequest = parseCertificationRequest(request.csr);
      const device = checkDevice(request.device);
      return transaction(() => issueFor(csr, device, null));
    },

    confirm(serial) {
      return transaction(() => {
        const row = getRow(serial);
        const nowMs = clock.nowMs();
        if (row.state === 'revoked') {
          fail('pki.revoked', `certificate ${row.serial} was revoked (${row.revocation_reason})`, {
            serial: row.serial,
          });
        }
        if (row.state === 'active') return toRecord(row, nowMs);
        if (row.not_after_ms <= nowMs) {
          fail('pki.invalid', `certificate ${row.serial} expired before it was confirmed`, {
            serial: row.serial,
          });
        }
        statements.activate.run(nowMs, row.serial);
        // One LDevID per device: the confirmed certificate supersedes the ones before it.
        for (const older of statements.otherActiveOfDevice.all(row.device_uid, row.serial)) {
          revokeRow(older, 'superseded', false);
        }
        return toRecord(statements.certificate.get(row.serial)!, nowMs);
      });
    },

    abandon(serial) {
      return transaction(() => {
        const row = getRow(serial);
        if (row.state === 'active') {
          fail(
            'pki.invalid',
            `certificate ${row.serial} is active (the device confirmed it); revoke it instead`,
            { serial: row.serial },
          );
        }
        const result = row.state === 'revoked' ? row : revokeRow(row, 'cessationOfOperation', true);
        return toRecord(result, clock.nowMs());
      });
    },

    abandonPendingOlderThan(ageMs) {
      if (typeof ageMs !== 'number' || !(ageMs >= 0)) {
        fail('input.invalid', 'ageMs must be a number of milliseconds', { field: 'ageMs' });
      }
      return transaction(() => {
        const nowMs = clock.nowMs();
        return statements.pendingBefore
          .all(nowMs - ageMs)
          .map((row) => toRecord(revokeRow(row, 'cessationOfOperation', true), nowMs));
      });
    },

    revoke(serial, reason) {
      const checkedReason = checkReason(reason);
      return transaction(() => {
        const row = getRow(serial);
        const result = row.state === 'revoked' ? row : revokeRow(row, checkedReason, false);
        return toRecord(result, clock.nowMs());
      });
    },

    revokeForDevice(deviceUid, reason) {
      const checkedReason = checkReason(reason);
      const uid = checkText(deviceUid, 'deviceUid', 200);
      return transaction(() => {
        const nowMs = clock.nowMs();
        return statements.liveOfDevice
          .all(uid, nowMs)
          .map((row) => toRecord(revokeRow(row, checkedReason, false), nowMs));
      });
    },

    revokeForDecommissioned() {
      return transaction(() => {
        const nowMs = clock.nowMs();
        return statements.liveOfDecommissioned
          .all(nowMs)
          .map((row) => toRecord(revokeRow(row, 'cessationOfOperation', false), nowMs));
      });
    },

    renew(serial, options = {}) {
      const csr = options.csr === undefined ? null : parseCertificationRequest(options.csr);
      return transaction(() => {
        const row = getRow(serial);
        const nowMs = clock.nowMs();
        const status = statusOf(row, nowMs);
        if (status === 'revoked') {
          fail('pki.revoked', `certificate ${row.serial} was revoked; provision the device again`, {
            serial: row.serial,
          });
        }
        if (status !== 'active') {
          fail(
            'pki.invalid',
            status === 'expired'
              ? `certificate ${row.serial} has expired; provision the device again`
              : `certificate ${row.serial} is not confirmed yet; only an active certificate is renewed`,
            { serial: row.serial },
          );
        }
        let subjectKey: SubjectKey;
        if (csr) {
          subjectKey = csr;
        } else {
          const spki = readCertificate(row.certificate_der).subjectPublicKeyInfoDer;
          const key = describeKey(publicKeyFromSpki(spki));
          if ('problem' in key)
            fail('pki.invalid', `the certified key is refused now: ${key.problem}`);
          subjectKey = {
            subjectPublicKeyInfoDer: spki,
            key,
            publicKeySha256: row.public_key_sha256,
          };
        }
        return issueFor(
          subjectKey,
          { uid: row.device_uid, name: row.device_name, serialNumber: row.device_serial },
          row.serial,
        );
      });
    },

    getCertificate: (serial) => toRecord(getRow(serial), clock.nowMs()),

    certificateBundle: (serial) => bundle(getRow(serial), true),

    findCertificateByFingerprint(sha256) {
      const hex =
        typeof sha256 === 'string' ? sha256.toLowerCase() : Buffer.from(sha256).toString('hex');
      if (!/^[0-9a-f]{64}$/.test(hex)) {
        fail('input.invalid', 'a SHA-256 fingerprint is 32 bytes (64 hex digits)', {
          field: 'sha256',
        });
      }
      const row = statements.certificateByFingerprint.get(hex);
      return row ? toRecord(row, clock.nowMs()) : null;
    },

    listCertificates(filter = {}) {
      const nowMs = clock.nowMs();
      const limit = filter.limit ?? 500;
      const offset = filter.offset ?? 0;
      if (!Number.isInteger(limit) || limit < 1 || limit > 5000) {
        fail('input.invalid', 'limit must be from 1 to 5000', { field: 'limit' });
      }
      if (!Number.isInteger(offset) || offset < 0) {
        fail('input.invalid', 'offset must be 0 or more', { field: 'offset' });
      }
      const where: string[] = [];
      const parameters: (string | number)[] = [];
      if (filter.deviceUid !== undefined) {
        where.push('device_uid = ?');
        parameters.push(filter.deviceUid);
      }
      switch (filter.status) {
        case undefined:
          break;
        case 'revoked':
          where.push(`state = 'revoked'`);
          break;
        case 'expired':
          where.push(`state <> 'revoked' AND not_after_ms <= ?`);
          parameters.push(nowMs);
          break;
        case 'pending':
        case 'active':
          where.push('state = ? AND not_after_ms > ?');
          parameters.push(filter.status, nowMs);
          break;
        default:
          fail('input.invalid', 'status must be pending, active, revoked or expired', {
            field: 'status',
          });
      }
      // Clauses are fixed strings chosen above; only values are bound.
      const sql = `SELECT * FROM pki_certificates ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY issued_at_ms DESC, serial LIMIT ? OFFSET ?`;
      return db
        .prepare<(string | number)[], CertificateRow>(sql)
        .all(...parameters, limit, offset)
        .map((row) => toRecord(row, nowMs));
    },

    listExpiring(withinDays) {
      const days = checkDays(withinDays, 'withinDays', 3650);
      const nowMs = clock.nowMs();
      return statements.expiring
        .all(nowMs, nowMs + days * dayMs)
        .map((row) => toRecord(row, nowMs));
    },

    expirySummary() {
      const nowMs = clock.nowMs();
      const counts = statements.expiryCounts.get({
        now: nowMs,
        in30: nowMs + 30 * dayMs,
        in60: nowMs + 60 * dayMs,
        in90: nowMs + 90 * dayMs,
      })!;
      return {
        within30Days: counts.within30 ?? 0,
        within60Days: counts.within60 ?? 0,
        within90Days: counts.within90 ?? 0,
        expired: counts.expired ?? 0,
      };
    },

    async prepareCrl() {
      const { row, loaded } = requireAuthority();
      const site = settings();
      const thisUpdateMs = Math.floor(clock.nowMs() / 1000) * 1000;
      const nextUpdateMs = Math.min(
        thisUpdateMs + site.crl_validity_days * dayMs,
        Math.max(thisUpdateMs + 1000, loaded.certificate.notAfterMs),
      );
      const crlNumber = (statements.lastCrlNumber.get(row.id)?.last ?? 0) + 1;
      // Certificates past notAfter leave the list (RFC 5280 §3.3): nothing accepts them anyway.
      const entries = statements.crlEntries.all(row.id, thisUpdateMs).map((entry) => ({
        serialHex: entry.serial,
        revokedAtMs: Math.floor(entry.revoked_at_ms / 1000) * 1000,
        reason: entry.revocation_reason,
      }));
      const revocationRevision = row.revocation_revision;
      const der = await signCrl({
        issuerNameDer: loaded.certificate.subjectDer,
        authorityKeyIdentifier: loaded.keyIdentifier,
        crlNumber,
        thisUpdateMs,
        nextUpdateMs,
        entries,
        signingKeyPkcs8: row.private_key_pkcs8,
        signingKey: loaded.signer.description,
      });
      return {
        crlNumber,
        thisUpdate: iso(thisUpdateMs),
        nextUpdate: iso(nextUpdateMs),
        revokedCount: entries.length,
        der,
        pem: toPem('X509 CRL', der),
        authorityFingerprintSha256: row.fingerprint_sha256,
        revocationRevision,
      };
    },

    recordCrl(crl) {
      return transaction(() => {
        const { row } = requireAuthority();
        if (row.fingerprint_sha256 !== crl.authorityFingerprintSha256) {
          stale('the CRL was prepared for another issuing CA');
        }
        if (row.revocation_revision !== crl.revocationRevision) {
          stale('a certificate was revoked after the CRL was prepared; prepare it again');
        }
        const last = statements.lastCrlNumber.get(row.id)?.last ?? 0;
        if (crl.crlNumber <= last) stale(`CRL number ${crl.crlNumber} is already published`);
        statements.insertCrl.run({
          authority_id: row.id,
          crl_number: crl.crlNumber,
          this_update_ms: Date.parse(crl.thisUpdate),
          next_update_ms: Date.parse(crl.nextUpdate),
          revoked_count: crl.revokedCount,
          crl_der: Buffer.from(crl.der),
        });
        logger.info('CRL published', { crlNumber: crl.crlNumber, revoked: crl.revokedCount });
        return {
          crlNumber: crl.crlNumber,
          thisUpdate: crl.thisUpdate,
          nextUpdate: crl.nextUpdate,
          revokedCount: crl.revokedCount,
          der: crl.der,
          pem: crl.pem,
        };
      });
    },

    async publishCrl(record = (write) => write()) {
      for (let attempt = 1; ; attempt++) {
        const crl = await service.prepareCrl();
        try {
          return record(() => service.recordCrl(crl));
        } catch (error) {
          const isStale =
            error instanceof WardkeepFailure &&
            (error.details as { problem?: string } | undefined)?.problem === 'crl.stale';
          if (!isStale || attempt >= 3) throw error;
        }
      }
    },

    latestCrl() {
      const authority = statements.currentAuthority.get();
      const row = authority ? statements.latestCrl.get(authority.id) : undefined;
      if (!row) return null;
      return {
        crlNumber: row.crl_number,
        thisUpdate: iso(row.this_update_ms),
        nextUpdate: iso(row.next_update_ms),
        revokedCount: row.revoked_count,
        der: row.crl_der,
        pem: toPem('X509 CRL', row.crl_der),
      };
    },

    importTrustBundle(pem, options = {}) {
      const nowMs = clock.nowMs();
      const checked = checkTrustBundle(pem, nowMs, options.manufacturer);
      return transaction(() => {
        const report: TrustImportReport = { added: [], alreadyTrusted: [] };
        for (const anchor of checked) {
          const fingerprint = anchor.fields.fingerprintSha256;
          if (
            statements.trustAnchorExists.get(fingerprint) ||
            report.added.some((added) => added.fingerprintSha256 === fingerprint)
          ) {
            report.alreadyTrusted.push(fingerprint);
            continue;
          }
          const subject = formatName(anchor.fields.subject);
          statements.insertTrustAnchor.run({
            fingerprint_sha256: fingerprint,
            manufacturer: anchor.manufacturer,
            subject,
            certificate_der: anchor.der,
            not_after_ms: anchor.fields.notAfterMs,
            imported_at_ms: nowMs,
          });
          report.added.push({
            fingerprintSha256: fingerprint,
            manufacturer: anchor.manufacturer,
            subject,
            notAfter: iso(anchor.fields.notAfterMs),
            importedAt: iso(nowMs),
          });
        }
        return report;
      });
    },

    listTrustAnchors() {
      return statements.trustAnchors.all().map((row) => ({
        fingerprintSha256: row.fingerprint_sha256,
        manufacturer: row.manufacturer,
        subject: row.subject,
        notAfter: iso(row.not_after_ms),
        importedAt: iso(row.imported_at_ms),
      }));
    },

    removeTrustAnchor(fingerprintSha256) {
      const fingerprint = String(fingerprintSha256).toLowerCase();
      transaction(() => {
        if (statements.deleteTrustAnchor.run(fingerprint).changes === 0) {
          fail('not_found', `no trusted manufacturer CA has fingerprint ${fingerprint}`);
        }
      });
    },

    verifyDeviceIdentity: (evidence) => verifyDeviceIdentity(evidence, anchors(), clock.nowMs()),

    setBaselinePublisherKey(pem) {
      const key = readPublisherKey(pem);
      const nowMs = clock.nowMs();
      transaction(() => {
        db.prepare(
          `UPDATE pki_settings SET baseline_publisher_spki = ?, baseline_publisher_fingerprint = ?,
             baseline_publisher_algorithm = ?, baseline_publisher_configured_at_ms = ? WHERE id = 1`,
        ).run(key.spkiDer, key.fingerprintSha256, key.algorithm, nowMs);
      });
      logger.info('baseline publisher key configured', { fingerprint: key.fingerprintSha256 });
      return publisherInfo()!;
    },

    importBaseline(file) {
      const publisher = publisherKey();
      if (!publisher) {
        fail(
          'pki.not_initialised',
          "no baseline publisher key is configured: import the publisher's public key first",
        );
      }
      const opened = openBaseline(file, publisher);
      const document: BaselineDocument = opened.document;
      return transaction(() => {
        const latest = statements.latestBaselineOf.get(publisher.fingerprintSha256);
        if (latest && document.sequence <= latest.sequence) {
          if (
            document.sequence === latest.sequence &&
            opened.payloadSha256 === latest.payload_sha256
          ) {
            return baselineSummary(latest);
          }
          fail(
            'baseline.invalid',
            `payload $.sequence: ${document.sequence} is not newer than the installed baseline's ${latest.sequence}; an older or different baseline with a used sequence is refused`,
            { path: '$.sequence' },
          );
        }
        const result = statements.insertBaseline.run({
          sequence: document.sequence,
          publisher: document.publisher,
          issued_at: document.issuedAt,
          payload_sha256: opened.payloadSha256,
          publisher_fingerprint: publisher.fingerprintSha256,
          signed_file: typeof file === 'string' ? Buffer.from(file, 'utf8') : Buffer.from(file),
          imported_at_ms: clock.nowMs(),
        });
        const baselineId = Number(result.lastInsertRowid);
        for (const entry of document.models) {
          for (const image of entry.approved) {
            statements.insertApproval.run({
              baseline_id: baselineId,
              manufacturer_key: modelKey(entry.manufacturer),
              model_key: modelKey(entry.model),
              manufacturer: entry.manufacturer,
              model: entry.model,
              version: image.version,
              sha256: image.sha256.toLowerCase(),
            });
          }
        }
        logger.info('firmware baseline imported', { sequence: document.sequence });
        return baselineSummary(statements.currentBaseline.get()!);
      });
    },

    baselineSummary() {
      const row = statements.currentBaseline.get();
      return row ? baselineSummary(row) : null;
    },

    checkFirmware(report) {
      const manufacturer = reportedText(report.manufacturer, 'manufacturer', 200);
      const model = reportedText(report.model, 'model', 200);
      const version = reportedText(report.version, 'version', 64);
      const sha256 =
        typeof report.sha256 === 'string'
          ? report.sha256.toLowerCase()
          : Buffer.from(report.sha256).toString('hex');
      if (!/^[0-9a-f]{64}$/.test(sha256)) {
        fail('input.invalid', 'sha256 must be 32 bytes (64 hex digits)', { field: 'sha256' });
      }
      const baseline = statements.currentBaseline.get();
      if (!baseline) {
        return {
          approved: false,
          code: 'no_baseline',
          reason: 'no approved firmware baseline is installed',
          approvedVersions: [],
          baselineSequence: null,
        };
      }
      const approvals = statements.approvals.all(
        baseline.id,
        modelKey(manufacturer),
        modelKey(model),
      );
      const approvedVersions = [...new Set(approvals.map((approval) => approval.version))];
      const refused = (
        code: 'unknown_model' | 'version_not_approved' | 'hash_mismatch',
        reason: string,
      ): FirmwareVerdict => ({
        approved: false,
        code,
        reason,
        approvedVersions,
        baselineSequence: baseline.sequence,
      });
      if (approvals.length === 0) {
        return refused(
          'unknown_model',
          `unknown model: baseline ${baseline.sequence} lists no ${manufacturer} ${model}`,
        );
      }
      const images = approvals.filter((approval) => approval.version === version);
      if (images.length === 0) {
        return refused(
          'version_not_approved',
          `version not approved: ${manufacturer} ${model} ${version} (approved: ${approvedVersions.join(', ')})`,
        );
      }
      if (!images.some((image) => image.sha256 === sha256)) {
        return refused(
          'hash_mismatch',
          `hash mismatch: the image reported as ${version} is not the approved one (possible tampering)`,
        );
      }
      return { approved: true, baselineSequence: baseline.sequence };
    },
  };

  function publisherInfo(): PublisherKeyInfo | null {
    const row = settings();
    if (!row.baseline_publisher_fingerprint || !row.baseline_publisher_algorithm) return null;
    return {
      fingerprintSha256: row.baseline_publisher_fingerprint,
      algorithm: row.baseline_publisher_algorithm,
      configuredAt: iso(row.baseline_publisher_configured_at_ms ?? 0),
    };
  }

  return service;
}
