// Every SQL statement of the inventory, all prepared, none built from input: the list and update
// statements are assembled from fixed fragments chosen by the parsed query or the mapped fields,
// and user text reaches FTS5 only as quoted phrases. Device writes go through the writers here
// inside transaction(): every write is in the change feed, in write order, before the transaction
// commits (consecutive creations are appended in one statement), and the search index is refreshed
// for every written row just before the commit, so readers never see the three out of step.
// A list is counted and its matches found in indexes alone (one filter in its own index, more in
// devices_criticality); the table is read only for the rows a page returns or must sort.
import type {
  ColumnMapping,
  Criticality,
  DeviceFacets,
  DevicePage,
  DeviceQueryParsed,
  DeviceRecord,
  DeviceSortField,
  LifecycleState,
  SavedMapping,
} from '../../src-preload/contract';
import { ColumnMapping as ColumnMappingSchema } from '../../src-preload/contract';
import type { SqliteDatabase } from '../store/database';
import type { DeviceFieldName, DeviceFields, DeviceIdentity } from './device-fields';
import { parseMacAddress } from './device-fields';
import type { StoredDeviceFields } from './stored-row';
import { identityKey, storedColumns, storedValues } from './stored-row';

export type { StoredDeviceFields } from './stored-row';
export { identityKey, storedColumnCount, storedValues } from './stored-row';

const recordColumns = `
  id, uid, asset_tag AS assetTag, manufacturer, model, serial_number AS serialNumber,
  udi_di AS udiDeviceIdentifier, udi_pi AS udiProductionIdentifier, udi_issuer AS udiIssuer,
  device_class AS deviceClass, criticality, site, building, floor, room, bed, department,
  mac_address AS macAddress, ip_address AS ipAddress, hostname, firmware_version AS firmwareVersion,
  lifecycle_state AS lifecycleState, end_of_life AS endOfLife, notes, revision,
  created_at AS createdAt, updated_at AS updatedAt`;

// The same order as the generated columns criticality_rank and lifecycle_rank in migration 0001;
// a test holds the two together.
export const criticalityRanks: Record<Criticality, number> = {
  life_sustaining: 0,
  high: 1,
  medium: 2,
  low: 3,
  unassessed: 4,
};
export const lifecycleRanks: Record<LifecycleState, number> = {
  received: 0,
  in_service: 1,
  quarantined: 2,
  decommissioned: 3,
};

type DeviceFilterName = 'deviceClass' | 'criticality' | 'site' | 'building' | 'lifecycleState';

// Each sort is the key of one index, named beside it, then id: rowid is the implicit last column
// of every index, which makes each order total for stable paging. The class, site and lifecycle
// sorts are their narrow indexes (migration 0009), so ties among them go in id order; the
// criticality sort goes on through the other filter columns of its wide index (most critical
// first, then class, …). `column` is the filter on the sort's first column. SQLite puts NULLs
// first in ascending order.
interface DeviceSort {
  index: string;
  terms: readonly string[];
  column?: DeviceFilterName;
}
const sorts: Record<DeviceSortField, DeviceSort> = {
  assetTag: { index: 'devices_asset_tag', terms: ['asset_tag COLLATE NOCASE'] },
  manufacturer: { index: 'devices_manufacturer', terms: ['manufacturer COLLATE NOCASE'] },
  model: { index: 'devices_model', terms: ['model COLLATE NOCASE'] },
  serialNumber: { index: 'devices_serial_number', terms: ['serial_number COLLATE NOCASE'] },
  deviceClass: { index: 'devices_device_class', terms: ['device_class'], column: 'deviceClass' },
  criticality: {
    index: 'devices_criticality',
    terms: [
      'criticality_rank',
      'device_class',
      'lifecycle_rank',
      'site COLLATE NOCASE',
      'building COLLATE NOCASE',
    ],
    column: 'criticality',
  },
  site: {
    index: 'devices_site',
    terms: ['site COLLATE NOCASE', 'building COLLATE NOCASE'],
    column: 'site',
  },
  lifecycleState: {
    index: 'devices_lifecycle_state',
    terms: ['lifecycle_rank'],
    column: 'lifecycleState',
  },
  updatedAt: { index: 'devices_updated_at', terms: ['updated_at'] },
};

// Each filter as SQL, with the parameter list() binds for it.
const filterConditions: Record<DeviceFilterName, string> = {
  deviceClass: 'device_class = @deviceClass',
  criticality: 'criticality_rank = @criticalityRank',
  site: 'site = @site COLLATE NOCASE',
  building: 'building = @building COLLATE NOCASE',
  lifecycleState: 'lifecycle_rank = @lifecycleRank',
};

// The one index that holds every filter column; criticality is its first column. Building the
// filter indexes is part of every bulk load, so only this one is that wide (migration 0009).
const allFiltersIndex = 'devices_criticality';

// The index that answers a filter used alone. Building has none of its own: it is the second
// column of devices_site, the narrowest index that holds it, which is then scanned whole.
const ownIndexes: Record<DeviceFilterName, string> = {
  deviceClass: 'devices_device_class',
  criticality: 'devices_criticality',
  site: 'devices_site',
  building: 'devices_site',
  lifecycleState: 'devices_lifecycle_state',
};

// The columns of devices_criticality that a filter can seek on, in its order (building, the last,
// is only ever tested), and for the first three a condition that every row meets: the ranks are
// all the generated columns can hold (CASE … ELSE), the classes those stored, found by one seek
// each in devices_device_class.
const seekColumns = ['criticality', 'deviceClass', 'lifecycleState', 'site'] as const;
const everyValueOf: Record<Exclude<(typeof seekColumns)[number], 'site'>, string> = {
  criticality: `criticality_rank IN (${Object.values(criticalityRanks).join(', ')})`,
  deviceClass: `device_class IN (
    WITH RECURSIVE stored (class) AS (
      SELECT min(device_class) FROM devices
      UNION ALL
      SELECT (SELECT min(device_class) FROM devices WHERE device_class > class)
      FROM stored WHERE class IS NOT NULL)
    SELECT class FROM stored)`,
  lifecycleState: `lifecycle_rank IN (${Object.values(lifecycleRanks).join(', ')})`,
};

/**
 * The conditions that let SQLite seek in devices_criticality under `filtered`: every column
 * before the deepest filtered one, unless filtered itself, as `IN (every value)`, which SQLite
 * walks in order. So it seeks to each run of matching entries and reads only the matches, in the
 * index's order: a skip-scan that its sampled statistics never make it choose. Without them a
 * filter on class, lifecycle or site scanned all 100,000 entries, and walking the criticality
 * sort under such a filter sorted a whole criticality's worth of rows.
 */
function allFiltersSeeks(filtered: readonly DeviceFilterName[]): string[] {
  const seeks: string[] = [];
  const deepest = seekColumns.findLastIndex((column) => filtered.includes(column));
  for (const column of seekColumns.slice(0, Math.max(deepest, 0))) {
    if (column !== 'site' && !filtered.includes(column)) seeks.push(everyValueOf[column]);
  }
  return seeks;
}

/**
 * The filters as conditions on devices_criticality, with the seeks that reach their entries.
 * Building is sought only after site; without site it is only tested, and written `+building` so
 * that SQLite does not take it for a column held constant, which stopped the index's order there
 * (the rows after it were sorted).
 */
function inAllFiltersIndex(filtered: readonly DeviceFilterName[]): string[] {
  return [
    ...allFiltersSeeks(filtered),
    ...filtered.map((name) =>
      name === 'building' && !filtered.includes('site')
        ? `+${filterConditions[name]}`
        : filterConditions[name],
    ),
  ];
}

const allFiltersSource = `devices INDEXED BY ${allFiltersIndex}`;

/**
 * Where a set of filters is counted and its matches found, never reading the table: a filter
 * alone in its own index, two or more in devices_criticality (a range when criticality is one of
 * them). `holdsKeyOf` tells whether a sort's key is in that index too, so that the matches can be
 * put in order there.
 */
function filterPlan(filtered: readonly DeviceFilterName[]): {
  source: string;
  conditions: string[];
  holdsKeyOf(sort: DeviceSort): boolean;
} {
  const [only] = filtered;
  if (only === undefined) return { source: 'devices', conditions: [], holdsKeyOf: () => false };
  if (filtered.length === 1 && ownIndexes[only] !== allFiltersIndex) {
    const index = ownIndexes[only];
    return {
      source: `devices INDEXED BY ${index}`,
      conditions: [filterConditions[only]],
      holdsKeyOf: (sort) => sort.index === index,
    };
  }
  return {
    source: allFiltersSource,
    conditions: inAllFiltersIndex(filtered),
    // Every filter column's sort: class, criticality, site (then building) and lifecycle.
    holdsKeyOf: (sort) => sort.column !== undefined,
  };
}

/**
 * How a page walks in sort order under `filtered`. In devices_criticality when it is the sort, or
 * when the filters fix every column before the sort's one: the index is then in sort order up to
 * ties (sorted a group at a time) and tests every filter itself, where the sort's own narrow index
 * would read the row of every entry it passes over (many, when the filters follow the sort, as
 * criticality follows class). That walk collects ids only, so a group is sorted without reading
 * its rows, and reads the page's rows after. Otherwise the sort's own index; a filter on any other
 * of its columns is written `+column`, so SQLite tests it there and keeps the index's order.
 */
function walkPlan(
  sort: DeviceSort,
  filtered: readonly DeviceFilterName[],
): { source: string; conditions: string[]; idsFirst: boolean } {
  const position = seekColumns.findIndex((column) => column === sort.column);
  const fixedBefore = seekColumns
    .slice(0, Math.max(position, 0))
    .every((column) => filtered.includes(column));
  const followsAllFiltersIndex =
    sort.index === allFiltersIndex ||
    (position > 0 && fixedBefore && sort.column !== undefined && !filtered.includes(sort.column));
  if (filtered.length > 0 && followsAllFiltersIndex)
    return { source: allFiltersSource, conditions: inAllFiltersIndex(filtered), idsFirst: true };
  return {
    source: `devices INDEXED BY ${sort.index}`,
    conditions: filtered.map((name) =>
      name === sort.column ? filterConditions[name] : `+${filterConditions[name]}`,
    ),
    idsFirst: false,
  };
}

/**
 * How to find one page of a filtered, sorted list, from the number of matches: walk the sort's
 * index (see walkPlan) and test each entry against the filters until the page is full (about
 * (offset + limit) × all / matches entries read), or find every match in an index (see
 * filterPlan), sort them there when it holds the sort's key, and read only the rows needed (about
 * `matches` entries, and at most `matches` rows). The cheaper one keeps the worst case near
 * √((offset + limit) × all), a few thousand at 100,000 devices.
 */
export function pageStrategy(
  matches: number,
  all: number,
  offset: number,
  limit: number,
): 'walk-sort-index' | 'sort-matches' {
  return matches * matches >= (offset + limit) * all ? 'walk-sort-index' : 'sort-matches';
}

/**
 * The FTS5 query for free text: every whitespace-separated term must match as a prefix. Each term
 * becomes a quoted phrase (inner quotes doubled) followed by `*`, so FTS5 syntax in the input is
 * only ever text. A term in any MAC address notation is searched in the stored colon form. Terms
 * without a letter or digit carry no token and are dropped; null when no term is left.
 */
export function buildSearchExpression(text: string): string | null {
  const phrases: string[] = [];
  for (const term of text.split(/\s+/)) {
    if (!/[\p{L}\p{N}]/u.test(term)) continue;
    const searched = parseMacAddress(term) ?? term;
    phrases.push(`"${searched.replaceAll('"', '""')}"*`);
  }
  return phrases.length === 0 ? null : phrases.join(' AND ');
}

/**
 * Compares and writes a fixed set of fields of stored devices (those an import's mapping
 * supplies). The comparison runs in SQL: reading each stored device back into JavaScript cost more
 * than the rest of a re-import of the whole inventory.
 */
export interface DeviceUpdater {
  /** True when any of the fields in `input` differs from what device `id` stores. */
  differs(id: number, input: Partial<DeviceFields>): boolean;
  /**
   * When any field differs, writes them all (and `manufacturerKey`) over device `id`, raising its
   * revision by one, and returns true; otherwise writes nothing and returns false. Only inside
   * transaction().
   */
  update(id: number, input: Partial<DeviceFields>, manufacturerKey: string, atIso: string): boolean;
}

/** Consecutive device ids, first to last. */
interface IdRun {
  first: number;
  last: number;
}

export interface DeviceRepository {
  findById(id: number): DeviceRecord | null;
  findByUid(uid: string): DeviceRecord | null;
  findByIdentity(identity: DeviceIdentity): DeviceRecord | null;
  /** The id of every device by identity key (see identityKey), read in one index scan. */
  identityIndex(): Map<string, number>;
  /**
   * Runs `work` in one transaction with the declared indexes dropped and rebuilt after it: for a
   * write that adds many rows, building an index once is several times cheaper than growing it
   * row by row. The identity index is rebuilt too, and its rebuild refuses a duplicate identity,
   * rolling back the whole write: identity is enforced at the end rather than per row (so inside
   * `work`, findByIdentity reads the whole table). uid keeps its index throughout. A failure rolls
   * the drop back with everything else.
   */
  bulkTransaction<T>(work: () => T): T;
  /** Only inside transaction(). */
  insertDevice(uid: string, fields: StoredDeviceFields, atIso: string): number;
  /**
   * Inserts the device whose storedValues() are `values[offset …]` (storedColumnCount of them):
   * an import's rows arrive as one flat array per chunk. Only inside transaction().
   */
  insertStoredValues(
    uid: string,
    values: readonly (string | null)[],
    offset: number,
    atIso: string,
  ): number;
  /** Writes `fields` over the device, raising its revision by one. Only inside transaction(). */
  updateDevice(id: number, fields: StoredDeviceFields, atIso: string): void;
  /** An updater of `fields`, which `input` must always define (undefined would be stored as null). */
  deviceUpdater(fields: readonly DeviceFieldName[]): DeviceUpdater;
  list(query: DeviceQueryParsed): DevicePage;
  facets(): DeviceFacets;
  /** Every device in id order, read lazily. */
  iterateDevices(): IterableIterator<DeviceRecord>;
  listMappings(): SavedMapping[];
  saveMapping(name: string, mapping: ColumnMapping, atIso: string): void;
  /** Runs `work` in one transaction (nested calls join it); device writes happen only here. */
  transaction<T>(work: () => T): T;
}

// The text the search index holds for a device, as SQL over the row's columns.
const searchText = `
  INSERT INTO devices_search (rowid, asset_tag, manufacturer, model, serial_number, udi_di,
    hostname, ip_address, mac_address, department, location, device_class, notes)
  SELECT id, asset_tag, manufacturer, model, serial_number, udi_di, hostname, ip_address,
    mac_address, department, concat_ws(' ', site, building, floor, room, bed),
    replace(device_class, '_', ' '), notes
  FROM devices`;

// The column of each stored field.
const columnOf: Record<DeviceFieldName, (typeof storedColumns)[number]> = {
  assetTag: 'asset_tag',
  manufacturer: 'manufacturer',
  model: 'model',
  serialNumber: 'serial_number',
  udiDeviceIdentifier: 'udi_di',
  udiProductionIdentifier: 'udi_pi',
  udiIssuer: 'udi_issuer',
  deviceClass: 'device_class',
  criticality: 'criticality',
  site: 'site',
  building: 'building',
  floor: 'floor',
  room: 'room',
  bed: 'bed',
  department: 'department',
  macAddress: 'mac_address',
  ipAddress: 'ip_address',
  hostname: 'hostname',
  firmwareVersion: 'firmware_version',
  lifecycleState: 'lifecycle_state',
  endOfLife: 'end_of_life',
  notes: 'notes',
};

/** The search matches of a connection's current list() call, by device id. */
interface SearchHits {
  marked: Uint8Array;
}

// One per connection, with its SQL functions: every repository on a connection shares them.
const searchHitsByConnection = new WeakMap<SqliteDatabase, SearchHits>();

function searchHitsOf(db: SqliteDatabase): SearchHits {
  const known = searchHitsByConnection.get(db);
  if (known) return known;
  const hits: SearchHits = { marked: new Uint8Array(0) };
  db.function('search_hit', { deterministic: false }, (id: unknown) =>
    typeof id === 'number' && hits.marked[id] === 1 ? 1 : 0,
  );
  db.function('mark_search_hit', { deterministic: false }, (id: unknown) => {
    if (typeof id === 'number' && id >= 0 && id < hits.marked.length) hits.marked[id] = 1;
    return 1;
  });
  searchHitsByConnection.set(db, hits);
  return hits;
}

export function createDeviceRepository(db: SqliteDatabase): DeviceRepository {
  const selectById = db.prepare<[number], DeviceRecord>(
    `SELECT ${recordColumns} FROM devices WHERE id = ?`,
  );
  const selectByUid = db.prepare<[string], DeviceRecord>(
    `SELECT ${recordColumns} FROM devices WHERE uid = ?`,
  );
  const selectByIdentity = db.prepare<[string, string], DeviceRecord>(
    `SELECT ${recordColumns} FROM devices WHERE manufacturer_key = ? AND serial_number = ?`,
  );
  // Positional parameters: binding by name costs a property lookup per column per row, which
  // dominated a 100,000-row import.
  const insert = db.prepare<(string | null)[]>(`
    INSERT INTO devices (uid, ${storedColumns.join(', ')}, revision, created_at, updated_at)
    VALUES (?, ${storedColumns.map(() => '?').join(', ')}, 1, ?, ?)`);
  const appendChange = db.prepare<[string, number, 'create' | 'update', string]>(
    `INSERT INTO changes (entity, entity_uid, revision, operation, at)
     VALUES ('device', ?, ?, ?, ?)`,
  );
  const appendCreations = db.prepare<[string, number, number]>(
    `INSERT INTO changes (entity, entity_uid, revision, operation, at)
     SELECT 'device', uid, 1, 'create', ? FROM devices WHERE id BETWEEN ? AND ? ORDER BY id`,
  );
  const indexForSearch = db.prepare<[string]>(
    `${searchText} WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const indexRangeForSearch = db.prepare<[number, number]>(
    `${searchText} WHERE id BETWEEN ? AND ?`,
  );
  const dropFromSearch = db.prepare<[string]>(
    'DELETE FROM devices_search WHERE rowid IN (SELECT value FROM json_each(?))',
  );
  const update = db.prepare<(string | number | null)[], { uid: string; revision: number }>(`
    UPDATE devices SET ${storedColumns.map((column) => `${column} = ?`).join(', ')},
      revision = revision + 1, updated_at = ?
    WHERE id = ? RETURNING uid, revision`);

  // Rows as arrays: building an object per row costs more than reading it.
  const selectIdentities = db
    .prepare<[], [number, string, string]>(
      'SELECT id, manufacturer_key, serial_number FROM devices',
    )
    .raw(true);
  // Every index declared by CREATE INDEX (sql is null only for those SQLite makes itself, such
  // as the one behind uid UNIQUE, which foreign keys need).
  const selectDeclaredIndexes = db.prepare<[], { name: string; sql: string }>(
    `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'devices'
       AND sql IS NOT NULL ORDER BY name`,
  );
  const selectAll = db.prepare<[], DeviceRecord>(
    `SELECT ${recordColumns} FROM devices ORDER BY id`,
  );
  const countAll = db.prepare<[], { total: number }>('SELECT count(*) AS total FROM devices');
  // The ids matching the free text of the current list(), found once per call and then read by
  // the count, the combined count and the page instead of running the search again; list() is
  // synchronous, so two calls never share them. Marked in a bitmap, which SQL tests through
  // search_hit(id): marking costs half as much per match as inserting into a table, and a search
  // can match a quarter of the inventory. When the matches must be enumerated (they drive the
  // count or the page) they are also put in a connection-private table in memory.
  const searchHits = searchHitsOf(db);
  const largestId = db.prepare<[], number | null>('SELECT max(id) FROM devices').pluck(true);
  const markSearchHits = db
    .prepare<[string], number>(
      `SELECT count(*) FROM devices_search
       WHERE devices_search MATCH ? AND mark_search_hit(rowid)`,
    )
    .pluck(true);
  db.exec('CREATE TEMP TABLE IF NOT EXISTS search_hits (id INTEGER PRIMARY KEY)');
  const clearSearchHits = db.prepare('DELETE FROM temp.search_hits');
  const insertSearchHits = db.prepare<[string]>(
    'INSERT INTO temp.search_hits (id) SELECT value FROM json_each(?)',
  );
  /** Puts the marked ids in temp.search_hits, in id order. */
  function enumerateSearchHits(): void {
    const ids: number[] = [];
    const { marked } = searchHits;
    for (let id = 0; id < marked.length; id += 1) if (marked[id] === 1) ids.push(id);
    clearSearchHits.run();
    insertSearchHits.run(JSON.stringify(ids));
  }
  const selectSites = db.prepare<[], { value: string }>(
    `SELECT site AS value FROM devices WHERE site IS NOT NULL
     GROUP BY site COLLATE NOCASE ORDER BY site COLLATE NOCASE`,
  );
  const selectBuildings = db.prepare<[], { value: string }>(
    `SELECT building AS value FROM devices WHERE building IS NOT NULL
     GROUP BY building COLLATE NOCASE ORDER BY building COLLATE NOCASE`,
  );
  const selectMappings = db.prepare<[], { name: string; mappingJson: string }>(
    'SELECT name, mapping_json AS mappingJson FROM import_mappings ORDER BY name',
  );
  const upsertMapping = db.prepare<[string, string, string]>(
    `INSERT INTO import_mappings (name, mapping_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET mapping_json = excluded.mapping_json,
       updated_at = excluded.updated_at`,
  );

  // Bounded: list statements differ only by the filters set, the text's part, the sort, its
  // direction and the form of the page (a few per sort).
  const listStatements = new Map<string, ReturnType<typeof db.prepare>>();
  function prepared(sql: string): ReturnType<typeof db.prepare> {
    let statement = listStatements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      listStatements.set(sql, statement);
    }
    return statement;
  }

  // The statements of an updater, prepared once per set of fields (an import's mapping).
  const updaters = new Map<string, DeviceUpdater>();
  function createUpdater(fields: readonly DeviceFieldName[]): DeviceUpdater {
    const columns = fields.map((name) => columnOf[name]);
    // Asked first, because most devices of a re-import are unchanged: one lookup by id, and
    // nothing read back.
    const compare = db
      .prepare<(string | number | null)[], number>(
        `SELECT 1 FROM devices WHERE id = ? AND (${columns.map((column) => `${column} IS NOT ?`).join(' OR ')})`,
      )
      .pluck(true);
    const write = db.prepare<(string | number | null)[], { uid: string; revision: number }>(
      `UPDATE devices SET ${columns.map((column) => `${column} = ?`).join(', ')},
         manufacturer_key = ?, revision = revision + 1, updated_at = ?
       WHERE id = ? RETURNING uid, revision`,
    );
    const valuesOf = (input: Partial<DeviceFields>): (string | null)[] =>
      fields.map((name) => input[name] ?? null);
    const differs = (id: number, values: (string | null)[]): boolean =>
      compare.get(id, ...values) !== undefined;
    return {
      differs: (id, input) => differs(id, valuesOf(input)),
      update(id, input, manufacturerKey, atIso) {
        requireTransaction();
        const values = valuesOf(input);
        if (!differs(id, values)) return false;
        const written = write.get(...values, manufacturerKey, atIso, id);
        if (!written) throw new Error(`no device with id ${id} to update`);
        recordCreations();
        appendChange.run(written.uid, written.revision, 'update', atIso);
        updated.add(id);
        return true;
      },
    };
  }

  // Rows written in the open transaction, whose search entries are refreshed before it commits.
  // New rows get consecutive ids (SQLite gives max(id) + 1, and devices are never deleted), so
  // they are kept as runs of ids, [first, last], usually a single one: one statement then indexes
  // a whole run, and one appends its run's changes.
  let depth = 0;
  const createdRuns: IdRun[] = [];
  const updated = new Set<number>();
  // The newest run whose `create` changes are still to be appended: they are appended when the
  // run ends (another write, or the end of a transaction level), so the feed keeps write order.
  let unrecordedCreations: (IdRun & { atIso: string }) | null = null;

  function requireTransaction(): void {
    if (depth === 0) throw new Error('device writes must run inside repository.transaction');
  }

  function recordCreations(): void {
    if (unrecordedCreations === null) return;
    const { atIso, first, last } = unrecordedCreations;
    unrecordedCreations = null;
    appendCreations.run(atIso, first, last);
  }

  function noteCreated(id: number, atIso: string): void {
    const pending = unrecordedCreations;
    if (pending !== null && id === pending.last + 1 && atIso === pending.atIso) {
      pending.last = id;
    } else {
      recordCreations();
      unrecordedCreations = { first: id, last: id, atIso };
    }
    const run = createdRuns.at(-1);
    if (run !== undefined && id === run.last + 1) run.last = id;
    else createdRuns.push({ first: id, last: id });
  }

  function isCreated(id: number): boolean {
    return createdRuns.some((run) => id >= run.first && id <= run.last);
  }

  function refreshSearch(): void {
    const changed = [...updated].filter((id) => !isCreated(id));
    if (changed.length > 0) {
      const ids = JSON.stringify(changed);
      dropFromSearch.run(ids);
      indexForSearch.run(ids);
    }
    for (const { first, last } of createdRuns) indexRangeForSearch.run(first, last);
  }

  /**
   * In WAL mode every page of a bulk load is written twice: into the WAL, then by the checkpoint
   * into the database. A rollback journal writes each new page once (the journal holds only the
   * few pages that existed), with the same crash safety. Only possible outside a transaction and
   * when no other connection has the file open; otherwise the load simply stays in WAL mode.
   */
  function useRollbackJournalForLoad(): { restore(): void } {
    const wal = (db.pragma('journal_mode', { simple: true }) as string) === 'wal';
    if (!wal || db.inTransaction) return { restore: () => undefined };
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      if ((db.pragma('journal_mode = DELETE', { simple: true }) as string) !== 'delete')
        return { restore: () => undefined };
    } catch {
      return { restore: () => undefined };
    }
    return {
      restore() {
        db.pragma('journal_mode = WAL');
      },
    };
  }

  const transactionLevel = db.transaction((work: () => unknown) => {
    const runs = createdRuns.length;
    const lastOfNewestRun = createdRuns.at(-1)?.last;
    depth += 1;
    let succeeded = false;
    try {
      const result = work();
      recordCreations();
      if (depth === 1) refreshSearch();
      succeeded = true;
      return result;
    } finally {
      depth -= 1;
      if (!succeeded) {
        unrecordedCreations = null;
        createdRuns.length = runs;
        const newest = createdRuns.at(-1);
        if (newest !== undefined && lastOfNewestRun !== undefined) newest.last = lastOfNewestRun;
      }
      if (depth === 0) {
        createdRuns.length = 0;
        updated.clear();
      }
    }
  });

  // A nested level is a savepoint that may roll back alone. The creations of the level around it
  // are recorded before the savepoint starts, so that its rollback cannot take them; on failure it
  // forgets the runs it added, whose ids SQLite will give again.
  function runTransaction(work: () => unknown): unknown {
    recordCreations();
    return transactionLevel(work);
  }

  function insertStoredValues(
    uid: string,
    values: readonly (string | null)[],
    offset: number,
    atIso: string,
  ): number {
    requireTransaction();
    // Spelt out rather than spread: this runs once per imported row.
    const id = Number(
      insert.run(
        uid,
        values[offset] ?? null,
        values[offset + 1] ?? null,
        values[offset + 2] ?? null,
        values[offset + 3] ?? null,
        values[offset + 4] ?? null,
        values[offset + 5] ?? null,
        values[offset + 6] ?? null,
        values[offset + 7] ?? null,
        values[offset + 8] ?? null,
        values[offset + 9] ?? null,
        values[offset + 10] ?? null,
        values[offset + 11] ?? null,
        values[offset + 12] ?? null,
        values[offset + 13] ?? null,
        values[offset + 14] ?? null,
        values[offset + 15] ?? null,
        values[offset + 16] ?? null,
        values[offset + 17] ?? null,
        values[offset + 18] ?? null,
        values[offset + 19] ?? null,
        values[offset + 20] ?? null,
        values[offset + 21] ?? null,
        values[offset + 22] ?? null,
        atIso,
        atIso,
      ).lastInsertRowid,
    );
    noteCreated(id, atIso);
    return id;
  }

  return {
    findById: (id) => selectById.get(id) ?? null,
    findByUid: (uid) => selectByUid.get(uid) ?? null,
    identityIndex() {
      const index = new Map<string, number>();
      for (const [id, manufacturerKey, serialNumber] of selectIdentities.iterate())
        index.set(identityKey({ manufacturerKey, serialNumber }), id);
      return index;
    },
    bulkTransaction<T>(work: () => T): T {
      // A large load dirties more pages than the usual cache holds; spilling them to the WAL
      // mid-transaction means encrypting and writing many of them twice. Up to 256 MiB for
      // the load, back to the usual size after it.
      const cacheSize = db.pragma('cache_size', { simple: true }) as number;
      db.pragma('cache_size = -262144');
      const journal = useRollbackJournalForLoad();
      try {
        const result = runTransaction(() => {
          const indexes = selectDeclaredIndexes.all();
          for (const { name } of indexes) db.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`);
          const written = work();
          for (const { sql } of indexes) db.exec(sql);
          return written;
        }) as T;
        // The planner's statistics describe the old, much smaller table: refresh them.
        db.pragma('optimize');
        return result;
      } finally {
        journal.restore();
        db.pragma(`cache_size = ${Math.trunc(cacheSize)}`);
      }
    },
    findByIdentity: (identity) =>
      selectByIdentity.get(identity.manufacturerKey, identity.serialNumber) ?? null,
    insertDevice(uid, fields, atIso) {
      return insertStoredValues(uid, storedValues(fields), 0, atIso);
    },
    insertStoredValues,
    updateDevice(id, fields, atIso) {
      requireTransaction();
      const written = update.get(...storedValues(fields), atIso, id);
      if (!written) throw new Error(`no device with id ${id} to update`);
      recordCreations();
      appendChange.run(written.uid, written.revision, 'update', atIso);
      updated.add(id);
    },
    deviceUpdater(fields) {
      const key = fields.join();
      let updater = updaters.get(key);
      if (!updater) {
        if (updaters.size >= 16) updaters.clear();
        updater = createUpdater(fields);
        updaters.set(key, updater);
      }
      return updater;
    },
    list(query) {
      const filtered: DeviceFilterName[] = [];
      const parameters: Record<string, string | number> = {};
      if (query.deviceClass !== undefined) {
        filtered.push('deviceClass');
        parameters.deviceClass = query.deviceClass;
      }
      if (query.criticality !== undefined) {
        filtered.push('criticality');
        parameters.criticalityRank = criticalityRanks[query.criticality];
      }
      if (query.site !== undefined) {
        filtered.push('site');
        parameters.site = query.site;
      }
      if (query.building !== undefined) {
        filtered.push('building');
        parameters.building = query.building;
      }
      if (query.lifecycleState !== undefined) {
        filtered.push('lifecycleState');
        parameters.lifecycleRank = lifecycleRanks[query.lifecycleState];
      }
      const where = (conditions: readonly string[]): string =>
        conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
      const countIn = (source: string, conditions: readonly string[]): number =>
        (
          prepared(`SELECT count(*) AS total FROM ${source} ${where(conditions)}`).get(
            parameters,
          ) as { total: number }
        ).total;
      // Indexes are named rather than left to the planner, whose statistics are sampled.
      const filtering = filterPlan(filtered);

      const all = countAll.get()?.total ?? 0;
      const match = query.text === undefined ? null : buildSearchExpression(query.text);
      // Each side is counted alone first (the text by marking its matches once, the filters from
      // their index alone), which is cheap; then the smaller side drives the combined count and
      // the page: the text matches, enumerated into temp.search_hits, reach devices by id and are
      // tested there, or the filters' index (or the sort's, when walking) is read and each
      // entry's id tested with search_hit(id).
      const filters = filtered.map((name) => filterConditions[name]);
      const text: string[] = [];
      let filtersDrive = filters.length > 0;
      let total: number;
      if (match === null) {
        total = filters.length === 0 ? all : countIn(filtering.source, filtering.conditions);
      } else {
        searchHits.marked = new Uint8Array((largestId.get() ?? 0) + 1);
        const textMatches = markSearchHits.get(match) ?? 0;
        const filterMatches =
          filters.length === 0 ? all : countIn(filtering.source, filtering.conditions);
        filtersDrive = filters.length > 0 && textMatches > filterMatches;
        // The matches drive when they are fewer than the filters' matches, or, without filters,
        // when they are few enough for the page to fetch and sort them all.
        const textDrives =
          filters.length > 0
            ? !filtersDrive
            : pageStrategy(textMatches, all, query.offset, query.limit) === 'sort-matches';
        if (textDrives) {
          enumerateSearchHits();
          text.push('id IN (SELECT id FROM temp.search_hits)');
        } else {
          text.push('search_hit(id)');
        }
        total =
          filters.length === 0 || textMatches === 0 || filterMatches === 0
            ? Math.min(textMatches, filterMatches)
            : filtersDrive
              ? countIn(filtering.source, [...text, ...filtering.conditions])
              : countIn('devices', [...text, ...filters]);
      }
      if (total === 0 || query.offset >= total) return { total, offset: query.offset, rows: [] };
      const sort = sorts[query.sort];
      const direction = query.descending ? 'DESC' : 'ASC';
      const order = [...sort.terms, 'id'].map((term) => `${term} ${direction}`).join(', ');
      const page = 'LIMIT @limit OFFSET @offset';
      // The page's rows, by id from `ids` (a CROSS JOIN keeps that order of the loops).
      const rowsOf = (ids: string, idsPage: string, rowsPage: string): string =>
        `WITH matches (device_id) AS MATERIALIZED (${ids} ${idsPage})
         SELECT ${recordColumns} FROM matches CROSS JOIN devices ON devices.id = matches.device_id
         ORDER BY ${order} ${rowsPage}`;
      let statement: string;
      if (pageStrategy(total, all, query.offset, query.limit) === 'walk-sort-index') {
        const walk = walkPlan(sort, filtered);
        const conditions = where([...text, ...walk.conditions]);
        statement = walk.idsFirst
          ? rowsOf(`SELECT id FROM ${walk.source} ${conditions} ORDER BY ${order}`, page, '')
          : `SELECT ${recordColumns} FROM ${walk.source} ${conditions} ORDER BY ${order} ${page}`;
      } else if (filtersDrive) {
        // The ids of the matches from an index alone, then only their rows: a filter is never
        // tested by reading the table. When the filters' index, or else devices_criticality,
        // holds the sort's key too, the matches are put in order there and only the page's rows
        // are read.
        const ordered = filtering.holdsKeyOf(sort)
          ? filtering
          : sort.column === undefined
            ? null
            : { source: allFiltersSource, conditions: inAllFiltersIndex(filtered) };
        statement =
          ordered === null
            ? rowsOf(
                `SELECT id FROM ${filtering.source} ${where([...text, ...filtering.conditions])}`,
                '',
                page,
              )
            : rowsOf(
                `SELECT id FROM ${ordered.source} ${where([...text, ...ordered.conditions])}
                 ORDER BY ${order}`,
                page,
                '',
              );
      } else {
        // Few text matches (or text alone): their rows are reached by id and tested.
        statement = `SELECT ${recordColumns} FROM devices ${where([...text, ...filters])}
          ORDER BY ${order} ${page}`;
      }
      const rows = prepared(statement).all({
        ...parameters,
        limit: query.limit,
        offset: query.offset,
      }) as DeviceRecord[];
      return { total, offset: query.offset, rows };
    },
    facets() {
      return {
        total: countAll.get()?.total ?? 0,
        sites: selectSites.all().map((row) => row.value),
        buildings: selectBuildings.all().map((row) => row.value),
      };
    },
    iterateDevices: () => selectAll.iterate(),
    listMappings() {
      return selectMappings.all().map((row) => ({
        name: row.name,
        mapping: ColumnMappingSchema.parse(JSON.parse(row.mappingJson)),
      }));
    },
    saveMapping(name, mapping, atIso) {
      upsertMapping.run(name, JSON.stringify(mapping), atIso);
    },
    transaction: <T>(work: () => T): T => runTransaction(work) as T,
  };
}
