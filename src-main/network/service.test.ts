import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrationForTest } from '../../test/support/schema';
import { useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import { WardkeepFailure } from '../lib/errors';
import { sequentialIds } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { createInventoryService } from '../inventory/service';
import type { SqliteDatabase } from '../store/database';
import { openDatabase } from '../store/database';
import * as networkMigration from '../store/migrations/0006-network';
import type { NetworkService } from './service';
import { createNetworkService } from './service';
import { policyToFile, readPolicyFile, zonesTemplatePath } from './template';

const tempDir = useTempDirs();
const fixtures = join(__dirname, '../../test/fixtures/network');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const templateText = readFileSync(zonesTemplatePath(), 'utf8');
const startMs = Date.UTC(2026, 0, 2, 9);
const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

interface Store {
  db: SqliteDatabase;
  network: NetworkService;
  clock: ReturnType<typeof frozenClock>;
  uids: Map<string, string>;
}

const open: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

/** A real encrypted store with migration 6 and a few inventory devices, keyed by asset tag. */
async function openStore(): Promise<Store> {
  const db = openDatabase(join(tempDir(), 'wardkeep.db'), randomBytes(32));
  open.push(db);
  applyMigrationForTest(db, networkMigration);
  const clock = frozenClock(startMs);
  const inventory = createInventoryService({ db, clock, ids: sequentialIds('dev'), logger: quiet });
  const report = await inventory.importFile(
    'devices.csv',
    [
      'asset_tag,manufacturer,model,serial_number,device_class,criticality,ip_address,lifecycle_state',
      'MON-1,Acme,M1,S1,patient_monitor,high,10.20.1.15,in_service',
      'MON-2,Acme,M1,S2,patient_monitor,high,10.20.1.16,in_service',
      'ENG-1,Acme,E1,S3,workstation,high,10.100.0.20,in_service',
      'CT-1,Acme,C1,S4,imaging,high,10.30.1.5,in_service',
      'PACS-1,Acme,P1,S5,workstation,high,10.30.8.10,in_service',
      'JUMP-1,Acme,J1,S6,workstation,medium,10.250.0.5,in_service',
      'PC-1,Acme,W1,S7,workstation,low,10.120.5.7,in_service',
      'PUMP-1,Acme,I1,S8,infusion_pump,life_sustaining,10.10.1.20,in_service',
      'PUMP-2,Acme,I1,S9,infusion_pump,life_sustaining,10.10.1.21,in_service',
      'OLD-1,Acme,I1,S10,infusion_pump,life_sustaining,10.20.2.99,decommissioned',
    ].join('\n'),
    { skipInvalid: false },
  );
  expect(report.committed).toBe(true);
  inventory.dispose();
  const uids = new Map(
    db
      .prepare<[], { assetTag: string; uid: string }>(
        'SELECT asset_tag AS assetTag, uid FROM devices',
      )
      .all()
      .map((row) => [row.assetTag, row.uid]),
  );
  return { db, network: createNetworkService({ db, clock, logger: quiet }), clock, uids };
}

const meta = (reason: string, extra: { baseVersion?: number } = {}) => ({
  actor: 'alice',
  reason,
  ...extra,
});

function thrown(work: () => unknown): WardkeepFailure {
  try {
    work();
  } catch (error) {
    if (error instanceof WardkeepFailure) return error;
    throw error;
  }
  throw new Error('expected a WardkeepFailure');
}

function count(db: SqliteDatabase, table: string): number {
  return db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n;
}

describe('network service', () => {
  it('records the template import as version 1 with who, when and why', async () => {
    const { network } = await openStore();
    expect(network.current()).toEqual({
      version: 0,
      policy: { zones: [], conduits: [] },
      assignments: {},
    });
    const version = network.importPolicyFile(templateText, meta('initial segmentation'));
    expect(version).toMatchObject({
      version: 1,
      at: '2026-01-02T09:00:00.000Z',
      actor: 'alice',
      reason: 'initial segmentation',
      kind: 'import',
      revertedTo: null,
    });
    expect(version.changeCount).toBe(30);
    expect(network.current().policy).toEqual(readPolicyFile(zonesTemplatePath()));
  });

  it('versions every change and reverts to an earlier version as a new version equal to it', async () => {
    const { network, uids, clock } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    clock.advance(60_000);
    network.assignDevice(
      uids.get('MON-2')!,
      'clinical-it',
      meta('central station moved', { baseVersion: 1 }),
    );
    const policy = network.current().policy;
    const edited = {
      ...policy,
      conduits: policy.conduits.map((conduit) =>
        conduit.id === 'corporate-clinical-apps'
          ? { ...conduit, state: 'monitor' as const }
          : conduit,
      ),
    };
    clock.advance(60_000);
    expect(network.replacePolicy(edited, meta('watch office access')).version).toBe(3);
    expect(
      network
        .changesSince(1)
        .map((change) => [change.version, change.entity, change.key, change.operation]),
    ).toEqual([
      [2, 'assignment', uids.get('MON-2'), 'create'],
      [3, 'conduit', 'corporate-clinical-apps', 'update'],
    ]);
    const update = network.changesSince(2)[0]!;
    expect(update.before).toMatchObject({ state: 'allow' });
    expect(update.after).toMatchObject({ state: 'monitor' });

    const reverted = network.revert(1, meta('back to the baseline'));
    expect(reverted).toMatchObject({ version: 4, kind: 'revert', revertedTo: 1, changeCount: 2 });
    expect(network.stateAt(4)).toEqual(network.stateAt(1));
    expect(network.current()).toEqual({ version: 4, ...network.stateAt(1) });
    expect(network.stateAt(3).assignments).toEqual({ [uids.get('MON-2')!]: 'clinical-it' });
    expect(network.stateAt(0)).toEqual({ policy: { zones: [], conduits: [] }, assignments: {} });
    expect(network.versions().map((entry) => [entry.version, entry.kind, entry.at])).toEqual([
      [1, 'import', '2026-01-02T09:00:00.000Z'],
      [2, 'edit', '2026-01-02T09:01:00.000Z'],
      [3, 'edit', '2026-01-02T09:02:00.000Z'],
      [4, 'revert', '2026-01-02T09:02:00.000Z'],
    ]);
    expect(thrown(() => network.stateAt(9)).code).toBe('not_found');
  });

  it('refuses a change prepared against an older version, a missing reason, and unknown devices', async () => {
    const { network, db, uids } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    const conflict = thrown(() =>
      network.assignDevice(uids.get('MON-1')!, 'lab', meta('move', { baseVersion: 0 })),
    );
    expect(conflict.code).toBe('policy.conflict');
    expect(conflict.message).toBe(
      'the policy is at version 1; this change was prepared against version 0',
    );
    expect(thrown(() => network.assignDevice(uids.get('MON-1')!, 'lab', meta('  '))).code).toBe(
      'input.invalid',
    );
    expect(thrown(() => network.assignDevice('no-such-device', 'lab', meta('move'))).code).toBe(
      'network.invalid',
    );
    expect(
      thrown(() => network.assignDevice(uids.get('MON-1')!, 'nowhere', meta('move'))).code,
    ).toBe('network.invalid');
    expect(count(db, 'network_policy_versions')).toBe(1);
  });

  it('refuses a zones file that would leave devices assigned to a zone it removes', async () => {
    const { network, uids } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    network.assignDevice(uids.get('MON-1')!, 'lab', meta('move'));
    const file = policyToFile(network.current().policy);
    file.zones = file.zones.filter((zone) => zone.id !== 'lab');
    file.conduits = file.conduits.filter(
      (conduit) => conduit.from !== 'lab' && conduit.to !== 'lab',
    );
    const failure = thrown(() =>
      network.importPolicyFile(JSON.stringify(file), meta('drop the lab zone')),
    );
    expect(failure.code).toBe('policy.conflict');
    expect(failure.message).toContain(`${uids.get('MON-1')} → lab`);
    expect(network.current().version).toBe(2);
  });

  it('writes inside the caller’s transaction: rolled back with it, committed with it', async () => {
    const { network, db, uids } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    db.exec('CREATE TABLE audit_probe (note TEXT NOT NULL) STRICT');
    const record = db.prepare<[string]>('INSERT INTO audit_probe (note) VALUES (?)');
    expect(() =>
      db.transaction(() => {
        network.assignDevice(uids.get('MON-1')!, 'lab', meta('move'));
        record.run('moved');
        throw new Error('the audit record could not be written');
      })(),
    ).toThrow('the audit record could not be written');
    expect(network.current().version).toBe(1);
    expect(network.current().assignments).toEqual({});
    db.transaction(() => {
      network.assignDevice(uids.get('MON-1')!, 'lab', meta('move'));
      record.run('moved');
    })();
    expect(network.current().version).toBe(2);
    expect(count(db, 'audit_probe')).toBe(1);
  });

  it('imports a Zeek log in one transaction and lists unknown device-like addresses to triage', async () => {
    const { network, db } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    const report = network.importFlows('conn.log', fixture('conn.log'), {
      actor: 'alice',
      importValidLines: false,
    });
    expect(report).toEqual({
      committed: true,
      fileName: 'conn.log',
      format: 'zeek-tsv',
      recordLines: 14,
      rejectedLines: 0,
      issues: [],
      connections: 14,
      flows: 12,
      unknownAddresses: 4,
    });
    expect(count(db, 'network_flows')).toBe(12);
    // 10.20.2.99 belongs to a decommissioned device: it is unknown again. Broadcast and public
    // addresses are not devices.
    expect(
      network
        .unknownDevices()
        .map((unknown) => [unknown.address, unknown.inferredZoneId, unknown.flowCount]),
    ).toEqual([
      ['10.20.2.99', 'medical-devices', 1],
      ['172.20.3.4', 'guest', 1],
      ['fd57:6172:646b:120::15', 'medical-devices', 1],
      ['fd57:6172:646b:200::20', 'clinical-it', 1],
    ]);
    expect(network.imports()).toHaveLength(1);
  });

  it('writes nothing from a file with bad lines unless told to import the valid ones', async () => {
    const { network, db } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    const lines = fixture('conn.log').split('\n');
    lines[10] = lines[10]!.replace('10.30.1.5', '10.30.1.500');
    const text = lines.join('\n');
    const refused = network.importFlows('bad.log', text, {
      actor: 'alice',
      importValidLines: false,
    });
    expect(refused.committed).toBe(false);
    expect(refused.issues).toEqual([
      { line: 11, field: 'id.orig_h', message: 'id.orig_h "10.30.1.500" is not an IP address' },
    ]);
    expect([
      count(db, 'network_flows'),
      count(db, 'network_flow_imports'),
      count(db, 'network_unknown_devices'),
    ]).toEqual([0, 0, 0]);
    const partial = network.importFlows('bad.log', text, {
      actor: 'alice',
      importValidLines: true,
    });
    expect(partial).toMatchObject({ committed: true, connections: 13, rejectedLines: 1 });
    expect(count(db, 'network_flows')).toBe(11);
  });

  it('refuses the same file twice and adds a second capture to the flows it shares', async () => {
    const { network } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    network.importFlows('conn.log', fixture('conn.log'), {
      actor: 'alice',
      importValidLines: false,
    });
    const again = thrown(() =>
      network.importFlows('copy.log', fixture('conn.log'), {
        actor: 'alice',
        importValidLines: false,
      }),
    );
    expect(again.code).toBe('flows.invalid');
    expect(again.message).toContain('already imported');
    network.importFlows('conn.json.log', fixture('conn.json.log'), {
      actor: 'bob',
      importValidLines: false,
    });
    const flows = network.evaluate().flows;
    expect(flows).toHaveLength(12);
    const hl7 = flows.find((flow) => flow.source === '10.20.1.15' && flow.port === 2575)!;
    expect(hl7).toMatchObject({ count: 6, tlsCount: 2, services: ['ssl'], bytes: 2 * 7304 });
  });

  it('evaluates stored flows and lists violations life-sustaining first', async () => {
    const { network } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    network.importFlows('conn.log', fixture('conn.log'), {
      actor: 'alice',
      importValidLines: false,
    });
    const evaluation = network.evaluate();
    expect(evaluation.counts).toEqual({ allowed: 5, monitored: 1, violation: 4, insecure: 2 });
    const findings = network.findings();
    expect(
      findings.map((finding) => [
        finding.flow.source,
        finding.flow.destination,
        finding.flow.port,
        finding.verdict.verdict,
        finding.verdict.reason,
        finding.verdict.risk,
      ]),
    ).toEqual([
      ['10.120.5.7', '10.10.1.20', 443, 'violation', 'conduit-deny', 'life_sustaining'],
      ['10.10.1.20', '10.10.1.21', 80, 'violation', 'isolated-zone', 'life_sustaining'],
      ['10.20.1.15', '10.100.0.20', 2575, 'insecure', 'cleartext', 'high'],
      ['10.30.1.5', '10.30.8.10', 104, 'violation', 'no-conduit', 'high'],
      ['10.20.2.99', '10.100.0.20', 2575, 'insecure', 'cleartext', 'high'],
      ['10.100.0.20', '10.20.1.15', 0, 'violation', 'no-conduit', 'high'],
    ]);
    expect(
      network.findings({ include: ['monitored'] }).map((finding) => finding.verdict.conduitId),
    ).toEqual(['vendor-medical-devices']);
    expect(network.findings({ limit: 2 })).toHaveLength(2);
  });

  it('answers what-if without storing anything, and applies the same draft as one version', async () => {
    const { network, db, uids } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    network.importFlows('conn.log', fixture('conn.log'), {
      actor: 'alice',
      importValidLines: false,
    });
    const draft = {
      moves: [{ deviceUid: uids.get('PUMP-2')!, zoneId: 'medical-devices' }],
      addConduits: [
        {
          id: 'pacs-dicom-legacy',
          from: 'imaging',
          to: 'pacs',
          protocol: 'tcp' as const,
          ports: [{ from: 104, to: 104 }],
          direction: 'one-way' as const,
          state: 'monitor' as const,
          purpose: 'legacy CT until its upgrade',
        },
      ],
    };
    const answer = network.whatIf(draft);
    expect(
      answer.changes.map((change) => [
        change.flow.port,
        change.before.verdict,
        change.after.verdict,
      ]),
    ).toEqual([
      [80, 'violation', 'violation'],
      [104, 'violation', 'insecure'],
    ]);
    expect(answer.changes[0]!.after.destinationZoneId).toBe('medical-devices');
    expect(network.current().version).toBe(1);
    expect(count(db, 'network_policy_versions')).toBe(1);
    const applied = network.applyDraft(draft, meta('legacy CT exception', { baseVersion: 1 }));
    expect(applied).toMatchObject({ version: 2, kind: 'draft', changeCount: 2 });
    expect(network.evaluate().counts).toEqual(answer.after);
  });

  it('gives the manager report: verdicts by zone and criticality, findings and changes since a version', async () => {
    const { network, uids, clock } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    network.importFlows('conn.log', fixture('conn.log'), {
      actor: 'alice',
      importValidLines: false,
    });
    clock.advance(3_600_000);
    network.assignDevice(uids.get('MON-1')!, 'medical-devices', meta('confirm'));
    const report = network.report(1);
    expect(report.policyVersion).toBe(2);
    expect(report.generatedAt).toBe('2026-01-02T10:00:00.000Z');
    expect(report.flows).toEqual({
      total: 12,
      connections: 14,
      byVerdict: { allowed: 5, monitored: 1, violation: 4, insecure: 2 },
    });
    expect(report.byZone[0]).toMatchObject({
      zoneId: 'life-sustaining',
      violations: 2,
      insecure: 0,
    });
    expect(report.byZone.at(-1)!.zoneId).toBe('external');
    expect(report.byCriticality).toEqual([
      { criticality: 'life_sustaining', violations: 2, insecure: 0 },
      { criticality: 'high', violations: 2, insecure: 2 },
      { criticality: 'medium', violations: 0, insecure: 0 },
      { criticality: 'low', violations: 0, insecure: 0 },
      { criticality: 'unassessed', violations: 0, insecure: 0 },
    ]);
    expect(report.topFindings[0]).toMatchObject({ source: '10.120.5.7', risk: 'life_sustaining' });
    expect(report.changesSince.versions).toEqual([
      expect.objectContaining({
        version: 2,
        actor: 'alice',
        reason: 'confirm',
        assignments: { created: 1, updated: 0, deleted: 0 },
        zones: { created: 0, updated: 0, deleted: 0 },
      }),
    ]);
    expect(report.unknownDevices.open).toBe(4);
    expect(report.devices.total).toBe(9);
  });

  it('exports what is current, names the version, and maps devices with unknown addresses', async () => {
    const { network } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    network.importFlows('conn.log', fixture('conn.log'), {
      actor: 'alice',
      importValidLines: false,
    });
    expect(network.exportNftables()).toContain(
      '# Wardkeep network policy version 1, generated 2026-01-02T09:00:00.000Z.',
    );
    expect(network.exportCiscoAcl()).toContain('ip access-list extended WARDKEEP-ZONES');
    expect(network.exportMatrixCsv().split('\r\n')[0]).toMatch(/^from \\ to,life-sustaining,/);
    const map = network.map();
    expect(map.nodes.filter((node) => node.kind === 'device')).toHaveLength(9);
    expect(map.nodes.filter((node) => node.kind === 'unknown').map((node) => node.address)).toEqual(
      expect.arrayContaining(['10.20.2.99', '172.20.3.4']),
    );
    expect(map.edges.length).toBeGreaterThan(0);
    expect(JSON.stringify(network.map())).toBe(JSON.stringify(map));
  });

  it('tracks the triage state of unknown addresses and reopens a resolved one seen again', async () => {
    const { network, db } = await openStore();
    network.importPolicyFile(templateText, meta('initial'));
    network.importFlows('conn.log', fixture('conn.log'), {
      actor: 'alice',
      importValidLines: false,
    });
    network.setUnknownDeviceState('FD57:6172:646B:120::15', 'ignored');
    network.setUnknownDeviceState('10.20.2.99', 'resolved');
    expect(thrown(() => network.setUnknownDeviceState('10.9.9.9', 'ignored')).code).toBe(
      'not_found',
    );
    network.importFlows('conn.json.log', fixture('conn.json.log'), {
      actor: 'alice',
      importValidLines: false,
    });
    const states = Object.fromEntries(
      network.unknownDevices().map((unknown) => [unknown.address, unknown.state]),
    );
    expect(states['fd57:6172:646b:120::15']).toBe('ignored');
    expect(states['10.20.2.99']).toBe('open');
    expect(count(db, 'network_unknown_devices')).toBe(4);
  });
});
