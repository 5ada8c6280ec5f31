// Signing in for tests, through the same registry the app uses: set-up with MFA enrolment, accounts
// made by an administrator and their first sign-in, and later sign-ins with a fresh TOTP code.
// Each account's authenticator is simulated from the secret its enrolment showed. A TOTP code is
// accepted once, so every sign-in first moves the frozen clock to the next 30-second step.
import type {
  Channel,
  LoginStep,
  RequestOf,
  Result,
  ResultOf,
  Role,
} from '../../src-preload/contract';
import { base32Decode, totp } from '../../src-main/access/totp';
import type { IpcRegistry } from '../../src-main/ipc/registry';
import type { frozenClock } from '../../src-main/lib/clock';
import { generatedPassword } from './temp';

export type TestClock = ReturnType<typeof frozenClock>;

export interface TestAccount {
  username: string;
  role: Role;
  password: string;
  /** The TOTP secret (base32) the authenticator app would hold. */
  secret: string;
  recoveryCodes: string[];
}

export interface ConsoleSetUp {
  admin: TestAccount;
  recoveryCode: string;
  emergencyCredential: string;
}

export async function dispatch<C extends Channel>(
  registry: IpcRegistry,
  clientId: string,
  channel: C,
  request: RequestOf<C>,
): Promise<ResultOf<C>> {
  const result = (await registry.dispatch(clientId, channel, request)) as Result<ResultOf<C>>;
  if (!result.ok)
    throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The code the account's authenticator shows now, after moving to a step not used yet. */
export function nextCode(clock: TestClock, secret: string): string {
  clock.advance(30_000);
  return totp(base32Decode(secret), clock.nowMs());
}

function expectStep<S extends LoginStep['step']>(
  step: LoginStep,
  wanted: S,
): Extract<LoginStep, { step: S }> {
  if (step.step !== wanted) throw new Error(`expected sign-in step ${wanted}, got ${step.step}`);
  return step as Extract<LoginStep, { step: S }>;
}

/** Sets up the console: its first administrator, enrolled, signed in as `clientId`. */
export async function setUpConsole(
  registry: IpcRegistry,
  clock: TestClock,
  clientId = 'admin-client',
  username = 'admin',
): Promise<ConsoleSetUp> {
  const password = generatedPassword();
  const setup = await dispatch(registry, clientId, 'session:setup', { username, password });
  const enrol = expectStep(setup.next, 'mfa_enrol');
  const done = expectStep(
    await dispatch(registry, clientId, 'session:enrol', { code: nextCode(clock, enrol.secret) }),
    'done',
  );
  return {
    admin: {
      username,
      role: 'administrator',
      password,
      secret: enrol.secret,
      recoveryCodes: done.recoveryCodes ?? [],
    },
    recoveryCode: setup.recoveryCode,
    emergencyCredential: setup.emergencyCredential,
  };
}

/** Signs an enrolled account in as `clientId`. */
export async function signIn(
  registry: IpcRegistry,
  clock: TestClock,
  clientId: string,
  account: TestAccount,
): Promise<void> {
  const step = await dispatch(registry, clientId, 'session:login', {
    username: account.username,
    password: account.password,
  });
  expectStep(step, 'mfa');
  expectStep(
    await dispatch(registry, clientId, 'session:mfa', { code: nextCode(clock, account.secret) }),
    'done',
  );
}

/** Gives `clientId` (an administrator's session) a fresh step-up. */
export async function stepUp(
  registry: IpcRegistry,
  clock: TestClock,
  clientId: string,
  account: TestAccount,
): Promise<void> {
  await dispatch(registry, clientId, 'session:stepup', {
    password: account.password,
    code: nextCode(clock, account.secret),
  });
}

/**
 * An administrator (signed in as `adminClientId`) creates the account; its user then signs in
 * once as `clientId`, choosing a password and enrolling an authenticator. Returns the account.
 */
export async function addAccount(
  registry: IpcRegistry,
  clock: TestClock,
  admin: TestAccount,
  adminClientId: string,
  username: string,
  role: Role,
  clientId = `${username}-client`,
): Promise<TestAccount> {
  await stepUp(registry, clock, adminClientId, admin);
  const created = await dispatch(registry, adminClientId, 'accounts:create', { username, role });
  expectStep(
    await dispatch(registry, clientId, 'session:login', {
      username,
      password: created.initialPassword,
    }),
    'password_change',
  );
  const password = generatedPassword();
  const enrol = expectStep(
    await dispatch(registry, clientId, 'session:password', { newPassword: password }),
    'mfa_enrol',
  );
  const done = expectStep(
    await dispatch(registry, clientId, 'session:enrol', { code: nextCode(clock, enrol.secret) }),
    'done',
  );
  return {
    username,
    role,
    password,
    secret: enrol.secret,
    recoveryCodes: done.recoveryCodes ?? [],
  };
}
