// The provisioning service as the wizard and the CLI drive it: ports by path, the zone asked once
// the device is known, cancelling, and the simulator started by hand (`npm run sim`) on its own
// PTY pair. Real socat PTYs and a real encrypted store; everything is closed after each test.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedAuthority } from '../../src-main/pki/authority';
import { generateLocalAuthority } from '../../src-main/pki/authority';
import { frozenClock } from '../../src-main/lib/clock';
import { manualScheduler } from '../../src-main/provisioning/scheduler';
import type { ProvisioningServiceEvent } from '../../src-main/provisioning/service';
import { createProvisioningService } from '../../src-main/provisioning/service';
import { createPtyHarness } from '../support/pty';
import { useTempDirs } from '../support/temp';
import type { TestConsole } from './console';
import { openTestConsole } from './console';
import { createSimulatedDevice } from './device';
import { createPersonality } from './personalities';
import type { SimulationWorld } from './world';
import { createSimulationWorld, readSimulationWorld, writeSimulationWorld } from './world';

const startMs = Date.UTC(2026, 10, 23, 10);
const tempDir = useTempDirs();
const ptys = createPtyHarness();
const consoles: TestConsole[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  await ptys.cleanup();
  for (const opened of consoles.splice(0)) opened.close();
});

let authority: PreparedAuthority;
let world: SimulationWorld;
beforeAll(async () => {
  authority = await generateLocalAuthority(
    { siteName: 'Hôpital Saint-Louis', keyAlgorithm: 'ecdsa-p256' },
    startMs,
  );
  world = createSimulationWorld(startMs);
});

function serviceOver(simulation = world) {
  const opened = openTestConsole({
    dir: tempDir(),
    clock: frozenClock(startMs),
    authority,
    world: simulation,
  });
  consoles.push(opened);
  const service = createProvisioningService({
    ...opened.dependencies,
    db: opened.db,
    consoleName: 'Wardkeep ICU cart 3',
  });
  return { console: opened, service };
}

/** A simulated pump on end b of a PTY pair; the service opens end a by its path. */
async function pumpOnPty() {
  const pair = await ptys.pair();
  const devicePort = await ptys.open(pair.b);
  const device = createSimulatedDevice(createPersonality(world, 'infusion-pump').spec, {
    scheduler: manualScheduler(),
  });
  device.attach(devicePort);
  return { pair, device };
}

describe('the provisioning service', () => {
  it('lists a PTY by path, asks for the zone once the device is known, and closes the port after', async () => {
    const { service } = serviceOver();
    const { pair, device } = await pumpOnPty();
    const ports = await service.listPorts([pair.a]);
    expect(ports.filter((port) => port.source === 'given').map((port) => port.path)).toEqual([
      pair.a,
    ]);

    const events: ProvisioningServiceEvent[] = [];
    let sessionId = '';
    const started = await service.start(
      { portPath: pair.a, actor: 'tech.jones', askPlacement: true },
      (event) => {
        events.push(event);
        if (event.kind === 'placement.needed') {
          expect(event.device).toMatchObject({
            serialNumber: device.spec.serialNumber,
            inventoryState: null,
          });
          expect(
            event.zones.find((zone) => zone.id === 'life-sustaining')?.vlans.map((vlan) => vlan.id),
          ).toEqual([110, 111]);
          service.choosePlacement(sessionId, { zoneId: 'life-sustaining', vlan: 111 });
        }
      },
    );
    sessionId = started.sessionId;
    expect(service.running()).toEqual([sessionId]);
    const outcome = await started.outcome;
    expect(outcome).toMatchObject({ status: 'provisioned', zoneId: 'life-sustaining', vlan: 111 });
    expect(service.running()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ kind: 'finished', outcome: { status: 'provisioned' } });
    expect(service.attempts()).toMatchObject([
      { outcome: 'provisioned', actor: 'tech.jones', port: pair.a },
    ]);
    // The port was released: a second session can open it.
    const again = await service.provision({
      portPath: pair.a,
      actor: 'tech.jones',
      zoneId: 'life-sustaining',
    });
    expect(again).toMatchObject({ status: 'provisioned', deviceCreated: false });
  });

  it('cancels a session waiting for the operator, and tells the device to abort', async () => {
    const { service, console } = serviceOver();
    const { pair, device } = await pumpOnPty();
    let sessionId = '';
    const started = await service.start(
      { portPath: pair.a, actor: 'tech.jones', askPlacement: true },
      (event) => {
        if (event.kind === 'placement.needed') service.cancel(sessionId);
      },
    );
    sessionId = started.sessionId;
    const outcome = await started.outcome;
    expect(outcome).toMatchObject({ status: 'failed', step: 'placement', code: 'cancelled' });
    expect(device.requests.at(-1)).toBe('abort');
    expect(console.pki.listCertificates({})).toEqual([]);
  });

  it('refuses a port that does not exist with provision.port', async () => {
    const { service } = serviceOver();
    await expect(
      service.start({ portPath: join(tempDir(), 'no-such-port'), actor: null }),
    ).rejects.toMatchObject({
      code: 'provision.port',
    });
  });
});

describe('the simulator run by hand', () => {
  it('plays a pump on its own PTY pair that the console provisions by the printed path', async () => {
    const dir = tempDir();
    writeSimulationWorld(dir, world);
    const { service } = serviceOver(readSimulationWorld(dir));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, 'cli.ts'),
        '--personality',
        'infusion-pump',
        '--dir',
        dir,
        '--serial',
        'IP3-HAND01',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    const portPath = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const found = /^console port: (.+)$/m.exec(output);
        if (found) resolve(found[1]!);
      });
      child.once('exit', (code) => reject(new Error(`sim exited (${code}): ${output}`)));
    });
    const outcome = await service.provision({
      portPath,
      actor: 'tech.jones',
      zoneId: 'medical-devices',
    });
    expect(outcome).toMatchObject({
      status: 'provisioned',
      device: { serialNumber: 'IP3-HAND01' },
    });
    expect(output).toContain(
      'infusion-pump: Medica Infusion Systems InfuPro 3000, serial IP3-HAND01',
    );
  });
});
