// The map's figures in headless Chromium: 10,000 devices and 15,000 flows drawn by the network
// view's own graph builder and vis-network renderer (src-renderer/network/benchPage.ts), timed
// from the map in hand to the first drawn frame (target ≤ 1.5 s), and the positions vis-network
// holds compared across two fresh runs and with the layout's. Seeded data: every run draws the same.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { setLogSink } from '../../src-main/lib/logger';
import { formatIpAddress, parseCidr } from '../../src-main/network/addresses';
import type { Cidr } from '../../src-main/network/addresses';
import { compilePolicy, evaluateFlows, resolveDeviceZones } from '../../src-main/network/evaluate';
import { layoutNetworkMap } from '../../src-main/network/layout';
import type { NetworkMap } from '../../src-main/network/layout';
import { readPolicyFile, zonesTemplatePath } from '../../src-main/network/template';
import type { Criticality } from '../../src-preload/contract';
import type { NetworkDevice, NetworkPolicy, ObservedFlow } from '../../src-preload/network/model';
import { chromiumArgs, chromiumPath } from '../support/browser';

const projectRoot = resolve(__dirname, '..', '..');
const pageEntry = join(projectRoot, 'src-renderer', 'network', 'benchPage.ts');

export interface MapBenchOptions {
  devices?: number;
  flows?: number;
  /** Timed runs, each in a fresh page; at least 2 (positions are compared between the first two). */
  runs?: number;
}

export interface MapBenchResult {
  devices: number;
  flows: number;
  /** Nodes and edges the first render hands to vis-network, and the zones drawn as clusters. */
  nodes: number;
  edges: number;
  collapsedZones: number;
  /** Map in hand → vis-network's first afterDrawing, median of the runs (target ≤ 1500). */
  firstRenderMs: number;
  firstRenderRunsMs: number[];
  /** The same to the next animation frame (the drawing on screen), median. */
  firstFrameMs: number;
  /** Building the graph (filters, styles, collapsed zones) within firstRenderMs, median. */
  graphMs: number;
  /** Opening every collapsed zone at once (all 10,000 devices drawn), median. */
  openAllMs: number;
  /** Two fresh runs gave the same getPositions(), collapsed and with every zone open. */
  identicalPositions: boolean;
  /** Every device sits where the layout put it (vis-network rounds to whole canvas units). */
  positionsMatchLayout: boolean;
  positionsSha256: string;
}

interface MapBenchRun {
  firstDrawMs: number;
  firstFrameMs: number;
  graphMs: number;
  nodes: number;
  edges: number;
  collapsedZones: number;
  firstPositions: Record<string, { x: number; y: number }>;
  openAllMs: number;
  openPositions: Record<string, { x: number; y: number }>;
}

/** The page's global, typed loosely: this file is compiled without the DOM library. */
interface BenchScope {
  wardkeepMapBench: { run: (input: { map: NetworkMap }) => Promise<MapBenchRun> };
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** How a hospital's devices spread over the template's zones (shares of the total). */
const zoneShares: Readonly<Record<string, number>> = {
  'life-sustaining': 0.15,
  'medical-devices': 0.3,
  imaging: 0.03,
  pacs: 0.01,
  lab: 0.06,
  'building-systems': 0.08,
  'clinical-it': 0.04,
  'corporate-it': 0.27,
  guest: 0.04,
  'vendor-remote-access': 0.02,
};

const tierCriticality: Readonly<Record<string, Criticality[]>> = {
  life_sustaining: ['life_sustaining', 'life_sustaining', 'high'],
  high: ['high', 'high', 'medium', 'unassessed'],
  medium: ['medium', 'low', 'unassessed'],
  low: ['low', 'low', 'unassessed'],
};

const ports = [22, 53, 80, 104, 123, 443, 2575, 2762, 3389, 8080, 47808];

function hostIn(cidr: Cidr, random: () => number): string {
  const bytes = cidr.bytes.slice();
  for (let bit = Math.max(cidr.prefixLength, 8); bit < bytes.length * 8; bit += 1) {
    if (random() < 0.5) bytes[bit >> 3]! |= 1 << (7 - (bit & 7));
  }
  return formatIpAddress({ family: cidr.family, bytes });
}

export function generateHospitalMap(deviceCount: number, flowCount: number): NetworkMap {
  const policy: NetworkPolicy = readPolicyFile(zonesTemplatePath());
  const random = seeded(20260515);
  const devices: NetworkDevice[] = [];
  const used = new Set<string>();
  const byZone = new Map<string, NetworkDevice[]>();
  for (const zone of policy.zones) {
    const subnets = zone.subnets
      .map((text) => parseCidr(text))
      .flatMap((parsed) => (parsed.ok && parsed.cidr.family === 4 ? [parsed.cidr] : []));
    const wanted = Math.round((zoneShares[zone.id] ?? 0) * deviceCount);
    const members: NetworkDevice[] = [];
    while (members.length < wanted && subnets.length > 0) {
      const address = hostIn(subnets[Math.floor(random() * subnets.length)]!, random);
      if (used.has(address)) continue;
      used.add(address);
      const id = devices.length + 1;
      const choices = tierCriticality[zone.tier]!;
      const device: NetworkDevice = {
        id,
        uid: `map-${String(id).padStart(6, '0')}`,
        label: `${zone.id.slice(0, 4).toUpperCase()}-${id}`,
        ipAddress: address,
        zoneId: null,
        criticality: choices[Math.floor(random() * choices.length)]!,
        deviceClass: 'other',
      };
      devices.push(device);
      members.push(device);
    }
    byZone.set(zone.id, members);
  }
  const zoneIds = [...byZone.keys()].filter((id) => (byZone.get(id)?.length ?? 0) > 0);
  const pickIn = (zoneId: string) => {
    const members = byZone.get(zoneId)!;
    return members[Math.floor(random() * members.length)]!;
  };
  const flows: ObservedFlow[] = [];
  const keys = new Set<string>();
  while (flows.length < flowCount) {
    const sourceZone = zoneIds[Math.floor(random() * zoneIds.length)]!;
    // Half the traffic stays inside its zone, as on a real network.
    const destinationZone =
      random() < 0.5 ? sourceZone : zoneIds[Math.floor(random() * zoneIds.length)]!;
    const source = pickIn(sourceZone).ipAddress!;
    const destination = pickIn(destinationZone).ipAddress!;
    if (source === destination) continue;
    const protocol = random() < 0.85 ? 'tcp' : 'udp';
    const port = ports[Math.floor(random() * ports.length)]!;
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
  const compiled = compilePolicy(policy);
  const resolution = resolveDeviceZones(compiled, devices);
  const verdicts = evaluateFlows(compiled, resolution, flows);
  return layoutNetworkMap({
    policy,
    devices,
    deviceZones: resolution.devices,
    flows,
    verdicts,
  });
}

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [pageEntry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no map bench page');
  return output.text;
}

async function runOnce(browser: Browser, script: string, map: NetworkMap): Promise<MapBenchRun> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: script });
    return await page.evaluate(
      (data) => (globalThis as unknown as BenchScope).wardkeepMapBench.run({ map: data }),
      map,
    );
  } finally {
    await page.close();
  }
}

function positionsDigest(positions: Record<string, { x: number; y: number }>): string {
  const ordered = Object.keys(positions)
    .sort()
    .map((id) => `${id} ${positions[id]!.x} ${positions[id]!.y}`);
  return createHash('sha256').update(ordered.join('\n')).digest('hex');
}

export async function benchMap(options: MapBenchOptions = {}): Promise<MapBenchResult> {
  setLogSink(() => undefined);
  const deviceCount = options.devices ?? 10_000;
  const flowCount = options.flows ?? 15_000;
  const runs = Math.max(2, options.runs ?? 5);
  const map = generateHospitalMap(deviceCount, flowCount);
  const script = await bundlePage();
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
  });
  try {
    const results: MapBenchRun[] = [];
    for (let run = 0; run < runs; run += 1) results.push(await runOnce(browser, script, map));
    const [first, second] = results as [MapBenchRun, MapBenchRun];
    const digest = (result: MapBenchRun) =>
      `${positionsDigest(result.firstPositions)} ${positionsDigest(result.openPositions)}`;
    return {
      devices: deviceCount,
      flows: flowCount,
      nodes: first.nodes,
      edges: first.edges,
      collapsedZones: first.collapsedZones,
      firstRenderMs: median(results.map((result) => result.firstDrawMs)),
      firstRenderRunsMs: results.map((result) => Math.round(result.firstDrawMs)),
      firstFrameMs: median(results.map((result) => result.firstFrameMs)),
      graphMs: median(results.map((result) => result.graphMs)),
      openAllMs: median(results.map((result) => result.openAllMs)),
      identicalPositions: digest(first) === digest(second),
      positionsMatchLayout: map.nodes.every((node) => {
        const drawn = first.openPositions[node.id];
        return (
          drawn !== undefined && drawn.x === Math.round(node.x) && drawn.y === Math.round(node.y)
        );
      }),
      positionsSha256: positionsDigest(first.openPositions),
    };
  } finally {
    await browser.close();
  }
}

if (process.argv[1]?.endsWith(join('bench', 'map.ts'))) {
  benchMap()
    .then((result) => {
      const round = (value: number) => Math.round(value * 100) / 100;
      const emit = (figure: string, value: number, unit: string, extra = {}) =>
        console.log(JSON.stringify({ figure, value: round(value), unit, ...extra }));
      emit('map_first_render_10k_devices_15k_flows_ms', result.firstRenderMs, 'ms', {
        target: '<= 1500',
        runs: result.firstRenderRunsMs,
        firstFrameMs: round(result.firstFrameMs),
        graphMs: round(result.graphMs),
        nodes: result.nodes,
        edges: result.edges,
        collapsedZones: result.collapsedZones,
      });
      emit('map_open_all_zones_ms', result.openAllMs, 'ms', { devices: result.devices });
      emit('map_identical_positions_two_runs', result.identicalPositions ? 1 : 0, 'boolean', {
        positionsMatchLayout: result.positionsMatchLayout,
        sha256: result.positionsSha256,
      });
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
