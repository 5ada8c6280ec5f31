// Policy evaluation: the zone of each device and address, and the verdict on every observed flow.
// Pure functions over plain arrays; per flow, two cached address look-ups (a prefix trie behind
// them) and one look-up of the zone pair's conduits, never a scan of subnets or conduits.
//
// The rules, in order:
// - A device's zone is the zone assigned to it when that zone exists, else the zone whose subnet
//   holds its address (longest prefix). An address that is no device's takes its subnet's zone.
//   Anything outside every subnet is in `external`.
// - A flow between two zones is decided by the conduits of that zone pair (a `both` conduit
//   serves either way) that match its transport and destination port; when several match, deny
//   beats monitor beats allow. No matching conduit: violation (default deny).
// - A flow inside one zone is decided the same way by the zone's conduits to itself; without one
//   it is allowed, unless the zone is isolated (then a violation).
// - A permitted flow that crosses a zone boundary carrying a cleartext clinical protocol
//   (cleartextRules below) is `insecure`. A connection counts as TLS when Zeek confirmed the
//   service `ssl` (its TLS analyser; `tls` and `dtls` also count); DICOM's TLS port 2762 is not in
//   the cleartext list, so DICOM there is TLS by its port. HL7 over TLS has no port of its own and
//   needs Zeek's confirmation.
import type { Criticality } from '../../src-preload/contract';
import type { Cidr, IpAddress, PrefixEntry, PrefixIndex } from './addresses';
import { createPrefixIndex, formatIpAddress, parseCidr, parseIpAddress } from './addresses';
import type {
  Conduit,
  DeviceFindingKind,
  DeviceZone,
  FlowVerdict,
  NetworkDevice,
  NetworkPolicy,
  ObservedFlow,
  Verdict,
  VerdictReason,
  Zone,
} from '../../src-preload/network/model';
import { conduitStates, criticalityRank, externalZoneId } from '../../src-preload/network/model';

export interface CleartextRule {
  label: string;
  /** TCP destination ports that carry the protocol in the clear. */
  ports: readonly number[];
  /** Zeek `service` names that identify it on any port. */
  services: readonly string[];
  /** Only insecure when one end of the flow is a clinical zone. */
  clinicalOnly: boolean;
}

export const cleartextRules: readonly CleartextRule[] = [
  { label: 'HL7 v2 over MLLP without TLS', ports: [2575], services: ['hl7'], clinicalOnly: false },
  {
    label: 'DICOM without TLS (DICOM over TLS uses port 2762)',
    ports: [104],
    services: ['dicom'],
    clinicalOnly: false,
  },
  { label: 'HTTP without TLS', ports: [80], services: ['http'], clinicalOnly: true },
  { label: 'Telnet', ports: [23], services: ['telnet'], clinicalOnly: true },
  { label: 'FTP without TLS', ports: [21], services: ['ftp'], clinicalOnly: true },
];

/** Zeek service names that mean the connection was TLS. */
export const tlsServices: readonly string[] = ['ssl', 'tls', 'dtls'];

const criticalityByRank: readonly Criticality[] = [
  'life_sustaining',
  'high',
  'medium',
  'low',
  'unassessed',
];

interface CompiledConduit {
  conduit: Conduit;
  /** Flat [from, to, from, to, …]; empty for every port. */
  ports: Int32Array;
}

export interface CompiledPolicy {
  readonly policy: NetworkPolicy;
  readonly zones: ReadonlyMap<string, Zone>;
  readonly subnets: PrefixIndex<string>;
  /** from → to → the conduits serving that direction, deny first, then monitor, then allow. */
  readonly conduitsByPair: ReadonlyMap<string, ReadonlyMap<string, readonly CompiledConduit[]>>;
}

/** Indexes a validated policy for evaluation (see template.ts validatePolicy). */
export function compilePolicy(policy: NetworkPolicy): CompiledPolicy {
  const zones = new Map<string, Zone>();
  const subnetEntries: PrefixEntry<string>[] = [];
  for (const zone of policy.zones) {
    zones.set(zone.id, zone);
    for (const text of zone.subnets) subnetEntries.push({ cidr: cidrOf(text), value: zone.id });
  }
  const conduitsByPair = new Map<string, Map<string, CompiledConduit[]>>();
  const add = (from: string, to: string, compiled: CompiledConduit): void => {
    let targets = conduitsByPair.get(from);
    if (!targets) {
      targets = new Map();
      conduitsByPair.set(from, targets);
    }
    const list = targets.get(to);
    if (list) list.push(compiled);
    else targets.set(to, [compiled]);
  };
  for (const conduit of policy.conduits) {
    const ports = new Int32Array(conduit.ports.length * 2);
    conduit.ports.forEach((range, index) => {
      ports[index * 2] = range.from;
      ports[index * 2 + 1] = range.to;
    });
    const compiled = { conduit, ports };
    add(conduit.from, conduit.to, compiled);
    if (conduit.direction === 'both' && conduit.from !== conduit.to) {
      add(conduit.to, conduit.from, compiled);
    }
  }
  for (const list of [...conduitsByPair.values()].flatMap((targets) => [...targets.values()])) {
    list.sort(
      (a, b) =>
        conduitStates.indexOf(a.conduit.state) - conduitStates.indexOf(b.conduit.state) ||
        (a.conduit.id < b.conduit.id ? -1 : a.conduit.id > b.conduit.id ? 1 : 0),
    );
  }
  return { policy, zones, subnets: createPrefixIndex(subnetEntries), conduitsByPair };
}

function cidrOf(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`compilePolicy needs a validated policy: ${parsed.reason}`);
  return parsed.cidr;
}

/** The zone whose subnet holds the address (longest prefix), or null. */
export function inferZone(compiled: CompiledPolicy, address: IpAddress): string | null {
  return compiled.subnets.lookup(address)?.value ?? null;
}

export interface DeviceZoneResolution {
  devices: DeviceZone[];
  /** Canonical address → the device flows from or to it are attributed to (lowest id wins). */
  byAddress: ReadonlyMap<string, { device: NetworkDevice; zoneId: string | null }>;
}

/** Every device's assigned, inferred and effective zone, with what is wrong about it. */
export function resolveDeviceZones(
  compiled: CompiledPolicy,
  devices: readonly NetworkDevice[],
): DeviceZoneResolution {
  const sorted = [...devices].sort((a, b) => a.id - b.id);
  const byAddress = new Map<string, { device: NetworkDevice; zoneId: string | null }>();
  const sharedAddresses = new Set<string>();
  const results: DeviceZone[] = [];
  const addressOf: (string | null)[] = [];
  for (const device of sorted) {
    const findings: DeviceFindingKind[] = [];
    let address: IpAddress | null = null;
    if (device.ipAddress !== null) {
      address = parseIpAddress(device.ipAddress);
      if (!address) findings.push('address-invalid');
    }
    const inferredZoneId = address ? inferZone(compiled, address) : null;
    const assignedZoneId = device.zoneId;
    if (assignedZoneId !== null && !compiled.zones.has(assignedZoneId)) {
      findings.push('assigned-zone-missing');
    }
    const assignedExists = assignedZoneId !== null && compiled.zones.has(assignedZoneId);
    const zoneId = assignedExists ? assignedZoneId : inferredZoneId;
    if (zoneId === null) findings.push('unzoned');
    if (assignedExists && address && inferredZoneId !== assignedZoneId) {
      findings.push('zone-mismatch');
    }
    const canonical = address ? formatIpAddress(address) : null;
    addressOf.push(canonical);
    if (canonical !== null) {
      if (byAddress.has(canonical)) sharedAddresses.add(canonical);
      else byAddress.set(canonical, { device, zoneId });
    }
    results.push({
      deviceId: device.id,
      uid: device.uid,
      assignedZoneId,
      inferredZoneId,
      zoneId,
      findings,
    });
  }
  if (sharedAddresses.size > 0) {
    results.forEach((result, index) => {
      const canonical = addressOf[index];
      if (canonical != null && sharedAddresses.has(canonical))
        result.findings.push('address-shared');
    });
  }
  return { devices: results, byAddress };
}

interface Endpoint {
  zoneId: string;
  deviceId: number | null;
  /** The worse of the device's criticality and its zone's tier. */
  rank: number;
}

function matches(compiled: CompiledConduit, flow: ObservedFlow): boolean {
  const protocol = compiled.conduit.protocol;
  if (protocol === 'any') return true;
  if (protocol !== flow.protocol) return false;
  if (protocol === 'icmp') return true;
  const ports = compiled.ports;
  if (ports.length === 0) return true;
  for (let index = 0; index < ports.length; index += 2) {
    if (flow.port >= ports[index]! && flow.port <= ports[index + 1]!) return true;
  }
  return false;
}

/** The cleartext clinical protocol a flow carries across zones, or null. */
export function cleartextProtocol(
  flow: ObservedFlow,
  sourceZone: Zone | undefined,
  destinationZone: Zone | undefined,
): string | null {
  if (flow.protocol !== 'tcp' || flow.tlsCount >= flow.count) return null;
  const clinicalEnd = (sourceZone?.clinical ?? false) || (destinationZone?.clinical ?? false);
  for (const rule of cleartextRules) {
    if (rule.clinicalOnly && !clinicalEnd) continue;
    if (rule.ports.includes(flow.port)) return rule.label;
    if (flow.services.length > 0 && rule.services.some((name) => flow.services.includes(name))) {
      return rule.label;
    }
  }
  return null;
}

const stateVerdicts = {
  allow: { verdict: 'allowed', reason: 'conduit-allow' },
  monitor: { verdict: 'monitored', reason: 'conduit-monitor' },
  deny: { verdict: 'violation', reason: 'conduit-deny' },
} as const satisfies Record<Conduit['state'], { verdict: Verdict; reason: VerdictReason }>;

export interface FlowEvaluator {
  evaluate(flow: ObservedFlow): FlowVerdict;
  /** The zone an address is in for this evaluation (its device's zone, else its subnet's). */
  zoneOf(address: string): string;
}

/**
 * An evaluator for one policy and one set of devices. It caches each address's endpoint, so
 * evaluating many flows costs one trie walk per distinct address.
 */
export function createFlowEvaluator(
  compiled: CompiledPolicy,
  devices: readonly NetworkDevice[] | DeviceZoneResolution,
): FlowEvaluator {
  const resolution = 'byAddress' in devices ? devices : resolveDeviceZones(compiled, devices);
  const endpoints = new Map<string, Endpoint>();
  const endpoint = (address: string): Endpoint => {
    let found = endpoints.get(address);
    if (found) return found;
    const device = resolution.byAddress.get(address);
    let zoneId: string | null;
    if (device) {
      zoneId = device.zoneId;
    } else {
      const parsed = parseIpAddress(address);
      zoneId = parsed ? inferZone(compiled, parsed) : null;
    }
    const zone = zoneId === null ? undefined : compiled.zones.get(zoneId);
    const deviceRank = device ? criticalityRank[device.device.criticality] : 4;
    const zoneRank = zone ? criticalityRank[zone.tier] : 4;
    found = {
      zoneId: zoneId ?? externalZoneId,
      deviceId: device ? device.device.id : null,
      rank: Math.min(deviceRank, zoneRank),
    };
    endpoints.set(address, found);
    return found;
  };

  return {
    zoneOf: (address) => endpoint(address).zoneId,
    evaluate(flow) {
      const source = endpoint(flow.source);
      const destination = endpoint(flow.destination);
      const candidates = compiled.conduitsByPair.get(source.zoneId)?.get(destination.zoneId);
      let decided: CompiledConduit | undefined;
      if (candidates) {
        for (const candidate of candidates) {
          if (matches(candidate, flow)) {
            decided = candidate;
            break;
          }
        }
      }
      let verdict: Verdict;
      let reason: VerdictReason;
      const sameZone = source.zoneId === destination.zoneId && source.zoneId !== externalZoneId;
      if (decided) {
        ({ verdict, reason } = stateVerdicts[decided.conduit.state]);
      } else if (sameZone) {
        const isolated = compiled.zones.get(source.zoneId)?.isolate ?? false;
        verdict = isolated ? 'violation' : 'allowed';
        reason = isolated ? 'isolated-zone' : 'intra-zone';
      } else {
        verdict = 'violation';
        reason = 'no-conduit';
      }
      const cleartext = sameZone
        ? null
        : cleartextProtocol(
            flow,
            compiled.zones.get(source.zoneId),
            compiled.zones.get(destination.zoneId),
          );
      if (cleartext !== null && verdict !== 'violation') {
        verdict = 'insecure';
        reason = 'cleartext';
      }
      return {
        flowId: flow.id,
        verdict,
        reason,
        conduitId: decided ? decided.conduit.id : null,
        sourceZoneId: source.zoneId,
        destinationZoneId: destination.zoneId,
        sourceDeviceId: source.deviceId,
        destinationDeviceId: destination.deviceId,
        risk: criticalityByRank[Math.min(source.rank, destination.rank)]!,
        cleartext,
      };
    },
  };
}

/** The verdict on every flow, in the flows' order. */
export function evaluateFlows(
  compiled: CompiledPolicy,
  devices: readonly NetworkDevice[] | DeviceZoneResolution,
  flows: readonly ObservedFlow[],
): FlowVerdict[] {
  const evaluator = createFlowEvaluator(compiled, devices);
  const out = new Array<FlowVerdict>(flows.length);
  for (let index = 0; index < flows.length; index += 1)
    out[index] = evaluator.evaluate(flows[index]!);
  return out;
}

export type VerdictCounts = Record<Verdict, number>;

export function countVerdicts(verdicts: readonly FlowVerdict[]): VerdictCounts {
  const counts: VerdictCounts = { allowed: 0, monitored: 0, violation: 0, insecure: 0 };
  for (const verdict of verdicts) counts[verdict.verdict] += 1;
  return counts;
}

export interface Finding {
  flow: ObservedFlow;
  verdict: FlowVerdict;
}

/**
 * Orders findings by clinical risk (life-sustaining first), then by connections (most first),
 * then by flow id, so equal data always lists in the same order.
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    criticalityRank[a.verdict.risk] - criticalityRank[b.verdict.risk] ||
    b.flow.count - a.flow.count ||
    a.flow.id - b.flow.id
  );
}

/** Violations and insecure flows (or the verdicts asked for), worst first (compareFindings). */
export function listFindings(
  flows: readonly ObservedFlow[],
  verdicts: readonly FlowVerdict[],
  include: readonly Verdict[] = ['violation', 'insecure'],
): Finding[] {
  const wanted = new Set(include);
  // Sort keys computed once: a comparator that looks them up costs more than the sort itself.
  const keyed: { rank: number; count: number; id: number; finding: Finding }[] = [];
  for (let index = 0; index < flows.length; index += 1) {
    const verdict = verdicts[index]!;
    if (!wanted.has(verdict.verdict)) continue;
    const flow = flows[index]!;
    keyed.push({
      rank: criticalityRank[verdict.risk],
      count: flow.count,
      id: flow.id,
      finding: { flow, verdict },
    });
  }
  keyed.sort((a, b) => a.rank - b.rank || b.count - a.count || a.id - b.id);
  return keyed.map((entry) => entry.finding);
}
