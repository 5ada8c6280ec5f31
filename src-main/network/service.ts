// The network service the IPC handlers and the CLI call one-to-one. Every policy change names who
// and why and is one recorded version; a flow file is checked in full before one transaction writes
// it. Mutations run inside the caller's transaction when there is one (audit records join it).
import { createHash } from 'node:crypto';
import type { DeviceRecord } from '../../src-preload/contract';
import type { Clock } from '../lib/clock';
import { isoTime } from '../lib/clock';
import { fail, missingCase } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { createLogger } from '../lib/logger';
import { createDeviceRepository } from '../inventory/repository';
import type { SqliteDatabase } from '../store/database';
import {
  canonicalIpAddress,
  formatIpAddress,
  ipv4LastAddress,
  isNonDeviceAddress,
  isPrivateAddress,
  parseIpAddress,
} from './addresses';
import type { CompiledPolicy, DeviceZoneResolution, Finding, VerdictCounts } from './evaluate';
import {
  compilePolicy,
  countVerdicts,
  evaluateFlows,
  listFindings,
  resolveDeviceZones,
} from './evaluate';
import { exportCiscoAcl, exportMatrixCsv, exportNftables } from './exports';
import type { FlowFileFormat, FlowIssue } from './flows';
import { aggregateConnections, parseFlowFile } from './flows';
import type { LayoutOptions, NetworkMap } from './layout';
import { layoutNetworkMap } from './layout';
import type {
  DeviceZone,
  FlowVerdict,
  NetworkDevice,
  NetworkExportFormat,
  NetworkPolicy,
  ObservedFlow,
  PolicyState,
  UnknownDevice,
  UnknownDeviceState,
  Verdict,
} from '../../src-preload/network/model';
import { unknownDeviceStates } from '../../src-preload/network/model';
import type { ManagerReport } from './report';
import { buildManagerReport } from './report';
import type {
  FlowImportRecord,
  NetworkRepository,
  PolicyChangeRecord,
  PolicyVersionKind,
  PolicyVersionRecord,
  UnknownSighting,
} from './repository';
import { createNetworkRepository } from './repository';
import type { ChangeMeta } from '../../src-preload/network/schemas';
import { ChangeMetaSchema } from '../../src-preload/network/schemas';
import type { PolicyValidation } from './template';
import {
  assertValidPolicy,
  formatJsonPath,
  parsePolicyFile,
  policyToFile,
  throwIssues,
} from './template';
import type { VerdictChange, WhatIfResult } from './whatif';
import { applyDraft, sortAssignments, whatIf } from './whatif';

/** What the network domain reads of an inventory device. */
export type InventoryDevice = Pick<
  DeviceRecord,
  | 'id'
  | 'uid'
  | 'assetTag'
  | 'hostname'
  | 'manufacturer'
  | 'model'
  | 'ipAddress'
  | 'criticality'
  | 'deviceClass'
  | 'lifecycleState'
>;

/**
 * Inventory devices as the policy sees them, with their assigned zones. Decommissioned devices
 * are left out: their addresses may already belong to something else.
 */
export function toNetworkDevices(
  records: Iterable<InventoryDevice>,
  assignments: Readonly<Record<string, string>>,
): NetworkDevice[] {
  const devices: NetworkDevice[] = [];
  for (const record of records) {
    if (record.lifecycleState === 'decommissioned') continue;
    devices.push({
      id: record.id,
      uid: record.uid,
      label: record.assetTag ?? record.hostname ?? `${record.manufacturer} ${record.model}`,
      ipAddress: record.ipAddress,
      zoneId: assignments[record.uid] ?? null,
      criticality: record.criticality,
      deviceClass: record.deviceClass,
    });
  }
  return devices;
}

export interface NetworkServiceOptions {
  db: SqliteDatabase;
  clock: Clock;
  /** The inventory's devices; by default every device of the inventory in `db`. */
  inventory?: () => Iterable<InventoryDevice>;
  logger?: Logger;
}

export interface CurrentPolicy {
  version: number;
  policy: NetworkPolicy;
  assignments: Record<string, string>;
}

export interface FlowImportOptions {
  /** Who imports: recorded with the import. */
  actor: string;
  /** Import the valid records of a file that has invalid ones (otherwise nothing is written). */
  importValidLines: boolean;
  /** Parse as this format instead of detecting it. */
  format?: FlowFileFormat;
}

export interface FlowImportReport {
  committed: boolean;
  fileName: string;
  format: FlowFileFormat;
  recordLines: number;
  rejectedLines: number;
  /** The first problems, each with its line (all of them counted in rejectedLines). */
  issues: FlowIssue[];
  /** Connections read from valid records, and the flows they aggregate to. */
  connections: number;
  flows: number;
  /** Addresses in the file that no inventory device has and that look like devices. */
  unknownAddresses: number;
}

/** The findings asked for, with the verdict counts of the same evaluation. */
export interface FindingsSummary {
  version: number;
  counts: VerdictCounts;
  /** Findings of the verdicts asked for, before the limit. */
  total: number;
  findings: Finding[];
}

export interface Evaluation {
  version: number;
  devices: DeviceZone[];
  flows: ObservedFlow[];
  /** One per flow, in the same order. */
  verdicts: FlowVerdict[];
  counts: VerdictCounts;
}

export interface NetworkService {
  current(): CurrentPolicy;
  /** Checks a zones file without storing anything. */
  validatePolicyFile(text: string): PolicyValidation;
  /** Replaces zones and conduits with a zones file's; device assignments stay (policy.conflict if one would dangle). */
  importPolicyFile(text: string, meta: ChangeMeta): PolicyVersionRecord;
  /** Replaces zones and conduits with `policy` (checked as a zones file is). */
  replacePolicy(policy: unknown, meta: ChangeMeta): PolicyVersionRecord;
  /** Assigns a device to a zone, or (null) lets its address decide. */
  assignDevice(deviceUid: string, zoneId: string | null, meta: ChangeMeta): PolicyVersionRecord;
  /** Applies a draft (see whatif.ts) as one version. */
  applyDraft(draft: unknown, meta: ChangeMeta): PolicyVersionRecord;
  /** Makes version `version` current again, as a new version. */
  revert(version: number, meta: ChangeMeta): PolicyVersionRecord;
  versions(): PolicyVersionRecord[];
  changesSince(version: number): PolicyChangeRecord[];
  stateAt(version: number): PolicyState;
  importFlows(fileName: string, content: string, options: FlowImportOptions): FlowImportReport;
  imports(): FlowImportRecord[];
  evaluate(): Evaluation;
  /** Violations and insecure flows (or the verdicts asked for), worst clinical risk first. */
  findings(options?: { include?: readonly Verdict[]; limit?: number }): Finding[];
  /** findings() with the policy version, every verdict's count and the total before the limit. */
  check(options?: { include?: readonly Verdict[]; limit?: number }): FindingsSummary;
  /** What a draft would change, without storing anything. */
  whatIf(draft: unknown): { changes: VerdictChange[]; before: VerdictCounts; after: VerdictCounts };
  map(options?: Partial<LayoutOptions>): NetworkMap;
  exportNftables(): string;
  exportCiscoAcl(): string;
  exportMatrixCsv(): string;
  /** One export of the current policy, with the version it was made from. */
  exportPolicy(format: NetworkExportFormat): { version: number; content: string };
  report(sinceVersion: number): ManagerReport;
  /** Addresses to triage; those an inventory device has since taken are left out. */
  unknownDevices(): UnknownDevice[];
  setUnknownDeviceState(address: string, state: UnknownDeviceState): void;
}

function checkedMeta(meta: ChangeMeta): { actor: string; reason: string; baseVersion?: number } {
  const parsed = ChangeMetaSchema.safeParse(meta);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail('input.invalid', `${formatJsonPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`, {
      issues: parsed.error.issues.map((entry) => ({
        path: formatJsonPath(entry.path),
        message: entry.message,
      })),
    });
  }
  return parsed.data;
}

export function createNetworkService(options: NetworkServiceOptions): NetworkService {
  const { db, clock } = options;
  const logger = options.logger ?? createLogger('network');
  const repository: NetworkRepository = createNetworkRepository(db);
  let inventory = options.inventory;
  if (!inventory) {
    const devices = createDeviceRepository(db);
    inventory = () => devices.iterateDevices();
  }
  const readInventory = inventory;

  function networkDevices(assignments: Readonly<Record<string, string>>): NetworkDevice[] {
    return toNetworkDevices(readInventory(), assignments);
  }

  /** Checks the meta and the base version, then commits `next` built from the current state. */
  function commit(
    meta: ChangeMeta,
    kind: PolicyVersionKind,
    build: (current: PolicyState, version: number) => { state: PolicyState; revertedTo?: number },
  ): PolicyVersionRecord {
    const checked = checkedMeta(meta);
    return repository.transaction(() => {
      const version = repository.currentVersion();
      if (checked.baseVersion !== undefined && checked.baseVersion !== version) {
        fail(
          'policy.conflict',
          `the policy is at version ${version}; this change was prepared against version ${checked.baseVersion}`,
          { current: version, base: checked.baseVersion },
        );
      }
      const { state, revertedTo } = build(repository.loadState(), version);
      const record = repository.commitState(state, {
        actor: checked.actor,
        reason: checked.reason,
        kind,
        revertedTo: revertedTo ?? null,
        atIso: isoTime(clock),
      });
      logger.info('network policy version recorded', {
        version: record.version,
        kind,
        changes: record.changeCount,
      });
      return record;
    });
  }

  function replaceWith(policy: NetworkPolicy): (current: PolicyState) => { state: PolicyState } {
    return (current) => ({ state: { policy, assignments: current.assignments } });
  }

  function evaluateState(
    state: PolicyState,
    version: number,
  ): Evaluation & {
    compiled: CompiledPolicy;
    resolution: DeviceZoneResolution;
    networkDevices: NetworkDevice[];
  } {
    const compiled = compilePolicy(state.policy);
    const devices = networkDevices(state.assignments);
    const resolution = resolveDeviceZones(compiled, devices);
    const flows = repository.listFlows();
    const verdicts = evaluateFlows(compiled, resolution, flows);
    return {
      version,
      devices: resolution.devices,
      flows,
      verdicts,
      counts: countVerdicts(verdicts),
      compiled,
      resolution,
      networkDevices: devices,
    };
  }

  function evaluateCurrent() {
    return repository.transaction(() =>
      evaluateState(repository.loadState(), repository.currentVersion()),
    );
  }

  function unknownWithCurrentZones(
    compiled: CompiledPolicy,
    known: ReadonlySet<string>,
  ): UnknownDevice[] {
    return repository
      .listUnknownDevices()
      .filter((unknown) => !known.has(unknown.address))
      .map((unknown) => {
        const address = parseIpAddress(unknown.address);
        return {
          ...unknown,
          inferredZoneId: address ? (compiled.subnets.lookup(address)?.value ?? null) : null,
        };
      });
  }

  function knownAddresses(devices: readonly NetworkDevice[]): Set<string> {
    const known = new Set<string>();
    for (const device of devices) {
      const canonical = device.ipAddress === null ? null : canonicalIpAddress(device.ipAddress);
      if (canonical !== null) known.add(canonical);
    }
    return known;
  }

  function current(): CurrentPolicy {
    return repository.transaction(() => {
      const state = repository.loadState();
      return { version: repository.currentVersion(), ...state };
    });
  }

  return {
    current,

    validatePolicyFile: (text) => parsePolicyFile(text),

    importPolicyFile(text, meta) {
      const parsed = parsePolicyFile(text);
      if (!parsed.ok) throwIssues('the zones file', parsed.issues);
      return commit(meta, 'import', replaceWith(parsed.policy));
    },

    replacePolicy(policy, meta) {
      return commit(meta, 'edit', replaceWith(assertValidPolicy(policy)));
    },

    assignDevice(deviceUid, zoneId, meta) {
      return commit(meta, 'edit', (current) => ({
        state: applyDraft(current, { moves: [{ deviceUid, zoneId }] }, knownUids()),
      }));
    },

    applyDraft(draft, meta) {
      return commit(meta, 'draft', (current) => ({
        state: applyDraft(current, draft as Parameters<typeof applyDraft>[1], knownUids()),
      }));
    },

    revert(version, meta) {
      return commit(meta, 'revert', () => {
        const target = repository.stateAtVersion(version);
        return {
          state: { policy: target.policy, assignments: sortAssignments(target.assignments) },
          revertedTo: version,
        };
      });
    },

    versions: () => repository.listVersions(),
    changesSince: (version) => repository.changesAfter(version),
    stateAt: (version) => repository.stateAtVersion(version),

    importFlows(fileName, content, importOptions) {
      if (importOptions.actor.trim() === '') fail('input.invalid', 'say who imports the flows');
      const parsed = parseFlowFile(content, importOptions.format);
      if (parsed.recordLines === 0) {
        fail('flows.invalid', `${fileName} holds no connection records`);
      }
      const flows = aggregateConnections(parsed.connections);
      const report: FlowImportReport = {
        committed: false,
        fileName,
        format: parsed.format,
        recordLines: parsed.recordLines,
        rejectedLines: parsed.rejectedLines,
        issues: parsed.issues,
        connections: parsed.connections.reduce((sum, connection) => sum + connection.count, 0),
        flows: flows.length,
        unknownAddresses: 0,
      };
      const digest = createHash('sha256').update(content, 'utf8').digest('hex');
      return repository.transaction(() => {
        const earlier = repository.findImport(digest);
        if (earlier) {
          fail(
            'flows.invalid',
            `this file was already imported at ${earlier.importedAt} as ${earlier.fileName}; importing it again would count its connections twice`,
            { importedAt: earlier.importedAt, fileName: earlier.fileName },
          );
        }
        const state = repository.loadState();
        const compiled = compilePolicy(state.policy);
        const sightings = unknownSightings(
          flows,
          knownAddresses(networkDevices(state.assignments)),
          compiled,
        );
        report.unknownAddresses = sightings.length;
        if ((parsed.rejectedLines > 0 && !importOptions.importValidLines) || flows.length === 0) {
          return report;
        }
        repository.addFlows(
          {
            fileName,
            format: parsed.format,
            contentSha256: digest,
            importedAt: isoTime(clock),
            actor: importOptions.actor,
            recordLines: parsed.recordLines,
            rejectedLines: parsed.rejectedLines,
            connections: report.connections,
            flows: flows.length,
          },
          flows,
          sightings,
        );
        logger.info('flows imported', {
          format: parsed.format,
          connections: report.connections,
          flows: flows.length,
          rejectedLines: parsed.rejectedLines,
        });
        return { ...report, committed: true };
      });
    },

    imports: () => repository.listImports(),

    evaluate() {
      const { version, devices, flows, verdicts, counts } = evaluateCurrent();
      return { version, devices, flows, verdicts, counts };
    },

    findings(findingOptions = {}) {
      const { flows, verdicts } = evaluateCurrent();
      const found = listFindings(flows, verdicts, findingOptions.include);
      return findingOptions.limit === undefined ? found : found.slice(0, findingOptions.limit);
    },

    check(findingOptions = {}) {
      const { version, flows, verdicts, counts } = evaluateCurrent();
      const found = listFindings(flows, verdicts, findingOptions.include);
      return {
        version,
        counts,
        total: found.length,
        findings: findingOptions.limit === undefined ? found : found.slice(0, findingOptions.limit),
      };
    },

    whatIf(draft) {
      return repository.transaction(() => {
        const state = repository.loadState();
        const result: WhatIfResult = whatIf({
          state,
          draft: draft as Parameters<typeof whatIf>[0]['draft'],
          devices: networkDevices(state.assignments),
          flows: repository.listFlows(),
        });
        return { changes: result.changes, before: result.before, after: result.after };
      });
    },

    map(layoutOptions) {
      const evaluation = evaluateCurrent();
      const known = knownAddresses(evaluation.networkDevices);
      return layoutNetworkMap({
        policy: evaluation.compiled.policy,
        devices: evaluation.networkDevices,
        deviceZones: evaluation.devices,
        unknownDevices: unknownWithCurrentZones(evaluation.compiled, known).filter(
          (unknown) => unknown.state === 'open',
        ),
        flows: evaluation.flows,
        verdicts: evaluation.verdicts,
        options: layoutOptions ?? {},
      });
    },

    exportNftables() {
      const { version, policy } = current();
      return exportNftables(policy, { policyVersion: version, generatedAt: isoTime(clock) });
    },

    exportCiscoAcl() {
      const { version, policy } = current();
      return exportCiscoAcl(policy, { policyVersion: version, generatedAt: isoTime(clock) });
    },

    exportMatrixCsv() {
      return exportMatrixCsv(current().policy);
    },

    exportPolicy(format) {
      const { version, policy } = current();
      const header = { policyVersion: version, generatedAt: isoTime(clock) };
      switch (format) {
        case 'nftables':
          return { version, content: exportNftables(policy, header) };
        case 'cisco-acl':
          return { version, content: exportCiscoAcl(policy, header) };
        case 'matrix-csv':
          return { version, content: exportMatrixCsv(policy) };
        case 'zones': {
          const file = policyToFile(
            policy,
            `Wardkeep network policy version ${version}, exported ${header.generatedAt}.`,
          );
          return { version, content: `${JSON.stringify(file, null, 2)}\n` };
        }
        default:
          return missingCase(format);
      }
    },

    report(sinceVersion) {
      return repository.transaction(() => {
        const latest = repository.currentVersion();
        if (!Number.isInteger(sinceVersion) || sinceVersion < 0 || sinceVersion > latest) {
          fail('not_found', `there is no policy version ${sinceVersion} (the latest is ${latest})`);
        }
        const evaluation = evaluateState(repository.loadState(), latest);
        const known = knownAddresses(evaluation.networkDevices);
        return buildManagerReport({
          generatedAt: isoTime(clock),
          policyVersion: latest,
          policy: evaluation.compiled.policy,
          flows: evaluation.flows,
          verdicts: evaluation.verdicts,
          deviceZones: evaluation.devices,
          unknownDevices: unknownWithCurrentZones(evaluation.compiled, known),
          sinceVersion,
          versions: repository.listVersions(),
          changes: repository.changesAfter(sinceVersion),
        });
      });
    },

    unknownDevices() {
      return repository.transaction(() => {
        const state = repository.loadState();
        const compiled = compilePolicy(state.policy);
        return unknownWithCurrentZones(compiled, knownAddresses(networkDevices(state.assignments)));
      });
    },

    setUnknownDeviceState(address, state) {
      if (!(unknownDeviceStates as readonly string[]).includes(state)) {
        fail('input.invalid', `state must be one of ${unknownDeviceStates.join(', ')}`);
      }
      const canonical = canonicalIpAddress(address);
      if (canonical === null) fail('input.invalid', `"${address}" is not an IP address`);
      if (!repository.setUnknownDeviceState(canonical, state)) {
        fail('not_found', `no unknown device has the address ${canonical}`);
      }
    },
  };

  function knownUids(): Set<string> {
    const uids = new Set<string>();
    for (const record of readInventory()) uids.add(record.uid);
    return uids;
  }
}

/**
 * Addresses of the flows that no inventory device has and that look like devices: inside a zone
 * (not its IPv4 network or broadcast address) or private, and never multicast or broadcast.
 * Public addresses outside every zone are Internet peers, not devices to triage.
 */
export function unknownSightings(
  flows: readonly {
    source: string;
    destination: string;
    count: number;
    firstSeenMs: number;
    lastSeenMs: number;
  }[],
  known: ReadonlySet<string>,
  compiled: CompiledPolicy,
): UnknownSighting[] {
  const sightings = new Map<string, UnknownSighting | null>();
  for (const flow of flows) {
    for (const address of [flow.source, flow.destination]) {
      if (known.has(address)) continue;
      let sighting = sightings.get(address);
      if (sighting === null) continue;
      if (sighting === undefined) {
        sighting = newSighting(address, compiled);
        sightings.set(address, sighting);
        if (sighting === null) continue;
      }
      sighting.flowCount += flow.count;
      if (flow.firstSeenMs < sighting.firstSeenMs) sighting.firstSeenMs = flow.firstSeenMs;
      if (flow.lastSeenMs > sighting.lastSeenMs) sighting.lastSeenMs = flow.lastSeenMs;
    }
  }
  return [...sightings.values()]
    .filter((sighting): sighting is UnknownSighting => sighting !== null)
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function newSighting(address: string, compiled: CompiledPolicy): UnknownSighting | null {
  const parsed = parseIpAddress(address);
  if (!parsed || isNonDeviceAddress(parsed)) return null;
  const match = compiled.subnets.lookup(parsed);
  if (match) {
    if (match.cidr.family === 4 && parsed.family === 4 && match.cidr.prefixLength <= 30) {
      const text = formatIpAddress(parsed);
      const network = formatIpAddress({ family: 4, bytes: match.cidr.bytes });
      if (text === network || text === formatIpAddress(ipv4LastAddress(match.cidr))) return null;
    }
  } else if (!isPrivateAddress(parsed)) {
    return null;
  }
  return {
    address,
    firstSeenMs: Number.POSITIVE_INFINITY,
    lastSeenMs: Number.NEGATIVE_INFINITY,
    flowCount: 0,
    inferredZoneId: match ? match.value : null,
  };
}
