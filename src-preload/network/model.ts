// The plain data of the network domain: zones, conduits, devices as the policy sees them, observed
// flows and their verdicts. Everything here is JSON-safe (no Maps, no classes) so the map, the IPC
// layer and the reports can pass it on as it is; the vocabularies are the single source of codes.
// Pure TypeScript: main, the contract and the renderer all import it.
import type { Criticality } from '../contract';

/** A zone's clinical risk: the inventory's criticality codes, without `unassessed`. */
export const zoneTiers = ['life_sustaining', 'high', 'medium', 'low'] as const;
export type ZoneTier = (typeof zoneTiers)[number] & Criticality;

/** Lower is worse; the same order as the inventory's criticality_rank (unassessed last). */
export const criticalityRank: Readonly<Record<Criticality, number>> = {
  life_sustaining: 0,
  high: 1,
  medium: 2,
  low: 3,
  unassessed: 4,
};

/**
 * The criticality codes, most critical first: the contract's `criticalities`, read from
 * criticalityRank (which must name every one) so this module needs nothing of the contract at run
 * time — the contract imports this module, and a cycle would leave one side undefined.
 */
export const criticalityOrder: readonly Criticality[] = (
  Object.keys(criticalityRank) as Criticality[]
).sort((a, b) => criticalityRank[a] - criticalityRank[b]);

export const conduitProtocols = ['tcp', 'udp', 'icmp', 'any'] as const;
export type ConduitProtocol = (typeof conduitProtocols)[number];

export const conduitDirections = ['one-way', 'both'] as const;
export type ConduitDirection = (typeof conduitDirections)[number];

/** Precedence when several conduits match one flow: deny, then monitor, then allow. */
export const conduitStates = ['deny', 'monitor', 'allow'] as const;
export type ConduitState = (typeof conduitStates)[number];

/**
 * The reserved zone of every address outside all zone subnets (the Internet, a vendor's VPN
 * peer). It has no subnets and no row of its own; conduits may name it as `from` or `to`.
 */
export const externalZoneId = 'external';

export interface Vlan {
  /** IEEE 802.1Q VLAN id, 1–4094. */
  id: number;
  name: string;
}

export interface Zone {
  /** Lowercase letters, digits and dashes; never `external`. */
  id: string;
  name: string;
  description: string;
  tier: ZoneTier;
  /** Holds medical devices: cleartext HTTP, telnet and FTP to or from it is insecure. */
  clinical: boolean;
  /** Devices of the zone may not talk to each other unless a conduit from the zone to itself allows it. */
  isolate: boolean;
  vlans: Vlan[];
  /** Canonical CIDR text (see formatCidr), IPv4 and IPv6. */
  subnets: string[];
}

/** Inclusive port range; a single port has from === to. */
export interface PortRange {
  from: number;
  to: number;
}

export interface Conduit {
  id: string;
  /** A zone id or externalZoneId. */
  from: string;
  to: string;
  protocol: ConduitProtocol;
  /** Destination ports for tcp/udp; empty means every port. Always empty for icmp and any. */
  ports: PortRange[];
  /** `one-way`: connections are opened from `from` to `to` only (replies are part of them). */
  direction: ConduitDirection;
  state: ConduitState;
  purpose: string;
}

/** The zones and conduits of a site. Order carries no meaning: readers sort by id. */
export interface NetworkPolicy {
  zones: Zone[];
  conduits: Conduit[];
}

/** Device uid → assigned zone id. */
export type ZoneAssignments = Record<string, string>;

/** A policy together with the device assignments it was versioned with. */
export interface PolicyState {
  policy: NetworkPolicy;
  assignments: ZoneAssignments;
}

/** An inventory device as the policy sees it. */
export interface NetworkDevice {
  id: number;
  uid: string;
  /** What people read: asset tag, else hostname, else manufacturer and model. */
  label: string;
  ipAddress: string | null;
  /** The zone assigned to the device, or null to infer it from its address. */
  zoneId: string | null;
  criticality: Criticality;
  deviceClass: string;
}

/** Transport of an observed flow; `other` is anything Zeek logs as unknown_transport. */
export const flowProtocols = ['tcp', 'udp', 'icmp', 'other'] as const;
export type FlowProtocol = (typeof flowProtocols)[number];

/** Connections with the same source, destination, transport and destination port, aggregated. */
export interface ObservedFlow {
  id: number;
  /** Canonical address text (see formatIpAddress). */
  source: string;
  destination: string;
  protocol: FlowProtocol;
  /** Destination port; for ICMP, Zeek's ICMP code. */
  port: number;
  bytes: number;
  /** Connections aggregated into this flow. */
  count: number;
  /** Of those, the connections recognised as TLS (see cleartext rules in evaluate.ts). */
  tlsCount: number;
  /** Application protocols Zeek confirmed on any of them, sorted. */
  services: string[];
  firstSeenMs: number;
  lastSeenMs: number;
}

export const verdicts = ['allowed', 'monitored', 'violation', 'insecure'] as const;
export type Verdict = (typeof verdicts)[number];

export const verdictReasons = [
  'intra-zone',
  'conduit-allow',
  'conduit-monitor',
  'conduit-deny',
  'no-conduit',
  'isolated-zone',
  'cleartext',
] as const;
export type VerdictReason = (typeof verdictReasons)[number];

export interface FlowVerdict {
  flowId: number;
  verdict: Verdict;
  reason: VerdictReason;
  /** The conduit that decided, if one did. */
  conduitId: string | null;
  sourceZoneId: string;
  destinationZoneId: string;
  sourceDeviceId: number | null;
  destinationDeviceId: number | null;
  /**
   * The worst criticality of the two endpoints' devices and zones (a zone counts by its tier);
   * `unassessed` when neither end is a device or inside a zone.
   */
  risk: Criticality;
  /** The cleartext clinical protocol seen, when there is one (also on violations). */
  cleartext: string | null;
}

export const deviceFindingKinds = [
  'zone-mismatch',
  'unzoned',
  'assigned-zone-missing',
  'address-invalid',
  'address-shared',
] as const;
export type DeviceFindingKind = (typeof deviceFindingKinds)[number];

export interface DeviceZone {
  deviceId: number;
  uid: string;
  assignedZoneId: string | null;
  /** The zone whose subnet holds the device's address (longest prefix), or null. */
  inferredZoneId: string | null;
  /** The zone the policy applies: the assigned one when it exists, else the inferred one. */
  zoneId: string | null;
  findings: DeviceFindingKind[];
}

export const unknownDeviceStates = ['open', 'ignored', 'resolved'] as const;
export type UnknownDeviceState = (typeof unknownDeviceStates)[number];

/** An address seen in flows that no inventory device has: to triage. */
export interface UnknownDevice {
  address: string;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Connections seen from or to the address. */
  flowCount: number;
  inferredZoneId: string | null;
  state: UnknownDeviceState;
}

/** How a policy version came to be. */
export const policyVersionKinds = ['edit', 'import', 'draft', 'revert'] as const;
export type PolicyVersionKind = (typeof policyVersionKinds)[number];

export const policyEntities = ['zone', 'conduit', 'assignment'] as const;
export type PolicyEntity = (typeof policyEntities)[number];

export const changeOperations = ['create', 'update', 'delete'] as const;
export type ChangeOperation = (typeof changeOperations)[number];

/** The flow files Wardkeep reads: Zeek conn.log as TSV or JSON lines, and a plain CSV. */
export const flowFileFormats = ['zeek-tsv', 'zeek-json', 'csv'] as const;
export type FlowFileFormat = (typeof flowFileFormats)[number];

/** Exports of the policy: for the gear that enforces it, the matrix, and the zones file itself. */
export const networkExportFormats = ['nftables', 'cisco-acl', 'matrix-csv', 'zones'] as const;
export type NetworkExportFormat = (typeof networkExportFormats)[number];

/** Sorts zones for people and exports: most critical tier first, then by id. */
export function compareZones(a: Zone, b: Zone): number {
  return criticalityRank[a.tier] - criticalityRank[b.tier] || compareText(a.id, b.id);
}

/** Code-unit order: the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
