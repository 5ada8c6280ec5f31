// Narrows three of the four filter indexes of migration 0001 to their own columns. A bulk load
// drops and rebuilds every index on devices; at 100,000 devices a five-column index took 290–330 ms
// to build (deep ties compared with NOCASE) and a narrow one 90–130 ms, so the four wide ones were
// about 1.1 s of the import. devices_criticality stays wide: it is the criticality sort and the one
// index that holds every filter column, from which a count of two or more filters is read.
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';

export const version = 9;
export const name = 'filter-indexes';

export function up(db: SqliteDatabase): void {
  db.exec(`
    DROP INDEX devices_device_class;
    DROP INDEX devices_site;
    DROP INDEX devices_lifecycle_state;
    -- Each is the sort on its column (ties in id order, the implicit last column) and the index
    -- of a count or page filtered by that column alone.
    CREATE INDEX devices_device_class ON devices (device_class);
    CREATE INDEX devices_site ON devices (site COLLATE NOCASE, building COLLATE NOCASE);
    CREATE INDEX devices_lifecycle_state ON devices (lifecycle_rank);
  `);
}
