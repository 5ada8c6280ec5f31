// Canonical CSV: the canonical headers in canonical order, then one record per row. Both the demo
// hospital and the inventory export are written here, so what Wardkeep writes it reads back
// unchanged (formula-safe cells are restored on import; see csv.ts).
import { canonicalFields } from '../../src-preload/contract';
import type { CanonicalField, DeviceRecord } from '../../src-preload/contract';
import { formatCsvRecord } from './csv';
import { fieldNames } from './device-fields';

/** One device as the text of each canonical column ('' for no value). */
export type CanonicalRow = Record<CanonicalField, string>;

/** UTF-8 BOM (so spreadsheets read the text as UTF-8), CRLF line breaks, formula-safe cells. */
export function canonicalCsv(rows: Iterable<CanonicalRow>): string {
  const lines = [`\uFEFF${formatCsvRecord(canonicalFields)}`];
  for (const row of rows) lines.push(formatCsvRecord(canonicalFields.map((field) => row[field])));
  return lines.join('');
}

export function deviceToCanonicalRow(device: DeviceRecord): CanonicalRow {
  const row: Partial<CanonicalRow> = {};
  for (const field of canonicalFields) row[field] = device[fieldNames[field]] ?? '';
  return row as CanonicalRow;
}
