// The inventory service the IPC handlers and the CLI call one-to-one. An import is staged (parsed,
// kept in memory as an expiring draft), checked against a mapping, then written in one transaction:
// either every row is valid and all are written, or (unless told to skip invalid rows) nothing is.
//
// The write is one synchronous transaction, since splitting it across event-loop turns would let
// other calls see or interleave with a half-written import on the same connection. Its rows are
// read and checked on a worker thread (import-source.ts) while this thread writes the rows before
// them, so checking costs no time of its own; the rest (about 5 s of CPU for a first import of
// 100,000 rows here) is inside SQLite: rows, indexes, the search index, encrypting pages.
import type {
  ColumnMapping,
  DeviceFacets,
  DevicePage,
  DeviceQueryParsed,
  DeviceRecord,
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
import { createCsvReader, parseCsv } from './csv';
import type { CanonicalRow } from './demo-csv';
import { canonicalCsv, deviceToCanonicalRow } from './demo-csv';
import { fieldNames } from './device-fields';
import { fhirBundleJson, fhirDeviceEntry } from './fhir';
import type { ResolvedMapping } from './import-mapping';
import { findMatchingMapping, resolveMapping, suggestMapping } from './import-mapping';
import type { CheckedRow, CheckedRows, RowChunk } from './import-rows';
import { createRowChecker, isBlank } from './import-rows';
import { openRowSource, warmImportWorker, workerModule } from './import-source';
import type { DeviceRepository, DeviceUpdater } from './repository';
import { createDeviceRepository, storedColumnCount } from './repository';

/** How long a staged import waits for its commit, counted from the last time it was used. */
export const stagingLifetimeMs = 30 * 60 * 1000;
/** Staged imports held at once; staging one more drops the least recently used. */
export const stagingCapacity = 4;
/** Records checked and written between two progress reports: one chunk of the row source. */
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
  /** Check an import's rows on a worker thread (the default) rather than on this one. */
  importThreads?: boolean;
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
  /** The file as received: the commit reads its rows from here. */
  content: string;
  headers: string[];
  /** Parsed data records for the dry run; null when the draft is only ever committed. */
  records: CsvRecord[] | null;
  expiresAtMs: number;
  committing: boolean;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Thrown inside the write transaction to roll back an import that has invalid rows. */
class ImportRefused extends Error {}

export function createInventoryService(options: InventoryServiceOptions): InventoryService {
  const { db, clock, ids } = options;
  const log = options.logger ?? createLogger('inventory');
  const repository: DeviceRepository = createDeviceRepository(db);
  const drafts = new Map<string, Draft>();
  const importModule = options.importThreads === false ? null : workerModule();
  // Booted now, off this thread, so that the first import does not wait for it.
  warmImportWorker(importModule);

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

  function checkRowsNow(draft: Draft, records: CsvRecord[], columns: ResolvedMapping): CheckedRows {
    const result: CheckedRows = { valid: [], issues: [], invalidRows: 0 };
    const check = createRowChecker(draft.headers.length, columns);
    for (const record of records) check(record, result);
    return result;
  }

  function report(
    rows: number,
    checked: Omit<CheckedRows, 'valid'>,
    committed: boolean,
    counts: WriteCounts,
  ): ImportReport {
    return {
      committed,
      rows,
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

  function countPlanned(
    valid: readonly Pick<CheckedRow, 'key' | 'device'>[],
    columns: ResolvedMapping,
  ): WriteCounts {
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

  /**
   * Reads, checks and writes the draft's rows in one transaction, chunk by chunk as the row
   * source gives them. Once a row is invalid (and invalid rows are not skipped) it writes no more,
   * reads the rest for their issues, and rolls back: the report then counts what the valid rows
   * would have done.
   */
  function writeFromSource(
    draft: Draft,
    columns: ResolvedMapping,
    skipInvalid: boolean,
    onProgress: (progress: ImportProgressUpdate) => void,
  ): ImportReport {
    const at = isoTime(clock);
    const known = repository.identityIndex();
    const updater = updaterFor(columns);
    const source = openRowSource(
      {
        content: draft.content,
        headerCount: draft.headers.length,
        columns,
        knownKeys: [...known.keys()],
        chunkRecords: progressInterval,
      },
      importModule,
    );
    log.debug('import rows read', { threaded: source.threaded });
    const checked: Omit<CheckedRows, 'valid'> = { issues: [], invalidRows: 0 };
    const counts: WriteCounts = { created: 0, updated: 0, unchanged: 0 };
    // What the valid rows would do, kept in case the import is refused.
    let plannedCreations = 0;
    const plannedUpdates: CheckedRow[] = [];
    let rows = 0;
    let refused = false;

    function take(chunk: RowChunk): void {
      rows += chunk.rows;
      checked.invalidRows += chunk.invalidRows;
      for (const issue of chunk.issues) checked.issues.push(issue);
      if (chunk.csvError !== null) {
        fail('import.invalid', `${draft.fileName}: ${chunk.csvError.message}`, {
          line: chunk.csvError.line,
          reason: chunk.csvError.code,
        });
      }
      const creations = chunk.creates.length / storedColumnCount;
      plannedCreations += creations;
      for (const row of chunk.updates) plannedUpdates.push(row);
      if (chunk.invalidRows > 0 && !skipInvalid) refused = true;
      if (!refused) writeChunk(chunk, creations);
      onProgress({
        phase: 'writing',
        done: rows,
        total: Math.max(rows, draft.records?.length ?? 0),
      });
    }

    // The chunk's valid rows in file order: creations from the flat values, updates by place.
    function writeChunk(chunk: RowChunk, creations: number): void {
      const { creates, updates, updatePlaces } = chunk;
      let created = 0;
      let next = 0;
      for (let place = 0; place < creations + updates.length; place += 1) {
        const row = updatePlaces[next] === place ? updates[next] : undefined;
        if (row === undefined) {
          repository.insertStoredValues(ids.next(), creates, created * storedColumnCount, at);
          created += 1;
          counts.created += 1;
          continue;
        }
        next += 1;
        const id = known.get(row.key);
        if (id === undefined) throw new Error(`line ${row.line}: no stored device to update`);
        if (updater.update(id, row.device, row.identity.manufacturerKey, at)) counts.updated += 1;
        else counts.unchanged += 1;
      }
    }

    function drain(): void {
      for (let chunk = source.next(); chunk !== null; chunk = source.next()) take(chunk);
    }

    try {
      const first = source.next();
      if (first === null) return report(0, checked, true, counts);
      // A load that at least doubles the inventory rebuilds the sort indexes once at the end,
      // judged from the first chunk: the share of its rows that are new, over the whole file.
      const estimated =
        (first.creates.length / storedColumnCount) *
        (draft.content.length / Math.max(1, first.position));
      const bulk = estimated >= bulkLoadThreshold && estimated >= known.size;
      const write = (): void => {
        take(first);
        drain();
        if (refused) throw new ImportRefused();
        options.onImport?.({
          target: draft.fileName,
          details: { rows, ...counts, invalidRows: checked.invalidRows, skipInvalid },
        });
      };
      if (first.invalidRows > 0 && !skipInvalid) {
        // Refused from the first chunk: nothing to write, only the rest to check.
        take(first);
        drain();
      } else {
        try {
          if (bulk) repository.bulkTransaction(write);
          else repository.transaction(write);
        } catch (error) {
          if (!(error instanceof ImportRefused)) throw error;
        }
      }
    } finally {
      source.close();
    }
    if (refused) {
      const planned = countPlanned(plannedUpdates, columns);
      return report(rows, checked, false, { ...planned, created: plannedCreations });
    }
    return report(rows, checked, true, counts);
  }

  function headersOf(fileName: string, headerRecord: CsvRecord | undefined): string[] {
    if (!headerRecord || isBlank(headerRecord)) {
      fail('import.invalid', `${fileName}: the file has no header row`, { line: 1 });
    }
    return headerRecord.fields.map((header) => header.trim());
  }

  function addDraft(
    fileName: string,
    content: string,
    headers: string[],
    records: CsvRecord[] | null,
  ): Draft {
    const stagingId = ids.next();
    while (drafts.size >= stagingCapacity) {
      const oldest = [...drafts.values()].find((draft) => !draft.committing);
      if (!oldest) break;
      drafts.delete(oldest.stagingId);
      log.info('staged import dropped to make room', { stagingId: oldest.stagingId });
    }
    const draft: Draft = {
      stagingId,
      fileName,
      content,
      headers,
      records,
      expiresAtMs: clock.nowMs() + stagingLifetimeMs,
      committing: false,
    };
    drafts.set(stagingId, draft);
    return draft;
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
    const headers = headersOf(fileName, headerRecord);
    const records = rest.filter((record) => !isBlank(record));
    const { stagingId } = addDraft(fileName, content, headers, records);
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

  /** The data records of a draft, parsed now if it was staged without them. */
  function recordsOf(draft: Draft): CsvRecord[] {
    if (draft.records !== null) return draft.records;
    const parsed = parseCsv(draft.content);
    if (!parsed.ok) fail('import.invalid', `${draft.fileName}: ${parsed.error.message}`);
    return parsed.records.slice(1).filter((record) => !isBlank(record));
  }

  function validate(stagingId: string, mapping: ColumnMapping): ImportReport {
    const draft = useDraft(stagingId);
    const columns = resolveMapping(draft.headers, mapping);
    const records = recordsOf(draft);
    const checked = checkRowsNow(draft, records, columns);
    return report(records.length, checked, false, countPlanned(checked.valid, columns));
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
      // One turn of the event loop before the write, in which the import may still be discarded.
      await yieldToEventLoop();
      if (drafts.get(stagingId) !== draft) {
        fail('import.unknown_staging', 'the import was discarded before it was written');
      }
      const result = writeFromSource(draft, columns, skipInvalid, onProgress);
      const { created, updated, unchanged, invalidRows } = result;
      if (result.committed) {
        drafts.delete(stagingId);
        log.info('import committed', { stagingId, created, updated, unchanged, invalidRows });
      } else {
        log.info('import refused: invalid rows', { stagingId, invalidRows });
      }
      onProgress({ phase: 'done', done: result.committed ? result.rows : 0, total: result.rows });
      return result;
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
      // Only the header is read here: the commit reads the rows, on a worker thread.
      dropExpiredDrafts();
      const head: CsvRecord[] = [];
      const error = createCsvReader(content).read(head, 1);
      if (error !== null) {
        fail('import.invalid', `${fileName}: ${error.message}`, {
          line: error.line,
          reason: error.code,
        });
      }
      const headers = headersOf(fileName, head[0]);
      const { stagingId } = addDraft(fileName, content, headers, null);
      try {
        const matched = findMatchingMapping(headers, repository.listMappings());
        const saved = repository.listMappings().find((entry) => entry.name === matched);
        const mapping = importOptions.mapping ?? saved?.mapping ?? suggestMapping(headers);
        return await commit(stagingId, mapping, importOptions.skipInvalid);
      } finally {
        drafts.delete(stagingId);
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
