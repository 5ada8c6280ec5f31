// The network map in the real UI against the real network service and encrypted store: the
// default zones, 179 devices (one zone large enough to start as a cluster) and observed flows are
// seeded through the same channels the app uses; then an engineer reads the map and its legend,
// opens the cluster with a double-click, selects the edge between zones, a device and a flow,
// tries a what-if (a conduit denied, a device moved), applies it after a step-up, and follows the
// violations list, life-sustaining first, to the map. A screenshot is kept of each state.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frozenClock } from '../../src-main/lib/clock';
import { zonesTemplatePath } from '../../src-main/network/template';
import { criticalityRank } from '../../src-preload/network/model';
import { addAccount, dispatch, nextCode, setUpConsole } from '../support/accounts';
import type { TestAccount } from '../support/accounts';
import { signInThroughPage, startWardkeep } from '../support/browser';
import type { WardkeepSession } from '../support/browser';

const clock = frozenClock(Date.UTC(2026, 10, 23, 9));
const seedClient = 'network-seed';
const minute = 60_000;
let wardkeep: WardkeepSession;
let engineer: TestAccount;
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

  it('logged no page error along the way (CSP included)', () => {
    // The browser's own request for /favicon.ico is the one resource the app does not serve.
    expect(wardkeep.pageErrors.filter((text) => !text.includes('Failed to load resource'))).toEqual(
      [],
    );
  });
});
