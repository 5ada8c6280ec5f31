// Figures for bedside provisioning end to end: the console's session (real PKI with an RSA-3072
// local CA, encrypted store, audit log) and a simulated device making an RSA-2048 key, over socat
// PTY pairs with both directions held to 115200 baud (11 520 bytes/s), as a real cable would.
// One device at a time (target: at most 2 s each), then 8 devices on 8 pairs at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLocalAuthority } from '../../src-main/pki/authority';
import type { Clock } from '../../src-main/lib/clock';
import { serialBytesPerSecond } from '../../src-main/provisioning/link';
import { manualScheduler } from '../../src-main/provisioning/scheduler';
import { openTestConsole } from '../sim/console';
import { createSimulatedDevice } from '../sim/device';
import { createPersonality } from '../sim/personalities';
import { createSimulationWorld } from '../sim/world';
import { createPtyHarness } from '../support/pty';

export interface ProvisioningBenchResult {
  /** One RSA-2048 provisioning (HELLO to commit) at 115200 baud: median and slowest of the runs. */
  singleMedianMs: number;
  singleMaxMs: number;
  singleRuns: number;
  /** 8 devices on 8 PTY pairs at once: time until the last outcome, and how many provisioned. */
  concurrentDevices: number;
  concurrentTotalMs: number;
  concurrentProvisioned: number;
  /** Retransmissions over every run (0 expected on a clean line). */
  retransmissions: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function benchProvisioning(
  options: { singleRuns?: number; concurrent?: number } = {},
): Promise<ProvisioningBenchResult> {
  const singleRuns = options.singleRuns ?? 5;
  const concurrent = options.concurrent ?? 8;
  const clock: Clock = { nowMs: () => Date.now() };
  const dir = mkdtempSync(join(tmpdir(), 'wardkeep-bench-provisioning-'));
  const ptys = createPtyHarness();
  const authority = await generateLocalAuthority({ siteName: 'Benchmark Hospital' }, clock.nowMs());
  const world = createSimulationWorld(clock.nowMs());
  const console = openTestConsole({ dir, clock, authority, world });
  let retransmissions = 0;

  /**
   * One monitor (RSA-2048 IDevID, asked for an RSA-2048 LDevID) on a new paced PTY pair, ready
   * to provision. Minting its IDevID blocks the event loop, so it is done before any timing.
   */
  async function plugIn() {
    const pair = await ptys.pair();
    const consolePort = await ptys.open(pair.a);
    const devicePort = await ptys.open(pair.b);
    const personality = createPersonality(world, 'patient-monitor', {
      keyAlgorithms: ['rsa-2048'],
    });
    const device = createSimulatedDevice(personality.spec, { scheduler: manualScheduler() });
    device.attach(devicePort, { paceBytesPerSecond: serialBytesPerSecond });
    return async (): Promise<number> => {
      const started = performance.now();
      const outcome = await console.provision(consolePort, {
        placement: { zoneId: 'medical-devices' },
        keyAlgorithms: ['rsa-2048'],
        deviceClass: personality.deviceClass,
        driver: { link: { paceWrites: true, bytesPerSecond: serialBytesPerSecond } },
      });
      const ms = performance.now() - started;
      retransmissions += outcome.retransmissions;
      if (outcome.status !== 'provisioned') {
        throw new Error(`benchmark provisioning ${outcome.status}: ${outcome.reason}`);
      }
      return ms;
    };
  }

  try {
    await (
      await plugIn()
    )(); // warm-up: module loading, first prepared statements
    const singles: number[] = [];
    for (let run = 0; run < singleRuns; run++) singles.push(await (await plugIn())());
    await ptys.cleanup();

    const ready: (() => Promise<number>)[] = [];
    for (let index = 0; index < concurrent; index++) ready.push(await plugIn());
    const started = performance.now();
    const results = await Promise.allSettled(ready.map((provision) => provision()));
    const concurrentTotalMs = performance.now() - started;
    return {
      singleMedianMs: median(singles),
      singleMaxMs: Math.max(...singles),
      singleRuns,
      concurrentDevices: concurrent,
      concurrentTotalMs,
      concurrentProvisioned: results.filter((result) => result.status === 'fulfilled').length,
      retransmissions,
    };
  } finally {
    await ptys.cleanup();
    console.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
