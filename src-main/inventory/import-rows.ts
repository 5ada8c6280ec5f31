// The rows of an import, checked away from the database: CSV text becomes chunks of checked rows,
// each valid row already in the form its write needs. Pure (no I/O, no store), so the same chunks
// come out on a worker thread (import-worker.ts) or on the calling thread, in file order.
import type { ImportIssue } from '../../src-preload/contract';
import type { CsvError, CsvRecord } from './csv';
import { createCsvReader, restoreFormulaCell } from './csv';
import type { DeviceFields, DeviceIdentity, DeviceInput } from './device-fields';
import { validateDeviceCells, validatedFields } from './device-fields';
import type { ResolvedMapping } from './import-mapping';
import type { StoredDeviceFields } from './stored-row';
import { identityKey, storedColumnCount, storedValues } from './stored-row';

export interface CheckedRow {
  line: number;
  device: DeviceInput;
  identity: DeviceIdentity;
  /** identityKey(identity), worked out once. */
  key: string;
}

export interface CheckedRows {
  valid: CheckedRow[];
  issues: ImportIssue[];
  invalidRows: number;
}

/** What checkRowChunks needs: plain data, so that it can be posted to a worker thread. */
export interface RowCheckRequest {
  /** The whole file; its first record is the header, which is skipped. */
  content: string;
  headerCount: number;
  columns: ResolvedMapping;
  /** identityKey of every device the store holds: their rows are updates, the rest creations. */
  knownKeys: readonly string[];
  /** Records read per chunk. */
  chunkRecords: number;
}

export interface RowChunk {
  /** Data records in the chunk (blank records are skipped and not counted). */
  rows: number;
  /** Characters of the file read so far. */
  position: number;
  /**
   * The stored values (storedValues order, storedColumnCount per row) of each valid row whose
   * identity the store does not hold yet: the devices to create.
   */
  creates: (string | null)[];
  /** The valid rows of devices the store holds, with their places among the chunk's valid rows. */
  updates: CheckedRow[];
  updatePlaces: number[];
  issues: ImportIssue[];
  invalidRows: number;
  /** The last chunk: the file is read to its end, or up to csvError. */
  done: boolean;
  /** The file is not CSV from here on; nothing after this point was read. */
  csvError: CsvError | null;
}

const apostrophe = 0x27;

export function isBlank(record: CsvRecord): boolean {
  return record.fields.every((field) => field.trim() === '');
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

function chosen<T>(supplied: T | undefined, otherwise: T): T {
  return supplied !== undefined ? supplied : otherwise;
}

/**
 * The stored fields of a new device: supplied fields, the defaults for the rest. `key` is the
 * input's manufacturer key, already computed. Spelt out field by field: one object of one shape
 * per imported row, built without lookups.
 */
export function newDevice(input: DeviceInput, key: string): StoredDeviceFields {
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

/**
 * Checks records against one mapping, one at a time, remembering identities across its calls: a
 * second row with the identity of an earlier one is invalid, naming the earlier line.
 */
export function createRowChecker(
  headerCount: number,
  columns: ResolvedMapping,
): (record: CsvRecord, result: CheckedRows) => void {
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

/**
 * Reads and checks the file's records `chunkRecords` at a time. Every chunk but the last has
 * done=false; a file that stops being CSV ends with a chunk carrying the error.
 */
export function* checkRowChunks(request: RowCheckRequest): Generator<RowChunk, void, undefined> {
  const reader = createCsvReader(request.content);
  const known = new Set(request.knownKeys);
  const check = createRowChecker(request.headerCount, request.columns);
  const records: CsvRecord[] = [];
  let csvError = reader.read(records, 1);
  let done = false;
  while (!done) {
    records.length = 0;
    if (csvError === null) csvError = reader.read(records, request.chunkRecords);
    done = csvError !== null || reader.done;
    const result: CheckedRows = { valid: [], issues: [], invalidRows: 0 };
    let rows = 0;
    for (const record of records) {
      if (isBlank(record)) continue;
      rows += 1;
      check(record, result);
    }
    const creates: (string | null)[] = [];
    const updates: CheckedRow[] = [];
    const updatePlaces: number[] = [];
    result.valid.forEach((row, place) => {
      if (known.has(row.key)) {
        updates.push(row);
        updatePlaces.push(place);
      } else {
        const values = storedValues(newDevice(row.device, row.identity.manufacturerKey));
        for (let column = 0; column < storedColumnCount; column += 1)
          creates.push(values[column] ?? null);
      }
    });
    yield {
      rows,
      position: reader.position,
      creates,
      updates,
      updatePlaces,
      issues: result.issues,
      invalidRows: result.invalidRows,
      done,
      csvError,
    };
  }
}
