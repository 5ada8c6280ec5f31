import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import type { DeviceRecord, ImportProgress } from '../../src-preload/contract';
import { DeviceQuery, canonicalFields, deviceSortFields } from '../../src-preload/contract';
import { frozenClock } from '../lib/clock';
import { WardkeepFailure } from '../lib/errors';
import type { IdGenerator } from '../lib/ids';
import { sequentialIds } from '../lib/ids';
import type { Logger } from '../lib/logger';
import type { SqliteDatabase } from '../store/database';
import { openDatabase } from '../store/database';
import { writeCsv } from './csv';
import { fieldNames } from './device-fields';
import { criticalityRanks, lifecycleRanks } from './repository';
import type { ImportFileOptions, InventoryService } from './service';
import { createInventoryService, stagingLifetimeMs } from './service';

const tempDir = useTempDirs();
const startMs = Date.UTC(2026, 10, 23, 10);
const startIso = '2026-11-23T10:00:00.000Z';

interface Store {
  dir: string;
  file: string;
  db: SqliteDatabase;
  clock: ReturnType<typeof frozenClock>;
  inventory: InventoryService;
  logs: string[];
}

const openStores: Store[] = [];
afterEach(() => {
  for (const store of openStores.splice(0)) {
    store.inventory.dispose();
    if (store.db.open) store.db.close();
  }
});

function collectingLogger(messages: string[]): Logger {
  const note = (message: string): void => void messages.push(message);
  return { debug: note, info: note, warn: note, error: note };
}

/** A real encrypted store in its own temporary directory, with a frozen clock. */
function openStore(
  options: { ids?: IdGenerator; observe?: (db: SqliteDatabase) => SqliteDatabase } = {},
): Store {
  const dir = tempDir();
  const file = join(dir, 'wardkeep.db');
  const db = openDatabase(file, randomBytes(32));
  const clock = frozenClock(startMs);
  const logs: string[] = [];
  const inventory = createInventoryService({
    db: options.observe ? options.observe(db) : db,
    clock,
    ids: options.ids ?? sequentialIds('dev'),
    logger: collectingLogger(logs),
  });
  const store = { dir, file, db, clock, inventory, logs };
  openStores.push(store);
  return store;
}

function importCsv(store: Store, text: string, options: Partial<ImportFileOptions> = {}) {
  return store.inventory.importFile('devices.csv', text, { skipInvalid: false, ...options });
}

function list(store: Store, query: DeviceQuery = {}) {
  return store.inventory.list(DeviceQuery.parse(query));
}

function serials(store: Store, query: DeviceQuery = {}): string[] {
  return list(store, query).rows.map((device) => device.serialNumber);
}

function allDevices(store: Store): DeviceRecord[] {
  return list(store, { sort: 'updatedAt', limit: 1000 }).rows.sort((a, b) => a.id - b.id);
}

/** What an import sets: every canonical field of the record, keyed by CSV column. */
function canonicalValues(device: DeviceRecord): Record<string, string | null> {
  return Object.fromEntries(canonicalFields.map((field) => [field, device[fieldNames[field]]]));
}

function changeFeed(
  store: Store,
): Array<{ entityUid: string; revision: number; operation: string }> {
  return store.db
    .prepare<[], { entityUid: string; revision: number; operation: string }>(
      'SELECT entity_uid AS entityUid, revision, operation FROM changes ORDER BY seq',
    )
    .all();
}

function thrown(work: () => unknown): WardkeepFailure {
  try {
    work();
  } catch (error) {
    if (error instanceof WardkeepFailure) return error;
    throw error;
  }
  throw new Error('expected a WardkeepFailure');
}

async function rejected(promise: Promise<unknown>): Promise<WardkeepFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WardkeepFailure) return error;
    throw error;
  }
  throw new Error('expected a WardkeepFailure');
}

function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

const minimalHeader = 'manufacturer,model,serial_number,device_class';

/** `count` valid rows with serial numbers SN-00001…, for tests where size matters. */
function manyRows(count: number): string[] {
  return Array.from(
    { length: count },
    (_, index) => `Acme Medical,InfuStar 3,SN-${String(index + 1).padStart(5, '0')},infusion_pump`,
  );
}

describe('inventory import', () => {
  it('accepts canonical headers in any case, order and padding, and stores every field', async () => {
    const store = openStore();
    const text = lines(
      ' SERIAL_NUMBER ,Manufacturer,MODEL,Device_Class,Asset_Tag,UDI_DI,udi_pi,Udi_Issuer,' +
        'Criticality,Site,Building,Floor,Room,Bed,Department,MAC_Address,IP_Address,Hostname,' +
        'Firmware_Version,Lifecycle_State,End_Of_Life,Notes',
      'FL3-0001,Meridian Infusion Systems,FlowLine 300,Infusion Pump,A-1,00845611500019,' +
        '(17)290630(10)LOT42,gs1,High,General,North,2,201,3,ICU,00-1A-2B-3C-4D-5E,10.1.0.5,' +
        'Pump-1.ICU.example.org,3.4.2,In Service,2031-06-30,Drug library v14',
    );
    const staged = store.inventory.stage('devices.csv', text);
    expect(staged.headers[0]).toBe('SERIAL_NUMBER');
    expect(staged.suggestedMapping).toMatchObject({
      serial_number: 'SERIAL_NUMBER',
      manufacturer: 'Manufacturer',
      udi_issuer: 'Udi_Issuer',
      notes: 'Notes',
    });
    expect(Object.keys(staged.suggestedMapping).sort()).toEqual([...canonicalFields].sort());
    store.inventory.discard(staged.stagingId);

    const report = await importCsv(store, text);
    expect(report).toEqual({
      committed: true,
      rows: 1,
      created: 1,
      updated: 0,
      unchanged: 0,
      invalidRows: 0,
      issues: [],
    });
    expect(store.inventory.get(1)).toEqual({
      id: 1,
      uid: expect.stringMatching(/^dev-\d{6}$/) as string,
      assetTag: 'A-1',
      manufacturer: 'Meridian Infusion Systems',
      model: 'FlowLine 300',
      serialNumber: 'FL3-0001',
      udiDeviceIdentifier: '00845611500019',
      udiProductionIdentifier: '(17)290630(10)LOT42',
      udiIssuer: 'GS1',
      deviceClass: 'infusion_pump',
      criticality: 'high',
      site: 'General',
      building: 'North',
      floor: '2',
      room: '201',
      bed: '3',
      department: 'ICU',
      macAddress: '00:1a:2b:3c:4d:5e',
      ipAddress: '10.1.0.5',
      hostname: 'pump-1.icu.example.org',
      firmwareVersion: '3.4.2',
      lifecycleState: 'in_service',
      endOfLife: '2031-06-30',
      notes: 'Drug library v14',
      revision: 1,
      createdAt: startIso,
      updatedAt: startIso,
    });
    expect(changeFeed(store)).toEqual([
      { entityUid: store.inventory.get(1).uid, revision: 1, operation: 'create' },
    ]);
  });

  // Six records on eight lines: line 4 opens a note that runs over line 5, so every later line
  // number is physical.
  const mixedFile = lines(
    'manufacturer,model,serial_number,device_class,criticality,mac_address,end_of_life,notes',
    'Acme Medical,InfuStar 3,SN-001,infusion_pump,high,00:1a:2b:3c:4d:5e,2031-06-30,fine',
    'Acme Medical,InfuStar 3,SN-002,infusion_pump,severe,00:1a:2b:3c:4d,2031-06-30,two faults',
    'Acme Medical,InfuStar 3,SN-003,infusion_pump,low,,unknown,"a note',
    'over two lines"',
    'Acme Medical,InfuStar 3,SN-004,infusion_pump,low',
    ',InfuStar 3,SN-005,toaster,low,,2025-02-30,three faults',
    'Acme Medical,InfuStar 3,SN-006,infusion_pump,low,,,,one too many',
  );
  const mixedFileIssues = [
    { line: 3, column: 'criticality', reason: '"severe" is not a known criticality' },
    { line: 3, column: 'mac_address', reason: '"00:1a:2b:3c:4d" is not a MAC address' },
    { line: 6, column: null, reason: 'the row has 5 fields but the header has 8' },
    { line: 7, column: 'manufacturer', reason: 'Manufacturer is required' },
    { line: 7, column: 'device_class', reason: '"toaster" is not a known device class' },
    { line: 7, column: 'end_of_life', reason: '"2025-02-30" is not a date in the form YYYY-MM-DD' },
    { line: 8, column: null, reason: 'the row has 9 fields but the header has 8' },
  ];

  it('writes nothing when one row is invalid, and reports every invalid row with line, column and reason', async () => {
    const store = openStore();
    const report = await importCsv(store, mixedFile);
    expect(report).toEqual({
      committed: false,
      rows: 6,
      created: 2,
      updated: 0,
      unchanged: 0,
      invalidRows: 4,
      issues: mixedFileIssues,
    });
    expect(list(store).total).toBe(0);
    expect(changeFeed(store)).toEqual([]);
  });

  it('imports the valid rows and reports the rest when told to skip invalid rows', async () => {
    const store = openStore();
    const report = await importCsv(store, mixedFile, { skipInvalid: true });
    expect(report).toEqual({
      committed: true,
      rows: 6,
      created: 2,
      updated: 0,
      unchanged: 0,
      invalidRows: 4,
      issues: mixedFileIssues,
    });
    expect(allDevices(store).map((device) => [device.serialNumber, device.notes])).toEqual([
      ['SN-001', 'fine'],
      ['SN-003', 'a note\nover two lines'],
    ]);
  });

  it('skips blank lines without counting them, and keeps later lines physical', async () => {
    const store = openStore();
    const report = await importCsv(
      store,
      lines(minimalHeader, 'Acme,P1,S1,ecg', '', ' , ,,', 'Acme,P1,S2,toaster'),
    );
    expect(report).toMatchObject({ committed: false, rows: 2, invalidRows: 1 });
    expect(report.issues).toEqual([
      { line: 5, column: 'device_class', reason: '"toaster" is not a known device class' },
    ]);
  });

  it('counts every row unchanged when the same file is imported again, and writes nothing', async () => {
    const store = openStore();
    const text = lines(
      `${minimalHeader},room,notes`,
      'Acme Medical,InfuStar 3,SN-001,infusion_pump,101,',
      'Acme Medical,InfuStar 3,SN-002,infusion_pump,102,"quoted, with comma"',
      'Aerion Respiratory,BreathPro 700,SN-001,ventilator,103,-5 cmH2O offset',
    );
    expect(await importCsv(store, text)).toMatchObject({ created: 3, committed: true });
    store.clock.advance(60_000);
    expect(await importCsv(store, text)).toEqual({
      committed: true,
      rows: 3,
      created: 0,
      updated: 0,
      unchanged: 3,
      invalidRows: 0,
      issues: [],
    });
    expect(allDevices(store).map((device) => [device.revision, device.updatedAt])).toEqual([
      [1, startIso],
      [1, startIso],
      [1, startIso],
    ]);
    expect(changeFeed(store)).toHaveLength(3);
  });

  it('counts a changed field as an update of the same device, raising its revision once', async () => {
    const store = openStore();
    const header = `${minimalHeader},criticality,room`;
    await importCsv(
      store,
      lines(
        header,
        'Acme Medical,InfuStar 3,SN-001,infusion_pump,high,101',
        'Acme Medical,InfuStar 3,SN-002,infusion_pump,high,102',
      ),
    );
    store.clock.advance(60_000);
    const report = await importCsv(
      store,
      lines(
        header,
        'Acme Medical,InfuStar 3,SN-001,infusion_pump,high,105',
        'Acme Medical,InfuStar 3,SN-002,infusion_pump,high,102',
      ),
    );
    expect(report).toMatchObject({ committed: true, created: 0, updated: 1, unchanged: 1 });
    const [first, second] = allDevices(store);
    expect(list(store).total).toBe(2);
    expect(first).toMatchObject({
      id: 1,
      room: '105',
      revision: 2,
      createdAt: startIso,
      updatedAt: '2026-11-23T10:01:00.000Z',
    });
    expect(second).toMatchObject({ id: 2, room: '102', revision: 1, updatedAt: startIso });
    expect(changeFeed(store).map((change) => [change.operation, change.revision])).toEqual([
      ['create', 1],
      ['create', 1],
      ['update', 2],
    ]);
  });

  it('matches a device by manufacturer in any case and spacing and by the trimmed serial number; serial case matters', async () => {
    const store = openStore();
    await importCsv(store, lines(minimalHeader, 'Acme Medical,InfuStar 3,SN-001,infusion_pump'));
    const report = await importCsv(
      store,
      lines(
        minimalHeader,
        '  ACME   medical ,InfuStar 3,  SN-001 ,infusion_pump',
        'Acme Medical,InfuStar 3,sn-001,infusion_pump',
      ),
    );
    // The same device, whose manufacturer is now spelled as the file spells it (trimmed only);
    // a serial number differing in case is another device.
    expect(report).toMatchObject({ committed: true, created: 1, updated: 1, unchanged: 0 });
    expect(
      allDevices(store).map((device) => [device.id, device.manufacturer, device.serialNumber]),
    ).toEqual([
      [1, 'ACME   medical', 'SN-001'],
      [2, 'Acme Medical', 'sn-001'],
    ]);
  });

  it('keeps stored values of fields the file has no column for', async () => {
    const store = openStore();
    await importCsv(
      store,
      lines(
        `${minimalHeader},criticality,site,notes`,
        'Acme Medical,InfuStar 3,SN-001,infusion_pump,life_sustaining,General,keep me',
      ),
    );
    const report = await importCsv(
      store,
      lines(`${minimalHeader},room`, 'Acme Medical,InfuStar 3,SN-001,infusion_pump,301'),
    );
    expect(report).toMatchObject({ updated: 1 });
    expect(store.inventory.get(1)).toMatchObject({
      criticality: 'life_sustaining',
      site: 'General',
      notes: 'keep me',
      room: '301',
    });
    // An empty cell, unlike a missing column, clears the value or resets it to its default.
    await importCsv(
      store,
      lines(`${minimalHeader},criticality,notes`, 'Acme Medical,InfuStar 3,SN-001,infusion_pump,,'),
    );
    expect(store.inventory.get(1)).toMatchObject({ criticality: 'unassessed', notes: null });
  });

  it('compares only the columns a file has: equal ones leave the device unchanged, in the preview too', async () => {
    const store = openStore();
    await importCsv(
      store,
      lines(
        `${minimalHeader},site,room,notes`,
        'Acme Medical,InfuStar 3,SN-001,infusion_pump,General,101,first note',
        'Acme Medical,InfuStar 3,SN-002,infusion_pump,General,102,second note',
      ),
    );
    store.clock.advance(60_000);
    const narrower = lines(
      `${minimalHeader},room`,
      'Acme Medical,InfuStar 3,SN-001,infusion_pump,101',
      'Acme Medical,InfuStar 3,SN-002,infusion_pump,202',
    );
    const staged = store.inventory.stage('narrower.csv', narrower);
    expect(store.inventory.validate(staged.stagingId, staged.suggestedMapping)).toMatchObject({
      committed: false,
      created: 0,
      updated: 1,
      unchanged: 1,
    });
    expect(await importCsv(store, narrower)).toMatchObject({ updated: 1, unchanged: 1 });
    expect(allDevices(store).map((device) => [device.room, device.notes, device.revision])).toEqual(
      [
        ['101', 'first note', 1],
        ['202', 'second note', 2],
      ],
    );
    expect(changeFeed(store).map((change) => change.operation)).toEqual([
      'create',
      'create',
      'update',
    ]);
  });

  it('reports a device listed twice in one file as a duplicate of its first line', async () => {
    const text = lines(
      `${minimalHeader},room`,
      'Acme Medical,InfuStar 3,SN-001,infusion_pump,101',
      'ACME  medical,InfuStar 3, SN-001 ,infusion_pump,102',
      'Acme Medical,InfuStar 3,SN-002,infusion_pump,103',
    );
    const duplicate = {
      line: 3,
      column: 'serial_number',
      reason: 'duplicate of line 2 (same manufacturer and serial number)',
    };
    const strict = openStore();
    expect(await importCsv(strict, text)).toEqual({
      committed: false,
      rows: 3,
      created: 2,
      updated: 0,
      unchanged: 0,
      invalidRows: 1,
      issues: [duplicate],
    });
    expect(list(strict).total).toBe(0);

    const lenient = openStore();
    expect(await importCsv(lenient, text, { skipInvalid: true })).toMatchObject({
      committed: true,
      created: 2,
      invalidRows: 1,
      issues: [duplicate],
    });
    // The first occurrence wins.
    expect(allDevices(lenient).map((device) => [device.serialNumber, device.room])).toEqual([
      ['SN-001', '101'],
      ['SN-002', '103'],
    ]);
  });

  it('refuses a file without a required column with a clear mapping error, writing nothing', async () => {
    const store = openStore();
    const failure = await rejected(
      importCsv(store, lines('manufacturer,model,device_class', 'Acme,P1,ecg')),
    );
    expect(failure.code).toBe('import.mapping');
    expect(failure.message).toBe('serial_number is required but not mapped');
    expect(failure.details).toEqual({
      problems: [{ field: 'serial_number', reason: 'serial_number is required but not mapped' }],
    });
    expect(list(store).total).toBe(0);
  });

  it('refuses a mapping naming a missing or repeated header, or only half of the UDI', () => {
    const store = openStore();
    const staged = store.inventory.stage(
      'devices.csv',
      lines('Make,Model,SN,SN,Class,DI', 'Acme,P1,S1,S1,ecg,4006381333931'),
    );
    const failure = thrown(() =>
      store.inventory.validate(staged.stagingId, {
        manufacturer: 'Vendor',
        model: 'Model',
        serial_number: 'SN',
        device_class: 'Class',
        udi_di: 'DI',
      }),
    );
    expect(failure.code).toBe('import.mapping');
    expect(failure.details).toEqual({
      problems: [
        {
          field: 'manufacturer',
          reason: 'manufacturer is mapped to "Vendor", which the file does not have',
        },
        {
          field: 'serial_number',
          reason: 'serial_number is mapped to "SN", which the file has twice',
        },
        { field: null, reason: 'udi_di and udi_issuer must be mapped together' },
      ],
    });
    // Repeated headers are never suggested.
    expect(staged.suggestedMapping.serial_number).toBeUndefined();
  });

  it('refuses a file that is not CSV or has no header row, naming the line', () => {
    const store = openStore();
    const empty = thrown(() => store.inventory.stage('empty.csv', ''));
    expect([empty.code, empty.message]).toEqual([
      'import.invalid',
      'empty.csv: the file has no header row',
    ]);
    const blank = thrown(() => store.inventory.stage('blank.csv', '\n\n'));
    expect(blank.message).toBe('blank.csv: the file has no header row');
    const broken = thrown(() =>
      store.inventory.stage(
        'broken.csv',
        lines(minimalHeader, 'Acme,P1,S1,ecg', 'Acme,"P2,S2,ecg'),
      ),
    );
    expect(broken.code).toBe('import.invalid');
    expect(broken.message).toBe('broken.csv: line 3: a quoted field is never closed');
    expect(broken.details).toEqual({ line: 3, reason: 'csv.unterminated_quote' });
  });

  it('refuses, writing nothing, a one-step import whose file stops being CSV after many rows', async () => {
    const store = openStore();
    const text = lines(minimalHeader, ...manyRows(2500), 'Acme,"P2,S2,ecg');
    const broken = await rejected(
      store.inventory.importFile('broken.csv', text, { skipInvalid: true }),
    );
    expect([broken.code, broken.message]).toEqual([
      'import.invalid',
      'broken.csv: line 2502: a quoted field is never closed',
    ]);
    expect(broken.details).toEqual({ line: 2502, reason: 'csv.unterminated_quote' });
    expect(list(store).total).toBe(0);
    const empty = await rejected(
      store.inventory.importFile('empty.csv', '', { skipInvalid: false }),
    );
    expect(empty.message).toBe('empty.csv: the file has no header row');
  });

  it('commits a header-only file as an empty import', async () => {
    const store = openStore();
    expect(await importCsv(store, `${minimalHeader}\r\n`)).toEqual({
      committed: true,
      rows: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      invalidRows: 0,
      issues: [],
    });
  });

  it('imports a non-canonical export through a saved mapping, which later files match by their headers', async () => {
    const store = openStore();
    const text = lines(
      'Inventar-Nr,Hersteller,Typbezeichnung,Seriennummer,Geraeteart,Standort',
      'INV-1,Acme Medical,InfuStar 3,SN-001,Infusionspumpe,Nord',
      'INV-2,Acme Medical,InfuStar 3,SN-002,Infusionspumpe,Süd',
    );
    const unmapped = await rejected(importCsv(store, text));
    expect(unmapped.code).toBe('import.mapping');
    expect(unmapped.message).toBe(
      'manufacturer is required but not mapped; model is required but not mapped; ' +
        'serial_number is required but not mapped; device_class is required but not mapped',
    );

    const mapping = {
      asset_tag: 'Inventar-Nr',
      manufacturer: 'Hersteller',
      model: 'Typbezeichnung',
      serial_number: 'Seriennummer',
      device_class: 'Geraeteart',
      site: 'Standort',
    };
    // The device class column holds German words: a one-off mapping still fails on the values.
    const wrongValues = await importCsv(store, text, { mapping });
    expect(wrongValues.issues.map((issue) => [issue.line, issue.column])).toEqual([
      [2, 'device_class'],
      [3, 'device_class'],
    ]);

    store.inventory.saveMapping('Medusa CMMS', { ...mapping, asset_tag: 'Nope' });
    store.inventory.saveMapping('Medusa CMMS', mapping);
    store.inventory.saveMapping('Medusa narrow', {
      manufacturer: 'Hersteller',
      model: 'Typbezeichnung',
      serial_number: 'Seriennummer',
      device_class: 'Geraeteart',
    });
    store.inventory.saveMapping('Other CMMS', { manufacturer: 'Make', model: 'Model' });
    expect(store.inventory.listMappings()).toEqual([
      { name: 'Medusa CMMS', mapping },
      {
        name: 'Medusa narrow',
        mapping: {
          manufacturer: 'Hersteller',
          model: 'Typbezeichnung',
          serial_number: 'Seriennummer',
          device_class: 'Geraeteart',
        },
      },
      { name: 'Other CMMS', mapping: { manufacturer: 'Make', model: 'Model' } },
    ]);

    const fixed = text.replaceAll('Infusionspumpe', 'infusion pump');
    const staged = store.inventory.stage('devices.csv', fixed);
    expect(staged.matchedMappingName).toBe('Medusa CMMS');
    store.inventory.discard(staged.stagingId);
    expect(await importCsv(store, fixed)).toMatchObject({ committed: true, created: 2 });
    expect(allDevices(store).map((device) => [device.assetTag, device.site])).toEqual([
      ['INV-1', 'Nord'],
      ['INV-2', 'Süd'],
    ]);
  });

  it('validates as a dry run, and commits the staged file later', async () => {
    const store = openStore();
    const staged = store.inventory.stage(
      'devices.csv',
      lines(minimalHeader, 'Acme,P1,S1,ecg', 'Acme,P1,S2,ecg'),
    );
    expect(staged).toMatchObject({ fileName: 'devices.csv', rows: 2, matchedMappingName: null });
    const dryRun = store.inventory.validate(staged.stagingId, staged.suggestedMapping);
    expect(dryRun).toMatchObject({ committed: false, created: 2, invalidRows: 0 });
    expect(list(store).total).toBe(0);
    const report = await store.inventory.commit(staged.stagingId, staged.suggestedMapping, false);
    expect(report).toMatchObject({ committed: true, created: 2 });
    // A committed import is no longer staged.
    const again = await rejected(
      store.inventory.commit(staged.stagingId, staged.suggestedMapping, false),
    );
    expect(again.code).toBe('import.unknown_staging');
  });

  it('forgets a staged import after its lifetime without use, and after discard', async () => {
    const store = openStore();
    const text = lines(minimalHeader, 'Acme,P1,S1,ecg');
    const kept = store.inventory.stage('kept.csv', text);
    const expiring = store.inventory.stage('expiring.csv', text);
    store.clock.advance(stagingLifetimeMs - 1);
    store.inventory.validate(kept.stagingId, kept.suggestedMapping);
    store.clock.advance(1);
    expect(thrown(() => store.inventory.validate(expiring.stagingId, {})).code).toBe(
      'import.unknown_staging',
    );
    expect(store.inventory.validate(kept.stagingId, kept.suggestedMapping).created).toBe(1);
    store.inventory.discard(kept.stagingId);
    const discarded = await rejected(
      store.inventory.commit(kept.stagingId, kept.suggestedMapping, false),
    );
    expect(discarded.code).toBe('import.unknown_staging');
    expect(list(store).total).toBe(0);
  });

  it('refuses a second commit of an import already being committed, and a discard mid-commit writes nothing', async () => {
    const store = openStore();
    const text = lines(minimalHeader, ...manyRows(1500));
    const staged = store.inventory.stage('devices.csv', text);
    const first = store.inventory.commit(staged.stagingId, staged.suggestedMapping, false);
    const second = await rejected(
      store.inventory.commit(staged.stagingId, staged.suggestedMapping, false),
    );
    expect(second.message).toBe('this import is already being committed');
    expect(await first).toMatchObject({ committed: true, created: 1500 });

    const other = openStore();
    const staging = other.inventory.stage('devices.csv', text);
    const committing = other.inventory.commit(staging.stagingId, staging.suggestedMapping, false);
    other.inventory.discard(staging.stagingId);
    expect((await rejected(committing)).message).toBe(
      'the import was discarded before it was written',
    );
    expect(list(other).total).toBe(0);
  });

  it('reports progress that rises to the total as rows are checked and written, and ends with done', async () => {
    const store = openStore();
    const staged = store.inventory.stage('devices.csv', lines(minimalHeader, ...manyRows(2500)));
    const progress: Array<Omit<ImportProgress, 'stagingId'>> = [];
    const report = await store.inventory.commit(
      staged.stagingId,
      staged.suggestedMapping,
      false,
      (update) => progress.push(update),
    );
    expect(report).toMatchObject({ committed: true, rows: 2500, created: 2500 });
    expect(progress).toEqual([
      { phase: 'writing', done: 1000, total: 2500 },
      { phase: 'writing', done: 2000, total: 2500 },
      { phase: 'writing', done: 2500, total: 2500 },
      { phase: 'done', done: 2500, total: 2500 },
    ]);
    expect(list(store).total).toBe(2500);
  });

  it('reports progress of a refused import up to its last row, then done with nothing written', async () => {
    const store = openStore();
    const rows = manyRows(1200);
    rows[1100] = 'Acme Medical,InfuStar 3,SN-BAD,toaster';
    const staged = store.inventory.stage('devices.csv', lines(minimalHeader, ...rows));
    const progress: Array<Omit<ImportProgress, 'stagingId'>> = [];
    const report = await store.inventory.commit(
      staged.stagingId,
      staged.suggestedMapping,
      false,
      (update) => progress.push(update),
    );
    expect(report).toMatchObject({ committed: false, invalidRows: 1 });
    expect(report.issues).toEqual([
      { line: 1102, column: 'device_class', reason: '"toaster" is not a known device class' },
    ]);
    expect(progress).toEqual([
      { phase: 'writing', done: 1000, total: 1200 },
      { phase: 'writing', done: 1200, total: 1200 },
      { phase: 'done', done: 0, total: 1200 },
    ]);
    expect(list(store).total).toBe(0);
  });
});

// Six devices covering every criticality and lifecycle state; ids 1–6 in this order.
const listingFile = lines(
  'asset_tag,manufacturer,model,serial_number,device_class,criticality,site,building,room,' +
    'department,mac_address,ip_address,hostname,lifecycle_state,notes',
  'A-003,Acme Medical,InfuStar 3,S1,infusion_pump,high,General,North,201,ICU,00:1a:2b:3c:4d:5e,10.1.0.5,pump-1,in_service,Drug library v14',
  'A-001,Acme Medical,InfuStar 3,S2,infusion_pump,medium,General,South,105,Surgery,,10.1.0.6,,in_service,',
  ',Aerion Respiratory,BreathPro 700,S3,ventilator,life_sustaining,General,North,202,ICU,,,,in_service,',
  'A-002,Solvane Monitoring,VitaView 12,S4,patient_monitor,high,Eastfield,Main,12,ICU,0e:53:4f:00:00:01,10.2.0.9,vv-4,received,',
  'A-005,Solvane Monitoring,VitaView 15,S5,patient_monitor,low,Eastfield,Main,14,Ward 3,,,,quarantined,screen cracked',
  'A-004,Corvane Healthcare,ClinicPC W2,S6,workstation,,General,South,110,Admin,,,,decommissioned,',
);

async function listingStore(observe?: (db: SqliteDatabase) => SqliteDatabase): Promise<Store> {
  const store = openStore(observe ? { observe } : {});
  expect(await importCsv(store, listingFile)).toMatchObject({ committed: true, created: 6 });
  return store;
}

describe('inventory listing', () => {
  it('gives facets: the total and the distinct sites and buildings in order', async () => {
    const store = await listingStore();
    expect(store.inventory.facets()).toEqual({
      total: 6,
      sites: ['Eastfield', 'General'],
      buildings: ['Main', 'North', 'South'],
    });
  });

  it('filters by class, criticality, site, building and lifecycle state, with totals', async () => {
    const store = await listingStore();
    expect(serials(store, { deviceClass: 'patient_monitor' })).toEqual(['S4', 'S5']);
    expect(serials(store, { criticality: 'high' })).toEqual(['S4', 'S1']);
    expect(serials(store, { site: 'GENERAL' })).toEqual(['S3', 'S2', 'S1', 'S6']);
    expect(serials(store, { site: 'general', building: 'north' })).toEqual(['S3', 'S1']);
    expect(serials(store, { lifecycleState: 'in_service' })).toEqual(['S3', 'S2', 'S1']);
    expect(list(store, { lifecycleState: 'in_service', limit: 1 })).toMatchObject({ total: 3 });
    expect(list(store, { deviceClass: 'defibrillator' })).toEqual({
      total: 0,
      offset: 0,
      rows: [],
    });
  });

  it('searches free text by word prefix across fields, every term required', async () => {
    const store = await listingStore();
    expect(serials(store, { text: 'icu' })).toEqual(['S3', 'S4', 'S1']);
    expect(serials(store, { text: 'ICU north' })).toEqual(['S3', 'S1']);
    expect(serials(store, { text: 'vita' })).toEqual(['S4', 'S5']);
    expect(serials(store, { text: 'cracked' })).toEqual(['S5']);
    expect(serials(store, { text: 'infusion pump' })).toEqual(['S2', 'S1']);
    expect(serials(store, { text: '10.1.0.5' })).toEqual(['S1']);
    // A MAC address is found in any notation.
    expect(serials(store, { text: '001A.2B3C.4D5E' })).toEqual(['S1']);
    expect(serials(store, { text: '00-1a-2b-3c-4d-5e' })).toEqual(['S1']);
    expect(serials(store, { text: 'icu', deviceClass: 'patient_monitor' })).toEqual(['S4']);
    expect(list(store, { text: 'icu' }).total).toBe(3);
  });

  it('treats search syntax in the text as plain words', async () => {
    const store = await listingStore();
    expect(serials(store, { text: '"icu"' })).toEqual(['S3', 'S4', 'S1']);
    expect(serials(store, { text: 'icu OR vita' })).toEqual([]);
    expect(serials(store, { text: 'NEAR(icu' })).toEqual([]);
    // Terms without letters or digits are dropped; none left means no text filter.
    expect(list(store, { text: '* " - ( )' }).total).toBe(6);
  });

  it('finds a device by its new text after an update, and not by the old', async () => {
    const store = await listingStore();
    await importCsv(store, listingFile.replace('screen cracked', 'screen replaced'));
    expect(serials(store, { text: 'cracked' })).toEqual([]);
    expect(serials(store, { text: 'replaced' })).toEqual(['S5']);
  });

  it('sorts in either direction with null first ascending and ties in id order, and pages with the total', async () => {
    const store = await listingStore();
    expect(serials(store)).toEqual(['S3', 'S2', 'S4', 'S1', 'S6', 'S5']);
    expect(serials(store, { descending: true })).toEqual(['S5', 'S6', 'S1', 'S4', 'S2', 'S3']);
    expect(serials(store, { sort: 'criticality' })).toEqual(['S3', 'S1', 'S4', 'S2', 'S5', 'S6']);
    expect(serials(store, { sort: 'criticality', descending: true })).toEqual([
      'S6',
      'S5',
      'S2',
      'S4',
      'S1',
      'S3',
    ]);
    // Class, site and lifecycle sort by their own column (site then building), ties in id order;
    // only the criticality sort goes on through the other filter columns.
    expect(serials(store, { sort: 'lifecycleState' })).toEqual([
      'S4',
      'S1',
      'S2',
      'S3',
      'S5',
      'S6',
    ]);
    expect(serials(store, { sort: 'deviceClass' })).toEqual(['S1', 'S2', 'S4', 'S5', 'S3', 'S6']);
    expect(serials(store, { sort: 'site' })).toEqual(['S4', 'S5', 'S1', 'S3', 'S2', 'S6']);
    expect(serials(store, { sort: 'site', descending: true })).toEqual([
      'S6',
      'S2',
      'S3',
      'S1',
      'S5',
      'S4',
    ]);
    expect(serials(store, { sort: 'manufacturer' })).toEqual(['S1', 'S2', 'S3', 'S6', 'S4', 'S5']);
    const page = list(store, { offset: 2, limit: 2 });
    expect({
      total: page.total,
      offset: page.offset,
      serials: page.rows.map((row) => row.serialNumber),
    }).toEqual({ total: 6, offset: 2, serials: ['S4', 'S1'] });
    expect(list(store, { offset: 6 })).toEqual({ total: 6, offset: 6, rows: [] });
  });

  it('gets one device by id, and fails with not_found for an unknown id', async () => {
    const store = await listingStore();
    expect(store.inventory.get(4)).toMatchObject({ serialNumber: 'S4', assetTag: 'A-002' });
    const failure = thrown(() => store.inventory.get(99));
    expect([failure.code, failure.message, failure.details]).toEqual([
      'not_found',
      'no device with id 99',
      { id: 99 },
    ]);
  });

  it('ranks criticality and lifecycle exactly as the generated sort columns of the schema do', async () => {
    const store = await listingStore();
    const rows = store.db
      .prepare<
        [],
        { criticality: string; criticalityRank: number; lifecycle: string; lifecycleRank: number }
      >(
        `SELECT criticality, criticality_rank AS criticalityRank,
           lifecycle_state AS lifecycle, lifecycle_rank AS lifecycleRank FROM devices`,
      )
      .all();
    expect(new Set(rows.map((row) => row.criticality)).size).toBe(
      Object.keys(criticalityRanks).length,
    );
    expect(new Set(rows.map((row) => row.lifecycle)).size).toBe(Object.keys(lifecycleRanks).length);
    for (const row of rows) {
      expect(criticalityRanks[row.criticality as keyof typeof criticalityRanks]).toBe(
        row.criticalityRank,
      );
      expect(lifecycleRanks[row.lifecycle as keyof typeof lifecycleRanks]).toBe(row.lifecycleRank);
    }
  });
});

/** The database handle, passing through every call but noting the SQL of each prepare. */
function notingPreparedSql(noted: string[]): (db: SqliteDatabase) => SqliteDatabase {
  return (db) =>
    new Proxy(db, {
      get(target, property) {
        if (property === 'prepare') {
          return (sql: string) => {
            noted.push(sql);
            return target.prepare(sql);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function'
          ? (value as (...args: unknown[]) => unknown).bind(target)
          : value;
      },
    });
}

describe('inventory list queries', () => {
  // Every parameter the list statements may name; SQLite ignores the ones a statement lacks.
  const parameters = {
    match: '"icu"*',
    deviceClass: 'infusion_pump',
    criticalityRank: 1,
    site: 'General',
    building: 'North',
    lifecycleRank: 1,
    limit: 100,
    offset: 0,
  };

  async function plansOf(queries: DeviceQuery[]) {
    const noted: string[] = [];
    const store = await listingStore(notingPreparedSql(noted));
    return queries.map((query) => {
      const before = noted.length;
      list(store, query);
      // The count and the page, each prepared on first use of its shape (the unfiltered count is
      // shared by every sort).
      return noted.slice(before).map((sql) => ({
        sql,
        plan: store.db
          .prepare<typeof parameters, { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
          .all(parameters)
          .map((row) => row.detail),
      }));
    });
  }

  it('answers each filter through its index, never by scanning the table', async () => {
    const filters: Array<[DeviceQuery, RegExp]> = [
      [
        { deviceClass: 'infusion_pump' },
        /^SEARCH devices USING (COVERING )?INDEX devices_device_class \(device_class=\?\)$/,
      ],
      [
        { criticality: 'high' },
        /^SEARCH devices USING (COVERING )?INDEX devices_criticality \(criticality_rank=\?\)$/,
      ],
      [{ site: 'General' }, /^SEARCH devices USING (COVERING )?INDEX devices_site \(site=\?\)$/],
      // A building alone (it is second in the site index) is counted from a covering index,
      // never from the table.
      [{ building: 'North' }, /^(SEARCH|SCAN) devices USING COVERING INDEX devices_\w+/],
      [
        { lifecycleState: 'in_service' },
        /^SEARCH devices USING (COVERING )?INDEX devices_lifecycle_state \(lifecycle_rank=\?\)$/,
      ],
      // The matches are collected once from the search index (a statement prepared up front)
      // into search_hits, which the page reads.
      [{ text: 'icu' }, /search_hits/],
      // Two or more filters are answered by devices_criticality, the one index holding them all.
      [
        { deviceClass: 'infusion_pump', site: 'General', sort: 'criticality' },
        /^SEARCH devices USING INDEX devices_criticality \(criticality_rank=\? AND device_class=\?/,
      ],
    ];
    const plans = await plansOf(filters.map(([query]) => query));
    plans.forEach((statements, index) => {
      const [query, expected] = filters[index] ?? [{}, /never/];
      // The count (free text alone is counted by a statement prepared up front) and the page.
      const counted = query.text !== undefined && Object.keys(query).length === 1 ? [] : [false];
      expect(statements.map(({ sql }) => sql.includes('LIMIT'))).toEqual([...counted, true]);
      for (const { sql, plan } of statements) {
        expect(plan, `${JSON.stringify(query)}: ${sql}`).not.toContain('SCAN devices');
        // A page may instead walk the sort's index, testing each row until the page is full
        // (pageStrategy chooses): bounded by the page, not by the table.
        const walk = /^SCAN devices USING INDEX devices_asset_tag$/;
        expect(
          plan.some(
            (detail) => expected.test(detail) || (sql.includes('LIMIT') && walk.test(detail)),
          ),
          `${JSON.stringify(query)}: ${plan.join(' | ')}`,
        ).toBe(true);
      }
    });
    // The text search reaches devices by rowid from the collected matches.
    const textPage = plans[5]?.at(-1);
    expect(textPage?.plan).toContain('SEARCH devices USING INTEGER PRIMARY KEY (rowid=?)');
  });

  it('walks the index of each sort for an unfiltered page, without sorting in memory', async () => {
    const plans = await plansOf(
      deviceSortFields.flatMap((sort) => [{ sort }, { sort, descending: true }]),
    );
    expect(plans).toHaveLength(deviceSortFields.length * 2);
    for (const statements of plans) {
      const page = statements.find(({ sql }) => sql.includes('LIMIT'));
      expect(page?.plan.join(' | '), page?.sql).toMatch(/^SCAN devices USING INDEX devices_\w+$/);
    }
  });
});

describe('inventory export', () => {
  // Values that a spreadsheet would take for formulas, CSV specials, and every UDI issuer.
  const trickyDevices: Array<Record<string, string>> = [
    {
      asset_tag: '-A-7',
      manufacturer: 'Halvorsen Medical',
      model: 'Infusia LVP',
      serial_number: '=HIL-0001',
      udi_di: '+H417INFLVP0',
      udi_pi: '$$0725A1',
      udi_issuer: 'HIBCC',
      device_class: 'infusion_pump',
      floor: '-1',
      room: '-12',
      notes: '-5 dB drift, "see log"\r\nsecond line',
      end_of_life: '',
    },
    {
      asset_tag: "'=already quoted",
      manufacturer: 'Blood Bank Systems',
      model: '@Cold 2',
      serial_number: '+49 30 1234',
      udi_di: '=/A9999XYZ100T0944',
      udi_pi: '=,000025',
      udi_issuer: 'ICCBBA',
      device_class: 'other',
      ip_address: '2001:db8::a:1',
      notes: '=HYPERLINK("http://example.invalid","click")',
      end_of_life: '2030-12-31',
    },
    {
      asset_tag: 'A-3',
      manufacturer: 'Meridian Infusion Systems',
      model: 'FlowLine 300',
      serial_number: 'FL3-0003',
      udi_di: '00845611500019',
      udi_pi: '(17)290630(10)LOT42',
      udi_issuer: 'GS1',
      device_class: 'syringe_pump',
      criticality: 'high',
      mac_address: '02:4d:49:00:00:04',
      notes: "'-not a formula either",
    },
  ];

  function trickyCsv(): string {
    const header = [...canonicalFields];
    return writeCsv([
      header,
      ...trickyDevices.map((device) => header.map((field) => device[field] ?? '')),
    ]);
  }

  it('writes canonical CSV: byte order mark, canonical header, CRLF, formula-safe cells', async () => {
    const store = openStore();
    await importCsv(store, trickyCsv());
    const text = store.inventory.exportCsv();
    const [header, first] = text.split('\r\n');
    expect(header).toBe(`\uFEFF${canonicalFields.join(',')}`);
    expect(
      first?.startsWith(
        "'-A-7,Halvorsen Medical,Infusia LVP,'=HIL-0001,'+H417INFLVP0,$$0725A1,HIBCC,",
      ),
    ).toBe(true);
    expect(text).toContain(`,'-1,'-12,`);
    expect(text).toContain(`"'-5 dB drift, ""see log""\r\nsecond line"`);
    expect(text).toContain(`''=already quoted,`);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(trickyDevices.length + 3);
  });

  it('round-trips: stored values survive the formula guard, and a fresh store imports the export identically', async () => {
    const original = openStore();
    expect(await importCsv(original, trickyCsv())).toMatchObject({ committed: true, created: 3 });
    const stored = allDevices(original);
    trickyDevices.forEach((device, index) => {
      for (const [field, value] of Object.entries(device)) {
        expect(canonicalValues(stored[index] as DeviceRecord)[field], field).toBe(
          value === '' ? null : value,
        );
      }
    });

    const exported = original.inventory.exportCsv();
    const fresh = openStore();
    expect(await importCsv(fresh, exported)).toMatchObject({
      committed: true,
      created: 3,
      invalidRows: 0,
    });
    expect(allDevices(fresh).map(canonicalValues)).toEqual(stored.map(canonicalValues));
    expect(fresh.inventory.exportCsv()).toBe(exported);

    original.clock.advance(60_000);
    expect(await importCsv(original, exported)).toMatchObject({
      committed: true,
      created: 0,
      updated: 0,
      unchanged: 3,
    });
    expect(allDevices(original).map((device) => device.revision)).toEqual([1, 1, 1]);
  });

  it('exports an empty store as the header alone, which imports as nothing', async () => {
    const store = openStore();
    const text = store.inventory.exportCsv();
    expect(text).toBe(`\uFEFF${canonicalFields.join(',')}\r\n`);
    expect(await importCsv(openStore(), text)).toMatchObject({ committed: true, rows: 0 });
  });

  it('exports FHIR R4: a collection Bundle of Device resources with UDI carriers', async () => {
    let next = 0;
    const uuids: IdGenerator = {
      next: () => `0000000${(next += 1).toString(16)}-0000-4000-8000-00000000ABCD`,
    };
    const store = openStore({ ids: uuids });
    const report = await importCsv(
      store,
      lines(
        'asset_tag,manufacturer,model,serial_number,udi_di,udi_pi,udi_issuer,device_class,' +
          'criticality,site,building,floor,room,bed,department,mac_address,ip_address,hostname,' +
          'firmware_version,lifecycle_state,end_of_life,notes',
        'A-1,Meridian Infusion Systems,FlowLine 300,FL3-0001,00845611500019,290630LOT42,GS1,' +
          'infusion_pump,high,General,North,2,201,3,ICU,00:1a:2b:3c:4d:5e,10.1.0.5,pump-1,3.4.2,' +
          'in_service,2031-06-30,Drug library v14',
        ',Halvorsen Medical,Somna A3,HSA-7,+H417SOMA30,$$0725A1,HIBCC,anesthesia_machine,,,,,,,,,,,,' +
          'quarantined,,',
        ',Blood Bank Systems,Cold 2,CB-9,=/A9999XYZ100T0944,,ICCBBA,other,,,,,,,,,,,,decommissioned,,',
      ),
    );
    expect(report).toMatchObject({ committed: true, created: 3 });
    store.clock.advance(5 * 60_000);
    const bundle = JSON.parse(store.inventory.exportFhir()) as {
      resourceType: string;
      type: string;
      timestamp: string;
      entry: Array<{ fullUrl: string; resource: Record<string, unknown> }>;
    };
    expect(Object.keys(bundle)).toEqual(['resourceType', 'type', 'timestamp', 'entry']);
    expect(bundle).toMatchObject({
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: '2026-11-23T10:05:00.000Z',
    });
    const uid = store.inventory.get(1).uid;
    expect(uid).toMatch(/^0000000\d-0000-4000-8000-00000000ABCD$/);
    expect(bundle.entry[0]).toEqual({
      fullUrl: `urn:uuid:${uid.toLowerCase()}`,
      resource: {
        resourceType: 'Device',
        id: uid,
        meta: { versionId: '1', lastUpdated: startIso },
        identifier: [
          { type: { text: 'Asset tag' }, value: 'A-1' },
          { type: { text: 'MAC address' }, value: '00:1a:2b:3c:4d:5e' },
        ],
        udiCarrier: [
          {
            deviceIdentifier: '00845611500019',
            issuer: 'http://hl7.org/fhir/NamingSystem/gs1-di',
            carrierHRF: '(01)00845611500019(21)290630LOT42',
          },
        ],
        status: 'active',
        manufacturer: 'Meridian Infusion Systems',
        serialNumber: 'FL3-0001',
        deviceName: [{ name: 'FlowLine 300', type: 'model-name' }],
        modelNumber: 'FlowLine 300',
        type: {
          coding: [
            {
              system: 'https://wardkeep.org/fhir/CodeSystem/device-class',
              code: 'infusion_pump',
              display: 'Infusion pump',
            },
          ],
          text: 'Infusion pump',
        },
        version: [{ type: { text: 'firmware' }, value: '3.4.2' }],
        owner: { display: 'ICU' },
        location: { display: 'General, North, floor 2, room 201, bed 3' },
        note: [{ text: 'Drug library v14' }],
      },
    });
    // Optional elements without a value are left out, never written empty.
    expect(bundle.entry[1]?.resource).toEqual({
      resourceType: 'Device',
      id: store.inventory.get(2).uid,
      meta: { versionId: '1', lastUpdated: startIso },
      udiCarrier: [
        {
          deviceIdentifier: '+H417SOMA30',
          issuer: 'http://hl7.org/fhir/NamingSystem/hibcc-dI',
          carrierHRF: '+H417SOMA30/$$0725A1',
        },
      ],
      status: 'inactive',
      manufacturer: 'Halvorsen Medical',
      serialNumber: 'HSA-7',
      deviceName: [{ name: 'Somna A3', type: 'model-name' }],
      modelNumber: 'Somna A3',
      type: {
        coding: [
          {
            system: 'https://wardkeep.org/fhir/CodeSystem/device-class',
            code: 'anesthesia_machine',
            display: 'Anesthesia machine',
          },
        ],
        text: 'Anesthesia machine',
      },
    });
    expect(bundle.entry[2]?.resource).toMatchObject({
      status: 'inactive',
      udiCarrier: [
        {
          deviceIdentifier: '=/A9999XYZ100T0944',
          issuer: 'http://hl7.org/fhir/NamingSystem/iccbba-other-di',
        },
      ],
    });
    expect(bundle.entry).toHaveLength(3);
  });

  it('exports FHIR for an empty store as a Bundle without entries, and names non-UUID ids by URN', async () => {
    const store = openStore();
    expect(JSON.parse(store.inventory.exportFhir())).toEqual({
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: startIso,
    });
    await importCsv(store, lines(minimalHeader, 'Acme,P1,S1,ecg'));
    const bundle = JSON.parse(store.inventory.exportFhir()) as {
      entry: Array<{ fullUrl: string }>;
    };
    expect(bundle.entry.map((entry) => entry.fullUrl)).toEqual([
      `urn:wardkeep:device:${store.inventory.get(1).uid}`,
    ]);
  });
});

describe('inventory at rest', () => {
  it('leaves neither the SQLite header nor any imported serial number readable in the files', async () => {
    const store = openStore();
    const canaries = ['SN-CANARY-0001', 'SN-CANARY-0002', 'SN-CANARY-0003'];
    await importCsv(
      store,
      lines(
        `${minimalHeader},notes`,
        ...canaries.map((serial) => `Plainview Medical,Visible 1,${serial},ecg,note for ${serial}`),
      ),
    );
    expect(list(store).total).toBe(3);
    const readable = (bytes: Buffer): string[] =>
      ['SQLite format 3', 'Plainview Medical', ...canaries].filter((text) =>
        bytes.includes(Buffer.from(text)),
      );
    // While open, the committed rows sit in the write-ahead log.
    const wal = `${store.file}-wal`;
    expect(existsSync(wal)).toBe(true);
    expect(readFileSync(wal).length).toBeGreaterThan(0);
    expect(readable(readFileSync(wal))).toEqual([]);
    expect(readable(readFileSync(store.file))).toEqual([]);

    store.inventory.dispose();
    store.db.close();
    for (const file of [store.file, wal]) {
      if (existsSync(file)) expect(readable(readFileSync(file)), file).toEqual([]);
    }
    expect(readFileSync(store.file).length).toBeGreaterThan(4096);
  });
});
