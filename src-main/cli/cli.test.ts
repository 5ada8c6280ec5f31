import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccountSummary, EmergencySessionRecord, Role } from '../../src-preload/contract';
import type { TestAccount } from '../../test/support/accounts';
import { nextCode, signIn as signInThroughRegistry } from '../../test/support/accounts';
import { generatedPassword, useTempDirs } from '../../test/support/temp';
import { failuresBeforeLock, maximumBackoffMs } from '../access/throttle';
import { base32Decode, totp } from '../access/totp';
import { createIpcRegistry } from '../ipc/registry';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import { createAppServices } from '../services';
import { parseArguments, runCli } from './cli';

const tempDir = useTempDirs();
const testKdf = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };
const groupsOfFour = /^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/;
const enrolmentSecret = /^ {4}secret: ([A-Z2-7]+)\n/m;
const printedRecoveryCodes = /^ {4}([0-9A-Z]{4}-[0-9A-Z]{4})$/gm;

const header =
  'asset_tag,manufacturer,model,serial_number,device_class,criticality,site,building,room,ip_address,mac_address,lifecycle_state\n';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  questions: string[];
}

interface RunOptions {
  /** Answers a prompt, given what stderr showed so far; without it there is no terminal. */
  answer?: (question: string, stderr: string) => string;
  /** Called when an enrolment prints the authenticator secret, before the code is read. */
  onEnrol?: (secret: string) => void;
}

interface Account {
  username: string;
  role: Role;
  password: string;
  passwordFile: string;
  secret: string;
  recoveryCodes: string[];
}

interface InitOutput {
  user: { username: string; role: Role };
  recoveryCode: string;
  emergencyCredential: string;
  mfaSecret: string;
  mfaUri: string;
  mfaRecoveryCodes: string[];
  dataDir: string;
}

/**
 * One data dir, one frozen clock and every account's authenticator, shared by the runs of a test.
 * Each sign-in first moves the clock to a fresh 30-second step: a TOTP code is accepted once.
 */
function testConsole() {
  const dir = tempDir();
  const dataDir = join(dir, 'data');
  const clock = frozenClock(Date.UTC(2026, 10, 23, 10));
  const ids = sequentialIds('cli');
  const accounts = new Map<string, Account>();
  let files = 0;

  const newPath = (): string => join(dir, `secret-${++files}`);
  function file(value: string, path = newPath()): string {
    writeFileSync(path, `${value}\n`, { mode: 0o600 });
    return path;
  }

  async function run(args: string[], options: RunOptions = {}): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const questions: string[] = [];
    const { answer, onEnrol } = options;
    const code = await runCli(
      args,
      {
        stdout: (text) => void (stdout += text),
        stderr: (text) => {
          stderr += text;
          const found = enrolmentSecret.exec(text);
          if (found) onEnrol?.(found[1]!);
        },
        ...(answer
          ? {
              promptSecret: (question: string) => {
                questions.push(question);
                return Promise.resolve(answer(question, stderr));
              },
            }
          : {}),
      },
      { services: { clock, ids, kdfCost: testKdf } },
    );
    return { code, stdout, stderr, questions };
  }

  function account(username: string): Account {
    const found = accounts.get(username);
    if (!found) throw new Error(`no test account ${username}`);
    return found;
  }

  /** Sign-in arguments of an enrolled account, with the code its authenticator shows next. */
  function as(username: string): string[] {
    const { passwordFile, secret } = account(username);
    return [
      '--data-dir',
      dataDir,
      '--user',
      username,
      '--password-file',
      passwordFile,
      '--totp-file',
      file(nextCode(clock, secret)),
    ];
  }

  /** A --totp-file that exists only once the enrolment has printed the secret. */
  function enrolment(): { path: string; onEnrol: (secret: string) => void; secret: () => string } {
    const path = newPath();
    let seen = '';
    return {
      path,
      onEnrol: (secret) => {
        seen = secret;
        file(nextCode(clock, secret), path);
      },
      secret: () => seen,
    };
  }

  async function init(username = 'admin', extra: string[] = ['init', '--json']): Promise<Run> {
    const password = generatedPassword();
    const passwordFile = file(password);
    const enrol = enrolment();
    const args = ['--data-dir', dataDir, '--user', username, '--password-file', passwordFile];
    const result = await run([...args, '--totp-file', enrol.path, ...extra], {
      onEnrol: enrol.onEnrol,
    });
    expect(result.code, result.stderr).toBe(0);
    accounts.set(username, {
      username,
      role: 'administrator',
      password,
      passwordFile,
      secret: enrol.secret(),
      recoveryCodes: [],
    });
    return result;
  }

  /** The first sign-in of an account made by an administrator, running `command`. */
  async function firstSignIn(
    username: string,
    role: Role,
    initialPassword: string,
    command: string[],
  ): Promise<Run> {
    const password = generatedPassword();
    const passwordFile = file(password);
    const enrol = enrolment();
    const result = await run(
      [
        '--data-dir',
        dataDir,
        '--user',
        username,
        '--password-file',
        file(initialPassword),
        '--new-password-file',
        passwordFile,
        '--totp-file',
        enrol.path,
        ...command,
      ],
      { onEnrol: enrol.onEnrol },
    );
    const recoveryCodes = [...result.stderr.matchAll(printedRecoveryCodes)].map((m) => m[1]!);
    accounts.set(username, {
      username,
      role,
      password,
      passwordFile,
      secret: enrol.secret(),
      recoveryCodes,
    });
    return result;
  }

  /** An administrator adds the account; its user signs in once (new password, enrolment). */
  async function addAccount(username: string, role: Role, by = 'admin'): Promise<Account> {
    const added = await run([...as(by), 'user', 'add', username, '--role', role, '--json']);
    expect(added.code, added.stderr).toBe(0);
    const { initialPassword } = JSON.parse(added.stdout) as { initialPassword: string };
    const first = await firstSignIn(username, role, initialPassword, ['device', 'list', '--json']);
    expect(first.code, first.stderr).toBe(0);
    return account(username);
  }

  return { dir, dataDir, clock, file, run, as, account, init, firstSignIn, addAccount, enrolment };
}

/** Six digits that are not the code of the step before, at or after now. */
function wrongCode(secret: string, nowMs: number): string {
  const valid = new Set(
    [-30_000, 0, 30_000].map((offset) => totp(base32Decode(secret), nowMs + offset)),
  );
  let candidate = 0;
  while (valid.has(String(candidate).padStart(6, '0'))) candidate += 1;
  return String(candidate).padStart(6, '0');
}

function oneErrorLine(run: Run): void {
  expect(
    run.stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('wardkeep: error:')),
  ).toHaveLength(1);
}

describe('wardkeep command line: set-up and sign-in', () => {
  it('init creates the store, shows its codes once and enrols the authenticator from a code read after the secret', async () => {
    const wardkeep = testConsole();
    const init = await wardkeep.init();
    const output = JSON.parse(init.stdout) as InitOutput;
    expect(output.user).toEqual({ username: 'admin', role: 'administrator' });
    expect(output.recoveryCode).toMatch(groupsOfFour);
    expect(output.emergencyCredential).toMatch(groupsOfFour);
    expect(output.emergencyCredential).not.toBe(output.recoveryCode);
    expect(output.mfaSecret).toBe(wardkeep.account('admin').secret);
    expect(output.mfaSecret).toMatch(/^[A-Z2-7]{32}$/);
    expect(output.mfaUri).toMatch(/^otpauth:\/\/totp\/Wardkeep:admin\?/);
    expect(output.mfaUri).toContain(`secret=${output.mfaSecret}`);
    expect(output.mfaRecoveryCodes).toHaveLength(10);
    expect(new Set(output.mfaRecoveryCodes).size).toBe(10);
    expect(output.dataDir).toBe(wardkeep.dataDir);
    // The secret was on stderr (for the person enrolling); --json keeps the recovery codes in JSON.
    expect(init.stderr).toContain(`secret: ${output.mfaSecret}`);
    expect(init.stderr).toContain(output.mfaUri);
    for (const code of output.mfaRecoveryCodes) expect(init.stderr).not.toContain(code);
    const keyslots = readFileSync(join(wardkeep.dataDir, 'keyslots.json'), 'utf8');
    for (const secret of [output.recoveryCode, output.emergencyCredential, output.mfaSecret])
      expect(keyslots).not.toContain(secret);

    const again = await wardkeep.run([...wardkeep.as('admin'), 'init']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^wardkeep: error: .*already set up.*\[setup\.done\]\n$/);

    const listed = await wardkeep.run([...wardkeep.as('admin'), 'user', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { username: 'admin', role: 'administrator', mfaEnrolled: true, recoveryCodesLeft: 10 },
    ]);

    // An MFA recovery code stands in for the authenticator once.
    const byRecoveryCode = [
      '--data-dir',
      wardkeep.dataDir,
      '--user',
      'admin',
      '--password-file',
      wardkeep.account('admin').passwordFile,
      '--totp-file',
      wardkeep.file(output.mfaRecoveryCodes[0]!),
      'user',
      'list',
      '--json',
    ];
    const recovered = await wardkeep.run(byRecoveryCode);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(JSON.parse(recovered.stdout)).toMatchObject([{ recoveryCodesLeft: 9 }]);
    const reused = await wardkeep.run(byRecoveryCode);
    expect(reused.code).toBe(1);
    expect(reused.stderr).toContain('[auth.mfa_invalid]');
  });

  it('refuses a weak password at init with exit code 2', async () => {
    const wardkeep = testConsole();
    const run = await wardkeep.run([
      '--data-dir',
      wardkeep.dataDir,
      '--user',
      'admin',
      '--password-file',
      wardkeep.file('short'),
      'init',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/password\.weak/);
  });

  it('never takes a secret from argv', async () => {
    const wardkeep = testConsole();
    for (const [argument, safe] of [
      ['--password', '--password-file'],
      ['--totp', '--totp-file'],
      ['--code', '--totp-file'],
      ['--new-password', '--new-password-file'],
      ['--emergency-credential', '--emergency-file'],
    ] as const) {
      const run = await wardkeep.run(['--user', 'admin', argument, 'whatever', 'device', 'list']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${argument} is not accepted: pass secrets with ${safe} FILE`);
    }
    expect(() => parseArguments(['--recovery-code=x'])).toThrow(/not accepted.*--recovery-file/);
  });

  it('asks at the prompt: a new password twice, then the code of the authenticator it shows', async () => {
    const wardkeep = testConsole();
    const password = generatedPassword();
    const base = ['--data-dir', wardkeep.dataDir, '--user', 'admin'];
    const typo = await wardkeep.run([...base, 'init'], {
      answer: (question) => (question === 'password: ' ? password : `${password}x`),
    });
    expect(typo.code).toBe(2);
    expect(typo.questions).toEqual(['password: ', 'password again: ']);
    expect(typo.stderr).toContain('the two passwords differ');
    expect(existsSync(join(wardkeep.dataDir, 'keyslots.json'))).toBe(false);

    let secret = '';
    const made = await wardkeep.run([...base, 'init'], {
      answer: (question, stderr) => {
        if (question !== 'authenticator code: ') return password;
        secret = enrolmentSecret.exec(stderr)?.[1] ?? '';
        return nextCode(wardkeep.clock, secret);
      },
    });
    expect(made.code, made.stderr).toBe(0);
    expect(made.questions).toEqual(['password: ', 'password again: ', 'authenticator code: ']);
    // Text mode: the store's codes on stdout; the authenticator's secrets on stderr only.
    const [recoveryCode, emergencyCredential] = [
      ...made.stdout.matchAll(/^ {4}([0-9A-Z-]{39})$/gm),
    ].map((match) => match[1]);
    expect(recoveryCode).toMatch(groupsOfFour);
    expect(emergencyCredential).toMatch(groupsOfFour);
    expect(made.stdout).toMatch(/Recovery code \(shown once/);
    expect(made.stdout).toMatch(/Emergency credential \(shown once/);
    expect(made.stdout).not.toContain(secret);
    expect(made.stderr).toContain(`secret: ${secret}`);
    expect(made.stderr).toMatch(/otpauth:\/\/totp\/Wardkeep:admin\?/);
    expect([...made.stderr.matchAll(printedRecoveryCodes)]).toHaveLength(10);

    // Signing in asks for the password once, then the code.
    const listed = await wardkeep.run([...base, 'user', 'list'], {
      answer: (question) =>
        question === 'password: ' ? password : nextCode(wardkeep.clock, secret),
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.questions).toEqual(['password: ', 'authenticator code: ']);
    expect(listed.stdout).toMatch(/^admin\tadministrator\tactive\tenrolled\tset\t10\t-$/m);
  });

  it('refuses a wrong password and a wrong code with exit code 1, and warns about a readable password file', async () => {
    const wardkeep = testConsole();
    await wardkeep.init();
    const wrong = wardkeep.file(generatedPassword());
    chmodSync(wrong, 0o644);
    const base = ['--data-dir', wardkeep.dataDir, '--user', 'admin'];
    const run = await wardkeep.run([...base, '--password-file', wrong, 'device', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('readable by other users');
    expect(run.stderr).toContain('[auth.invalid]');
    expect(run.stdout).toBe('');

    const { passwordFile, secret } = wardkeep.account('admin');
    wardkeep.clock.advance(maximumBackoffMs);
    const badCode = wardkeep.file(wrongCode(secret, wardkeep.clock.nowMs()));
    const refused = await wardkeep.run([
      ...base,
      '--password-file',
      passwordFile,
      '--totp-file',
      badCode,
      'device',
      'list',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^wardkeep: error: that code does not match.*\[auth\.mfa_invalid\]\n$/,
    );
    expect(refused.stdout).toBe('');
    // No code at all, and no terminal to ask on: invalid input.
    const missing = await wardkeep.run([
      ...base,
      '--password-file',
      passwordFile,
      'device',
      'list',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no authenticator code: pass --totp-file FILE');
  });

  it(`locks an account after ${failuresBeforeLock} failed sign-ins in a row until an administrator unlocks it`, async () => {
    const wardkeep = testConsole();
    await wardkeep.init();
    const technician = await wardkeep.addAccount('tom', 'technician');
    const wrong = wardkeep.file(generatedPassword());
    const base = ['--data-dir', wardkeep.dataDir, '--user', 'tom'];
    for (let attempt = 1; attempt <= failuresBeforeLock; attempt++) {
      // Past the back-off, so that every attempt is a real one.
      wardkeep.clock.advance(maximumBackoffMs + 1000);
      const run = await wardkeep.run([...base, '--password-file', wrong, 'device', 'list']);
      expect(run.code, `attempt ${attempt}`).toBe(1);
      expect(run.stderr).toContain(
        attempt < failuresBeforeLock ? '[auth.invalid]' : 'now locked for 30 min [auth.locked]',
      );
    }
    const locked = await wardkeep.run([...wardkeep.as('tom'), 'device', 'list']);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/locked after repeated failed sign-ins.*\[auth\.locked\]\n$/);

    const accounts = await wardkeep.run([...wardkeep.as('admin'), 'user', 'list', '--json']);
    expect(
      (JSON.parse(accounts.stdout) as AccountSummary[]).find((row) => row.username === 'tom'),
    ).toMatchObject({ locked: true });
    const unlocked = await wardkeep.run([...wardkeep.as('admin'), 'user', 'unlock', 'tom']);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(unlocked.stdout).toBe('Unlocked tom.\n');
    const back = await wardkeep.run([...wardkeep.as(technician.username), 'device', 'list']);
    expect(back.code, back.stderr).toBe(0);
  });

  it('recovers access with the recovery code file, then enrols a new authenticator', async () => {
    const wardkeep = testConsole();
    const init = JSON.parse((await wardkeep.init()).stdout) as InitOutput;
    const oldAuth = wardkeep.as('admin');
    const newPassword = generatedPassword();
    const newPasswordFile = wardkeep.file(newPassword);
    const enrol = wardkeep.enrolment();
    const recovered = await wardkeep.run(
      [
        '--data-dir',
        wardkeep.dataDir,
        '--user',
        'admin',
        '--recovery-file',
        wardkeep.file(init.recoveryCode),
        '--new-password-file',
        newPasswordFile,
        '--totp-file',
        enrol.path,
        'recover',
      ],
      { onEnrol: enrol.onEnrol },
    );
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(enrol.secret()).not.toBe(init.mfaSecret);
    expect([...recovered.stderr.matchAll(printedRecoveryCodes)]).toHaveLength(10);
    // The old password no longer opens the store.
    expect((await wardkeep.run([...oldAuth, 'user', 'list'])).code).toBe(1);
    const signedIn = await wardkeep.run([
      '--data-dir',
      wardkeep.dataDir,
      '--user',
      'admin',
      '--password-file',
      newPasswordFile,
      '--totp-file',
      wardkeep.file(nextCode(wardkeep.clock, enrol.secret())),
      'user',
      'list',
    ]);
    expect(signedIn.code, signedIn.stderr).toBe(0);
  });
});

describe('wardkeep command line: accounts', () => {
  it('adds accounts with an initial password shown once, changes roles, disables, deletes and lists', async () => {
    const wardkeep = testConsole();
    await wardkeep.init();
    const added = await wardkeep.run([
      ...wardkeep.as('admin'),
      'user',
      'add',
      'tom',
      '--role',
      'technician',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const initialPassword = /^ {4}(\S+)$/m.exec(added.stdout)?.[1] ?? '';
    expect(initialPassword.length).toBeGreaterThanOrEqual(20);
    expect(added.stdout).toMatch(/^Created technician tom\. Initial password \(shown once/);

    const before = await wardkeep.run([...wardkeep.as('admin'), 'user', 'list', '--json']);
    expect(JSON.parse(before.stdout)).toMatchObject([
      { username: 'admin', role: 'administrator', mfaEnrolled: true },
      {
        username: 'tom',
        role: 'technician',
        createdBy: 'admin',
        mfaEnrolled: false,
        mustChangePassword: true,
        disabledAt: null,
      },
    ]);

    // Tom's first sign-in: the initial password, a new one, then the authenticator.
    const first = await wardkeep.firstSignIn('tom', 'technician', initialPassword, [
      'device',
      'list',
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('tom signs in with a password an administrator issued');
    expect(wardkeep.account('tom').recoveryCodes).toHaveLength(10);
    // The initial password is spent.
    const reused = await wardkeep.run([
      '--data-dir',
      wardkeep.dataDir,
      '--user',
      'tom',
      '--password-file',
      wardkeep.file(initialPassword),
      'device',
      'list',
    ]);
    expect(reused.code).toBe(1);
    expect(reused.stderr).toContain('[auth.invalid]');

    // A technician manages no accounts.
    const refused = await wardkeep.run([
      ...wardkeep.as('tom'),
      'user',
      'add',
      'eve',
      '--role',
      'administrator',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^wardkeep: error: the technician role may not use accounts:create.*\[permission\.denied\]\n$/,
    );

    // Tom changes his own password.
    const newPassword = generatedPassword();
    const changed = await wardkeep.run([
      ...wardkeep.as('tom'),
      '--new-password-file',
      wardkeep.file(newPassword),
      'password',
    ]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toBe('Password changed for tom.\n');
    expect((await wardkeep.run([...wardkeep.as('tom'), 'device', 'list'])).code).toBe(1);
    const tom = wardkeep.account('tom');
    tom.password = newPassword;
    tom.passwordFile = wardkeep.file(newPassword);
    expect((await wardkeep.run([...wardkeep.as('tom'), 'device', 'list'])).code).toBe(0);

    const promoted = await wardkeep.run([
      ...wardkeep.as('admin'),
      'user',
      'role',
      'tom',
      'engineer',
    ]);
    expect(promoted.code, promoted.stderr).toBe(0);
    const badRole = await wardkeep.run([...wardkeep.as('admin'), 'user', 'role', 'tom', 'boss']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain(
      'ROLE must be one of technician, engineer, manager, administrator',
    );
    // Nobody disables their own account: another administrator must.
    const self = await wardkeep.run([...wardkeep.as('admin'), 'user', 'disable', 'admin']);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('[permission.denied]');

    await wardkeep.addAccount('mia', 'manager');
    const disabled = await wardkeep.run([...wardkeep.as('admin'), 'user', 'disable', 'tom']);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toBe('Disabled tom.\n');
    expect((await wardkeep.run([...wardkeep.as('tom'), 'device', 'list'])).code).toBe(1);
    const deleted = await wardkeep.run([...wardkeep.as('admin'), 'user', 'delete', 'mia']);
    expect(deleted.code, deleted.stderr).toBe(0);
    const missing = await wardkeep.run([...wardkeep.as('admin'), 'user', 'delete', 'mia']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[not_found]');

    const listed = await wardkeep.run([...wardkeep.as('admin'), 'user', 'list', '--json']);
    const accounts = JSON.parse(listed.stdout) as AccountSummary[];
    expect(accounts.map((row) => [row.username, row.role, row.disabledAt !== null])).toEqual([
      ['admin', 'administrator', false],
      ['tom', 'engineer', true],
    ]);
    expect(accounts[1]).toMatchObject({ mfaEnrolled: true, mustChangePassword: false });
    const text = await wardkeep.run([...wardkeep.as('admin'), 'user', 'list']);
    expect(text.stdout.split('\n')[0]).toBe(
      'username\trole\tstate\tmfa\tpassword\trecovery_codes\tcreated_by',
    );
    expect(text.stdout).toMatch(/^tom\tengineer\tdisabled\t/m);
  });
});

describe('wardkeep command line: inventory', () => {
  it('imports, lists, and reports invalid rows with their lines; all-or-nothing by default', async () => {
    const wardkeep = testConsole();
    await wardkeep.init();
    await wardkeep.addAccount('eng', 'engineer');
    const csv = join(wardkeep.dir, 'devices.csv');
    writeFileSync(
      csv,
      header +
        'A-1,Acme Medical,InfuStar 3,SN-001,infusion_pump,high,General,North,101,10.1.0.5,00:1a:2b:3c:4d:5e,in_service\n' +
        'A-2,Acme Medical,InfuStar 3,SN-002,toaster,high,General,North,102,10.1.0.6,00:1a:2b:3c:4d:5f,in_service\n' +
        'A-3,Acme Medical,InfuStar 3,SN-003,infusion_pump,high,General,North,103,999.1.1.1,00:1a:2b:3c:4d:60,in_service\n',
    );
    // An administrator reads the inventory but does not change it.
    const byAdministrator = await wardkeep.run([...wardkeep.as('admin'), 'device', 'import', csv]);
    expect(byAdministrator.code).toBe(1);
    expect(byAdministrator.stderr).toContain('[permission.denied]');

    const failed = await wardkeep.run([...wardkeep.as('eng'), 'device', 'import', csv, '--json']);
    expect(failed.code).toBe(2);
    const report = JSON.parse(failed.stdout) as {
      committed: boolean;
      issues: { line: number; column: string }[];
    };
    expect(report.committed).toBe(false);
    expect(report.issues.map((issue) => [issue.line, issue.column])).toEqual([
      [3, 'device_class'],
      [4, 'ip_address'],
    ]);
    const empty = await wardkeep.run([...wardkeep.as('eng'), 'device', 'list', '--json']);
    expect(JSON.parse(empty.stdout)).toMatchObject({ total: 0 });

    const partial = await wardkeep.run([
      ...wardkeep.as('eng'),
      'device',
      'import',
      csv,
      '--skip-invalid',
      '--json',
    ]);
    expect(partial.code).toBe(0);
    expect(JSON.parse(partial.stdout)).toMatchObject({
      committed: true,
      created: 1,
      invalidRows: 2,
    });
    const listed = await wardkeep.run([
      ...wardkeep.as('admin'),
      'device',
      'list',
      '--query',
      'SN-001',
      '--json',
    ]);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      total: 1,
      rows: [{ assetTag: 'A-1', macAddress: '00:1a:2b:3c:4d:5e' }],
    });
    const text = await wardkeep.run([...wardkeep.as('eng'), 'device', 'list']);
    expect(text.stdout).toContain('1 of 1 devices');
  });

  it('exports CSV and FHIR to a file', async () => {
    const wardkeep = testConsole();
    await wardkeep.init();
    await wardkeep.addAccount('eng', 'engineer');
    const csv = join(wardkeep.dir, 'devices.csv');
    writeFileSync(
      csv,
      header +
        'A-1,Acme Medical,InfuStar 3,SN-001,infusion_pump,high,General,North,101,10.1.0.5,,in_service\n',
    );
    expect((await wardkeep.run([...wardkeep.as('eng'), 'device', 'import', csv])).code).toBe(0);
    const out = join(wardkeep.dir, 'export.json');
    const fhir = await wardkeep.run([
      ...wardkeep.as('eng'),
      'device',
      'export',
      '--format',
      'fhir',
      '--out',
      out,
    ]);
    expect(fhir.code, fhir.stderr).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as {
      resourceType: string;
      entry: { resource: { serialNumber: string } }[];
    };
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry[0]?.resource.serialNumber).toBe('SN-001');
    const exported = await wardkeep.run([
      ...wardkeep.as('eng'),
      'device',
      'export',
      '--format',
      'csv',
    ]);
    expect(exported.stdout.split(/\r?\n/)[0]).toMatch(
      /^asset_tag,manufacturer,model,serial_number,udi_di/,
    );
  });

  it('demo on a fresh data dir creates the store and an engineer, who then fills it, once', async () => {
    const wardkeep = testConsole();
    const made = await wardkeep.init('admin', ['demo', '--json']);
    const output = JSON.parse(made.stdout) as {
      recoveryCode: string;
      setup: InitOutput;
      engineer: { username: string; role: Role; initialPassword: string };
      import: null;
    };
    expect(output.setup).toMatchObject({
      user: { username: 'admin', role: 'administrator' },
      dataDir: wardkeep.dataDir,
    });
    expect(output.recoveryCode).toBe(output.setup.recoveryCode);
    expect(output.setup.recoveryCode).toMatch(groupsOfFour);
    expect(output.setup.emergencyCredential).toMatch(groupsOfFour);
    expect(output.setup.mfaRecoveryCodes).toHaveLength(10);
    expect(output.engineer).toMatchObject({ username: 'engineer', role: 'engineer' });
    expect(output.import).toBeNull();

    // The administrator cannot import, and says who can.
    const byAdministrator = await wardkeep.run([...wardkeep.as('admin'), 'demo']);
    expect(byAdministrator.code).toBe(1);
    expect(byAdministrator.stderr).toMatch(
      /administrator role cannot import.*\[permission\.denied\]/,
    );

    const filled = await wardkeep.firstSignIn(
      'engineer',
      'engineer',
      output.engineer.initialPassword,
      ['demo', '--json'],
    );
    expect(filled.code, filled.stderr).toBe(0);
    expect(JSON.parse(filled.stdout)).toMatchObject({
      recoveryCode: null,
      setup: null,
      engineer: null,
      import: { committed: true, created: 2500, invalidRows: 0 },
    });

    type Page = {
      total: number;
      rows: { site: string | null; deviceClass: string; criticality: string }[];
    };
    const pages: Page[] = [];
    for (const offset of ['0', '1000', '2000']) {
      const listed = await wardkeep.run([
        ...wardkeep.as('engineer'),
        'device',
        'list',
        '--offset',
        offset,
        '--limit',
        '1000',
        '--json',
      ]);
      pages.push(JSON.parse(listed.stdout) as Page);
    }
    const rows = pages.flatMap((each) => each.rows);
    expect(rows).toHaveLength(2500);
    expect(pages[0]?.total).toBe(2500);
    expect(new Set(rows.map((row) => row.site)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(rows.map((row) => row.deviceClass)).size).toBeGreaterThanOrEqual(8);
    expect(rows.some((row) => row.criticality === 'life_sustaining')).toBe(true);

    // Running it again finds every device already there.
    const again = await wardkeep.run([...wardkeep.as('engineer'), 'demo', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      import: { created: 0, updated: 0, unchanged: 2500 },
    });
  });

  it('says what and where for bad arguments and files, with exit code 2', async () => {
    const wardkeep = testConsole();
    await wardkeep.init();
    await wardkeep.addAccount('eng', 'engineer');
    const dir = wardkeep.dir;
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.concat([Buffer.from(`${header}A-1,M`), Buffer.from([0xfc])]));
    const eng = (): string[] => wardkeep.as('eng');
    const admin = (): string[] => wardkeep.as('admin');
    const cases: [() => string[], RegExp][] = [
      [
        () => [...eng(), 'device', 'import', join(dir, 'missing.csv')],
        /cannot read .*missing\.csv: ENOENT/,
      ],
      [
        () => [...eng(), 'device', 'import', latin1],
        /latin1\.csv: line 2: the file is not valid UTF-8 text \(byte offset \d+\)/,
      ],
      [() => [...eng(), 'device', 'list', '--class', 'toaster'], /--class must be one of/],
      [() => [...eng(), 'device', 'list', '--limit', 'lots'], /--limit must be a whole number/],
      [() => [...eng(), 'device', 'export'], /needs --format csv\|fhir/],
      [() => [...eng(), 'frobnicate'], /unknown command "frobnicate"/],
      [() => ['--bogus'], /unknown option --bogus/],
      [() => [...eng(), 'device', 'list', '--limit', '5000'], /at limit/],
      [() => [...admin(), 'user', 'add', 'x'], /user add needs --role/],
      [() => [...admin(), 'user', 'add', 'Bad Name', '--role', 'engineer'], /at username/],
      [() => [...admin(), 'breakglass', 'review', 'one', '--comment', 'x'], /ID must be/],
      [() => [...admin(), 'breakglass', 'review', '1'], /needs --comment/],
      [() => [...admin(), 'breakglass', 'open'], /emergency access lasts one command/],
      [() => [...admin(), '--opened-by', 'x', 'device', 'list'], /goes with --emergency-file/],
      [
        () => [...admin(), '--emergency-file', wardkeep.file('x'), 'device', 'list'],
        /either --user .* or --emergency-file/,
      ],
      [() => ['--data-dir', wardkeep.dataDir, 'device', 'list'], /needs --user NAME/],
    ];
    for (const [args, pattern] of cases) {
      const argv = args();
      const run = await wardkeep.run(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr, argv.join(' ')).toMatch(pattern);
      oneErrorLine(run);
    }
  });
});

describe('wardkeep command line: emergency access', () => {
  it('runs one command in an emergency session that is recorded, reviewed by another administrator, and rotated', async () => {
    const wardkeep = testConsole();
    const init = JSON.parse((await wardkeep.init()).stdout) as InitOutput;
    await wardkeep.addAccount('auditor', 'administrator');
    const csv = join(wardkeep.dir, 'devices.csv');
    writeFileSync(
      csv,
      header +
        'A-9,Acme Medical,InfuStar 3,SN-900,infusion_pump,life_sustaining,General,North,9,,,in_service\n',
    );
    const emergency = (credential: string, reason = 'device_failure'): string[] => [
      '--data-dir',
      wardkeep.dataDir,
      '--emergency-file',
      wardkeep.file(credential),
      '--opened-by',
      'auditor',
      '--reason',
      reason,
    ];

    // Refused before the sealed credential is used: what an emergency session could not do.
    const accounts = await wardkeep.run([
      ...emergency(init.emergencyCredential),
      'user',
      'add',
      'x',
      '--role',
      'engineer',
    ]);
    expect(accounts.code).toBe(1);
    expect(accounts.stderr).toMatch(/cannot use accounts:create; the credential was not used/);
    const exporting = await wardkeep.run([
      ...emergency(init.emergencyCredential),
      'device',
      'export',
      '--format',
      'csv',
    ]);
    expect(exporting.code).toBe(1);
    const unexplained = await wardkeep.run([
      ...emergency(init.emergencyCredential, 'other'),
      'device',
      'list',
    ]);
    expect(unexplained.code).toBe(2);
    expect(unexplained.stderr).toContain('[input.invalid]');

    const imported = await wardkeep.run([
      ...emergency(init.emergencyCredential),
      '--reason-text',
      'pump library update',
      'device',
      'import',
      csv,
      '--json',
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ committed: true, created: 1 });
    expect(imported.stderr).toMatch(
      /EMERGENCY ACCESS opened by auditor \(device_failure\) with engineer rights/,
    );
    // Spent: the same credential opens nothing any more.
    const spent = await wardkeep.run([...emergency(init.emergencyCredential), 'device', 'list']);
    expect(spent.code).toBe(1);
    expect(spent.stderr).toContain('[breakglass.unavailable]');

    const listed = await wardkeep.run([...wardkeep.as('admin'), 'breakglass', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const records = JSON.parse(listed.stdout) as EmergencySessionRecord[];
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record).toMatchObject({
      openedBy: 'auditor',
      reason: 'device_failure',
      reasonText: 'pump library update',
      closeReason: 'logout',
      reviewedBy: null,
    });
    expect(record.closedAt).not.toBeNull();

    // Whoever used the emergency access does not sign it off.
    const own = await wardkeep.run([
      ...wardkeep.as('auditor'),
      'breakglass',
      'review',
      String(record.id),
      '--comment',
      'all fine',
    ]);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain('[breakglass.review]');
    const reviewed = await wardkeep.run([
      ...wardkeep.as('admin'),
      'breakglass',
      'review',
      String(record.id),
      '--comment',
      'checked the pump library change',
    ]);
    expect(reviewed.code, reviewed.stderr).toBe(0);
    const text = await wardkeep.run([...wardkeep.as('admin'), 'breakglass', 'list']);
    expect(text.stdout).toMatch(
      new RegExp(
        `^${record.id}\\tauditor\\tdevice_failure\\t.*\\tadmin \\S+\\tpump library update$`,
        'm',
      ),
    );

    // The audit log tags what the emergency session did.
    const services = createAppServices({
      dataDir: wardkeep.dataDir,
      clock: wardkeep.clock,
      ids: sequentialIds('check'),
      kdfCost: testKdf,
    });
    try {
      const admin = wardkeep.account('admin');
      const testAccount: TestAccount = { ...admin, recoveryCodes: [] };
      await signInThroughRegistry(
        createIpcRegistry(services),
        wardkeep.clock,
        'check',
        testAccount,
      );
      const audit = services.audit().list({ limit: 1000 }).records;
      const tagged = audit.filter((entry) => entry.emergency).map((entry) => entry.action);
      expect(tagged).toEqual(
        expect.arrayContaining(['breakglass.open', 'inventory.import', 'breakglass.close']),
      );
      expect(audit.find((entry) => entry.action === 'inventory.import')).toMatchObject({
        actor: 'auditor',
        emergency: true,
      });
    } finally {
      services.close();
    }

    const rotated = await wardkeep.run([...wardkeep.as('admin'), 'breakglass', 'rotate', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const { credential } = JSON.parse(rotated.stdout) as { credential: string };
    expect(credential).toMatch(groupsOfFour);
    expect(credential).not.toBe(init.emergencyCredential);
    const old = await wardkeep.run([...emergency(init.emergencyCredential), 'device', 'list']);
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('[auth.invalid]');
    const fresh = await wardkeep.run([...emergency(credential), 'device', 'list', '--json']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ total: 1 });
  });
});
