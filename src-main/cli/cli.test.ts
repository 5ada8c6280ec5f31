import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedPassword, useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import { parseArguments, runCli } from './cli';

const tempDir = useTempDirs();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function wardkeep(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
    { services: { clock: frozenClock(Date.UTC(2026, 10, 23, 10)), ids: sequentialIds('cli') } },
  );
  return { code, stdout, stderr };
}

function secretFile(dir: string, name: string, value: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return path;
}

const header =
  'asset_tag,manufacturer,model,serial_number,device_class,criticality,site,building,room,ip_address,mac_address,lifecycle_state\n';

async function initialised(): Promise<{
  dataDir: string;
  auth: string[];
  dir: string;
  recoveryCode: string;
}> {
  const dir = tempDir();
  const dataDir = join(dir, 'data');
  const passwordFile = secretFile(dir, 'pw', generatedPassword());
  const init = await wardkeep([
    '--data-dir',
    dataDir,
    '--user',
    'admin',
    '--password-file',
    passwordFile,
    'init',
    '--json',
  ]);
  expect(init.code, init.stderr).toBe(0);
  const { recoveryCode } = JSON.parse(init.stdout) as { recoveryCode: string };
  return {
    dataDir,
    dir,
    recoveryCode,
    auth: ['--data-dir', dataDir, '--user', 'admin', '--password-file', passwordFile],
  };
}

describe('wardkeep command line', () => {
  it('init creates the store and prints the recovery code once', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const passwordFile = secretFile(dir, 'pw', generatedPassword());
    const first = await wardkeep([
      '--data-dir',
      dataDir,
      '--user',
      'admin',
      '--password-file',
      passwordFile,
      'init',
      '--json',
    ]);
    expect(first.code).toBe(0);
    const output = JSON.parse(first.stdout) as { recoveryCode: string; user: { role: string } };
    expect(output.user.role).toBe('administrator');
    expect(output.recoveryCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/);
    expect(readFileSync(join(dataDir, 'keyslots.json'), 'utf8')).not.toContain(output.recoveryCode);
    const again = await wardkeep([
      '--data-dir',
      dataDir,
      '--user',
      'admin',
      '--password-file',
      passwordFile,
      'init',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^wardkeep: error: .*already set up.*\[setup\.done\]\n$/);
  });

  it('refuses a weak password at init with exit code 2', async () => {
    const dir = tempDir();
    const weak = secretFile(dir, 'pw', 'short');
    const run = await wardkeep([
      '--data-dir',
      join(dir, 'data'),
      '--user',
      'admin',
      '--password-file',
      weak,
      'init',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/password\.weak/);
  });

  it('never takes a secret from argv', async () => {
    const run = await wardkeep(['--user', 'admin', '--password', 'whatever', 'device', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--password is not accepted');
    expect(() => parseArguments(['--recovery-code=x'])).toThrow(/not accepted/);
  });

  it('imports, lists, and reports invalid rows with their lines; all-or-nothing by default', async () => {
    const { auth, dir } = await initialised();
    const csv = join(dir, 'devices.csv');
    writeFileSync(
      csv,
      header +
        'A-1,Acme Medical,InfuStar 3,SN-001,infusion_pump,high,General,North,101,10.1.0.5,00:1a:2b:3c:4d:5e,in_service\n' +
        'A-2,Acme Medical,InfuStar 3,SN-002,toaster,high,General,North,102,10.1.0.6,00:1a:2b:3c:4d:5f,in_service\n' +
        'A-3,Acme Medical,InfuStar 3,SN-003,infusion_pump,high,General,North,103,999.1.1.1,00:1a:2b:3c:4d:60,in_service\n',
    );
    const failed = await wardkeep([...auth, 'device', 'import', csv, '--json']);
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
    const empty = await wardkeep([...auth, 'device', 'list', '--json']);
    expect(JSON.parse(empty.stdout)).toMatchObject({ total: 0 });

    const partial = await wardkeep([...auth, 'device', 'import', csv, '--skip-invalid', '--json']);
    expect(partial.code).toBe(0);
    expect(JSON.parse(partial.stdout)).toMatchObject({
      committed: true,
      created: 1,
      invalidRows: 2,
    });
    const listed = await wardkeep([...auth, 'device', 'list', '--query', 'SN-001', '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      total: 1,
      rows: [{ assetTag: 'A-1', macAddress: '00:1a:2b:3c:4d:5e' }],
    });
    const text = await wardkeep([...auth, 'device', 'list']);
    expect(text.stdout).toContain('1 of 1 devices');
  });

  it('exports CSV and FHIR to a file', async () => {
    const { auth, dir } = await initialised();
    const csv = join(dir, 'devices.csv');
    writeFileSync(
      csv,
      header +
        'A-1,Acme Medical,InfuStar 3,SN-001,infusion_pump,high,General,North,101,10.1.0.5,,in_service\n',
    );
    expect((await wardkeep([...auth, 'device', 'import', csv])).code).toBe(0);
    const out = join(dir, 'export.json');
    const fhir = await wardkeep([...auth, 'device', 'export', '--format', 'fhir', '--out', out]);
    expect(fhir.code, fhir.stderr).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as {
      resourceType: string;
      entry: { resource: { serialNumber: string } }[];
    };
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry[0]?.resource.serialNumber).toBe('SN-001');
    const exported = await wardkeep([...auth, 'device', 'export', '--format', 'csv']);
    expect(exported.stdout.split(/\r?\n/)[0]).toMatch(
      /^asset_tag,manufacturer,model,serial_number,udi_di/,
    );
  });

  it('asks for a new password twice at the prompt and creates nothing when they differ', async () => {
    const prompted = async (args: string[], answers: string[]) => {
      const questions: string[] = [];
      let stderr = '';
      const code = await runCli(
        args,
        {
          stdout: () => undefined,
          stderr: (text) => void (stderr += text),
          promptSecret: (question) => {
            questions.push(question);
            return Promise.resolve(answers.shift() ?? '');
          },
        },
        { services: { clock: frozenClock(Date.UTC(2026, 10, 23, 10)), ids: sequentialIds('cli') } },
      );
      return { code, stderr, questions };
    };
    const dataDir = join(tempDir(), 'data');
    const password = generatedPassword();
    const typo = await prompted(
      ['--data-dir', dataDir, '--user', 'admin', 'init'],
      [password, `${password}x`],
    );
    expect(typo.code).toBe(2);
    expect(typo.questions).toEqual(['password: ', 'password again: ']);
    expect(typo.stderr).toContain('the two passwords differ');
    expect(existsSync(join(dataDir, 'keyslots.json'))).toBe(false);

    const made = await prompted(
      ['--data-dir', dataDir, '--user', 'admin', 'init'],
      [password, password],
    );
    expect(made.code, made.stderr).toBe(0);
    // Signing in asks once.
    const listed = await prompted(
      ['--data-dir', dataDir, '--user', 'admin', 'device', 'list'],
      [password],
    );
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.questions).toEqual(['password: ']);
  });

  it('demo creates the store and fills it with a synthetic hospital, once', async () => {
    const dir = tempDir();
    const auth = [
      '--data-dir',
      join(dir, 'data'),
      '--user',
      'admin',
      '--password-file',
      secretFile(dir, 'pw', generatedPassword()),
    ];
    const first = await wardkeep([...auth, 'demo', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const made = JSON.parse(first.stdout) as {
      recoveryCode: string | null;
      import: { committed: boolean; created: number; invalidRows: number };
    };
    expect(made.recoveryCode).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
    expect(made.import).toMatchObject({ committed: true, created: 2500, invalidRows: 0 });

    type Page = {
      total: number;
      rows: { site: string | null; deviceClass: string; criticality: string }[];
    };
    const pages: Page[] = [];
    for (const offset of ['0', '1000', '2000']) {
      const listed = await wardkeep([
        ...auth,
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
    const page = { total: pages[0]?.total, rows: pages.flatMap((each) => each.rows) };
    expect(page.rows).toHaveLength(2500);
    expect(page.total).toBe(2500);
    expect(new Set(page.rows.map((row) => row.site)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(page.rows.map((row) => row.deviceClass)).size).toBeGreaterThanOrEqual(8);
    expect(page.rows.some((row) => row.criticality === 'life_sustaining')).toBe(true);

    // Running it again signs in instead, and finds every device already there.
    const again = await wardkeep([...auth, 'demo', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      recoveryCode: null,
      import: { created: 0, updated: 0, unchanged: 2500 },
    });
  });

  it('says what and where for bad arguments and files, with exit code 2', async () => {
    const { auth, dir } = await initialised();
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.concat([Buffer.from(`${header}A-1,M`), Buffer.from([0xfc])]));
    const cases: [string[], RegExp][] = [
      [
        [...auth, 'device', 'import', join(dir, 'missing.csv')],
        /cannot read .*missing\.csv: ENOENT/,
      ],
      [
        [...auth, 'device', 'import', latin1],
        /latin1\.csv: line 2: the file is not valid UTF-8 text \(byte offset \d+\)/,
      ],
      [[...auth, 'device', 'list', '--class', 'toaster'], /--class must be one of/],
      [[...auth, 'device', 'list', '--limit', 'lots'], /--limit must be a whole number/],
      [[...auth, 'device', 'export'], /needs --format csv\|fhir/],
      [[...auth, 'frobnicate'], /unknown command "frobnicate"/],
      [['--bogus'], /unknown option --bogus/],
      [[...auth, 'device', 'list', '--limit', '5000'], /at limit/],
    ];
    for (const [args, pattern] of cases) {
      const run = await wardkeep(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(pattern);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('refuses a wrong password with exit code 1 and warns about a readable password file', async () => {
    const { dataDir, dir } = await initialised();
    const wrong = secretFile(dir, 'wrong', generatedPassword());
    chmodSync(wrong, 0o644);
    const run = await wardkeep([
      '--data-dir',
      dataDir,
      '--user',
      'admin',
      '--password-file',
      wrong,
      'device',
      'list',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('readable by other users');
    expect(run.stderr).toContain('[auth.invalid]');
  });

  it('recovers access with the recovery code file', async () => {
    const { auth, dataDir, dir, recoveryCode } = await initialised();
    const recoveryFile = secretFile(dir, 'rc', recoveryCode);
    const newPasswordFile = secretFile(dir, 'new', generatedPassword());
    const recovered = await wardkeep([
      '--data-dir',
      dataDir,
      '--user',
      'admin',
      '--recovery-file',
      recoveryFile,
      '--new-password-file',
      newPasswordFile,
      'recover',
    ]);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(
      (
        await wardkeep([
          '--data-dir',
          dataDir,
          '--user',
          'admin',
          '--password-file',
          newPasswordFile,
          'device',
          'list',
        ])
      ).code,
    ).toBe(0);
    // The old password no longer opens the store.
    expect((await wardkeep([...auth, 'device', 'list'])).code).toBe(1);
  });
});
