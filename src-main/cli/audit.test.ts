import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestAccount } from '../../test/support/accounts';
import { addAccount, nextCode, setUpConsole, signIn } from '../../test/support/accounts';
import { useTempDirs } from '../../test/support/temp';
import { createIpcRegistry } from '../ipc/registry';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import { createAppServices } from '../services';
import { runCli } from './cli';

const tempDir = useTempDirs();
const testKdf = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function auditConsole() {
  const dir = tempDir();
  const dataDir = join(dir, 'data');
  const clock = frozenClock(Date.UTC(2026, 10, 23, 9));
  const ids = sequentialIds('audit-cli');
  const services = createAppServices({ dataDir, clock, ids, kdfCost: testKdf });
  const registry = createIpcRegistry(services);
  const { admin } = await setUpConsole(registry, clock, 'admin');
  const accounts = new Map<string, TestAccount>([
    ['admin', admin],
    ['mary', await addAccount(registry, clock, admin, 'admin', 'mary', 'manager')],
    ['tom', await addAccount(registry, clock, admin, 'admin', 'tom', 'technician')],
  ]);
  services.close();

  let files = 0;
  function file(content: string): string {
    const path = join(dir, `file-${++files}`);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  async function run(args: string[]): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(
      args,
      { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
      { services: { clock, ids, kdfCost: testKdf } },
    );
    return { code, stdout, stderr };
  }

  function as(username: string): string[] {
    const account = accounts.get(username)!;
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
  }

  /** Opens the store in-process as the administrator, for what an attacker would do with SQL. */
  async function withStore(work: (db: ReturnType<typeof services.db>) => void): Promise<void> {
    const attacker = createAppServices({ dataDir, clock, ids, kdfCost: testKdf });
    await signIn(createIpcRegistry(attacker), clock, 'attacker', admin);
    work(attacker.db());
    attacker.close();
  }

  return { run, as, withStore };
}

describe('wardkeep command line: audit', () => {
  it('lists records newest first with filters, for administrators and managers only', async () => {
    const { run, as } = await auditConsole();
    const all = await run([...as('admin'), 'audit', 'list', '--json']);
    expect(all.code, all.stderr).toBe(0);
    const page = JSON.parse(all.stdout) as {
      records: { sequence: number; action: string; actor: string | null }[];
      hasMore: boolean;
    };
    const sequences = page.records.map((record) => record.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
    expect(page.records.map((record) => record.action)).toEqual(
      expect.arrayContaining(['console.setup', 'account.create', 'mfa.enrol', 'session.start']),
    );

    const accountsOnly = await run([
      ...as('mary'),
      'audit',
      'list',
      '--action',
      'account',
      '--json',
    ]);
    expect(accountsOnly.code, accountsOnly.stderr).toBe(0);
    const actions = (
      JSON.parse(accountsOnly.stdout) as { records: { action: string }[] }
    ).records.map((record) => record.action);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((action) => action.startsWith('account.'))).toBe(true);

    const text = await run([...as('admin'), 'audit', 'list', '--actor', 'mary', '--limit', '5']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^seq\ttime\tactor/m);

    const refused = await run([...as('tom'), 'audit', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/permission\.denied/);

    const bad = await run([...as('admin'), 'audit', 'list', '--outcome', 'maybe']);
    expect(bad.code).toBe(2);
  });

  it('verifies an intact log (exit 0), names the first record someone rewrote (exit 1)', async () => {
    const { run, as, withStore } = await auditConsole();
    const intact = await run([...as('admin'), 'audit', 'verify', '--json']);
    expect(intact.code, intact.stderr).toBe(0);
    expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, firstBadSequence: null });

    let rewritten = 0;
    await withStore((db) => {
      // An attacker with the database key: the append-only trigger dropped, a role rewritten.
      db.exec('DROP TRIGGER IF EXISTS audit_records_no_update');
      const row = db
        .prepare(
          "SELECT sequence FROM audit_records WHERE action = 'account.create' AND record LIKE '%technician%' ORDER BY sequence LIMIT 1",
        )
        .get() as { sequence: number };
      rewritten = row.sequence;
      db.prepare(
        "UPDATE audit_records SET record = replace(record, 'technician', 'administrator') WHERE sequence = ?",
      ).run(row.sequence);
    });
    const tampered = await run([...as('admin'), 'audit', 'verify']);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('AUDIT LOG DOES NOT VERIFY');
    expect(tampered.stdout).toContain(`first bad record: ${rewritten}`);
  });

  it('exports JSON lines and a FHIR bundle to a file', async () => {
    const { run, as } = await auditConsole();
    const dir = tempDir();
    const out = join(dir, 'audit.jsonl');
    const jsonl = await run([...as('admin'), 'audit', 'export', '--format', 'jsonl', '--out', out]);
    expect(jsonl.code, jsonl.stderr).toBe(0);
    expect(jsonl.stderr).toContain(`wrote ${out}`);
    const fhir = await run([...as('admin'), 'audit', 'export', '--format', 'fhir']);
    expect(fhir.code, fhir.stderr).toBe(0);
    expect(JSON.parse(fhir.stdout)).toMatchObject({ resourceType: 'Bundle' });
    const missing = await run([...as('admin'), 'audit', 'export']);
    expect(missing.code).toBe(2);
    const manager = await run([...as('mary'), 'audit', 'export', '--format', 'jsonl']);
    expect(manager.code).toBe(1);
  });
});
