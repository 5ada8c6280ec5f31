// Bedside provisioning through the IPC registry the window uses: an engineer sets up the PKI, the
// trust bundle, the baseline and the zones; a technician provisions a simulated pump on a real PTY,
// hears each step, answers the zone question, and only that window may answer or cancel. A device
// decommissioned by an import loses its certificate in the import's transaction.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src-preload/contract';
import { createIpcRegistry } from '../ipc/registry';
import type { IpcRegistry } from '../ipc/registry';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import { zonesTemplatePath } from '../network/template';
import { createAppServices } from '../services';
import type { AppServices } from '../services';
import { manualScheduler } from './scheduler';
import { provisioningSteps } from './session';
import { addAccount, dispatch, setUpConsole, stepUp } from '../../test/support/accounts';
import type { TestAccount, TestClock } from '../../test/support/accounts';
import { createPtyHarness } from '../../test/support/pty';
import { useTempDirs } from '../../test/support/temp';
import { createSimulatedDevice } from '../../test/sim/device';
import { createPersonality } from '../../test/sim/personalities';
import type { SimulationWorld } from '../../test/sim/world';
import { createSimulationWorld } from '../../test/sim/world';

type ProvisionEvent = EventPayload<'provision:event'>;

const startMs = Date.UTC(2026, 10, 23, 10);
const tempDir = useTempDirs();
const ptys = createPtyHarness();
const opened: AppServices[] = [];
afterEach(async () => {
  for (const services of opened.splice(0)) services.close();
  await ptys.cleanup();
});

let world: SimulationWorld;
beforeAll(() => {
  world = createSimulationWorld(startMs);
});

interface Console {
  services: AppServices;
  registry: IpcRegistry;
  clock: TestClock;
  engineer: TestAccount;
}

/** A console whose engineer has created the CA, trusted the makers and loaded baseline + zones. */
async function readyConsole(): Promise<Console> {
  const clock = frozenClock(startMs);
  const services = createAppServices({ dataDir: tempDir(), clock, ids: sequentialIds('p') });
  opened.push(services);
  const registry = createIpcRegistry(services);
  const { admin } = await setUpConsole(registry, clock, 'admin');
  const engineer = await addAccount(registry, clock, admin, 'admin', 'eng.ada', 'engineer', 'eng');
  await addAccount(registry, clock, admin, 'admin', 'tech.jones', 'technician', 'tech');
  await stepUp(registry, clock, 'eng', engineer);
  await dispatch(registry, 'eng', 'pki:create-authority', {
    siteName: 'Hôpital Saint-Louis',
    keyAlgorithm: 'ecdsa-p256',
  });
  await dispatch(registry, 'eng', 'trust:import', { pem: world.trustBundlePem });
  await dispatch(registry, 'eng', 'baseline:publisher', { pem: world.baselinePublisherPem });
  await dispatch(registry, 'eng', 'baseline:import', { content: world.baselineFile });
  await dispatch(registry, 'eng', 'network:import-zones', {
    content: readFileSync(zonesTemplatePath(), 'utf8'),
    reason: 'segmentation of the site',
  });
  return { services, registry, clock, engineer };
}

async function pumpOnPty(personality: Parameters<typeof createPersonality>[1] = 'infusion-pump') {
  const pair = await ptys.pair();
  const devicePort = await ptys.open(pair.b);
  const device = createSimulatedDevice(createPersonality(world, personality).spec, {
    scheduler: manualScheduler(),
  });
  device.attach(devicePort);
  return { pair, device };
}

/** The window's events, and a way to wait for the next one that matches. */
function listen(registry: IpcRegistry, clientId: string) {
  const events: ProvisionEvent[] = [];
  const waiting: {
    match: (event: ProvisionEvent) => boolean;
    resolve: (e: ProvisionEvent) => void;
  }[] = [];
  registry.subscribe(clientId, (name, payload) => {
    if (name !== 'provision:event') return;
    const event = payload as ProvisionEvent;
    events.push(event);
    for (const waiter of waiting.filter((entry) => entry.match(event))) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  });
  return {
    events,
    next(kind: ProvisionEvent['event']['kind']): Promise<ProvisionEvent> {
      const seen = events.find((event) => event.event.kind === kind);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) =>
        waiting.push({ match: (event) => event.event.kind === kind, resolve }),
      );
    },
  };
}

describe('provisioning over IPC', () => {
  it('provisions a pump for the technician who started it, step by step, with the zone asked', async () => {
    const { registry, services } = await readyConsole();
    const { pair, device } = await pumpOnPty();
    const heard = listen(registry, 'tech');
    const overheard = listen(registry, 'eng');

    const { sessionId } = await dispatch(registry, 'tech', 'provision:start', {
      portPath: pair.a,
    });
    const asked = await heard.next('placement.needed');
    expect(asked.sessionId).toBe(sessionId);
    expect(asked.event).toMatchObject({
      kind: 'placement.needed',
      device: { serialNumber: device.spec.serialNumber, inventoryState: null },
    });

    // Another window cannot answer or cancel someone else's session.
    expect(await registry.dispatch('eng', 'provision:cancel', { sessionId })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(
      await registry.dispatch('eng', 'provision:choose-zone', { sessionId, zoneId: 'guest' }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });

    await dispatch(registry, 'tech', 'provision:choose-zone', {
      sessionId,
      zoneId: 'life-sustaining',
      vlan: 111,
    });
    const finished = await heard.next('finished');
    expect(finished.event).toMatchObject({
      kind: 'finished',
      outcome: { status: 'provisioned', zoneId: 'life-sustaining', vlan: 111, deviceCreated: true },
    });
    expect(overheard.events).toEqual([]);

    // Every step was heard in order, each passed once.
    const passed = heard.events
      .map(({ event }) => (event.kind === 'step.passed' ? event.step : null))
      .filter((step) => step !== null);
    expect(passed).toEqual([...provisioningSteps]);

    const attempts = await dispatch(registry, 'tech', 'provision:attempts', {});
    expect(attempts).toMatchObject([{ outcome: 'provisioned', actor: 'tech.jones', port: pair.a }]);
    const outcome = finished.event.kind === 'finished' ? finished.event.outcome : null;
    if (outcome?.status !== 'provisioned') throw new Error('expected a provisioned outcome');
    const certificates = await dispatch(registry, 'tech', 'pki:certificates', {
      deviceUid: outcome.deviceUid,
    });
    expect(certificates).toMatchObject([{ status: 'active', serial: outcome.certificate.serial }]);
    const provisioned = services
      .audit()
      .list({ actor: 'tech.jones', limit: 100 })
      .records.filter((record) => record.action.startsWith('provision'));
    expect(provisioned.length).toBeGreaterThan(0);
    expect(provisioned.every((record) => record.role === 'technician')).toBe(true);
  });

  it('refuses a clone and says why, and cancels a waiting session when its user signs out', async () => {
    const { registry } = await readyConsole();
    const clone = await pumpOnPty('clone');
    const heard = listen(registry, 'tech');
    await dispatch(registry, 'tech', 'provision:start', { portPath: clone.pair.a });
    const refused = await heard.next('finished');
    expect(refused.event).toMatchObject({
      kind: 'finished',
      outcome: { status: 'refused', step: 'authenticate', code: 'serial_mismatch' },
    });

    const pump = await pumpOnPty();
    const second = listen(registry, 'tech');
    heard.events.splice(0);
    await dispatch(registry, 'tech', 'provision:start', { portPath: pump.pair.a });
    await second.next('placement.needed');
    await dispatch(registry, 'tech', 'session:lock', {});
    const ended = await second.next('finished');
    expect(ended.event).toMatchObject({
      kind: 'finished',
      outcome: { status: 'failed', step: 'placement', code: 'cancelled' },
    });
    expect(pump.device.requests.at(-1)).toBe('abort');
  });

  it('revokes the certificate of a device an import decommissions, in the same transaction', async () => {
    const { registry, services, clock, engineer } = await readyConsole();
    const { pair, device } = await pumpOnPty();
    const heard = listen(registry, 'tech');
    await dispatch(registry, 'tech', 'provision:start', {
      portPath: pair.a,
      zoneId: 'life-sustaining',
    });
    const finished = await heard.next('finished');
    const outcome = finished.event.kind === 'finished' ? finished.event.outcome : null;
    if (outcome?.status !== 'provisioned') throw new Error('expected a provisioned outcome');

    const csv = [
      'manufacturer,model,serial_number,device_class,criticality,lifecycle_state',
      `${device.spec.manufacturer},${device.spec.model},${device.spec.serialNumber},infusion_pump,life_sustaining,decommissioned`,
    ].join('\n');
    const staged = await dispatch(registry, 'tech', 'imports:stage', {
      fileName: 'retired.csv',
      content: csv,
    });
    const report = await dispatch(registry, 'tech', 'imports:commit', {
      stagingId: staged.stagingId,
      mapping: staged.suggestedMapping,
      skipInvalid: false,
    });
    expect(report).toMatchObject({ updated: 1 });
    expect(
      await dispatch(registry, 'tech', 'pki:certificates', { deviceUid: outcome.deviceUid }),
    ).toMatchObject([{ status: 'revoked', revocationReason: 'cessationOfOperation' }]);
    expect(
      services.audit().list({ action: 'certificate.revoke', limit: 10 }).records,
    ).toMatchObject([{ target: outcome.certificate.serial, actor: 'tech.jones' }]);

    // The next CRL lists it.
    await stepUp(registry, clock, 'eng', engineer);
    const crl = await dispatch(registry, 'eng', 'pki:crl', {});
    expect(crl.content).toContain('-----BEGIN X509 CRL-----');
    const overview = await dispatch(registry, 'eng', 'pki:overview', {});
    expect(overview.latestCrl).toMatchObject({ revokedCount: 1 });
  });
});
