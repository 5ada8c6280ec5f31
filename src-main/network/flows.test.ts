import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WardkeepFailure } from '../lib/errors';
import type { FlowParse } from './flows';
import {
  aggregateConnections,
  detectFlowFormat,
  parseFlowCsv,
  parseFlowFile,
  parseZeekJson,
  parseZeekTsv,
} from './flows';

const fixtures = join(__dirname, '../../test/fixtures/network');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

function thrown(work: () => unknown): WardkeepFailure {
  try {
    work();
  } catch (error) {
    if (error instanceof WardkeepFailure) return error;
    throw error;
  }
  throw new Error('expected a WardkeepFailure');
}

/** The TSV fixture with its record lines replaced by `records` (header and #close kept). */
function tsvWith(...records: string[]): string {
  const lines = fixture('conn.log').split('\n');
  const header = lines.filter((line) => line.startsWith('#') && !line.startsWith('#close'));
  return `${[...header, ...records, '#close\t2026-01-01-00-15-00'].join('\n')}\n`;
}

/** One valid conn.log record with some fields replaced (by #fields index). */
function record(changes: Record<number, string> = {}): string {
  const fields = fixture('conn.log').split('\n')[8]!.split('\t');
  for (const [index, value] of Object.entries(changes)) fields[Number(index)] = value;
  return fields.join('\t');
}

describe('flow files', () => {
  it('reads the same flows from Zeek TSV, Zeek JSON and the CSV of one capture', () => {
    const tsv = parseZeekTsv(fixture('conn.log'));
    const json = parseZeekJson(fixture('conn.json.log'));
    const csv = parseFlowCsv(fixture('flows.csv'));
    for (const parsed of [tsv, json, csv]) {
      expect(parsed.issues).toEqual([]);
      expect(parsed.recordLines).toBe(14);
    }
    const flows = aggregateConnections(tsv.connections);
    expect(flows).toHaveLength(12);
    expect(aggregateConnections(json.connections)).toEqual(flows);
    expect(aggregateConnections(csv.connections)).toEqual(flows);
  });

  it('aggregates connections by source, destination, transport and port', () => {
    const flows = aggregateConnections(parseZeekTsv(fixture('conn.log')).connections);
    const hl7 = flows.find(
      (flow) => flow.source === '10.20.1.15' && flow.destination === '10.100.0.20',
    );
    expect(hl7).toEqual({
      source: '10.20.1.15',
      destination: '10.100.0.20',
      protocol: 'tcp',
      port: 2575,
      bytes: 1840 + 96 + 2920 + 1480 + 920 + 48,
      count: 3,
      tlsCount: 1,
      services: ['ssl'],
      firstSeenMs: 1767225600105,
      lastSeenMs: 1767225613105 + 2000,
    });
  });

  it('reads unset (-) and empty ((empty)) values, ICMP and IPv6 in canonical form', () => {
    const connections = parseZeekTsv(fixture('conn.log')).connections;
    const dns = connections.find((connection) => connection.port === 5353)!;
    expect(dns).toMatchObject({ protocol: 'udp', bytes: 0, services: ['dns'], tls: false });
    expect(dns.endMs).toBe(dns.startMs);
    const icmp = connections.find((connection) => connection.protocol === 'icmp')!;
    expect(icmp).toMatchObject({ source: '10.100.0.20', destination: '10.20.1.15', port: 0 });
    const six = connections.find((connection) => connection.source.includes(':'))!;
    expect(six).toMatchObject({
      source: 'fd57:6172:646b:120::15',
      destination: 'fd57:6172:646b:200::20',
      tls: true,
    });
  });

  it('reports each malformed record with its line and field, and keeps the rest', () => {
    const parsed = parseZeekTsv(
      tsvWith(
        record(),
        record({ 2: '10.20.1.300' }),
        record({ 5: '70000' }),
        'too\tfew\tfields',
        record({ 6: 'sctp' }),
        record({ 0: '-' }),
        record({ 9: 'many' }),
        record({ 4: '(empty)' }),
        record(),
      ),
    );
    // The header is 8 lines: records start on line 9.
    expect(parsed.issues).toEqual([
      { line: 10, field: 'id.orig_h', message: 'id.orig_h "10.20.1.300" is not an IP address' },
      { line: 11, field: 'id.resp_p', message: 'id.resp_p "70000" is not a port (0–65535)' },
      { line: 12, message: 'has 3 fields; #fields names 21' },
      { line: 13, field: 'proto', message: 'proto "sctp" is not tcp, udp or icmp' },
      { line: 14, field: 'ts', message: 'ts is unset' },
      { line: 15, field: 'orig_bytes', message: 'orig_bytes "many" is not a byte count' },
      { line: 16, field: 'id.resp_h', message: 'id.resp_h is empty' },
    ]);
    expect(parsed.rejectedLines).toBe(7);
    expect(parsed.recordLines).toBe(9);
    expect(parsed.connections.map((connection) => connection.line)).toEqual([9, 17]);
  });

  it('refuses a log that is not conn.log, or whose header lacks or mistypes a needed field', () => {
    const dns = fixture('conn.log').replace('#path\tconn', '#path\tdns');
    expect(thrown(() => parseZeekTsv(dns)).message).toBe(
      "line 5: this is Zeek's dns log; import conn.log",
    );
    const noPort = fixture('conn.log').replace('\tid.resp_p\t', '\tid_resp_p\t');
    const failure = thrown(() => parseZeekTsv(noPort));
    expect(failure.code).toBe('flows.invalid');
    expect(failure.message).toBe('line 7: #fields has no id.resp_p: not a Zeek conn.log');
    const mistyped = fixture('conn.log').replace(
      '#types\ttime\tstring\taddr\tport\taddr\tport',
      '#types\ttime\tstring\taddr\tport\taddr\tstring',
    );
    expect(thrown(() => parseZeekTsv(mistyped)).message).toBe(
      'line 8: field id.resp_p has type string, a conn.log has port',
    );
  });

  it('reads concatenated logs block by block and refuses records outside a block', () => {
    const log = fixture('conn.log');
    const parsed = parseZeekTsv(`${record()}\n${log}${record()}\n${log}`);
    expect(parsed.issues.map((issue) => [issue.line, issue.message])).toEqual([
      [1, 'a record before any #fields header'],
      [25, 'a record after #close without a new header'],
    ]);
    expect(parsed.connections).toHaveLength(28);
  });

  it('follows the header: its separator, unset and empty markers', () => {
    const text = [
      '#separator \\x7c',
      '#unset_field|NONE',
      '#empty_field|EMPTY',
      '#path|conn',
      '#fields|ts|id.orig_h|id.resp_h|id.resp_p|proto|service|orig_bytes',
      '#types|time|addr|addr|port|enum|string|count',
      '1767225600.5|10.0.0.1|10.0.0.2|443|tcp|ssl,-http|NONE',
      '1767225601.5|10.0.0.1|10.0.0.2|443|tcp|EMPTY|12',
    ].join('\n');
    const parsed = parseZeekTsv(text);
    expect(parsed.issues).toEqual([]);
    expect(
      parsed.connections.map((connection) => [
        connection.services,
        connection.tls,
        connection.bytes,
      ]),
    ).toEqual([
      [['ssl'], true, 0],
      [[], false, 12],
    ]);
  });

  it('reads Zeek JSON with ISO 8601 times and nested ids, and reports lines that are not conn records', () => {
    const parsed = parseZeekJson(
      [
        '{"ts":"2026-01-01T00:00:00.250000Z","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.2","id.resp_p":80,"proto":"tcp","service":"http"}',
        '',
        '{"ts":1767225600.5,"id":{"orig_h":"10.0.0.1","resp_h":"10.0.0.3","resp_p":53},"proto":"udp"}',
        '{"ts":1767225600.5,"id.orig_h":"10.0.0.1"',
        '[1,2]',
        '{"_path":"dns","ts":1767225600.5}',
        '{"ts":1767225600.5,"id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2","id.resp_p":"80x","proto":"tcp"}',
      ].join('\n'),
    );
    expect(
      parsed.connections.map((connection) => [
        connection.line,
        connection.startMs,
        connection.port,
      ]),
    ).toEqual([
      [1, Date.UTC(2026, 0, 1, 0, 0, 0, 250), 80],
      [3, 1767225600500, 53],
    ]);
    expect(parsed.issues.map((issue) => [issue.line, issue.field ?? null])).toEqual([
      [4, null],
      [5, null],
      [6, '_path'],
      [7, 'id.resp_p'],
    ]);
    expect(parsed.issues[0]!.message).toMatch(/^not valid JSON/);
    expect(parsed.recordLines).toBe(6);
  });

  it('reads a flow CSV with a count column and refuses one without the required columns', () => {
    const parsed = parseFlowCsv(
      [
        'Src,Dst,Proto,Port,Bytes,First_Seen,Last_Seen,Count,Note',
        '10.0.0.1,10.0.0.2,tcp,443,100,1767225600,1767225660,5,x',
        '10.0.0.1,10.0.0.2,tcp,443,100,2026-01-01T00:00:00Z,2025-12-31T00:00:00Z,1,x',
        '10.0.0.1,10.0.0.2,tcp,443,100,yesterday,,1,x',
        '10.0.0.1,10.0.0.2,tcp,443,100,1767225600,,0,x',
      ].join('\n'),
    );
    expect(parsed.connections).toHaveLength(1);
    expect(aggregateConnections(parsed.connections)[0]).toMatchObject({ count: 5, bytes: 100 });
    expect(parsed.issues.map((issue) => [issue.line, issue.field])).toEqual([
      [3, 'last_seen'],
      [4, 'first_seen'],
      [5, 'count'],
    ]);
    const failure = thrown(() => parseFlowCsv('src,dst,proto\n10.0.0.1,10.0.0.2,tcp\n'));
    expect(failure.message).toBe('line 1: the header lacks port, bytes, first_seen, last_seen');
  });

  it('detects the format from the first line and refuses what is none of them', () => {
    expect(detectFlowFormat(fixture('conn.log'))).toBe('zeek-tsv');
    expect(detectFlowFormat(`\n\n${fixture('conn.json.log')}`)).toBe('zeek-json');
    expect(detectFlowFormat(fixture('flows.csv'))).toBe('csv');
    expect(parseFlowFile(fixture('flows.csv')).format).toBe('csv');
    expect(thrown(() => parseFlowFile('hello world\n')).code).toBe('flows.invalid');
  });

  it('never throws on arbitrary record lines and accounts for every one', () => {
    const field = fc.oneof(
      fc.constantFrom('-', '(empty)', '', 'tcp', 'udp', '10.0.0.1', '::1', '65536', '1.5', 'ssl'),
      fc.string({ maxLength: 12 }).filter((text) => !/[\t\n\r]/.test(text)),
    );
    const line = fc
      .array(field, { minLength: 1, maxLength: 24 })
      .map((fields) => fields.join('\t'))
      .filter((text) => !text.startsWith('#') && text !== '');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const parsed: FlowParse = parseZeekTsv(tsvWith(...lines));
        expect(parsed.recordLines).toBe(lines.length);
        expect(parsed.connections.length + parsed.rejectedLines).toBe(lines.length);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 20 }), (lines) => {
        const parsed = parseZeekJson(lines.join('\n'));
        expect(parsed.connections.length + parsed.rejectedLines).toBe(parsed.recordLines);
      }),
    );
  });
});
