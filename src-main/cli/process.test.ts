// The command line as a user runs it: the built bin entry in its own process, exit codes and one
// error line on stderr; and what it leaves on disk holds no secret and no device data in clear.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedPassword, useTempDirs } from '../../test/support/temp';

const tempDir = useTempDirs();
const projectRoot = join(__dirname, '..', '..');
const bin = join(projectRoot, 'bin', 'wardkeep.cjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function wardkeep(args: string[]): Promise<Run> {
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
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the wardkeep bin entry', () => {
  it('initialises, imports and lists in separate processes, with exit codes 0, 2 and 1', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const password = generatedPassword();
    const passwordFile = join(dir, 'pw');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    const auth = ['--data-dir', dataDir, '--user', 'admin', '--password-file', passwordFile];

    const init = await wardkeep([...auth, 'init', '--json']);
    expect(init.code, init.stderr).toBe(0);
    const { recoveryCode } = JSON.parse(init.stdout) as { recoveryCode: string };
    expect(recoveryCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);

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
    const imported = await wardkeep([...auth, 'device', 'import', csv, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ committed: true, created: 2 });

    const listed = await wardkeep([...auth, 'device', 'list', '--query', 'qx', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const page = JSON.parse(listed.stdout) as { total: number; rows: { serialNumber: string }[] };
    expect(page.total).toBe(2);
    expect(page.rows.map((row) => row.serialNumber).sort()).toEqual(serials);

    const invalid = await wardkeep([...auth, 'device', 'list', '--limit', 'many']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^wardkeep: error: .*--limit must be a whole number/),
    ]);

    const wrongFile = join(dir, 'wrong');
    writeFileSync(wrongFile, `${generatedPassword()}\n`, { mode: 0o600 });
    const wrong = await wardkeep([
      '--data-dir',
      dataDir,
      '--user',
      'admin',
      '--password-file',
      wrongFile,
      'device',
      'list',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/\[auth\.invalid\]/);
    expect(wrong.stdout).toBe('');

    // Nothing in the data folder holds the password, the recovery code, a serial number or
    // the manufacturer in clear: not the database, its WAL, the keyslots, nor any log.
    const files = filesUnder(dataDir);
    expect(files.some((file) => file.endsWith('keyslots.json'))).toBe(true);
    const needles = [
      password,
      recoveryCode,
      recoveryCode.replaceAll('-', ''),
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
