// The rows of an import come out the same whichever way they are read: all at once or a few
// records at a time, on this thread, on a worker running the bundled source, or on a worker
// running the built file; and a worker that cannot load falls back to this thread.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCsvReader, parseCsv } from './csv';
import type { CsvRecord } from './csv';
import { generateDemoHospital } from './demo';
import { canonicalCsv } from './demo-csv';
import { resolveMapping, suggestMapping } from './import-mapping';
import type { RowCheckRequest, RowChunk } from './import-rows';
import { checkRowChunks } from './import-rows';
import type { RowSource } from './import-source';
import { openRowSource, workerModule } from './import-source';
import { identityKey, storedColumnCount } from './repository';

function requestFor(
  content: string,
  knownKeys: string[] = [],
  chunkRecords = 100,
): RowCheckRequest {
  const parsed = parseCsv(content);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const headers = (parsed.records[0]?.fields ?? []).map((header) => header.trim());
  return {
    content,
    headerCount: headers.length,
    columns: resolveMapping(headers, suggestMapping(headers)),
    knownKeys,
    chunkRecords,
  };
}

function drain(source: RowSource): RowChunk[] {
  const chunks: RowChunk[] = [];
  try {
    for (let chunk = source.next(); chunk !== null; chunk = source.next()) chunks.push(chunk);
  } finally {
    source.close();
  }
  return chunks;
}

const header = 'manufacturer,model,serial_number,device_class,site,notes';
const file = [
  header,
  'Acme Medical,InfuStar 3,S-1,infusion_pump,General,',
  '',
  'Acme Medical,InfuStar 3,S-2,toaster,General,',
  '"Aerion, Respiratory",BreathPro 700,S-3,ventilator,North,"Filter due\r\nin May"',
  'Acme Medical,InfuStar 3,S-1,infusion_pump,General,',
  'acme medical,InfuStar 3,S-4,infusion_pump,,',
].join('\r\n');

describe('createCsvReader', () => {
  it('reads the same records a few at a time as parseCsv reads at once, lines included', () => {
    const text = `\ufeff${file}\r\n"unterminated,x`;
    const whole = parseCsv(text);
    expect(whole.ok).toBe(false);
    const reader = createCsvReader(text);
    const records: CsvRecord[] = [];
    expect(reader.read(records, 2)).toBeNull();
    expect(records.map((record) => record.line)).toEqual([1, 2]);
    expect(reader.read(records, 3)).toBeNull();
    expect(reader.done).toBe(false);
    expect(reader.read(records, 100)).toEqual({
      code: 'csv.unterminated_quote',
      line: 9,
      message: 'line 9: a quoted field is never closed',
    });
    expect(reader.done).toBe(true);
    const valid = parseCsv(`\ufeff${file}`);
    expect(valid.ok && records).toEqual(valid.ok ? valid.records : null);
  });
});

describe('checkRowChunks', () => {
  it('checks every data row once, in file order, splitting creations from known devices', () => {
    const known = identityKey({ manufacturerKey: 'acme medical', serialNumber: 'S-4' });
    const chunks = [...checkRowChunks(requestFor(file, [known], 2))];
    expect(chunks.map((chunk) => [chunk.rows, chunk.done])).toEqual([
      [1, false],
      [2, false],
      [2, true],
    ]);
    const creations = chunks.flatMap((chunk) => chunk.creates);
    expect(creations.length).toBe(2 * storedColumnCount);
    // storedValues order: asset_tag, manufacturer, manufacturer_key, model, serial_number, …
    expect(creations.slice(0, 5)).toEqual([
      null,
      'Acme Medical',
      'acme medical',
      'InfuStar 3',
      'S-1',
    ]);
    expect(creations.slice(storedColumnCount + 1, storedColumnCount + 5)).toEqual([
      'Aerion, Respiratory',
      'aerion, respiratory',
      'BreathPro 700',
      'S-3',
    ]);
    expect(creations).toContain('Filter due\r\nin May');
    const updates = chunks.flatMap((chunk) => chunk.updates);
    expect(updates.map((row) => [row.line, row.key])).toEqual([[8, known]]);
    expect(chunks[2]?.updatePlaces).toEqual([0]);
    expect(chunks.flatMap((chunk) => chunk.issues)).toEqual([
      { line: 4, column: 'device_class', reason: '"toaster" is not a known device class' },
      {
        line: 7,
        column: 'serial_number',
        reason: 'duplicate of line 2 (same manufacturer and serial number)',
      },
    ]);
    expect(chunks.reduce((sum, chunk) => sum + chunk.invalidRows, 0)).toBe(2);
  });

  it('ends with a chunk naming the line where the file stops being CSV', () => {
    const chunks = [...checkRowChunks(requestFor(file, [], 100))];
    expect(chunks).toHaveLength(1);
    const broken = [...checkRowChunks({ ...requestFor(file), content: `${file}\r\nx,"y` })];
    expect(broken.at(-1)).toMatchObject({
      done: true,
      csvError: { code: 'csv.unterminated_quote', line: 9 },
    });
  });
});

describe('openRowSource', () => {
  const content = canonicalCsv(generateDemoHospital(11, 1500));
  const request = requestFor(content, [], 400);
  const expected = [...checkRowChunks(request)];

  it('gives the chunks of checkRowChunks on this thread when there is no worker module', () => {
    const source = openRowSource(request, null);
    expect(source.threaded).toBe(false);
    expect(drain(source)).toEqual(expected);
  });

  it('gives the same chunks from a worker thread running the bundled source', () => {
    const module = workerModule();
    expect(module).not.toBeNull();
    const source = openRowSource(request, module);
    expect(source.threaded).toBe(true);
    expect(drain(source)).toEqual(expected);
  });

  const built = join(__dirname, '..', '..', 'out', 'main', 'import-worker.js');
  it.skipIf(!existsSync(built))(
    'gives the same chunks from a worker running the built file (after npm run build)',
    () => {
      const source = openRowSource(request, { script: built });
      expect(source.threaded).toBe(true);
      expect(drain(source)).toEqual(expected);
    },
  );

  it('falls back to this thread when the worker cannot load its module', () => {
    const source = openRowSource(request, { script: join(__dirname, 'no-such-worker.js') });
    expect(source.threaded).toBe(false);
    expect(drain(source)).toEqual(expected);
  });

  it('stops the worker when closed before the last chunk', () => {
    const source = openRowSource(request, workerModule());
    expect(source.next()).toEqual(expected[0]);
    source.close();
    expect(source.next()).toBeNull();
  });
});
