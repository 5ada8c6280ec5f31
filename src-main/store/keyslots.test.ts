import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedPassword, useTempDirs } from '../../test/support/temp';
import { WardkeepFailure } from '../lib/errors';
import {
  addPasswordSlot,
  canonicalRecoveryCode,
  newKeyslotFile,
  newRecoveryCode,
  readKeyslotFile,
  replacePasswordSlot,
  setRecoverySlot,
  unwrapWithPassword,
  unwrapWithRecoveryCode,
  writeKeyslotFile,
} from './keyslots';

// The cheapest cost the slot schema accepts keeps these tests quick; the vault tests use the real one.
const cost = { memoryKiB: 19_456, iterations: 1, parallelism: 1 };
const at = '2026-11-23T10:00:00.000Z';
const tempDir = useTempDirs();

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WardkeepFailure) return error.code;
    throw error;
  }
  return 'no error';
}

describe('keyslots', () => {
  it('unwraps the database key with the right password only', async () => {
    const key = randomBytes(32);
    const password = generatedPassword();
    const file = await addPasswordSlot(
      newKeyslotFile('db-1'),
      'slot-1',
      'alice',
      password,
      key,
      at,
      cost,
    );
    const opened = await unwrapWithPassword(file, 'alice', password);
    expect(opened.key.equals(key)).toBe(true);
    expect(opened.slotId).toBe('slot-1');
    expect(await codeOf(unwrapWithPassword(file, 'alice', `${password}x`))).toBe('auth.invalid');
    expect(await codeOf(unwrapWithPassword(file, 'mallory', password))).toBe('auth.invalid');
  });

  it('gives every account its own slot for the same key', async () => {
    const key = randomBytes(32);
    const [alicePassword, bobPassword] = [generatedPassword(), generatedPassword()];
    let file = await addPasswordSlot(
      newKeyslotFile('db-1'),
      'slot-a',
      'alice',
      alicePassword,
      key,
      at,
      cost,
    );
    file = await addPasswordSlot(file, 'slot-b', 'bob', bobPassword, key, at, cost);
    expect((await unwrapWithPassword(file, 'bob', bobPassword)).key.equals(key)).toBe(true);
    expect(await codeOf(unwrapWithPassword(file, 'bob', alicePassword))).toBe('auth.invalid');
    await expect(
      addPasswordSlot(file, 'slot-c', 'alice', generatedPassword(), key, at, cost),
    ).rejects.toThrow(/already exists/);
  });

  it('refuses a slot copied into another database or under another id', async () => {
    const key = randomBytes(32);
    const password = generatedPassword();
    const original = await addPasswordSlot(
      newKeyslotFile('db-1'),
      'slot-1',
      'alice',
      password,
      key,
      at,
      cost,
    );
    const moved = { ...original, databaseId: 'db-2' };
    expect(await codeOf(unwrapWithPassword(moved, 'alice', password))).toBe('auth.invalid');
    const renamed = {
      ...original,
      slots: original.slots.map((slot) => ({ ...slot, id: 'slot-9' })),
    };
    expect(await codeOf(unwrapWithPassword(renamed, 'alice', password))).toBe('auth.invalid');
  });

  it('rewraps one account on a password change and leaves other slots byte for byte', async () => {
    const key = randomBytes(32);
    const [alicePassword, bobPassword, newPassword] = [
      generatedPassword(),
      generatedPassword(),
      generatedPassword(),
    ];
    let file = await addPasswordSlot(
      newKeyslotFile('db-1'),
      'slot-a',
      'alice',
      alicePassword,
      key,
      at,
      cost,
    );
    file = await addPasswordSlot(file, 'slot-b', 'bob', bobPassword, key, at, cost);
    const changed = await replacePasswordSlot(file, 'alice', newPassword, key, at, cost);
    expect(changed.slots[1]).toEqual(file.slots[1]);
    expect((await unwrapWithPassword(changed, 'alice', newPassword)).key.equals(key)).toBe(true);
    expect(await codeOf(unwrapWithPassword(changed, 'alice', alicePassword))).toBe('auth.invalid');
  });

  it('opens with the recovery code as people type it', async () => {
    const key = randomBytes(32);
    const code = newRecoveryCode();
    expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
    const file = await setRecoverySlot(newKeyslotFile('db-1'), 'slot-r', code, key, at, cost);
    const typed = ` ${code.toLowerCase().replace(/-/g, ' ')} `;
    expect((await unwrapWithRecoveryCode(file, typed)).key.equals(key)).toBe(true);
    expect(canonicalRecoveryCode('o0-Il')).toBe('0011');
    expect(await codeOf(unwrapWithRecoveryCode(file, newRecoveryCode()))).toBe('auth.invalid');
  });

  it('writes a file that names no account and holds no key in the clear', async () => {
    const key = randomBytes(32);
    const password = generatedPassword();
    const path = join(tempDir(), 'keyslots.json');
    writeKeyslotFile(
      path,
      await addPasswordSlot(
        newKeyslotFile('db-1'),
        'slot-1',
        'alice.nightshift',
        password,
        key,
        at,
        cost,
      ),
    );
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('alice.nightshift');
    expect(text).not.toContain(password);
    expect(text).not.toContain(key.toString('base64'));
    expect(text).not.toContain(key.toString('hex'));
    expect(readKeyslotFile(path).slots).toHaveLength(1);
  });

  it('names what is wrong in a damaged slot file', async () => {
    const path = join(tempDir(), 'keyslots.json');
    writeKeyslotFile(path, newKeyslotFile('db-1'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      path,
      '{"format":"wardkeep-keyslots","version":1,"databaseId":"x","tagSalt":"AA==","slots":[{"kind":"password"}]}',
    );
    expect(() => readKeyslotFile(path)).toThrow(/malformed at slots\.0\./);
    writeFileSync(path, 'not json');
    expect(() => readKeyslotFile(path)).toThrow(/not valid JSON/);
  });
});
