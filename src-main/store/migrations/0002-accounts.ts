// Accounts, their second factor, the emergency (break-glass) credential and its sessions, and the
// console's settings. Passwords are not here: each account's password unwraps its own keyslot
// beside the database (see ../keyslots.ts), so a row without a slot cannot sign in. The TOTP
// seeds and recovery-code hashes live only inside the encrypted database.
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';

export const version = 2;
export const name = 'accounts';

export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE accounts (
      id INTEGER PRIMARY KEY,
      username TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL CHECK (role IN ('technician', 'engineer', 'manager', 'administrator')),
      keyslot_id TEXT UNIQUE,
      created_at TEXT NOT NULL,
      created_by TEXT,
      disabled_at TEXT,
      -- Set for an account whose password an administrator issued: the user replaces it first.
      must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
      password_changed_at TEXT,
      -- TOTP (RFC 6238): the seed, and the last time step accepted, so a code works once only.
      totp_secret BLOB,
      totp_enrolled_at TEXT,
      totp_last_step INTEGER,
      CHECK (disabled_at IS NOT NULL OR keyslot_id IS NOT NULL)
    ) STRICT;

    -- Single-use codes for when the authenticator is lost: SHA-256 of the canonical code.
    CREATE TABLE mfa_recovery_codes (
      account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      code_hash BLOB NOT NULL,
      used_at TEXT,
      PRIMARY KEY (account_id, code_hash)
    ) STRICT;

    -- The sealed emergency credential: its keyslot opens the store; it is spent by one use.
    CREATE TABLE breakglass_credentials (
      id INTEGER PRIMARY KEY,
      keyslot_id TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      spent_at TEXT
    ) STRICT;

    CREATE TABLE emergency_sessions (
      id INTEGER PRIMARY KEY,
      session_id TEXT NOT NULL UNIQUE,
      credential_id INTEGER NOT NULL REFERENCES breakglass_credentials (id),
      opened_by TEXT NOT NULL,
      reason TEXT NOT NULL CHECK (reason IN ('patient_care', 'device_failure', 'other')),
      reason_text TEXT,
      opened_at TEXT NOT NULL,
      ends_at TEXT NOT NULL,
      closed_at TEXT,
      close_reason TEXT,
      reviewed_by TEXT,
      reviewed_at TEXT,
      review_comment TEXT,
      CHECK (reason <> 'other' OR reason_text IS NOT NULL)
    ) STRICT;

    CREATE TABLE settings (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;
  `);
}
