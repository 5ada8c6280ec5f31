// For a migration written before it is listed in src-main/store/migrations/index.ts: applies it to
// a database that openDatabase has brought up to the listed version, once. After it is listed,
// openDatabase has applied it already and this does nothing.
import type { SqliteDatabase } from '../../src-main/store/database';
import type { Migration } from '../../src-main/store/migrate';
import { schemaVersion } from '../../src-main/store/migrate';

export function applyMigrationForTest(db: SqliteDatabase, migration: Migration): void {
  if (schemaVersion(db) >= migration.version) return;
  db.transaction(() => migration.up(db)).immediate();
}
