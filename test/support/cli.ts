// A data dir with accounts made through the registry, then `wardkeep` run in-process on it as the
// command line would run, on the same frozen clock: each sign-in moves the clock to a fresh TOTP
// step and hands the password and code over in files, never in arguments.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../src-preload/contract';
import { runCli } from '../../src-main/cli/cli';
import type { IpcRegistry } from '../../src-main/ipc/registry';
import { createIpcRegistry } from '../../src-main/ipc/registry';
import { frozenClock } from '../../src-main/lib/clock';
import { sequentialIds } from '../../src-main/lib/ids';
import type { AppServices } from '../../src-main/services';
import { createAppServices } from '../../src-main/services';
import type { TestAccount, TestClock } from './accounts';
import { addAccount, nextCode, setUpConsole } from './accounts';

/** The cheapest Argon2id cost the vault accepts: tests sign in many times. */
export const testKdf = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliConsole {
  dir: string;
  dataDir: string;
  clock: TestClock;
  /** The administrator made at set-up (signed in as client `admin` during `prepare`). */
  admin: TestAccount;
  emergencyCredential: string;
  /** Writes a file (mode 0600) in the test's dir and returns its path. */
  file: (content: string, name?: string) => string;
  run: (args: string[]) => Promise<CliRun>;
  /** Sign-in arguments for an account, with the code its authenticator shows next. */
  as: (username: string) => string[];
  /** Opens the services in-process on the same data dir and clock (close them after). */
  openServices: () => AppServices;
}

export interface CliConsoleOptions {
  dir: string;
  startMs: number;
  /** Accounts an administrator creates, each signed in once (password chosen, MFA enrolled). */
  accounts?: readonly (readonly [string, Role])[];
  /** Anything else to do through the registry before the store is closed. */
  prepare?: (registry: IpcRegistry, accounts: Map<string, TestAccount>) => Promise<void>;
  idPrefix?: string;
}

export async function createCliConsole(options: CliConsoleOptions): Promise<CliConsole> {
  const { dir } = options;
  const dataDir = join(dir, 'data');
  const clock = frozenClock(options.startMs);
  const ids = sequentialIds(options.idPrefix ?? 'cli');
  const services = createAppServices({ dataDir, clock, ids, kdfCost: testKdf });
  const registry = createIpcRegistry(services);
  const { admin, emergencyCredential } = await setUpConsole(registry, clock, 'admin');
  const accounts = new Map<string, TestAccount>([['admin', admin]]);
  for (const [username, role] of options.accounts ?? []) {
    accounts.set(username, await addAccount(registry, clock, admin, 'admin', username, role));
  }
  await options.prepare?.(registry, accounts);
  services.close();

  let written = 0;
  function file(content: string, name = `file-${++written}`): string {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  return {
    dir,
    dataDir,
    clock,
    admin,
    emergencyCredential,
    file,
    async run(args) {
      let stdout = '';
      let stderr = '';
      const code = await runCli(
        args,
        { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
        { services: { clock, ids, kdfCost: testKdf } },
      );
      return { code, stdout, stderr };
    },
    as(username) {
      const account = accounts.get(username);
      if (!account) throw new Error(`no test account ${username}`);
      return [
        '--data-dir',
        dataDir,
        '--user',
        username,
        '--password-file',
        file(`${account.password}\n`),
        '--totp-file',
        file(`${nextCode(clock, account.secret)}\n`),
      ];
    },
    openServices: () => createAppServices({ dataDir, clock, ids, kdfCost: testKdf }),
  };
}
