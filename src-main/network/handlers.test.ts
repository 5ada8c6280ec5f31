import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, RequestOf, Result, ResultOf } from '../../src-preload/contract';
import { contract } from '../../src-preload/contract';
import type { TestAccount, TestClock } from '../../test/support/accounts';
import { addAccount, dispatch, setUpConsole, signIn, stepUp } from '../../test/support/accounts';
import { useTempDirs } from '../../test/support/temp';
import { stepUpWindowMs } from '../access/sessions';
import type { AuditRecord } from '../audit/record';
import type { IpcRegistry } from '../ipc/registry';
import { createIpcRegistry } from '../ipc/registry';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import type { AppServices } from '../services';
import { createAppServices } from '../services';
import { zonesTemplatePath } from './template';

const tempDir = useTempDirs();
const testKdf = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };
const fixtures = join(__dirname, '../../test/fixtures/network');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const templateText = readFileSync(zonesTemplatePath(), 'utf8');

const devicesCsv = [
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
].join('\n');

interface Console {
  services: AppServices;
  registry: IpcRegistry;
  clock: TestClock;
  engineer: TestAccount;
  manager: TestAccount;
  technician: TestAccount;
  uids: Map<string, string>;
  call: <C extends Channel>(
    client: string,
    channel: C,
    request: RequestOf<C>,
  ) => Promise<ResultOf<C>>;
  attempt: <C extends Channel>(
    client: string,
    channel: C,
    request: RequestOf<C>,
  ) => Promise<Result<ResultOf<C>>>;
  /** Audit records whose action starts with `prefix`, oldest first. */
  audit: (prefix: string) => AuditRecord[];
}

const consoles: AppServices[] = [];
afterEach(() => {
  for (const services of consoles.splice(0)) services.close();
});

/**
 * A real encrypted store with an administrator, an engineer (erin), a manager (mary) and a
 * technician (tom), each signed in as the client of their name, and the inventory's devices.
 */
async function setUp(): Promise<Console> {
  const clock = frozenClock(Date.UTC(2026, 0, 5, 9));
  const services = createAppServices({
    dataDir: tempDir(),
    clock,
    ids: sequentialIds('n'),
    kdfCost: testKdf,
  });
  consoles.push(services);
  const registry = createIpcRegistry(services);
  const { admin } = await setUpConsole(registry, clock, 'admin');
  const engineer = await addAccount(registry, clock, admin, 'admin', 'erin', 'engineer', 'erin');
  const manager = await addAccount(registry, clock, admin, 'admin', 'mary', 'manager', 'mary');
  const technician = await addAccount(registry, clock, admin, 'admin', 'tom', 'technician', 'tom');
  const staged = await dispatch(registry, 'erin', 'imports:stage', {
    fileName: 'devices.csv',
    content: devicesCsv,
  });
  await dispatch(registry, 'erin', 'imports:commit', {
    stagingId: staged.stagingId,
    mapping: staged.suggestedMapping,
    skipInvalid: false,
  });
  const uids = new Map(
    services
      .db()
      .prepare<[], { assetTag: string; uid: string }>(
        'SELECT asset_tag AS assetTag, uid FROM devices',
      )
      .all()
      .map((row) => [row.assetTag, row.uid]),
  );
  return {
    services,
    registry,
    clock,
    engineer,
    manager,
    technician,
    uids,
    call: (client, channel, request) => dispatch(registry, client, channel, request),
    attempt: async (client, channel, request) =>
      (await registry.dispatch(client, channel, request)) as Result<ResultOf<typeof channel>>,
    audit: (prefix) =>
      services.audit().list({ action: prefix, descending: false, limit: 1000 }).records,
  };
}

function errorCode(result: Result<unknown>): string | null {
  return result.ok ? null : result.error.code;
}

describe('network channels', () => {
  it('lets a manager read the policy, map, findings and report but not change the policy or import flows', async () => {
    const wardkeep = await setUp();
    await wardkeep.call('erin', 'network:import-zones', {
      content: templateText,
      reason: 'initial segmentation',
    });
    await wardkeep.call('erin', 'flows:import', {
      fileName: 'conn.log',
      content: fixture('conn.log'),
      importValidLines: false,
    });

    const policy = await wardkeep.call('mary', 'network:policy', {});
    expect(policy.version).toBe(1);
    expect(policy.policy.zones.map((zone) => zone.id)).toContain('life-sustaining');
    const map = await wardkeep.call('mary', 'network:map', {});
    expect(map.nodes.filter((node) => node.kind === 'device')).toHaveLength(9);
    expect(map.zoneEdges.length).toBeGreaterThan(0);
    const findings = await wardkeep.call('mary', 'network:findings', {});
    expect(findings.counts).toEqual({ allowed: 5, monitored: 1, violation: 4, insecure: 2 });
    expect(findings.total).toBe(6);
    expect(findings.findings[0]!.verdict.risk).toBe('life_sustaining');
    const report = await wardkeep.call('mary', 'network:report', {});
    expect(report.flows.byVerdict).toEqual(findings.counts);
    expect(report.changesSince).toMatchObject({ fromVersion: 0, toVersion: 1 });

    for (const [channel, request] of [
      ['network:apply', { draft: {}, reason: 'try' }],
      ['network:import-zones', { content: templateText, reason: 'try' }],
      [
        'flows:import',
        { fileName: 'x.log', content: fixture('flows.csv'), importValidLines: true },
      ],
      ['network:unknown-state', { address: '172.20.3.4', state: 'ignored' }],
    ] as const) {
      const refused = await wardkeep.attempt('mary', channel, request);
      expect(errorCode(refused), channel).toBe('permission.denied');
    }
    expect((await wardkeep.call('mary', 'network:versions', {})).map((v) => v.version)).toEqual([
      1,
    ]);
  });

  it('answers every network channel with a value its result schema takes unchanged', async () => {
    const wardkeep = await setUp();
    const requests: { [C in Channel]?: RequestOf<C> } = {
      'network:import-zones': { content: templateText, reason: 'v1' },
      'flows:import': {
        fileName: 'conn.log',
        content: fixture('conn.log'),
        importValidLines: false,
      },
      'network:assign': {
        deviceUid: wardkeep.uids.get('MON-1')!,
        zoneId: 'clinical-it',
        reason: 'moved',
      },
      'network:apply': { draft: { removeConduits: ['guest-internet'] }, reason: 'tighten' },
      'network:revert': { version: 2, reason: 'undo' },
      'network:unknown-state': { address: '172.20.3.4', state: 'resolved' },
      'network:policy': {},
      'network:versions': {},
      'network:changes': { sinceVersion: 0 },
      'network:map': {},
      'network:findings': { include: ['violation', 'insecure', 'monitored'] },
      'network:what-if': {
        draft: { moves: [{ deviceUid: wardkeep.uids.get('PC-1')!, zoneId: 'lab' }] },
      },
      'network:unknown': {},
      'network:report': { sinceVersion: 0 },
      'network:report-html': {},
      'network:export': { format: 'zones' },
    };
    for (const [channel, request] of Object.entries(requests) as [Channel, unknown][]) {
      const value = await dispatch(wardkeep.registry, 'erin', channel, request as never);
      const parsed = contract[channel].result.safeParse(value);
      expect(parsed.success, `${channel}: ${parsed.error?.message ?? ''}`).toBe(true);
      expect(parsed.data, channel).toEqual(value);
      if (Array.isArray(value)) expect(value.length, channel).toBeGreaterThan(0);
    }
  });

  it('refuses a technician every network channel, reads included', async () => {
    const wardkeep = await setUp();
    for (const [channel, request] of [
      ['network:policy', {}],
      ['network:map', {}],
      ['network:findings', {}],
      ['network:export', { format: 'nftables' }],
      [
        'flows:import',
        { fileName: 'x.csv', content: fixture('flows.csv'), importValidLines: true },
      ],
      ['network:assign', { deviceUid: wardkeep.uids.get('MON-1')!, zoneId: null, reason: 'x' }],
    ] as const) {
      const refused = await wardkeep.attempt('tom', channel, request);
      expect(errorCode(refused), channel).toBe('permission.denied');
    }
    expect(wardkeep.audit('access.denied').map((record) => record.target)).toEqual([
      'network:policy',
      'network:map',
      'network:findings',
      'network:export',
      'flows:import',
      'network:assign',
    ]);
  });

  it('asks for a fresh step-up before a policy change, then records the version and its audit record together', async () => {
    const wardkeep = await setUp();
    wardkeep.clock.advance(stepUpWindowMs);
    const stale = await wardkeep.attempt('erin', 'network:import-zones', {
      content: templateText,
      reason: 'initial segmentation',
    });
    expect(errorCode(stale)).toBe('stepup.required');
    expect(await wardkeep.call('erin', 'network:versions', {})).toEqual([]);

    await stepUp(wardkeep.registry, wardkeep.clock, 'erin', wardkeep.engineer);
    const version = await wardkeep.call('erin', 'network:import-zones', {
      content: templateText,
      reason: '  initial segmentation ',
    });
    expect(version).toMatchObject({
      version: 1,
      actor: 'erin',
      reason: 'initial segmentation',
      kind: 'import',
      changeCount: 30,
    });
    const [record] = wardkeep.audit('policy.');
    expect(record).toMatchObject({
      actor: 'erin',
      role: 'engineer',
      action: 'policy.import',
      target: 'policy v1',
      outcome: 'success',
      reason: 'initial segmentation',
      details: { version: 1, kind: 'import', changeCount: 30, zones: 10, conduits: 20 },
    });
  });

  it('records apply, assign and revert as policy.change, policy.assign and policy.revert with their version numbers', async () => {
    const wardkeep = await setUp();
    const { call } = wardkeep;
    await call('erin', 'network:import-zones', { content: templateText, reason: 'initial' });
    const monitor = wardkeep.uids.get('MON-2')!;
    const assigned = await call('erin', 'network:assign', {
      deviceUid: monitor,
      zoneId: 'clinical-it',
      reason: 'central station moved',
      baseVersion: 1,
    });
    expect(assigned).toMatchObject({ version: 2, kind: 'edit', actor: 'erin', changeCount: 1 });
    const applied = await call('erin', 'network:apply', {
      draft: { moves: [{ deviceUid: monitor, zoneId: null }], removeConduits: ['guest-internet'] },
      reason: 'back by address; no guest internet',
      baseVersion: 2,
    });
    expect(applied).toMatchObject({ version: 3, kind: 'draft', changeCount: 2 });
    const reverted = await call('erin', 'network:revert', { version: 1, reason: 'undo' });
    expect(reverted).toMatchObject({ version: 4, kind: 'revert', revertedTo: 1 });
    expect((await call('erin', 'network:policy', {})).assignments).toEqual({});
    expect(
      (await call('mary', 'network:changes', { sinceVersion: 2 })).map((change) => [
        change.version,
        change.entity,
        change.key,
        change.operation,
      ]),
    ).toEqual([
      [3, 'conduit', 'guest-internet', 'delete'],
      [3, 'assignment', monitor, 'delete'],
      [4, 'conduit', 'guest-internet', 'create'],
    ]);

    const records = wardkeep.audit('policy.');
    expect(records.map((record) => [record.action, record.target, record.details])).toEqual([
      ['policy.import', 'policy v1', expect.objectContaining({ version: 1 })],
      [
        'policy.assign',
        monitor,
        { version: 2, kind: 'edit', changeCount: 1, zoneId: 'clinical-it' },
      ],
      [
        'policy.change',
        'policy v3',
        {
          version: 3,
          kind: 'draft',
          changeCount: 2,
          baseVersion: 2,
          moves: 1,
          zonesAdded: 0,
          zonesUpdated: 0,
          zonesRemoved: 0,
          conduitsAdded: 0,
          conduitsUpdated: 0,
          conduitsRemoved: 1,
        },
      ],
      ['policy.revert', 'policy v4', { version: 4, kind: 'revert', changeCount: 1, revertedTo: 1 }],
    ]);
    expect(records.every((record) => record.actor === 'erin')).toBe(true);
  });

  it('leaves neither a version nor an audit record when a change fails: a stale base version, an invalid draft, a lost audit record', async () => {
    const wardkeep = await setUp();
    await wardkeep.call('erin', 'network:import-zones', { content: templateText, reason: 'v1' });
    const stale = await wardkeep.attempt('erin', 'network:assign', {
      deviceUid: wardkeep.uids.get('MON-1')!,
      zoneId: 'lab',
      reason: 'move',
      baseVersion: 0,
    });
    expect(stale).toMatchObject({
      ok: false,
      error: {
        code: 'policy.conflict',
        message: 'the policy is at version 1; this change was prepared against version 0',
      },
    });
    const invalid = await wardkeep.attempt('erin', 'network:apply', {
      draft: { removeZones: ['no-such-zone'] },
      reason: 'tidy',
    });
    expect(errorCode(invalid)).toBe('network.invalid');

    // The audit table refuses the next record, as a full disk would: the change goes with it.
    wardkeep.services
      .db()
      .exec(
        "CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON audit_records BEGIN SELECT RAISE(ABORT, 'disk full'); END",
      );
    const unrecorded = await wardkeep.attempt('erin', 'network:assign', {
      deviceUid: wardkeep.uids.get('MON-1')!,
      zoneId: 'lab',
      reason: 'move',
    });
    expect(errorCode(unrecorded)).toBe('audit.write_failed');
    wardkeep.services.db().exec('DROP TRIGGER refuse_audit');

    expect((await wardkeep.call('erin', 'network:versions', {})).map((v) => v.version)).toEqual([
      1,
    ]);
    expect((await wardkeep.call('erin', 'network:policy', {})).assignments).toEqual({});
    expect(wardkeep.audit('policy.').map((record) => record.action)).toEqual(['policy.import']);
  });

  it('imports flows all-or-nothing: a malformed line writes nothing unless the valid lines are asked for', async () => {
    const wardkeep = await setUp();
    await wardkeep.call('erin', 'network:import-zones', { content: templateText, reason: 'v1' });
    const lines = fixture('flows.csv').split('\n');
    lines[3] = lines[3]!.replace('10.30.1.5', '10.30.1.500');
    lines[5] = lines[5]!.replace(',tcp,', ',sctp,');
    const content = lines.join('\n');

    const refused = await wardkeep.call('erin', 'flows:import', {
      fileName: 'capture.csv',
      content,
      importValidLines: false,
    });
    expect(refused).toMatchObject({ committed: false, format: 'csv', rejectedLines: 2 });
    expect(refused.issues.map((issue) => issue.line)).toEqual([4, 6]);
    expect((await wardkeep.call('erin', 'network:findings', {})).counts).toEqual({
      allowed: 0,
      monitored: 0,
      violation: 0,
      insecure: 0,
    });

    const partial = await wardkeep.call('erin', 'flows:import', {
      fileName: 'capture.csv',
      content,
      importValidLines: true,
      format: 'csv',
    });
    expect(partial).toMatchObject({ committed: true, rejectedLines: 2, recordLines: 14 });
    const evaluated = await wardkeep.call('erin', 'network:findings', {});
    expect(evaluated.counts.allowed + evaluated.counts.violation).toBeGreaterThan(0);

    const again = await wardkeep.attempt('erin', 'flows:import', {
      fileName: 'copy.csv',
      content,
      importValidLines: true,
    });
    expect(errorCode(again)).toBe('flows.invalid');

    expect(
      wardkeep
        .audit('flows.import')
        .map((record) => [record.outcome, record.target, record.reason, record.details]),
    ).toEqual([
      [
        'failure',
        'capture.csv',
        '2 invalid line(s): nothing imported',
        expect.objectContaining({ committed: false, rejectedLines: 2, flows: partial.flows }),
      ],
      [
        'success',
        'capture.csv',
        null,
        {
          format: 'csv',
          committed: true,
          importValidLines: true,
          recordLines: 14,
          rejectedLines: 2,
          connections: partial.connections,
          flows: partial.flows,
          unknownAddresses: partial.unknownAddresses,
        },
      ],
    ]);
  });

  it('answers what-if without storing anything and lists unknown addresses to triage, audited', async () => {
    const wardkeep = await setUp();
    await wardkeep.call('erin', 'network:import-zones', { content: templateText, reason: 'v1' });
    await wardkeep.call('erin', 'flows:import', {
      fileName: 'conn.log',
      content: fixture('conn.log'),
      importValidLines: false,
    });
    const jump = wardkeep.uids.get('JUMP-1')!;
    const whatIf = await wardkeep.call('mary', 'network:what-if', {
      draft: { moves: [{ deviceUid: jump, zoneId: 'clinical-it' }] },
    });
    expect(whatIf.changes.length).toBeGreaterThan(0);
    expect(
      whatIf.changes.every(
        (change) => change.flow.source === '10.250.0.5' || change.flow.destination === '10.250.0.5',
      ),
    ).toBe(true);
    expect(whatIf.before).toEqual({ allowed: 5, monitored: 1, violation: 4, insecure: 2 });
    expect((await wardkeep.call('mary', 'network:policy', {})).version).toBe(1);

    const unknown = await wardkeep.call('mary', 'network:unknown', {});
    expect(unknown.map((entry) => [entry.address, entry.state])).toContainEqual([
      '172.20.3.4',
      'open',
    ]);
    await wardkeep.call('erin', 'network:unknown-state', {
      address: '172.20.3.4',
      state: 'ignored',
    });
    expect(
      (await wardkeep.call('mary', 'network:unknown', {})).find(
        (entry) => entry.address === '172.20.3.4',
      )?.state,
    ).toBe('ignored');
    const missing = await wardkeep.attempt('erin', 'network:unknown-state', {
      address: '10.99.99.99',
      state: 'resolved',
    });
    expect(errorCode(missing)).toBe('not_found');
    expect(
      wardkeep
        .audit('network.triage')
        .map((record) => [record.actor, record.target, record.details]),
    ).toEqual([['erin', '172.20.3.4', { state: 'ignored' }]]);
  });

  it('exports the policy in every format, each audited with its version, and the zones file imports back unchanged', async () => {
    const wardkeep = await setUp();
    await wardkeep.call('erin', 'network:import-zones', { content: templateText, reason: 'v1' });
    const nftables = await wardkeep.call('mary', 'network:export', { format: 'nftables' });
    expect(nftables).toMatchObject({
      fileName: 'wardkeep-policy-v1-2026-01-05.nft',
      mimeType: 'text/plain',
    });
    expect(nftables.content).toContain('table inet wardkeep {');
    const acl = await wardkeep.call('mary', 'network:export', { format: 'cisco-acl' });
    expect(acl.content).toContain('ip access-list extended WARDKEEP-ZONES');
    const matrix = await wardkeep.call('mary', 'network:export', { format: 'matrix-csv' });
    expect(matrix.mimeType).toBe('text/csv');
    expect(matrix.content.split('\n')[0]).toContain('life-sustaining');
    const zones = await wardkeep.call('erin', 'network:export', { format: 'zones' });
    expect(zones.fileName).toBe('wardkeep-zones-v1-2026-01-05.json');
    const again = await wardkeep.call('erin', 'network:import-zones', {
      content: zones.content,
      reason: 'round trip',
    });
    expect(again).toMatchObject({ version: 2, changeCount: 0 });
    expect(
      wardkeep
        .audit('network.export')
        .map((record) => [record.actor, record.details.format, record.details.policyVersion]),
    ).toEqual([
      ['mary', 'nftables', 1],
      ['mary', 'cisco-acl', 1],
      ['mary', 'matrix-csv', 1],
      ['erin', 'zones', 1],
    ]);
  });

  it('writes the HTML report, audited, and starts the next report at the version of the previous one', async () => {
    const wardkeep = await setUp();
    await wardkeep.call('erin', 'network:import-zones', { content: templateText, reason: 'v1' });
    await wardkeep.call('erin', 'flows:import', {
      fileName: 'conn.log',
      content: fixture('conn.log'),
      importValidLines: false,
    });
    const first = await wardkeep.call('mary', 'network:report-html', {});
    expect(first).toMatchObject({
      fileName: 'wardkeep-network-report-v1-2026-01-05.html',
      mimeType: 'text/html',
    });
    expect(first.content).toMatch(/^<!DOCTYPE html>/);
    expect(first.content).toContain('Policy changes since version 0');

    await wardkeep.call('erin', 'network:assign', {
      deviceUid: wardkeep.uids.get('MON-1')!,
      zoneId: 'clinical-it',
      reason: 'moved to the nurses station',
    });
    const data = await wardkeep.call('mary', 'network:report', {});
    expect(data.changesSince).toMatchObject({ fromVersion: 1, toVersion: 2 });
    expect(data.changesSince.versions.map((version) => version.reason)).toEqual([
      'moved to the nurses station',
    ]);
    const second = await wardkeep.call('mary', 'network:report-html', {});
    expect(second.content).toContain('Policy changes since version 1');
    expect(second.content).toContain('moved to the nurses station');
    const chosen = await wardkeep.call('mary', 'network:report-html', { sinceVersion: 0 });
    expect(chosen.content).toContain('Policy changes since version 0');
    const beyond = await wardkeep.attempt('mary', 'network:report', { sinceVersion: 7 });
    expect(errorCode(beyond)).toBe('not_found');

    expect(
      wardkeep
        .audit('network.report')
        .map((record) => [record.actor, record.details.policyVersion, record.details.sinceVersion]),
    ).toEqual([
      ['mary', 1, 0],
      ['mary', 2, 1],
      ['mary', 2, 0],
    ]);
  });

  it('names the signed-in user as the author of a change and refuses an actor in the request', async () => {
    const wardkeep = await setUp();
    await signIn(wardkeep.registry, wardkeep.clock, 'erin-laptop', wardkeep.engineer);
    const forged = await wardkeep.registry.dispatch('erin-laptop', 'network:apply', {
      draft: {},
      reason: 'empty change',
      actor: 'mallory',
    });
    expect(errorCode(forged)).toBe('ipc.payload');
    const version = await wardkeep.call('erin-laptop', 'network:apply', {
      draft: {},
      reason: 'empty change',
    });
    expect(version).toMatchObject({ version: 1, actor: 'erin', changeCount: 0 });
    expect(wardkeep.audit('policy.change')).toMatchObject([{ actor: 'erin', role: 'engineer' }]);
  });
});
