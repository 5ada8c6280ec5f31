// The accounts table and everything stored about a person's second factor: the TOTP seed, the
// last accepted time step (a code works once), and single-use recovery codes kept as SHA-256
// hashes. Only an open store reads these; writes join the caller's transaction.
import { createHash, randomBytes } from 'node:crypto';
import type { AccountSummary, Role } from '../../src-preload/contract';
import type { Clock } from '../lib/clock';
import { isoTime } from '../lib/clock';
import { fail } from '../lib/errors';
import type { SqliteDatabase } from '../store/database';
import { canonicalRecoveryCode } from '../store/keyslots';

export interface AccountRow {
  id: number;
  username: string;
  role: Role;
  keyslotId: string | null;
  createdAt: string;
  createdBy: string | null;
  disabledAt: string | null;
  mustChangePassword: boolean;
  totpSecret: Buffer | null;
  totpEnrolledAt: string | null;
  totpLastStep: number | null;
}

export const mfaRecoveryCodeCount = 10;

interface RawAccount {
  id: number;
  username: string;
  role: Role;
  keyslot_id: string | null;
  created_at: string;
  created_by: string | null;
  disabled_at: string | null;
  must_change_password: number;
  totp_secret: Buffer | null;
  totp_enrolled_at: string | null;
  totp_last_step: number | null;
}

function fromRaw(raw: RawAccount): AccountRow {
  return {
    id: raw.id,
    username: raw.username,
    role: raw.role,
    keyslotId: raw.keyslot_id,
    createdAt: raw.created_at,
    createdBy: raw.created_by,
    disabledAt: raw.disabled_at,
    mustChangePassword: raw.must_change_password === 1,
    totpSecret: raw.totp_secret,
    totpEnrolledAt: raw.totp_enrolled_at,
    totpLastStep: raw.totp_last_step,
  };
}

function hashCode(code: string): Buffer {
  return createHash('sha256').update(canonicalRecoveryCode(code), 'utf8').digest();
}

/** Ten groups of four from Crockford base32 would be long; eight characters carry 40 bits. */
function newMfaRecoveryCode(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(8);
  let out = '';
  for (const byte of bytes) out += alphabet[byte & 31];
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

export interface AccountStore {
  find(username: string): AccountRow | undefined;
  get(id: number): AccountRow | undefined;
  list(): AccountSummary[];
  create(input: { username: string; role: Role; keyslotId: string; createdBy: string }): AccountRow;
  setRole(id: number, role: Role): void;
  disable(id: number): void;
  remove(id: number): void;
  /** Active administrators other than `exceptId`. */
  countActiveAdministrators(exceptId?: number): number;
  setMustChangePassword(id: number, value: boolean): void;
  /** Stores a confirmed TOTP seed and the step that confirmed it. */
  enrolTotp(id: number, secret: Buffer, step: number): void;
  markTotpStep(id: number, step: number): void;
  /** Replaces the account's recovery codes with fresh ones; returns them (shown once). */
  newRecoveryCodes(id: number): string[];
  /** Spends a recovery code; false when it is unknown or already used. */
  useRecoveryCode(id: number, code: string): boolean;
  remainingRecoveryCodes(id: number): number;
}

export function createAccountStore(db: SqliteDatabase, clock: Clock): AccountStore {
  const columns =
    'id, username, role, keyslot_id, created_at, created_by, disabled_at, must_change_password, totp_secret, totp_enrolled_at, totp_last_step';
  const byName = db.prepare(`SELECT ${columns} FROM accounts WHERE username = ?`);
  const byId = db.prepare(`SELECT ${columns} FROM accounts WHERE id = ?`);

  function remaining(id: number): number {
    return (
      db
        .prepare(
          'SELECT count(*) AS n FROM mfa_recovery_codes WHERE account_id = ? AND used_at IS NULL',
        )
        .get(id) as { n: number }
    ).n;
  }

  return {
    find(username) {
      const raw = byName.get(username) as RawAccount | undefined;
      return raw ? fromRaw(raw) : undefined;
    },
    get(id) {
      const raw = byId.get(id) as RawAccount | undefined;
      return raw ? fromRaw(raw) : undefined;
    },
    list() {
      const rows = db
        .prepare(`SELECT ${columns} FROM accounts ORDER BY username`)
        .all() as RawAccount[];
      return rows.map((raw) => ({
        username: raw.username,
        role: raw.role,
        createdAt: raw.created_at,
        createdBy: raw.created_by,
        disabledAt: raw.disabled_at,
        mfaEnrolled: raw.totp_enrolled_at !== null,
        mustChangePassword: raw.must_change_password === 1,
        recoveryCodesLeft: remaining(raw.id),
      }));
    },
    create({ username, role, keyslotId, createdBy }) {
      if (byName.get(username))
        fail('account.exists', `an account named ${username} exists already`);
      const result = db
        .prepare(
          'INSERT INTO accounts (username, role, keyslot_id, created_at, created_by, must_change_password) VALUES (?, ?, ?, ?, ?, 1)',
        )
        .run(username, role, keyslotId, isoTime(clock), createdBy);
      return fromRaw(byId.get(Number(result.lastInsertRowid)) as RawAccount);
    },
    setRole(id, role) {
      db.prepare('UPDATE accounts SET role = ? WHERE id = ?').run(role, id);
    },
    disable(id) {
      db.prepare(
        'UPDATE accounts SET disabled_at = ?, keyslot_id = NULL WHERE id = ? AND disabled_at IS NULL',
      ).run(isoTime(clock), id);
    },
    remove(id) {
      db.prepare('DELETE FROM accounts WHERE id = ?').run(id);
    },
    countActiveAdministrators(exceptId) {
      return (
        db
          .prepare(
            "SELECT count(*) AS n FROM accounts WHERE role = 'administrator' AND disabled_at IS NULL AND id <> ?",
          )
          .get(exceptId ?? -1) as { n: number }
      ).n;
    },
    setMustChangePassword(id, value) {
      db.prepare(
        'UPDATE accounts SET must_change_password = ?, password_changed_at = ? WHERE id = ?',
      ).run(value ? 1 : 0, isoTime(clock), id);
    },
    enrolTotp(id, secret, step) {
      db.prepare(
        'UPDATE accounts SET totp_secret = ?, totp_enrolled_at = ?, totp_last_step = ? WHERE id = ?',
      ).run(secret, isoTime(clock), step, id);
    },
    markTotpStep(id, step) {
      db.prepare('UPDATE accounts SET totp_last_step = ? WHERE id = ?').run(step, id);
    },
    newRecoveryCodes(id) {
      const codes = Array.from({ length: mfaRecoveryCodeCount }, newMfaRecoveryCode);
      db.transaction(() => {
        db.prepare('DELETE FROM mfa_recovery_codes WHERE account_id = ?').run(id);
        const insert = db.prepare(
          'INSERT INTO mfa_recovery_codes (account_id, code_hash) VALUES (?, ?)',
        );
        for (const code of codes) insert.run(id, hashCode(code));
      })();
      return codes;
    },
    useRecoveryCode(id, code) {
      const result = db
        .prepare(
          'UPDATE mfa_recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL',
        )
        .run(isoTime(clock), id, hashCode(code));
      return result.changes === 1;
    },
    remainingRecoveryCodes: remaining,
  };
}
