// Opens the encrypted database: SQLCipher 4 mode with a raw 32-byte key (no KDF on open; the
// keyslots hold the key), WAL, synchronous=FULL, foreign keys on, then runs pending migrations.
// A wrong key or a non-Wardkeep file fails here, before any statement touches the data.
import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';
import { fail } from '../lib/errors';
import { migrate } from './migrate';

export type { SqliteDatabase };

export interface OpenOptions {
  /** Path to a better_sqlite3.node built for this runtime (Electron passes its rebuild). */
  nativeBinding?: string;
  /** Refuse to create a missing file (unlock of an existing store). */
  mustExist?: boolean;
}

let defaultNativeBinding: string | undefined;

/** The Electron shell points this at its own build of the native module before opening. */
export function setDefaultNativeBinding(path: string | undefined): void {
  defaultNativeBinding = path;
}

export function openDatabase(file: string, key: Buffer, options: OpenOptions = {}): SqliteDatabase {
  if (key.length !== 32) throw new Error('database key must be 32 bytes');
  const nativeBinding = options.nativeBinding ?? defaultNativeBinding;
  const db = new Database(file, {
    fileMustExist: options.mustExist ?? false,
    ...(nativeBinding ? { nativeBinding } : {}),
  });
  try {
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    // The key is hex of random bytes: it can never contain a quote.
    db.pragma(`key="x'${key.toString('hex')}'"`);
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (error) {
      fail('store.corrupt', `cannot decrypt ${file}: wrong key or not a Wardkeep database`, {
        sqlite: (error as { code?: string }).code,
      });
    }
    applyConnectionSettings(db);
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function applyConnectionSettings(db: SqliteDatabase): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // 64 MiB of decrypted pages: the rows and hot indexes of 100,000 devices stay in memory, where
  // the default 16 MiB made every filtered page decrypt again what the last one had read.
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  // Statistics for the query planner come from a bounded sample, refreshed by `optimize`.
  db.pragma('analysis_limit = 1000');
}

/** Opens a plain, unencrypted database with the same schema: only for the benchmark's baseline. */
export function openPlainDatabaseForBenchmark(file: string): SqliteDatabase {
  const db = new Database(file);
  applyConnectionSettings(db);
  migrate(db);
  return db;
}
