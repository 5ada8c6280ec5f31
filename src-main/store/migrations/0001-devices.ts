// The device inventory: one row per physical device, identified by manufacturer + serial number,
// a full-text index, and the change feed for replication. The device repository is the one writer:
// it appends to `changes` with every write and refreshes the search index for the written rows in
// one statement before its transaction commits (a per-row trigger into FTS5 flushes a segment per
// row and made a 100,000-row import ten times slower). Triggers here only refuse what must never
// happen: an update that does not raise the revision by exactly one, a changed id or uid, deletion.
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';

export const version = 1;
export const name = 'devices';

// `column = 'a' OR column = 'b' …` rather than `column IN (…)`: SQLite builds an ephemeral table
// for an IN list in a CHECK on every row written, which made a bulk import three times slower.
const oneOf = (column: string, values: readonly string[]): string =>
  values.map((value) => `${column} = '${value}'`).join(' OR ');

// Kept here rather than imported so this migration stays as shipped when the vocabularies grow:
// a later migration widens the CHECKs.
const deviceClasses = [
  'infusion_pump',
  'syringe_pump',
  'patient_monitor',
  'ventilator',
  'anesthesia_machine',
  'defibrillator',
  'dialysis_machine',
  'imaging',
  'ultrasound',
  'lab_analyzer',
  'ecg',
  'telemetry',
  'nurse_call',
  'medication_cabinet',
  'sterilizer',
  'workstation',
  'network_gateway',
  'other',
];
const criticalities = ['life_sustaining', 'high', 'medium', 'low', 'unassessed'];
const lifecycleStates = ['received', 'in_service', 'quarantined', 'decommissioned'];
const udiIssuers = ['GS1', 'HIBCC', 'ICCBBA'];

export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE devices (
      id INTEGER PRIMARY KEY,
      uid TEXT NOT NULL UNIQUE,
      asset_tag TEXT,
      manufacturer TEXT NOT NULL CHECK (length(manufacturer) > 0),
      manufacturer_key TEXT NOT NULL CHECK (length(manufacturer_key) > 0),
      model TEXT NOT NULL CHECK (length(model) > 0),
      serial_number TEXT NOT NULL CHECK (length(serial_number) > 0),
      udi_di TEXT,
      udi_pi TEXT,
      udi_issuer TEXT CHECK (${oneOf('udi_issuer', udiIssuers)}),
      device_class TEXT NOT NULL CHECK (${oneOf('device_class', deviceClasses)}),
      criticality TEXT NOT NULL DEFAULT 'unassessed' CHECK (${oneOf('criticality', criticalities)}),
      site TEXT,
      building TEXT,
      floor TEXT,
      room TEXT,
      bed TEXT,
      department TEXT,
      mac_address TEXT,
      ip_address TEXT,
      hostname TEXT,
      firmware_version TEXT,
      lifecycle_state TEXT NOT NULL DEFAULT 'received'
        CHECK (${oneOf('lifecycle_state', lifecycleStates)}),
      end_of_life TEXT CHECK (end_of_life IS NULL OR end_of_life GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
      notes TEXT,
      revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      -- Sort keys in the order people expect (most critical first; lifecycle in time order).
      criticality_rank INTEGER GENERATED ALWAYS AS (
        CASE criticality WHEN 'life_sustaining' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
          WHEN 'low' THEN 3 ELSE 4 END) VIRTUAL,
      lifecycle_rank INTEGER GENERATED ALWAYS AS (
        CASE lifecycle_state WHEN 'received' THEN 0 WHEN 'in_service' THEN 1
          WHEN 'quarantined' THEN 2 ELSE 3 END) VIRTUAL,
      CHECK (udi_di IS NULL OR udi_issuer IS NOT NULL)
    ) STRICT;

    -- Identity: a declared index rather than a table constraint, so that a bulk load can drop it
    -- and build it once at the end (which still refuses a duplicate) instead of growing it at a
    -- random place per row.
    CREATE UNIQUE INDEX devices_identity ON devices (manufacturer_key, serial_number);

    -- Sorts on text walk these; rowid (id) is the implicit last column of every index, which
    -- makes each order total for stable paging.
    CREATE INDEX devices_asset_tag ON devices (asset_tag COLLATE NOCASE);
    CREATE INDEX devices_manufacturer ON devices (manufacturer COLLATE NOCASE);
    CREATE INDEX devices_model ON devices (model COLLATE NOCASE);
    CREATE INDEX devices_serial_number ON devices (serial_number COLLATE NOCASE);
    CREATE INDEX devices_updated_at ON devices (updated_at);
    -- Each filter leads one index that holds every other filter column too, so any count of a
    -- filtered list is read from one index alone; the same index is the sort on its column.
    CREATE INDEX devices_device_class ON devices (device_class, criticality_rank, lifecycle_rank,
      site COLLATE NOCASE, building COLLATE NOCASE);
    CREATE INDEX devices_criticality ON devices (criticality_rank, device_class, lifecycle_rank,
      site COLLATE NOCASE, building COLLATE NOCASE);
    CREATE INDEX devices_site ON devices (site COLLATE NOCASE, building COLLATE NOCASE,
      device_class, criticality_rank, lifecycle_rank);
    CREATE INDEX devices_lifecycle_state ON devices (lifecycle_rank, criticality_rank, device_class,
      site COLLATE NOCASE, building COLLATE NOCASE);

    -- Contentless: the text lives only in devices; rows are removed by rowid (contentless_delete),
    -- and computed columns (the joined location) can be indexed.
    CREATE VIRTUAL TABLE devices_search USING fts5 (
      asset_tag, manufacturer, model, serial_number, udi_di, hostname, ip_address, mac_address,
      department, location, device_class, notes,
      content = '', contentless_delete = 1, tokenize = 'unicode61'
    );

    CREATE TABLE changes (
      seq INTEGER PRIMARY KEY,
      entity TEXT NOT NULL,
      entity_uid TEXT NOT NULL,
      revision INTEGER NOT NULL,
      operation TEXT NOT NULL CHECK (${oneOf('operation', ['create', 'update', 'delete'])}),
      at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX changes_entity ON changes (entity, entity_uid);

    CREATE TABLE import_mappings (
      name TEXT PRIMARY KEY,
      mapping_json TEXT NOT NULL CHECK (json_valid(mapping_json)),
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TRIGGER devices_revision_rises BEFORE UPDATE ON devices
    WHEN NEW.revision IS NOT OLD.revision + 1 BEGIN
      SELECT RAISE(ABORT, 'a device update must raise its revision by exactly one');
    END;

    CREATE TRIGGER devices_identity_fixed BEFORE UPDATE OF id, uid ON devices
    WHEN NEW.id IS NOT OLD.id OR NEW.uid IS NOT OLD.uid BEGIN
      SELECT RAISE(ABORT, 'a device keeps its id and uid');
    END;

    -- A device leaves service as decommissioned, never by deletion: replication has no
    -- tombstones yet, so a deleted row would silently survive on every other replica.
    CREATE TRIGGER devices_never_deleted BEFORE DELETE ON devices BEGIN
      SELECT RAISE(ABORT, 'devices are decommissioned, not deleted');
    END;
  `);
}
