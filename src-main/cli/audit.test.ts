import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signIn } from '../../test/support/accounts';
import { createCliConsole } from '../../test/support/cli';
import { useTempDirs } from '../../test/support/temp';
import { createIpcRegistry } from '../ipc/registry';
import type { AppServices } from '../services';

const tempDir = useTempDirs();

async function auditConsole() {
  const wardkeep = await createCliConsole({
    dir: tempDir(),
    startMs: Date.UTC(2026, 10, 23, 9),
    idPrefix: 'audit-cli',
    accounts: [
      ['mary', 'manager'],
      ['tom', 'technician'],
    ],
  });

  /** Opens the store in-process as the administrator, for what an attacker would do with SQL. */
  async function withStore(work: (db: ReturnType<AppServices['db']>) => void): Promise<void> {
    const attacker = wardkeep.openServices();
    await signIn(createIpcRegistry(attacker), wardkeep.clock, 'attacker', wardkeep.admin);
    work(attacker.db());
    attacker.close();
  }

  return { run: wardkeep.run, as: wardkeep.as, withStore };
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
