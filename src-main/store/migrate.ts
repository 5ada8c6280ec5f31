// Numbered migrations, each in its own transaction; PRAGMA user_version records the last applied.
// A database written by a newer Wardkeep is refused untouched: an older build must never guess at
// a schema it does not know.
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';
import { fail } from '../lib/errors';
import { migrations } from './migrations';

export interface Migration {
  version: number;
  name: string;
  up(db: SqliteDatabase): void;
}

export const latestSchemaVersion = migrations.reduce((max, m) => Math.max(max, m.version), 0);

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: SqliteDatabase, upTo = latestSchemaVersion): number {
  const current = schemaVersion(db);
  if (current > latestSchemaVersion) {
    fail(
      'store.version',
      `database schema version ${current} is newer than this Wardkeep supports (${latestSchemaVersion}); upgrade Wardkeep`,
      { found: current, supported: latestSchemaVersion },
    );
  }
  const pending = migrations
    .filter((m) => m.version > current && m.version <= upTo)
    .sort((a, b) => a.version - b.version);
  for (const migration of pending) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
