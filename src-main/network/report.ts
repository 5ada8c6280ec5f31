// The figures of a manager's segmentation report, as plain data for the lead's renderer: verdicts by
// zone and criticality, the worst findings, unknown addresses, policy changes since a version.
// A flow counts once for each zone it touches (once when it stays inside one zone).
import type { Criticality } from '../../src-preload/contract';
import type { Finding, VerdictCounts } from './evaluate';
import { compareFindings, countVerdicts } from './evaluate';
import type {
  DeviceFindingKind,
  DeviceZone,
  FlowProtocol,
  FlowVerdict,
  NetworkPolicy,
  ObservedFlow,
  UnknownDevice,
  Verdict,
  VerdictReason,
  ZoneTier,
} from '../../src-preload/network/model';
import { compareZones, deviceFindingKinds, externalZoneId } from '../../src-preload/network/model';
import type { PolicyChangeRecord, PolicyVersionRecord } from './repository';

export interface ZoneFigures {
  zoneId: string;
  name: string;
  tier: ZoneTier | null;
  flows: number;
  violations: number;
  insecure: number;
  monitored: number;
  /** Connections of its violation and insecure flows. */
  findingConnections: number;
}

export interface CriticalityFigures {
  criticality: Criticality;
  violations: number;
  insecure: number;
}

export interface ReportFinding {
  flowId: number;
  source: string;
  destination: string;
  protocol: FlowProtocol;
  port: number;
  count: number;
  lastSeenMs: number;
  verdict: Verdict;
  reason: VerdictReason;
  risk: Criticality;
  sourceZoneId: string;
  destinationZoneId: string;
  conduitId: string | null;
  cleartext: string | null;
}

export interface EntityChangeCounts {
  created: number;
  updated: number;
  deleted: number;
}

export interface VersionSummary extends PolicyVersionRecord {
  zones: EntityChangeCounts;
  conduits: EntityChangeCounts;
  assignments: EntityChangeCounts;
}

export interface ManagerReport {
  generatedAt: string;
  policyVersion: number;
  flows: { total: number; connections: number; byVerdict: VerdictCounts };
  /** Every zone, most critical first, then `external`. */
  byZone: ZoneFigures[];
  /** life_sustaining first; by the worst criticality of each finding's ends and zones. */
  byCriticality: CriticalityFigures[];
  /** Violations and insecure flows, worst first. */
  topFindings: ReportFinding[];
  devices: { total: number; findings: Record<DeviceFindingKind, number> };
  unknownDevices: { open: number; openByZone: Record<string, number> };
  changesSince: { fromVersion: number; toVersion: number; versions: VersionSummary[] };
}

export interface ReportInput {
  generatedAt: string;
  policyVersion: number;
  policy: NetworkPolicy;
  flows: readonly ObservedFlow[];
  verdicts: readonly FlowVerdict[];
  deviceZones: readonly DeviceZone[];
  unknownDevices: readonly UnknownDevice[];
  sinceVersion: number;
  /** Versions after sinceVersion, oldest first. */
  versions: readonly PolicyVersionRecord[];
  /** Their changes (repository.changesAfter(sinceVersion)). */
  changes: readonly PolicyChangeRecord[];
  /** Findings listed in topFindings; 20 unless said. */
  topFindingLimit?: number;
}

const reportCriticalities: readonly Criticality[] = [
  'life_sustaining',
  'high',
  'medium',
  'low',
  'unassessed',
];

export function buildManagerReport(input: ReportInput): ManagerReport {
  const zones = [...input.policy.zones].sort(compareZones);
  const byZone = new Map<string, ZoneFigures>();
  for (const zone of zones) {
    byZone.set(zone.id, {
      zoneId: zone.id,
      name: zone.name,
      tier: zone.tier,
      flows: 0,
      violations: 0,
      insecure: 0,
      monitored: 0,
      findingConnections: 0,
    });
  }
  byZone.set(externalZoneId, {
    zoneId: externalZoneId,
    name: 'Outside every zone',
    tier: null,
    flows: 0,
    violations: 0,
    insecure: 0,
    monitored: 0,
    findingConnections: 0,
  });
  const byCriticality = new Map<Criticality, CriticalityFigures>(
    reportCriticalities.map((criticality) => [
      criticality,
      { criticality, violations: 0, insecure: 0 },
    ]),
  );
  const findings: Finding[] = [];
  let connections = 0;
  input.flows.forEach((flow, index) => {
    const verdict = input.verdicts[index]!;
    connections += flow.count;
    const touched = new Set([verdict.sourceZoneId, verdict.destinationZoneId]);
    const isFinding = verdict.verdict === 'violation' || verdict.verdict === 'insecure';
    for (const zoneId of touched) {
      const figures = byZone.get(zoneId);
      if (!figures) continue;
      figures.flows += 1;
      if (verdict.verdict === 'violation') figures.violations += 1;
      if (verdict.verdict === 'insecure') figures.insecure += 1;
      if (verdict.verdict === 'monitored') figures.monitored += 1;
      if (isFinding) figures.findingConnections += flow.count;
    }
    if (isFinding) {
      const figures = byCriticality.get(verdict.risk)!;
      if (verdict.verdict === 'violation') figures.violations += 1;
      else figures.insecure += 1;
      findings.push({ flow, verdict });
    }
  });
  findings.sort(compareFindings);

  const deviceFindings = Object.fromEntries(deviceFindingKinds.map((kind) => [kind, 0])) as Record<
    DeviceFindingKind,
    number
  >;
  for (const device of input.deviceZones) {
    for (const finding of device.findings) deviceFindings[finding] += 1;
  }
  const openByZone: Record<string, number> = {};
  let open = 0;
  for (const unknown of input.unknownDevices) {
    if (unknown.state !== 'open') continue;
    open += 1;
    const zoneId = unknown.inferredZoneId ?? externalZoneId;
    openByZone[zoneId] = (openByZone[zoneId] ?? 0) + 1;
  }

  const counts = new Map<number, Record<'zone' | 'conduit' | 'assignment', EntityChangeCounts>>();
  for (const change of input.changes) {
    let perVersion = counts.get(change.version);
    if (!perVersion) {
      const empty = (): EntityChangeCounts => ({ created: 0, updated: 0, deleted: 0 });
      perVersion = { zone: empty(), conduit: empty(), assignment: empty() };
      counts.set(change.version, perVersion);
    }
    const key = ({ create: 'created', update: 'updated', delete: 'deleted' } as const)[
      change.operation
    ];
    perVersion[change.entity][key] += 1;
  }
  const versions = input.versions
    .filter((version) => version.version > input.sinceVersion)
    .map((version) => {
      const perVersion = counts.get(version.version);
      const none = { created: 0, updated: 0, deleted: 0 };
      return {
        ...version,
        zones: perVersion?.zone ?? none,
        conduits: perVersion?.conduit ?? none,
        assignments: perVersion?.assignment ?? none,
      };
    });

  return {
    generatedAt: input.generatedAt,
    policyVersion: input.policyVersion,
    flows: {
      total: input.flows.length,
      connections,
      byVerdict: countVerdicts(input.verdicts),
    },
    byZone: [...byZone.values()],
    byCriticality: [...byCriticality.values()],
    topFindings: findings.slice(0, input.topFindingLimit ?? 20).map(({ flow, verdict }) => ({
      flowId: flow.id,
      source: flow.source,
      destination: flow.destination,
      protocol: flow.protocol,
      port: flow.port,
      count: flow.count,
      lastSeenMs: flow.lastSeenMs,
      verdict: verdict.verdict,
      reason: verdict.reason,
      risk: verdict.risk,
      sourceZoneId: verdict.sourceZoneId,
      destinationZoneId: verdict.destinationZoneId,
      conduitId: verdict.conduitId,
      cleartext: verdict.cleartext,
    })),
    devices: { total: input.deviceZones.length, findings: deviceFindings },
    unknownDevices: { open, openByZone },
    changesSince: {
      fromVersion: input.sinceVersion,
      toVersion: input.policyVersion,
      versions,
    },
  };
}
