// Bedside provisioning in the real UI against the real services: an engineer sets up the console's
// PKI through the real handlers (a local CA, the simulated world's manufacturers, baseline
// publisher key, firmware baseline and zones) and imports the legacy pump from the maintenance
// system's CSV; then a technician provisions simulated devices on socat PTY pairs through the
// wizard: an infusion pump (its certificate checked with the real `openssl verify` against
// `pki:chain`), a clone, tampered firmware (quarantined, then held until explicitly released once
// its firmware is restored) and the legacy device. An engineer follows the legacy refusal to a
// documented exception, reviews it and revokes it.
// Main runs on a frozen clock; every PTY and port is closed after each test.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, RequestOf, ResultOf } from '../../src-preload/contract';
import { frozenClock } from '../../src-main/lib/clock';
import { zonesTemplatePath } from '../../src-main/network/template';
import { opensslOk, verifyWithOpenssl } from '../../src-main/pki/testing';
import { manualScheduler } from '../../src-main/provisioning/scheduler';
import { createSimulatedDevice } from '../sim/device';
import type { SimulatedDevice, SimulatedDeviceSpec } from '../sim/device';
import type { PersonalityName } from '../sim/personalities';
import { createPersonality } from '../sim/personalities';
import type { SimulationWorld } from '../sim/world';
import { createSimulationWorld } from '../sim/world';
import type { TestAccount } from '../support/accounts';
import { addAccount, dispatch, nextCode, setUpConsole, stepUp } from '../support/accounts';
import { signInThroughPage, startWardkeep } from '../support/browser';
import type { WardkeepSession } from '../support/browser';
import { createPtyHarness } from '../support/pty';
import { useTempDirs } from '../support/temp';

const clock = frozenClock(Date.UTC(2026, 10, 23, 10));
const engineerClient = 'pki-engineer';
const tempDir = useTempDirs();
const ptys = createPtyHarness();
/** Long enough for a session over a PTY on two shared cores; never a sleep. */
const outcomeTimeoutMs = 45_000;

let wardkeep: WardkeepSession;
let engineer: TestAccount;
let technician: TestAccount;
let world: SimulationWorld;
/** The legacy pump: one device, in the inventory from the CSV and plugged in twice. */
let legacySpec: SimulatedDeviceSpec;
/** The pump refused for tampered firmware, whose image is later restored. */
let tampered: SimulatedDevice;

afterEach(async () => {
  await ptys.cleanup();
});

beforeAll(async () => {
  wardkeep = await startWardkeep({ services: { clock } });
  const { admin } = await setUpConsole(wardkeep.registry, clock, 'seed-admin');
  engineer = await addAccount(
    wardkeep.registry,
    clock,
    admin,
    'seed-admin',
    'pki.engineer',
    'engineer',
    engineerClient,
  );
  technician = await addAccount(
    wardkeep.registry,
    clock,
    admin,
    'seed-admin',
    'bedside.tech',
    'technician',
    'technician-seed',
  );
  world = createSimulationWorld(clock.nowMs());
  legacySpec = createPersonality(world, 'legacy').spec;
  await wardkeep.open();
  await signInThroughPage(wardkeep.page, technician.username, technician.password, () =>
    nextCode(clock, technician.secret),
  );
});

afterAll(async () => {
  await wardkeep?.close();
});

function page() {
  return wardkeep.page;
}

/** A call as the engineer, beside the technician's page (as another window would be). */
function engineerCall<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResultOf<C>> {
  return dispatch(wardkeep.registry, engineerClient, channel, request);
}

async function openView(name: 'Provision' | 'Certificates' | 'Inventory'): Promise<void> {
  await page()
    .getByRole('navigation', { name: 'Console views' })
    .getByRole('button', { name, exact: true })
    .click();
}

/**
 * A simulated device of `personality` (or made from `spec`) on end b of a fresh PTY pair; the UI
 * opens end a.
 */
async function plugIn(personality: PersonalityName | SimulatedDeviceSpec): Promise<{
  device: SimulatedDevice;
  consolePath: string;
}> {
  const pair = await ptys.pair();
  const spec =
    typeof personality === 'string' ? createPersonality(world, personality).spec : personality;
  const device = createSimulatedDevice(spec, { scheduler: manualScheduler() });
  device.attach(await ptys.open(pair.b));
  return { device, consolePath: pair.a };
}

const releaseLabel = 'Release from quarantine (recorded in the audit log)';

async function startOn(
  consolePath: string,
  options: { releaseQuarantine?: boolean } = {},
): Promise<void> {
  await openView('Provision');
  await page().getByLabel('Other port path').fill(consolePath);
  const release = page().getByLabel(releaseLabel);
  // Never ticked unless the person ticks it for this device.
  expect(await release.isChecked()).toBe(false);
  if (options.releaseQuarantine) await release.check();
  await page().getByRole('button', { name: 'Start provisioning' }).click();
}

/** Answers the step-up dialog with the engineer's password and a fresh code. */
async function confirmStepUp(): Promise<void> {
  const dialog = page().getByTestId('stepup-dialog');
  await dialog.waitFor();
  await dialog.getByLabel('Password').fill(engineer.password);
  await dialog.getByLabel('Authenticator code').fill(nextCode(clock, engineer.secret));
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await dialog.waitFor({ state: 'detached' });
}

async function outcome(status: 'provisioned' | 'refused' | 'failed') {
  const panel = page().locator(`[data-testid="provision-outcome"][data-status="${status}"]`);
  await panel.waitFor({ timeout: outcomeTimeoutMs });
  return panel;
}

async function fact(term: string): Promise<string> {
  const value = page().locator(`.provision-outcome__fact[data-term="${term}"] dd`);
  return ((await value.textContent()) ?? '').trim();
}

async function stepStatuses(): Promise<Record<string, string>> {
  const steps = page().getByTestId('provision-step');
  const entries: Array<[string, string]> = [];
  for (const step of await steps.all()) {
    entries.push([
      (await step.getAttribute('data-step')) ?? '',
      (await step.getAttribute('data-status')) ?? '',
    ]);
  }
  return Object.fromEntries(entries);
}

async function provisionAnother(): Promise<void> {
  await page().getByRole('button', { name: 'Provision another device' }).click();
  await page().getByRole('button', { name: 'Start provisioning' }).waitFor();
}

describe('before the PKI is set up', () => {
  it('tells the technician what an engineer must set up, and offers the port list with a refresh', async () => {
    await openView('Provision');
    const banner = page().getByTestId('pki-setup-banner');
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain('ask an engineer to');
    expect(text).toContain("create or import the console's certificate authority");
    expect(text).toContain("import the manufacturers' trust anchors");
    expect(text).toContain('import a signed firmware baseline');
    await page().getByRole('button', { name: 'Refresh' }).click();
    await page().getByLabel('Serial port', { exact: true }).waitFor();
    await page().getByLabel('Other port path').waitFor();
    await wardkeep.screenshot('80-provision-not-ready');
  });
});

describe('with the console set up by an engineer', () => {
  beforeAll(async () => {
    await stepUp(wardkeep.registry, clock, engineerClient, engineer);
    await engineerCall('pki:create-authority', {
      siteName: 'Hôpital Saint-Louis',
      keyAlgorithm: 'ecdsa-p256',
    });
    await engineerCall('trust:import', { pem: world.trustBundlePem });
    await engineerCall('baseline:publisher', { pem: world.baselinePublisherPem });
    await engineerCall('baseline:import', { content: world.baselineFile });
    const current = await engineerCall('network:policy', {});
    await engineerCall('network:import-zones', {
      content: readFileSync(zonesTemplatePath(), 'utf8'),
      reason: 'segmentation for the bedside provisioning test',
      baseVersion: current.version,
    });
    // The legacy pump comes from the maintenance system's export, through the import channels.
    const csv = [
      'asset_tag,manufacturer,model,serial_number,device_class,criticality,lifecycle_state',
      `PUMP-OLD-12,${legacySpec.manufacturer},${legacySpec.model},${legacySpec.serialNumber},infusion_pump,life_sustaining,in_service`,
    ].join('\n');
    const staged = await engineerCall('imports:stage', {
      fileName: 'cmms-export.csv',
      content: csv,
    });
    const imported = await engineerCall('imports:commit', {
      stagingId: staged.stagingId,
      mapping: staged.suggestedMapping,
      skipInvalid: false,
    });
    expect(imported).toMatchObject({ committed: true, created: 1, invalidRows: 0 });
    // The view reads the PKI's state when it opens.
    await openView('Inventory');
    await openView('Provision');
  });

  it('provisions an infusion pump in the chosen zone; its certificate verifies with openssl against the CA chain', async () => {
    await page().getByTestId('pki-setup-banner').waitFor({ state: 'detached' });
    const { device, consolePath } = await plugIn('infusion-pump');
    await startOn(consolePath);

    const zoneForm = page().getByTestId('zone-choice');
    await zoneForm.waitFor({ timeout: outcomeTimeoutMs });
    const identity = page().getByTestId('device-identity');
    expect(await identity.getByTestId('identity-serial').textContent()).toBe(
      device.spec.serialNumber,
    );
    expect(await identity.textContent()).toContain('New: not in the inventory yet');
    expect(await stepStatuses()).toMatchObject({
      connect: 'passed',
      identify: 'passed',
      authenticate: 'passed',
      firmware: 'passed',
      placement: 'running',
      csr: 'waiting',
    });
    await zoneForm.getByLabel('Zone', { exact: true }).selectOption('medical-devices');
    await wardkeep.screenshot('81-provision-zone-choice');
    await zoneForm.getByRole('button', { name: 'Place the device here' }).click();

    const panel = await outcome('provisioned');
    expect(await panel.getByRole('heading').first().textContent()).toBe('Provisioned');
    expect(Object.values(await stepStatuses())).toEqual(Array(10).fill('passed'));
    expect(await fact('Zone')).toMatch(/^medical-devices, VLAN \d+$/);
    expect(await fact('Inventory record')).toBe('Created for this device');
    const serial = await fact('Certificate serial');
    const fingerprint = await fact('Fingerprint (SHA-256)');
    expect(serial).toMatch(/^[0-9a-f]+$/);

    // The certificate the device committed is the one the outcome names, and it verifies.
    const committed = device.committed();
    expect(committed?.zoneId).toBe('medical-devices');
    const certificate = new X509Certificate(committed!.certificateDer);
    expect(certificate.fingerprint256).toBe(fingerprint);
    expect(certificate.serialNumber.toLowerCase().replace(/^0+/, '')).toBe(
      serial.replace(/^0+/, ''),
    );
    const chain = await engineerCall('pki:chain', {});
    const verified = verifyWithOpenssl(tempDir(), {
      trustedPem: chain.content,
      certificatePem: certificate.toString(),
      atMs: clock.nowMs(),
      purpose: 'sslclient',
    });
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/: OK$/m);

    const label = page().getByTestId('device-label');
    expect(await label.textContent()).toContain(device.spec.serialNumber);
    expect(await label.textContent()).toContain(fingerprint.split(':').slice(0, 8).join(':'));
    await wardkeep.screenshot('82-provision-provisioned');

    await page()
      .locator('[data-testid="attempt-row"][data-outcome="provisioned"]')
      .first()
      .waitFor();
    await provisionAnother();
  });

  it('refuses a clone carrying another device’s identity, naming the reason, and issues nothing', async () => {
    const { device, consolePath } = await plugIn('clone');
    await startOn(consolePath);
    const panel = await outcome('refused');
    expect(await panel.getByRole('heading').first().textContent()).toBe(
      'Refused: Its serial number differs from the one its factory certificate names',
    );
    expect(await page().getByTestId('provision-outcome-summary').textContent()).toMatch(
      /^Possible clone: serial mismatch: the device reports serial/,
    );
    expect(await fact('Refused at')).toBe('Prove it is genuine');
    expect(await fact('Quarantined')).toBe('No');
    expect(await panel.textContent()).toContain('counterfeit or cloned');
    const statuses = await stepStatuses();
    expect(statuses).toMatchObject({
      identify: 'passed',
      authenticate: 'failed',
      firmware: 'not_reached',
    });
    const failed = page().locator('[data-testid="provision-step"][data-step="authenticate"]');
    expect(await failed.textContent()).toContain('serial_mismatch');
    expect(device.committed()).toBeNull();
    await wardkeep.screenshot('83-provision-refused-clone');
    await provisionAnother();
  });

  it('refuses tampered firmware and says the device was quarantined', async () => {
    const { device, consolePath } = await plugIn('tampered-firmware');
    tampered = device;
    await startOn(consolePath);
    const panel = await outcome('refused');
    expect(await panel.getByRole('heading').first().textContent()).toBe(
      'Refused: Its firmware image does not match the approved image of that version',
    );
    expect(await page().getByTestId('provision-outcome-summary').textContent()).toMatch(
      /hash mismatch.*possible tampering/,
    );
    expect(await fact('Quarantined')).toBe('Yes: recorded as quarantined in the inventory');
    expect(await fact('Refused at')).toBe('Check its firmware');
    expect(await panel.textContent()).toContain('out of clinical use');
    expect(device.committed()).toBeNull();
    const quarantined = await engineerCall('devices:list', { text: device.spec.serialNumber });
    expect(quarantined.rows).toMatchObject([
      { serialNumber: device.spec.serialNumber, lifecycleState: 'quarantined' },
    ]);
    await wardkeep.screenshot('84-provision-refused-tampered');
    await provisionAnother();
  });

  it('holds the quarantined pump once its firmware is restored, until the technician releases it explicitly', async () => {
    // The same pump (same IDevID and serial) with its approved image written back.
    const restored = {
      ...tampered.spec,
      firmware: createPersonality(world, 'infusion-pump').spec.firmware,
    };
    const held = await plugIn(restored);
    await startOn(held.consolePath);
    const panel = await outcome('refused');
    expect(await panel.getByRole('heading').first().textContent()).toBe(
      'Refused: The inventory holds this device as quarantined',
    );
    expect(await fact('Refused at')).toBe('Prove it is genuine');
    expect(await fact('Quarantined')).toBe('Yes: the inventory already holds it as quarantined');
    expect(await panel.textContent()).toContain('tick "Release from quarantine" before starting');
    expect(await stepStatuses()).toMatchObject({ authenticate: 'failed', firmware: 'not_reached' });
    const failed = page().locator('[data-testid="provision-step"][data-step="authenticate"]');
    expect(await failed.textContent()).toContain('device_quarantined');
    expect(held.device.committed()).toBeNull();
    await wardkeep.screenshot('90-provision-quarantine-held');
    await provisionAnother();

    const released = await plugIn(restored);
    await openView('Provision');
    await page().getByLabel('Other port path').fill(released.consolePath);
    await page().getByLabel(releaseLabel).check();
    await wardkeep.screenshot('91-provision-release-ticked');
    await page().getByRole('button', { name: 'Start provisioning' }).click();
    const zoneForm = page().getByTestId('zone-choice');
    await zoneForm.waitFor({ timeout: outcomeTimeoutMs });
    expect(await page().getByTestId('provision-session-bar').textContent()).toContain(
      'releasing from quarantine',
    );
    expect(await page().getByTestId('device-identity').textContent()).toContain('Quarantined');
    await page().getByTestId('zone-choice-quarantine').waitFor();
    await zoneForm.getByLabel('Zone', { exact: true }).selectOption('life-sustaining');
    await wardkeep.screenshot('92-provision-release-zone');
    await zoneForm.getByRole('button', { name: 'Place the device here' }).click();

    await outcome('provisioned');
    expect(await fact('Quarantine')).toBe(
      'Released: the device is in service again (recorded in the audit log)',
    );
    expect(await fact('Inventory record')).toBe('Existing record updated');
    expect(released.device.committed()?.zoneId).toBe('life-sustaining');
    const stored = await engineerCall('devices:list', { text: restored.serialNumber });
    expect(stored.rows).toMatchObject([
      { serialNumber: restored.serialNumber, lifecycleState: 'in_service' },
    ]);
    const [commit] = wardkeep.services
      .audit()
      .list({ action: 'provision.device.commit', limit: 1000 })
      .records.filter((record) => record.details?.serialNumber === restored.serialNumber);
    expect(commit).toMatchObject({
      actor: technician.username,
      details: { releasedFromQuarantine: true },
    });
    await wardkeep.screenshot('93-provision-released');
    await provisionAnother();
    // The release was for that device only.
    expect(await page().getByLabel(releaseLabel).isChecked()).toBe(false);
  });

  it('refuses a legacy device without crypto and suggests a documented exception', async () => {
    const { device, consolePath } = await plugIn(legacySpec);
    await startOn(consolePath);
    const panel = await outcome('refused');
    expect(await panel.getByRole('heading').first().textContent()).toBe(
      'Refused: The device cannot hold a certificate (legacy device)',
    );
    expect(await fact('Refused at')).toBe('Identify the device');
    expect(await panel.textContent()).toContain('Document a legacy-device exception');
    // A technician cannot accept a risk: the suggestion names who can.
    const suggestion = page().getByTestId('exception-suggestion');
    expect(await suggestion.textContent()).toContain('Ask an engineer to document');
    // It answers IDENTIFY with an error, so the console knows no maker or serial to show.
    expect(await fact('Why')).toBe('The device cannot hold a certificate (legacy device)');
    expect(device.committed()).toBeNull();
    await wardkeep.screenshot('85-provision-refused-legacy');
    await provisionAnother();
  });

  it('lists every attempt in the history, and the issued certificate in the certificates view', async () => {
    const rows = page().getByTestId('attempt-row');
    await rows.nth(5).waitFor();
    const outcomes: Array<string | null> = [];
    for (const row of await rows.all()) outcomes.push(await row.getAttribute('data-outcome'));
    expect(outcomes.filter((value) => value === 'refused')).toHaveLength(4);
    expect(outcomes.filter((value) => value === 'provisioned')).toHaveLength(2);

    await openView('Certificates');
    await page().getByRole('tab', { name: 'Certificates', exact: true }).click();
    const certificates = page().locator('[data-testid="certificate-row"][data-status="active"]');
    await certificates.nth(1).waitFor();
    expect(await certificates.count()).toBe(2);
    // A technician sees the certificates but is offered no revocation.
    expect(await page().getByRole('button', { name: 'Revoke…' }).count()).toBe(0);
    await wardkeep.screenshot('86-certificates-technician');
    expect(wardkeep.pageErrors.filter((text) => !text.includes('Failed to load resource'))).toEqual(
      [],
    );
  });
});

describe('an engineer in the certificates view', () => {
  beforeAll(async () => {
    await page().getByRole('button', { name: 'Lock', exact: true }).click();
    await page().getByRole('button', { name: 'Sign out (another user)' }).click();
    await signInThroughPage(page(), engineer.username, engineer.password, () =>
      nextCode(clock, engineer.secret),
    );
  });

  it('sees the CA and what makes devices genuine, and downloads the CA chain', async () => {
    await openView('Certificates');
    await page().getByRole('tab', { name: 'Overview', exact: true }).click();
    const summary = page().getByTestId('authority-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Created on this console');
    expect(await page().getByTestId('pki-overview').textContent()).toContain('2 trust anchors');
    expect(await page().getByTestId('pki-setup-banner').count()).toBe(0);
    const [download] = await Promise.all([
      page().waitForEvent('download'),
      page().getByRole('button', { name: 'Download CA chain (PEM)' }).click(),
    ]);
    const chain = await readFile(await download.path(), 'utf8');
    expect(chain).toBe((await engineerCall('pki:chain', {})).content);
    await wardkeep.screenshot('87-certificates-overview');

    await page().getByRole('tab', { name: 'Manufacturers and firmware' }).click();
    await page().getByTestId('trust-anchor-row').nth(1).waitFor();
    expect(await page().getByTestId('trust-anchor-row').count()).toBe(2);
    expect(await page().getByTestId('baseline-summary').textContent()).toContain('sequence 1');
    await page().getByRole('button', { name: 'Import baseline' }).waitFor();
    await wardkeep.screenshot('89-certificates-trust');

    await page().getByRole('tab', { name: 'Legacy exceptions' }).click();
    await page().getByTestId('no-exceptions').waitFor();
    await page().getByRole('button', { name: 'Document an exception…' }).click();
    await page().getByTestId('exception-form').waitFor();
    await page().getByRole('button', { name: 'Cancel' }).click();
  });

  it('revokes the pump’s certificate after the step-up, and publishes a CRL that openssl reads', async () => {
    await page().getByRole('tab', { name: 'Certificates', exact: true }).click();
    const row = page().locator('[data-testid="certificate-row"][data-status="active"]').first();
    await row.waitFor();
    const serial = (await row.getAttribute('data-serial')) ?? '';
    // Signing in counts as a fresh confirmation; five minutes later revocation asks again.
    clock.advance(6 * 60_000);
    await row.getByRole('button', { name: 'Revoke…' }).click();
    const revokeDialog = page().getByTestId('revoke-dialog');
    await revokeDialog.getByLabel('Reason').selectOption('keyCompromise');
    await revokeDialog.getByRole('button', { name: 'Revoke certificate' }).click();

    const stepUpDialog = page().getByTestId('stepup-dialog');
    await stepUpDialog.waitFor();
    await stepUpDialog.getByLabel('Password').fill(engineer.password);
    await stepUpDialog.getByLabel('Authenticator code').fill(nextCode(clock, engineer.secret));
    await stepUpDialog.getByRole('button', { name: 'Confirm' }).click();
    await page().getByTestId('revoke-done').waitFor();
    await page()
      .locator(`[data-testid="certificate-row"][data-serial="${serial}"][data-status="revoked"]`)
      .waitFor();
    expect(await page().getByTestId('stepup-dialog').count()).toBe(0);

    await page().getByRole('tab', { name: 'Overview', exact: true }).click();
    const [download] = await Promise.all([
      page().waitForEvent('download'),
      page().getByRole('button', { name: 'Publish CRL' }).click(),
    ]);
    const dir = tempDir();
    const crlPath = join(dir, download.suggestedFilename());
    await download.saveAs(crlPath);
    const text = opensslOk(dir, ['crl', '-in', crlPath, '-noout', '-text']);
    expect(text.toLowerCase()).toContain(serial.toLowerCase());
    expect(text).toContain('Key Compromise');
    await page().getByTestId('latest-crl').filter({ hasText: '1 revoked' }).waitFor();
    await wardkeep.screenshot('88-certificates-revoked-crl');
    expect(wardkeep.pageErrors.filter((text) => !text.includes('Failed to load resource'))).toEqual(
      [],
    );
  });

  it('follows the legacy refusal to the exception form, finds the imported device and documents its exception after the step-up', async () => {
    const { device, consolePath } = await plugIn(legacySpec);
    await startOn(consolePath);
    await outcome('refused');
    expect(await fact('Why')).toBe('The device cannot hold a certificate (legacy device)');
    // It answered IDENTIFY with an error: nothing in the session names its serial.
    expect(await page().getByTestId('device-identity').count()).toBe(0);
    expect(device.committed()).toBeNull();
    const suggestion = page().getByTestId('exception-suggestion');
    await wardkeep.screenshot('94-provision-legacy-engineer');
    await suggestion.getByRole('button', { name: 'Document a legacy-device exception…' }).click();

    const form = page().getByTestId('exception-form');
    await form.waitFor();
    expect(
      await page().getByRole('tab', { name: 'Legacy exceptions' }).getAttribute('aria-selected'),
    ).toBe('true');
    expect(await form.getByTestId('exception-subject').textContent()).toContain(
      'It could not identify itself over the serial line',
    );
    const [inventoryDevice] = (
      await engineerCall('devices:list', { text: legacySpec.serialNumber })
    ).rows;
    expect(inventoryDevice).toMatchObject({ assetTag: 'PUMP-OLD-12', model: legacySpec.model });

    await form
      .getByLabel('Find the device (serial number or asset tag)')
      .fill(legacySpec.serialNumber);
    await form.getByRole('button', { name: 'Find', exact: true }).click();
    const choice = form.getByLabel('Device', { exact: true });
    await choice.waitFor();
    // The one device with that serial is chosen.
    expect(await choice.inputValue()).toBe(inventoryDevice!.uid);
    await form
      .getByLabel('Risk accepted')
      .fill('The pump cannot authenticate to the network or prove its firmware.');
    await form
      .getByLabel('Compensating controls (one per line)')
      .fill('Restricted zone with no route to the internet\nFlows monitored by the console');
    await form.getByLabel('Restricted zone').selectOption('life-sustaining');
    await form.getByLabel('Risk owner').fill('Head of clinical engineering');
    await form.getByLabel('Review by').fill('2027-02-21');
    await wardkeep.screenshot('95-exception-form');

    // The last confirmation is more than five minutes old: accepting a risk asks again.
    clock.advance(6 * 60_000);
    await form.getByRole('button', { name: 'Document exception' }).click();
    await confirmStepUp();
    await page()
      .getByTestId('exceptions-notice')
      .filter({ hasText: 'review by 2027-02-21' })
      .waitFor();
    expect(await page().getByTestId('exception-form').count()).toBe(0);
    const listed = page().getByTestId('exception-record');
    await listed.first().waitFor();
    expect(await listed.count()).toBe(1);
    const text = (await listed.first().textContent()) ?? '';
    expect(await listed.first().getAttribute('data-state')).toBe('active');
    expect(text).toContain(`serial ${legacySpec.serialNumber}`);
    expect(text).toContain('Due in 90 days');
    expect(text).toContain('2027-02-21');
    expect(text).toContain('Head of clinical engineering');
    expect(text).toContain('Flows monitored by the console');
    const [stored] = await engineerCall('provision:exceptions', {});
    expect(stored).toMatchObject({
      deviceUid: inventoryDevice!.uid,
      zoneId: 'life-sustaining',
      reviewDate: '2027-02-21',
      compensatingControls: [
        'Restricted zone with no route to the internet',
        'Flows monitored by the console',
      ],
      createdBy: engineer.username,
      status: 'active',
    });
    await wardkeep.screenshot('96-exception-listed');
  });

  it('records a review with a new date and a note, then revokes the exception after the step-up', async () => {
    const record = page().getByTestId('exception-record').first();
    await record.getByRole('button', { name: 'Record a review…' }).click();
    const review = record.getByRole('form', { name: 'Record a review' });
    await review.getByLabel('Next review').fill('2027-05-21');
    await review
      .getByLabel('What the review found')
      .fill('Still in use on ward 4; the zone holds and no unexpected flow was seen.');
    await review.getByRole('button', { name: 'Record review' }).click();
    await record.getByTestId('exception-change-done').waitFor();
    expect(await record.getByTestId('exception-change-done').textContent()).toBe(
      'Reviewed; next review 2027-05-21.',
    );
    await record.filter({ hasText: 'Due in 179 days' }).waitFor();
    expect(await record.textContent()).toContain('no unexpected flow was seen');
    expect(await record.textContent()).toContain(`by ${engineer.username}`);
    await wardkeep.screenshot('97-exception-reviewed');

    clock.advance(6 * 60_000);
    await record.getByRole('button', { name: 'Revoke…' }).click();
    const revoke = record.getByRole('form', { name: 'Revoke the exception' });
    await revoke
      .getByLabel('Why it is revoked')
      .fill('The pump was replaced by a model with an IDevID.');
    await revoke.getByRole('button', { name: 'Revoke exception' }).click();
    await confirmStepUp();
    await page().getByTestId('exceptions-notice').filter({ hasText: 'revoked' }).waitFor();
    await page().getByTestId('no-exceptions').waitFor();
    await page().getByLabel('Show revoked exceptions').check();
    const revoked = page().locator('[data-testid="exception-record"][data-state="revoked"]');
    await revoked.waitFor();
    expect(await revoked.textContent()).toContain('replaced by a model with an IDevID');
    expect(await engineerCall('provision:exceptions', { includeRevoked: true })).toMatchObject([
      { status: 'revoked', revokedBy: engineer.username, reviewDate: '2027-05-21' },
    ]);
    await wardkeep.screenshot('98-exception-revoked');
    expect(wardkeep.pageErrors.filter((text) => !text.includes('Failed to load resource'))).toEqual(
      [],
    );
  });
});
