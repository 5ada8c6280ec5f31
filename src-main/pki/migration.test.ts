import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import type { SqliteDatabase } from '../store/database';
import { openDatabase } from '../store/database';
import * as migration from '../store/migrations/0004-pki';
import { applyPkiMigration } from './testing';

const tempDir = useTempDirs();
const open: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

const tables = [
  'pki_settings',
  'pki_authorities',
  'pki_authority_chain',
  'pki_certificates',
  'pki_crls',
  'pki_trust_anchors',
  'pki_baselines',
  'pki_firmware_approvals',
];

function certificateRow(serial: string, state: string): Record<string, unknown> {
  return {
    serial,
    device_uid: 'dev-1',
    state,
    revoked_at_ms: state === 'revoked' ? 2 : null,
    revocation_reason: state === 'revoked' ? 'keyCompromise' : null,
  };
}

describe('migration 0004 (pki)', () => {
  it('adds strict PKI tables to an encrypted store and keeps what was there', () => {
    const dir = tempDir();
    const file = join(dir, 'wardkeep.db');
    const key = randomBytes(32);
    const db = openDatabase(file, key);
    open.push(db);
    db.prepare(
      `INSERT INTO accounts (username, role, keyslot_id, created_at)
       VALUES ('alice', 'administrator', 'slot-1', '2026-11-23T10:00:00Z')`,
    ).run();
    expect(migration.version).toBe(4);
    expect(migration.name).toBe('pki');
    applyPkiMigration(db);

    const strict = db
      .prepare(`SELECT name, strict FROM pragma_table_list WHERE name LIKE 'pki_%' ORDER BY name`)
      .all() as { name: string; strict: number }[];
    expect(strict.map((table) => table.name).sort()).toEqual([...tables].sort());
    expect(strict.every((table) => table.strict === 1)).toBe(true);
    expect(db.prepare('SELECT * FROM pki_settings').all()).toEqual([
      {
        id: 1,
        site_name: null,
        certificate_validity_days: 730,
        crl_validity_days: 7,
        baseline_publisher_spki: null,
        baseline_publisher_fingerprint: null,
        baseline_publisher_algorithm: null,
        baseline_publisher_configured_at_ms: null,
      },
    ]);
    db.close();

    const reopened = openDatabase(file, key, { mustExist: true });
    open.push(reopened);
    expect(reopened.prepare('SELECT username FROM accounts').pluck().all()).toEqual(['alice']);
    expect(reopened.prepare('SELECT count(*) FROM pki_settings').pluck().get()).toBe(1);
  });

  it('refuses to delete, rewrite or un-revoke an issued certificate', () => {
    const db = openDatabase(join(tempDir(), 'wardkeep.db'), randomBytes(32));
    open.push(db);
    applyPkiMigration(db);
    db.prepare(
      `INSERT INTO pki_authorities (origin, current, certificate_der, fingerprint_sha256,
         private_key_pkcs8, subject, key_algorithm, not_before_ms, not_after_ms, installed_at_ms)
       VALUES ('local', 1, x'30', 'f', x'30', 'CN=CA', 'ec-p256', 0, 10, 0)`,
    ).run();
    const insert = db.prepare(
      `INSERT INTO pki_certificates (serial, authority_id, device_uid, device_name, device_serial,
         request_key, public_key_sha256, key_algorithm, subject, fingerprint_sha256,
         certificate_der, not_before_ms, not_after_ms, issued_at_ms, state, revoked_at_ms,
         revocation_reason)
       VALUES (@serial, 1, @device_uid, 'Pump', 'SN', 'r', 'k', 'ec-p256', 'CN=Pump',
         @serial, x'30', 0, 10, 1, @state, @revoked_at_ms, @revocation_reason)`,
    );
    const active = 'a'.repeat(32);
    const revoked = 'b'.repeat(32);
    insert.run(certificateRow(active, 'active'));
    insert.run(certificateRow(revoked, 'revoked'));
    expect(() => db.prepare('DELETE FROM pki_certificates').run()).toThrow(
      'issued certificates are never deleted',
    );
    expect(() =>
      db
        .prepare(`UPDATE pki_certificates SET certificate_der = x'31' WHERE serial = ?`)
        .run(active),
    ).toThrow('an issued certificate does not change');
    expect(() =>
      db
        .prepare(
          `UPDATE pki_certificates SET state = 'active', revoked_at_ms = NULL,
             revocation_reason = NULL WHERE serial = ?`,
        )
        .run(revoked),
    ).toThrow('a revoked certificate stays revoked');
    expect(() =>
      db.prepare(`UPDATE pki_certificates SET state = 'pending' WHERE serial = ?`).run(active),
    ).toThrow('an active one never returns to pending');
    expect(() => insert.run(certificateRow('not-hex', 'active'))).toThrow(/CHECK constraint/);
    expect(() =>
      insert.run({
        ...certificateRow('c'.repeat(32), 'revoked'),
        revocation_reason: 'certificateHold',
      }),
    ).toThrow(/CHECK constraint/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO pki_authorities (origin, current, certificate_der, fingerprint_sha256,
             private_key_pkcs8, subject, key_algorithm, not_before_ms, not_after_ms,
             installed_at_ms)
           VALUES ('local', 1, x'30', 'g', x'30', 'CN=CA 2', 'ec-p256', 0, 10, 0)`,
        )
        .run(),
    ).toThrow(/UNIQUE constraint failed: pki_authorities.current/);
  });
});
