import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CsvParseResult, CsvRecord } from './csv';
import {
  formatCsvRecord,
  neutralizeFormulaCell,
  parseCsv,
  restoreFormulaCell,
  writeCsv,
} from './csv';

const utf8 = new TextEncoder();

function records(result: CsvParseResult): CsvRecord[] {
  if (!result.ok)
    throw new Error(`expected records, got ${result.error.code}: ${result.error.message}`);
  return result.records;
}

function failure(result: CsvParseResult) {
  if (result.ok) throw new Error(`expected an error, got ${result.records.length} records`);
  return result.error;
}

function bytes(...parts: Array<string | number[]>): Uint8Array {
  return Uint8Array.from(
    parts.flatMap((part) => (typeof part === 'string' ? [...utf8.encode(part)] : part)),
  );
}

function isWellFormedUtf8(data: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

// Cells built from the characters CSV and the formula guard care about, plus arbitrary UTF-16.
const trickyCell = fc.oneof(
  fc.string({
    unit: fc.constantFrom('a', 'Z', '7', ' ', ',', '"', '\r', '\n', '=', '+', '-', '@', '\t', "'"),
    maxLength: 12,
  }),
  fc.string({ unit: fc.constantFrom('\uFEFF', 'é', '€', '😀', ',', '"', '\n'), maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const csvRecords = fc.array(fc.array(trickyCell, { minLength: 1, maxLength: 6 }), {
  minLength: 1,
  maxLength: 6,
});

describe('parseCsv', () => {
  it('reads LF and CRLF files to the same records and lines', () => {
    const lf = 'asset_tag,model\nA-1,Pump\nA-2,Monitor\n';
    const crlf = lf.replaceAll('\n', '\r\n');
    const expected = [
      { line: 1, fields: ['asset_tag', 'model'] },
      { line: 2, fields: ['A-1', 'Pump'] },
      { line: 3, fields: ['A-2', 'Monitor'] },
    ];
    expect(records(parseCsv(lf))).toEqual(expected);
    expect(records(parseCsv(crlf))).toEqual(expected);
    // The final line break is optional, and a lone CR counts as a line break too.
    expect(records(parseCsv(lf.trimEnd()))).toEqual(expected);
    expect(records(parseCsv(lf.replaceAll('\n', '\r')))).toEqual(expected);
  });

  it('decodes UTF-8 bytes with or without a byte order mark, dropping only a leading one', () => {
    const text = 'manufacturer,notes\nSöderberg Medizintechnik,Ärztezimmer 🏥\n';
    const expected = [
      { line: 1, fields: ['manufacturer', 'notes'] },
      { line: 2, fields: ['Söderberg Medizintechnik', 'Ärztezimmer 🏥'] },
    ];
    expect(records(parseCsv(bytes(text)))).toEqual(expected);
    expect(records(parseCsv(bytes([0xef, 0xbb, 0xbf], text)))).toEqual(expected);
    expect(records(parseCsv(`\uFEFF${text}`))).toEqual(expected);
    // A byte order mark anywhere else is text.
    expect(records(parseCsv('a\n\uFEFFb\n'))).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['\uFEFFb'] },
    ]);
  });

  it('reads quoted commas, doubled quotes and line breaks, and keeps later records on their physical line', () => {
    const text =
      'serial_number,notes\r\n' +
      'SN-1,"moved, then ""re-tested"""\r\n' +
      'SN-2,"first line\r\nsecond line\nthird line"\r\n' +
      '"SN-3",plain\r\n' +
      'SN-4,"ends with a break\n"\r\n' +
      'SN-5,last';
    expect(records(parseCsv(text))).toEqual([
      { line: 1, fields: ['serial_number', 'notes'] },
      { line: 2, fields: ['SN-1', 'moved, then "re-tested"'] },
      { line: 3, fields: ['SN-2', 'first line\r\nsecond line\nthird line'] },
      { line: 6, fields: ['SN-3', 'plain'] },
      { line: 7, fields: ['SN-4', 'ends with a break\n'] },
      { line: 9, fields: ['SN-5', 'last'] },
    ]);
  });

  it('reads empty quoted fields, empty unquoted fields and a trailing comma', () => {
    expect(records(parseCsv('a,"",,\n""\n,\n'))).toEqual([
      { line: 1, fields: ['a', '', '', ''] },
      { line: 2, fields: [''] },
      { line: 3, fields: ['', ''] },
    ]);
  });

  it('returns no records for an empty file or one holding only a byte order mark', () => {
    expect(records(parseCsv(''))).toEqual([]);
    expect(records(parseCsv(new Uint8Array(0)))).toEqual([]);
    expect(records(parseCsv('\uFEFF'))).toEqual([]);
    expect(records(parseCsv(bytes([0xef, 0xbb, 0xbf])))).toEqual([]);
  });

  it('returns the header alone for a header-only file', () => {
    expect(records(parseCsv('manufacturer,model,serial_number\r\n'))).toEqual([
      { line: 1, fields: ['manufacturer', 'model', 'serial_number'] },
    ]);
  });

  it('keeps a blank line as a record of one empty field, on its own line', () => {
    expect(records(parseCsv('a,b\n\nc,d\n'))).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: [''] },
      { line: 3, fields: ['c', 'd'] },
    ]);
  });

  it('returns ragged rows as they are, with their lines, for the importer to judge', () => {
    expect(records(parseCsv('a,b,c\n1,2\n1,2,3,4\n"x\ny",2,3\n5\n'))).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['1', '2', '3', '4'] },
      { line: 4, fields: ['x\ny', '2', '3'] },
      { line: 6, fields: ['5'] },
    ]);
  });

  it('names the line where an unterminated quote opened', () => {
    const error = failure(parseCsv('a,b\n1,2\n3,"never closed\nstill open\r\nand on\n'));
    expect(error).toEqual({
      code: 'csv.unterminated_quote',
      line: 3,
      message: 'line 3: a quoted field is never closed',
    });
  });

  it('refuses a quote inside an unquoted field and text after a closing quote, naming the line', () => {
    expect(failure(parseCsv('a,b\n1,2\n3,4"5\n'))).toEqual({
      code: 'csv.stray_quote',
      line: 3,
      message: 'line 3: a quote inside a field that does not start with a quote',
    });
    expect(failure(parseCsv('a,b\n"multi\nline"x,2\n'))).toEqual({
      code: 'csv.text_after_quote',
      line: 3,
      message: 'line 3: text follows the closing quote of a field',
    });
  });

  it('refuses invalid UTF-8, naming the line and byte offset of the first bad byte', () => {
    // Lines 1 and 2 hold multi-byte text; line 3 starts at byte 25 and has 0xff at offset 28.
    const input = bytes('model,notes\nPump,Größe\n', 'ab,', [0xff], 'c\n');
    expect(input[28]).toBe(0xff);
    expect(failure(parseCsv(input))).toEqual({
      code: 'csv.encoding',
      line: 3,
      byteOffset: 28,
      message: 'line 3: the file is not valid UTF-8 text (byte offset 28)',
    });
  });

  it('refuses overlong forms, encoded surrogates, stray continuations and a cut-off sequence', () => {
    const cases: Array<[number[], number]> = [
      [[0xc0, 0xaf], 2], // overlong "/"
      [[0xe0, 0x80, 0xaf], 2], // overlong, three bytes
      [[0xed, 0xa0, 0x80], 2], // a UTF-16 surrogate
      [[0xf4, 0x90, 0x80, 0x80], 2], // above U+10FFFF
      [[0x80], 2], // a continuation byte on its own
      [[0xe2, 0x82], 2], // "€" cut short at the end of the file
    ];
    for (const [bad, offset] of cases) {
      const error = failure(parseCsv(bytes('a\n', bad)));
      expect(error, bad.join(' ')).toMatchObject({
        code: 'csv.encoding',
        line: 2,
        byteOffset: offset,
      });
    }
  });

  it('locates invalid UTF-8 where the longest well-formed prefix ends (property)', () => {
    const byteArrays = fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(0x0a, 0x0d, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xed),
      ),
      { maxLength: 24 },
    );
    fc.assert(
      fc.property(byteArrays, (values) => {
        const data = Uint8Array.from(values);
        const result = parseCsv(data);
        if (isWellFormedUtf8(data)) {
          expect(result.ok || result.error.code !== 'csv.encoding').toBe(true);
          return;
        }
        let longest = 0;
        for (let end = 0; end <= data.length; end += 1) {
          if (isWellFormedUtf8(data.subarray(0, end))) longest = end;
        }
        const prefix = new TextDecoder().decode(data.subarray(0, longest));
        const line = 1 + (prefix.match(/\r\n|\r|\n/g)?.length ?? 0);
        expect(failure(result)).toMatchObject({ code: 'csv.encoding', byteOffset: longest, line });
      }),
    );
  });
});

describe('formatCsvRecord and writeCsv', () => {
  it('quotes only cells holding a comma, quote or line break, and ends records with CRLF', () => {
    expect(
      formatCsvRecord(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\ronly', ' spaced ']),
    ).toBe('plain,"a,b","say ""hi""","two\nlines","cr\ronly", spaced \r\n');
    expect(
      writeCsv([
        ['h1', 'h2'],
        ['1', ''],
      ]),
    ).toBe('h1,h2\r\n1,\r\n');
  });

  it('quotes a lone empty cell so it is not read back as a blank line, and a leading byte order mark', () => {
    expect(formatCsvRecord([''])).toBe('""\r\n');
    expect(formatCsvRecord(['', ''])).toBe(',\r\n');
    expect(formatCsvRecord(['\uFEFFx', 'y'])).toBe('"\uFEFFx",y\r\n');
  });

  it('refuses a record without cells, which CSV cannot represent', () => {
    expect(() => writeCsv([['a'], []])).toThrow('a CSV record needs at least one cell');
  });

  it('prefixes a quote to cells a spreadsheet would run as formulas', () => {
    const cells = [
      '=SUM(A1:A9)',
      '+49 30 1234',
      '-5',
      '@cmd',
      '\tTab',
      '\rCR',
      'a=b',
      ' =x',
      'x-1',
    ];
    expect(cells.map(neutralizeFormulaCell)).toEqual([
      "'=SUM(A1:A9)",
      "'+49 30 1234",
      "'-5",
      "'@cmd",
      "'\tTab",
      "'\rCR",
      'a=b',
      ' =x',
      'x-1',
    ]);
    expect(formatCsvRecord(['=1+1', '-2', '\rCR'])).toBe("'=1+1,'-2,\"'\rCR\"\r\n");
    expect(formatCsvRecord(['=1+1', '-2'], false)).toBe('=1+1,-2\r\n');
    expect(writeCsv([['=1+1']], { neutralizeFormulas: false })).toBe('=1+1\r\n');
  });

  it('adds one more quote to a cell that already looks neutralized, so restoring is exact', () => {
    expect(neutralizeFormulaCell("'=x")).toBe("''=x");
    expect(neutralizeFormulaCell("''-1")).toBe("'''-1");
    expect(neutralizeFormulaCell("'plain")).toBe("'plain");
    expect(restoreFormulaCell("''=x")).toBe("'=x");
    expect(restoreFormulaCell("'=x")).toBe('=x');
    // Only a quote the guard could have added is removed.
    expect(restoreFormulaCell("'plain")).toBe("'plain");
    expect(restoreFormulaCell("'")).toBe("'");
  });

  it('restores exactly what it neutralized, and leaves nothing a spreadsheet would run (property)', () => {
    fc.assert(
      fc.property(trickyCell, (cell) => {
        const safe = neutralizeFormulaCell(cell);
        expect(restoreFormulaCell(safe)).toBe(cell);
        expect(/^[=+\-@\t\r]/.test(safe)).toBe(false);
      }),
    );
  });

  it('parses back exactly what it writes without the formula guard (property)', () => {
    fc.assert(
      fc.property(csvRecords, (rows) => {
        const parsed = records(parseCsv(writeCsv(rows, { neutralizeFormulas: false })));
        expect(parsed.map((record) => record.fields)).toEqual(rows);
      }),
    );
  });

  it('parses back what it writes with the formula guard once cells are restored (property)', () => {
    fc.assert(
      fc.property(csvRecords, (rows) => {
        const text = writeCsv(rows);
        const parsed = records(parseCsv(text));
        expect(parsed.map((record) => record.fields.map(restoreFormulaCell))).toEqual(rows);
        // Each record starts on the line after the line breaks of the records before it.
        let line = 1;
        parsed.forEach((record, index) => {
          expect(record.line).toBe(line);
          line += formatCsvRecord(rows[index] ?? []).match(/\r\n|\r|\n/g)?.length ?? 0;
        });
      }),
    );
  });

  it('round-trips through UTF-8 bytes with a byte order mark', () => {
    const rows = [
      ['serial_number', 'notes'],
      ['-12', '=cmd|" /C calc"!A0'],
      ['@risk', 'Größe, "groß"\r\nzweite Zeile'],
    ];
    const file = bytes([0xef, 0xbb, 0xbf], writeCsv(rows));
    const parsed = records(parseCsv(file));
    expect(parsed.map((record) => record.fields.map(restoreFormulaCell))).toEqual(rows);
    expect(parsed.map((record) => record.line)).toEqual([1, 2, 3]);
  });
});
