// The fast paths of a large import: the sort indexes rebuilt once instead of grown row by row,
// the search index filled in one statement, and the page strategy for big filtered lists. Each
// must give exactly what the row-by-row path gives.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import { DeviceQuery } from '../../src-preload/contract';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import type { SqliteDatabase } from '../store/database';
import { openDatabase } from '../store/database';
import { generateDemoHospital } from './demo';
import { canonicalCsv } from './demo-csv';
import type { StoredDeviceFields } from './repository';
import { createDeviceRepository, pageStrategy } from './repository';
import { bulkLoadThreshold, createInventoryService } from './service';

const tempDir = useTempDirs();
const opened: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

function open(): SqliteDatabase {
  const db = openDatabase(join(tempDir(), 'wardkeep.db'), randomBytes(32));
  opened.push(db);
  return db;
}

function indexesOf(db: SqliteDatabase): { name: string; sql: string | null }[] {
  return db
    .prepare<[], { name: string; sql: string | null }>(
      "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name",
    )
    .all();
}

function inventoryOn(
  db: SqliteDatabase,
  importThreads = true,
  debug: (message: string, fields?: Record<string, unknown>) => void = () => undefined,
) {
  return createInventoryService({
    db,
    importThreads,
    clock: frozenClock(Date.UTC(2026, 10, 23)),
    ids: sequentialIds('dev'),
    logger: {
      debug,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
  });
}

const at = '2026-11-23T00:00:00.000Z';
const later = '2026-11-23T00:01:00.000Z';

function storedDevice(serialNumber: string): StoredDeviceFields {
  return {
    manufacturer: 'Acme Medical',
    manufacturerKey: 'acme medical',
    model: 'InfuStar 3',
    serialNumber,
    deviceClass: 'infusion_pump',
    assetTag: null,
    udiDeviceIdentifier: null,
    udiProductionIdentifier: null,
    udiIssuer: null,
    criticality: 'unassessed',
    site: null,
    building: null,
    floor: null,
    room: null,
    bed: null,
    department: null,
    macAddress: null,
    ipAddress: null,
    hostname: null,
    firmwareVersion: null,
    lifecycleState: 'received',
    endOfLife: null,
    notes: null,
  };
}

function feedOf(db: SqliteDatabase): [string, number, string, string][] {
  return db
    .prepare<[], [string, number, string, string]>(
      'SELECT entity_uid, revision, operation, at FROM changes ORDER BY seq',
    )
    .raw(true)
    .all();
}

/** The devices whose search text has a word starting with `prefix`. */
function searchRowids(db: SqliteDatabase, prefix: string): number[] {
  return db
    .prepare<[string], number>(
      'SELECT rowid FROM devices_search WHERE devices_search MATCH ? ORDER BY rowid',
    )
    .pluck(true)
    .all(`"${prefix}"*`);
}

describe('bulk import', () => {
  const count = bulkLoadThreshold + 500;
  const csv = canonicalCsv(generateDemoHospital(7, count));

  it('gives the same rows, indexes, search results and change feed as the row-by-row path', async () => {
    const bulkDb = open();
    const schemaBefore = indexesOf(bulkDb);
    const bulk = inventoryOn(bulkDb);
    const bulkReport = await bulk.importFile('big.csv', csv, { skipInvalid: false });
    expect(bulkReport).toMatchObject({ committed: true, created: count, invalidRows: 0 });
    expect(indexesOf(bulkDb)).toEqual(schemaBefore);
    expect(bulkDb.pragma('integrity_check', { simple: true })).toBe('ok');

    // The same file in two parts, each below the bulk threshold, so both go row by row.
    const rowDb = open();
    const rows = inventoryOn(rowDb);
    const lines = csv.split('\r\n');
    const header = lines[0] ?? '';
    const cut = Math.floor((count * 2) / 3) + 1;
    const first = [header, ...lines.slice(1, cut)].join('\r\n');
    const second = [header, ...lines.slice(cut)].join('\r\n');
    await rows.importFile('first.csv', first, { skipInvalid: false });
    await rows.importFile('second.csv', second, { skipInvalid: false });

    const everything = DeviceQuery.parse({ limit: 500 });
    const strip = (page: ReturnType<typeof bulk.list>) =>
      page.rows.map(({ serialNumber, manufacturer, site }) => [serialNumber, manufacturer, site]);
    for (const query of [
      everything,
      DeviceQuery.parse({ text: 'ventilator', limit: 500 }),
      DeviceQuery.parse({ criticality: 'life_sustaining', sort: 'site', limit: 500 }),
      DeviceQuery.parse({ lifecycleState: 'in_service', sort: 'model', offset: 1000 }),
    ]) {
      const fromBulk = bulk.list(query);
      const fromRows = rows.list(query);
      expect(fromBulk.total, JSON.stringify(query)).toBe(fromRows.total);
      expect(fromBulk.total, JSON.stringify(query)).toBeGreaterThan(0);
      expect(strip(fromBulk)).toEqual(strip(fromRows));
    }
    const feed = (db: SqliteDatabase) =>
      db
        .prepare<[], { n: number }>("SELECT count(*) AS n FROM changes WHERE operation = 'create'")
        .get()?.n;
    expect(feed(bulkDb)).toBe(count);
    expect(feed(rowDb)).toBe(count);
    // Every device is in the search index exactly once.
    const searchRows = (db: SqliteDatabase) =>
      db.prepare<[], { n: number }>('SELECT count(*) AS n FROM devices_search').get()?.n;
    expect(searchRows(bulkDb)).toBe(count);
    expect(searchRows(rowDb)).toBe(count);
    bulk.dispose();
    rows.dispose();
  });

  it('rolls the dropped indexes back with everything else when the load fails', () => {
    const db = open();
    const repository = createDeviceRepository(db);
    const before = indexesOf(db);
    expect(() =>
      repository.bulkTransaction(() => {
        throw new Error('the load failed half way');
      }),
    ).toThrow('the load failed half way');
    expect(indexesOf(db)).toEqual(before);
  });

  it('refuses a duplicate identity at the end of a bulk load, writing nothing', () => {
    const db = open();
    const repository = createDeviceRepository(db);
    const before = indexesOf(db);
    expect(() =>
      repository.bulkTransaction(() => {
        repository.insertDevice('dev-1', storedDevice('SN-1'), at);
        repository.insertDevice('dev-2', storedDevice('SN-2'), at);
        repository.insertDevice('dev-3', storedDevice('SN-1'), at);
      }),
    ).toThrow(/UNIQUE constraint failed: devices\.manufacturer_key, devices\.serial_number/);
    expect(indexesOf(db)).toEqual(before);
    expect(db.prepare('SELECT count(*) AS n FROM devices').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM changes').get()).toEqual({ n: 0 });
  });

  it('keeps the change feed in write order when creations and updates interleave', () => {
    const db = open();
    const repository = createDeviceRepository(db);
    repository.transaction(() => {
      repository.insertDevice('dev-1', storedDevice('SN-1'), at);
      repository.insertDevice('dev-2', storedDevice('SN-2'), at);
      repository.updateDevice(1, { ...storedDevice('SN-1'), room: 'R-7' }, later);
      repository.insertDevice('dev-3', storedDevice('SN-3'), later);
      repository.insertDevice('dev-4', storedDevice('SN-4'), later);
    });
    expect(feedOf(db)).toEqual([
      ['dev-1', 1, 'create', at],
      ['dev-2', 1, 'create', at],
      ['dev-1', 2, 'update', later],
      ['dev-3', 1, 'create', later],
      ['dev-4', 1, 'create', later],
    ]);
    expect(searchRowids(db, 'R')).toEqual([1]);
    expect(searchRowids(db, 'SN')).toEqual([1, 2, 3, 4]);
  });

  it('forgets the devices of a rolled-back savepoint in the change feed and the search index', () => {
    const db = open();
    const repository = createDeviceRepository(db);
    repository.transaction(() => {
      repository.insertDevice('dev-1', storedDevice('SN-1'), at);
      expect(() =>
        repository.transaction(() => {
          repository.insertDevice('dev-2', storedDevice('SN-2'), at);
          throw new Error('the inner write failed');
        }),
      ).toThrow('the inner write failed');
      // SQLite gives the next device the id the rolled-back one had.
      expect(repository.insertDevice('dev-3', storedDevice('SN-3'), at)).toBe(2);
    });
    expect(feedOf(db)).toEqual([
      ['dev-1', 1, 'create', at],
      ['dev-3', 1, 'create', at],
    ]);
    expect(searchRowids(db, 'SN')).toEqual([1, 2]);
    expect(searchRowids(db, 'SN-2')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('refuses a device write outside a transaction', () => {
    const repository = createDeviceRepository(open());
    expect(() => repository.updateDevice(1, {} as never, '2026-11-23T00:00:00.000Z')).toThrow(
      'device writes must run inside repository.transaction',
    );
  });
});

describe('where the rows are checked', () => {
  it('writes the same devices, change feed and reports on a worker thread as on this one', async () => {
    const devices = generateDemoHospital(12, 1200);
    const first = canonicalCsv(devices.slice(0, 900));
    // A second file: 300 known devices (100 of them changed), 300 new, a blank-field row, and a
    // toaster copy of a changed device, which also makes that device's own row a duplicate.
    const changed = devices
      .slice(600, 900)
      .map((device, index) => (index < 100 ? { ...device, notes: `checked ${index}` } : device));
    const lines = canonicalCsv([...changed, ...devices.slice(900)]).split('\r\n');
    lines.splice(5, 0, lines[5]?.replace(/,[a-z_]+_pump,|,[a-z_]+,/, ',toaster,') ?? '');
    lines.push('Acme Medical,,,');
    const second = lines.join('\r\n');

    const outcomes = [];
    const threaded: unknown[] = [];
    for (const threads of [true, false]) {
      const db = open();
      const inventory = inventoryOn(db, threads, (message, fields) => {
        if (message === 'import rows read') threaded.push(fields?.threaded);
      });
      const reports = [
        await inventory.importFile('first.csv', first, { skipInvalid: false }),
        await inventory.importFile('second.csv', second, { skipInvalid: false }),
        await inventory.importFile('second.csv', second, { skipInvalid: true }),
      ];
      outcomes.push({
        reports,
        devices: db.prepare('SELECT * FROM devices ORDER BY id').raw(true).all(),
        feed: feedOf(db),
      });
      inventory.dispose();
    }
    expect(threaded).toEqual([true, true, true, false, false, false]);
    const [worker, here] = outcomes;
    expect(worker?.reports[0]).toMatchObject({ committed: true, created: 900 });
    expect(worker?.reports[1]).toMatchObject({
      committed: false,
      created: 300,
      updated: 99,
      unchanged: 200,
      invalidRows: 3,
    });
    expect(worker?.reports[2]).toMatchObject({ committed: true, created: 300, updated: 99 });
    expect(worker).toEqual(here);
  });
});

describe('text with filters', () => {
  it('counts the same whichever side drives the count', async () => {
    const db = open();
    const inventory = inventoryOn(db);
    await inventory.importFile('big.csv', canonicalCsv(generateDemoHospital(11, 3000)), {
      skipInvalid: false,
    });
    const direct = (text: string, condition: string) =>
      db
        .prepare<[string], { n: number }>(
          `SELECT count(*) AS n FROM devices WHERE ${condition} AND id IN
             (SELECT rowid FROM devices_search WHERE devices_search MATCH ?)`,
        )
        .get(`"${text}"*`)?.n;
    // Few text matches against a broad filter, and many text matches against a narrow one.
    const cases: [string, Record<string, string>, string][] = [
      ['ventilator', { lifecycleState: 'in_service' }, 'lifecycle_rank = 1'],
      ['pump', { criticality: 'high' }, 'criticality_rank = 1'],
      [
        'monitor',
        { deviceClass: 'patient_monitor', criticality: 'high' },
        "device_class = 'patient_monitor' AND criticality_rank = 1",
      ],
    ];
    for (const [text, filters, condition] of cases) {
      const page = inventory.list(DeviceQuery.parse({ text, ...filters, limit: 500 }));
      expect(page.total, text).toBe(direct(text, condition));
      expect(page.total, text).toBeGreaterThan(0);
      expect(page.rows).toHaveLength(Math.min(page.total, 500));
    }
    inventory.dispose();
  });

  it('finds the same matches through every repository sharing a connection, in any order', async () => {
    const db = open();
    const inventory = inventoryOn(db);
    await inventory.importFile('big.csv', canonicalCsv(generateDemoHospital(13, 3000)), {
      skipInvalid: false,
    });
    const other = createDeviceRepository(db);
    const ids = (page: { rows: { id: number }[] }) => page.rows.map((row) => row.id);
    // Many matches (tested through the marked ids) and few (enumerated), alternating callers.
    for (const text of ['pump', 'ventilator', 'pump']) {
      const query = DeviceQuery.parse({ text, sort: 'model', limit: 200 });
      const expected = searchRowids(db, text);
      const first = inventory.list(query);
      const second = other.list(query);
      expect(first.total, text).toBe(expected.length);
      expect(second).toEqual(first);
      expect(ids(first).every((id) => expected.includes(id))).toBe(true);
    }
    inventory.dispose();
  });
});

describe('pageStrategy', () => {
  it('walks the sort index when matches are many, and sorts the matches when they are few', () => {
    expect(pageStrategy(100_000, 100_000, 0, 100)).toBe('walk-sort-index');
    expect(pageStrategy(18_915, 100_000, 0, 100)).toBe('walk-sort-index');
    expect(pageStrategy(222, 100_000, 0, 100)).toBe('sort-matches');
    // Deep in a mid-sized result, walking would read most of the table: sort instead.
    expect(pageStrategy(18_915, 100_000, 15_000, 100)).toBe('sort-matches');
  });
});

describe('the journal of a bulk load', () => {
  it('writes a large first load through a rollback journal and returns to WAL afterwards', async () => {
    const db = open();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const inventory = inventoryOn(db);
    const journalModes: string[] = [];
    const staged = inventory.stage(
      'big.csv',
      canonicalCsv(generateDemoHospital(7, bulkLoadThreshold)),
    );
    const report = await inventory.commit(
      staged.stagingId,
      staged.suggestedMapping,
      false,
      (progress) => {
        if (progress.phase === 'writing' && journalModes.length === 0)
          journalModes.push(db.pragma('journal_mode', { simple: true }) as string);
      },
    );
    expect(report).toMatchObject({ committed: true, created: bulkLoadThreshold });
    expect(journalModes).toEqual(['delete']);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT count(*) AS n FROM devices').get()).toEqual({ n: bulkLoadThreshold });
    inventory.dispose();
  });

  it('writes the search index of a large load as one segment, merging nothing', async () => {
    const db = open();
    expect(
      db.prepare("SELECT v FROM devices_search_config WHERE k = 'hashsize'").pluck(true).get(),
    ).toBe(64 * 1024 * 1024);
    const inventory = inventoryOn(db);
    const report = await inventory.importFile(
      'big.csv',
      canonicalCsv(generateDemoHospital(9, 4 * bulkLoadThreshold)),
      { skipInvalid: false },
    );
    expect(report.committed).toBe(true);
    // With FTS5's default 1 MiB buffer this load wrote several segments.
    expect(
      db.prepare('SELECT count(DISTINCT segid) FROM devices_search_idx').pluck(true).get(),
    ).toBe(1);
    expect(searchRowids(db, 'infusion').length).toBeGreaterThan(0);
    inventory.dispose();
  });

  it('stays in WAL mode when another connection has the store open', async () => {
    const file = join(tempDir(), 'wardkeep.db');
    const key = randomBytes(32);
    const db = openDatabase(file, key);
    const other = openDatabase(file, key);
    opened.push(db, other);
    other.prepare('SELECT count(*) FROM devices').get();
    const inventory = inventoryOn(db);
    const report = await inventory.importFile(
      'big.csv',
      canonicalCsv(generateDemoHospital(8, bulkLoadThreshold)),
      { skipInvalid: false },
    );
    expect(report.committed).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(other.prepare('SELECT count(*) AS n FROM devices').get()).toEqual({
      n: bulkLoadThreshold,
    });
    inventory.dispose();
  });
});
