// The map's filters: by zone, verdict, protocol and device criticality. Pure, so the same filters
// always show the same devices and flows. Invariant: a flow shows only with both its ends, and
// while a flow filter (verdict, protocol) is set only devices with a matching flow show, so a
// manager asking for violations sees the devices involved and nothing else.
import type { Criticality } from '../../src-preload/contract';
import type { FlowProtocol, Verdict } from '../../src-preload/network/model';
import { verdicts as allVerdicts } from '../../src-preload/network/model';
import type { MapEdge, MapNode, NetworkMap } from './types';

export interface MapFilters {
  /** Devices of this zone and the flows that touch it; null for every zone. */
  zoneId: string | null;
  /** Flows with one of these verdicts; empty for every verdict. */
  verdicts: readonly Verdict[];
  protocol: FlowProtocol | null;
  /** Devices of this criticality and the flows that touch them. */
  criticality: Criticality | null;
}

export const noMapFilters: MapFilters = {
  zoneId: null,
  verdicts: [],
  protocol: null,
  criticality: null,
};

/** The verdict a flow shows with: main's, or the draft's when a what-if is being previewed. */
export type VerdictOf = (edge: MapEdge) => Verdict;

export const mapVerdict: VerdictOf = (edge) => edge.verdict;

export function mapFiltersActive(filters: MapFilters): boolean {
  return (
    filters.zoneId !== null ||
    filters.verdicts.length > 0 ||
    filters.protocol !== null ||
    filters.criticality !== null
  );
}

/** Toggles one verdict; choosing every verdict is the same as choosing none. */
export function toggleVerdict(chosen: readonly Verdict[], verdict: Verdict): Verdict[] {
  const next = chosen.includes(verdict)
    ? chosen.filter((item) => item !== verdict)
    : [...chosen, verdict];
  const ordered = allVerdicts.filter((item) => next.includes(item));
  return ordered.length === allVerdicts.length ? [] : ordered;
}

export interface FilteredMap {
  /** In the map's order. */
  nodes: MapNode[];
  /** In the map's order. */
  edges: MapEdge[];
}

export function filterMap(
  map: NetworkMap,
  filters: MapFilters,
  verdictOf: VerdictOf = mapVerdict,
): FilteredMap {
  if (!mapFiltersActive(filters)) return { nodes: map.nodes, edges: map.edges };
  const nodeFilter = filters.zoneId !== null || filters.criticality !== null;
  const flowFilter = filters.verdicts.length > 0 || filters.protocol !== null;
  const nodeById = new Map(map.nodes.map((node) => [node.id, node]));
  const nodeMatches = (node: MapNode | undefined): boolean =>
    node !== undefined &&
    (filters.zoneId === null || node.zoneId === filters.zoneId) &&
    (filters.criticality === null || node.criticality === filters.criticality);
  const flowMatches = (edge: MapEdge): boolean =>
    (filters.verdicts.length === 0 || filters.verdicts.includes(verdictOf(edge))) &&
    (filters.protocol === null || edge.protocol === filters.protocol);

  const edges = map.edges.filter(
    (edge) =>
      nodeById.has(edge.from) &&
      nodeById.has(edge.to) &&
      flowMatches(edge) &&
      (!nodeFilter || nodeMatches(nodeById.get(edge.from)) || nodeMatches(nodeById.get(edge.to))),
  );
  const shown = new Set<string>();
  for (const edge of edges) {
    shown.add(edge.from);
    shown.add(edge.to);
  }
  const nodes = map.nodes.filter(
    (node) => shown.has(node.id) || (!flowFilter && nodeFilter && nodeMatches(node)),
  );
  return { nodes, edges };
}
