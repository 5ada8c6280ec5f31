// Map data to what vis-network draws: devices at the positions the layout gave (fixed, never
// simulated), straight flow edges styled by verdict, and large zones collapsed into one cluster
// node each, whose flows are bundled into one edge per pair of ends.
// Pure and order-preserving: the same map, filters, opened zones and draft always give the same
// graph, which is what makes two drawings of the same data identical. Collapsing happens here,
// before vis-network sees the data, because vis-network's own clustering of 10,000 nodes and
// 15,000 edges takes seconds; here it is one pass over the flows.
import { formatCount } from '../shared/format';
import type { Verdict } from '../../src-preload/network/model';
import type { MapFilters, VerdictOf } from './filters';
import { filterMap, mapVerdict } from './filters';
import {
  criticalityStyles,
  regionStyle,
  selectionColor,
  unknownNodeStyle,
  verdictDrawOrder,
  verdictStyles,
  worstVerdict,
} from './mapStyle';
import type { MapEdge, MapNode, MapZone, NetworkMap } from './types';

/** A zone with more shown devices than this starts as one cluster (main's layout uses the same). */
export const clusterThreshold = 150;

export type GraphNodeKind = 'device' | 'unknown' | 'cluster';

export interface GraphNode {
  /** `device:<uid>`, `unknown:<address>` or `zone:<zone id>` for a cluster. */
  id: string;
  kind: GraphNodeKind;
  zoneId: string;
  x: number;
  y: number;
  label: string;
  shape: 'dot' | 'diamond';
  size: number;
  borderWidth: number;
  color: {
    background: string;
    border: string;
    highlight: { background: string; border: string };
  };
  shapeProperties: { borderDashes: false | number[] };
  font: { size: number; face: string; color: string };
  /** Devices in a cluster; 0 for a device. */
  members: number;
}

export interface GraphEdge {
  /** `flow:<flow id>`, or `bundle:<end>|<end>` for the flows between a cluster and another end. */
  id: string;
  from: string;
  to: string;
  /** Flow ids it stands for: one for a flow edge, all of them for a bundle. */
  flowIds: number[];
  /** The flow's verdict, or the worst of the bundle's. */
  verdict: Verdict;
  /** True when the draft changes the verdict of one of its flows. */
  changed: boolean;
  width: number;
  dashes: false | number[];
  color: { color: string; highlight: string; inherit: false; opacity: number };
  /** A bundle's directions; a flow points from source to destination (the drawing's default). */
  arrows?: { to: { enabled: boolean }; from: { enabled: boolean } };
}

export interface MapGraph {
  /** Devices of open zones in the map's order, then the clusters, most critical zone first. */
  nodes: GraphNode[];
  /** Least severe first, so violations are drawn on top; flows in id order within a verdict. */
  edges: GraphEdge[];
  /** Zone ids drawn as clusters. */
  collapsedZones: string[];
  /** Zones over the threshold: the ones a double-click can open or "collapse all" can close. */
  largeZones: string[];
  /** Flows hidden inside a cluster (both ends in the same collapsed zone). */
  innerFlows: number;
}

export interface GraphOptions {
  filters: MapFilters;
  /** Large zones the user opened. */
  openedZones?: ReadonlySet<string>;
  /** The flows a what-if changes, with their verdict under the draft. */
  draftVerdicts?: ReadonlyMap<number, Verdict>;
  /** Device uids the draft moves to another zone. */
  movedDevices?: ReadonlySet<string>;
  threshold?: number;
}

export function clusterIdOf(zoneId: string): string {
  return `zone:${zoneId}`;
}

export function zoneIdOfCluster(nodeId: string): string | null {
  return nodeId.startsWith('zone:') ? nodeId.slice('zone:'.length) : null;
}

export function deviceUidOf(node: Pick<MapNode, 'id' | 'kind'>): string | null {
  return node.kind === 'device' ? node.id.slice('device:'.length) : null;
}

const fontFace = 'system-ui, sans-serif';
const deviceFont = { size: 9, face: fontFace, color: '#111821' };

export function buildMapGraph(map: NetworkMap, options: GraphOptions): MapGraph {
  const draftVerdicts = options.draftVerdicts ?? new Map<number, Verdict>();
  const moved = options.movedDevices ?? new Set<string>();
  const opened = options.openedZones ?? new Set<string>();
  const verdictOf: VerdictOf = (edge) => draftVerdicts.get(edge.flowId) ?? mapVerdict(edge);
  const shown = filterMap(map, options.filters, verdictOf);

  const threshold = options.threshold ?? clusterThreshold;
  const members = new Map<string, number>();
  for (const node of shown.nodes) members.set(node.zoneId, (members.get(node.zoneId) ?? 0) + 1);
  const largeZones = map.zones.filter((zone) => (members.get(zone.id) ?? 0) > threshold);
  const collapsed = largeZones.filter((zone) => !opened.has(zone.id));
  const collapsedIds = new Set(collapsed.map((zone) => zone.id));

  const nodes: GraphNode[] = [];
  const endOf = new Map<string, string>();
  for (const node of shown.nodes) {
    if (collapsedIds.has(node.zoneId)) {
      endOf.set(node.id, clusterIdOf(node.zoneId));
    } else {
      endOf.set(node.id, node.id);
      nodes.push(deviceNode(node, moved));
    }
  }
  for (const zone of collapsed) nodes.push(clusterNode(zone, members.get(zone.id) ?? 0));

  const edges: GraphEdge[] = [];
  const bundles = new Map<
    string,
    { from: string; to: string; flows: MapEdge[]; back: boolean; forth: boolean }
  >();
  let innerFlows = 0;
  for (const edge of shown.edges) {
    const from = endOf.get(edge.from)!;
    const to = endOf.get(edge.to)!;
    if (from === edge.from && to === edge.to) {
      edges.push(flowEdge(edge, verdictOf(edge), draftVerdicts));
      continue;
    }
    if (from === to) {
      innerFlows += 1;
      continue;
    }
    // One bundle per unordered pair of ends, as both directions are drawn on one line.
    const [first, second] = from < to ? [from, to] : [to, from];
    const key = `${first}|${second}`;
    let bundle = bundles.get(key);
    if (!bundle) {
      bundle = { from: first, to: second, flows: [], back: false, forth: false };
      bundles.set(key, bundle);
    }
    bundle.flows.push(edge);
    if (from === first) bundle.forth = true;
    else bundle.back = true;
  }
  for (const [key, bundle] of bundles) {
    const verdicts = bundle.flows.map(verdictOf);
    const style = bundledEdgeStyle(verdicts);
    edges.push({
      id: `bundle:${key}`,
      from: bundle.from,
      to: bundle.to,
      flowIds: bundle.flows.map((flow) => flow.flowId),
      verdict: style.verdict,
      changed: bundle.flows.some((flow) => isChanged(flow, draftVerdicts)),
      width: style.width,
      dashes: style.dashes,
      color: style.color,
      arrows: { to: { enabled: bundle.forth }, from: { enabled: bundle.back } },
    });
  }
  const rank = new Map(verdictDrawOrder.map((verdict, index) => [verdict, index]));
  // Stable sort: within a verdict, flows keep the map's order, bundles the order of their ends.
  edges.sort((a, b) => rank.get(a.verdict)! - rank.get(b.verdict)!);
  return {
    nodes,
    edges,
    collapsedZones: collapsed.map((zone) => zone.id),
    largeZones: largeZones.map((zone) => zone.id),
    innerFlows,
  };
}

function isChanged(edge: MapEdge, draftVerdicts: ReadonlyMap<number, Verdict>): boolean {
  const after = draftVerdicts.get(edge.flowId);
  return after !== undefined && after !== edge.verdict;
}

function deviceNode(node: MapNode, moved: ReadonlySet<string>): GraphNode {
  const unknown = node.kind === 'unknown';
  const style = unknown ? unknownNodeStyle : criticalityStyles[node.criticality];
  const uid = deviceUidOf(node);
  const isMoved = uid !== null && moved.has(uid);
  return {
    id: node.id,
    kind: node.kind,
    zoneId: node.zoneId,
    x: node.x,
    y: node.y,
    label: node.label,
    shape: unknown ? 'diamond' : 'dot',
    size: unknown ? 7 : 8,
    // A device with a finding (zone mismatch, no zone, shared address) has a heavy ring.
    borderWidth: node.findings.length > 0 || isMoved ? 3 : 1.5,
    color: {
      background: style.fill,
      border: isMoved ? selectionColor : style.border,
      highlight: { background: style.fill, border: selectionColor },
    },
    shapeProperties: {
      borderDashes: unknown || node.criticality === 'unassessed' || isMoved ? [3, 2] : false,
    },
    font: deviceFont,
    members: 0,
  };
}

function clusterNode(zone: MapZone, members: number): GraphNode {
  const style = regionStyle(zone.tier);
  return {
    id: clusterIdOf(zone.id),
    kind: 'cluster',
    zoneId: zone.id,
    x: zone.clusterX,
    y: zone.clusterY,
    label: `${formatCount(members)} devices\ndouble-click to open`,
    shape: 'dot',
    // The disc grows with the zone, slowly, and stays well inside the region.
    size: Math.min(24 + 3 * Math.sqrt(members / 10), Math.min(zone.width, zone.height) / 4),
    borderWidth: 3,
    color: {
      background: '#ffffff',
      border: style.border,
      highlight: { background: '#dde9f8', border: selectionColor },
    },
    shapeProperties: { borderDashes: false },
    font: { size: 16, face: fontFace, color: '#111821' },
    members,
  };
}

function flowEdge(
  edge: MapEdge,
  verdict: Verdict,
  draftVerdicts: ReadonlyMap<number, Verdict>,
): GraphEdge {
  const style = verdictStyles[verdict];
  const changed = isChanged(edge, draftVerdicts);
  return {
    id: edge.id,
    from: edge.from,
    to: edge.to,
    flowIds: [edge.flowId],
    verdict,
    changed,
    width: changed ? style.width + 2 : style.width,
    dashes: style.dashes,
    color: { color: style.color, highlight: selectionColor, inherit: false, opacity: 1 },
  };
}

/** Style of an edge that stands for several flows: the worst of them, wider the more there are. */
export function bundledEdgeStyle(
  verdicts: readonly Verdict[],
): Pick<GraphEdge, 'width' | 'dashes' | 'color' | 'verdict'> {
  const worst = worstVerdict(verdicts) ?? 'allowed';
  const style = verdictStyles[worst];
  return {
    verdict: worst,
    width: style.width + Math.min(4, Math.log10(Math.max(1, verdicts.length)) * 1.5),
    dashes: style.dashes,
    color: { color: style.color, highlight: selectionColor, inherit: false, opacity: 1 },
  };
}
