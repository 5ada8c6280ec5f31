import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import { WardkeepFailure } from '../lib/errors';
import type { PolicyFile } from '../../src-preload/network/schemas';
import type { PolicyIssue } from './template';
import {
  assertValidPolicy,
  parsePolicyFile,
  policyToFile,
  readPolicyFile,
  validatePolicyFile,
  zonesTemplatePath,
} from './template';

const tempDir = useTempDirs();

function templateFile(): PolicyFile {
  return JSON.parse(readFileSync(zonesTemplatePath(), 'utf8')) as PolicyFile;
}

function issuesOf(value: unknown): PolicyIssue[] {
  const result = validatePolicyFile(value);
  if (result.ok) throw new Error('expected the file to be refused');
  return result.issues;
}

describe('zones file', () => {
  it('ships a default template that validates, with the zones and conduits the site edits', () => {
    const policy = readPolicyFile(zonesTemplatePath());
    const ids = policy.zones.map((zone) => zone.id);
    for (const id of [
      'life-sustaining',
      'medical-devices',
      'imaging',
      'pacs',
      'lab',
      'building-systems',
      'clinical-it',
      'corporate-it',
      'guest',
      'vendor-remote-access',
    ]) {
      expect(ids).toContain(id);
    }
    const conduit = (id: string) => policy.conduits.find((entry) => entry.id === id);
    expect(conduit('medical-devices-hl7')).toMatchObject({
      from: 'medical-devices',
      to: 'clinical-it',
      protocol: 'tcp',
      ports: [{ from: 2575, to: 2575 }],
      state: 'allow',
    });
    expect(conduit('imaging-dicom-tls')).toMatchObject({
      from: 'imaging',
      to: 'pacs',
      ports: [{ from: 2762, to: 2762 }],
    });
    expect(conduit('vendor-medical-devices')?.state).toBe('monitor');
    expect(policy.zones.find((zone) => zone.id === 'life-sustaining')?.tier).toBe(
      'life_sustaining',
    );
    expect(policy.zones.some((zone) => zone.subnets.some((subnet) => subnet.includes(':')))).toBe(
      true,
    );
  });

  it('gives back the same policy from the file it writes', () => {
    const policy = readPolicyFile(zonesTemplatePath());
    const again = validatePolicyFile(JSON.parse(JSON.stringify(policyToFile(policy))));
    expect(again).toEqual({ ok: true, policy });
  });

  it('names the JSON path of unknown keys, wrong types and values outside the vocabulary', () => {
    const file = templateFile();
    (file.zones[1] as Record<string, unknown>).colour = 'red';
    (file.zones[2] as Record<string, unknown>).tier = 'critical';
    (file.conduits[0] as Record<string, unknown>).ports = ['2575'];
    (file.conduits[1] as Record<string, unknown>).state = 'permit';
    file.zones[3]!.vlans = [{ id: 5000, name: 'X' }];
    const paths = issuesOf(file).map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '$.zones[1]',
        '$.zones[2].tier',
        '$.conduits[0].ports[0]',
        '$.conduits[1].state',
        '$.zones[3].vlans[0].id',
      ]),
    );
  });

  it('refuses subnets that overlap between zones, naming both zones and both paths', () => {
    const file = templateFile();
    const lab = file.zones.findIndex((zone) => zone.id === 'lab');
    file.zones[lab]!.subnets = [...file.zones[lab]!.subnets, '10.20.4.0/24'];
    const issues = issuesOf(file);
    expect(issues).toHaveLength(1);
    const medical = file.zones.findIndex((zone) => zone.id === 'medical-devices');
    expect(issues[0]!.path).toBe(`$.zones[${lab}].subnets[1]`);
    expect(issues[0]!.message).toContain('"lab"');
    expect(issues[0]!.message).toContain('"medical-devices"');
    expect(issues[0]!.message).toContain(`$.zones[${medical}].subnets[0]`);
    expect(issues[0]!.message).toContain('10.20.0.0/20');
  });

  it('allows a zone to nest its own subnets', () => {
    const file = templateFile();
    file.zones[0]!.subnets = ['10.10.0.0/22', '10.10.1.0/24'];
    expect(validatePolicyFile(file).ok).toBe(true);
  });

  it('refuses duplicate ids and VLANs, unknown zones, host bits and misplaced ports', () => {
    const file = templateFile();
    file.zones[1]!.id = file.zones[0]!.id;
    file.zones[2]!.vlans = [{ id: file.zones[3]!.vlans![0]!.id, name: 'COPY' }];
    file.zones[4]!.subnets = ['10.40.1.0/16'];
    file.conduits[2]!.to = 'nowhere';
    file.conduits[3] = { ...file.conduits[3]!, protocol: 'icmp', ports: [7] };
    file.conduits[4] = { ...file.conduits[4]!, ports: ['9000-8000'] };
    file.conduits[5]!.id = file.conduits[6]!.id;
    const byPath = new Map(issuesOf(file).map((issue) => [issue.path, issue.message]));
    expect(byPath.get('$.zones[1].id')).toContain('also used by $.zones[0]');
    expect(byPath.get('$.zones[3].vlans[0].id')).toContain('already in zone');
    expect(byPath.get('$.zones[4].subnets[0]')).toContain('host bits');
    expect(byPath.get('$.conduits[2].to')).toContain('"nowhere"');
    expect(byPath.get('$.conduits[3].ports')).toContain('tcp and udp only');
    expect(byPath.get('$.conduits[4].ports[0]')).toContain('9000-8000');
    expect(byPath.get('$.conduits[6].id')).toContain('also used by $.conduits[5]');
  });

  it('refuses a conduit between two outside ends', () => {
    const file = templateFile();
    file.conduits[0] = { ...file.conduits[0]!, from: 'external', to: 'external' };
    expect(issuesOf(file).map((issue) => issue.path)).toEqual(['$.conduits[0].to']);
  });

  it('keeps the zone id "external" for addresses outside every zone', () => {
    const file = templateFile();
    file.zones[0]!.id = 'external';
    const issues = issuesOf(file);
    expect(issues.map((issue) => issue.path)).toEqual(['$.zones[0].id']);
    expect(issues[0]!.message).toContain('reserved');
  });

  it('reports text that is not JSON at the root', () => {
    const result = parsePolicyFile('{"format": ');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]!.path).toBe('$');
  });

  it('throws network.invalid with every issue when reading a wrong file', () => {
    const file = templateFile();
    file.zones[0]!.subnets = ['bogus'];
    const path = join(tempDir(), 'zones.json');
    writeFileSync(path, JSON.stringify(file));
    try {
      readPolicyFile(path);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WardkeepFailure);
      expect((error as WardkeepFailure).code).toBe('network.invalid');
      expect((error as WardkeepFailure).message).toContain('$.zones[0].subnets[0]');
      const { issues } = (error as WardkeepFailure).details as { issues: PolicyIssue[] };
      expect(issues).toHaveLength(1);
      expect(issues[0]!.path).toBe('$.zones[0].subnets[0]');
      expect(issues[0]!.message).toContain('bogus');
    }
  });

  it('merges and sorts ports and subnets into one canonical form', () => {
    const policy = assertValidPolicy({
      zones: [
        {
          id: 'a',
          name: 'A',
          description: '',
          tier: 'high',
          clinical: false,
          isolate: false,
          vlans: [],
          subnets: ['2001:DB8::/64', '10.2.0.0/16', '10.1.0.0/16'],
        },
      ],
      conduits: [
        {
          id: 'c',
          from: 'a',
          to: 'external',
          protocol: 'tcp',
          ports: [
            { from: 443, to: 443 },
            { from: 80, to: 80 },
            { from: 81, to: 90 },
          ],
          direction: 'one-way',
          state: 'allow',
          purpose: 'web',
        },
      ],
    });
    expect(policy.zones[0]!.subnets).toEqual(['10.1.0.0/16', '10.2.0.0/16', '2001:db8::/64']);
    expect(policy.conduits[0]!.ports).toEqual([
      { from: 80, to: 90 },
      { from: 443, to: 443 },
    ]);
  });
});
