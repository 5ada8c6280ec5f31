// The first run and the lock screen in the real UI: set-up with the one-time recovery code and
// emergency credential and the authenticator enrolment, lock and unlock for the same user with
// password and code, a wrong password, recovery with the code (which enrols again), and a session
// ended by main. Main runs on a frozen clock so the authenticator codes are deterministic.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frozenClock } from '../../src-main/lib/clock';
import { nextCode } from '../support/accounts';
import { generatedTestPassword, projectRoot, startWardkeep } from '../support/browser';
import type { WardkeepSession } from '../support/browser';

const username = 'biomed.lead';
const clock = frozenClock(Date.UTC(2026, 10, 23, 9));
let password = generatedTestPassword();
let secret = '';
let recoveryCode = '';
let wardkeep: WardkeepSession;

/** A long entry of the common-password list main checks against, read at run time. */
function commonPassword(): string | null {
  const list = readFileSync(join(projectRoot, 'resources', 'common-passwords.txt'), 'utf8').split(
    /\r?\n/,
  );
  return (
    list.find((entry) => entry.length >= 14 && !/\s/.test(entry) && !/(.)\1{3}/.test(entry)) ?? null
  );
}

/** Enrols the authenticator the page shows, confirms the recovery codes, and reaches the console. */
async function enrolAndEnter(): Promise<void> {
  const { page } = wardkeep;
  await page.getByRole('heading', { name: 'Set up your authenticator' }).waitFor();
  secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await page.getByLabel('Code from the app').fill(nextCode(clock, secret));
  await page.getByRole('button', { name: 'Confirm code' }).click();
  await page.getByTestId('mfa-recovery-codes').waitFor();
  await page.getByLabel('I have stored my recovery codes').check();
  await page.getByRole('button', { name: 'Continue to the console' }).click();
  await page.getByTestId('signed-in-user').waitFor();
}

async function lockConsole(): Promise<void> {
  const { page } = wardkeep;
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await page.getByRole('heading', { name: 'Console locked' }).waitFor();
}

async function unlock(): Promise<void> {
  const { page } = wardkeep;
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Code or recovery code').fill(nextCode(clock, secret));
  await page.getByLabel('Code or recovery code').press('Enter');
  await page.getByTestId('signed-in-user').waitFor();
}

beforeAll(async () => {
  wardkeep = await startWardkeep({ services: { clock } });
  await wardkeep.open();
});

afterAll(async () => {
  await wardkeep?.close();
});

describe('first run and the lock screen', () => {
  it('shows the set-up form with the password rules on a new data folder', async () => {
    const { page } = wardkeep;
    await expect
      .poll(() => page.getByRole('heading', { name: 'Set up this console' }).isVisible())
      .toBe(true);
    await expect
      .poll(() => page.getByRole('list', { name: 'Password rules' }).textContent())
      .toContain('At least 12 characters');
    await wardkeep.screenshot('01-setup');
  });

  it('refuses a common password inline with main’s reason and creates nothing', async () => {
    const weak = commonPassword();
    expect(weak, 'resources/common-passwords.txt has a long entry').not.toBeNull();
    const { page } = wardkeep;
    await page.getByLabel('Administrator username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(weak ?? '');
    await page.getByLabel('Repeat password').fill(weak ?? '');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    const error = page.getByTestId('setup-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/common|known|list/i);
    expect(wardkeep.services.vault.isSetUp()).toBe(false);
    await wardkeep.screenshot('02-setup-weak-password');
  });

  it('creates the first administrator and shows the recovery code and emergency credential once, behind a confirmation', async () => {
    const { page } = wardkeep;
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByLabel('Repeat password').press('Enter');
    const code = page.getByTestId('recovery-code');
    await code.waitFor();
    recoveryCode = (await code.textContent())?.trim() ?? '';
    expect(recoveryCode.length).toBeGreaterThan(16);
    const credential = (await page.getByTestId('emergency-credential').textContent())?.trim() ?? '';
    expect(credential.length).toBeGreaterThan(16);
    expect(credential).not.toBe(recoveryCode);
    const proceed = page.getByRole('button', { name: 'Continue to authenticator set-up' });
    expect(await proceed.isDisabled()).toBe(true);
    await wardkeep.screenshot('03-recovery-code');
    await page.getByLabel('I have stored both codes').check();
    await proceed.click();
    await enrolAndEnter();
    expect(await page.getByTestId('signed-in-user').textContent()).toMatch(
      /biomed\.lead\s*Administrator/,
    );
    expect(await page.getByTestId('recovery-code').count()).toBe(0);
    expect(await page.getByTestId('emergency-credential').count()).toBe(0);
    await page.getByTestId('result-count').filter({ hasText: '0 devices' }).waitFor();
    await wardkeep.screenshot('04-inventory-empty');
  });

  it('locks the console and unlocks it for the same user with the password and a code', async () => {
    const { page } = wardkeep;
    await lockConsole();
    expect(await page.getByTestId('locked-username').textContent()).toBe(username);
    expect(await page.getByLabel('Username').count()).toBe(0);
    await wardkeep.screenshot('05-unlock');
    await unlock();
  });

  it('shows main’s message for a wrong password, keeps the user and stays locked', async () => {
    const { page } = wardkeep;
    await lockConsole();
    const answer = page.waitForResponse((response) =>
      response.url().endsWith('/ipc/session%3Alogin'),
    );
    await page.getByLabel('Password').fill(generatedTestPassword());
    await page.getByLabel('Code or recovery code').fill('123456');
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    const body = (await (await answer).json()) as {
      ok: boolean;
      error?: { code: string; message: string };
    };
    expect(body.ok).toBe(false);
    expect(body.error?.code).toBe('auth.invalid');
    const error = page.getByTestId('unlock-error');
    await error.waitFor();
    const shown = (await error.textContent()) ?? '';
    expect(shown).toContain('Wrong username or password');
    expect(shown.toLowerCase()).toContain(body.error?.message.toLowerCase() ?? '?');
    expect(await page.getByTestId('locked-username').textContent()).toBe(username);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
    await wardkeep.screenshot('06-unlock-wrong-password');
  });

  it('recovers access with the recovery code and a new password, enrols again, and then unlocks', async () => {
    const { page } = wardkeep;
    await page.getByRole('button', { name: 'Sign out (another user)' }).click();
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    await page.getByRole('heading', { name: 'Recover access' }).waitFor();
    const newPassword = generatedTestPassword();
    await page.getByLabel('Recovery code').fill(recoveryCode);
    expect(await page.getByLabel('Username').inputValue()).toBe(username);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat new password').fill(newPassword);
    await wardkeep.screenshot('07-recover');
    const previousSecret = secret;
    await page.getByRole('button', { name: 'Recover and continue' }).click();
    await enrolAndEnter();
    expect(secret).not.toBe(previousSecret);
    password = newPassword;

    await lockConsole();
    await unlock();
  });

  it('returns to the lock screen with a notice when main ends the session', async () => {
    const { page, server, registry } = wardkeep;
    const [clientId] = server.connectedClients();
    expect(clientId).toBeDefined();
    registry.disconnect(clientId ?? '');
    await page.getByRole('heading', { name: 'Console locked' }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain('You were signed out');
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
  });

  it('raises no error in the page console during all of this', () => {
    expect(wardkeep.pageErrors.filter((text) => !text.includes('Failed to load resource'))).toEqual(
      [],
    );
  });
});
