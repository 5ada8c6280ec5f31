import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../test/support/accounts';
import type { CliRun } from '../../test/support/cli';
import { createCliConsole } from '../../test/support/cli';
import { useTempDirs } from '../../test/support/temp';
import { zonesTemplatePath } from '../network/template';
import { runCli } from './cli';

const tempDir = useTempDirs();
const fixtures = join(__dirname, '../../test/fixtures/network');
const nft = '/usr/sbin/nft';

const devicesCsv = [
  'asset_tag,manufacturer,model,serial_number,device_class,criticality,ip_address,lifecycle_state',
  'MON-1,Acme,M1,S1,patient_monitor,high,10.20.1.15,in_service',
  'MON-2,Acme,M1,S2,patient_monitor,high,10.20.1.16,in_service',
  'ENG-1,Acme,E1,S3,workstation,high,10.100.0.20,in_service',
  'CT-1,Acme,C1,S4,imaging,high,10.30.1.5,in_service',
  'PACS-1,Acme,P1,S5,workstation,high,10.30.8.10,in_service',
  'JUMP-1,Acme,J1,S6,workstation,medium,10.250.0.5,in_service',
  'PC-1,Acme,W1,S7,workstation,low,10.120.5.7,in_service',
  'PUMP-1,Acme,I1,S8,infusion_pump,life_sustaining,10.10.1.20,in_service',
  'PUMP-2,Acme,I1,S9,infusion_pump,life_sustaining,10.10.1.21,in_service',
].join('\n');

/**
 * A store with an administrator, an engineer (erin) and a manager (mary), and the inventory's
 * devices; then every command runs in-process as `wardkeep` would.
 */
async function networkConsole() {
  const wardkeep = await createCliConsole({
    dir: tempDir(),
    startMs: Date.UTC(2026, 0, 5, 9),
    accounts: [
      ['erin', 'engineer'],
      ['mary', 'manager'],
    ],
    prepare: async (registry) => {
      const staged = await dispatch(registry, 'erin-client', 'imports:stage', {
        fileName: 'devices.csv',
        content: devicesCsv,
      });
      await dispatch(registry, 'erin-client', 'imports:commit', {
        stagingId: staged.stagingId,
        mapping: staged.suggestedMapping,
        skipInvalid: false,
      });
    },
  });

  async function importTemplate(): Promise<void> {
    const imported = await wardkeep.run([
      ...wardkeep.as('erin'),
      'zone',
      'import',
      zonesTemplatePath(),
      '--comment',
      'initial segmentation',
    ]);
    expect(imported.code, imported.stderr).toBe(0);
  }

  return { ...wardkeep, importTemplate };
}

function errorLines(run: CliRun): string[] {
  return run.stderr.split('\n').filter((line) => line.startsWith('wardkeep: error:'));
}

function nftCheck(path: string): { status: number | null; stderr: string } {
  // nft talks to the kernel even in check mode: as root directly, otherwise as root of a fresh
  // user and network namespace (which leaves the host's firewall out of reach).
  const [command, ...args] =
    process.getuid?.() === 0 ? [nft, '-c', '-f', path] : ['unshare', '-rn', nft, '-c', '-f', path];
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stderr: result.stderr };
}

describe('wardkeep command line: network', () => {
  it('imports a zones file as a policy version, and lists every problem of a bad one with its JSON path', async () => {
    const wardkeep = await networkConsole();
    const template = JSON.parse(readFileSync(zonesTemplatePath(), 'utf8')) as {
      zones: { id: string; subnets: string[] }[];
      conduits: { to: string }[];
    };
    template.zones[1]!.subnets.push('10.10.1.0/24');
    template.conduits[0]!.to = 'nowhere';
    const bad = wardkeep.file(JSON.stringify(template), 'bad-zones.json');

    const uncommented = await wardkeep.run([...wardkeep.as('erin'), 'zone', 'import', bad]);
    expect(uncommented.code).toBe(2);
    expect(uncommented.stderr).toContain('zone import needs --comment TEXT');

    const refused = await wardkeep.run([
      ...wardkeep.as('erin'),
      'zone',
      'import',
      bad,
      '--comment',
      'try',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^bad-zones\.json: \$\.zones\[1\]\.subnets\[\d\]: .*overlaps/m);
    expect(refused.stderr).toMatch(
      /^bad-zones\.json: \$\.conduits\[0\]\.to: no zone has the id "nowhere"$/m,
    );
    expect(errorLines(refused)).toEqual([
      expect.stringMatching(/is invalid at .*\(and 1 more\) \[network\.invalid\]$/),
    ]);

    const imported = await wardkeep.run([
      ...wardkeep.as('erin'),
      'zone',
      'import',
      zonesTemplatePath(),
      '--comment',
      'initial segmentation',
      '--json',
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      version: 1,
      actor: 'erin',
      reason: 'initial segmentation',
      kind: 'import',
      changeCount: 30,
    });
  });

  it('lists the zones, and exports a zones file that imports back without a change', async () => {
    const wardkeep = await networkConsole();
    await wardkeep.importTemplate();
    const listed = await wardkeep.run([...wardkeep.as('mary'), 'zone', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^Network policy version 1: 10 zones, 20 conduits, 0 devices/);
    // Most critical first: the first zone after the header row.
    expect(listed.stdout.split('\n')[2]).toMatch(
      /^life-sustaining\tLife-sustaining devices\tlife_sustaining\tyes\tyes\t110,111\t10\.10\.0\.0\/22 /m,
    );
    const asJson = await wardkeep.run([...wardkeep.as('mary'), 'zone', 'list', '--json']);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ version: 1, assignments: {} });

    const out = join(wardkeep.dir, 'zones.json');
    const exported = await wardkeep.run([...wardkeep.as('mary'), 'zone', 'export', '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toBe(`wrote ${out}\n`);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      format: 'wardkeep-network-policy',
      version: 1,
    });
    const again = await wardkeep.run([
      ...wardkeep.as('erin'),
      'zone',
      'import',
      out,
      '--comment',
      'round trip',
      '--json',
    ]);
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 2, changeCount: 0 });
  });

  it('imports flows all-or-nothing unless --skip-invalid, naming each bad line, and refuses the same file twice', async () => {
    const wardkeep = await networkConsole();
    await wardkeep.importTemplate();
    const lines = readFileSync(join(fixtures, 'conn.log'), 'utf8').split('\n');
    lines[10] = lines[10]!.replace('10.30.1.5', '10.30.1.500');
    lines[12] = lines[12]!.replace('\ttcp\t', '\tsctp\t');
    const log = wardkeep.file(lines.join('\n'), 'capture.log');

    const refused = await wardkeep.run([...wardkeep.as('erin'), 'flows', 'import', log]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(
      /^capture\.log \(zeek-tsv\): 14 record lines, 2 invalid; .* — nothing written$/m,
    );
    expect(refused.stdout).toContain(
      '  line 11, id.orig_h: id.orig_h "10.30.1.500" is not an IP address\n',
    );
    expect(refused.stdout).toMatch(/^ {2}line 13, proto: /m);
    expect(refused.stdout).toContain('--skip-invalid');
    const none = await wardkeep.run([...wardkeep.as('erin'), 'policy', 'check', '--json']);
    expect(JSON.parse(none.stdout)).toMatchObject({ total: 0 });

    const partial = await wardkeep.run([
      ...wardkeep.as('erin'),
      'flows',
      'import',
      log,
      '--format',
      'zeek',
      '--skip-invalid',
      '--json',
    ]);
    expect(partial.code, partial.stderr).toBe(0);
    expect(JSON.parse(partial.stdout)).toMatchObject({
      committed: true,
      format: 'zeek-tsv',
      recordLines: 14,
      rejectedLines: 2,
      connections: 12,
      issues: [{ line: 11 }, { line: 13 }],
    });
    const twice = await wardkeep.run([...wardkeep.as('erin'), 'flows', 'import', log]);
    expect(twice.code).toBe(2);
    expect(errorLines(twice)).toEqual([
      expect.stringMatching(/already imported .* \[flows\.invalid\]$/),
    ]);

    const json = await wardkeep.run([
      ...wardkeep.as('erin'),
      'flows',
      'import',
      join(fixtures, 'conn.json.log'),
      '--format',
      'zeek',
    ]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toMatch(/^conn\.json\.log \(zeek-json\): /);
    const wrongFormat = await wardkeep.run([
      ...wardkeep.as('erin'),
      'flows',
      'import',
      join(fixtures, 'flows.csv'),
      '--format',
      'pcap',
    ]);
    expect(wrongFormat.code).toBe(2);
    expect(wrongFormat.stderr).toContain('--format must be one of zeek, zeek-tsv, zeek-json, csv');
  });

  it('policy check lists violations and insecure flows worst clinical risk first, exiting 1 while any remains', async () => {
    const wardkeep = await networkConsole();
    await wardkeep.importTemplate();
    const clean = await wardkeep.run([...wardkeep.as('mary'), 'policy', 'check']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toBe(
      'Policy version 1: 0 violations and 0 insecure flows among 0 observed flows (0 allowed, 0 monitored).\n',
    );

    const imported = await wardkeep.run([
      ...wardkeep.as('erin'),
      'flows',
      'import',
      join(fixtures, 'conn.log'),
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    const check = await wardkeep.run([...wardkeep.as('mary'), 'policy', 'check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toBe('');
    const [summary, header, ...rows] = check.stdout.trimEnd().split('\n');
    expect(summary).toBe(
      'Policy version 1: 4 violations and 2 insecure flows among 12 observed flows (5 allowed, 1 monitored).',
    );
    expect(header!.split('\t')).toEqual([
      'risk',
      'verdict',
      'why',
      'source',
      'source_zone',
      'destination',
      'destination_zone',
      'service',
      'connections',
      'conduit',
    ]);
    expect(rows).toHaveLength(6);
    const risks = rows.map((row) => row.split('\t')[0]);
    const rank = ['life_sustaining', 'high', 'medium', 'low', 'unassessed'];
    expect([...risks].sort((a, b) => rank.indexOf(a!) - rank.indexOf(b!))).toEqual(risks);
    expect(risks[0]).toBe('life_sustaining');

    const limited = await wardkeep.run([
      ...wardkeep.as('mary'),
      'policy',
      'check',
      '--limit',
      '2',
      '--json',
    ]);
    expect(limited.code).toBe(1);
    const parsed = JSON.parse(limited.stdout) as { total: number; findings: unknown[] };
    expect(parsed.total).toBe(6);
    expect(parsed.findings).toHaveLength(2);
  });

  it('policy export writes an nftables ruleset the real nft accepts, and Cisco ACLs and the matrix', async () => {
    const wardkeep = await networkConsole();
    await wardkeep.importTemplate();
    const ruleset = join(wardkeep.dir, 'wardkeep.nft');
    const exported = await wardkeep.run([
      ...wardkeep.as('erin'),
      'policy',
      'export',
      '--format',
      'nftables',
      '--out',
      ruleset,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const text = readFileSync(ruleset, 'utf8');
    expect(text).toMatch(
      /^#!\/usr\/sbin\/nft -f\n# Wardkeep network policy version 1, generated 2026-01-05T09:/,
    );
    expect(nftCheck(ruleset)).toEqual({ status: 0, stderr: '' });

    const acl = await wardkeep.run([
      ...wardkeep.as('mary'),
      'policy',
      'export',
      '--format',
      'cisco-acl',
    ]);
    expect(acl.code, acl.stderr).toBe(0);
    expect(acl.stdout).toContain('ip access-list extended WARDKEEP-ZONES\n');
    const matrix = await wardkeep.run([
      ...wardkeep.as('mary'),
      'policy',
      'export',
      '--format',
      'matrix-csv',
    ]);
    expect(matrix.stdout.split(/\r?\n/)[0]).toMatch(/^from \\ to,life-sustaining,/);
    const missing = await wardkeep.run([...wardkeep.as('mary'), 'policy', 'export']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('policy export needs --format nftables|cisco-acl|matrix-csv');
  });

  it('report writes one self-contained HTML file, starting from the previous report’s version or --since', async () => {
    const wardkeep = await networkConsole();
    await wardkeep.importTemplate();
    await wardkeep.run([...wardkeep.as('erin'), 'flows', 'import', join(fixtures, 'conn.log')]);
    const first = join(wardkeep.dir, 'first.html');
    const written = await wardkeep.run([...wardkeep.as('mary'), 'report', '--out', first]);
    expect(written.code, written.stderr).toBe(0);
    const html = readFileSync(first, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>\n<html /);
    expect(html).toContain('<svg class="map"');
    expect(html).toContain('Policy changes since version 0');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=/i);

    const zones = join(wardkeep.dir, 'zones.json');
    await wardkeep.run([...wardkeep.as('erin'), 'zone', 'export', '--out', zones]);
    const edited = JSON.parse(readFileSync(zones, 'utf8')) as { conduits: { id: string }[] };
    edited.conduits = edited.conduits.filter((conduit) => conduit.id !== 'guest-internet');
    writeFileSync(zones, JSON.stringify(edited));
    await wardkeep.run([
      ...wardkeep.as('erin'),
      'zone',
      'import',
      zones,
      '--comment',
      'no internet for guests',
    ]);

    const second = await wardkeep.run([...wardkeep.as('mary'), 'report']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Policy changes since version 1');
    expect(second.stdout).toContain('no internet for guests');
    const chosen = await wardkeep.run([...wardkeep.as('mary'), 'report', '--since', '0']);
    expect(chosen.stdout).toContain('Policy changes since version 0');
    const beyond = await wardkeep.run([...wardkeep.as('mary'), 'report', '--since', '9']);
    expect(beyond.code).toBe(1);
    expect(errorLines(beyond)).toEqual([expect.stringMatching(/\[not_found\]$/)]);
  });

  it('refuses a manager’s policy changes and flow imports, and emergency access a zones import before the credential is used', async () => {
    const wardkeep = await networkConsole();
    const template = zonesTemplatePath();
    const manager = await wardkeep.run([
      ...wardkeep.as('mary'),
      'zone',
      'import',
      template,
      '--comment',
      'try',
    ]);
    expect(manager.code).toBe(1);
    expect(errorLines(manager)).toEqual([
      expect.stringMatching(/may not use network:import-zones .*\[permission\.denied\]$/),
    ]);
    const flows = await wardkeep.run([
      ...wardkeep.as('mary'),
      'flows',
      'import',
      join(fixtures, 'conn.log'),
    ]);
    expect(flows.code).toBe(1);
    expect(flows.stderr).toContain('[permission.denied]');

    const emergency = [
      '--data-dir',
      wardkeep.dataDir,
      '--emergency-file',
      wardkeep.file(`${wardkeep.emergencyCredential}\n`),
      '--opened-by',
      'night nurse',
      '--reason',
      'device_failure',
    ];
    const refused = await wardkeep.run([
      ...emergency,
      'zone',
      'import',
      template,
      '--comment',
      'urgent',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'cannot use network:import-zones; the credential was not used',
    );
    // The credential still opens a session: flows are no policy change.
    const imported = await wardkeep.run([
      ...emergency,
      'flows',
      'import',
      join(fixtures, 'conn.log'),
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('EMERGENCY ACCESS opened by night nurse');
  });

  it('shows the network commands in help', async () => {
    let stdout = '';
    const code = await runCli(['help'], {
      stdout: (text) => void (stdout += text),
      stderr: () => undefined,
    });
    expect(code).toBe(0);
    for (const line of [
      '  zone list [--json]',
      '  flows import FILE [--format zeek|csv] [--skip-invalid] [--json]',
      '  policy check [--limit N] [--json]',
      '  policy export --format nftables|cisco-acl|matrix-csv [--out FILE]',
      '  report [--out FILE] [--since N]',
      'policy check also exits 1 when it finds a violation or an insecure flow.',
    ])
      expect(stdout).toContain(line);
  });
});
