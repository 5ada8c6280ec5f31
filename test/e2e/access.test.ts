// Accounts, MFA, step-up, break-glass and the idle lock in the real UI against the real access
// service: set-up with the sealed codes and the QR enrolment, a refused code, sign-in with a
// single-use recovery code, an account made by an administrator and its first sign-in, the
// step-up dialog before an export, a technician kept out of the administration, emergency access
// with its banner and its review by another administrator, the settings, and the idle lock.
// Main runs on a frozen clock: codes are deterministic and time passes only when a test says so.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totp } from '../../src-main/access/totp';
import { sessionLimits } from '../../src-main/access/sessions';
import { frozenClock } from '../../src-main/lib/clock';
import { addAccount, dispatch, nextCode, signIn, stepUp } from '../support/accounts';
import type { TestAccount } from '../support/accounts';
import { generatedTestPassword, signInThroughPage, startWardkeep } from '../support/browser';
import type { WardkeepSession } from '../support/browser';

const clock = frozenClock(Date.UTC(2026, 10, 23, 22));
/** The administrator's own calls to main, beside the page (as another window would be). */
const adminClient = 'admin-client';
const minute = 60_000;

let wardkeep: WardkeepSession;
const admin: TestAccount = {
  username: 'chief.admin',
  role: 'administrator',
  password: generatedTestPassword(),
  secret: '',
  recoveryCodes: [],
};
let emergencyCredential = '';
let exporter: TestAccount;
let secondAdmin: TestAccount;

/** The page's globals, typed loosely: this file is compiled without the DOM library. */
interface PageScope {
  wardkeep: Record<
    string,
    (request: unknown) => Promise<{ ok: boolean; error?: { code: string } }>
  >;
  dispatchEvent(event: unknown): boolean;
  Event: new (type: string) => unknown;
}

function page() {
  return wardkeep.page;
}

async function readSecret(): Promise<string> {
  await page().getByRole('heading', { name: 'Set up your authenticator' }).waitFor();
  return ((await page().getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
}

async function readRecoveryCodes(): Promise<string[]> {
  const list = page().getByTestId('mfa-recovery-codes');
  await list.waitFor();
  return (await list.locator('li').allTextContents()).map((code) => code.trim());
}

async function enterConsoleFromRecoveryCodes(): Promise<void> {
  await page().getByLabel('I have stored my recovery codes').check();
  await page().getByRole('button', { name: 'Continue to the console' }).click();
  await page().getByTestId('signed-in-user').waitFor();
}

/** Lock, then "Sign out (another user)": the plain sign-in form. */
async function signOutOfPage(): Promise<void> {
  await page().getByRole('button', { name: 'Lock', exact: true }).click();
  await page().getByRole('button', { name: 'Sign out (another user)' }).click();
  await page().getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
}

async function signInPage(account: TestAccount): Promise<void> {
  await signInThroughPage(page(), account.username, account.password, () =>
    nextCode(clock, account.secret),
  );
}

/** "username Role", as the header shows them side by side. */
async function signedInAs(): Promise<string> {
  const user = page().getByTestId('signed-in-user');
  const parts = await user.locator(':scope > span').allTextContents();
  return parts.join(' ');
}

function navigation() {
  return page().getByRole('navigation', { name: 'Console views' });
}

beforeAll(async () => {
  wardkeep = await startWardkeep({
    services: { clock, kdfCost: { memoryKiB: 19_456, iterations: 2, parallelism: 1 } },
  });
  await wardkeep.open();
});

afterAll(async () => {
  await wardkeep?.close();
});

describe('setting up the console', () => {
  it('shows the recovery code and the emergency credential once, then a QR code to enrol the authenticator', async () => {
    await page().getByRole('heading', { name: 'Set up this console' }).waitFor();
    await page().getByLabel('Administrator username').fill(admin.username);
    await page().getByLabel('Password', { exact: true }).fill(admin.password);
    await page().getByLabel('Repeat password').fill(admin.password);
    await page().getByRole('button', { name: 'Create administrator' }).click();

    await page().getByTestId('emergency-credential').waitFor();
    const recoveryCode = ((await page().getByTestId('recovery-code').textContent()) ?? '').trim();
    emergencyCredential = (
      (await page().getByTestId('emergency-credential').textContent()) ?? ''
    ).trim();
    expect(recoveryCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
    expect(emergencyCredential).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
    expect(emergencyCredential).not.toBe(recoveryCode);
    await wardkeep.screenshot('30-setup-sealed-codes');
    await page().getByLabel('I have stored both codes').check();
    await page().getByRole('button', { name: 'Continue to authenticator set-up' }).click();

    admin.secret = await readSecret();
    expect(admin.secret).toMatch(/^[A-Z2-7]{16,}$/);
    const qr = page().getByRole('img', { name: /QR code to add chief\.admin/ });
    await qr.waitFor();
    // A real QR symbol: version 2 or more (25+ modules) plus the quiet zone, many dark runs.
    const viewBox = (await qr.getAttribute('viewBox')) ?? '';
    expect(Number(viewBox.split(' ')[2])).toBeGreaterThanOrEqual(25 + 8);
    expect(await qr.locator('g rect').count()).toBeGreaterThan(100);
    expect(wardkeep.services.vault.isSetUp()).toBe(true);
    await wardkeep.screenshot('31-enrol-authenticator');
  });

  it('refuses a wrong code and stays on the enrolment, then accepts the right one and shows the recovery codes once', async () => {
    const right = nextCode(clock, admin.secret);
    const secret = base32Decode(admin.secret);
    const accepted = [-30_000, 0, 30_000].map((offset) => totp(secret, clock.nowMs() + offset));
    let wrong = right;
    while (accepted.includes(wrong))
      wrong = String((Number(wrong) + 1) % 1_000_000).padStart(6, '0');

    await page().getByLabel('Code from the app').fill(wrong);
    await page().getByRole('button', { name: 'Confirm code' }).click();
    const error = page().getByTestId('login-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('The code was not accepted');
    expect(await page().getByTestId('signed-in-user').count()).toBe(0);
    expect(await page().getByRole('heading', { name: 'Set up your authenticator' }).count()).toBe(
      1,
    );
    await wardkeep.screenshot('32-enrol-wrong-code');

    await page().getByLabel('Code from the app').fill(right);
    await page().getByRole('button', { name: 'Confirm code' }).click();
    admin.recoveryCodes = await readRecoveryCodes();
    expect(admin.recoveryCodes).toHaveLength(10);
    expect(new Set(admin.recoveryCodes).size).toBe(10);
    await wardkeep.screenshot('33-mfa-recovery-codes');
    await enterConsoleFromRecoveryCodes();
    expect(await signedInAs()).toBe('chief.admin Administrator');
    expect(await page().getByTestId('mfa-recovery-codes').count()).toBe(0);
    expect(await page().getByTestId('session-time-left').textContent()).toMatch(
      /without activity: \d+:\d\d left$/,
    );
    // An administrator reads the inventory but does not change it.
    await page().getByTestId('read-only-note').waitFor();
    expect(await page().getByRole('button', { name: 'Import CSV…' }).count()).toBe(0);
    await wardkeep.screenshot('34-admin-console');
  });
});

describe('signing in', () => {
  it('unlocks with a single-use recovery code instead of the authenticator code, and refuses it the second time', async () => {
    const [recoveryCode] = admin.recoveryCodes;
    await page().getByRole('button', { name: 'Lock', exact: true }).click();
    await page().getByLabel('Password').fill(admin.password);
    await page()
      .getByLabel('Code or recovery code')
      .fill(recoveryCode ?? '');
    await page().getByRole('button', { name: 'Unlock', exact: true }).click();
    await page().getByTestId('signed-in-user').waitFor();

    await page().getByRole('button', { name: 'Lock', exact: true }).click();
    await page().getByLabel('Password').fill(admin.password);
    await page()
      .getByLabel('Code or recovery code')
      .fill(recoveryCode ?? '');
    await page().getByRole('button', { name: 'Unlock', exact: true }).click();
    const error = page().getByTestId('unlock-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('The code was not accepted');
    expect(await error.textContent()).toContain('already used');
    await wardkeep.screenshot('35-recovery-code-used');

    await page().getByLabel('Password').fill(admin.password);
    await page().getByLabel('Code or recovery code').fill(nextCode(clock, admin.secret));
    await page().getByRole('button', { name: 'Unlock', exact: true }).click();
    await page().getByTestId('signed-in-user').waitFor();
  });
});

describe('accounts', () => {
  it('lets an administrator create an account whose user chooses a password and enrols at first sign-in', async () => {
    await navigation().getByRole('button', { name: 'Accounts' }).click();
    const view = page().getByTestId('accounts-view');
    await view.waitFor();
    const own = view.locator('[data-testid="account-row"][data-username="chief.admin"]');
    await own.waitFor();
    // One recovery code was spent above.
    expect(await own.locator('td').nth(4).textContent()).toBe('9');

    await view.getByLabel('New username').fill('night.tech');
    await view.getByLabel('Role', { exact: true }).selectOption('technician');
    await view.getByRole('button', { name: 'Create account' }).click();
    const dialog = page().getByTestId('initial-password-dialog');
    await dialog.waitFor();
    const initialPassword = (
      (await dialog.getByTestId('initial-password').textContent()) ?? ''
    ).trim();
    expect(initialPassword.length).toBeGreaterThanOrEqual(20);
    await wardkeep.screenshot('36-account-initial-password');
    await dialog.getByLabel('I have handed over the password').check();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = view.locator('[data-testid="account-row"][data-username="night.tech"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Must change at first sign-in');
    expect(await row.textContent()).toContain('Not yet');
    await wardkeep.screenshot('37-accounts');

    await signOutOfPage();
    await page().getByLabel('Username').fill('night.tech');
    await page().getByLabel('Password').fill(initialPassword);
    await page().getByRole('button', { name: 'Continue', exact: true }).click();
    await page().getByRole('heading', { name: 'Choose your password' }).waitFor();
    const password = generatedTestPassword();
    await page().getByLabel('New password', { exact: true }).fill(password);
    await page().getByLabel('Repeat new password').fill(password);
    await wardkeep.screenshot('38-first-sign-in-password');
    await page().getByRole('button', { name: 'Save password' }).click();
    const secret = await readSecret();
    await page().getByLabel('Code from the app').fill(nextCode(clock, secret));
    await page().getByRole('button', { name: 'Confirm code' }).click();
    expect(await readRecoveryCodes()).toHaveLength(10);
    await enterConsoleFromRecoveryCodes();
    expect(await signedInAs()).toBe('night.tech Technician');
  });

  it('shows a technician no administration view and main refuses it an administrator channel', async () => {
    expect(await navigation().getByRole('button').allTextContents()).toEqual([
      'Inventory',
      'Provision',
      'Certificates',
    ]);
    await page().getByRole('button', { name: 'Import CSV…' }).waitFor();
    expect(await page().getByRole('button', { name: 'Export CSV' }).count()).toBe(0);
    expect(await page().getByTestId('accounts-view').count()).toBe(0);
    const outcome = await page().evaluate(async () => {
      const scope = globalThis as unknown as PageScope;
      const result = await scope.wardkeep['accounts:list']?.({});
      return result?.ok ? 'ok' : (result?.error?.code ?? 'missing');
    });
    expect(outcome).toBe('permission.denied');
    await wardkeep.screenshot('39-technician-console');
  });

  it('ends the technician’s session with a plain message when an administrator changes the role', async () => {
    await signIn(wardkeep.registry, clock, adminClient, admin);
    await stepUp(wardkeep.registry, clock, adminClient, admin);
    await dispatch(wardkeep.registry, adminClient, 'accounts:role', {
      username: 'night.tech',
      role: 'engineer',
    });
    await page().getByRole('heading', { name: 'Console locked' }).waitFor();
    expect(await page().getByRole('status').filter({ hasText: 'changed your role' }).count()).toBe(
      1,
    );
    expect(await page().getByTestId('signed-in-user').count()).toBe(0);
    await page().getByRole('button', { name: 'Sign out (another user)' }).click();
  });
});

describe('step-up', () => {
  it('asks for the password and a code again before an export once five minutes have passed, then exports', async () => {
    await signIn(wardkeep.registry, clock, adminClient, admin);
    exporter = await addAccount(
      wardkeep.registry,
      clock,
      admin,
      adminClient,
      'export.eng',
      'engineer',
    );
    await signInPage(exporter);
    expect(await signedInAs()).toBe('export.eng Engineer');

    clock.advance(6 * minute);
    await page().getByRole('button', { name: 'Export CSV' }).click();
    const dialog = page().getByTestId('stepup-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('To export the inventory');
    await wardkeep.screenshot('40-step-up');
    await dialog.getByLabel('Password').fill(exporter.password);
    await dialog.getByLabel('Authenticator code').fill(nextCode(clock, exporter.secret));
    const [download] = await Promise.all([
      page().waitForEvent('download'),
      dialog.getByRole('button', { name: 'Confirm' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(await readFile(await download.path(), 'utf8')).toContain('asset_tag');
    await dialog.waitFor({ state: 'detached' });

    // Within the five minutes: no question.
    const [fhir] = await Promise.all([
      page().waitForEvent('download'),
      page().getByRole('button', { name: 'Export FHIR' }).click(),
    ]);
    expect(fhir.suggestedFilename()).toMatch(/\.json$/);
    expect(await page().getByTestId('stepup-dialog').count()).toBe(0);
  });

  it('gives up the export without an error banner when the step-up is cancelled', async () => {
    clock.advance(6 * minute);
    await page().getByRole('button', { name: 'Export CSV' }).click();
    const dialog = page().getByTestId('stepup-dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page().locator('button:not([disabled])', { hasText: 'Export CSV' }).waitFor();
    expect(await page().getByTestId('error-banner').count()).toBe(0);
  });
});

describe('emergency access', () => {
  it('opens with the sealed credential, a name and a reason, and shows its banner on every view until ended', async () => {
    await signOutOfPage();
    await page().getByRole('button', { name: 'Emergency access', exact: true }).click();
    await page().getByRole('heading', { name: 'Emergency access' }).waitFor();
    await page().getByLabel('Emergency credential').fill(emergencyCredential);
    await page().getByLabel('Your full name').fill('chief.admin');
    await page().getByLabel('Other').check();
    await page().getByRole('button', { name: 'Open emergency access' }).click();
    await page().getByText('Say what the emergency is.').waitFor();
    await page()
      .getByLabel(/What is happening/)
      .fill('Ventilator alarms on ward 3, no engineer reachable');
    await wardkeep.screenshot('41-emergency-access-form');
    await page().getByRole('button', { name: 'Open emergency access' }).click();

    const banner = page().getByTestId('emergency-banner');
    await banner.waitFor();
    expect(await banner.getByTestId('emergency-opened-by').textContent()).toBe('chief.admin');
    expect(await banner.textContent()).toContain('Other');
    expect(await banner.getByTestId('emergency-time-left').textContent()).toMatch(
      /^(1 h 00 min|59:\d\d) left$/,
    );
    expect(await signedInAs()).toContain('Emergency (engineer rights)');
    // Engineer rights, but no step-up: no export.
    expect(await page().getByRole('button', { name: 'Export CSV' }).count()).toBe(0);
    // The credential is spent: everybody sees that a new one is needed.
    await page().getByTestId('breakglass-nag').waitFor();
    await wardkeep.screenshot('42-emergency-banner');

    // Every view the session can open, the import dialog included, shows the banner.
    const views = ['Inventory', 'Network', 'Provision', 'Certificates'];
    expect(await navigation().getByRole('button').allTextContents()).toEqual(views);
    for (const view of [...views.slice(1), 'Inventory']) {
      await navigation().getByRole('button', { name: view }).click();
      await navigation().locator('[aria-current="page"]', { hasText: view }).waitFor();
      expect(await banner.isVisible(), view).toBe(true);
    }
    await page().getByRole('button', { name: 'Import CSV…' }).click();
    await page().getByRole('dialog', { name: 'Import devices from CSV' }).waitFor();
    expect(await banner.isVisible()).toBe(true);
    await page().keyboard.press('Escape');
    await page().getByRole('dialog').waitFor({ state: 'detached' });

    await banner.getByRole('button', { name: 'End emergency access' }).click();
    await page().getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    expect(await page().getByTestId('emergency-banner').count()).toBe(0);
    expect(await page().getByTestId('breakglass-nag').textContent()).toContain(
      'No sealed emergency credential: an administrator must generate one',
    );
    await wardkeep.screenshot('43-breakglass-nag');
  });

  it('is refused review by the administrator who opened it and signed off by another one', async () => {
    await signInPage(admin);
    const reminder = page().getByTestId('review-reminder');
    await reminder.waitFor();
    expect(await reminder.textContent()).toContain('1 emergency session awaits review');
    await wardkeep.screenshot('44-review-reminder');
    await reminder.getByRole('button', { name: 'Review' }).click();
    const record = page().locator('[data-testid="emergency-record"][data-state="awaiting"]');
    await record.waitFor();
    expect(await record.textContent()).toContain('Ventilator alarms on ward 3');
    await record.getByRole('button', { name: 'Sign off review' }).click();
    await record.getByText('Say what was checked').waitFor();
    await record.getByLabel('Review comment').fill('Checked the audit log of the session.');
    await record.getByRole('button', { name: 'Sign off review' }).click();
    const refusal = record.getByTestId('review-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('cannot review it');
    await wardkeep.screenshot('45-emergency-review-refused');

    await signIn(wardkeep.registry, clock, adminClient, admin);
    secondAdmin = await addAccount(
      wardkeep.registry,
      clock,
      admin,
      adminClient,
      'second.admin',
      'administrator',
    );
    await signOutOfPage();
    await signInPage(secondAdmin);
    await navigation().getByRole('button', { name: 'Emergencies' }).click();
    const awaiting = page().locator('[data-testid="emergency-record"][data-state="awaiting"]');
    await awaiting.getByLabel('Review comment').fill('Ventilator alarm confirmed; no misuse.');
    await awaiting.getByRole('button', { name: 'Sign off review' }).click();
    const reviewed = page().locator('[data-testid="emergency-record"][data-state="reviewed"]');
    await reviewed.waitFor();
    expect(await reviewed.textContent()).toContain('by second.admin');
    await page().getByTestId('review-reminder').waitFor({ state: 'detached' });
    await wardkeep.screenshot('46-emergency-reviewed');
    const stored = await wardkeep.call(adminClient, 'breakglass:list', {});
    expect(stored).toMatchObject([{ openedBy: 'chief.admin', reviewedBy: 'second.admin' }]);
  });

  it('lets an administrator generate a new emergency credential, shown once, which clears the warning', async () => {
    const nag = page().getByTestId('breakglass-nag');
    await nag.getByRole('button', { name: 'Generate emergency credential…' }).click();
    const dialog = page().getByTestId('credential-dialog');
    await dialog.waitFor();
    const credential = (
      (await dialog.getByTestId('new-emergency-credential').textContent()) ?? ''
    ).trim();
    expect(credential).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
    expect(credential).not.toBe(emergencyCredential);
    await wardkeep.screenshot('47-new-emergency-credential');
    await dialog.getByLabel('I have sealed the new credential').check();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page().getByTestId('breakglass-nag').waitFor({ state: 'detached' });
    expect(wardkeep.services.status('nobody').breakGlassReady).toBe(true);
  });
});

describe('settings', () => {
  it('changes the emergency session length after a step-up', async () => {
    await navigation().getByRole('button', { name: 'Settings' }).click();
    const field = page().getByLabel('Emergency session length (minutes)');
    await expect.poll(() => field.inputValue()).toBe('60');
    await field.fill('300');
    await page().getByRole('button', { name: 'Save settings' }).click();
    await page().getByText('Enter between 5 and 240 minutes.').waitFor();

    clock.advance(6 * minute);
    await field.fill('30');
    await page().getByRole('button', { name: 'Save settings' }).click();
    const dialog = page().getByTestId('stepup-dialog');
    await dialog.waitFor();
    await dialog.getByLabel('Password').fill(secondAdmin.password);
    await dialog.getByLabel('Authenticator code').fill(nextCode(clock, secondAdmin.secret));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page().getByTestId('settings-saved').waitFor();
    expect(wardkeep.services.access.settings().emergencyMinutes).toBe(30);
    await wardkeep.screenshot('48-settings');
  });
});

describe('account changes', () => {
  it('changes a role, disables an account, and deletes it only after confirming', async () => {
    await navigation().getByRole('button', { name: 'Accounts' }).click();
    const view = page().getByTestId('accounts-view');
    const engineerRow = view.locator('[data-testid="account-row"][data-username="export.eng"]');
    await engineerRow.getByLabel('Role of export.eng').selectOption('manager');
    await engineerRow.getByRole('button', { name: 'Apply' }).click();
    await view
      .getByTestId('accounts-done')
      .filter({ hasText: 'export.eng is now manager' })
      .waitFor();
    expect(await engineerRow.getByLabel('Role of export.eng').inputValue()).toBe('manager');

    const row = view.locator('[data-testid="account-row"][data-username="night.tech"]');
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByTestId('account-state').filter({ hasText: 'Disabled' }).waitFor();
    await row.getByRole('button', { name: 'Delete…' }).click();
    const confirm = page().getByRole('dialog', { name: 'Delete night.tech?' });
    await confirm.waitFor();
    await wardkeep.screenshot('49-account-delete-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: 'Delete…' }).click();
    await confirm.getByRole('button', { name: 'Delete account' }).click();
    await row.waitFor({ state: 'detached' });
    await signIn(wardkeep.registry, clock, adminClient, admin);
    const stored = await wardkeep.call(adminClient, 'accounts:list', {});
    expect(stored.map((account) => account.username)).not.toContain('night.tech');
  });

  it('does not offer an administrator changes to their own account', async () => {
    const view = page().getByTestId('accounts-view');
    const own = view.locator('[data-testid="account-row"][data-username="second.admin"]');
    expect(await own.getByRole('button', { name: 'Disable' }).isDisabled()).toBe(true);
    expect(await own.getByLabel('Role of second.admin').isDisabled()).toBe(true);
  });
});

describe('the idle lock', () => {
  it('hides all data once the idle limit passed and unlocks only for the same user', async () => {
    await navigation().getByRole('button', { name: 'Inventory' }).click();
    await page().getByTestId('result-count').waitFor();
    clock.advance(sessionLimits.administrator.idleMs + minute);
    // The window comes back into view: it asks main, which ends the expired session.
    await page().evaluate(() => {
      const scope = globalThis as unknown as PageScope;
      scope.dispatchEvent(new scope.Event('focus'));
    });
    await page().getByRole('heading', { name: 'Console locked' }).waitFor();
    expect(
      await page().getByRole('status').filter({ hasText: 'Locked after 15 min' }).count(),
    ).toBe(1);
    expect(await page().getByTestId('locked-username').textContent()).toBe('second.admin');
    expect(await page().getByLabel('Username').count()).toBe(0);
    for (const dataTestId of ['signed-in-user', 'result-count', 'session-time-left']) {
      expect(await page().getByTestId(dataTestId).count(), dataTestId).toBe(0);
    }
    expect(await page().locator('#device-grid').count()).toBe(0);
    await wardkeep.screenshot('50-idle-locked');

    await page().getByLabel('Password').fill(secondAdmin.password);
    await page().getByLabel('Code or recovery code').fill(nextCode(clock, secondAdmin.secret));
    await page().getByRole('button', { name: 'Unlock', exact: true }).click();
    await page().getByTestId('signed-in-user').waitFor();
    expect(await signedInAs()).toBe('second.admin Administrator');
  });

  it('raised no error in the page console', () => {
    expect(wardkeep.pageErrors.filter((text) => !text.includes('Failed to load resource'))).toEqual(
      [],
    );
  });
});

describe('the audit log', () => {
  it('lists what happened, filters emergency actions, verifies the log and exports it after a step-up', async () => {
    await navigation().getByRole('button', { name: 'Audit log' }).click();
    const view = page().getByTestId('audit-view');
    const table = view.getByTestId('audit-table');
    await table.waitFor();
    const actions = await table.locator('tbody tr td:nth-child(5)').allTextContents();
    expect(actions.some((text) => text.startsWith('session.start'))).toBe(true);
    expect(actions.some((text) => text.startsWith('account.create'))).toBe(true);

    await view.getByLabel('Emergency only').check();
    await view.getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(async () => (await table.locator('tbody tr').all()).length)
      .toBeGreaterThan(0);
    await expect
      .poll(async () => {
        const rows = await table.locator('tbody tr').all();
        const classes = await Promise.all(rows.map((row) => row.getAttribute('class')));
        return classes.every((name) => (name ?? '').includes('row--emergency'));
      })
      .toBe(true);
    const emergencyActions = await table.locator('tbody tr td:nth-child(5)').allTextContents();
    expect(emergencyActions.some((text) => text.startsWith('breakglass.open'))).toBe(true);
    await wardkeep.screenshot('51-audit-emergency-only');

    await view.getByRole('button', { name: 'Verify the log' }).click();
    const verdict = view.getByTestId('audit-verification');
    await verdict.waitFor();
    expect(await verdict.textContent()).toMatch(
      /^Intact: [\d,]+ records, \d+ signed checkpoints verified/,
    );
    await wardkeep.screenshot('52-audit-verified');

    clock.advance(6 * minute);
    const download = page().waitForEvent('download');
    await view.getByRole('button', { name: 'Export JSON lines' }).click();
    const dialog = page().getByTestId('stepup-dialog');
    await dialog.waitFor();
    await dialog.getByLabel('Password').fill(secondAdmin.password);
    await dialog.getByLabel('Authenticator code').fill(nextCode(clock, secondAdmin.secret));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^wardkeep-audit-\d{4}-\d{2}-\d{2}\.jsonl$/);
  });
});
