import { createDecipheriv, createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedPassword, useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import { WardkeepFailure } from '../lib/errors';
import { sequentialIds } from '../lib/ids';
import { openDatabase } from './database';
import { readKeyslotFile, unwrapWithPassword } from './keyslots';
import { latestSchemaVersion } from './migrate';
import { createVault } from './vault';

const tempDir = useTempDirs();

function newVault(dataDir = tempDir()) {
  return createVault({
    dataDir,
    clock: frozenClock(Date.UTC(2026, 10, 23, 10)),
    ids: sequentialIds('t'),
  });
}

function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  for (const name of ['wardkeep.db', 'keyslots.json']) {
    hash
      .update(name)
      .update(existsSync(join(dir, name)) ? readFileSync(join(dir, name)) : Buffer.alloc(0));
  }
  return hash.digest('hex');
}

async function failureCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (error instanceof WardkeepFailure) return error.code;
    throw error;
  }
}

describe('vault', () => {
  it('creates an encrypted database whose file reveals neither format nor content', async () => {
    const dataDir = tempDir();
    const vault = newVault(dataDir);
    const password = generatedPassword();
    const { store, recoveryCode } = await vault.setup('admin', password);
    store.db
      .prepare(
        "INSERT INTO devices (uid, manufacturer, manufacturer_key, model, serial_number, device_class, criticality, lifecycle_state, revision, created_at, updated_at) VALUES ('u1', 'Acme', 'acme', 'P1', 'SN-PLAINTEXT-4711', 'infusion_pump', 'high', 'in_service', 1, 'x', 'x')",
      )
      .run();
    store.close();
    expect(recoveryCode).toMatch(/^[0-9A-Z-]{39}$/);
    const bytes = Buffer.concat(
      ['wardkeep.db', 'wardkeep.db-wal']
        .filter((f) => existsSync(join(dataDir, f)))
        .map((f) => readFileSync(join(dataDir, f))),
    );
    expect(bytes.subarray(0, 16).toString('latin1')).not.toContain('SQLite format 3');
    expect(bytes.includes(Buffer.from('SN-PLAINTEXT-4711'))).toBe(false);
    expect(statSync(join(dataDir, 'keyslots.json')).mode & 0o077).toBe(0);
    expect(statSync(dataDir).mode & 0o077).toBe(0);
  });

  it('unlocks with the right password, and a wrong one changes nothing on disk', async () => {
    const dataDir = tempDir();
    const vault = newVault(dataDir);
    const password = generatedPassword();
    (await vault.setup('admin', password)).store.close();
    const before = fingerprint(dataDir);
    expect(await failureCode(vault.unlock('admin', `${password}!`))).toBe('auth.invalid');
    expect(await failureCode(vault.unlock('nobody', password))).toBe('auth.invalid');
    expect(fingerprint(dataDir)).toBe(before);
    const store = await vault.unlock('admin', password);
    expect(store.account).toEqual({ id: 1, username: 'admin', role: 'administrator' });
    store.close();
  });

  it('refuses a second set-up of the same data directory', async () => {
    const vault = newVault();
    (await vault.setup('admin', generatedPassword())).store.close();
    expect(await failureCode(vault.setup('other', generatedPassword()))).toBe('setup.done');
  });

  it('opens the data with the recovery code when every password is lost, and sets a new one', async () => {
    const dataDir = tempDir();
    const vault = newVault(dataDir);
    const lost = generatedPassword();
    const { store, recoveryCode } = await vault.setup('admin', lost);
    store.db
      .prepare(
        "INSERT INTO import_mappings (name, mapping_json, updated_at) VALUES ('kept', '{}', 'x')",
      )
      .run();
    store.close();
    const fresh = generatedPassword();
    expect(
      await failureCode(vault.recover('0000-0000-0000-0000-0000-0000-0000-0000', 'admin', fresh)),
    ).toBe('auth.invalid');
    const recovered = await vault.recover(recoveryCode.toLowerCase(), 'admin', fresh);
    expect(recovered.db.prepare('SELECT name FROM import_mappings').pluck().all()).toEqual([
      'kept',
    ]);
    recovered.close();
    expect(await failureCode(vault.unlock('admin', lost))).toBe('auth.invalid');
    (await vault.unlock('admin', fresh)).close();
    // The recovery code keeps working after use.
    (await vault.recover(recoveryCode, 'admin', generatedPassword())).close();
  });

  it('refuses a database written by a newer Wardkeep and leaves it untouched', async () => {
    const dataDir = tempDir();
    const vault = newVault(dataDir);
    const password = generatedPassword();
    (await vault.setup('admin', password)).store.close();
    const { key } = await unwrapWithPassword(readKeyslotFile(vault.keyslotPath), 'admin', password);
    const db = openDatabase(vault.databasePath, Buffer.from(key));
    db.pragma(`user_version = ${latestSchemaVersion + 1}`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = fingerprint(dataDir);
    expect(await failureCode(vault.unlock('admin', password))).toBe('store.version');
    expect(fingerprint(dataDir)).toBe(before);
  });

  it('writes the SQLCipher 4 page format, checked with plain crypto rather than SQLite', async () => {
    const vault = newVault();
    const password = generatedPassword();
    (await vault.setup('admin', password)).store.close();
    const { key } = await unwrapWithPassword(readKeyslotFile(vault.keyslotPath), 'admin', password);
    // SQLCipher 4: 4096-byte pages, 16-byte salt in place of the header string, 80 reserved bytes
    // per page (IV 16 + HMAC-SHA512 64), AES-256-CBC with the raw key, HMAC key from PBKDF2-SHA512
    // (2 rounds) of the key with the salt XOR 0x3a, HMAC over ciphertext ‖ IV ‖ page number (LE).
    const page = readFileSync(vault.databasePath).subarray(0, 4096);
    const salt = page.subarray(0, 16);
    const ciphertext = page.subarray(16, 4016);
    const iv = page.subarray(4016, 4032);
    const storedHmac = page.subarray(4032, 4096);
    const hmacKey = pbkdf2Sync(key, Buffer.from(salt.map((byte) => byte ^ 0x3a)), 2, 32, 'sha512');
    const pageNumber = Buffer.alloc(4);
    pageNumber.writeUInt32LE(1);
    const hmac = createHmac('sha512', hmacKey)
      .update(ciphertext)
      .update(iv)
      .update(pageNumber)
      .digest();
    expect(hmac.equals(storedHmac)).toBe(true);
    const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
    const header = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    // Bytes 16.. of a SQLite header: page size 4096, WAL versions 2/2, 80 reserved bytes, 64/32/32.
    expect([...header.subarray(0, 8)]).toEqual([0x10, 0x00, 2, 2, 80, 64, 32, 32]);
  });
});
