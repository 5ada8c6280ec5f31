// Network figures: evaluation of 100,000 flows over 10,000 devices (target ≤ 1 s), Zeek TSV parse
// rate, a 100,000-line import into the encrypted store, and the layout of 10,000 devices (time and
// identical positions across runs). Seeded data, so every run does the same work; medians reported.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { systemClock } from '../../src-main/lib/clock';
import { setLogSink } from '../../src-main/lib/logger';
import { formatIpAddress, parseCidr } from '../../src-main/network/addresses';
import type { Cidr } from '../../src-main/network/addresses';
import {
  compilePolicy,
  evaluateFlows,
  listFindings,
  resolveDeviceZones,
} from '../../src-main/network/evaluate';
import { aggregateConnections, parseZeekTsv } from '../../src-main/network/flows';
import { layoutNetworkMap } from '../../src-main/network/layout';
import type { NetworkDevice, NetworkPolicy, ObservedFlow } from '../../src-main/network/model';
import { createNetworkService } from '../../src-main/network/service';
import { readPolicyFile, zonesTemplatePath } from '../../src-main/network/template';
import { openDatabase } from '../../src-main/store/database';
import { applyMigrationForTest } from '../support/schema';
import * as networkMigration from '../../src-main/store/migrations/0006-network';

export interface NetworkBenchOptions {
  devices?: number;
  flows?: number;
  /** Lines of the generated Zeek TSV log. */
  logLines?: number;
  runs?: number;
}

export interface NetworkBenchResult {
  devices: number;
  flows: number;
  /** compilePolicy + resolveDeviceZones + evaluateFlows, median (target ≤ 1000). */
  evaluationMs: number;
  evaluationRunsMs: number[];
  /** Sorting the violations and insecure flows of that evaluation. */
  findingsMs: number;
  findings: number;
  logLines: number;
  logBytes: number;
  /** parseZeekTsv + aggregateConnections, median. */
  tsvParseMs: number;
  tsvLinesPerSecond: number;
  tsvMegabytesPerSecond: number;
  /** importFlows of the same log into an encrypted store (parse, aggregate, one transaction). */
  importMs: number;
  layoutDevices: number;
  layoutMs: number;
  layoutRunsMs: number[];
  /** Two runs gave byte-identical layouts. */
  layoutIdentical: boolean;
  layoutSha256: string;
}

/** Mulberry32: a small seeded generator, so the data is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function hostIn(cidr: Cidr, random: () => number): string {
  const bytes = cidr.bytes.slice();
  for (let bit = cidr.prefixLength; bit < bytes.length * 8; bit += 1) {
    if (random() < 0.5) bytes[bit >> 3]! |= 1 << (7 - (bit & 7));
  }
  return formatIpAddress({ family: cidr.family, bytes });
}

const criticalities = ['life_sustaining', 'high', 'medium', 'low', 'unassessed'] as const;
const ports = [22, 53, 80, 104, 123, 443, 2575, 2762, 3389, 5900, 8080, 47808];

function generate(policy: NetworkPolicy, deviceCount: number, flowCount: number) {
  const random = seeded(20260101);
  const subnets = policy.zones.flatMap((zone) =>
    zone.subnets.map((text) => ({
      zoneId: zone.id,
      cidr: (parseCidr(text) as { ok: true; cidr: Cidr }).cidr,
    })),
  );
  const devices: NetworkDevice[] = [];
  const used = new Set<string>();
  while (devices.length < deviceCount) {
    const subnet = subnets[Math.floor(random() * subnets.length)]!;
    const address = hostIn(subnet.cidr, random);
    if (used.has(address)) continue;
    used.add(address);
    const id = devices.length + 1;
    devices.push({
      id,
      uid: `bench-${(id * 2654435761) % 4294967296}`,
      label: `device ${id}`,
      ipAddress: address,
      // One device in ten is assigned; one of those in five to another zone than its subnet's.
      zoneId:
        random() < 0.1
          ? random() < 0.2
            ? policy.zones[Math.floor(random() * policy.zones.length)]!.id
            : subnet.zoneId
          : null,
      criticality: criticalities[Math.floor(random() * criticalities.length)]!,
      deviceClass: 'other',
    });
  }
  const outside = Array.from({ length: 500 }, (_, index) => `198.51.${index >> 8}.${index & 255}`);
  const pick = (): string =>
    random() < 0.95
      ? devices[Math.floor(random() * devices.length)]!.ipAddress!
      : random() < 0.5
        ? outside[Math.floor(random() * outside.length)]!
        : hostIn(subnets[Math.floor(random() * subnets.length)]!.cidr, random);
  const flows: ObservedFlow[] = [];
  const keys = new Set<string>();
  while (flows.length < flowCount) {
    const source = pick();
    const destination = pick();
    if (source.includes(':') !== destination.includes(':')) continue;
    const protocol = random() < 0.8 ? 'tcp' : random() < 0.9 ? 'udp' : 'icmp';
    const port = protocol === 'icmp' ? 0 : ports[Math.floor(random() * ports.length)]!;
    const key = `${source} ${destination} ${protocol} ${port}`;
    if (keys.has(key)) continue;
    keys.add(key);
    const count = 1 + Math.floor(random() * 20);
    flows.push({
      id: flows.length + 1,
      source,
      destination,
      protocol,
      port,
      bytes: count * 1500,
      count,
      tlsCount: random() < 0.5 ? count : 0,
      services: [],
      firstSeenMs: 1767225600000,
      lastSeenMs: 1767225600000 + count * 1000,
    });
  }
  return { devices, flows };
}

const zeekFields =
  'ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents';
const zeekTypes =
  'time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]';

function zeekLog(flows: readonly ObservedFlow[], lines: number): string {
  const random = seeded(7);
  const out = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    '#open\t2026-01-01-00-00-00',
    `#fields\t${zeekFields}`,
    `#types\t${zeekTypes}`,
  ];
  for (let line = 0; line < lines; line += 1) {
    const flow = flows[Math.floor(random() * flows.length)]!;
    const ts = (1767225600 + line * 0.01).toFixed(6);
    const service = flow.tlsCount > 0 ? 'ssl' : '-';
    out.push(
      `${ts}\tC${line.toString(36)}x\t${flow.source}\t${40000 + (line % 20000)}\t${flow.destination}\t${flow.port}\t${flow.protocol}\t${service}\t0.250000\t1200\t300\tSF\t-\t-\t0\tShADadFf\t10\t1600\t8\t700\t-`,
    );
  }
  out.push('#close\t2026-01-01-01-00-00');
  return `${out.join('\n')}\n`;
}

export function benchNetwork(options: NetworkBenchOptions = {}): NetworkBenchResult {
  setLogSink(() => undefined);
  const deviceCount = options.devices ?? 10_000;
  const flowCount = options.flows ?? 100_000;
  const logLines = options.logLines ?? 100_000;
  const runs = options.runs ?? 5;
  const policy = readPolicyFile(zonesTemplatePath());
  const { devices, flows } = generate(policy, deviceCount, flowCount);

  const evaluationRunsMs: number[] = [];
  let verdicts: ReturnType<typeof evaluateFlows> = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const compiled = compilePolicy(policy);
    const resolution = resolveDeviceZones(compiled, devices);
    verdicts = evaluateFlows(compiled, resolution, flows);
    evaluationRunsMs.push(performance.now() - started);
  }
  const findingsStarted = performance.now();
  const findings = listFindings(flows, verdicts);
  const findingsMs = performance.now() - findingsStarted;

  const log = zeekLog(flows, logLines);
  const logBytes = Buffer.byteLength(log);
  const parseRuns: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const parsed = parseZeekTsv(log);
    aggregateConnections(parsed.connections);
    parseRuns.push(performance.now() - started);
    if (parsed.rejectedLines !== 0) throw new Error('the generated log should parse cleanly');
  }
  const tsvParseMs = median(parseRuns);

  const workDir = mkdtempSync(join(tmpdir(), 'wardkeep-bench-network-'));
  let importMs: number;
  try {
    const db = openDatabase(join(workDir, 'bench.db'), randomBytes(32));
    try {
      applyMigrationForTest(db, networkMigration);
      const network = createNetworkService({ db, clock: systemClock, inventory: () => [] });
      network.importPolicyFile(
        JSON.stringify({ format: 'wardkeep-network-policy', version: 1, zones: [], conduits: [] }),
        {
          actor: 'bench',
          reason: 'benchmark',
        },
      );
      const started = performance.now();
      const report = network.importFlows('bench.log', log, {
        actor: 'bench',
        importValidLines: false,
      });
      importMs = performance.now() - started;
      if (!report.committed) throw new Error('the benchmark import did not commit');
    } finally {
      db.close();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  const layoutDevices = devices.slice(0, 10_000);
  const compiled = compilePolicy(policy);
  const deviceZones = resolveDeviceZones(compiled, layoutDevices).devices;
  const layoutRunsMs: number[] = [];
  const digests: string[] = [];
  for (let run = 0; run < Math.max(2, runs); run += 1) {
    const started = performance.now();
    const map = layoutNetworkMap({ policy, devices: layoutDevices, deviceZones });
    layoutRunsMs.push(performance.now() - started);
    digests.push(createHash('sha256').update(JSON.stringify(map)).digest('hex'));
  }

  return {
    devices: deviceCount,
    flows: flowCount,
    evaluationMs: median(evaluationRunsMs),
    evaluationRunsMs: evaluationRunsMs.map(Math.round),
    findingsMs,
    findings: findings.length,
    logLines,
    logBytes,
    tsvParseMs,
    tsvLinesPerSecond: logLines / (tsvParseMs / 1000),
    tsvMegabytesPerSecond: logBytes / 1_048_576 / (tsvParseMs / 1000),
    importMs,
    layoutDevices: layoutDevices.length,
    layoutMs: median(layoutRunsMs),
    layoutRunsMs: layoutRunsMs.map(Math.round),
    layoutIdentical: digests.every((digest) => digest === digests[0]),
    layoutSha256: digests[0]!,
  };
}

if (process.argv[1]?.endsWith(join('bench', 'network.ts'))) {
  const result = benchNetwork();
  const round = (value: number) => Math.round(value * 100) / 100;
  const emit = (figure: string, value: number, unit: string, extra: Record<string, unknown> = {}) =>
    console.log(JSON.stringify({ figure, value: round(value), unit, ...extra }));
  emit('network_evaluate_100k_flows_10k_devices_ms', result.evaluationMs, 'ms', {
    target: '<= 1000',
    runs: result.evaluationRunsMs,
  });
  emit('network_findings_sort_ms', result.findingsMs, 'ms', { findings: result.findings });
  emit('network_zeek_tsv_parse_ms', result.tsvParseMs, 'ms', {
    lines: result.logLines,
    bytes: result.logBytes,
  });
  emit('network_zeek_tsv_lines_per_s', result.tsvLinesPerSecond, 'lines/s');
  emit('network_zeek_tsv_mb_per_s', result.tsvMegabytesPerSecond, 'MiB/s');
  emit('network_flow_import_encrypted_ms', result.importMs, 'ms', { lines: result.logLines });
  emit('network_layout_10k_devices_ms', result.layoutMs, 'ms', {
    runs: result.layoutRunsMs,
    identical: result.layoutIdentical,
  });
}
