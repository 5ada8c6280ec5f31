// The filter indexes after migration 0009: three narrow ones and devices_criticality, which holds
// every filter column. Every combination of filters must list exactly what a plain filter and sort
// of all devices gives, and be answered from an index, never by scanning the table.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import type { DeviceQuery, DeviceRecord, DeviceSortField } from '../../src-preload/contract';
import { DeviceQuery as DeviceQuerySchema, deviceSortFields } from '../../src-preload/contract';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import type { Logger } from '../lib/logger';
import type { SqliteDatabase } from '../store/database';
import { openDatabase } from '../store/database';
import { latestSchemaVersion, migrate, schemaVersion } from '../store/migrate';
import * as migration from '../store/migrations/0009-filter-indexes';
import { generateDemoHospital } from './demo';
import type { CanonicalRow } from './demo-csv';
import { canonicalCsv } from './demo-csv';
import {
  buildSearchExpression,
  createDeviceRepository,
  criticalityRanks,
  lifecycleRanks,
} from './repository';
import { bulkLoadThreshold, createInventoryService } from './service';

const tempDir = useTempDirs();
const opened: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const startMs = Date.UTC(2026, 10, 23, 10);

/** A store as version 8 left it: opened the way openDatabase does, but migrated only to 8. */
function openVersion8Store(): SqliteDatabase {
  const db = new Database(join(tempDir(), 'wardkeep.db'));
  opened.push(db);
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
  db.pragma(`key="x'${randomBytes(32).toString('hex')}'"`);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  expect(migrate(db, 8)).toBe(8);
  return db;
}

function openStore(): SqliteDatabase {
  const db = openDatabase(join(tempDir(), 'wardkeep.db'), randomBytes(32));
  opened.push(db);
  return db;
}

/** Demo devices with the awkward cases added: no site, a site in capitals, no building or tag. */
function awkwardDevices(seed: number, count: number): CanonicalRow[] {
  return generateDemoHospital(seed, count).map((row, index) => ({
    ...row,
    site: index % 23 === 5 ? '' : index % 29 === 3 ? row.site.toUpperCase() : row.site,
    building: index % 31 === 7 ? '' : row.building,
    asset_tag: index % 37 === 11 ? '' : row.asset_tag,
  }));
}

/** Imports `rows` at once: from bulkLoadThreshold rows, the bulk path, which runs ANALYZE. */
async function importAll(db: SqliteDatabase, rows: CanonicalRow[]): Promise<void> {
  const inventory = createInventoryService({
    db,
    clock: frozenClock(startMs),
    ids: sequentialIds('dev'),
    logger: quiet,
  });
  const report = await inventory.importFile('devices.csv', canonicalCsv(rows), {
    skipInvalid: false,
  });
  expect(report).toMatchObject({ committed: true, created: rows.length });
  inventory.dispose();
}

/** Imports `rows` in two halves a minute apart, so that updatedAt has ties and an order. */
async function importInTwoParts(db: SqliteDatabase, rows: CanonicalRow[]): Promise<void> {
  const clock = frozenClock(startMs);
  const inventory = createInventoryService({ db, clock, ids: sequentialIds('dev'), logger: quiet });
  const half = Math.floor(rows.length / 2);
  for (const part of [rows.slice(0, half), rows.slice(half)]) {
    const report = await inventory.importFile('devices.csv', canonicalCsv(part), {
      skipInvalid: false,
    });
    expect(report).toMatchObject({ committed: true, created: part.length });
    clock.advance(60_000);
  }
  inventory.dispose();
}

interface IndexColumn {
  name: string | null;
  collation: string;
}

/** The key columns of an index, with the collation of each. */
function keyOf(db: SqliteDatabase, index: string): IndexColumn[] {
  return db
    .prepare<[string], IndexColumn & { key: number }>(
      'SELECT name, coll AS collation, key FROM pragma_index_xinfo(?) ORDER BY seqno',
    )
    .all(index)
    .filter((column) => column.key === 1)
    .map(({ name, collation }) => ({ name, collation }));
}

const binary = (name: string): IndexColumn => ({ name, collation: 'BINARY' });
const nocase = (name: string): IndexColumn => ({ name, collation: 'NOCASE' });
const wideKey = [
  binary('criticality_rank'),
  binary('device_class'),
  binary('lifecycle_rank'),
  nocase('site'),
  nocase('building'),
];
const narrowKeys: Record<string, IndexColumn[]> = {
  devices_device_class: [binary('device_class')],
  devices_criticality: wideKey,
  devices_site: [nocase('site'), nocase('building')],
  devices_lifecycle_state: [binary('lifecycle_rank')],
};

function declaredIndexes(db: SqliteDatabase): { name: string; sql: string }[] {
  return db
    .prepare<[], { name: string; sql: string }>(
      `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'devices'
         AND sql IS NOT NULL ORDER BY name`,
    )
    .all();
}

describe('migration 0009 filter-indexes', () => {
  it('narrows the class, site and lifecycle indexes of a version-8 store, rows unchanged', async () => {
    expect([migration.version, migration.name]).toEqual([9, 'filter-indexes']);
    const db = openVersion8Store();
    await importInTwoParts(db, awkwardDevices(3, 120));
    for (const index of ['devices_device_class', 'devices_site', 'devices_lifecycle_state'])
      expect(keyOf(db, index)).toHaveLength(5);
    const rowsBefore = db.prepare('SELECT * FROM devices ORDER BY id').all();
    const changesBefore = db.prepare('SELECT * FROM changes ORDER BY seq').all();
    const namesBefore = declaredIndexes(db).map((index) => index.name);

    expect(migrate(db)).toBe(latestSchemaVersion);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(9);
    for (const [index, key] of Object.entries(narrowKeys)) expect(keyOf(db, index)).toEqual(key);
    expect(declaredIndexes(db).map((index) => index.name)).toEqual(namesBefore);
    expect(db.prepare('SELECT * FROM devices ORDER BY id').all()).toEqual(rowsBefore);
    expect(db.prepare('SELECT * FROM changes ORDER BY seq').all()).toEqual(changesBefore);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // The migrated store lists through the new indexes: sorted by lifecycle, ties in id order.
    const page = createDeviceRepository(db).list(
      DeviceQuerySchema.parse({ sort: 'lifecycleState', limit: 1000 }),
    );
    const expected = (rowsBefore as { id: number; lifecycle_state: keyof typeof lifecycleRanks }[])
      .map((row) => ({ id: row.id, rank: lifecycleRanks[row.lifecycle_state] }))
      .sort((a, b) => a.rank - b.rank || a.id - b.id)
      .map((row) => row.id);
    expect(page.rows.map((row) => row.id)).toEqual(expected);
  });

  it('gives a migrated store the same indexes as a new one', () => {
    const migrated = openVersion8Store();
    migrate(migrated);
    expect(declaredIndexes(migrated)).toEqual(declaredIndexes(openStore()));
  });
});

// The plain-JavaScript reference. NOCASE folds ASCII letters only; SQLite compares UTF-8 bytes,
// which order as JavaScript's UTF-16 units do for the text here (no surrogate pairs).
const folded = new Map<string, string>();
function fold(text: string): string {
  let result = folded.get(text);
  if (result === undefined) {
    result = text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
    folded.set(text, result);
  }
  return result;
}
function compareText(a: string | null, b: string | null, ignoreCase: boolean): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const [left, right] = ignoreCase ? [fold(a), fold(b)] : [a, b];
  return left < right ? -1 : left > right ? 1 : 0;
}
const byText =
  (field: keyof DeviceRecord, ignoreCase: boolean) =>
  (a: DeviceRecord, b: DeviceRecord): number =>
    compareText(a[field] as string | null, b[field] as string | null, ignoreCase);
const byCriticality = (a: DeviceRecord, b: DeviceRecord): number =>
  criticalityRanks[a.criticality] - criticalityRanks[b.criticality];
const byLifecycle = (a: DeviceRecord, b: DeviceRecord): number =>
  lifecycleRanks[a.lifecycleState] - lifecycleRanks[b.lifecycleState];

// Each sort's terms as the product documents them, before the final tie-break by id.
const referenceSorts: Record<DeviceSortField, ((a: DeviceRecord, b: DeviceRecord) => number)[]> = {
  assetTag: [byText('assetTag', true)],
  manufacturer: [byText('manufacturer', true)],
  model: [byText('model', true)],
  serialNumber: [byText('serialNumber', true)],
  deviceClass: [byText('deviceClass', false)],
  criticality: [
    byCriticality,
    byText('deviceClass', false),
    byLifecycle,
    byText('site', true),
    byText('building', true),
  ],
  site: [byText('site', true), byText('building', true)],
  lifecycleState: [byLifecycle],
  updatedAt: [byText('updatedAt', false)],
};

type FilterValues = Pick<
  DeviceQuery,
  'deviceClass' | 'criticality' | 'site' | 'building' | 'lifecycleState'
>;
const filterNames = ['deviceClass', 'criticality', 'site', 'building', 'lifecycleState'] as const;

/** Every subset of the five filters, taking its values from `values`. */
function everyCombination(values: Required<FilterValues>): FilterValues[] {
  return Array.from({ length: 2 ** filterNames.length }, (_, mask) =>
    Object.fromEntries(
      filterNames.filter((_, bit) => mask & (1 << bit)).map((name) => [name, values[name]]),
    ),
  );
}

function referenceList(
  devices: readonly DeviceRecord[],
  textMatches: ReadonlySet<number> | null,
  query: DeviceQuery,
): number[] {
  const same = (value: string | null, wanted: string | undefined): boolean =>
    wanted === undefined || (value !== null && fold(value) === fold(wanted));
  const matching = devices.filter(
    (device) =>
      (textMatches === null || textMatches.has(device.id)) &&
      (query.deviceClass === undefined || device.deviceClass === query.deviceClass) &&
      (query.criticality === undefined || device.criticality === query.criticality) &&
      same(device.site, query.site) &&
      same(device.building, query.building) &&
      (query.lifecycleState === undefined || device.lifecycleState === query.lifecycleState),
  );
  const terms = referenceSorts[query.sort ?? 'assetTag'];
  const direction = query.descending ? -1 : 1;
  matching.sort((a, b) => {
    for (const term of terms) {
      const order = term(a, b);
      if (order !== 0) return direction * order;
    }
    return direction * (a.id - b.id);
  });
  return matching.map((device) => device.id);
}

/** Checks list() against the reference for every combination, sort, direction and page. */
function expectEveryCombinationListed(
  db: SqliteDatabase,
  valueSets: Required<FilterValues>[],
  options: { texts: (string | undefined)[]; pages: { offset: number; limit: number }[] },
): number {
  const repository = createDeviceRepository(db);
  const devices = [...repository.iterateDevices()];
  const searched = db
    .prepare<[string], number>('SELECT rowid FROM devices_search WHERE devices_search MATCH ?')
    .pluck(true);
  let checked = 0;
  for (const text of options.texts) {
    const expression = text === undefined ? null : buildSearchExpression(text);
    const textMatches = expression === null ? null : new Set(searched.all(expression));
    for (const values of valueSets) {
      for (const filters of everyCombination(values)) {
        for (const sort of deviceSortFields) {
          for (const descending of [false, true]) {
            const query: DeviceQuery = { ...filters, sort, descending };
            if (text !== undefined) query.text = text;
            const expected = referenceList(devices, textMatches, query);
            for (const { offset, limit } of options.pages) {
              const listed = repository.list(DeviceQuerySchema.parse({ ...query, offset, limit }));
              const actual = { total: listed.total, ids: listed.rows.map((row) => row.id) };
              const wanted = {
                total: expected.length,
                ids: expected.slice(offset, offset + limit),
              };
              // Compared as text first: thousands of deep comparisons cost more than the lists.
              if (JSON.stringify(actual) !== JSON.stringify(wanted))
                expect(actual, JSON.stringify({ ...query, offset, limit })).toEqual(wanted);
              checked += 1;
            }
          }
        }
      }
    }
  }
  return checked;
}

/** Filter values taken from device `id` (so every combination matches it), site in lower case. */
function valuesOf(db: SqliteDatabase, id: number): Required<FilterValues> {
  const device = createDeviceRepository(db).findById(id);
  if (device?.site == null || device.building === null) throw new Error(`device ${id} unplaced`);
  return {
    deviceClass: device.deviceClass,
    criticality: device.criticality,
    site: device.site.toLowerCase(),
    building: device.building.toUpperCase(),
    lifecycleState: device.lifecycleState,
  };
}

describe('every combination of filters', () => {
  it('lists the same totals and rows as a plain filter and sort of all devices', async () => {
    const db = openStore();
    await importInTwoParts(db, awkwardDevices(5, 400));
    // Two placed devices (one whose site is stored in capitals), and values matching nothing.
    const capitalSite = db
      .prepare<[], number>(
        'SELECT id FROM devices WHERE site = upper(site) AND building IS NOT NULL',
      )
      .pluck(true)
      .get();
    const valueSets = [valuesOf(db, 2), valuesOf(db, capitalSite ?? 1)];
    valueSets.push({ ...valuesOf(db, 3), building: 'Nowhere Annex' });
    // Whole lists, a page inside them, and one row (which walks the sort index from 20 matches).
    const pages = [
      { offset: 0, limit: 1000 },
      { offset: 3, limit: 7 },
      { offset: 0, limit: 1 },
    ];
    const filtered = expectEveryCombinationListed(db, valueSets, { texts: [undefined], pages });
    // Text too: 'hospital' matches more devices than most filters, 'pump' fewer.
    const searched = expectEveryCombinationListed(db, valueSets.slice(0, 1), {
      texts: ['hospital', 'pump'],
      pages: pages.slice(0, 2),
    });
    const perRun = 32 * deviceSortFields.length * 2;
    expect([filtered, searched]).toEqual([3 * perRun * 3, 2 * perRun * 2]);
  });

  it('lists the same after a bulk load, whose statistics guide the planner', async () => {
    const db = openStore();
    await importAll(db, awkwardDevices(6, bulkLoadThreshold + 200));
    expect(
      db.prepare("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'devices'").pluck(true).get(),
    ).toBeGreaterThan(0);
    const checked = expectEveryCombinationListed(db, [valuesOf(db, 5)], {
      texts: [undefined],
      pages: [{ offset: 40, limit: 10 }],
    });
    expect(checked).toBe(32 * deviceSortFields.length * 2);
  });
});

describe('query plans of filtered lists', () => {
  // Every parameter a list statement may name; SQLite ignores the ones a statement lacks.
  const parameters = {
    deviceClass: 'infusion_pump',
    criticalityRank: 1,
    site: 'Northgate General Hospital',
    building: 'Main Building',
    lifecycleRank: 1,
    limit: 100,
    offset: 0,
  };

  /** The SQL of each statement list() prepares for `query`, with its query plan. */
  function plansOf(db: SqliteDatabase, query: DeviceQuery): { sql: string; plan: string[] }[] {
    const noted: string[] = [];
    const noting = new Proxy(db, {
      get(target, property) {
        if (property === 'prepare')
          return (sql: string) => {
            noted.push(sql);
            return target.prepare(sql);
          };
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function'
          ? (value as (...args: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const repository = createDeviceRepository(noting);
    const before = noted.length;
    repository.list(DeviceQuerySchema.parse(query));
    return noted.slice(before).map((sql) => ({
      sql,
      plan: db
        .prepare<typeof parameters, { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(parameters)
        .map((row) => row.detail),
    }));
  }

  async function storesToPlan(): Promise<[string, SqliteDatabase][]> {
    const small = openStore();
    await importInTwoParts(small, awkwardDevices(7, 300));
    const bulk = openStore();
    await importAll(bulk, awkwardDevices(8, bulkLoadThreshold + 200));
    return [
      ['row by row, without statistics', small],
      ['bulk loaded, with statistics', bulk],
    ];
  }

  const indexColumnOf: Record<string, string> = {
    deviceClass: 'device_class',
    criticality: 'criticality_rank',
    lifecycleState: 'lifecycle_rank',
  };
  const multiFilter = everyCombination({
    deviceClass: 'infusion_pump',
    criticality: 'high',
    site: 'Northgate General Hospital',
    building: 'Main Building',
    lifecycleState: 'in_service',
  }).filter((filters) => Object.keys(filters).length >= 2);

  it('counts two or more filters by seeking in devices_criticality alone', async () => {
    expect(multiFilter).toHaveLength(26);
    for (const [store, db] of await storesToPlan()) {
      for (const filters of multiFilter) {
        const [count] = plansOf(db, { ...filters, limit: 1 });
        const label = `${store} ${JSON.stringify(filters)}: ${count?.plan.join(' | ')}`;
        expect(count?.sql, label).toMatch(/^SELECT count\(\*\)/);
        const onDevices = count?.plan.filter((detail) => / devices\b/.test(detail)) ?? [];
        // One read of devices, seeking on every column up to the deepest filtered one (building
        // only after site); the other reads are the seeks that list the stored classes.
        const columns = Object.keys(filters).map((name) => indexColumnOf[name] ?? name);
        const deepest = Math.max(
          ...columns
            .filter((column) => column !== 'building' || columns.includes('site'))
            .map((column) => wideKey.findIndex((key) => key.name === column)),
        );
        const seek = wideKey.slice(0, deepest + 1).map((key) => `${key.name}=?`);
        expect(
          onDevices.filter((detail) => !detail.includes('devices_device_class')),
          label,
        ).toEqual([`SEARCH devices USING INDEX devices_criticality (${seek.join(' AND ')})`]);
        for (const detail of onDevices) expect(detail, label).toMatch(/ USING /);
      }
    }
  });

  it('never scans the table for a count or a page, whatever the filters and sort', async () => {
    for (const [store, db] of await storesToPlan()) {
      for (const filters of everyCombination({
        deviceClass: 'ventilator',
        criticality: 'life_sustaining',
        site: 'Riverside Medical Center',
        building: 'Central Block',
        lifecycleState: 'received',
      })) {
        for (const sort of deviceSortFields) {
          for (const limit of [1, 1000]) {
            for (const { sql, plan } of plansOf(db, { ...filters, sort, limit })) {
              const label = `${store} ${JSON.stringify({ ...filters, sort, limit })}: ${sql}`;
              expect(plan, label).not.toContain('SCAN devices');
              // Rows found in an index are fetched by id, never by testing every row.
              if (sql.includes('MATERIALIZED'))
                expect(plan, label).toContain('SEARCH devices USING INTEGER PRIMARY KEY (rowid=?)');
            }
          }
        }
      }
    }
  });

  it('walks the criticality sort in index order under any filter, sorting only the page', async () => {
    let walks = 0;
    for (const [store, db] of await storesToPlan()) {
      for (const filters of everyCombination({
        deviceClass: 'infusion_pump',
        criticality: 'high',
        site: 'Northgate General Hospital',
        building: 'Main Building',
        lifecycleState: 'in_service',
      })) {
        for (const descending of [false, true]) {
          const page = plansOf(db, { ...filters, sort: 'criticality', descending, limit: 1 }).at(
            -1,
          );
          // A walk collects the page's ids in the index (LIMIT inside) and reads their rows after.
          if (page === undefined || !/LIMIT @limit OFFSET @offset\)/.test(page.sql)) continue;
          walks += 1;
          const label = `${store} ${JSON.stringify(filters)}: ${page.plan.join(' | ')}`;
          expect(page.plan, label).toContainEqual(
            expect.stringMatching(/^(SEARCH|SCAN) devices USING INDEX devices_criticality\b/),
          );
          // One sort: the page's own rows, after the walk.
          expect(
            page.plan.filter((detail) => detail.startsWith('USE TEMP B-TREE')),
            label,
          ).toEqual(['USE TEMP B-TREE FOR ORDER BY']);
        }
      }
    }
    expect(walks).toBeGreaterThan(20);
  });
});
