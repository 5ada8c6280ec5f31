// Accounts known to the console. Credentials are not here: each account's password unwraps its own
// keyslot beside the database (see ../keyslots.ts), so a row without a slot cannot sign in.
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';

export const version = 2;
export const name = 'accounts';

export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE accounts (
      id INTEGER PRIMARY KEY,
      username TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL CHECK (role IN ('technician', 'engineer', 'manager', 'administrator')),
      keyslot_id TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      disabled_at TEXT
    ) STRICT;
  `);
}
