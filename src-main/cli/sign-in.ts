// Signing in from the command line, through the same IPC channels as the app: a password, then the
// authenticator code; at a first sign-in a new password and the authenticator's enrolment; or
// break-glass with the sealed emergency credential. A session exists only once the backend says
// `done`; the command that opened it ends it (runCli locks the client when the command returns).
import type {
  Channel,
  LoginStep,
  Permission,
  RequestOf,
  Result,
  ResultOf,
  SessionUser,
} from '../../src-preload/contract';
import { contract, emergencyReasons } from '../../src-preload/contract';
import { emergencyRole, roleAllows } from '../access/permissions';
import type { IpcRegistry } from '../ipc/registry';
import { missingCase } from '../lib/errors';
import type { CliIo, ParsedArguments } from './arguments';
import { CliError, enumOption, exitCodes, newSecret, option, secret } from './arguments';

/** The one client the command line is to the registry: one session per process. */
export const clientId = 'cli';

/** Codes that mean the input was wrong (exit 2); every other refusal is an error (exit 1). */
export function errorExitCode(code: string): number {
  switch (code) {
    case 'ipc.payload':
    case 'input.invalid':
    case 'password.weak':
    case 'import.mapping':
    case 'import.invalid':
    case 'import.unknown_staging':
    case 'network.invalid':
    case 'flows.invalid':
    case 'pki.invalid':
    case 'trust.invalid':
    case 'baseline.invalid':
    case 'baseline.signature':
      return exitCodes.invalidInput;
    default:
      return exitCodes.error;
  }
}

export async function call<C extends Channel>(
  registry: IpcRegistry,
  channel: C,
  request: RequestOf<C>,
): Promise<ResultOf<C>> {
  const result = (await registry.dispatch(clientId, channel, request)) as Result<ResultOf<C>>;
  if (!result.ok)
    throw new CliError(
      `${result.error.message} [${result.error.code}]`,
      errorExitCode(result.error.code),
    );
  return result.value;
}

export function requireUser(parsed: ParsedArguments): string {
  const user = option(parsed, 'user');
  if (!user)
    throw new CliError(
      'this command needs --user NAME (or --emergency-file for emergency access)',
      exitCodes.invalidInput,
    );
  return user;
}

/** What enrolling an authenticator produced: shown once, here or in a --json result. */
export interface Enrolment {
  secret: string;
  uri: string;
  /** The single-use MFA recovery codes; null when the enrolment did not finish. */
  recoveryCodes: string[] | null;
}

export interface SignedIn {
  user: SessionUser;
  emergency: boolean;
  /** The account's password now (after a first sign-in's change); null for an emergency. */
  password: string | null;
  enrolment: Enrolment | null;
}

export interface SignInOptions {
  /**
   * The channel the command is for: emergency access that could not use it is refused before the
   * sealed credential is spent.
   */
  forChannel?: Channel;
  /** Hand the MFA recovery codes back instead of printing them: a --json result carries them. */
  keepRecoveryCodes?: boolean;
  /** Called with an enrolment as soon as it starts, so a caller can report it if it fails. */
  onEnrolment?: (enrolment: Enrolment) => void;
}

function printEnrolment(io: CliIo, username: string, step: { secret: string; uri: string }): void {
  // stderr, never a log: this is the secret of the user's own authenticator.
  io.stderr(
    `Enrol an authenticator app for ${username} (TOTP: 6 digits every 30 s). Scan a QR code made\n` +
      `from this URI or type the secret; both are shown once and are secrets:\n\n` +
      `    ${step.uri}\n` +
      `    secret: ${step.secret}\n\n` +
      `Then give the code it shows (prompt, or --totp-file, which is read only now).\n`,
  );
}

export function printRecoveryCodes(io: CliIo, username: string, codes: readonly string[]): void {
  io.stderr(
    `\nMFA recovery codes for ${username} (shown once; keep them apart from the authenticator —\n` +
      `each one replaces a code once, when the authenticator is lost):\n\n` +
      `    ${codes.join('\n    ')}\n\n`,
  );
}

/**
 * Takes a sign-in from `first` to `done`: a new password when an administrator issued the current
 * one, an authenticator enrolment, or the code of the enrolled authenticator.
 */
export async function completeSignIn(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  username: string,
  first: LoginStep,
  options: SignInOptions = {},
): Promise<{ user: SessionUser; newPassword: string | null; enrolment: Enrolment | null }> {
  let step = first;
  let newPassword: string | null = null;
  let enrolment: Enrolment | null = null;
  // Each step moves forward (password, enrolment, code): more rounds than that is a backend fault.
  for (let round = 0; round < 4; round++) {
    switch (step.step) {
      case 'done': {
        const codes = step.recoveryCodes ?? null;
        if (enrolment) enrolment.recoveryCodes = codes;
        if (codes && !options.keepRecoveryCodes) printRecoveryCodes(io, username, codes);
        return { user: step.user, newPassword, enrolment };
      }
      case 'password_change':
        io.stderr(
          `${username} signs in with a password an administrator issued: choose a new one ` +
            `(--new-password-file, or asked twice).\n`,
        );
        newPassword = await newSecret(parsed, 'new-password-file', 'new password', io);
        step = await call(registry, 'session:password', { newPassword });
        break;
      case 'mfa_enrol': {
        enrolment = { secret: step.secret, uri: step.uri, recoveryCodes: null };
        options.onEnrolment?.(enrolment);
        printEnrolment(io, username, step);
        const code = await secret(parsed, 'totp-file', 'authenticator code', io);
        step = await call(registry, 'session:enrol', { code });
        break;
      }
      case 'mfa': {
        const code = await secret(parsed, 'totp-file', 'authenticator code', io);
        step = await call(registry, 'session:mfa', { code });
        break;
      }
      default:
        return missingCase(step);
    }
  }
  throw new CliError('the sign-in did not finish', exitCodes.error);
}

const emergencyOptions = ['opened-by', 'reason', 'reason-text'] as const;

/** Whether this run asks for emergency access; refuses half of it, or it mixed with --user. */
export function wantsEmergency(parsed: ParsedArguments): boolean {
  if (!parsed.options.has('emergency-file')) {
    const stray = emergencyOptions.find((name) => parsed.options.has(name));
    if (stray) throw new CliError(`--${stray} goes with --emergency-file`, exitCodes.invalidInput);
    return false;
  }
  if (parsed.options.has('user'))
    throw new CliError(
      'use either --user (your account) or --emergency-file (emergency access), not both',
      exitCodes.invalidInput,
    );
  return true;
}

/**
 * Break-glass: the sealed credential opens an emergency session with an engineer's rights for
 * this one command. The credential is spent by it; the session ends, and its end is recorded,
 * when the command returns.
 */
async function openEmergency(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  forChannel: Channel | undefined,
): Promise<SignedIn> {
  if (forChannel) {
    const spec: { permission: Permission; stepUp?: true } = contract[forChannel];
    if (!roleAllows(emergencyRole, spec.permission) || spec.stepUp)
      throw new CliError(
        `emergency access (${emergencyRole} rights, no step-up) cannot use ${forChannel}; the credential was not used [permission.denied]`,
        exitCodes.error,
      );
  }
  const openedBy = option(parsed, 'opened-by');
  if (!openedBy?.trim())
    throw new CliError(
      'emergency access needs --opened-by NAME: who is using it',
      exitCodes.invalidInput,
    );
  const reason = enumOption(parsed, 'reason', emergencyReasons);
  if (!reason)
    throw new CliError(
      `emergency access needs --reason ${emergencyReasons.join('|')}`,
      exitCodes.invalidInput,
    );
  const reasonText = option(parsed, 'reason-text');
  const credential = await secret(parsed, 'emergency-file', 'emergency credential', io);
  const user = await call(registry, 'session:breakglass', {
    credential,
    openedBy,
    reason,
    ...(reasonText !== undefined ? { reasonText } : {}),
  });
  io.stderr(
    `wardkeep: EMERGENCY ACCESS opened by ${openedBy} (${reason}) with ${user.role} rights for this ` +
      `command only. Every action is recorded; the credential is now spent: an administrator ` +
      `must review this session and issue a new credential (breakglass rotate).\n`,
  );
  return { user, emergency: true, password: null, enrolment: null };
}

/** Opens a session for this command: an account (password + second factor) or break-glass. */
export async function signIn(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  options: SignInOptions = {},
): Promise<SignedIn> {
  if (wantsEmergency(parsed)) return openEmergency(registry, parsed, io, options.forChannel);
  const username = requireUser(parsed);
  const password = await secret(parsed, 'password-file', 'password', io);
  const first = await call(registry, 'session:login', { username, password });
  const done = await completeSignIn(registry, parsed, io, username, first, options);
  return {
    user: done.user,
    emergency: false,
    password: done.newPassword ?? password,
    enrolment: done.enrolment,
  };
}
