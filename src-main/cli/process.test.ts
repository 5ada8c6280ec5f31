// The command line as a user runs it: the built bin entry in its own process, exit codes and one
// error line on stderr; and what it leaves on disk holds no secret and no device data in clear.
// The authenticator is the test: at enrolment it reads the secret from the child's stderr and
// writes the code into the named pipe the child reads --totp-file from, so no step waits on time.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedPassword, useTempDirs } from '../../test/support/temp';
import { base32Decode, totp } from '../access/totp';

const tempDir = useTempDirs();
const projectRoot = join(__dirname, '..', '..');
const bin = join(projectRoot, 'bin', 'wardkeep.cjs');
const enrolmentSecret = /^ {4}secret: ([A-Z2-7]+)\n/m;
const printedRecoveryCodes = /^ {4}([0-9A-Z]{4}-[0-9A-Z]{4})$/gm;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A named pipe: the child's read of it waits until the test has written the code. */
function namedPipe(dir: string, name: string): string {
  const path = join(dir, name);
  const made = spawnSync('mkfifo', ['-m', '600', path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
  return path;
}

/** The code an authenticator holding `secret` shows `stepsAhead` steps from now. */
function authenticatorCode(secret: string, stepsAhead = 0): string {
  return totp(base32Decode(secret), Date.now() + stepsAhead * 30_000);
}

function wardkeep(args: string[], enrolThrough?: string): Promise<Run> {
  if (!existsSync(join(projectRoot, 'out', 'main', 'cli.js'))) {
    throw new Error('out/main/cli.js is missing: run `npm run build` first (npm test does)');
  }
  return new Promise((resolve, reject) => {
    // stdin is not a terminal: the CLI must never wait on a prompt here.
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: tempDir(), WARDKEEP_LOG: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    let written: Promise<void> | null = null;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const secret = enrolmentSecret.exec(stderr)?.[1];
      if (enrolThrough && secret && !written)
        written = writeFile(enrolThrough, `${authenticatorCode(secret)}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (!written || !enrolThrough) return resolve({ code, stdout, stderr });
      // Had the child ended without reading the pipe, the write would wait for a reader forever:
      // be that reader for a moment, so the write ends either way.
      closeSync(openSync(enrolThrough, constants.O_RDONLY | constants.O_NONBLOCK));
      written.then(
        () => resolve({ code, stdout, stderr }),
        () => resolve({ code, stdout, stderr }),
      );
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function secretFile(dir: string, name: string, value: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return path;
}

describe('the wardkeep bin entry', () => {
  it('initialises with MFA, adds an engineer who imports and lists, in separate processes, with exit codes 0, 2 and 1', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const adminPassword = generatedPassword();
    const adminPasswordFile = secretFile(dir, 'admin-pw', adminPassword);
    const admin = ['--data-dir', dataDir, '--user', 'admin', '--password-file', adminPasswordFile];

    const adminPipe = namedPipe(dir, 'admin-code');
    const init = await wardkeep([...admin, '--totp-file', adminPipe, 'init', '--json'], adminPipe);
    expect(init.code, init.stderr).toBe(0);
    const created = JSON.parse(init.stdout) as {
      recoveryCode: string;
      emergencyCredential: string;
      mfaSecret: string;
      mfaRecoveryCodes: string[];
    };
    expect(created.recoveryCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
    expect(created.mfaRecoveryCodes).toHaveLength(10);

    // The next step's code: later than the one enrolment used, and within the allowed drift.
    const added = await wardkeep([
      ...admin,
      '--totp-file',
      secretFile(dir, 'admin-code-2', authenticatorCode(created.mfaSecret, 1)),
      'user',
      'add',
      'eng',
      '--role',
      'engineer',
      '--json',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const { initialPassword } = JSON.parse(added.stdout) as { initialPassword: string };

    const csv = join(dir, 'devices.csv');
    const serials = ['QX-7731-SERIAL', 'QX-7732-SERIAL'];
    writeFileSync(
      csv,
      'manufacturer,model,serial_number,device_class,criticality,site,notes\r\n' +
        serials
          .map(
            (serial) => `Acme Medical,InfuStar 3,${serial},infusion_pump,high,North,"bed 4, ICU"`,
          )
          .join('\r\n'),
    );
    // The engineer's first sign-in: the issued password, a new one, an authenticator; then import.
    const engineerPassword = generatedPassword();
    const engineerPasswordFile = secretFile(dir, 'eng-pw', engineerPassword);
    const engineerPipe = namedPipe(dir, 'eng-code');
    const imported = await wardkeep(
      [
        '--data-dir',
        dataDir,
        '--user',
        'eng',
        '--password-file',
        secretFile(dir, 'eng-initial', initialPassword),
        '--new-password-file',
        engineerPasswordFile,
        '--totp-file',
        engineerPipe,
        'device',
        'import',
        csv,
        '--json',
      ],
      engineerPipe,
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ committed: true, created: 2 });
    const engineerSecret = enrolmentSecret.exec(imported.stderr)?.[1] ?? '';
    const engineerRecoveryCodes = [...imported.stderr.matchAll(printedRecoveryCodes)].map(
      (match) => match[1]!,
    );
    expect(engineerRecoveryCodes).toHaveLength(10);

    const engineer = [
      '--data-dir',
      dataDir,
      '--user',
      'eng',
      '--password-file',
      engineerPasswordFile,
    ];
    const listed = await wardkeep([
      ...engineer,
      '--totp-file',
      secretFile(dir, 'eng-code-2', authenticatorCode(engineerSecret, 1)),
      'device',
      'list',
      '--query',
      'qx',
      '--json',
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    const page = JSON.parse(listed.stdout) as { total: number; rows: { serialNumber: string }[] };
    expect(page.total).toBe(2);
    expect(page.rows.map((row) => row.serialNumber).sort()).toEqual(serials);

    // A second sign-in within the same 30 s: one of the single-use MFA recovery codes.
    const byRecoveryCode = await wardkeep([
      ...engineer,
      '--totp-file',
      secretFile(dir, 'eng-recovery', engineerRecoveryCodes[0]!),
      'device',
      'list',
      '--json',
    ]);
    expect(byRecoveryCode.code, byRecoveryCode.stderr).toBe(0);

    const invalid = await wardkeep([...engineer, 'device', 'list', '--limit', 'many']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^wardkeep: error: .*--limit must be a whole number/),
    ]);

    const wrong = await wardkeep([
      '--data-dir',
      dataDir,
      '--user',
      'eng',
      '--password-file',
      secretFile(dir, 'wrong', generatedPassword()),
      'device',
      'list',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/\[auth\.invalid\]/);
    expect(wrong.stdout).toBe('');

    // Nothing in the data folder holds a password, the recovery code, the emergency credential, a
    // TOTP secret, an MFA recovery code, a serial number or the manufacturer in clear: not the
    // database, its WAL, the keyslots, the sign-in throttle, nor any log.
    const files = filesUnder(dataDir);
    expect(files.some((file) => file.endsWith('keyslots.json'))).toBe(true);
    const withoutDashes = (codes: string[]): string[] =>
      codes.map((code) => code.replaceAll('-', ''));
    const needles = [
      adminPassword,
      initialPassword,
      engineerPassword,
      created.recoveryCode,
      created.emergencyCredential,
      ...withoutDashes([created.recoveryCode, created.emergencyCredential]),
      created.mfaSecret,
      engineerSecret,
      ...created.mfaRecoveryCodes,
      ...engineerRecoveryCodes,
      ...withoutDashes([...created.mfaRecoveryCodes, ...engineerRecoveryCodes]),
      ...serials,
      'Acme Medical',
      'admin',
    ];
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.subarray(0, 16).toString('latin1'), file).not.toBe('SQLite format 3\0');
      for (const needle of needles) {
        expect(bytes.includes(Buffer.from(needle, 'utf8')), `${needle} in ${file}`).toBe(false);
        expect(bytes.includes(Buffer.from(needle, 'utf16le')), `${needle} in ${file}`).toBe(false);
      }
    }
  });
});
