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
  hasBreakGlassSlot,
  keyslotFileExists,
  newKeyslotFile,
  newRecoveryCode,
  passwordSlotId,
  readKeyslotFile,
  removeSlot,
  replacePasswordSlot,
  setBreakGlassSlot,
  setRecoverySlot,
  unwrapWithBreakGlass,
  unwrapWithPassword,
  unwrapWithRecoveryCode,
  userTag,
  writeKeyslotFile,
} from './keyslots';

export interface Account {
  id: number;
  username: string;
  role: Role;
}

/** Keyslot changes that need the database key, which only an open store holds. */
export interface SlotKeeper {
  /** Adds a slot for a new account; returns its id. */
  addAccount(username: string, password: string): Promise<string>;
  /** Rewraps only this account's slot. */
  changePassword(username: string, newPassword: string): Promise<void>;
  /** Removes the account's slot: its password no longer opens anything. */
  removeAccount(username: string): void;
  /** Replaces the break-glass slot with one for `credential`; returns its id. */
  setBreakGlass(credential: string): Promise<string>;
  removeBreakGlass(): void;
}

export interface OpenStore {
  db: SqliteDatabase;
  /** The account whose password opened the store; null when the emergency credential did. */
  account: Account | null;
  slots: SlotKeeper;
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
  /**
   * Creates the store, its first administrator, the recovery code and the sealed emergency
   * credential (both returned once, never stored).
   */
  setup(
    username: string,
    password: string,
  ): Promise<{ store: OpenStore; recoveryCode: string; emergencyCredential: string }>;
  unlock(username: string, password: string): Promise<OpenStore>;
  /** Opens with the recovery code and gives the named account a new password. */
  recover(recoveryCode: string, username: string, newPassword: string): Promise<OpenStore>;
  /** Checks an account's password without opening anything (step-up re-authentication). */
  verifyPassword(username: string, password: string): Promise<void>;
  /** Opens with the sealed emergency credential (which the caller then spends). */
  openWithBreakGlass(credential: string): Promise<OpenStore>;
  hasBreakGlass(): boolean;
  /** A stable, keyed tag for an account name: names throttling state without naming the account. */
  accountTag(username: string): string;
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

  // Keyslot edits are read-modify-write of one file across awaits: run them one at a time.
  let slotQueue: Promise<unknown> = Promise.resolve();
  function editSlots<T>(edit: (file: KeyslotFile) => Promise<[KeyslotFile, T]>): Promise<T> {
    const next = slotQueue.then(async () => {
      const [file, value] = await edit(readKeyslotFile(keyslotPath));
      writeKeyslotFile(keyslotPath, file);
      return value;
    });
    slotQueue = next.catch(() => undefined);
    return next;
  }

  function slotKeeper(key: Buffer): SlotKeeper {
    return {
      addAccount: (username, password) =>
        editSlots(async (file) => {
          const slotId = ids.next();
          const next = await addPasswordSlot(
            file,
            slotId,
            username,
            password,
            key,
            isoTime(clock),
            cost,
          );
          return [next, slotId];
        }),
      changePassword: (username, newPassword) =>
        editSlots(async (file) => [
          await replacePasswordSlot(file, username, newPassword, key, isoTime(clock), cost),
          undefined,
        ]),
      removeAccount(username) {
        const file = readKeyslotFile(keyslotPath);
        const slotId = passwordSlotId(file, username);
        if (slotId) writeKeyslotFile(keyslotPath, removeSlot(file, slotId));
      },
      setBreakGlass: (credential) =>
        editSlots(async (file) => {
          const slotId = ids.next();
          return [
            await setBreakGlassSlot(file, slotId, credential, key, isoTime(clock), cost),
            slotId,
          ];
        }),
      removeBreakGlass() {
        const file = readKeyslotFile(keyslotPath);
        writeKeyslotFile(keyslotPath, {
          ...file,
          slots: file.slots.filter((slot) => slot.kind !== 'breakglass'),
        });
      },
    };
  }

  function handle(db: SqliteDatabase, account: Account | null, key: Buffer): OpenStore {
    let open = true;
    return {
      db,
      account,
      slots: slotKeeper(key),
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
      const emergencyCredential = newRecoveryCode();
      const createdAt = isoTime(clock);
      const slotId = ids.next();
      const breakGlassSlotId = ids.next();
      let file: KeyslotFile = newKeyslotFile(ids.next());
      file = await addPasswordSlot(file, slotId, username, password, key, createdAt, cost);
      file = await setRecoverySlot(file, ids.next(), recoveryCode, key, createdAt, cost);
      file = await setBreakGlassSlot(
        file,
        breakGlassSlotId,
        emergencyCredential,
        key,
        createdAt,
        cost,
      );

      const db = openDatabase(databasePath, key);
      try {
        chmodSync(databasePath, 0o600);
        const inserted = db
          .prepare(
            "INSERT INTO accounts (username, role, keyslot_id, created_at) VALUES (?, 'administrator', ?, ?)",
          )
          .run(username, slotId, createdAt);
        db.prepare(
          'INSERT INTO breakglass_credentials (keyslot_id, created_at, created_by) VALUES (?, ?, ?)',
        ).run(breakGlassSlotId, createdAt, username);
        // The slot file is written last: until it exists, set-up has not happened.
        writeKeyslotFile(keyslotPath, file);
        const account: Account = {
          id: Number(inserted.lastInsertRowid),
          username,
          role: 'administrator',
        };
        return { store: handle(db, account, key), recoveryCode, emergencyCredential };
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

    async verifyPassword(username, password) {
      const { key } = await unwrapWithPassword(readKeyslotFile(keyslotPath), username, password);
      key.fill(0);
    },

    async openWithBreakGlass(credential) {
      const file = readKeyslotFile(keyslotPath);
      const { key } = await unwrapWithBreakGlass(file, credential);
      const db = openDatabase(databasePath, key, { mustExist: true });
      return handle(db, null, key);
    },

    hasBreakGlass: () =>
      keyslotFileExists(keyslotPath) && hasBreakGlassSlot(readKeyslotFile(keyslotPath)),

    accountTag: (username) => userTag(readKeyslotFile(keyslotPath), username),
  };
}
