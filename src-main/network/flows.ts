// Observed connections from passive sources, never a scan: Zeek conn.log as TSV or JSON lines, and a
// plain CSV. A bad line is reported with its number and what is wrong, and the good ones are kept;
// only a header that makes every line unreadable refuses the whole file.
import { fail } from '../lib/errors';
import { parseCsv } from '../inventory/csv';
import { canonicalIpAddress } from './addresses';
import type { FlowFileFormat, FlowProtocol, ObservedFlow } from '../../src-preload/network/model';
import { compareText } from '../../src-preload/network/model';
import { tlsServices } from './evaluate';

export { flowFileFormats } from '../../src-preload/network/model';
export type { FlowFileFormat };

/** One connection as the log recorded it. */
export interface Connection {
  /** 1-based line of the record in the file. */
  line: number;
  source: string;
  destination: string;
  protocol: FlowProtocol;
  port: number;
  bytes: number;
  startMs: number;
  endMs: number;
  /** Confirmed application protocols, lowercase. */
  services: string[];
  tls: boolean;
  /** Connections the record stands for: 1 in Zeek logs, the CSV's count column otherwise. */
  count: number;
}

export interface FlowIssue {
  line: number;
  /** The field or column at fault, when one is. */
  field?: string;
  message: string;
}

export interface FlowParse {
  format: FlowFileFormat;
  connections: Connection[];
  /** The first maxReportedIssues problems; rejectedLines counts them all. */
  issues: FlowIssue[];
  /** Lines that held a record (not headers, comments or blank lines). */
  recordLines: number;
  rejectedLines: number;
}

export const maxReportedIssues = 1000;

/** An aggregated flow before the store gives it an id. */
export type FlowAggregate = Omit<ObservedFlow, 'id'>;

/** Which parser a file needs, from its first non-blank line; null when none fits. */
export function detectFlowFormat(text: string): FlowFileFormat | null {
  const reader = lines(text);
  let first = '';
  for (let current = reader.next(); current; current = reader.next()) {
    first = current.text.trim();
    if (first !== '') break;
  }
  if (first.startsWith('#separator') || first.startsWith('#fields')) return 'zeek-tsv';
  if (first.startsWith('{')) return 'zeek-json';
  if (/(^|,)\s*"?src"?\s*(,|$)/i.test(first) && /(^|,)\s*"?dst"?\s*(,|$)/i.test(first))
    return 'csv';
  return null;
}

/** Parses a flow file in the given format, or the detected one; throws `flows.invalid` if neither fits. */
export function parseFlowFile(text: string, format?: FlowFileFormat): FlowParse {
  const chosen = format ?? detectFlowFormat(text);
  switch (chosen) {
    case 'zeek-tsv':
      return parseZeekTsv(text);
    case 'zeek-json':
      return parseZeekJson(text);
    case 'csv':
      return parseFlowCsv(text);
    case null:
      return fail(
        'flows.invalid',
        'line 1: not a Zeek conn.log (TSV or JSON) nor a flow CSV with src and dst columns',
        { line: 1 },
      );
  }
}

class IssueList {
  issues: FlowIssue[] = [];
  rejected = 0;

  add(line: number, message: string, field?: string): void {
    this.rejected += 1;
    if (this.issues.length < maxReportedIssues) {
      this.issues.push(field === undefined ? { line, message } : { line, field, message });
    }
  }
}

/** Canonical address text, cached: a log repeats the same few thousand addresses. */
function addressCanonicalizer(): (text: string) => string | null {
  const cache = new Map<string, string | null>();
  return (text) => {
    let canonical = cache.get(text);
    if (canonical === undefined) {
      canonical = canonicalIpAddress(text);
      if (cache.size < 1_000_000) cache.set(text, canonical);
    }
    return canonical;
  };
}

function parseProtocol(text: string): FlowProtocol | null {
  switch (text.toLowerCase()) {
    case 'tcp':
      return 'tcp';
    case 'udp':
      return 'udp';
    case 'icmp':
    case 'icmp6':
    case 'ipv6-icmp':
      return 'icmp';
    case 'unknown_transport':
    case 'other':
      return 'other';
    default:
      return null;
  }
}

const portText = /^[0-9]{1,5}$/;
const countText = /^[0-9]{1,15}$/;
const secondsText = /^[0-9]{1,12}(\.[0-9]{1,9})?$/;

function parsePort(text: string): number | null {
  if (!portText.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/** Zeek's service field: comma-separated confirmed protocols; `-x` marks one DPD removed. */
const noServices: string[] = [];

function parseServices(text: string | null): string[] {
  // Shared and never written to: aggregation copies services before adding to them.
  if (text === null || text === '') return noServices;
  const services: string[] = [];
  for (const piece of text.split(',')) {
    const name = piece.trim().toLowerCase();
    if (name !== '' && !name.startsWith('-') && !services.includes(name)) services.push(name);
  }
  return services.sort(compareText);
}

function isTls(services: readonly string[]): boolean {
  return services.some((name) => tlsServices.includes(name));
}

/** Zeek escapes bytes it cannot print (and the separator) as \xHH. */
function unescapeZeek(text: string): string {
  return text.includes('\\x')
    ? text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) =>
        String.fromCharCode(parseInt(hex, 16)),
      )
    : text;
}

interface LineReader {
  next(): { text: string; line: number } | null;
}

function lines(text: string): LineReader {
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  return {
    next() {
      if (position >= text.length) return null;
      let end = text.indexOf('\n', position);
      if (end === -1) end = text.length;
      let stop = end;
      if (stop > position && text.charCodeAt(stop - 1) === 13) stop -= 1;
      const value = text.slice(position, stop);
      position = end + 1;
      line += 1;
      return { text: value, line };
    },
  };
}

/** The conn.log fields the import reads, with the Zeek type each must have. */
const tsvFieldTypes: Readonly<Record<string, string>> = {
  ts: 'time',
  'id.orig_h': 'addr',
  'id.resp_h': 'addr',
  'id.resp_p': 'port',
  proto: 'enum',
  service: 'string',
  duration: 'interval',
  orig_bytes: 'count',
  resp_bytes: 'count',
};
const requiredTsvFields = ['ts', 'id.orig_h', 'id.resp_h', 'id.resp_p', 'proto'];

interface TsvLayout {
  separator: string;
  unset: string;
  empty: string;
  fieldCount: number;
  ts: number;
  source: number;
  destination: number;
  port: number;
  protocol: number;
  service: number;
  duration: number;
  originBytes: number;
  responseBytes: number;
}

/**
 * Zeek's TSV conn.log: `#separator \x09` (escaped), then tab-separated `#set_separator`,
 * `#empty_field` ((empty)), `#unset_field` (-), `#path conn`, `#open`, `#fields` and `#types`
 * header lines, one record per line, `#close` at the end. Fields are found by name, so any field
 * set with the ones read works; several header blocks (concatenated rotated logs) are read in turn.
 */
export function parseZeekTsv(text: string): FlowParse {
  const reader = lines(text);
  const issues = new IssueList();
  const connections: Connection[] = [];
  const canonical = addressCanonicalizer();
  let separator = '\t';
  let unset = '-';
  let empty = '(empty)';
  let layout: TsvLayout | null = null;
  let pendingFields: { names: string[]; line: number } | null = null;
  let closed = false;
  let recordLines = 0;
  let starts = new Int32Array(64);

  const settle = (types: string[] | null, line: number): void => {
    const fields = pendingFields!;
    const index = (name: string): number => fields.names.indexOf(name);
    for (const name of requiredTsvFields) {
      if (index(name) === -1) {
        fail('flows.invalid', `line ${fields.line}: #fields has no ${name}: not a Zeek conn.log`, {
          line: fields.line,
          field: name,
        });
      }
    }
    if (types) {
      if (types.length !== fields.names.length) {
        fail(
          'flows.invalid',
          `line ${line}: #types lists ${types.length} types for ${fields.names.length} fields`,
          { line },
        );
      }
      for (const [name, expected] of Object.entries(tsvFieldTypes)) {
        const at = index(name);
        if (at !== -1 && types[at] !== expected) {
          fail(
            'flows.invalid',
            `line ${line}: field ${name} has type ${types[at]}, a conn.log has ${expected}`,
            { line, field: name },
          );
        }
      }
    }
    layout = {
      separator,
      unset,
      empty,
      fieldCount: fields.names.length,
      ts: index('ts'),
      source: index('id.orig_h'),
      destination: index('id.resp_h'),
      port: index('id.resp_p'),
      protocol: index('proto'),
      service: index('service'),
      duration: index('duration'),
      originBytes: index('orig_bytes'),
      responseBytes: index('resp_bytes'),
    };
    if (starts.length < fields.names.length + 1) starts = new Int32Array(fields.names.length + 1);
    pendingFields = null;
    closed = false;
  };

  for (let current = reader.next(); current; current = reader.next()) {
    const { text: lineText, line } = current;
    if (lineText === '') continue;
    if (lineText.charCodeAt(0) === 35 /* # */) {
      if (lineText.startsWith('#separator ')) {
        separator = unescapeZeek(lineText.slice('#separator '.length));
        if (separator === '') {
          fail('flows.invalid', `line ${line}: #separator is empty`, { line });
        }
        continue;
      }
      const parts = lineText.split(separator);
      const keyword = parts[0];
      const values = parts.slice(1);
      switch (keyword) {
        case '#set_separator':
        case '#open':
          break;
        case '#empty_field':
          empty = values[0] ?? empty;
          break;
        case '#unset_field':
          unset = values[0] ?? unset;
          break;
        case '#path':
          if (values[0] !== 'conn') {
            fail(
              'flows.invalid',
              `line ${line}: this is Zeek's ${values[0] ?? '?'} log; import conn.log`,
              { line },
            );
          }
          break;
        case '#fields':
          if (pendingFields) settle(null, line);
          pendingFields = { names: values, line };
          layout = null;
          break;
        case '#types':
          if (!pendingFields) {
            fail('flows.invalid', `line ${line}: #types before #fields`, { line });
          }
          settle(values, line);
          break;
        case '#close':
          if (pendingFields) settle(null, line);
          closed = true;
          break;
        default:
          // Other comment lines carry nothing the import needs.
          break;
      }
      continue;
    }
    if (pendingFields) settle(null, line);
    recordLines += 1;
    const active = layout as TsvLayout | null;
    if (!active) {
      issues.add(line, 'a record before any #fields header');
      continue;
    }
    if (closed) {
      issues.add(line, 'a record after #close without a new header');
      continue;
    }
    // Field boundaries only: the nine fields read are cut out, the other dozen never are.
    let fieldCount = 1;
    starts[0] = 0;
    for (
      let at = lineText.indexOf(active.separator);
      at !== -1;
      at = lineText.indexOf(active.separator, at + 1)
    ) {
      if (fieldCount < starts.length) starts[fieldCount] = at + active.separator.length;
      fieldCount += 1;
    }
    if (fieldCount !== active.fieldCount) {
      issues.add(line, `has ${fieldCount} fields; #fields names ${active.fieldCount}`);
      continue;
    }
    starts[fieldCount] = lineText.length + active.separator.length;
    const connection = buildConnection(
      line,
      {
        ts: tsvValue(lineText, starts, active.ts, active),
        source: tsvValue(lineText, starts, active.source, active),
        destination: tsvValue(lineText, starts, active.destination, active),
        port: tsvValue(lineText, starts, active.port, active),
        protocol: tsvValue(lineText, starts, active.protocol, active),
        service: unescapeOrNull(tsvValue(lineText, starts, active.service, active)),
        duration: tsvValue(lineText, starts, active.duration, active),
        originBytes: tsvValue(lineText, starts, active.originBytes, active),
        responseBytes: tsvValue(lineText, starts, active.responseBytes, active),
      },
      canonical,
      issues,
    );
    if (connection) connections.push(connection);
  }
  if (pendingFields) settle(null, 0);
  return {
    format: 'zeek-tsv',
    connections,
    issues: issues.issues,
    recordLines,
    rejectedLines: issues.rejected,
  };
}

/** A field's text: null when unset or absent from #fields, '' when Zeek wrote it empty. */
function tsvValue(
  line: string,
  starts: Int32Array,
  index: number,
  layout: TsvLayout,
): string | null {
  if (index === -1) return null;
  const raw = line.slice(starts[index], starts[index + 1]! - layout.separator.length);
  if (raw === layout.unset) return null;
  if (raw === layout.empty) return '';
  return raw;
}

function unescapeOrNull(text: string | null): string | null {
  return text === null ? null : unescapeZeek(text);
}

interface RawConnection {
  ts: string | null;
  source: string | null;
  destination: string | null;
  port: string | null;
  protocol: string | null;
  service: string | null;
  duration: string | null;
  originBytes: string | null;
  responseBytes: string | null;
}

/** Checks one record's values (as text) in field order; the first problem rejects the line. */
function buildConnection(
  line: number,
  raw: RawConnection,
  canonical: (text: string) => string | null,
  issues: IssueList,
): Connection | null {
  if (raw.ts === null || !secondsText.test(raw.ts)) {
    issues.add(line, problem('ts', raw.ts, 'a time in seconds since 1970'), 'ts');
    return null;
  }
  const source = raw.source === null ? null : canonical(raw.source);
  if (source === null) {
    issues.add(line, problem('id.orig_h', raw.source, 'an IP address'), 'id.orig_h');
    return null;
  }
  const destination = raw.destination === null ? null : canonical(raw.destination);
  if (destination === null) {
    issues.add(line, problem('id.resp_h', raw.destination, 'an IP address'), 'id.resp_h');
    return null;
  }
  const port = raw.port === null ? null : parsePort(raw.port);
  if (port === null) {
    issues.add(line, problem('id.resp_p', raw.port, 'a port (0–65535)'), 'id.resp_p');
    return null;
  }
  const protocol = raw.protocol === null ? null : parseProtocol(raw.protocol);
  if (protocol === null) {
    issues.add(line, problem('proto', raw.protocol, 'tcp, udp or icmp'), 'proto');
    return null;
  }
  let durationSeconds = 0;
  if (raw.duration !== null && raw.duration !== '') {
    if (!secondsText.test(raw.duration)) {
      issues.add(line, problem('duration', raw.duration, 'a number of seconds'), 'duration');
      return null;
    }
    durationSeconds = Number(raw.duration);
  }
  let bytes = 0;
  for (const [name, text] of [
    ['orig_bytes', raw.originBytes],
    ['resp_bytes', raw.responseBytes],
  ] as const) {
    if (text === null || text === '') continue;
    if (!countText.test(text)) {
      issues.add(line, problem(name, text, 'a byte count'), name);
      return null;
    }
    bytes += Number(text);
  }
  const startMs = Math.round(Number(raw.ts) * 1000);
  const services = parseServices(raw.service);
  return {
    line,
    source,
    destination,
    port,
    protocol,
    bytes,
    startMs,
    endMs: startMs + Math.round(durationSeconds * 1000),
    services,
    tls: isTls(services),
    count: 1,
  };
}

/** `port "x" is not a port`, or `port is unset`. */
function problem(name: string, value: string | null, expectation: string): string {
  if (value === null || value === '') return `${name} is ${value === null ? 'unset' : 'empty'}`;
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return `${name} ${JSON.stringify(shown)} is not ${expectation}`;
}

function jsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return `${JSON.stringify(value)}`;
}

/** Zeek's JSON time: epoch seconds (the default) or ISO 8601 text (JSON::TS_ISO8601). */
function jsonSeconds(value: unknown): string | null {
  if (typeof value === 'number')
    return Number.isFinite(value) && value >= 0 ? value.toFixed(6) : '';
  if (typeof value === 'string') {
    if (secondsText.test(value)) return value;
    const ms = parseIsoTime(value);
    return ms === null ? value : (ms / 1000).toFixed(3);
  }
  return jsonText(value);
}

const isoTime =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:?[0-9]{2})$/;

function parseIsoTime(text: string): number | null {
  if (!isoTime.test(text)) return null;
  const ms = Date.parse(text.replace(/([+-][0-9]{2})([0-9]{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Zeek's JSON lines (LogAscii::use_json=T): one object per line with dotted names ("id.orig_h"),
 * ts as epoch seconds or ISO 8601 text; fields Zeek left unset are absent.
 */
export function parseZeekJson(text: string): FlowParse {
  const reader = lines(text);
  const issues = new IssueList();
  const connections: Connection[] = [];
  const canonical = addressCanonicalizer();
  let recordLines = 0;
  for (let current = reader.next(); current; current = reader.next()) {
    const { text: lineText, line } = current;
    if (lineText.trim() === '') continue;
    recordLines += 1;
    let record: unknown;
    try {
      record = JSON.parse(lineText);
    } catch (error) {
      issues.add(line, `not valid JSON: ${(error as Error).message}`);
      continue;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      issues.add(line, 'not a JSON object');
      continue;
    }
    const fields = record as Record<string, unknown>;
    if (fields._path !== undefined && fields._path !== 'conn') {
      issues.add(line, `a record of Zeek's ${jsonText(fields._path)} log, not conn`, '_path');
      continue;
    }
    // Some shippers nest the 4-tuple as {"id": {"orig_h": …}}; Zeek itself writes dotted names.
    const nested =
      typeof fields.id === 'object' && fields.id !== null
        ? (fields.id as Record<string, unknown>)
        : {};
    const pick = (name: string): unknown => fields[`id.${name}`] ?? nested[name];
    const connection = buildConnection(
      line,
      {
        ts: jsonSeconds(fields.ts),
        source: jsonText(pick('orig_h')),
        destination: jsonText(pick('resp_h')),
        port: jsonText(pick('resp_p')),
        protocol: jsonText(fields.proto),
        service: jsonText(fields.service),
        duration: jsonText(fields.duration),
        originBytes: jsonText(fields.orig_bytes),
        responseBytes: jsonText(fields.resp_bytes),
      },
      canonical,
      issues,
    );
    if (connection) connections.push(connection);
  }
  return {
    format: 'zeek-json',
    connections,
    issues: issues.issues,
    recordLines,
    rejectedLines: issues.rejected,
  };
}

const csvRequired = ['src', 'dst', 'proto', 'port', 'bytes', 'first_seen', 'last_seen'] as const;
const csvOptional = ['service', 'count'] as const;

/**
 * A flow CSV with a header row: src, dst, proto, port, bytes, first_seen, last_seen (times as ISO
 * 8601 with a zone, or epoch seconds), and optionally service (Zeek names, comma-separated) and
 * count (connections the row stands for; 1 when absent). Other columns are ignored.
 */
export function parseFlowCsv(text: string): FlowParse {
  const parsed = parseCsv(text);
  if (!parsed.ok) {
    fail('flows.invalid', parsed.error.message, { line: parsed.error.line });
  }
  const records = parsed.records.filter(
    (record) => !(record.fields.length === 1 && record.fields[0]!.trim() === ''),
  );
  const header = records.shift();
  if (!header) fail('flows.invalid', 'line 1: the file is empty', { line: 1 });
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const column: Record<string, number> = {};
  for (const name of [...csvRequired, ...csvOptional]) column[name] = names.indexOf(name);
  const missing = csvRequired.filter((name) => column[name] === -1);
  if (missing.length > 0) {
    fail('flows.invalid', `line ${header.line}: the header lacks ${missing.join(', ')}`, {
      line: header.line,
      missing,
    });
  }
  const issues = new IssueList();
  const connections: Connection[] = [];
  const canonical = addressCanonicalizer();
  for (const record of records) {
    const line = record.line;
    if (record.fields.length !== names.length) {
      issues.add(line, `has ${record.fields.length} cells; the header has ${names.length}`);
      continue;
    }
    const cell = (name: string): string => {
      const at = column[name]!;
      return at === -1 ? '' : record.fields[at]!.trim();
    };
    const source = canonical(cell('src'));
    if (source === null) {
      issues.add(line, problem('src', cell('src'), 'an IP address'), 'src');
      continue;
    }
    const destination = canonical(cell('dst'));
    if (destination === null) {
      issues.add(line, problem('dst', cell('dst'), 'an IP address'), 'dst');
      continue;
    }
    const protocol = parseProtocol(cell('proto'));
    if (protocol === null) {
      issues.add(line, problem('proto', cell('proto'), 'tcp, udp, icmp or other'), 'proto');
      continue;
    }
    const port = parsePort(cell('port'));
    if (port === null) {
      issues.add(line, problem('port', cell('port'), 'a port (0–65535)'), 'port');
      continue;
    }
    const bytesText = cell('bytes');
    if (bytesText !== '' && !countText.test(bytesText)) {
      issues.add(line, problem('bytes', bytesText, 'a byte count'), 'bytes');
      continue;
    }
    const firstSeen = csvTime(cell('first_seen'));
    if (firstSeen === null) {
      issues.add(
        line,
        problem('first_seen', cell('first_seen'), 'an ISO 8601 time with a zone or epoch seconds'),
        'first_seen',
      );
      continue;
    }
    const lastText = cell('last_seen');
    const lastSeen = lastText === '' ? firstSeen : csvTime(lastText);
    if (lastSeen === null || lastSeen < firstSeen) {
      issues.add(
        line,
        lastSeen === null
          ? problem('last_seen', lastText, 'an ISO 8601 time with a zone or epoch seconds')
          : 'last_seen is before first_seen',
        'last_seen',
      );
      continue;
    }
    const countCell = cell('count');
    const count = countCell === '' ? 1 : Number(countCell);
    if (countCell !== '' && (!countText.test(countCell) || count < 1)) {
      issues.add(line, problem('count', countCell, 'a whole number of at least 1'), 'count');
      continue;
    }
    const services = parseServices(cell('service'));
    const connection: Connection = {
      line,
      source,
      destination,
      protocol,
      port,
      bytes: bytesText === '' ? 0 : Number(bytesText),
      startMs: firstSeen,
      endMs: lastSeen,
      services,
      tls: isTls(services),
      count,
    };
    connections.push(connection);
  }
  return {
    format: 'csv',
    connections,
    issues: issues.issues,
    recordLines: records.length,
    rejectedLines: issues.rejected,
  };
}

function csvTime(text: string): number | null {
  if (text === '') return null;
  if (secondsText.test(text)) return Math.round(Number(text) * 1000);
  return parseIsoTime(text);
}

function flowKey(connection: Connection): string {
  return `${connection.source}\u0000${connection.destination}\u0000${connection.protocol}\u0000${connection.port}`;
}

/**
 * Sums connections into flows by (source, destination, transport, destination port), in the order
 * each flow first appears: the same file always gives the same flows in the same order.
 */
export function aggregateConnections(connections: readonly Connection[]): FlowAggregate[] {
  const byKey = new Map<string, FlowAggregate>();
  for (const connection of connections) {
    const key = flowKey(connection);
    const flow = byKey.get(key);
    if (!flow) {
      byKey.set(key, {
        source: connection.source,
        destination: connection.destination,
        protocol: connection.protocol,
        port: connection.port,
        bytes: connection.bytes,
        count: connection.count,
        tlsCount: connection.tls ? connection.count : 0,
        services: connection.services.length === 0 ? [] : [...connection.services],
        firstSeenMs: connection.startMs,
        lastSeenMs: Math.max(connection.startMs, connection.endMs),
      });
      continue;
    }
    flow.bytes += connection.bytes;
    flow.count += connection.count;
    if (connection.tls) flow.tlsCount += connection.count;
    for (const service of connection.services) {
      if (!flow.services.includes(service)) flow.services.push(service);
    }
    if (connection.startMs < flow.firstSeenMs) flow.firstSeenMs = connection.startMs;
    const end = Math.max(connection.startMs, connection.endMs);
    if (end > flow.lastSeenMs) flow.lastSeenMs = end;
  }
  const flows = [...byKey.values()];
  for (const flow of flows) if (flow.services.length > 1) flow.services.sort(compareText);
  return flows;
}
