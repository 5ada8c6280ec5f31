// Drafts: edits to zones, conduits and device assignments tried against the observed flows before
// anything is stored. applyDraft is pure and refuses a draft naming what does not exist or giving an
// invalid policy; whatIf lists every flow whose verdict the draft would change.
import type {
  FlowVerdict,
  NetworkDevice,
  ObservedFlow,
  PolicyState,
  Zone,
  Conduit,
} from '../../src-preload/network/model';
import { compareText, criticalityRank } from '../../src-preload/network/model';
import type { VerdictCounts } from './evaluate';
import { compilePolicy, countVerdicts, evaluateFlows } from './evaluate';
import type { PolicyDraft, PolicyDraftParsed } from '../../src-preload/network/schemas';
import { PolicyDraftSchema } from '../../src-preload/network/schemas';
import type { PolicyIssue } from './template';
import { formatJsonPath, throwIssues, validatePolicy } from './template';

/** Parses a draft from outside (IPC, CLI); throws `network.invalid` naming the JSON path. */
export function parseDraft(value: unknown): PolicyDraftParsed {
  const parsed = PolicyDraftSchema.safeParse(value);
  if (!parsed.success) {
    throwIssues(
      'the draft',
      parsed.error.issues.map((issue) => ({
        path: formatJsonPath(issue.path),
        message: issue.message,
      })),
    );
  }
  return parsed.data;
}

/**
 * The state a draft leads to. Removals apply first, then updates, then additions, then device
 * moves; a removed zone takes its device assignments with it. `knownDeviceUids`, when given,
 * refuses moves of devices the inventory does not have.
 */
export function applyDraft(
  state: PolicyState,
  draft: PolicyDraft | PolicyDraftParsed,
  knownDeviceUids?: ReadonlySet<string>,
): PolicyState {
  const parsed = parseDraft(draft);
  const issues: PolicyIssue[] = [];
  const zones = new Map<string, Zone>(state.policy.zones.map((zone) => [zone.id, zone]));
  const conduits = new Map<string, Conduit>(
    state.policy.conduits.map((conduit) => [conduit.id, conduit]),
  );
  const assignments: Record<string, string> = { ...state.assignments };

  parsed.removeZones.forEach((id, index) => {
    if (!zones.delete(id)) {
      issues.push({ path: `$.removeZones[${index}]`, message: `no zone has the id "${id}"` });
    }
  });
  for (const [uid, zoneId] of Object.entries(assignments)) {
    if (!zones.has(zoneId)) delete assignments[uid];
  }
  parsed.removeConduits.forEach((id, index) => {
    if (!conduits.delete(id)) {
      issues.push({ path: `$.removeConduits[${index}]`, message: `no conduit has the id "${id}"` });
    }
  });
  parsed.updateZones.forEach((zone, index) => {
    if (!zones.has(zone.id)) {
      issues.push({
        path: `$.updateZones[${index}].id`,
        message: `no zone has the id "${zone.id}"`,
      });
    }
    zones.set(zone.id, zone);
  });
  parsed.updateConduits.forEach((conduit, index) => {
    if (!conduits.has(conduit.id)) {
      issues.push({
        path: `$.updateConduits[${index}].id`,
        message: `no conduit has the id "${conduit.id}"`,
      });
    }
    conduits.set(conduit.id, conduit);
  });
  parsed.addZones.forEach((zone, index) => {
    if (zones.has(zone.id)) {
      issues.push({ path: `$.addZones[${index}].id`, message: `zone "${zone.id}" already exists` });
    }
    zones.set(zone.id, zone);
  });
  parsed.addConduits.forEach((conduit, index) => {
    if (conduits.has(conduit.id)) {
      issues.push({
        path: `$.addConduits[${index}].id`,
        message: `conduit "${conduit.id}" already exists`,
      });
    }
    conduits.set(conduit.id, conduit);
  });
  parsed.moves.forEach((move, index) => {
    if (knownDeviceUids && !knownDeviceUids.has(move.deviceUid)) {
      issues.push({
        path: `$.moves[${index}].deviceUid`,
        message: `no device has the uid "${move.deviceUid}"`,
      });
    }
    if (move.zoneId === null) {
      delete assignments[move.deviceUid];
    } else if (!zones.has(move.zoneId)) {
      issues.push({
        path: `$.moves[${index}].zoneId`,
        message: `no zone has the id "${move.zoneId}"`,
      });
    } else {
      assignments[move.deviceUid] = move.zoneId;
    }
  });
  if (issues.length > 0) throwIssues('the draft', issues);

  const checked = validatePolicy({ zones: [...zones.values()], conduits: [...conduits.values()] });
  // Paths here name the policy the draft produces (its zones sorted by id), not the draft.
  if (!checked.ok) throwIssues('the policy this draft produces', checked.issues);
  return { policy: checked.policy, assignments: sortAssignments(assignments) };
}

export function sortAssignments(assignments: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(assignments).sort(([a], [b]) => compareText(a, b)));
}

/** Devices with their zone from an assignment table (unassigned: null, inferred by address). */
export function withAssignments(
  devices: readonly NetworkDevice[],
  assignments: Readonly<Record<string, string>>,
): NetworkDevice[] {
  return devices.map((device) => ({ ...device, zoneId: assignments[device.uid] ?? null }));
}

export interface VerdictChange {
  flow: ObservedFlow;
  before: FlowVerdict;
  after: FlowVerdict;
}

export interface WhatIfResult {
  /** Flows whose verdict, deciding conduit or zones change, worst outcome first. */
  changes: VerdictChange[];
  before: VerdictCounts;
  after: VerdictCounts;
  /** The state the draft leads to: what applying it would store. */
  state: PolicyState;
}

/**
 * Evaluates the flows under the current state and under the draft. `devices` are the inventory's,
 * their zoneId ignored: each side takes its zones from its own assignments.
 */
export function whatIf(input: {
  state: PolicyState;
  draft: PolicyDraft | PolicyDraftParsed;
  devices: readonly NetworkDevice[];
  flows: readonly ObservedFlow[];
}): WhatIfResult {
  const knownUids = new Set(input.devices.map((device) => device.uid));
  const next = applyDraft(input.state, input.draft, knownUids);
  const beforeVerdicts = evaluateFlows(
    compilePolicy(input.state.policy),
    withAssignments(input.devices, input.state.assignments),
    input.flows,
  );
  const afterVerdicts = evaluateFlows(
    compilePolicy(next.policy),
    withAssignments(input.devices, next.assignments),
    input.flows,
  );
  const changes: VerdictChange[] = [];
  input.flows.forEach((flow, index) => {
    const before = beforeVerdicts[index]!;
    const after = afterVerdicts[index]!;
    if (
      before.verdict !== after.verdict ||
      before.conduitId !== after.conduitId ||
      before.sourceZoneId !== after.sourceZoneId ||
      before.destinationZoneId !== after.destinationZoneId
    ) {
      changes.push({ flow, before, after });
    }
  });
  const severity = { violation: 0, insecure: 1, monitored: 2, allowed: 3 } as const;
  changes.sort(
    (a, b) =>
      severity[a.after.verdict] - severity[b.after.verdict] ||
      criticalityRank[a.after.risk] - criticalityRank[b.after.risk] ||
      b.flow.count - a.flow.count ||
      a.flow.id - b.flow.id,
  );
  return {
    changes,
    before: countVerdicts(beforeVerdicts),
    after: countVerdicts(afterVerdicts),
    state: next,
  };
}
