// Every SQL statement of the network domain, all prepared. The policy changes only through
// commitState: the difference to the current state, recorded as one version with each entity's
// before and after value. Writes use db.transaction, so inside a caller's they are a savepoint.
import type { SqliteDatabase } from '../store/database';
import { compareCidrs, parseCidr } from './addresses';
import type { FlowAggregate } from './flows';
import type {
  ChangeOperation,
  Conduit,
  FlowFileFormat,
  ObservedFlow,
  PolicyEntity,
  PolicyVersionKind,
  PolicyState,
  UnknownDevice,
  UnknownDeviceState,
  Zone,
  ZoneAssignments,
} from '../../src-preload/network/model';
import { compareText } from '../../src-preload/network/model';
import { fail } from '../lib/errors';

export { policyVersionKinds } from '../../src-preload/network/model';
export type { ChangeOperation, PolicyEntity, PolicyVersionKind };

export interface PolicyVersionRecord {
  version: number;
  at: string;
  actor: string;
  reason: string;
  kind: PolicyVersionKind;
  revertedTo: number | null;
  /** Entities created, updated or deleted by this version. */
  changeCount: number;
}

export interface PolicyChangeRecord {
  version: number;
  seq: number;
  entity: PolicyEntity;
  /** Zone id, conduit id or device uid. */
  key: string;
  operation: ChangeOperation;
  /** The zone, the conduit or the assigned zone id; null when created (before) or deleted (after). */
  before: Zone | Conduit | string | null;
  after: Zone | Conduit | string | null;
}

export interface CommitMeta {
  actor: string;
  reason: string;
  kind: PolicyVersionKind;
  revertedTo: number | null;
  atIso: string;
}

export interface FlowImportRecord {
  fileName: string;
  format: FlowFileFormat;
  contentSha256: string;
  importedAt: string;
  actor: string;
  recordLines: number;
  rejectedLines: number;
  connections: number;
  flows: number;
}

export interface UnknownSighting {
  address: string;
  firstSeenMs: number;
  lastSeenMs: number;
  flowCount: number;
  inferredZoneId: string | null;
}

export interface NetworkRepository {
  /** Runs `work` in one transaction; inside another transaction it is a savepoint of it. */
  transaction<T>(work: () => T): T;
  currentVersion(): number;
  loadState(): PolicyState;
  /** Makes `next` the current state and records the difference as version currentVersion()+1. */
  commitState(next: PolicyState, meta: CommitMeta): PolicyVersionRecord;
  listVersions(): PolicyVersionRecord[];
  /** Changes of every version after `version`, oldest first. */
  changesAfter(version: number): PolicyChangeRecord[];
  /** The state as version `version` left it (0: the empty policy). */
  stateAtVersion(version: number): PolicyState;
  /** The earlier import of a file with this SHA-256, if any. */
  findImport(contentSha256: string): FlowImportRecord | null;
  /** Records an import and adds its flows and sightings in one transaction. */
  addFlows(
    record: FlowImportRecord,
    flows: readonly FlowAggregate[],
    sightings: readonly UnknownSighting[],
  ): void;
  listFlows(): ObservedFlow[];
  listImports(): FlowImportRecord[];
  listUnknownDevices(): UnknownDevice[];
  /** Returns false when no unknown device has this address. */
  setUnknownDeviceState(address: string, state: UnknownDeviceState): boolean;
}

/** The stored form of a zone, keys in one order so equal zones give equal JSON. */
function zoneValue(zone: Zone): Zone {
  return {
    id: zone.id,
    name: zone.name,
    description: zone.description,
    tier: zone.tier,
    clinical: zone.clinical,
    isolate: zone.isolate,
    vlans: zone.vlans.map((vlan) => ({ id: vlan.id, name: vlan.name })),
    subnets: [...zone.subnets],
  };
}

function conduitValue(conduit: Conduit): Conduit {
  return {
    id: conduit.id,
    from: conduit.from,
    to: conduit.to,
    protocol: conduit.protocol,
    ports: conduit.ports.map((range) => ({ from: range.from, to: range.to })),
    direction: conduit.direction,
    state: conduit.state,
    purpose: conduit.purpose,
  };
}

interface Difference<T> {
  key: string;
  operation: ChangeOperation;
  before: T | null;
  after: T | null;
}

function difference<T>(
  current: ReadonlyMap<string, T>,
  next: ReadonlyMap<string, T>,
): Difference<T>[] {
  const keys = [...new Set([...current.keys(), ...next.keys()])].sort(compareText);
  const out: Difference<T>[] = [];
  for (const key of keys) {
    const before = current.get(key) ?? null;
    const after = next.get(key) ?? null;
    if (before === null && after !== null) out.push({ key, operation: 'create', before, after });
    else if (before !== null && after === null)
      out.push({ key, operation: 'delete', before, after });
    else if (JSON.stringify(before) !== JSON.stringify(after)) {
      out.push({ key, operation: 'update', before, after });
    }
  }
  return out;
}

export function createNetworkRepository(db: SqliteDatabase): NetworkRepository {
  const selectVersion = db.prepare<[], { version: number | null }>(
    'SELECT max(version) AS version FROM network_policy_versions',
  );
  const selectZones = db.prepare<
    [],
    {
      id: string;
      name: string;
      description: string;
      tier: Zone['tier'];
      clinical: number;
      isolate: number;
    }
  >('SELECT id, name, description, tier, clinical, isolate FROM network_zones ORDER BY id');
  const selectVlans = db.prepare<[], { id: number; zoneId: string; name: string }>(
    'SELECT vlan_id AS id, zone_id AS zoneId, name FROM network_vlans ORDER BY vlan_id',
  );
  const selectSubnets = db.prepare<[], { cidr: string; zoneId: string }>(
    'SELECT cidr, zone_id AS zoneId FROM network_subnets',
  );
  const selectConduits = db.prepare<
    [],
    {
      id: string;
      fromZone: string;
      toZone: string;
      protocol: Conduit['protocol'];
      portsJson: string;
      direction: Conduit['direction'];
      state: Conduit['state'];
      purpose: string;
    }
  >(
    `SELECT id, from_zone AS fromZone, to_zone AS toZone, protocol, ports_json AS portsJson,
       direction, state, purpose FROM network_conduits ORDER BY id`,
  );
  const selectAssignments = db.prepare<[], { uid: string; zoneId: string }>(
    'SELECT device_uid AS uid, zone_id AS zoneId FROM network_device_zones ORDER BY device_uid',
  );
  const insertZone = db.prepare<[string, string, string, string, number, number]>(
    `INSERT INTO network_zones (id, name, description, tier, clinical, isolate)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const updateZone = db.prepare<[string, string, string, number, number, string]>(
    `UPDATE network_zones SET name = ?, description = ?, tier = ?, clinical = ?, isolate = ?
     WHERE id = ?`,
  );
  const deleteZone = db.prepare<[string]>('DELETE FROM network_zones WHERE id = ?');
  const deleteZoneSubnets = db.prepare<[string]>('DELETE FROM network_subnets WHERE zone_id = ?');
  const deleteZoneVlans = db.prepare<[string]>('DELETE FROM network_vlans WHERE zone_id = ?');
  const insertSubnet = db.prepare<[string, string, number]>(
    'INSERT INTO network_subnets (cidr, zone_id, family) VALUES (?, ?, ?)',
  );
  const insertVlan = db.prepare<[number, string, string]>(
    'INSERT INTO network_vlans (vlan_id, zone_id, name) VALUES (?, ?, ?)',
  );
  const upsertConduit = db.prepare<
    [string, string, string, string, string, string, string, string]
  >(
    `INSERT INTO network_conduits (id, from_zone, to_zone, protocol, ports_json, direction, state, purpose)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET from_zone = excluded.from_zone, to_zone = excluded.to_zone,
       protocol = excluded.protocol, ports_json = excluded.ports_json,
       direction = excluded.direction, state = excluded.state, purpose = excluded.purpose`,
  );
  const deleteConduit = db.prepare<[string]>('DELETE FROM network_conduits WHERE id = ?');
  const upsertAssignment = db.prepare<[string, string]>(
    `INSERT INTO network_device_zones (device_uid, zone_id) VALUES (?, ?)
     ON CONFLICT (device_uid) DO UPDATE SET zone_id = excluded.zone_id`,
  );
  const deleteAssignment = db.prepare<[string]>(
    'DELETE FROM network_device_zones WHERE device_uid = ?',
  );
  const selectMissingDevices = db.prepare<[string], { uid: string }>(
    `SELECT value AS uid FROM json_each(?) WHERE value NOT IN (SELECT uid FROM devices)
     ORDER BY value LIMIT 20`,
  );
  const insertVersion = db.prepare<[number, string, string, string, string, number | null]>(
    `INSERT INTO network_policy_versions (version, at, actor, reason, kind, reverted_to)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insertChange = db.prepare<
    [number, number, string, string, string, string | null, string | null]
  >(
    `INSERT INTO network_policy_changes
       (version, seq, entity, entity_key, operation, before_json, after_json)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectVersions = db.prepare<[], PolicyVersionRecord>(
    `SELECT v.version, v.at, v.actor, v.reason, v.kind, v.reverted_to AS revertedTo,
       (SELECT count(*) FROM network_policy_changes c WHERE c.version = v.version) AS changeCount
     FROM network_policy_versions v ORDER BY v.version`,
  );
  const selectChangesAfter = db.prepare<
    [number],
    {
      version: number;
      seq: number;
      entity: PolicyEntity;
      key: string;
      operation: ChangeOperation;
      beforeJson: string | null;
      afterJson: string | null;
    }
  >(
    `SELECT version, seq, entity, entity_key AS key, operation, before_json AS beforeJson,
       after_json AS afterJson
     FROM network_policy_changes WHERE version > ? ORDER BY version, seq`,
  );

  const selectImport = db.prepare<[string], FlowImportRecord>(
    `SELECT file_name AS fileName, format, content_sha256 AS contentSha256,
       imported_at AS importedAt, actor, record_lines AS recordLines,
       rejected_lines AS rejectedLines, connections, flows
     FROM network_flow_imports WHERE content_sha256 = ?`,
  );
  const selectImports = db.prepare<[], FlowImportRecord>(
    `SELECT file_name AS fileName, format, content_sha256 AS contentSha256,
       imported_at AS importedAt, actor, record_lines AS recordLines,
       rejected_lines AS rejectedLines, connections, flows
     FROM network_flow_imports ORDER BY id`,
  );
  const insertImport = db.prepare<
    [string, string, string, string, string, number, number, number, number]
  >(
    `INSERT INTO network_flow_imports (file_name, format, content_sha256, imported_at, actor,
       record_lines, rejected_lines, connections, flows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Positional parameters: binding by name costs a lookup per column per row.
  const upsertFlow = db.prepare<
    [string, string, string, number, number, number, number, string, number, number]
  >(
    `INSERT INTO network_flows (source_address, destination_address, protocol, port, bytes,
       count, tls_count, services_json, first_seen_ms, last_seen_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (source_address, destination_address, protocol, port) DO UPDATE SET
       bytes = bytes + excluded.bytes,
       count = count + excluded.count,
       tls_count = tls_count + excluded.tls_count,
       services_json = (SELECT json_group_array(value) FROM (
         SELECT value FROM json_each(network_flows.services_json)
         UNION SELECT value FROM json_each(excluded.services_json) ORDER BY value)),
       first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),
       last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`,
  );
  const selectFlows = db.prepare<[], Omit<ObservedFlow, 'services'> & { servicesJson: string }>(
    `SELECT id, source_address AS source, destination_address AS destination, protocol, port,
       bytes, count, tls_count AS tlsCount, services_json AS servicesJson,
       first_seen_ms AS firstSeenMs, last_seen_ms AS lastSeenMs
     FROM network_flows ORDER BY id`,
  );
  const upsertUnknown = db.prepare<[string, number, number, number, string | null]>(
    `INSERT INTO network_unknown_devices (address, first_seen_ms, last_seen_ms, flow_count,
       inferred_zone_id) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (address) DO UPDATE SET
       first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),
       last_seen_ms = max(last_seen_ms, excluded.last_seen_ms),
       flow_count = flow_count + excluded.flow_count,
       inferred_zone_id = excluded.inferred_zone_id,
       -- Seen again after it was marked resolved: it is not resolved.
       state = CASE state WHEN 'resolved' THEN 'open' ELSE state END`,
  );
  const selectUnknown = db.prepare<[], UnknownDevice>(
    `SELECT address, first_seen_ms AS firstSeenMs, last_seen_ms AS lastSeenMs,
       flow_count AS flowCount, inferred_zone_id AS inferredZoneId, state
     FROM network_unknown_devices ORDER BY address`,
  );
  const updateUnknownState = db.prepare<[string, string]>(
    'UPDATE network_unknown_devices SET state = ? WHERE address = ?',
  );

  function transaction<T>(work: () => T): T {
    return db.transaction(work)();
  }

  function currentVersion(): number {
    return selectVersion.get()?.version ?? 0;
  }

  function loadState(): PolicyState {
    const vlans = new Map<string, { id: number; name: string }[]>();
    for (const vlan of selectVlans.all()) {
      const list = vlans.get(vlan.zoneId) ?? [];
      list.push({ id: vlan.id, name: vlan.name });
      vlans.set(vlan.zoneId, list);
    }
    const subnets = new Map<string, string[]>();
    for (const subnet of selectSubnets.all()) {
      const list = subnets.get(subnet.zoneId) ?? [];
      list.push(subnet.cidr);
      subnets.set(subnet.zoneId, list);
    }
    const zones: Zone[] = selectZones.all().map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      tier: row.tier,
      clinical: row.clinical === 1,
      isolate: row.isolate === 1,
      vlans: vlans.get(row.id) ?? [],
      subnets: inCidrOrder(subnets.get(row.id) ?? []),
    }));
    const conduits: Conduit[] = selectConduits.all().map((row) => ({
      id: row.id,
      from: row.fromZone,
      to: row.toZone,
      protocol: row.protocol,
      ports: JSON.parse(row.portsJson) as Conduit['ports'],
      direction: row.direction,
      state: row.state,
      purpose: row.purpose,
    }));
    const assignments: ZoneAssignments = {};
    for (const row of selectAssignments.all()) assignments[row.uid] = row.zoneId;
    return { policy: { zones, conduits }, assignments };
  }

  function commitState(next: PolicyState, meta: CommitMeta): PolicyVersionRecord {
    return transaction(() => {
      const current = loadState();
      const nextZoneIds = new Set(next.policy.zones.map((zone) => zone.id));
      const strays = Object.entries(next.assignments).filter(
        ([, zoneId]) => !nextZoneIds.has(zoneId),
      );
      if (strays.length > 0) {
        fail(
          'policy.conflict',
          `${strays.length} device(s) would stay assigned to zones the policy no longer has, e.g. ${strays[0]![0]} → ${strays[0]![1]}`,
          { devices: strays.slice(0, 20).map(([uid, zoneId]) => ({ uid, zoneId })) },
        );
      }
      const zoneChanges = difference(
        new Map(current.policy.zones.map((zone) => [zone.id, zoneValue(zone)])),
        new Map(next.policy.zones.map((zone) => [zone.id, zoneValue(zone)])),
      );
      const conduitChanges = difference(
        new Map(current.policy.conduits.map((conduit) => [conduit.id, conduitValue(conduit)])),
        new Map(next.policy.conduits.map((conduit) => [conduit.id, conduitValue(conduit)])),
      );
      const assignmentChanges = difference(
        new Map(Object.entries(current.assignments)),
        new Map(Object.entries(next.assignments)),
      );
      const assigned = assignmentChanges
        .filter((change) => change.after !== null)
        .map((c) => c.key);
      if (assigned.length > 0) {
        const missing = selectMissingDevices.all(JSON.stringify(assigned)).map((row) => row.uid);
        if (missing.length > 0) {
          fail('network.invalid', `no device has the uid ${missing[0]}`, { uids: missing });
        }
      }

      // Order keeps every foreign key satisfied at each step.
      for (const change of assignmentChanges) {
        if (change.operation === 'delete') deleteAssignment.run(change.key);
      }
      for (const change of zoneChanges) {
        if (change.operation === 'update' || change.operation === 'delete') {
          deleteZoneSubnets.run(change.key);
          deleteZoneVlans.run(change.key);
        }
      }
      for (const change of zoneChanges) {
        const zone = change.after;
        if (zone === null) continue;
        if (change.operation === 'create') {
          insertZone.run(
            zone.id,
            zone.name,
            zone.description,
            zone.tier,
            +zone.clinical,
            +zone.isolate,
          );
        } else {
          updateZone.run(
            zone.name,
            zone.description,
            zone.tier,
            +zone.clinical,
            +zone.isolate,
            zone.id,
          );
        }
        for (const vlan of zone.vlans) insertVlan.run(vlan.id, zone.id, vlan.name);
        for (const cidr of zone.subnets)
          insertSubnet.run(cidr, zone.id, cidr.includes(':') ? 6 : 4);
      }
      for (const change of assignmentChanges) {
        if (change.after !== null) upsertAssignment.run(change.key, change.after);
      }
      for (const change of conduitChanges) {
        const conduit = change.after;
        if (conduit === null) {
          deleteConduit.run(change.key);
          continue;
        }
        upsertConduit.run(
          conduit.id,
          conduit.from,
          conduit.to,
          conduit.protocol,
          JSON.stringify(conduit.ports),
          conduit.direction,
          conduit.state,
          conduit.purpose,
        );
      }
      for (const change of zoneChanges) {
        if (change.operation === 'delete') deleteZone.run(change.key);
      }

      const version = currentVersion() + 1;
      insertVersion.run(version, meta.atIso, meta.actor, meta.reason, meta.kind, meta.revertedTo);
      let seq = 0;
      const record = (entity: PolicyEntity, changes: Difference<unknown>[]): void => {
        for (const change of changes) {
          seq += 1;
          insertChange.run(
            version,
            seq,
            entity,
            change.key,
            change.operation,
            change.before === null ? null : JSON.stringify(change.before),
            change.after === null ? null : JSON.stringify(change.after),
          );
        }
      };
      record('zone', zoneChanges);
      record('conduit', conduitChanges);
      record('assignment', assignmentChanges);
      return {
        version,
        at: meta.atIso,
        actor: meta.actor,
        reason: meta.reason,
        kind: meta.kind,
        revertedTo: meta.revertedTo,
        changeCount: seq,
      };
    });
  }

  function changesAfter(version: number): PolicyChangeRecord[] {
    return selectChangesAfter.all(version).map((row) => ({
      version: row.version,
      seq: row.seq,
      entity: row.entity,
      key: row.key,
      operation: row.operation,
      before:
        row.beforeJson === null
          ? null
          : (JSON.parse(row.beforeJson) as PolicyChangeRecord['before']),
      after:
        row.afterJson === null ? null : (JSON.parse(row.afterJson) as PolicyChangeRecord['after']),
    }));
  }

  function stateAtVersion(version: number): PolicyState {
    const latest = currentVersion();
    if (!Number.isInteger(version) || version < 0 || version > latest) {
      fail('not_found', `there is no policy version ${version} (the latest is ${latest})`);
    }
    const state = loadState();
    const zones = new Map(state.policy.zones.map((zone) => [zone.id, zone]));
    const conduits = new Map(state.policy.conduits.map((conduit) => [conduit.id, conduit]));
    const assignments = new Map(Object.entries(state.assignments));
    const undo = changesAfter(version).reverse();
    for (const change of undo) {
      const target = { zone: zones, conduit: conduits, assignment: assignments }[
        change.entity
      ] as Map<string, unknown>;
      if (change.before === null) target.delete(change.key);
      else target.set(change.key, change.before);
    }
    const byKey = (a: [string, unknown], b: [string, unknown]) => compareText(a[0], b[0]);
    return {
      policy: {
        zones: [...zones.entries()].sort(byKey).map(([, zone]) => zone),
        conduits: [...conduits.entries()].sort(byKey).map(([, conduit]) => conduit),
      },
      assignments: Object.fromEntries([...assignments.entries()].sort(byKey)),
    };
  }

  return {
    transaction,
    currentVersion,
    loadState,
    commitState,
    listVersions: () => selectVersions.all(),
    changesAfter,
    stateAtVersion,
    findImport: (sha) => selectImport.get(sha) ?? null,
    addFlows(record, flows, sightings) {
      transaction(() => {
        insertImport.run(
          record.fileName,
          record.format,
          record.contentSha256,
          record.importedAt,
          record.actor,
          record.recordLines,
          record.rejectedLines,
          record.connections,
          record.flows,
        );
        for (const flow of flows) {
          upsertFlow.run(
            flow.source,
            flow.destination,
            flow.protocol,
            flow.port,
            flow.bytes,
            flow.count,
            flow.tlsCount,
            JSON.stringify(flow.services),
            flow.firstSeenMs,
            flow.lastSeenMs,
          );
        }
        for (const sighting of sightings) {
          upsertUnknown.run(
            sighting.address,
            sighting.firstSeenMs,
            sighting.lastSeenMs,
            sighting.flowCount,
            sighting.inferredZoneId,
          );
        }
      });
    },
    listFlows: () =>
      selectFlows.all().map(({ servicesJson, ...flow }) => ({
        ...flow,
        services: (JSON.parse(servicesJson) as string[]).sort(compareText),
      })),
    listImports: () => selectImports.all(),
    listUnknownDevices: () => selectUnknown.all(),
    setUnknownDeviceState: (address, state) =>
      transaction(() => updateUnknownState.run(state, address).changes === 1),
  };
}

function inCidrOrder(subnets: string[]): string[] {
  return subnets
    .map((text) => ({ text, parsed: parseCidr(text) }))
    .sort((a, b) =>
      a.parsed.ok && b.parsed.ok
        ? compareCidrs(a.parsed.cidr, b.parsed.cidr)
        : compareText(a.text, b.text),
    )
    .map((entry) => entry.text);
}
