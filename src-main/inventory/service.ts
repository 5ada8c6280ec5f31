// The inventory service the IPC handlers and the CLI call one-to-one. An import is staged (parsed,
// kept in memory as an expiring draft), checked against a mapping, then written in one transaction:
// either every row is valid and all are written, or (unless told to skip invalid rows) nothing is.
//
// Responsiveness: commit checks rows in chunks of 1,000 and yields to the event loop between
// chunks; the write itself is one synchronous transaction (about 5 s of CPU for a first import of
// 100,000 rows here, nearly all inside SQLite: building indexes and the search index, encrypting
// pages), since splitting it across event-loop turns would let other calls see or interleave with
// a half-written import on the same connection.
import type {
  ColumnMapping,
  DeviceFacets,
  DevicePage,
  DeviceQueryParsed,
  DeviceRecord,
  ImportIssue,
  ImportProgress,
  ImportReport,
  SavedMapping,
  StagedImport,
} from '../../src-preload/contract';
import type { Clock } from '../lib/clock';
import { isoTime } from '../lib/clock';
import { fail } from '../lib/errors';
import type { IdGenerator } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { createLogger } from '../lib/logger';
import type { SqliteDatabase } from '../store/database';
import type { CsvRecord } from './csv';
import { parseCsv, restoreFormulaCell } from './csv';
import type { CanonicalRow } from './demo-csv';
import { canonicalCsv, deviceToCanonicalRow } from './demo-csv';
import type { DeviceFields, DeviceIdentity, DeviceInput } from './device-fields';
import { fieldNames, validateDeviceCells, validatedFields } from './device-fields';
import { fhirBundleJson, fhirDeviceEntry } from './fhir';
import type { ResolvedMapping } from './import-mapping';
import { findMatchingMapping, resolveMapping, suggestMapping } from './import-mapping';
import type { DeviceRepository, DeviceUpdater, StoredDeviceFields } from './repository';
import { createDeviceRepository, identityKey } from './repository';

/** How long a staged import waits for its commit, counted from the last time it was used. */
export const stagingLifetimeMs = 30 * 60 * 1000;
/** Staged imports held at once; staging one more drops the least recently used. */
export const stagingCapacity = 4;
/** Rows checked or written between two progress reports (and, while checking, between yields). */
export const progressInterval = 1000;
/** New devices in one import from which the sort indexes are rebuilt rather than grown. */
export const bulkLoadThreshold = 5000;

export type ImportProgressUpdate = Omit<ImportProgress, 'stagingId'>;

export interface ImportFileOptions {
  /** The mapping to use; without one, a saved mapping that fits the file, else the suggestion. */
  mapping?: ColumnMapping;
  skipInvalid: boolean;
}

export interface InventoryService {
  list(query: DeviceQueryParsed): DevicePage;
  /** Throws `not_found` when no device has this id. */
  get(id: number): DeviceRecord;
  /** By the stable uid other records (certificates, zones, exceptions) name it by. */
  getByUid(uid: string): DeviceRecord;
  facets(): DeviceFacets;
  /** Throws `import.invalid` when the file is not CSV or has no header. */
  stage(fileName: string, content: string): StagedImport;
  /** A dry run: the report the commit would give, with committed=false. */
  validate(stagingId: string, mapping: ColumnMapping): ImportReport;
  commit(
    stagingId: string,
    mapping: ColumnMapping,
    skipInvalid: boolean,
    onProgress?: (progress: ImportProgressUpdate) => void,
  ): Promise<ImportReport>;
  discard(stagingId: string): void;
  listMappings(): SavedMapping[];
  saveMapping(name: string, mapping: ColumnMapping): void;
  importFile(fileName: string, content: string, options: ImportFileOptions): Promise<ImportReport>;
  /** Every device as canonical CSV (UTF-8 BOM, CRLF, formula-safe cells). */
  exportCsv(): string;
  /** Every device as a FHIR R4 Bundle of type collection. */
  exportFhir(): string;
  /** Drops every staged import: called when the store closes. */
  dispose(): void;
}

export interface InventoryServiceOptions {
  db: SqliteDatabase;
  clock: Clock;
  ids: IdGenerator;
  logger?: Logger;
  /**
   * Called inside the import's write transaction, after the rows: an audit record written here
   * commits with the rows or not at all (an error thrown here rolls the import back).
   */
  onImport?: (summary: ImportSummary) => void;
}

export interface ImportSummary {
  target: string;
  details: {
    rows: number;
    created: number;
    updated: number;
    unchanged: number;
    invalidRows: number;
    skipInvalid: boolean;
  };
}

interface Draft {
  stagingId: string;
  fileName: string;
  headers: string[];
  records: CsvRecord[];
  expiresAtMs: number;
  committing: boolean;
}

interface CheckedRow {
  line: number;
  device: DeviceInput;
  identity: DeviceIdentity;
  /** identityKey(identity), worked out once. */
  key: string;
}

interface CheckedRows {
  valid: CheckedRow[];
  issues: ImportIssue[];
  invalidRows: number;
}

const newDeviceDefaults: Omit<
  DeviceFields,
  'manufacturer' | 'model' | 'serialNumber' | 'deviceClass'
> = {
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

const apostrophe = 0x27;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isBlank(record: CsvRecord): boolean {
  return record.fields.every((field) => field.trim() === '');
}

function chosen<T>(supplied: T | undefined, otherwise: T): T {
  return supplied !== undefined ? supplied : otherwise;
}

/**
 * The stored fields of a new device: supplied fields, the defaults for the rest. `key` is the
 * input's manufacturer key, already computed. Spelt out field by field: one object of one shape
 * per imported row, built without lookups.
 */
function newDevice(input: DeviceInput, key: string): StoredDeviceFields {
  const base = newDeviceDefaults;
  return {
    manufacturerKey: key,
    assetTag: chosen(input.assetTag, base.assetTag),
    manufacturer: input.manufacturer,
    model: input.model,
    serialNumber: input.serialNumber,
    udiDeviceIdentifier: chosen(input.udiDeviceIdentifier, base.udiDeviceIdentifier),
    udiProductionIdentifier: chosen(input.udiProductionIdentifier, base.udiProductionIdentifier),
    udiIssuer: chosen(input.udiIssuer, base.udiIssuer),
    deviceClass: input.deviceClass,
    criticality: chosen(input.criticality, base.criticality),
    site: chosen(input.site, base.site),
    building: chosen(input.building, base.building),
    floor: chosen(input.floor, base.floor),
    room: chosen(input.room, base.room),
    bed: chosen(input.bed, base.bed),
    department: chosen(input.department, base.department),
    macAddress: chosen(input.macAddress, base.macAddress),
    ipAddress: chosen(input.ipAddress, base.ipAddress),
    hostname: chosen(input.hostname, base.hostname),
    firmwareVersion: chosen(input.firmwareVersion, base.firmwareVersion),
    lifecycleState: chosen(input.lifecycleState, base.lifecycleState),
    endOfLife: chosen(input.endOfLife, base.endOfLife),
    notes: chosen(input.notes, base.notes),
  };
}

export function createInventoryService(options: InventoryServiceOptions): InventoryService {
  const { db, clock, ids } = options;
  const log = options.logger ?? createLogger('inventory');
  const repository: DeviceRepository = createDeviceRepository(db);
  const drafts = new Map<string, Draft>();

  function dropExpiredDrafts(): void {
    const now = clock.nowMs();
    for (const [stagingId, draft] of drafts) {
      if (draft.expiresAtMs <= now && !draft.committing) drafts.delete(stagingId);
    }
  }

  function useDraft(stagingId: string): Draft {
    dropExpiredDrafts();
    const draft = drafts.get(stagingId);
    if (!draft)
      fail('import.unknown_staging', 'this import is no longer staged; stage the file again');
    draft.expiresAtMs = clock.nowMs() + stagingLifetimeMs;
    // Most recently used last, so eviction takes the first.
    drafts.delete(stagingId);
    drafts.set(stagingId, draft);
    return draft;
  }

  /** Checks records against one mapping, remembering identities across its calls. */
  function createRowChecker(
    draft: Draft,
    columns: ResolvedMapping,
  ): (record: CsvRecord, result: CheckedRows) => void {
    const headerCount = draft.headers.length;
    const placements = columns.map(({ field, column }) => ({
      position: validatedFields.indexOf(field),
      column,
    }));
    // The record being checked, by position in validatedFields; unmapped fields stay undefined.
    const cells: (string | undefined)[] = validatedFields.map(() => undefined);
    const seen = new Map<string, number>();
    return (record: CsvRecord, result: CheckedRows): void => {
      const { fields, line } = record;
      if (fields.length !== headerCount) {
        result.issues.push({
          line,
          column: null,
          reason: `the row has ${fields.length} fields but the header has ${headerCount}`,
        });
        result.invalidRows += 1;
        return;
      }
      for (const { position, column } of placements) {
        const cell = fields[column] ?? '';
        // Only a cell that starts with an apostrophe can be a guarded formula: skip the call.
        cells[position] = cell.charCodeAt(0) === apostrophe ? restoreFormulaCell(cell) : cell;
      }
      const validation = validateDeviceCells(cells, line);
      const issues = validation.ok ? [] : validation.issues;
      let key: string | null = null;
      if (validation.identity) {
        key = identityKey(validation.identity);
        const firstLine = seen.get(key);
        if (firstLine === undefined) {
          seen.set(key, line);
        } else {
          issues.push({
            line,
            column: 'serial_number',
            reason: `duplicate of line ${firstLine} (same manufacturer and serial number)`,
          });
        }
      }
      if (validation.ok && issues.length === 0 && key !== null) {
        result.valid.push({ line, device: validation.device, identity: validation.identity, key });
      } else {
        result.issues.push(...issues);
        result.invalidRows += 1;
      }
    };
  }

  function checkRowsNow(draft: Draft, columns: ResolvedMapping): CheckedRows {
    const result: CheckedRows = { valid: [], issues: [], invalidRows: 0 };
    const check = createRowChecker(draft, columns);
    for (const record of draft.records) check(record, result);
    return result;
  }

  async function checkRowsInChunks(
    draft: Draft,
    columns: ResolvedMapping,
    onProgress: (progress: ImportProgressUpdate) => void,
  ): Promise<CheckedRows> {
    const result: CheckedRows = { valid: [], issues: [], invalidRows: 0 };
    const check = createRowChecker(draft, columns);
    const { records } = draft;
    const total = records.length;
    for (let start = 0; start < total; start += progressInterval) {
      const end = Math.min(start + progressInterval, total);
      for (let index = start; index < end; index += 1) {
        const record = records[index];
        if (record) check(record, result);
      }
      onProgress({ phase: 'validating', done: end, total });
      await yieldToEventLoop();
    }
    return result;
  }

  function report(
    draft: Draft,
    checked: CheckedRows,
    committed: boolean,
    counts: WriteCounts,
  ): ImportReport {
    return {
      committed,
      rows: draft.records.length,
      created: counts.created,
      updated: counts.updated,
      unchanged: counts.unchanged,
      invalidRows: checked.invalidRows,
      issues: checked.issues,
    };
  }

  /** The device fields a mapping supplies: what an import compares and writes on known devices. */
  function updaterFor(columns: ResolvedMapping): DeviceUpdater {
    return repository.deviceUpdater(columns.map(({ field }) => fieldNames[field]));
  }

  function countPlanned(valid: readonly CheckedRow[], columns: ResolvedMapping): WriteCounts {
    const known = repository.identityIndex();
    const updater = updaterFor(columns);
    const counts: WriteCounts = { created: 0, updated: 0, unchanged: 0 };
    for (const row of valid) {
      const id = known.get(row.key);
      if (id === undefined) counts.created += 1;
      else if (updater.differs(id, row.device)) counts.updated += 1;
      else counts.unchanged += 1;
    }
    return counts;
  }

  function writeRows(
    valid: readonly CheckedRow[],
    columns: ResolvedMapping,
    onProgress: (progress: ImportProgressUpdate) => void,
    onWritten: (counts: WriteCounts) => void,
  ): WriteCounts {
    const at = isoTime(clock);
    const known = repository.identityIndex();
    const updater = updaterFor(columns);
    // A load that at least doubles the inventory rebuilds the sort indexes once at the end.
    const creates = valid.reduce((count, row) => (known.has(row.key) ? count : count + 1), 0);
    const bulk = creates >= bulkLoadThreshold && creates >= known.size;
    const write = (): WriteCounts => {
      const counts: WriteCounts = { created: 0, updated: 0, unchanged: 0 };
      valid.forEach((row, index) => {
        const id = known.get(row.key);
        const key = row.identity.manufacturerKey;
        if (id === undefined) {
          repository.insertDevice(ids.next(), newDevice(row.device, key), at);
          counts.created += 1;
        } else if (updater.update(id, row.device, key, at)) {
          counts.updated += 1;
        } else {
          counts.unchanged += 1;
        }
        const done = index + 1;
        if (done % progressInterval === 0 || done === valid.length) {
          onProgress({ phase: 'writing', done, total: valid.length });
        }
      });
      onWritten(counts);
      return counts;
    };
    return bulk ? repository.bulkTransaction(write) : repository.transaction(write);
  }

  function stage(fileName: string, content: string): StagedImport {
    dropExpiredDrafts();
    const parsed = parseCsv(content);
    if (!parsed.ok) {
      fail('import.invalid', `${fileName}: ${parsed.error.message}`, {
        line: parsed.error.line,
        reason: parsed.error.code,
      });
    }
    const [headerRecord, ...rest] = parsed.records;
    if (!headerRecord || isBlank(headerRecord)) {
      fail('import.invalid', `${fileName}: the file has no header row`, { line: 1 });
    }
    const headers = headerRecord.fields.map((header) => header.trim());
    const records = rest.filter((record) => !isBlank(record));
    const stagingId = ids.next();
    while (drafts.size >= stagingCapacity) {
      const oldest = [...drafts.values()].find((draft) => !draft.committing);
      if (!oldest) break;
      drafts.delete(oldest.stagingId);
      log.info('staged import dropped to make room', { stagingId: oldest.stagingId });
    }
    drafts.set(stagingId, {
      stagingId,
      fileName,
      headers,
      records,
      expiresAtMs: clock.nowMs() + stagingLifetimeMs,
      committing: false,
    });
    log.info('import staged', { stagingId, fileName, rows: records.length });
    return {
      stagingId,
      fileName,
      headers,
      rows: records.length,
      suggestedMapping: suggestMapping(headers),
      matchedMappingName: findMatchingMapping(headers, repository.listMappings()),
    };
  }

  function validate(stagingId: string, mapping: ColumnMapping): ImportReport {
    const draft = useDraft(stagingId);
    const columns = resolveMapping(draft.headers, mapping);
    const checked = checkRowsNow(draft, columns);
    return report(draft, checked, false, countPlanned(checked.valid, columns));
  }

  async function commit(
    stagingId: string,
    mapping: ColumnMapping,
    skipInvalid: boolean,
    onProgress: (progress: ImportProgressUpdate) => void = () => undefined,
  ): Promise<ImportReport> {
    const draft = useDraft(stagingId);
    if (draft.committing) fail('import.unknown_staging', 'this import is already being committed');
    const columns = resolveMapping(draft.headers, mapping);
    draft.committing = true;
    try {
      const checked = await checkRowsInChunks(draft, columns, onProgress);
      if (drafts.get(stagingId) !== draft) {
        fail('import.unknown_staging', 'the import was discarded before it was written');
      }
      if (checked.invalidRows > 0 && !skipInvalid) {
        log.info('import refused: invalid rows', { stagingId, invalidRows: checked.invalidRows });
        onProgress({ phase: 'done', done: 0, total: draft.records.length });
        return report(draft, checked, false, countPlanned(checked.valid, columns));
      }
      const counts = writeRows(checked.valid, columns, onProgress, (written) =>
        options.onImport?.({
          target: draft.fileName,
          details: {
            rows: draft.records.length,
            ...written,
            invalidRows: checked.invalidRows,
            skipInvalid,
          },
        }),
      );
      drafts.delete(stagingId);
      log.info('import committed', { stagingId, ...counts, invalidRows: checked.invalidRows });
      onProgress({ phase: 'done', done: draft.records.length, total: draft.records.length });
      return report(draft, checked, true, counts);
    } finally {
      draft.committing = false;
    }
  }

  function* canonicalRows(): Generator<CanonicalRow> {
    for (const device of repository.iterateDevices()) yield deviceToCanonicalRow(device);
  }

  function exportFhir(): string {
    const entries: string[] = [];
    for (const device of repository.iterateDevices()) entries.push(fhirDeviceEntry(device));
    return fhirBundleJson(isoTime(clock), entries);
  }

  return {
    list: (query) => repository.list(query),
    get(id) {
      const device = repository.findById(id);
      if (!device) fail('not_found', `no device with id ${id}`, { id });
      return device;
    },
    getByUid(uid) {
      const device = repository.findByUid(uid);
      if (!device) fail('not_found', `no device ${uid} in the inventory`, { uid });
      return device;
    },
    facets: () => repository.facets(),
    stage,
    validate,
    commit,
    discard(stagingId) {
      drafts.delete(stagingId);
    },
    listMappings: () => repository.listMappings(),
    saveMapping(name, mapping) {
      repository.saveMapping(name, mapping, isoTime(clock));
    },
    async importFile(fileName, content, importOptions) {
      const staged = stage(fileName, content);
      try {
        const saved = repository
          .listMappings()
          .find((entry) => entry.name === staged.matchedMappingName);
        const mapping = importOptions.mapping ?? saved?.mapping ?? staged.suggestedMapping;
        return await commit(staged.stagingId, mapping, importOptions.skipInvalid);
      } finally {
        drafts.delete(staged.stagingId);
      }
    },
    exportCsv: () => canonicalCsv(canonicalRows()),
    exportFhir,
    dispose() {
      drafts.clear();
    },
  };
}

interface WriteCounts {
  created: number;
  updated: number;
  unchanged: number;
}
