// Bedside provisioning: the history of every session (one row per ended attempt, never changed),
// the IDevID each provisioned device was bound to (so a second IDevID claiming the same serial is
// caught as a clone), and the documented exceptions for legacy devices that cannot hold a
// certificate. Triggers refuse what must never happen: rewriting or deleting history, deleting an
// exception, or changing an exception once it is revoked.
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';

export const version = 7;
export const name = 'provisioning';

// Kept here rather than imported so this migration stays as shipped when the vocabularies grow.
const oneOf = (column: string, values: readonly string[]): string =>
  values.map((value) => `${column} = '${value}'`).join(' OR ');
const outcomes = ['provisioned', 'refused', 'failed'];
const certificateStates = ['committed', 'abandoned', 'in_doubt'];
const isoDate = (column: string): string =>
  `${column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'`;

export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE provisioning_attempts (
      id INTEGER PRIMARY KEY,
      uid TEXT NOT NULL UNIQUE,
      protocol TEXT NOT NULL,
      port TEXT,
      actor TEXT,
      started_at_ms INTEGER NOT NULL,
      ended_at_ms INTEGER NOT NULL CHECK (ended_at_ms >= started_at_ms),
      outcome TEXT NOT NULL CHECK (${oneOf('outcome', outcomes)}),
      -- The step that refused or failed; 'commit' for a provisioned device.
      step TEXT NOT NULL,
      code TEXT,
      reason TEXT,
      manufacturer TEXT,
      manufacturer_key TEXT,
      model TEXT,
      serial_number TEXT,
      idevid_fingerprint TEXT,
      firmware_version TEXT,
      -- The inventory uid, or the uid the device will get (reused by the next attempt).
      device_uid TEXT,
      certificate_serial TEXT,
      certificate_state TEXT CHECK (${oneOf('certificate_state', certificateStates)}),
      zone_id TEXT,
      vlan INTEGER CHECK (vlan IS NULL OR vlan BETWEEN 1 AND 4094),
      retransmissions INTEGER NOT NULL DEFAULT 0,
      CHECK ((outcome = 'provisioned') = (code IS NULL)),
      CHECK ((certificate_serial IS NULL) = (certificate_state IS NULL))
    ) STRICT;
    CREATE INDEX provisioning_attempts_identity
      ON provisioning_attempts (manufacturer_key, serial_number, id);
    CREATE INDEX provisioning_attempts_device ON provisioning_attempts (device_uid, id);
    CREATE INDEX provisioning_attempts_certificate ON provisioning_attempts (certificate_serial)
      WHERE certificate_serial IS NOT NULL;
    CREATE TRIGGER provisioning_attempts_kept BEFORE DELETE ON provisioning_attempts
    BEGIN
      SELECT RAISE(ABORT, 'provisioning history is never deleted');
    END;
    CREATE TRIGGER provisioning_attempts_fixed BEFORE UPDATE ON provisioning_attempts
    BEGIN
      SELECT RAISE(ABORT, 'provisioning history does not change');
    END;

    CREATE TABLE provisioning_bindings (
      device_uid TEXT PRIMARY KEY REFERENCES devices (uid),
      manufacturer_key TEXT NOT NULL,
      serial_number TEXT NOT NULL,
      idevid_fingerprint TEXT NOT NULL CHECK (length(idevid_fingerprint) = 64),
      bound_at_ms INTEGER NOT NULL,
      UNIQUE (manufacturer_key, serial_number)
    ) STRICT;
    CREATE TRIGGER provisioning_bindings_kept BEFORE DELETE ON provisioning_bindings
    BEGIN
      SELECT RAISE(ABORT, 'an IDevID binding is never deleted');
    END;

    CREATE TABLE provisioning_exceptions (
      id INTEGER PRIMARY KEY,
      uid TEXT NOT NULL UNIQUE,
      device_uid TEXT NOT NULL REFERENCES devices (uid),
      risk TEXT NOT NULL CHECK (length(risk) > 0),
      -- A JSON array of the controls in words (segment, monitoring, physical access, ...).
      controls_json TEXT NOT NULL
        CHECK (json_valid(controls_json) AND json_type(controls_json) = 'array'
          AND json_array_length(controls_json) > 0),
      zone_id TEXT,
      owner TEXT NOT NULL CHECK (length(owner) > 0),
      review_date TEXT NOT NULL CHECK (${isoDate('review_date')}),
      created_by TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      reviewed_by TEXT,
      reviewed_at_ms INTEGER,
      review_note TEXT,
      revoked_by TEXT,
      revoked_at_ms INTEGER,
      revocation_reason TEXT,
      CHECK ((revoked_at_ms IS NULL) = (revoked_by IS NULL)),
      CHECK ((revoked_at_ms IS NULL) = (revocation_reason IS NULL)),
      CHECK ((reviewed_at_ms IS NULL) = (reviewed_by IS NULL))
    ) STRICT;
    -- One exception in force per device; revoked ones stay as history.
    CREATE UNIQUE INDEX provisioning_exceptions_live ON provisioning_exceptions (device_uid)
      WHERE revoked_at_ms IS NULL;
    CREATE INDEX provisioning_exceptions_due ON provisioning_exceptions (review_date, id);
    CREATE TRIGGER provisioning_exceptions_kept BEFORE DELETE ON provisioning_exceptions
    BEGIN
      SELECT RAISE(ABORT, 'an exception is revoked, never deleted');
    END;
    CREATE TRIGGER provisioning_exceptions_closed BEFORE UPDATE ON provisioning_exceptions
    WHEN OLD.revoked_at_ms IS NOT NULL
    BEGIN
      SELECT RAISE(ABORT, 'a revoked exception does not change');
    END;
    CREATE TRIGGER provisioning_exceptions_fixed
    BEFORE UPDATE OF uid, device_uid, created_by, created_at_ms ON provisioning_exceptions
    BEGIN
      SELECT RAISE(ABORT, 'who an exception is for and who made it do not change');
    END;
  `);
}
