// The search index keeps up to 64 MiB of new terms in memory before it writes a segment (FTS5's
// default is 1 MiB). A 100,000-device import wrote about forty small segments and then merged
// them, which took as long as tokenising the text; with room for the whole load it writes one.
// The buffer only lives inside a transaction (FTS5 writes it out at every commit), so ordinary
// writes use no more memory than before.
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';

export const version = 8;
export const name = 'search-hash';

export function up(db: SqliteDatabase): void {
  db.exec(
    `INSERT INTO devices_search (devices_search, rank) VALUES ('hashsize', ${64 * 1024 * 1024})`,
  );
}
