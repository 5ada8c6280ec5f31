// RFC 4180 CSV: a parser that reports malformed input as a coded value naming the physical line,
// and a writer whose output that parser reads back exactly. Every record carries the 1-based line
// where it starts, so a report about a record after a multi-line field still names the right line.
//
// Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or CR as
// a formula. `writeCsv` (unless told otherwise) prefixes such a cell with `'`, which spreadsheets
// treat as "this is text". To keep the mapping reversible, a cell that already starts with one or
// more `'` followed by one of those characters gets one more `'`; `restoreFormulaCell` removes
// exactly one, so `restoreFormulaCell(neutralizeFormulaCell(x)) === x` for every string.

export type CsvErrorCode =
  'csv.encoding' | 'csv.unterminated_quote' | 'csv.stray_quote' | 'csv.text_after_quote';

export interface CsvError {
  code: CsvErrorCode;
  /** 1-based physical line of the problem (for an unterminated quote: where the quote opened). */
  line: number;
  /** For `csv.encoding`: 0-based offset of the first byte that is not well-formed UTF-8. */
  byteOffset?: number;
  message: string;
}

export interface CsvRecord {
  /** 1-based physical line where the record starts. */
  line: number;
  fields: string[];
}

export type CsvParseResult = { ok: true; records: CsvRecord[] } | { ok: false; error: CsvError };

const quote = 0x22;
const comma = 0x2c;
const lineFeed = 0x0a;
const carriageReturn = 0x0d;
const byteOrderMark = 0xfeff;

/**
 * Decodes a file's bytes as strict UTF-8 (a BOM is kept for the parser to skip). Invalid bytes are
 * an error naming their line and byte offset, never silently replaced.
 */
export function decodeUtf8(
  input: Uint8Array,
): { ok: true; text: string } | { ok: false; error: CsvError } {
  try {
    return {
      ok: true,
      text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input),
    };
  } catch {
    const { byteOffset, line } = locateInvalidUtf8(input) ?? { byteOffset: 0, line: 1 };
    return {
      ok: false,
      error: {
        code: 'csv.encoding',
        line,
        byteOffset,
        message: `line ${line}: the file is not valid UTF-8 text (byte offset ${byteOffset})`,
      },
    };
  }
}

/**
 * Parses CSV text (or UTF-8 bytes) into records. Line breaks may be CRLF, LF or a lone CR; a final
 * line break is optional. A blank line is a record with one empty field: callers decide whether
 * that matters. Never throws: malformed input is returned as a coded error.
 */
export function parseCsv(input: string | Uint8Array): CsvParseResult {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const decoded = decodeUtf8(input);
    if (!decoded.ok) return decoded;
    text = decoded.text;
  }
  const reader = createCsvReader(text);
  const records: CsvRecord[] = [];
  const error = reader.read(records, Infinity);
  return error === null ? { ok: true, records } : { ok: false, error };
}

export interface CsvReader {
  /**
   * Appends up to `limit` more records to `into`; null when it read them (or the text ended),
   * else the error that stopped it (reading further after an error is not meaningful).
   */
  read(into: CsvRecord[], limit: number): CsvError | null;
  /** True once every record has been read. */
  readonly done: boolean;
  /** How many characters of the text have been read. */
  readonly position: number;
}

/** Reads CSV text a number of records at a time, exactly as parseCsv reads it all at once. */
export function createCsvReader(text: string): CsvReader {
  const length = text.length;
  let position = text.charCodeAt(0) === byteOrderMark ? 1 : 0;
  let line = 1;
  let done = position >= length;

  function read(records: CsvRecord[], limit: number): CsvError | null {
    let count = 0;
    while (!done && count < limit) {
      const error = readRecord(records);
      if (error !== null) {
        done = true;
        return error;
      }
      count += 1;
    }
    return null;
  }

  // Reads one record from `position` (which is inside the text) and pushes it.
  function readRecord(records: CsvRecord[]): CsvError | null {
    const fields: string[] = [];
    const recordLine = line;
    for (;;) {
      // At the start of a field.
      let value: string;
      if (text.charCodeAt(position) === quote) {
        const openedOnLine = line;
        position += 1;
        let start = position;
        let pieces = '';
        for (;;) {
          if (position >= length) {
            return {
              code: 'csv.unterminated_quote',
              line: openedOnLine,
              message: `line ${openedOnLine}: a quoted field is never closed`,
            };
          }
          const code = text.charCodeAt(position);
          if (code === quote) {
            if (text.charCodeAt(position + 1) === quote) {
              pieces += text.slice(start, position + 1);
              position += 2;
              start = position;
              continue;
            }
            pieces += text.slice(start, position);
            position += 1;
            break;
          }
          if (code === lineFeed) {
            line += 1;
          } else if (code === carriageReturn && text.charCodeAt(position + 1) !== lineFeed) {
            line += 1;
          }
          position += 1;
        }
        value = pieces;
        if (position < length) {
          const next = text.charCodeAt(position);
          if (next !== comma && next !== lineFeed && next !== carriageReturn) {
            return {
              code: 'csv.text_after_quote',
              line,
              message: `line ${line}: text follows the closing quote of a field`,
            };
          }
        }
      } else {
        const start = position;
        while (position < length) {
          const code = text.charCodeAt(position);
          if (code === comma || code === lineFeed || code === carriageReturn) break;
          if (code === quote) {
            return {
              code: 'csv.stray_quote',
              line,
              message: `line ${line}: a quote inside a field that does not start with a quote`,
            };
          }
          position += 1;
        }
        value = text.slice(start, position);
      }
      fields.push(value);

      // After a field: a comma, a line break or the end.
      if (position >= length) {
        records.push({ line: recordLine, fields });
        done = true;
        return null;
      }
      const separator = text.charCodeAt(position);
      if (separator === comma) {
        position += 1;
        if (position >= length) {
          fields.push('');
          records.push({ line: recordLine, fields });
          done = true;
          return null;
        }
        continue;
      }
      position +=
        separator === carriageReturn && text.charCodeAt(position + 1) === lineFeed ? 2 : 1;
      line += 1;
      records.push({ line: recordLine, fields });
      if (position >= length) done = true;
      return null;
    }
  }

  return {
    read,
    get done() {
      return done;
    },
    get position() {
      return position;
    },
  };
}

/**
 * Where the first ill-formed UTF-8 sequence starts, by the well-formedness table of Unicode
 * (chapter 3, table 3-7) that a fatal TextDecoder applies, with its physical line counted as
 * parseCsv counts lines; null when every sequence is well-formed. Only called once decoding failed.
 */
function locateInvalidUtf8(bytes: Uint8Array): { byteOffset: number; line: number } | null {
  let line = 1;
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    if (lead < 0x80) {
      if (lead === lineFeed || (lead === carriageReturn && bytes[index + 1] !== lineFeed)) {
        line += 1;
      }
      index += 1;
      continue;
    }
    // Only the first continuation byte's range narrows: no overlong forms, no surrogates, nothing
    // above U+10FFFF.
    let size: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      size = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      size = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      size = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else {
      return { byteOffset: index, line };
    }
    for (let next = 1; next < size; next += 1) {
      const byte = bytes[index + next];
      const min = next === 1 ? low : 0x80;
      const max = next === 1 ? high : 0xbf;
      if (byte === undefined || byte < min || byte > max) return { byteOffset: index, line };
    }
    index += size;
  }
  return null;
}

const formulaStart = /^'*[=+\-@\t\r]/;

/** Prefixes `'` to a cell a spreadsheet would run as a formula (see the module comment). */
export function neutralizeFormulaCell(cell: string): string {
  return formulaStart.test(cell) ? `'${cell}` : cell;
}

/** The inverse of neutralizeFormulaCell: removes the one `'` it added, and nothing else. */
export function restoreFormulaCell(cell: string): string {
  return cell.charCodeAt(0) === 0x27 && formulaStart.test(cell.slice(1)) ? cell.slice(1) : cell;
}

// A leading byte order mark is quoted too: the parser drops an unquoted one at the file's start.
const needsQuotes = /[",\r\n]|^\uFEFF/;

function encodeCell(cell: string, neutralizeFormulas: boolean): string {
  const safe = neutralizeFormulas ? neutralizeFormulaCell(cell) : cell;
  return needsQuotes.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV record with its CRLF terminator. */
export function formatCsvRecord(cells: readonly string[], neutralizeFormulas = true): string {
  // A lone empty cell is quoted so the record is not read back as a blank line.
  if (cells.length === 1 && cells[0] === '') return '""\r\n';
  let out = '';
  for (let index = 0; index < cells.length; index += 1) {
    if (index > 0) out += ',';
    out += encodeCell(cells[index] ?? '', neutralizeFormulas);
  }
  return `${out}\r\n`;
}

/**
 * Writes records as RFC 4180 CSV with CRLF line breaks. Every record must have at least one cell:
 * a record of no cells has no representation in CSV.
 */
export function writeCsv(
  records: Iterable<readonly string[]>,
  options: { neutralizeFormulas?: boolean } = {},
): string {
  const neutralizeFormulas = options.neutralizeFormulas ?? true;
  const lines: string[] = [];
  for (const cells of records) {
    if (cells.length === 0) throw new Error('a CSV record needs at least one cell');
    lines.push(formatCsvRecord(cells, neutralizeFormulas));
  }
  return lines.join('');
}
