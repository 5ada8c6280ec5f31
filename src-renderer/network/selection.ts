// What the side panel shows for a selection: a device with its neighbours and flows, a zone with
// its traffic to other zones, a zone pair with its conduits and the flows across it. Pure lookups
// over an index of the map, built once per map.
// Invariant: every list is in a fixed order (worst verdict first, then by name and id), so the
// panel reads the same each time the same thing is selected.
import type { Criticality } from '../../src-preload/contract';
import type { Conduit, NetworkPolicy, Verdict } from '../../src-preload/network/model';
import { compareText, criticalityRank } from '../../src-preload/network/model';
import type { VerdictOf } from './filters';
import { mapVerdict } from './filters';
import { zoneIdOfCluster } from './mapGraph';
import { verdictSeverity } from './mapStyle';
import type { MapEdge, MapNode, MapZone, MapZoneEdge, NetworkMap } from './types';

export interface MapIndex {
  map: NetworkMap;
  nodeById: ReadonlyMap<string, MapNode>;
  zoneById: ReadonlyMap<string, MapZone>;
  edgeByFlowId: ReadonlyMap<number, MapEdge>;
  edgesByNode: ReadonlyMap<string, readonly MapEdge[]>;
  nodeByAddress: ReadonlyMap<string, MapNode>;
}

export function indexMap(map: NetworkMap): MapIndex {
  const edgesByNode = new Map<string, MapEdge[]>();
  const add = (nodeId: string, edge: MapEdge) => {
    const list = edgesByNode.get(nodeId);
    if (list) list.push(edge);
    else edgesByNode.set(nodeId, [edge]);
  };
  for (const edge of map.edges) {
    add(edge.from, edge);
    if (edge.to !== edge.from) add(edge.to, edge);
  }
  const nodeByAddress = new Map<string, MapNode>();
  for (const node of map.nodes) {
    if (node.address !== null && !nodeByAddress.has(node.address)) {
      nodeByAddress.set(node.address, node);
    }
  }
  return {
    map,
    nodeById: new Map(map.nodes.map((node) => [node.id, node])),
    zoneById: new Map(map.zones.map((zone) => [zone.id, zone])),
    edgeByFlowId: new Map(map.edges.map((edge) => [edge.flowId, edge])),
    edgesByNode,
    nodeByAddress,
  };
}

export interface DeviceFlow {
  edge: MapEdge;
  direction: 'outgoing' | 'incoming';
  peer: MapNode;
  /** The verdict shown: the draft's when a what-if changes it. */
  verdict: Verdict;
}

export interface DeviceDetails {
  node: MapNode;
  zone: MapZone | null;
  flows: DeviceFlow[];
  /** The devices it exchanges flows with, most critical first. */
  neighbours: MapNode[];
}

function byCriticalityThenLabel(a: MapNode, b: MapNode): number {
  return (
    criticalityRank[a.criticality] - criticalityRank[b.criticality] ||
    compareText(a.label, b.label) ||
    compareText(a.id, b.id)
  );
}

export function deviceDetails(
  index: MapIndex,
  nodeId: string,
  verdictOf: VerdictOf = mapVerdict,
): DeviceDetails | null {
  const node = index.nodeById.get(nodeId);
  if (node === undefined) return null;
  const flows: DeviceFlow[] = [];
  const neighbours = new Map<string, MapNode>();
  for (const edge of index.edgesByNode.get(nodeId) ?? []) {
    const outgoing = edge.from === nodeId;
    const peer = index.nodeById.get(outgoing ? edge.to : edge.from);
    if (peer === undefined) continue;
    flows.push({
      edge,
      direction: outgoing ? 'outgoing' : 'incoming',
      peer,
      verdict: verdictOf(edge),
    });
    if (peer.id !== nodeId) neighbours.set(peer.id, peer);
  }
  flows.sort(
    (a, b) =>
      verdictSeverity[a.verdict] - verdictSeverity[b.verdict] ||
      compareText(a.peer.label, b.peer.label) ||
      a.edge.flowId - b.edge.flowId,
  );
  return {
    node,
    zone: index.zoneById.get(node.zoneId) ?? null,
    flows,
    neighbours: [...neighbours.values()].sort(byCriticalityThenLabel),
  };
}

/** From one zone to another, in the direction connections are opened. */
export interface ZonePair {
  from: string;
  to: string;
}

/** The zone a drawn end stands for: a cluster's zone, or the node's own. */
export function zoneOfEnd(index: MapIndex, endId: string): string | null {
  return zoneIdOfCluster(endId) ?? index.nodeById.get(endId)?.zoneId ?? null;
}

/**
 * The zone pair an edge stands for: the direction of its worst flow (a bundle can carry flows
 * both ways), else the direction it is drawn in.
 */
export function zonePairOfEdge(
  index: MapIndex,
  fromId: string,
  toId: string,
  flowIds: readonly number[],
  verdictOf: VerdictOf = mapVerdict,
): ZonePair | null {
  let worst: MapEdge | null = null;
  for (const flowId of flowIds) {
    const edge = index.edgeByFlowId.get(flowId);
    if (edge === undefined) continue;
    if (
      worst === null ||
      verdictSeverity[verdictOf(edge)] < verdictSeverity[verdictOf(worst)] ||
      (verdictOf(edge) === verdictOf(worst) && edge.flowId < worst.flowId)
    ) {
      worst = edge;
    }
  }
  const from = worst ? index.nodeById.get(worst.from)?.zoneId : zoneOfEnd(index, fromId);
  const to = worst ? index.nodeById.get(worst.to)?.zoneId : zoneOfEnd(index, toId);
  return from && to ? { from, to } : null;
}

/** The conduits that decide flows opened from `pair.from` to `pair.to`, by id. */
export function conduitsOfPair(conduits: readonly Conduit[], pair: ZonePair): Conduit[] {
  return conduits
    .filter(
      (conduit) =>
        (conduit.from === pair.from && conduit.to === pair.to) ||
        (conduit.direction === 'both' && conduit.from === pair.to && conduit.to === pair.from),
    )
    .sort((a, b) => compareText(a.id, b.id));
}

export interface PairFlow {
  edge: MapEdge;
  source: MapNode;
  destination: MapNode;
  verdict: Verdict;
}

export interface ZonePairDetails {
  pair: ZonePair;
  from: MapZone | null;
  to: MapZone | null;
  conduits: Conduit[];
  /** Flows opened from a device of `from` to one of `to`, worst verdict first. */
  flows: PairFlow[];
  counts: Record<Verdict, number>;
  /** Every flow across the pair, counted by main (including flows with no drawn end). */
  summary: MapZoneEdge | null;
}

export function zonePairDetails(
  index: MapIndex,
  policy: NetworkPolicy,
  pair: ZonePair,
  verdictOf: VerdictOf = mapVerdict,
): ZonePairDetails {
  const flows: PairFlow[] = [];
  const counts: Record<Verdict, number> = { allowed: 0, monitored: 0, violation: 0, insecure: 0 };
  for (const edge of index.map.edges) {
    const source = index.nodeById.get(edge.from);
    const destination = index.nodeById.get(edge.to);
    if (source?.zoneId !== pair.from || destination?.zoneId !== pair.to) continue;
    const verdict = verdictOf(edge);
    counts[verdict] += 1;
    flows.push({ edge, source, destination, verdict });
  }
  flows.sort(
    (a, b) =>
      verdictSeverity[a.verdict] - verdictSeverity[b.verdict] || a.edge.flowId - b.edge.flowId,
  );
  return {
    pair,
    from: index.zoneById.get(pair.from) ?? null,
    to: index.zoneById.get(pair.to) ?? null,
    conduits: conduitsOfPair(policy.conduits, pair),
    flows,
    counts,
    summary:
      index.map.zoneEdges.find((edge) => edge.from === pair.from && edge.to === pair.to) ?? null,
  };
}

export interface ZoneDetails {
  zone: MapZone;
  /** Traffic from and to other zones (and inside it), worst verdict first, then most flows. */
  pairs: MapZoneEdge[];
  /** Devices of the zone by criticality, for the summary line. */
  devicesByCriticality: Partial<Record<Criticality, number>>;
}

export function zoneDetails(index: MapIndex, zoneId: string): ZoneDetails | null {
  const zone = index.zoneById.get(zoneId);
  if (zone === undefined) return null;
  const pairs = index.map.zoneEdges
    .filter((edge) => edge.from === zoneId || edge.to === zoneId)
    .sort(
      (a, b) =>
        verdictSeverity[a.verdict] - verdictSeverity[b.verdict] ||
        b.flows - a.flows ||
        compareText(a.id, b.id),
    );
  const devicesByCriticality: Partial<Record<Criticality, number>> = {};
  for (const node of index.map.nodes) {
    if (node.zoneId !== zoneId || node.kind !== 'device') continue;
    devicesByCriticality[node.criticality] = (devicesByCriticality[node.criticality] ?? 0) + 1;
  }
  return { zone, pairs, devicesByCriticality };
}
