// What the flow import dialog decides from main's report: whether the file was imported, refused
// for its invalid lines (and how many valid lines could still go in), or held nothing to import;
// the words for the file formats; and the size check made before a file is read.
// Invariant: pure; "valid lines" is always recordLines − rejectedLines, the count main would import.
import type { FlowFileFormat } from '../../src-preload/network/model';
import type { FlowImportReport } from './types';

/** The largest flow file `flows:import` accepts, in characters (the contract's limit). */
export const maximumFlowFileCharacters = 256 * 1024 * 1024;

export const flowFormatLabels: Readonly<Record<FlowFileFormat, string>> = {
  'zeek-tsv': 'Zeek conn.log (TSV)',
  'zeek-json': 'Zeek conn.log (JSON lines)',
  csv: 'CSV (src, dst, proto, port, bytes, first/last seen)',
};

/** The file name extensions the file picker suggests; any file may still be chosen. */
export const flowFileAccept = '.log,.tsv,.json,.jsonl,.ndjson,.csv,.txt,text/plain,text/csv';

export type FlowImportOutcome =
  /** Written: the counts are what the store now holds more. */
  | { kind: 'imported'; skippedLines: number }
  /** Nothing written: some lines are invalid; `validLines` could still be imported alone. */
  | { kind: 'invalid-lines'; validLines: number }
  /** Nothing written, and nothing could be: no valid connection record. */
  | { kind: 'nothing-valid' };

export function flowImportOutcome(report: FlowImportReport): FlowImportOutcome {
  const validLines = Math.max(0, report.recordLines - report.rejectedLines);
  if (report.committed) return { kind: 'imported', skippedLines: report.rejectedLines };
  if (validLines === 0 || report.flows === 0) return { kind: 'nothing-valid' };
  return { kind: 'invalid-lines', validLines };
}

/** Invalid lines main counted but did not list (it reports the first ones only). */
export function unlistedIssueCount(report: FlowImportReport): number {
  return Math.max(0, report.rejectedLines - report.issues.length);
}

/**
 * Refuses a file too large for the channel before reading it. UTF-8 never has more characters
 * than bytes, so a file within the limit in bytes is within it in characters.
 */
export function flowFileTooLarge(fileName: string, sizeBytes: number): string | null {
  if (sizeBytes <= maximumFlowFileCharacters) return null;
  const mebibytes = (bytes: number) => Math.ceil(bytes / (1024 * 1024));
  return `${fileName} is ${mebibytes(sizeBytes)} MiB; a flow file may be at most ${mebibytes(maximumFlowFileCharacters)} MiB: split it (for example by day) and import the parts`;
}
