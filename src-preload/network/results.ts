// Zod schemas of what the network channels answer: the policy and its versions, the map, findings,
// what-if changes, flow import reports, unknown devices and the manager's report. Pure zod over
// model.ts; src-main's types must match them field for field (results.test.ts checks it at compile
// time), so the renderer and the CLI read exactly what main sends.
import { z } from 'zod';
import {
  changeOperations,
  criticalityOrder,
  deviceFindingKinds,
  flowFileFormats,
  flowProtocols,
  policyEntities,
  policyVersionKinds,
  unknownDeviceStates,
  verdictReasons,
  verdicts,
  zoneTiers,
} from './model';
import { ConduitSchema, NetworkPolicySchema, ZoneSchema } from './schemas';

const count = z.int().min(0);
const criticality = z.enum(criticalityOrder);
const verdict = z.enum(verdicts);

export const CurrentPolicySchema = z.object({
  version: count,
  policy: NetworkPolicySchema,
  /** Device uid → assigned zone id. */
  assignments: z.record(z.string(), z.string()),
});

export const PolicyVersionRecordSchema = z.object({
  version: z.int().min(1),
  at: z.string(),
  actor: z.string(),
  reason: z.string(),
  kind: z.enum(policyVersionKinds),
  revertedTo: count.nullable(),
  /** Entities created, updated or deleted by this version. */
  changeCount: count,
});

const changedValue = z.union([ZoneSchema, ConduitSchema, z.string()]).nullable();

export const PolicyChangeRecordSchema = z.object({
  version: z.int().min(1),
  seq: z.int().min(1),
  entity: z.enum(policyEntities),
  /** Zone id, conduit id or device uid. */
  key: z.string(),
  operation: z.enum(changeOperations),
  /** The zone, the conduit or the assigned zone id; null when created (before) or deleted (after). */
  before: changedValue,
  after: changedValue,
});

export const ObservedFlowSchema = z.object({
  id: z.int(),
  source: z.string(),
  destination: z.string(),
  protocol: z.enum(flowProtocols),
  /** Destination port; for ICMP, Zeek's ICMP code. */
  port: z.int(),
  bytes: z.number(),
  count,
  tlsCount: count,
  services: z.array(z.string()),
  firstSeenMs: z.number(),
  lastSeenMs: z.number(),
});

export const FlowVerdictSchema = z.object({
  flowId: z.int(),
  verdict,
  reason: z.enum(verdictReasons),
  conduitId: z.string().nullable(),
  sourceZoneId: z.string(),
  destinationZoneId: z.string(),
  sourceDeviceId: z.int().nullable(),
  destinationDeviceId: z.int().nullable(),
  /** The worst criticality of the two ends' devices and zones. */
  risk: criticality,
  cleartext: z.string().nullable(),
});

/** Flows per verdict. */
export const VerdictCountsSchema = z.record(verdict, count);

export const FindingSchema = z.object({ flow: ObservedFlowSchema, verdict: FlowVerdictSchema });

/** The findings asked for, worst clinical risk first, with the counts of the whole evaluation. */
export const FindingsSummarySchema = z.object({
  version: count,
  counts: VerdictCountsSchema,
  /** Findings of the verdicts asked for, before the limit. */
  total: count,
  findings: z.array(FindingSchema),
});

export const VerdictChangeSchema = z.object({
  flow: ObservedFlowSchema,
  before: FlowVerdictSchema,
  after: FlowVerdictSchema,
});

export const WhatIfSchema = z.object({
  /** Flows whose verdict, deciding conduit or zones would change, worst outcome first. */
  changes: z.array(VerdictChangeSchema),
  before: VerdictCountsSchema,
  after: VerdictCountsSchema,
});

export const MapZoneSchema = z.object({
  /** A zone id, or `external` for what is outside every zone. */
  id: z.string(),
  name: z.string(),
  tier: z.enum(zoneTiers).nullable(),
  clinical: z.boolean(),
  isolate: z.boolean(),
  x: z.number(),
  y: z.number(),
  width: z.number(),
  height: z.number(),
  deviceCount: count,
  unknownCount: count,
  collapsed: z.boolean(),
  clusterX: z.number(),
  clusterY: z.number(),
});

export const MapNodeSchema = z.object({
  /** `device:<uid>` or `unknown:<address>`. */
  id: z.string(),
  kind: z.enum(['device', 'unknown']),
  zoneId: z.string(),
  label: z.string(),
  x: z.number(),
  y: z.number(),
  deviceId: z.int().nullable(),
  address: z.string().nullable(),
  criticality,
  findings: z.array(z.enum(deviceFindingKinds)),
});

export const MapEdgeSchema = z.object({
  /** `flow:<flow id>`. */
  id: z.string(),
  flowId: z.int(),
  from: z.string(),
  to: z.string(),
  verdict,
  protocol: z.enum(flowProtocols),
  port: z.int(),
  count,
});

export const MapZoneEdgeSchema = z.object({
  /** `zones:<from>><to>`. */
  id: z.string(),
  from: z.string(),
  to: z.string(),
  flows: count,
  connections: count,
  /** The worst verdict among its flows. */
  verdict,
  byVerdict: VerdictCountsSchema,
});

/** Positions from the deterministic layout (src-main/network/layout.ts). */
export const NetworkMapSchema = z.object({
  zones: z.array(MapZoneSchema),
  nodes: z.array(MapNodeSchema),
  edges: z.array(MapEdgeSchema),
  zoneEdges: z.array(MapZoneEdgeSchema),
});

export const FlowIssueSchema = z.object({
  line: z.int().min(1),
  field: z.string().optional(),
  message: z.string(),
});

export const FlowImportReportSchema = z.object({
  /** False: nothing was written (invalid lines without importValidLines, or no valid flow). */
  committed: z.boolean(),
  fileName: z.string(),
  format: z.enum(flowFileFormats),
  recordLines: count,
  rejectedLines: count,
  /** The first problems, each with its line (all of them counted in rejectedLines). */
  issues: z.array(FlowIssueSchema),
  connections: count,
  flows: count,
  unknownAddresses: count,
});

export const UnknownDeviceSchema = z.object({
  address: z.string(),
  firstSeenMs: z.number(),
  lastSeenMs: z.number(),
  flowCount: count,
  inferredZoneId: z.string().nullable(),
  state: z.enum(unknownDeviceStates),
});

export const ZoneFiguresSchema = z.object({
  zoneId: z.string(),
  name: z.string(),
  tier: z.enum(zoneTiers).nullable(),
  flows: count,
  violations: count,
  insecure: count,
  monitored: count,
  findingConnections: count,
});

export const CriticalityFiguresSchema = z.object({
  criticality,
  violations: count,
  insecure: count,
});

export const ReportFindingSchema = z.object({
  flowId: z.int(),
  source: z.string(),
  destination: z.string(),
  protocol: z.enum(flowProtocols),
  port: z.int(),
  count,
  lastSeenMs: z.number(),
  verdict,
  reason: z.enum(verdictReasons),
  risk: criticality,
  sourceZoneId: z.string(),
  destinationZoneId: z.string(),
  conduitId: z.string().nullable(),
  cleartext: z.string().nullable(),
});

export const EntityChangeCountsSchema = z.object({
  created: count,
  updated: count,
  deleted: count,
});

export const VersionSummarySchema = PolicyVersionRecordSchema.extend({
  zones: EntityChangeCountsSchema,
  conduits: EntityChangeCountsSchema,
  assignments: EntityChangeCountsSchema,
});

export const ManagerReportSchema = z.object({
  generatedAt: z.string(),
  policyVersion: count,
  flows: z.object({ total: count, connections: count, byVerdict: VerdictCountsSchema }),
  /** Every zone, most critical first, then `external`. */
  byZone: z.array(ZoneFiguresSchema),
  byCriticality: z.array(CriticalityFiguresSchema),
  /** Violations and insecure flows, worst first. */
  topFindings: z.array(ReportFindingSchema),
  devices: z.object({ total: count, findings: z.record(z.enum(deviceFindingKinds), count) }),
  unknownDevices: z.object({ open: count, openByZone: z.record(z.string(), count) }),
  changesSince: z.object({
    fromVersion: count,
    toVersion: count,
    versions: z.array(VersionSummarySchema),
  }),
});

/** A file for the user to save: its suggested name, its type and its text. */
export const ExportedFileSchema = z.object({
  fileName: z.string(),
  mimeType: z.string(),
  content: z.string(),
});
