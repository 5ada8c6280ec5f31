// The data directory: the encrypted database and the keyslot file beside it. Set-up, unlock and
// recovery all go through here. A failed attempt changes nothing on disk; the database key lives
// only in the returned handle and is zero-filled when that handle closes.
import { chmodSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../src-preload/contract';
import type { Clock } from '../lib/clock';
import { isoTime } from '../lib/clock';
import { fail } from '../lib/errors';
import type { IdGenerator } from '../lib/ids';
import { randomBytes } from 'node:crypto';
import type { SqliteDatabase } from './database';
import { openDatabase } from './database';
import type { KdfCost, KeyslotFile } from './keyslots';
import {
  addPasswordSlot,
  defaultKdfCost,
  keyslotFileExists,
  newKeyslotFile,
  newRecoveryCode,
  readKeyslotFile,
  replacePasswordSlot,
  setRecoverySlot,
  unwrapWithPassword,
  unwrapWithRecoveryCode,
  writeKeyslotFile,
} from './keyslots';

export interface Account {
  id: number;
  username: string;
  role: Role;
}

export interface OpenStore {
  db: SqliteDatabase;
  account: Account;
  close(): void;
}

export interface VaultOptions {
  dataDir: string;
  clock: Clock;
  ids: IdGenerator;
  kdfCost?: KdfCost;
}

export interface Vault {
  readonly databasePath: string;
  readonly keyslotPath: string;
  isSetUp(): boolean;
  /** Creates the store, its first administrator and the recovery code (returned once, never stored). */
  setup(username: string, password: string): Promise<{ store: OpenStore; recoveryCode: string }>;
  unlock(username: string, password: string): Promise<OpenStore>;
  /** Opens with the recovery code and gives the named account a new password. */
  recover(recoveryCode: string, username: string, newPassword: string): Promise<OpenStore>;
}

export function createVault(options: VaultOptions): Vault {
  const { dataDir, clock, ids } = options;
  const cost = options.kdfCost ?? defaultKdfCost;
  const databasePath = join(dataDir, 'wardkeep.db');
  const keyslotPath = join(dataDir, 'keyslots.json');

  function ensureDataDir(): void {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }

  function findAccount(db: SqliteDatabase, username: string): Account | undefined {
    return db
      .prepare('SELECT id, username, role FROM accounts WHERE username = ? AND disabled_at IS NULL')
      .get(username) as Account | undefined;
  }

  function handle(db: SqliteDatabase, account: Account, key: Buffer): OpenStore {
    let open = true;
    return {
      db,
      account,
      close() {
        if (!open) return;
        open = false;
        db.close();
        key.fill(0);
      },
    };
  }

  function openWithKey(key: Buffer, username: string): OpenStore {
    const db = openDatabase(databasePath, key, { mustExist: true });
    const account = findAccount(db, username);
    if (!account) {
      db.close();
      key.fill(0);
      fail('auth.invalid', 'wrong username or password');
    }
    return handle(db, account, key);
  }

  return {
    databasePath,
    keyslotPath,
    isSetUp: () => keyslotFileExists(keyslotPath),

    async setup(username, password) {
      if (keyslotFileExists(keyslotPath))
        fail('setup.done', 'this data directory is already set up');
      ensureDataDir();
      if (existsSync(databasePath)) {
        // A database without slots is unreadable forever (an interrupted set-up): keep it aside.
        renameSync(databasePath, `${databasePath}.orphan-${clock.nowMs()}`);
        for (const suffix of ['-wal', '-shm']) {
          if (existsSync(databasePath + suffix))
            renameSync(databasePath + suffix, `${databasePath}.orphan-${clock.nowMs()}${suffix}`);
        }
      }
      const key = randomBytes(32);
      const recoveryCode = newRecoveryCode();
      const createdAt = isoTime(clock);
      const slotId = ids.next();
      let file: KeyslotFile = newKeyslotFile(ids.next());
      file = await addPasswordSlot(file, slotId, username, password, key, createdAt, cost);
      file = await setRecoverySlot(file, ids.next(), recoveryCode, key, createdAt, cost);

      const db = openDatabase(databasePath, key);
      try {
        chmodSync(databasePath, 0o600);
        const inserted = db
          .prepare(
            "INSERT INTO accounts (username, role, keyslot_id, created_at) VALUES (?, 'administrator', ?, ?)",
          )
          .run(username, slotId, createdAt);
        // The slot file is written last: until it exists, set-up has not happened.
        writeKeyslotFile(keyslotPath, file);
        const account: Account = {
          id: Number(inserted.lastInsertRowid),
          username,
          role: 'administrator',
        };
        return { store: handle(db, account, key), recoveryCode };
      } catch (error) {
        db.close();
        key.fill(0);
        throw error;
      }
    },

    async unlock(username, password) {
      const file = readKeyslotFile(keyslotPath);
      const { key } = await unwrapWithPassword(file, username, password);
      return openWithKey(key, username);
    },

    async recover(recoveryCode, username, newPassword) {
      const file = readKeyslotFile(keyslotPath);
      const { key } = await unwrapWithRecoveryCode(file, recoveryCode);
      const store = openWithKey(Buffer.from(key), username);
      try {
        const rewrapped = await replacePasswordSlot(
          file,
          username,
          newPassword,
          key,
          isoTime(clock),
          cost,
        );
        writeKeyslotFile(keyslotPath, rewrapped);
        return store;
      } catch (error) {
        store.close();
        throw error;
      } finally {
        key.fill(0);
      }
    },
  };
}
