// The provisioning history and IDevID bindings (migration 0007), all through prepared statements.
// An attempt is written once, when its session ends, inside the same transaction as its audit
// record; a binding is written once, when a device is first provisioned, and ties its manufacturer
// and serial to the IDevID that proved them, so another IDevID with the same serial is a clone.
import type { SqliteDatabase } from '../store/database';

export type AttemptOutcome = 'provisioned' | 'refused' | 'failed';
export type AttemptCertificateState = 'committed' | 'abandoned' | 'in_doubt';

export interface AttemptRecord {
  id: string;
  protocol: string;
  port: string | null;
  actor: string | null;
  startedAtMs: number;
  endedAtMs: number;
  outcome: AttemptOutcome;
  step: string;
  /** Null for a provisioned device; else the refusal or failure code. */
  code: string | null;
  reason: string | null;
  manufacturer: string | null;
  manufacturerKey: string | null;
  model: string | null;
  serialNumber: string | null;
  idevidFingerprintSha256: string | null;
  firmwareVersion: string | null;
  deviceUid: string | null;
  certificateSerial: string | null;
  certificateState: AttemptCertificateState | null;
  zoneId: string | null;
  vlan: number | null;
  retransmissions: number;
}

export interface IdevidBinding {
  deviceUid: string;
  manufacturerKey: string;
  serialNumber: string;
  idevidFingerprintSha256: string;
  boundAtMs: number;
}

export interface AttemptFilter {
  deviceUid?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface ProvisioningRecords {
  /** Only inside the caller's transaction (with its audit record). */
  recordAttempt(attempt: AttemptRecord): void;
  /** Newest first. */
  listAttempts(filter?: AttemptFilter): AttemptRecord[];
  /** The attempt that issued (or held in doubt) this certificate. */
  attemptForCertificate(serial: string): AttemptRecord | null;
  /** The device uid the last attempt for this identity planned, for one not yet in the inventory. */
  plannedDeviceUid(manufacturerKey: string, serialNumber: string): string | null;
  /**
   * Serials of certificates that sessions left in doubt (CONFIRM unanswered), newest first: of
   * one device, or of sessions that ended before a time. The caller checks each is still pending.
   */
  inDoubtCertificates(filter: { deviceUid?: string; endedBeforeMs?: number }): string[];
  bindingFor(manufacturerKey: string, serialNumber: string): IdevidBinding | null;
  /** Writes the binding unless the device has one already. Only inside a transaction. */
  bind(binding: IdevidBinding): void;
}

interface AttemptRow {
  uid: string;
  protocol: string;
  port: string | null;
  actor: string | null;
  started_at_ms: number;
  ended_at_ms: number;
  outcome: AttemptOutcome;
  step: string;
  code: string | null;
  reason: string | null;
  manufacturer: string | null;
  manufacturer_key: string | null;
  model: string | null;
  serial_number: string | null;
  idevid_fingerprint: string | null;
  firmware_version: string | null;
  device_uid: string | null;
  certificate_serial: string | null;
  certificate_state: AttemptCertificateState | null;
  zone_id: string | null;
  vlan: number | null;
  retransmissions: number;
}

function toAttempt(row: AttemptRow): AttemptRecord {
  return {
    id: row.uid,
    protocol: row.protocol,
    port: row.port,
    actor: row.actor,
    startedAtMs: row.started_at_ms,
    endedAtMs: row.ended_at_ms,
    outcome: row.outcome,
    step: row.step,
    code: row.code,
    reason: row.reason,
    manufacturer: row.manufacturer,
    manufacturerKey: row.manufacturer_key,
    model: row.model,
    serialNumber: row.serial_number,
    idevidFingerprintSha256: row.idevid_fingerprint,
    firmwareVersion: row.firmware_version,
    deviceUid: row.device_uid,
    certificateSerial: row.certificate_serial,
    certificateState: row.certificate_state,
    zoneId: row.zone_id,
    vlan: row.vlan,
    retransmissions: row.retransmissions,
  };
}

export function createProvisioningRecords(db: SqliteDatabase): ProvisioningRecords {
  const insertAttempt = db.prepare(
    `INSERT INTO provisioning_attempts (uid, protocol, port, actor, started_at_ms, ended_at_ms,
       outcome, step, code, reason, manufacturer, manufacturer_key, model, serial_number,
       idevid_fingerprint, firmware_version, device_uid, certificate_serial, certificate_state,
       zone_id, vlan, retransmissions)
     VALUES (@uid, @protocol, @port, @actor, @started_at_ms, @ended_at_ms, @outcome, @step, @code,
       @reason, @manufacturer, @manufacturer_key, @model, @serial_number, @idevid_fingerprint,
       @firmware_version, @device_uid, @certificate_serial, @certificate_state, @zone_id, @vlan,
       @retransmissions)`,
  );
  const selectRecent = db.prepare<[number], AttemptRow>(
    'SELECT * FROM provisioning_attempts ORDER BY id DESC LIMIT ?',
  );
  const selectOfDevice = db.prepare<[string, number], AttemptRow>(
    'SELECT * FROM provisioning_attempts WHERE device_uid = ? ORDER BY id DESC LIMIT ?',
  );
  const selectByCertificate = db.prepare<[string], AttemptRow>(
    `SELECT * FROM provisioning_attempts WHERE certificate_serial = ? ORDER BY id DESC LIMIT 1`,
  );
  const selectPlanned = db.prepare<[string, string], { device_uid: string }>(
    `SELECT device_uid FROM provisioning_attempts
     WHERE manufacturer_key = ? AND serial_number = ? AND device_uid IS NOT NULL
     ORDER BY id DESC LIMIT 1`,
  );
  // Bounded: an in-doubt certificate is settled by the device's next session or the hold time,
  // so only recent ones can still be pending.
  const selectInDoubtOfDevice = db.prepare<[string], { certificate_serial: string }>(
    `SELECT DISTINCT certificate_serial FROM provisioning_attempts
     WHERE device_uid = ? AND certificate_state = 'in_doubt' ORDER BY id DESC LIMIT 100`,
  );
  const selectInDoubtBefore = db.prepare<[number], { certificate_serial: string }>(
    `SELECT DISTINCT certificate_serial FROM provisioning_attempts
     WHERE certificate_state = 'in_doubt' AND ended_at_ms < ? ORDER BY id DESC LIMIT 500`,
  );
  const selectBinding = db.prepare<
    [string, string],
    {
      device_uid: string;
      manufacturer_key: string;
      serial_number: string;
      idevid_fingerprint: string;
      bound_at_ms: number;
    }
  >('SELECT * FROM provisioning_bindings WHERE manufacturer_key = ? AND serial_number = ?');
  const insertBinding = db.prepare(
    `INSERT INTO provisioning_bindings (device_uid, manufacturer_key, serial_number,
       idevid_fingerprint, bound_at_ms)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );

  return {
    recordAttempt(attempt) {
      insertAttempt.run({
        uid: attempt.id,
        protocol: attempt.protocol,
        port: attempt.port,
        actor: attempt.actor,
        started_at_ms: attempt.startedAtMs,
        ended_at_ms: attempt.endedAtMs,
        outcome: attempt.outcome,
        step: attempt.step,
        code: attempt.code,
        reason: attempt.reason,
        manufacturer: attempt.manufacturer,
        manufacturer_key: attempt.manufacturerKey,
        model: attempt.model,
        serial_number: attempt.serialNumber,
        idevid_fingerprint: attempt.idevidFingerprintSha256,
        firmware_version: attempt.firmwareVersion,
        device_uid: attempt.deviceUid,
        certificate_serial: attempt.certificateSerial,
        certificate_state: attempt.certificateState,
        zone_id: attempt.zoneId,
        vlan: attempt.vlan,
        retransmissions: attempt.retransmissions,
      });
    },
    listAttempts(filter = {}) {
      const limit = Math.max(1, Math.min(1000, Math.trunc(filter.limit ?? 100)));
      const rows =
        filter.deviceUid === undefined
          ? selectRecent.all(limit)
          : selectOfDevice.all(filter.deviceUid, limit);
      return rows.map(toAttempt);
    },
    attemptForCertificate(serial) {
      const row = selectByCertificate.get(serial);
      return row ? toAttempt(row) : null;
    },
    plannedDeviceUid(manufacturerKey, serialNumber) {
      return selectPlanned.get(manufacturerKey, serialNumber)?.device_uid ?? null;
    },
    inDoubtCertificates(filter) {
      const rows =
        filter.deviceUid !== undefined
          ? selectInDoubtOfDevice.all(filter.deviceUid)
          : selectInDoubtBefore.all(filter.endedBeforeMs ?? Number.MAX_SAFE_INTEGER);
      return rows.map((row) => row.certificate_serial);
    },
    bindingFor(manufacturerKey, serialNumber) {
      const row = selectBinding.get(manufacturerKey, serialNumber);
      return row
        ? {
            deviceUid: row.device_uid,
            manufacturerKey: row.manufacturer_key,
            serialNumber: row.serial_number,
            idevidFingerprintSha256: row.idevid_fingerprint,
            boundAtMs: row.bound_at_ms,
          }
        : null;
    },
    bind(binding) {
      insertBinding.run(
        binding.deviceUid,
        binding.manufacturerKey,
        binding.serialNumber,
        binding.idevidFingerprintSha256,
        binding.boundAtMs,
      );
    },
  };
}
