// The first run and the lock screen in the real UI: set-up with the one-time recovery code, lock
// and unlock, a wrong password, recovery with the code, and a session ended by main.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedTestPassword, projectRoot, startWardkeep } from '../support/browser';
import type { WardkeepSession } from '../support/browser';

const username = 'biomed.lead';
let password = generatedTestPassword();
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

beforeAll(async () => {
  wardkeep = await startWardkeep();
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

  it('creates the first administrator and shows the recovery code once, behind a confirmation', async () => {
    const { page } = wardkeep;
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat password').fill(password);
    await page.getByLabel('Repeat password').press('Enter');
    const code = page.getByTestId('recovery-code');
    await code.waitFor();
    recoveryCode = (await code.textContent())?.trim() ?? '';
    expect(recoveryCode.length).toBeGreaterThan(16);
    const proceed = page.getByRole('button', { name: 'Continue to the console' });
    expect(await proceed.isDisabled()).toBe(true);
    await wardkeep.screenshot('03-recovery-code');
    await page.getByLabel('I have stored the recovery code').check();
    await proceed.click();
    await page.getByTestId('signed-in-user').waitFor();
    expect(await page.getByTestId('signed-in-user').textContent()).toMatch(
      /biomed\.lead\s*Administrator/,
    );
    expect(await page.getByTestId('recovery-code').count()).toBe(0);
    await page.getByTestId('result-count').filter({ hasText: '0 devices' }).waitFor();
    await wardkeep.screenshot('04-inventory-empty');
  });

  it('locks the console and unlocks it with the password, keeping the username', async () => {
    const { page } = wardkeep;
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('heading', { name: 'Console locked' }).waitFor();
    expect(await page.getByLabel('Username').inputValue()).toBe(username);
    await wardkeep.screenshot('05-unlock');
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Password').press('Enter');
    await page.getByTestId('signed-in-user').waitFor();
  });

  it('shows main’s message for a wrong password, keeps the username and stays locked', async () => {
    const { page } = wardkeep;
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('heading', { name: 'Console locked' }).waitFor();
    const answer = page.waitForResponse((response) =>
      response.url().endsWith('/ipc/session%3Aunlock'),
    );
    await page.getByLabel('Password').fill(generatedTestPassword());
    await page.getByRole('button', { name: 'Unlock' }).click();
    const body = (await (await answer).json()) as {
      ok: boolean;
      error?: { code: string; message: string };
    };
    expect(body.ok).toBe(false);
    expect(body.error?.code).toBe('auth.invalid');
    const error = page.getByTestId('unlock-error');
    await error.waitFor();
    expect(await error.textContent()).toBe(body.error?.message);
    expect(await page.getByLabel('Username').inputValue()).toBe(username);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
    await wardkeep.screenshot('06-unlock-wrong-password');
  });

  it('recovers access with the recovery code and a new password, which then unlocks', async () => {
    const { page } = wardkeep;
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    await page.getByRole('heading', { name: 'Recover access' }).waitFor();
    const newPassword = generatedTestPassword();
    await page.getByLabel('Recovery code').fill(recoveryCode);
    expect(await page.getByLabel('Username').inputValue()).toBe(username);
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat new password').fill(newPassword);
    await wardkeep.screenshot('07-recover');
    await page.getByRole('button', { name: 'Recover and sign in' }).click();
    await page.getByTestId('signed-in-user').waitFor();
    password = newPassword;

    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Password').press('Enter');
    await page.getByTestId('signed-in-user').waitFor();
  });

  it('returns to the unlock view with a notice when main ends the session', async () => {
    const { page, server, registry } = wardkeep;
    const [clientId] = server.connectedClients();
    expect(clientId).toBeDefined();
    registry.disconnect(clientId ?? '');
    await page.getByRole('heading', { name: 'Console locked' }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain(
      'The console was locked',
    );
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
  });

  it('raises no error in the page console during all of this', () => {
    expect(wardkeep.pageErrors.filter((text) => !text.includes('Failed to load resource'))).toEqual(
      [],
    );
  });
});
