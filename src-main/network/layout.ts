// Positions for the network map, computed, never simulated: zones are regions on a grid (most
// critical first), devices a grid inside their zone by uid, then unknown addresses by address. The
// same data gives the same coordinates every time; zones above a threshold are marked to collapse.
import type { Criticality } from '../../src-preload/contract';
import { canonicalIpAddress } from './addresses';
import type {
  DeviceFindingKind,
  DeviceZone,
  FlowProtocol,
  FlowVerdict,
  NetworkDevice,
  NetworkPolicy,
  ObservedFlow,
  UnknownDevice,
  Verdict,
  ZoneTier,
} from '../../src-preload/network/model';
import { compareText, compareZones, externalZoneId } from '../../src-preload/network/model';

export interface LayoutOptions {
  /** Distance between two device centres. */
  cellSize: number;
  /** Space between a zone's border and its devices. */
  zonePadding: number;
  /** Space above the devices for the zone's title. */
  headerHeight: number;
  /** Space between two zones. */
  zoneGap: number;
  /** A zone with more nodes than this is marked `collapsed` (drawn as one cluster until opened). */
  clusterThreshold: number;
  /** The narrowest a zone is drawn: room for its title at the overview zoom, however few devices. */
  minZoneWidth: number;
}

export const defaultLayoutOptions: LayoutOptions = {
  cellSize: 48,
  zonePadding: 24,
  headerHeight: 40,
  zoneGap: 96,
  clusterThreshold: 150,
  minZoneWidth: 288,
};

export interface MapZone {
  /** A zone id, or `external` for devices and addresses outside every zone. */
  id: string;
  name: string;
  tier: ZoneTier | null;
  clinical: boolean;
  isolate: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
  deviceCount: number;
  unknownCount: number;
  collapsed: boolean;
  /** Where the cluster of a collapsed zone sits: the region's centre. */
  clusterX: number;
  clusterY: number;
}

export interface MapNode {
  /** `device:<uid>` or `unknown:<address>`. */
  id: string;
  kind: 'device' | 'unknown';
  zoneId: string;
  label: string;
  x: number;
  y: number;
  deviceId: number | null;
  address: string | null;
  criticality: Criticality;
  findings: DeviceFindingKind[];
}

export interface MapEdge {
  /** `flow:<flow id>`. */
  id: string;
  flowId: number;
  from: string;
  to: string;
  verdict: Verdict;
  protocol: FlowProtocol;
  port: number;
  count: number;
}

export interface MapZoneEdge {
  /** `zones:<from>><to>`. */
  id: string;
  from: string;
  to: string;
  flows: number;
  connections: number;
  /** The worst verdict among its flows: violation, insecure, monitored, allowed. */
  verdict: Verdict;
  byVerdict: Record<Verdict, number>;
}

export interface NetworkMap {
  zones: MapZone[];
  nodes: MapNode[];
  /** One per flow whose two ends are both nodes (devices or unknown addresses). */
  edges: MapEdge[];
  /** Every flow, summed per ordered zone pair (intra-zone pairs included). */
  zoneEdges: MapZoneEdge[];
}

export interface LayoutInput {
  policy: NetworkPolicy;
  devices: readonly NetworkDevice[];
  /** resolveDeviceZones(...).devices: where each device goes and what is wrong with it. */
  deviceZones: readonly DeviceZone[];
  /** Placed in the zone named by inferredZoneId (external when null). */
  unknownDevices?: readonly UnknownDevice[];
  flows?: readonly ObservedFlow[];
  /** evaluateFlows(...) for `flows`, in the same order. */
  verdicts?: readonly FlowVerdict[];
  options?: Partial<LayoutOptions>;
}

const verdictSeverity: Record<Verdict, number> = {
  violation: 0,
  insecure: 1,
  monitored: 2,
  allowed: 3,
};

interface PendingNode {
  node: Omit<MapNode, 'x' | 'y'>;
  sortKey: string;
}

export function layoutNetworkMap(input: LayoutInput): NetworkMap {
  const options = { ...defaultLayoutOptions, ...input.options };
  const zoneById = new Map(input.policy.zones.map((zone) => [zone.id, zone]));
  const members = new Map<string, { devices: PendingNode[]; unknown: PendingNode[] }>();
  const membersOf = (zoneId: string) => {
    let list = members.get(zoneId);
    if (!list) {
      list = { devices: [], unknown: [] };
      members.set(zoneId, list);
    }
    return list;
  };
  const placement = new Map(input.deviceZones.map((entry) => [entry.deviceId, entry]));
  const nodeByAddress = new Map<string, string>();

  for (const device of input.devices) {
    const resolved = placement.get(device.id);
    const zoneId =
      resolved?.zoneId && zoneById.has(resolved.zoneId) ? resolved.zoneId : externalZoneId;
    const id = `device:${device.uid}`;
    const address = device.ipAddress === null ? null : canonicalIpAddress(device.ipAddress);
    if (address !== null && !nodeByAddress.has(address)) nodeByAddress.set(address, id);
    membersOf(zoneId).devices.push({
      sortKey: device.uid,
      node: {
        id,
        kind: 'device',
        zoneId,
        label: device.label,
        deviceId: device.id,
        address,
        criticality: device.criticality,
        findings: resolved ? [...resolved.findings] : [],
      },
    });
  }
  for (const unknown of input.unknownDevices ?? []) {
    if (nodeByAddress.has(unknown.address)) continue;
    const zoneId =
      unknown.inferredZoneId !== null && zoneById.has(unknown.inferredZoneId)
        ? unknown.inferredZoneId
        : externalZoneId;
    const id = `unknown:${unknown.address}`;
    nodeByAddress.set(unknown.address, id);
    membersOf(zoneId).unknown.push({
      sortKey: unknown.address,
      node: {
        id,
        kind: 'unknown',
        zoneId,
        label: unknown.address,
        deviceId: null,
        address: unknown.address,
        criticality: 'unassessed',
        findings: [],
      },
    });
  }

  // Regions: every zone, most critical first, then `external` when something is outside.
  const regionIds = [...input.policy.zones].sort(compareZones).map((zone) => zone.id);
  if (members.has(externalZoneId)) regionIds.push(externalZoneId);
  const columns = Math.max(1, Math.ceil(Math.sqrt(regionIds.length)));
  const byKey = (a: PendingNode, b: PendingNode) => compareText(a.sortKey, b.sortKey);
  const regions = regionIds.map((id) => {
    const list = members.get(id) ?? { devices: [], unknown: [] };
    const ordered = [...list.devices.sort(byKey), ...list.unknown.sort(byKey)];
    const innerColumns = Math.max(1, Math.ceil(Math.sqrt(ordered.length)));
    const innerRows = Math.max(1, Math.ceil(ordered.length / innerColumns));
    return {
      id,
      ordered,
      deviceCount: list.devices.length,
      unknownCount: list.unknown.length,
      innerColumns,
      width: Math.max(
        options.minZoneWidth,
        innerColumns * options.cellSize + 2 * options.zonePadding,
      ),
      height: innerRows * options.cellSize + 2 * options.zonePadding + options.headerHeight,
    };
  });
  const columnWidths: number[] = [];
  const rowHeights: number[] = [];
  regions.forEach((region, index) => {
    const column = index % columns;
    const row = Math.floor(index / columns);
    columnWidths[column] = Math.max(columnWidths[column] ?? 0, region.width);
    rowHeights[row] = Math.max(rowHeights[row] ?? 0, region.height);
  });
  const offsets = (sizes: number[]): number[] => {
    const out: number[] = [];
    let at = 0;
    for (const size of sizes) {
      out.push(at);
      at += size + options.zoneGap;
    }
    return out;
  };
  const columnX = offsets(columnWidths);
  const rowY = offsets(rowHeights);

  const zones: MapZone[] = [];
  const nodes: MapNode[] = [];
  regions.forEach((region, index) => {
    const x = columnX[index % columns]!;
    const y = rowY[Math.floor(index / columns)]!;
    const width = columnWidths[index % columns]!;
    const height = rowHeights[Math.floor(index / columns)]!;
    const zone = zoneById.get(region.id);
    zones.push({
      id: region.id,
      name: zone?.name ?? 'Outside every zone',
      tier: zone?.tier ?? null,
      clinical: zone?.clinical ?? false,
      isolate: zone?.isolate ?? false,
      x,
      y,
      width,
      height,
      deviceCount: region.deviceCount,
      unknownCount: region.unknownCount,
      collapsed: region.ordered.length > options.clusterThreshold,
      clusterX: x + width / 2,
      clusterY: y + height / 2,
    });
    region.ordered.forEach((pending, position) => {
      const column = position % region.innerColumns;
      const row = Math.floor(position / region.innerColumns);
      nodes.push({
        ...pending.node,
        x: x + options.zonePadding + column * options.cellSize + options.cellSize / 2,
        y:
          y +
          options.headerHeight +
          options.zonePadding +
          row * options.cellSize +
          options.cellSize / 2,
      });
    });
  });

  const edges: MapEdge[] = [];
  const zoneEdges = new Map<string, MapZoneEdge>();
  const flows = input.flows ?? [];
  const verdicts = input.verdicts ?? [];
  if (verdicts.length !== flows.length) {
    throw new Error('layoutNetworkMap needs one verdict per flow');
  }
  flows.forEach((flow, index) => {
    const verdict = verdicts[index]!;
    const from = nodeByAddress.get(flow.source);
    const to = nodeByAddress.get(flow.destination);
    if (from !== undefined && to !== undefined) {
      edges.push({
        id: `flow:${flow.id}`,
        flowId: flow.id,
        from,
        to,
        verdict: verdict.verdict,
        protocol: flow.protocol,
        port: flow.port,
        count: flow.count,
      });
    }
    const key = `zones:${verdict.sourceZoneId}>${verdict.destinationZoneId}`;
    let zoneEdge = zoneEdges.get(key);
    if (!zoneEdge) {
      zoneEdge = {
        id: key,
        from: verdict.sourceZoneId,
        to: verdict.destinationZoneId,
        flows: 0,
        connections: 0,
        verdict: 'allowed',
        byVerdict: { allowed: 0, monitored: 0, violation: 0, insecure: 0 },
      };
      zoneEdges.set(key, zoneEdge);
    }
    zoneEdge.flows += 1;
    zoneEdge.connections += flow.count;
    zoneEdge.byVerdict[verdict.verdict] += 1;
    if (verdictSeverity[verdict.verdict] < verdictSeverity[zoneEdge.verdict]) {
      zoneEdge.verdict = verdict.verdict;
    }
  });
  return {
    zones,
    nodes,
    edges,
    zoneEdges: [...zoneEdges.values()].sort((a, b) => compareText(a.id, b.id)),
  };
}
