// Bedside provisioning end to end: the console's session with the real PKI, inventory, network
// policy and audit log on an encrypted store, talking over a socat pseudo-terminal pair to a
// simulated device of each personality. Every PTY and port is closed after each test.
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedAuthority } from '../../src-main/pki/authority';
import { generateLocalAuthority } from '../../src-main/pki/authority';
import { verifyWithOpenssl } from '../../src-main/pki/testing';
import { frozenClock } from '../../src-main/lib/clock';
import { manufacturerKey } from '../../src-main/inventory/device-fields';
import { WardkeepFailure } from '../../src-main/lib/errors';
import { createReferenceDriver } from '../../src-main/provisioning/reference-driver';
import { manualScheduler } from '../../src-main/provisioning/scheduler';
import { runProvisioningSession } from '../../src-main/provisioning/session';
import type {
  AuditedRunner,
  FailedOutcome,
  ProvisionedOutcome,
  ProvisioningEvent,
  ProvisioningOutcome,
  RefusedOutcome,
} from '../../src-main/provisioning/session';
import type { RequestKind } from '../../src-main/provisioning/messages';
import { createPtyHarness } from '../support/pty';
import { useTempDirs } from '../support/temp';
import type { TestConsole } from './console';
import { openTestConsole } from './console';
import type { AttachOptions, CablePull, SimulatedDevice } from './device';
import { createSimulatedDevice } from './device';
import type { PersonalityName, PersonalityOptions } from './personalities';
import { createPersonality } from './personalities';
import { steppingScheduler } from './scheduler';
import type { SimulationWorld } from './world';
import { createSimulationWorld, productLines } from './world';

const startMs = Date.UTC(2026, 10, 23, 10);
const tempDir = useTempDirs();
const ptys = createPtyHarness();
const consoles: TestConsole[] = [];
afterEach(async () => {
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

function openConsole() {
  const clock = frozenClock(startMs);
  const opened = openTestConsole({ dir: tempDir(), clock, authority, world });
  consoles.push(opened);
  return { ...opened, clock };
}

/**
 * The device on end b of a fresh PTY pair, the console's port on end a; `pullAt` kills this
 * pair's socat when the device sees that request, as a pulled cable would.
 */
async function plugIn(
  device: SimulatedDevice,
  options: Omit<AttachOptions, 'pullCableAt'> & { pullAt?: Omit<CablePull, 'pull'> } = {},
) {
  const pair = await ptys.pair();
  const consolePort = await ptys.open(pair.a);
  const devicePort = await ptys.open(pair.b);
  const { pullAt, ...attachOptions } = options;
  const attachment = device.attach(devicePort, {
    ...attachOptions,
    ...(pullAt ? { pullCableAt: { ...pullAt, pull: () => pair.pullCable() } } : {}),
  });
  return { pair, consolePort, devicePort, attachment };
}

function newDevice(name: PersonalityName, options: PersonalityOptions = {}) {
  const personality = createPersonality(world, name, options);
  // The device's idle and fail-safe timers never fire by themselves here.
  const device = createSimulatedDevice(personality.spec, { scheduler: manualScheduler() });
  return { personality, device };
}

function expectProvisioned(outcome: ProvisioningOutcome): ProvisionedOutcome {
  if (outcome.status !== 'provisioned') {
    throw new Error(`expected provisioned, got ${outcome.status}: ${JSON.stringify(outcome)}`);
  }
  return outcome;
}

function expectRefused(outcome: ProvisioningOutcome): RefusedOutcome {
  if (outcome.status !== 'refused') {
    throw new Error(`expected refused, got ${outcome.status}: ${JSON.stringify(outcome)}`);
  }
  return outcome;
}

function expectFailed(outcome: ProvisioningOutcome): FailedOutcome {
  if (outcome.status !== 'failed') {
    throw new Error(`expected failed, got ${outcome.status}: ${JSON.stringify(outcome)}`);
  }
  return outcome;
}

function chainPem(console: TestConsole): { root: string; issuing: string } {
  const [issuing, root] = console.pki.authorityChainPem().split(/(?<=-----END CERTIFICATE-----\n)/);
  return { issuing: issuing!, root: root! };
}

describe('provisioning genuine devices', () => {
  it('provisions an infusion pump: certificate verifies with openssl, device in service in its zone', async () => {
    const console = openConsole();
    const { personality, device } = newDevice('infusion-pump');
    const { consolePort } = await plugIn(device);
    const events: ProvisioningEvent[] = [];
    const outcome = expectProvisioned(
      await console.provision(consolePort, {
        placement: { zoneId: 'life-sustaining', vlan: 111 },
        deviceClass: personality.deviceClass,
        onEvent: (event) => events.push(event),
      }),
    );
    expect(outcome).toMatchObject({
      zoneId: 'life-sustaining',
      vlan: 111,
      deviceCreated: true,
      reconciled: false,
    });

    const record = console.pki.getCertificate(outcome.certificate.serial);
    expect(record.status).toBe('active');
    const bundle = console.pki.certificateBundle(record.serial);
    const { issuing, root } = chainPem(console);
    const dir = tempDir();
    const verified = verifyWithOpenssl(dir, {
      trustedPem: root,
      untrustedPem: issuing,
      certificatePem: bundle.certificatePem,
      atMs: startMs,
      purpose: 'sslclient',
    });
    expect(verified.stdout).toContain(': OK');

    const stored = console.devices.findByIdentity({
      manufacturerKey: manufacturerKey(productLines.infusion.maker),
      serialNumber: device.spec.serialNumber,
    });
    expect(stored).toMatchObject({
      uid: outcome.deviceUid,
      manufacturer: productLines.infusion.maker,
      model: productLines.infusion.model,
      lifecycleState: 'in_service',
      firmwareVersion: '4.2.1',
      deviceClass: 'infusion_pump',
    });
    expect(console.network.current().assignments[outcome.deviceUid]).toBe('life-sustaining');
    // The device committed exactly what the console recorded.
    expect(device.snapshot()).toMatchObject({
      state: 'idle',
      committed: {
        certificateSha256: outcome.certificate.fingerprintSha256,
        zoneId: 'life-sustaining',
        vlan: 111,
      },
      pendingKey: false,
      inactiveSlot: false,
    });
    expect(new X509Certificate(device.committed()!.certificateDer).serialNumber.toLowerCase()).toBe(
      outcome.certificate.serial,
    );
    const passed = events
      .filter((event) => event.kind === 'step.passed')
      .map((event) => event.kind === 'step.passed' && event.step);
    expect(passed).toEqual([
      'connect',
      'identify',
      'authenticate',
      'firmware',
      'placement',
      'csr',
      'issue',
      'install',
      'confirm',
      'commit',
    ]);
    const audit = console.auditLog
      .list({})
      .records.find((entry) => entry.action === 'provision.device.commit');
    expect(audit).toMatchObject({
      actor: 'tech.jones',
      target: `device:${outcome.deviceUid}`,
      outcome: 'success',
    });
  });

  it('provisions an RSA patient monitor into the zone and VLAN the operator chooses once it is known', async () => {
    const console = openConsole();
    const { personality, device } = newDevice('patient-monitor', { keyAlgorithms: ['rsa-2048'] });
    const { consolePort } = await plugIn(device);
    const asked: string[] = [];
    const outcome = expectProvisioned(
      await console.provision(consolePort, {
        keyAlgorithms: ['ec-p256', 'rsa-2048'],
        deviceClass: personality.deviceClass,
        placement: (identified) => {
          asked.push(`${identified.manufacturer} ${identified.model} ${identified.serialNumber}`);
          return Promise.resolve({ zoneId: 'medical-devices' });
        },
      }),
    );
    expect(asked).toEqual([`Vitalis Monitoring VM-800 ${device.spec.serialNumber}`]);
    // The monitor cannot make P-256 keys: the console asked again for RSA-2048.
    expect(outcome).toMatchObject({ zoneId: 'medical-devices', vlan: 120 });
    expect(outcome.certificate.keyAlgorithm).toBe('rsa-2048');
    const { issuing, root } = chainPem(console);
    const verified = verifyWithOpenssl(tempDir(), {
      trustedPem: root,
      untrustedPem: issuing,
      certificatePem: console.pki.certificateBundle(outcome.certificate.serial).certificatePem,
      atMs: startMs,
    });
    expect(verified.stdout).toContain(': OK');
    expect(
      console.devices.findByIdentity({
        manufacturerKey: manufacturerKey(productLines.monitor.maker),
        serialNumber: device.spec.serialNumber,
      }),
    ).toMatchObject({ lifecycleState: 'in_service', deviceClass: 'patient_monitor' });
  });

  it("keeps an imported device's record and moves it to in service with the reported firmware", async () => {
    const console = openConsole();
    const { device } = newDevice('infusion-pump');
    console.devices.transaction(() =>
      console.devices.insertDevice(
        'dev-imported-1',
        {
          assetTag: 'ICU-PUMP-07',
          manufacturer: productLines.infusion.maker,
          manufacturerKey: manufacturerKey(productLines.infusion.maker),
          model: productLines.infusion.model,
          serialNumber: device.spec.serialNumber,
          udiDeviceIdentifier: null,
          udiProductionIdentifier: null,
          udiIssuer: null,
          deviceClass: 'infusion_pump',
          criticality: 'life_sustaining',
          site: 'Main',
          building: 'A',
          floor: '3',
          room: '312',
          bed: null,
          department: 'ICU',
          macAddress: null,
          ipAddress: null,
          hostname: null,
          firmwareVersion: '4.2.0',
          lifecycleState: 'received',
          endOfLife: null,
          notes: null,
        },
        new Date(startMs).toISOString(),
      ),
    );
    const { consolePort } = await plugIn(device);
    const outcome = expectProvisioned(
      await console.provision(consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    expect(outcome).toMatchObject({ deviceUid: 'dev-imported-1', deviceCreated: false, vlan: 110 });
    expect(console.pki.getCertificate(outcome.certificate.serial).deviceName).toBe('ICU-PUMP-07');
    expect(
      console.devices.findByIdentity({
        manufacturerKey: manufacturerKey(productLines.infusion.maker),
        serialNumber: device.spec.serialNumber,
      }),
    ).toMatchObject({
      uid: 'dev-imported-1',
      assetTag: 'ICU-PUMP-07',
      criticality: 'life_sustaining',
      room: '312',
      firmwareVersion: '4.2.1',
      lifecycleState: 'in_service',
      revision: 2,
    });
  });
});

/** Nothing of the device reached the inventory, and no certificate of it is active. */
function expectNothingCommitted(
  console: TestConsole,
  serialNumber: string,
  maker = productLines.infusion.maker,
) {
  expect(
    console.devices.findByIdentity({ manufacturerKey: manufacturerKey(maker), serialNumber }),
  ).toBeNull();
  expect(console.pki.listCertificates({ status: 'active' })).toEqual([]);
  expect(console.records.bindingFor(manufacturerKey(maker), serialNumber)).toBeNull();
}

describe('refusing devices', () => {
  it('refuses a legacy device without crypto and points to the exception flow', async () => {
    const console = openConsole();
    const { device } = newDevice('legacy');
    const { consolePort } = await plugIn(device);
    const events: ProvisioningEvent[] = [];
    const outcome = expectRefused(
      await console.provision(consolePort, {
        placement: { zoneId: 'medical-devices' },
        onEvent: (event) => events.push(event),
      }),
    );
    expect(outcome).toMatchObject({
      step: 'identify',
      code: 'cannot_hold_certificate',
      exceptionSuggested: true,
      quarantined: false,
      deviceCode: 'attestation_unavailable',
    });
    expect(outcome.reason).toMatch(/cannot hold a certificate: record a documented exception/);
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'step.failed',
        step: 'identify',
        code: 'cannot_hold_certificate',
      }),
    );
    expect(console.pki.listCertificates({})).toEqual([]);
    expect(device.requests).toEqual(['hello', 'identify', 'abort']);
    expect(console.records.listAttempts()).toMatchObject([
      { outcome: 'refused', step: 'identify', code: 'cannot_hold_certificate' },
    ]);
  });

  it("refuses a clone carrying another device's IDevID as a possible clone, committing nothing", async () => {
    const console = openConsole();
    const { device } = newDevice('clone');
    const { consolePort } = await plugIn(device);
    const outcome = expectRefused(
      await console.provision(consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    expect(outcome).toMatchObject({ step: 'authenticate', code: 'serial_mismatch' });
    expect(outcome.reason).toMatch(/^possible clone: serial mismatch: the device reports serial/);
    expectNothingCommitted(console, device.spec.serialNumber);
    expect(console.pki.listCertificates({})).toEqual([]);
    expect(device.requests).toEqual(['hello', 'identify', 'attest', 'abort']);
    expect(device.snapshot()).toMatchObject({ state: 'idle', committed: null, pendingKey: false });
    const audit = console.auditLog.list({ action: 'provision.device.refuse' }).records;
    expect(audit).toMatchObject([{ outcome: 'failure', details: { code: 'serial_mismatch' } }]);
  });

  it('refuses a counterfeit whose IDevID chains to a maker the console does not trust', async () => {
    const console = openConsole();
    const { device } = newDevice('counterfeit');
    const { consolePort } = await plugIn(device);
    const outcome = expectRefused(
      await console.provision(consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    expect(outcome).toMatchObject({ step: 'authenticate', code: 'untrusted_manufacturer' });
    expect(outcome.reason).toMatch(
      /^untrusted manufacturer: .* is not signed by it; the device may be counterfeit or a clone$/,
    );
    expectNothingCommitted(console, device.spec.serialNumber);
  });

  it('refuses as a clone a second genuine IDevID for a serial already bound to another', async () => {
    const console = openConsole();
    const first = newDevice('infusion-pump');
    const line = await plugIn(first.device);
    const provisioned = expectProvisioned(
      await console.provision(line.consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    // Same maker, same serial, a different IDevID (a cloned board with its own key).
    const second = newDevice('infusion-pump', { serialNumber: first.device.spec.serialNumber });
    const again = await plugIn(second.device);
    const outcome = expectRefused(
      await console.provision(again.consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    expect(outcome).toMatchObject({ step: 'authenticate', code: 'clone' });
    expect(outcome.reason).toContain(`bound to another IDevID`);
    expect(console.pki.listCertificates({ deviceUid: provisioned.deviceUid })).toHaveLength(1);
    expect(second.device.snapshot().committed).toBeNull();
  });

  it('refuses tampered firmware and quarantines the device with the reason', async () => {
    const console = openConsole();
    const { device } = newDevice('tampered-firmware');
    const { consolePort } = await plugIn(device);
    const outcome = expectRefused(
      await console.provision(consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    expect(outcome).toMatchObject({
      step: 'firmware',
      code: 'firmware_tampered',
      quarantined: true,
    });
    expect(outcome.reason).toMatch(/hash mismatch.*possible tampering/);
    const stored = console.devices.findByIdentity({
      manufacturerKey: manufacturerKey(productLines.infusion.maker),
      serialNumber: device.spec.serialNumber,
    });
    expect(stored).toMatchObject({ lifecycleState: 'quarantined', firmwareVersion: '4.2.1' });
    expect(stored!.notes).toMatch(
      /^Quarantined by bedside provisioning on 2026-11-23: firmware refused, hash mismatch/,
    );
    expect(console.pki.listCertificates({})).toEqual([]);
    expect(device.requests).toEqual(['hello', 'identify', 'attest', 'abort']);
    const [record] = console.auditLog.list({ action: 'provision.device.refuse' }).records;
    expect(record).toMatchObject({
      target: `device:${stored!.uid}`,
      details: { code: 'firmware_tampered', quarantined: true },
    });
  });

  it('refuses a firmware version not on the baseline, quarantines, and provisions only once released', async () => {
    const console = openConsole();
    const { device } = newDevice('infusion-pump', { firmwareVersion: '3.9.9' });
    const first = await plugIn(device);
    const refused = expectRefused(
      await console.provision(first.consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    expect(refused).toMatchObject({ code: 'firmware_not_approved', quarantined: true });
    expect(refused.reason).toContain(
      'version not approved: Medica Infusion Systems InfuPro 3000 3.9.9 (approved: 4.2.0, 4.2.1)',
    );

    // The pump is updated to an approved image; still quarantined until someone releases it.
    const updated = createSimulatedDevice(
      { ...device.spec, firmware: createPersonality(world, 'infusion-pump').spec.firmware },
      { scheduler: manualScheduler() },
    );
    const second = await plugIn(updated);
    const held = expectRefused(
      await console.provision(second.consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    expect(held).toMatchObject({ step: 'authenticate', code: 'device_quarantined' });
    const third = await plugIn(updated);
    const released = expectProvisioned(
      await console.provision(third.consolePort, {
        placement: { zoneId: 'life-sustaining' },
        releaseQuarantine: true,
      }),
    );
    expect(released.deviceCreated).toBe(false);
    const [record] = console.auditLog.list({ action: 'provision.device.commit' }).records;
    expect(record!.details).toMatchObject({ releasedFromQuarantine: true });
  });

  it('refuses a zone the policy does not have, before any key is made', async () => {
    const console = openConsole();
    const { device } = newDevice('infusion-pump');
    const { consolePort } = await plugIn(device);
    const outcome = expectRefused(
      await console.provision(consolePort, { placement: { zoneId: 'life-sustaining', vlan: 120 } }),
    );
    expect(outcome).toMatchObject({ step: 'placement', code: 'placement_invalid' });
    expect(outcome.reason).toBe('VLAN 120 is not one of zone "life-sustaining"\'s (110, 111)');
    expect(device.requests).not.toContain('csrRequest');
  });
});

describe('cancelling', () => {
  /** A session cancelled by the operator as soon as `when` is heard. */
  async function cancelledWhen(when: (event: ProvisioningEvent) => boolean) {
    const console = openConsole();
    const { device } = newDevice('infusion-pump');
    const { consolePort } = await plugIn(device);
    const controller = new AbortController();
    const events: ProvisioningEvent[] = [];
    const outcome = await console.provision(consolePort, {
      placement: { zoneId: 'life-sustaining' },
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (when(event)) controller.abort();
      },
    });
    return { console, device, events, outcome };
  }

  it('names the step a cancel between two steps came before, not the one that passed', async () => {
    const { console, device, events, outcome } = await cancelledWhen(
      (event) => event.kind === 'step.passed' && event.step === 'authenticate',
    );
    expect(expectFailed(outcome)).toMatchObject({
      step: 'firmware',
      code: 'cancelled',
      reason: 'cancelled by the operator before checking the firmware',
      certificateInDoubt: null,
    });
    expect(events.filter((event) => event.kind === 'step.failed')).toMatchObject([
      { step: 'firmware', code: 'cancelled' },
    ]);
    expect(events).not.toContainEqual(
      expect.objectContaining({ kind: 'step.started', step: 'firmware' }),
    );
    expect(console.records.listAttempts()).toMatchObject([
      { outcome: 'failed', step: 'firmware', code: 'cancelled' },
    ]);
    const [record] = console.auditLog.list({ action: 'provision.device.fail' }).records;
    expect(record).toMatchObject({ details: { step: 'firmware', code: 'cancelled' } });
    expect(device.requests).toEqual(['hello', 'identify', 'attest', 'abort']);
  });

  it('names the zone choice when the cancel comes once the device is identified', async () => {
    const { device, outcome } = await cancelledWhen((event) => event.kind === 'device.identified');
    expect(expectFailed(outcome)).toMatchObject({
      step: 'placement',
      code: 'cancelled',
      reason: 'cancelled by the operator before choosing the network zone',
    });
    expect(device.snapshot().committed).toBeNull();
  });

  it('commits all the same when the cancel comes after the device confirmed with its new key', async () => {
    const { console, device, events, outcome } = await cancelledWhen(
      (event) => event.kind === 'step.passed' && event.step === 'confirm',
    );
    const provisioned = expectProvisioned(outcome);
    expect(events.filter((event) => event.kind === 'step.failed')).toEqual([]);
    expect(console.pki.getCertificate(provisioned.certificate.serial).status).toBe('active');
    expect(device.committed()).not.toBeNull();
  });
});

describe('a bad line and a flaky device', () => {
  it('provisions over corrupted bytes, a lost request and a lost answer by retransmitting, making one key', async () => {
    const console = openConsole();
    const { personality, device } = newDevice('flaky');
    const scheduler = steppingScheduler();
    const csrs: Uint8Array[] = [];
    device.on((event) => {
      // A frame was lost or damaged: the console's retransmission timer is what recovers it.
      if (event.kind === 'fault') setImmediate(() => scheduler.fireNext());
      if (event.kind === 'csr') csrs.push(event.csrDer);
    });
    const { consolePort } = await plugIn(device, { line: personality.line! });
    const retries: ProvisioningEvent[] = [];
    const outcome = expectProvisioned(
      await console.provision(consolePort, {
        placement: { zoneId: 'life-sustaining' },
        driver: { link: { scheduler } },
        onEvent: (event) => {
          if (event.kind === 'retry') retries.push(event);
        },
      }),
    );
    expect(outcome.retransmissions).toBe(3);
    expect(retries.map((event) => event.kind === 'retry' && event.step)).toEqual([
      'identify',
      'csr',
      'issue',
    ]);
    expect(device.requests.filter((request) => request === 'csrRequest')).toHaveLength(1);
    expect(csrs).toHaveLength(1);
    expect(console.pki.listCertificates({ deviceUid: outcome.deviceUid })).toHaveLength(1);
    // The same CSR presented again gets the same certificate back.
    const again = console.pki.issue({
      csr: csrs[0]!,
      device: {
        uid: outcome.deviceUid,
        name: 'InfuPro 3000',
        serialNumber: device.spec.serialNumber,
      },
    });
    expect(again).toMatchObject({
      reissued: true,
      record: { serial: outcome.certificate.serial, status: 'active' },
    });
    expect(device.snapshot().committed?.certificateSha256).toBe(
      outcome.certificate.fingerprintSha256,
    );
  });

  it("fails at confirm when the device's fail-safe ran out, and abandons the certificate", async () => {
    const console = openConsole();
    const personality = createPersonality(world, 'infusion-pump');
    const deviceScheduler = manualScheduler();
    const device = createSimulatedDevice(personality.spec, { scheduler: deviceScheduler });
    const { consolePort } = await plugIn(device);
    const outcome = expectFailed(
      await console.provision(consolePort, {
        placement: { zoneId: 'life-sustaining' },
        wrapDriver: (driver) => ({
          ...driver,
          protocol: driver.protocol,
          get stats() {
            return driver.stats;
          },
          confirm() {
            // Two minutes pass at the bedside between INSTALL and CONFIRM.
            deviceScheduler.advance(120_000);
            return driver.confirm();
          },
        }),
      }),
    );
    expect(outcome).toMatchObject({
      step: 'confirm',
      code: 'fail_safe_expired',
      certificateInDoubt: null,
    });
    const [certificate] = console.pki.listCertificates({});
    expect(certificate).toMatchObject({ status: 'revoked', abandoned: true });
    expect(device.snapshot()).toMatchObject({
      state: 'idle',
      committed: null,
      inactiveSlot: false,
    });
    expectNothingCommitted(console, device.spec.serialNumber);
  });
});

const pullSteps: { request: RequestKind; step: string; issued: boolean }[] = [
  { request: 'hello', step: 'connect', issued: false },
  { request: 'identify', step: 'identify', issued: false },
  { request: 'attest', step: 'authenticate', issued: false },
  { request: 'csrRequest', step: 'csr', issued: false },
  { request: 'issue', step: 'issue', issued: true },
  { request: 'install', step: 'install', issued: true },
  { request: 'confirm', step: 'confirm', issued: true },
];

describe('pulling the cable', () => {
  it.each(pullSteps)(
    'at $request leaves nothing active, no device in service and the device as it was; a re-run provisions',
    async ({ request, step, issued }) => {
      const console = openConsole();
      const { device } = newDevice('infusion-pump');
      const before = device.snapshot();
      const first = await plugIn(device, { pullAt: { step: request, phase: 'before' } });
      const failed = expectFailed(
        await console.provision(first.consolePort, { placement: { zoneId: 'life-sustaining' } }),
      );
      await first.attachment.detached;
      expect(failed).toMatchObject({ step, code: 'cable_pulled' });
      expect(failed.reason).toMatch(/cable pulled or port closed/);
      expect(device.snapshot()).toEqual(before);
      expectNothingCommitted(console, device.spec.serialNumber);
      const certificates = console.pki.listCertificates({});
      if (!issued) {
        expect(certificates).toEqual([]);
      } else if (request === 'confirm') {
        // CONFIRM went out unanswered: the device might have committed, so it stays pending.
        expect(certificates).toMatchObject([
          { status: 'pending', serial: failed.certificateInDoubt },
        ]);
      } else {
        expect(certificates).toMatchObject([{ status: 'revoked', abandoned: true }]);
      }

      const second = await plugIn(device);
      const outcome = expectProvisioned(
        await console.provision(second.consolePort, { placement: { zoneId: 'life-sustaining' } }),
      );
      expect(outcome.reconciled).toBe(false);
      const after = console.pki.listCertificates({ deviceUid: outcome.deviceUid });
      expect(
        after.filter((record) => record.status === 'active').map((record) => record.serial),
      ).toEqual([outcome.certificate.serial]);
      expect(after.filter((record) => record.status === 'pending')).toEqual([]);
      if (issued) expect(after).toHaveLength(2);
      expect(device.snapshot().committed?.certificateSha256).toBe(
        outcome.certificate.fingerprintSha256,
      );
    },
  );

  it.each(['csrRequest', 'install'] as const)(
    'just after the device acted on %s: the device discards what was pending',
    async (request) => {
      const console = openConsole();
      const { device } = newDevice('infusion-pump');
      const reverted: string[] = [];
      device.on((event) => {
        if (event.kind === 'reverted') reverted.push(event.why);
      });
      const line = await plugIn(device, { pullAt: { step: request, phase: 'after' } });
      expectFailed(
        await console.provision(line.consolePort, { placement: { zoneId: 'life-sustaining' } }),
      );
      await line.attachment.detached;
      expect(reverted).toEqual(['the line went away']);
      expect(device.snapshot()).toMatchObject({
        state: 'idle',
        committed: null,
        pendingKey: false,
        inactiveSlot: false,
        failSafeArmed: false,
      });
      expectNothingCommitted(console, device.spec.serialNumber);
    },
  );

  it('after the device committed but before CONFIRMED arrived: the next session reconciles the same certificate', async () => {
    const console = openConsole();
    const { device } = newDevice('infusion-pump');
    const first = await plugIn(device, { pullAt: { step: 'confirm', phase: 'after' } });
    const failed = expectFailed(
      await console.provision(first.consolePort, {
        placement: { zoneId: 'life-sustaining', vlan: 111 },
      }),
    );
    await first.attachment.detached;
    expect(failed).toMatchObject({ step: 'confirm', code: 'cable_pulled' });
    const serial = failed.certificateInDoubt!;
    expect(console.pki.getCertificate(serial).status).toBe('pending');
    // The device switched to the new identity; the console did not hear it.
    expect(device.snapshot().committed?.certificateSha256).toBe(
      console.pki.getCertificate(serial).fingerprintSha256,
    );
    expectNothingCommitted(console, device.spec.serialNumber);

    const second = await plugIn(device);
    const events: ProvisioningEvent[] = [];
    const outcome = expectProvisioned(
      await console.provision(second.consolePort, {
        placement: { zoneId: 'medical-devices' },
        onEvent: (event) => events.push(event),
      }),
    );
    // The same certificate, in the zone and VLAN the device was given, with no new key.
    expect(outcome).toMatchObject({
      reconciled: true,
      certificate: { serial },
      zoneId: 'life-sustaining',
      vlan: 111,
    });
    expect(console.pki.getCertificate(serial).status).toBe('active');
    expect(console.pki.listCertificates({})).toHaveLength(1);
    expect(device.requests.slice(-4)).toEqual(['hello', 'identify', 'attest', 'attest']);
    const passed = events
      .filter((event) => event.kind === 'step.passed')
      .map((event) => event.kind === 'step.passed' && event.step);
    expect(passed).toEqual([
      'connect',
      'identify',
      'authenticate',
      'firmware',
      'confirm',
      'commit',
    ]);
  });
});

describe('what the console keeps when things go wrong after the certificate was issued', () => {
  it('abandons the certificate when the device breaks the protocol after it was issued', async () => {
    const console = openConsole();
    const { device } = newDevice('infusion-pump');
    const { consolePort } = await plugIn(device);
    const outcome = expectFailed(
      await console.provision(consolePort, {
        placement: { zoneId: 'life-sustaining' },
        wrapDriver: (driver) => ({
          ...driver,
          protocol: driver.protocol,
          get stats() {
            return driver.stats;
          },
          async install() {
            await driver.install();
            throw new WardkeepFailure('provision.protocol', 'the device installed another bundle', {
              operation: 'install',
            });
          },
        }),
      }),
    );
    expect(outcome).toMatchObject({
      step: 'install',
      code: 'protocol_error',
      certificateInDoubt: null,
    });
    expect(console.pki.listCertificates({})).toMatchObject([
      { status: 'revoked', abandoned: true },
    ]);
    // The console told the device to drop what it installed.
    expect(device.requests.at(-1)).toBe('abort');
    expect(device.snapshot()).toMatchObject({
      state: 'idle',
      committed: null,
      inactiveSlot: false,
    });
    expect(console.records.listAttempts()).toMatchObject([
      { outcome: 'failed', step: 'install', code: 'protocol_error', certificateState: 'abandoned' },
    ]);
  });

  it('fails closed when the commit cannot be audited, and the next session reconciles', async () => {
    const console = openConsole();
    const { device } = newDevice('infusion-pump');
    const first = await plugIn(device);
    const failingCommit: AuditedRunner = (entry, work) =>
      console.audit((value) => {
        const given = typeof entry === 'function' ? entry(value) : entry;
        if (given.action === 'provision.device.commit') {
          throw new WardkeepFailure('audit.write_failed', 'the audit record could not be written');
        }
        return given;
      }, work);
    const failed = expectFailed(
      await runProvisioningSession(
        (options) => createReferenceDriver(first.consolePort, options),
        { ...console.dependencies, audit: failingCommit },
        { actor: 'tech.jones', placement: { zoneId: 'life-sustaining' } },
      ),
    );
    expect(failed).toMatchObject({ step: 'commit', code: 'internal' });
    expect(failed.reason).toMatch(/audit record could not be written/);
    // Nothing of the commit happened; the device did commit, so the certificate is in doubt.
    expect(console.pki.getCertificate(failed.certificateInDoubt!).status).toBe('pending');
    expectNothingCommitted(console, device.spec.serialNumber);
    expect(device.snapshot().committed).not.toBeNull();

    const second = await plugIn(device);
    const outcome = expectProvisioned(
      await console.provision(second.consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    expect(outcome).toMatchObject({
      reconciled: true,
      certificate: { serial: failed.certificateInDoubt },
    });
  });

  it('abandons certificates left in doubt once the hold time has passed', async () => {
    const console = openConsole();
    const { device } = newDevice('infusion-pump');
    const line = await plugIn(device, { pullAt: { step: 'confirm', phase: 'before' } });
    const failed = expectFailed(
      await console.provision(line.consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    const serial = failed.certificateInDoubt!;
    console.clock.advance(2 * 60 * 60 * 1000);
    const other = newDevice('patient-monitor');
    const next = await plugIn(other.device);
    expectProvisioned(
      await console.provision(next.consolePort, { placement: { zoneId: 'medical-devices' } }),
    );
    expect(console.pki.getCertificate(serial)).toMatchObject({
      status: 'revoked',
      abandoned: true,
    });
    const [record] = console.auditLog.list({ action: 'provision.certificate.abandon' }).records;
    expect(record).toMatchObject({ details: { serials: [serial] } });
  });

  it('stops when the device is in clinical use, leaving it untouched', async () => {
    const console = openConsole();
    const personality = createPersonality(world, 'infusion-pump');
    const device = createSimulatedDevice(
      { ...personality.spec, inClinicalUse: true },
      { scheduler: manualScheduler() },
    );
    const { consolePort } = await plugIn(device);
    const outcome = expectRefused(
      await console.provision(consolePort, { placement: { zoneId: 'life-sustaining' } }),
    );
    expect(outcome).toMatchObject({
      step: 'csr',
      code: 'device_refused',
      deviceCode: 'in_clinical_use',
    });
    expect(outcome.reason).toBe(
      'the device refused while getting the certificate request: in_clinical_use (the device is in use on a patient)',
    );
    expect(console.pki.listCertificates({})).toEqual([]);
  });
});
