// The network map in the real UI against the real network service and encrypted store: the
// default zones, 179 devices (one zone large enough to start as a cluster) and observed flows are
// seeded through the same channels the app uses; then an engineer reads the map and its legend,
// opens the cluster with a double-click, selects the edge between zones, a device and a flow,
// tries a what-if (a conduit denied, a device moved), applies it after a step-up, and follows the
// violations list, life-sustaining first, to the map. Then the tools beside the map: a Zeek
// conn.log with a bad line is refused with its report and its valid lines imported, the nftables
// ruleset and the manager's HTML report are downloaded, a revert to version 1 first meets someone
// else's change (policy.conflict) and then succeeds under a step-up, an unknown address is
// triaged, and a manager sees the same tools without the actions that change anything. A
// screenshot is kept of each state.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frozenClock } from '../../src-main/lib/clock';
import { zonesTemplatePath } from '../../src-main/network/template';
import { criticalityRank } from '../../src-preload/network/model';
import { addAccount, dispatch, nextCode, setUpConsole, stepUp } from '../support/accounts';
import type { TestAccount } from '../support/accounts';
import { projectRoot, signInThroughPage, startWardkeep } from '../support/browser';
import type { WardkeepSession } from '../support/browser';

const clock = frozenClock(Date.UTC(2026, 10, 23, 9));
const seedClient = 'network-seed';
const minute = 60_000;
let wardkeep: WardkeepSession;
let engineer: TestAccount;
let manager: TestAccount;
/** Asset tag → device uid, read from the store after the import. */
let uids = new Map<string, string>();

interface Point {
  x: number;
  y: number;
}

/** The map's read-only probe (NetworkCanvas.tsx), typed loosely: no DOM library here. */
interface ProbeScope {
  __wardkeepMap?: {
    drawn: () => number;
    nodeIds: () => string[];
    edgeIds: () => string[];
    edgeVerdict: (edgeId: string) => string | null;
    positions: () => Record<string, Point>;
    pagePosition: (nodeId: string) => Point | null;
    edgePagePosition: (edgeId: string) => Point | null;
  };
}

const monitors = 170;
const devicesCsv = [
  'asset_tag,manufacturer,model,serial_number,device_class,criticality,ip_address,lifecycle_state',
  ...[20, 21, 22, 23].map(
    (host, index) =>
      `PUMP-00${index + 1},Acme Infusion,I1,SP${index + 1},infusion_pump,life_sustaining,10.10.1.${host},in_service`,
  ),
  ...Array.from(
    { length: monitors },
    (_, index) =>
      `MON-${String(index + 1).padStart(3, '0')},Acme Monitoring,M1,SM${index + 1},patient_monitor,high,10.20.1.${index + 1},in_service`,
  ),
  'ENG-1,Acme,Interface engine,SE1,workstation,high,10.100.0.20,in_service',
  'CT-1,Acme,Scanner,SC1,imaging,high,10.30.1.5,in_service',
  'PACS-1,Acme,Archive,SA1,workstation,high,10.30.8.10,in_service',
  'JUMP-1,Acme,Jump host,SJ1,workstation,medium,10.250.0.5,in_service',
  'PC-1,Acme,Desktop,SW1,workstation,low,10.120.5.7,in_service',
].join('\n');

function flowLine(
  source: string,
  destination: string,
  port: number,
  service = '',
  protocol = 'tcp',
): string {
  return `${source},${destination},${protocol},${port},1500,2026-11-22T08:00:00.000Z,2026-11-22T09:00:00.000Z,${service}`;
}

const flowsCsv = [
  'src,dst,proto,port,bytes,first_seen,last_seen,service',
  // Pump events to the interface engine in the clear: insecure, at life-sustaining risk.
  flowLine('10.10.1.20', '10.100.0.20', 2575),
  // A desktop reaching a pump: corporate IT may never reach life-sustaining devices.
  flowLine('10.120.5.7', '10.10.1.20', 443, 'ssl'),
  // Two pumps talking to each other inside their isolated zone.
  flowLine('10.10.1.20', '10.10.1.21', 80, 'http'),
  // A desktop reaching a monitor: no conduit.
  flowLine('10.120.5.7', '10.20.1.3', 3389),
  flowLine('10.30.1.5', '10.30.8.10', 2762, 'ssl'),
  flowLine('10.250.0.5', '10.20.1.2', 22, 'ssh'),
  // The monitors' HL7 to the interface engine, over TLS but for the first one.
  flowLine('10.20.1.1', '10.100.0.20', 2575),
  ...Array.from({ length: monitors - 1 }, (_, index) =>
    flowLine(`10.20.1.${index + 2}`, '10.100.0.20', 2575, 'ssl'),
  ),
  // An address no inventory device has, reaching a monitor.
  flowLine('10.99.0.50', '10.20.1.4', 443, 'ssl'),
].join('\n');

function page() {
  return wardkeep.page;
}

function nodeOf(tag: string): string {
  const uid = uids.get(tag);
  if (uid === undefined) throw new Error(`no device ${tag}`);
  return `device:${uid}`;
}

async function drawnNodeIds(): Promise<string[]> {
  return page().evaluate(() => (globalThis as unknown as ProbeScope).__wardkeepMap!.nodeIds());
}

async function drawnEdgeIds(): Promise<string[]> {
  return page().evaluate(() => (globalThis as unknown as ProbeScope).__wardkeepMap!.edgeIds());
}

async function drawnPositions(): Promise<Record<string, Point>> {
  return page().evaluate(() => (globalThis as unknown as ProbeScope).__wardkeepMap!.positions());
}

async function edgeVerdict(edgeId: string): Promise<string | null> {
  return page().evaluate(
    (id) => (globalThis as unknown as ProbeScope).__wardkeepMap!.edgeVerdict(id),
    edgeId,
  );
}

async function edgeMiddle(edgeId: string): Promise<Point> {
  const point = await page().evaluate(
    (id) => (globalThis as unknown as ProbeScope).__wardkeepMap!.edgePagePosition(id),
    edgeId,
  );
  if (point === null) throw new Error(`${edgeId} is not drawn`);
  return point;
}

async function drawnCount(): Promise<number> {
  return Number((await page().getByTestId('network-canvas').getAttribute('data-drawn')) ?? '0');
}

/** Waits until the map has finished a drawing after `before` drawings. */
async function drawnAfter(before: number): Promise<void> {
  await page().locator(`[data-testid="network-canvas"]:not([data-drawn="${before}"])`).waitFor();
}

async function pagePosition(nodeId: string): Promise<Point> {
  const point = await page().evaluate(
    (id) => (globalThis as unknown as ProbeScope).__wardkeepMap!.pagePosition(id),
    nodeId,
  );
  if (point === null) throw new Error(`${nodeId} is not drawn`);
  return point;
}

beforeAll(async () => {
  wardkeep = await startWardkeep({ services: { clock } });
  const { admin } = await setUpConsole(wardkeep.registry, clock, 'network-admin');
  engineer = await addAccount(
    wardkeep.registry,
    clock,
    admin,
    'network-admin',
    'net.eng',
    'engineer',
    seedClient,
  );
  // Made now: the administrator's session would have expired by the time the manager is needed.
  manager = await addAccount(
    wardkeep.registry,
    clock,
    admin,
    'network-admin',
    'net.mgr',
    'manager',
  );
  const staged = await dispatch(wardkeep.registry, seedClient, 'imports:stage', {
    fileName: 'devices.csv',
    content: devicesCsv,
  });
  await dispatch(wardkeep.registry, seedClient, 'imports:commit', {
    stagingId: staged.stagingId,
    mapping: staged.suggestedMapping,
    skipInvalid: false,
  });
  uids = new Map(
    wardkeep.services
      .db()
      .prepare<[], { assetTag: string; uid: string }>(
        'SELECT asset_tag AS assetTag, uid FROM devices',
      )
      .all()
      .map((row) => [row.assetTag, row.uid]),
  );
  await wardkeep.call(seedClient, 'network:import-zones', {
    content: readFileSync(zonesTemplatePath(), 'utf8'),
    reason: 'default zones',
  });
  const report = await wardkeep.call(seedClient, 'flows:import', {
    fileName: 'flows.csv',
    content: flowsCsv,
    importValidLines: false,
  });
  expect(report.committed).toBe(true);

  await wardkeep.open();
  await signInThroughPage(page(), engineer.username, engineer.password, () =>
    nextCode(clock, engineer.secret),
  );
});

afterAll(async () => {
  await wardkeep?.close();
});

describe('the network map', () => {
  it('draws the zones, the devices at the layout’s positions, a collapsed large zone and the legend', async () => {
    await page().getByRole('button', { name: 'Network', exact: true }).click();
    await page().locator('[data-testid="network-canvas"]:not([data-drawn="0"])').waitFor();
    expect(await page().locator('[data-testid="network-canvas"] canvas').count()).toBe(1);

    const legend = page().getByTestId('map-legend');
    for (const word of ['Allowed', 'Monitored', 'Violation', 'Insecure', 'Life-sustaining']) {
      expect(await legend.textContent()).toContain(word);
    }
    const drawn = await drawnNodeIds();
    // 170 monitors are more than the cluster threshold: one disc stands for them.
    expect(drawn).toContain('zone:medical-devices');
    expect(drawn).not.toContain(nodeOf('MON-001'));
    expect(drawn).toContain(nodeOf('PUMP-001'));
    expect(drawn).toContain('unknown:10.99.0.50');

    // Every device sits exactly where main's deterministic layout put it.
    const layout = await wardkeep.call(seedClient, 'network:map', { clusterThreshold: 150 });
    const positions = await drawnPositions();
    for (const node of layout.nodes.filter((item) => item.zoneId !== 'medical-devices')) {
      expect(positions[node.id]).toEqual({ x: Math.round(node.x), y: Math.round(node.y) });
    }
    const zone = layout.zones.find((item) => item.id === 'medical-devices')!;
    expect(positions['zone:medical-devices']).toEqual({
      x: Math.round(zone.clusterX),
      y: Math.round(zone.clusterY),
    });
    expect(await page().getByTestId('map-count').textContent()).toContain('1 zone collapsed');
    await wardkeep.screenshot('60-network-map');
  });

  it('shows the conduit and the flows across the edge between a collapsed zone and a device', async () => {
    const edges = await drawnEdgeIds();
    const bundle = edges.find(
      (id) => id.includes('zone:medical-devices') && id.includes(nodeOf('ENG-1')),
    );
    expect(bundle).toBeDefined();
    const middle = await edgeMiddle(bundle!);
    await page().mouse.click(middle.x, middle.y);
    const panel = page().getByTestId('pair-panel');
    await panel.waitFor();
    expect(await panel.getByRole('heading', { level: 2 }).textContent()).toBe(
      'Medical devices → Clinical IT',
    );
    expect(await panel.locator('[data-conduit-id="medical-devices-hl7"]').textContent()).toContain(
      'Allow',
    );
    expect(await panel.locator('[data-stat="allowed"] dd').textContent()).toBe(
      String(monitors - 1),
    );
    expect(await panel.locator('[data-stat="insecure"] dd').textContent()).toBe('1');
    await wardkeep.screenshot('61-network-zone-pair');
  });

  it('opens the collapsed zone with a double-click, device by device where the layout put them', async () => {
    const before = await drawnCount();
    const disc = await pagePosition('zone:medical-devices');
    await page().mouse.dblclick(disc.x, disc.y);
    await drawnAfter(before);
    const drawn = await drawnNodeIds();
    expect(drawn).not.toContain('zone:medical-devices');
    expect(drawn.filter((id) => id.startsWith('device:'))).toHaveLength(monitors + 9);
    const layout = await wardkeep.call(seedClient, 'network:map', { clusterThreshold: 150 });
    const monitor = layout.nodes.find((node) => node.id === nodeOf('MON-001'))!;
    const positions = await drawnPositions();
    expect(positions[monitor.id]).toEqual({ x: Math.round(monitor.x), y: Math.round(monitor.y) });
    expect(await page().getByTestId('map-count').textContent()).not.toContain('collapsed');
    await wardkeep.screenshot('62-network-cluster-opened');
  });

  it('shows a selected device’s record, neighbours and flows with their verdicts', async () => {
    const pump = await pagePosition(nodeOf('PUMP-001'));
    await page().mouse.click(pump.x, pump.y);
    const panel = page().getByTestId('device-panel');
    await panel.waitFor();
    expect(await panel.getByRole('heading', { level: 2 }).textContent()).toBe('PUMP-001');
    const flows = panel.getByTestId('device-flows').locator('tbody tr');
    expect(await flows.count()).toBe(3);
    // Worst first: the two violations, then the cleartext HL7.
    expect(
      await flows
        .locator('[data-verdict]')
        .evaluateAll((badges) =>
          badges.map(
            (badge) => (badge as unknown as { dataset: { verdict: string } }).dataset.verdict,
          ),
        ),
    ).toEqual(['violation', 'violation', 'insecure']);
    expect(await panel.getByTestId('device-neighbours').textContent()).toContain('ENG-1');
    const record = panel.getByTestId('device-record');
    await record.getByText('Acme Infusion I1').waitFor();
    expect(await record.textContent()).toContain('10.10.1.20');
    await wardkeep.screenshot('63-network-device');
  });
});

describe('the filters', () => {
  it('draws only the flows of a verdict and the devices at their ends, then everything again', async () => {
    const before = await drawnCount();
    await page().getByRole('button', { name: 'Violation', exact: true }).click();
    await drawnAfter(before);
    const edges = await drawnEdgeIds();
    expect(edges.length).toBe(4);
    for (const edge of edges) expect(await edgeVerdict(edge)).toBe('violation');
    const nodes = await drawnNodeIds();
    expect(nodes).toEqual(
      expect.arrayContaining([nodeOf('PUMP-001'), nodeOf('PC-1'), nodeOf('MON-003')]),
    );
    expect(nodes).not.toContain(nodeOf('ENG-1'));
    await wardkeep.screenshot('67-network-filter-violations');

    const filters = page().getByRole('search', { name: 'Filter the map' });
    await filters.getByLabel('Zone').selectOption('clinical-it');
    await filters.getByRole('button', { name: 'Violation', exact: true }).click();
    const drawnDevices = async () =>
      (await drawnNodeIds()).filter((id) => id.startsWith('device:')).length;
    // Clinical IT's device and whoever it talks to: the pump and the 170 monitors.
    await expect.poll(drawnDevices).toBe(monitors + 2);
    expect(await drawnNodeIds()).toContain(nodeOf('ENG-1'));

    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(drawnDevices).toBe(monitors + 9);
  });
});

describe('what-if', () => {
  let pumpToEngine = 0;
  let desktopToPump = 0;

  it('shows which flows change verdict with a conduit denied and a device moved, before anything is applied', async () => {
    const layout = await wardkeep.call(seedClient, 'network:map', {});
    const flowBetween = (from: string, to: string) =>
      layout.edges.find((edge) => edge.from === nodeOf(from) && edge.to === nodeOf(to))!.flowId;
    pumpToEngine = flowBetween('PUMP-001', 'ENG-1');
    desktopToPump = flowBetween('PC-1', 'PUMP-001');

    // The pump's line to the interface engine: the zone pair life-sustaining → clinical IT.
    expect(await edgeVerdict(`flow:${pumpToEngine}`)).toBe('insecure');
    const middle = await edgeMiddle(`flow:${pumpToEngine}`);
    await page().mouse.click(middle.x, middle.y);
    const pair = page().getByTestId('pair-panel');
    await pair.getByRole('heading', { name: 'Life-sustaining devices → Clinical IT' }).waitFor();
    await pair.getByRole('button', { name: 'Edit conduit life-sustaining-hl7' }).click();
    const form = pair.getByTestId('conduit-form');
    await form.getByLabel('State').selectOption('deny');
    await form.getByRole('button', { name: 'Add to draft' }).click();
    expect(await pair.locator('[data-conduit-id="life-sustaining-hl7"]').textContent()).toContain(
      'in draft',
    );

    // The desktop moves to clinical IT, whose pump server may reach the pumps (monitored).
    const desktop = await pagePosition(nodeOf('PC-1'));
    await page().mouse.click(desktop.x, desktop.y);
    const device = page().getByTestId('device-panel');
    await device.getByRole('heading', { name: 'PC-1' }).waitFor();
    await device.getByTestId('move-device').getByLabel('Zone').selectOption('clinical-it');
    await device.getByRole('button', { name: 'Add to draft' }).click();
    await device.getByTestId('move-drafted').waitFor();

    const draft = page().getByTestId('draft-panel');
    expect(await draft.getByTestId('draft-items').locator('li').count()).toBe(2);
    expect(await draft.getByRole('button', { name: 'Apply…' }).isDisabled()).toBe(true);
    const before = await drawnCount();
    await draft.getByRole('button', { name: 'Check what changes' }).click();
    const changes = draft.getByTestId('whatif-changes');
    await changes.waitFor();
    const change = (flowId: number) => changes.locator(`tr[data-flow-id="${flowId}"]`);
    expect(
      await change(pumpToEngine)
        .locator('[data-before] [data-verdict]')
        .getAttribute('data-verdict'),
    ).toBe('insecure');
    expect(
      await change(pumpToEngine)
        .locator('[data-after] [data-verdict]')
        .getAttribute('data-verdict'),
    ).toBe('violation');
    expect(
      await change(desktopToPump)
        .locator('[data-before] [data-verdict]')
        .getAttribute('data-verdict'),
    ).toBe('violation');
    expect(
      await change(desktopToPump)
        .locator('[data-after] [data-verdict]')
        .getAttribute('data-verdict'),
    ).toBe('monitored');
    // The map redraws with the draft's verdicts; main still holds the first policy version.
    await drawnAfter(before);
    expect(await edgeVerdict(`flow:${pumpToEngine}`)).toBe('violation');
    expect(await edgeVerdict(`flow:${desktopToPump}`)).toBe('monitored');
    expect((await wardkeep.call(seedClient, 'network:policy', {})).version).toBe(1);
    await wardkeep.screenshot('64-network-what-if');
  });

  it('applies the draft as one recorded policy version after the step-up', async () => {
    clock.advance(6 * minute);
    const draft = page().getByTestId('draft-panel');
    await draft.getByRole('button', { name: 'Apply…' }).click();
    const dialog = page().getByTestId('apply-dialog');
    await dialog.getByLabel('Why').fill('Pump HL7 must use TLS; desktop is the pump server');
    await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
    const stepUp = page().getByTestId('stepup-dialog');
    await stepUp.waitFor();
    await stepUp.getByLabel('Password').fill(engineer.password);
    await stepUp.getByLabel('Authenticator code').fill(nextCode(clock, engineer.secret));
    await stepUp.getByRole('button', { name: 'Confirm' }).click();
    const applied = page().getByTestId('draft-applied');
    await applied.waitFor();
    expect(await applied.textContent()).toContain('Policy version 2 recorded');

    const versions = await wardkeep.call(seedClient, 'network:versions', {});
    const latest = versions.at(-1)!;
    expect(latest).toMatchObject({
      version: 2,
      actor: 'net.eng',
      kind: 'draft',
      reason: 'Pump HL7 must use TLS; desktop is the pump server',
    });
    const policy = await wardkeep.call(seedClient, 'network:policy', {});
    expect(policy.policy.conduits.find((item) => item.id === 'life-sustaining-hl7')?.state).toBe(
      'deny',
    );
    expect(policy.assignments[uids.get('PC-1')!]).toBe('clinical-it');
    const audit = wardkeep.services
      .audit()
      .list({ action: 'policy.change', descending: true, limit: 1 }).records;
    expect(audit[0]).toMatchObject({ outcome: 'success', target: 'policy v2' });
    await wardkeep.screenshot('65-network-applied');
  });
});

describe('the violations list', () => {
  it('lists findings by clinical risk, life-sustaining first, and shows the device on the map', async () => {
    const list = page().getByTestId('violations');
    const rows = list.locator('tbody tr');
    await rows.first().waitFor();
    const risks = (await rows.evaluateAll((elements) =>
      elements.map((row) => (row as unknown as { dataset: { risk: string } }).dataset.risk),
    )) as Array<keyof typeof criticalityRank>;
    expect(risks[0]).toBe('life_sustaining');
    const ranks = risks.map((risk) => criticalityRank[risk]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

    await page().getByRole('button', { name: 'Collapse large zones' }).click();
    const before = await drawnCount();
    // A monitor's finding: its zone opens again and the map centres on it.
    const monitorRow = list.locator('tbody tr', { hasText: 'MON-003' }).first();
    await monitorRow.click();
    const panel = page().getByTestId('device-panel');
    await panel.getByRole('heading', { name: 'MON-003' }).waitFor();
    await drawnAfter(before);
    const drawn = await drawnNodeIds();
    expect(drawn).toContain(nodeOf('MON-003'));
    const canvas = await page().getByTestId('network-canvas').boundingBox();
    const monitor = await pagePosition(nodeOf('MON-003'));
    expect(Math.abs(monitor.x - (canvas!.x + canvas!.width / 2))).toBeLessThan(2);
    expect(Math.abs(monitor.y - (canvas!.y + canvas!.height / 2))).toBeLessThan(2);
    expect(await monitorRow.getAttribute('class')).toContain('row--selected');
    await wardkeep.screenshot('66-network-violations');
  });
});

/** The fixture's Zeek header (#separator … #types), then one record per line. */
function connLog(records: readonly string[]): string {
  const header = readFileSync(join(projectRoot, 'test/fixtures/network/conn.log'), 'utf8')
    .split('\n')
    .slice(0, 8);
  return [...header, ...records].join('\n') + '\n';
}

function connRecord(startMs: number, source: string, destination: string, port: number): string {
  const seconds = (startMs / 1000).toFixed(6);
  return [
    seconds,
    `C${startMs}`,
    source,
    '50000',
    destination,
    String(port),
    'tcp',
    'ssl',
    '1.000000',
    '100',
    '200',
    'SF',
    '-',
    '-',
    '0',
    'ShADadFf',
    '5',
    '400',
    '4',
    '300',
    '-',
  ].join('\t');
}

const seenAtMs = Date.UTC(2026, 10, 23, 8);
const newUnknown = '10.99.0.77';

describe('importing observed flows', () => {
  it('refuses a conn.log with a bad line, shows the line, then imports the valid lines', async () => {
    const before = await wardkeep.call(seedClient, 'network:map', {});
    await page().getByRole('button', { name: 'Import flows…', exact: true }).click();
    const dialog = page().getByTestId('flow-import-dialog');
    await dialog.getByLabel('Flow file').setInputFiles({
      name: 'conn.log',
      mimeType: 'text/plain',
      buffer: Buffer.from(
        connLog([
          connRecord(seenAtMs, newUnknown, '10.20.1.5', 443),
          connRecord(seenAtMs + 1000, '10.120.5.7', '10.20.1.999', 443),
          connRecord(seenAtMs + 2000, '10.120.5.7', '10.100.0.20', 443),
        ]),
      ),
    });
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const report = dialog.getByTestId('flow-import-report');
    await report.waitFor();
    expect(await report.getAttribute('data-outcome')).toBe('invalid-lines');
    expect(await dialog.getByTestId('flow-import-refused').textContent()).toContain(
      '1 line is invalid in conn.log, read as Zeek conn.log (TSV).',
    );
    const issue = dialog.getByTestId('flow-import-issues').locator('tbody tr');
    expect(await issue.count()).toBe(1);
    expect(await issue.getAttribute('data-line')).toBe('10');
    expect(await issue.locator('td').allTextContents()).toEqual([
      '10',
      'id.resp_h',
      'id.resp_h "10.20.1.999" is not an IP address',
    ]);
    const counts = dialog.getByTestId('flow-import-counts');
    expect(await counts.locator('[data-stat="record-lines"] dd').textContent()).toBe('3');
    expect(await counts.locator('[data-stat="rejected-lines"] dd').textContent()).toBe('1');
    // All or nothing: the refusal wrote no flow.
    expect((await wardkeep.call(seedClient, 'network:map', {})).edges).toHaveLength(
      before.edges.length,
    );
    await wardkeep.screenshot('68-network-flow-import-invalid');

    await dialog.getByRole('button', { name: 'Import the 2 valid lines' }).click();
    const done = dialog.getByTestId('flow-import-done');
    await done.waitFor();
    expect(await report.getAttribute('data-outcome')).toBe('imported');
    expect(await done.textContent()).toContain('1 invalid line was left out');
    expect(await counts.locator('[data-stat="connections"] dd').textContent()).toBe('2');
    expect(await counts.locator('[data-stat="flows"] dd').textContent()).toBe('2');
    expect(await counts.locator('[data-stat="unknown-addresses"] dd').textContent()).toBe('1');

    const after = await wardkeep.call(seedClient, 'network:map', {});
    expect(after.edges).toHaveLength(before.edges.length + 2);
    expect(after.nodes.map((node) => node.id)).toContain(`unknown:${newUnknown}`);
    const imports = wardkeep.services
      .audit()
      .list({ action: 'flows.import', descending: true, limit: 2 }).records;
    expect(imports.map((record) => [record.outcome, record.details.importValidLines])).toEqual([
      ['success', true],
      ['failure', false],
    ]);
    // The map and the toolbar reload with the new address.
    await expect
      .poll(() => page().getByTestId('map-count').textContent())
      .toContain('2 unknown addresses');
    expect(await page().getByTestId('unknown-open-count').textContent()).toBe('2');
    await wardkeep.screenshot('69-network-flow-import-done');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  });
});

describe('exports', () => {
  it('downloads the nftables ruleset and the manager’s HTML report of the policy in force', async () => {
    await page().getByRole('button', { name: 'Exports', exact: true }).click();
    const panel = page().getByTestId('exports-panel');
    await panel.waitFor();

    const [ruleset] = await Promise.all([
      page().waitForEvent('download'),
      panel.getByRole('button', { name: 'Download nftables ruleset' }).click(),
    ]);
    expect(ruleset.suggestedFilename()).toMatch(/^wardkeep-policy-v2-\d{4}-\d{2}-\d{2}\.nft$/);
    const rules = (await readFile(await ruleset.path(), 'utf8')).split('\n');
    expect(rules[0]).toBe('#!/usr/sbin/nft -f');
    expect(rules[1]).toMatch(/^# Wardkeep network policy version 2, generated /);
    expect(rules).toContain('    type filter hook forward priority filter; policy drop;');
    await panel.locator('[data-export="nftables"] [data-testid="export-saved"]').waitFor();

    const [report] = await Promise.all([
      page().waitForEvent('download'),
      panel.getByRole('button', { name: 'Download Manager report (HTML)' }).click(),
    ]);
    expect(report.suggestedFilename()).toMatch(
      /^wardkeep-network-report-v2-\d{4}-\d{2}-\d{2}\.html$/,
    );
    const html = await readFile(await report.path(), 'utf8');
    expect(html.split('\n').slice(0, 2)).toEqual([
      '<!DOCTYPE html>',
      '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
    ]);
    expect(html).toContain('Policy version 2, generated');
    expect(html).toContain(newUnknown);
    await panel.locator('[data-export="report-html"] [data-testid="export-saved"]').waitFor();
    const exported = wardkeep.services
      .audit()
      .list({ action: 'network.export', descending: true, limit: 1 }).records;
    expect(exported[0]).toMatchObject({ outcome: 'success', target: 'policy v2' });
    expect(exported[0]!.details.format).toBe('nftables');
    await wardkeep.screenshot('70-network-exports');
  });
});

describe('policy versions', () => {
  it('refuses a revert that someone else’s change overtook, then reverts to version 1 under a step-up', async () => {
    // The step-up of the apply has expired: the revert asks for it again.
    clock.advance(6 * minute);
    const layout = await wardkeep.call(seedClient, 'network:map', {});
    const flowBetween = (from: string, to: string) =>
      layout.edges.find((edge) => edge.from === nodeOf(from) && edge.to === nodeOf(to))!.flowId;
    const pumpToEngine = flowBetween('PUMP-001', 'ENG-1');
    const desktopToPump = flowBetween('PC-1', 'PUMP-001');
    expect(await edgeVerdict(`flow:${pumpToEngine}`)).toBe('violation');
    expect(await edgeVerdict(`flow:${desktopToPump}`)).toBe('monitored');

    await page().getByRole('button', { name: 'Versions', exact: true }).click();
    const panel = page().getByTestId('versions-panel');
    const versions = panel.getByTestId('versions').locator('li');
    await versions.first().waitFor();
    expect(
      await Promise.all((await versions.all()).map((item) => item.getAttribute('data-version'))),
    ).toEqual(['2', '1']);
    const latest = panel.locator('li[data-version="2"]');
    expect(await latest.textContent()).toContain('in force');
    expect(await latest.textContent()).toContain('What-if draft applied');
    expect(await latest.textContent()).toContain('net.eng');
    expect(await latest.textContent()).toContain(
      'Pump HL7 must use TLS; desktop is the pump server',
    );
    expect(await latest.getByRole('button', { name: /^Revert/ }).count()).toBe(0);
    await wardkeep.screenshot('71-network-versions');

    await panel.getByRole('button', { name: 'Revert to version 1' }).click();
    const dialog = page().getByTestId('revert-dialog');
    await dialog.getByLabel('Why').fill('Back to the reviewed zones');
    // Meanwhile, at another console, the same engineer puts the desktop back in its address zone.
    await stepUp(wardkeep.registry, clock, seedClient, engineer);
    await wardkeep.call(seedClient, 'network:assign', {
      deviceUid: uids.get('PC-1')!,
      zoneId: null,
      reason: 'PC-1 follows its address again',
      baseVersion: 2,
    });
    await dialog.getByRole('button', { name: 'Revert to version 1' }).click();
    const stepUpDialog = page().getByTestId('stepup-dialog');
    await stepUpDialog.waitFor();
    await stepUpDialog.getByLabel('Password').fill(engineer.password);
    await stepUpDialog.getByLabel('Authenticator code').fill(nextCode(clock, engineer.secret));
    await stepUpDialog.getByRole('button', { name: 'Confirm' }).click();
    const conflict = dialog.getByTestId('revert-conflict');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain(
      'Someone changed the policy meanwhile. It is at version 3 now; you were looking at version 2. Nothing was changed',
    );
    expect((await wardkeep.call(seedClient, 'network:policy', {})).version).toBe(3);
    await wardkeep.screenshot('72-network-revert-conflict');

    await conflict.getByRole('button', { name: 'Reload' }).click();
    await dialog.waitFor({ state: 'detached' });
    await panel.locator('li[data-version="3"]').waitFor();
    await panel.getByRole('button', { name: 'Revert to version 1' }).click();
    await dialog.getByLabel('Why').fill('Back to the reviewed zones');
    await dialog.getByRole('button', { name: 'Revert to version 1' }).click();
    // The step-up of a minute ago still holds: no second dialog.
    const reverted = panel.getByTestId('revert-done');
    await reverted.waitFor();
    expect(await stepUpDialog.count()).toBe(0);
    expect(await reverted.textContent()).toContain('Policy version 4 recorded');
    expect(await reverted.textContent()).toContain('Reverted to version 1');
    // The notice of the apply no longer describes the policy in force.
    expect(await page().getByTestId('draft-applied').count()).toBe(0);

    const recorded = (await wardkeep.call(seedClient, 'network:versions', {})).at(-1)!;
    expect(recorded).toMatchObject({
      version: 4,
      kind: 'revert',
      revertedTo: 1,
      actor: 'net.eng',
      reason: 'Back to the reviewed zones',
    });
    const policy = await wardkeep.call(seedClient, 'network:policy', {});
    expect(policy.policy.conduits.find((item) => item.id === 'life-sustaining-hl7')?.state).toBe(
      'allow',
    );
    expect(policy.assignments).toEqual({});
    const audit = wardkeep.services
      .audit()
      .list({ action: 'policy.revert', descending: true, limit: 2 }).records;
    expect(audit.map((record) => [record.outcome, record.target])).toEqual([
      ['success', 'policy v4'],
    ]);
    // The map draws version 1's verdicts again.
    await expect.poll(() => edgeVerdict(`flow:${pumpToEngine}`)).toBe('insecure');
    await expect.poll(() => edgeVerdict(`flow:${desktopToPump}`)).toBe('violation');
    await panel.locator('li[data-version="4"]').waitFor();
    expect(await panel.locator('li[data-version="4"]').textContent()).toContain('in force');
    await wardkeep.screenshot('73-network-reverted');
  });
});

describe('unknown addresses', () => {
  it('lists the addresses no device has and marks one ignored', async () => {
    await page()
      .getByRole('button', { name: /^Unknown addresses/ })
      .click();
    const panel = page().getByTestId('unknown-panel');
    const rows = panel.getByTestId('unknown-list').locator('li');
    await expect.poll(() => rows.count()).toBe(2);
    const row = panel.locator(`li[data-address="${newUnknown}"]`);
    expect(await row.getAttribute('data-state')).toBe('open');
    expect(await row.textContent()).toContain('Outside every zone · 1 connection');
    await wardkeep.screenshot('74-network-unknown-addresses');

    await row.getByRole('button', { name: `Ignore: ${newUnknown}` }).click();
    await panel.getByTestId('unknown-triaged').waitFor();
    expect(await panel.getByTestId('unknown-triaged').textContent()).toBe(
      `${newUnknown} is now ignored.`,
    );
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page().getByTestId('unknown-open-count').textContent()).toBe('1');
    const stored = await wardkeep.call(seedClient, 'network:unknown', {});
    expect(stored.find((device) => device.address === newUnknown)?.state).toBe('ignored');
    const audit = wardkeep.services
      .audit()
      .list({ action: 'network.triage', descending: true, limit: 1 }).records;
    expect(audit[0]).toMatchObject({ outcome: 'success', target: newUnknown });

    await panel.getByLabel('Show').selectOption('all');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await row.getAttribute('data-state')).toBe('ignored');
    expect(await row.getByRole('button', { name: `Reopen: ${newUnknown}` }).count()).toBe(1);
    await wardkeep.screenshot('75-network-unknown-triaged');
  });
});

describe('a manager', () => {
  it('reads versions, exports and unknown addresses but is offered no change', async () => {
    await page().getByRole('button', { name: 'Lock', exact: true }).click();
    await page().getByRole('button', { name: 'Sign out (another user)' }).click();
    await signInThroughPage(page(), manager.username, manager.password, () =>
      nextCode(clock, manager.secret),
    );
    await page().getByRole('button', { name: 'Network', exact: true }).click();
    await page().getByTestId('read-only-note').waitFor();
    const tools = page().getByRole('group', { name: 'Network tools' });
    expect(await tools.getByRole('button', { name: 'Import flows…' }).count()).toBe(0);

    await tools.getByRole('button', { name: 'Versions', exact: true }).click();
    const versions = page().getByTestId('versions-panel');
    await versions.locator('li[data-version="4"]').waitFor();
    expect(await versions.getByRole('button', { name: /^Revert/ }).count()).toBe(0);

    await tools.getByRole('button', { name: /^Unknown addresses/ }).click();
    const unknown = page().getByTestId('unknown-panel');
    await unknown.locator('li[data-address="10.99.0.50"]').waitFor();
    expect(await unknown.getByRole('button', { name: /^(Ignore|Resolved|Reopen):/ }).count()).toBe(
      0,
    );

    await tools.getByRole('button', { name: 'Exports', exact: true }).click();
    const [report] = await Promise.all([
      page().waitForEvent('download'),
      page()
        .getByTestId('exports-panel')
        .getByRole('button', { name: 'Download Manager report (HTML)' })
        .click(),
    ]);
    expect(report.suggestedFilename()).toMatch(/^wardkeep-network-report-v4-/);
  });
});

describe('the page', () => {
  it('logged no page error along the way (CSP included)', () => {
    // The browser's own request for /favicon.ico is the one resource the app does not serve.
    expect(wardkeep.pageErrors.filter((text) => !text.includes('Failed to load resource'))).toEqual(
      [],
    );
  });
});
