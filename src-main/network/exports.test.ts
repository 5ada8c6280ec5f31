import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import { parseCsv } from '../inventory/csv';
import type { Cidr, IpAddress } from './addresses';
import { cidrContainsAddress, formatIpAddress, parseCidr, parseIpAddress } from './addresses';
import { compilePolicy, evaluateFlows } from './evaluate';
import { exportCiscoAcl, exportMatrixCsv, exportNftables } from './exports';
import type {
  Conduit,
  FlowProtocol,
  NetworkPolicy,
  ObservedFlow,
  Zone,
} from '../../src-preload/network/model';
import { assertValidPolicy, readPolicyFile, zonesTemplatePath } from './template';

const tempDir = useTempDirs();
const header = { policyVersion: 7, generatedAt: '2026-01-01T00:00:00.000Z' };
const nft = '/usr/sbin/nft';

const template = readPolicyFile(zonesTemplatePath());

function zone(id: string, subnets: string[], extra: Partial<Zone> = {}): Zone {
  return {
    id,
    name: id,
    description: '',
    tier: 'medium',
    clinical: false,
    isolate: false,
    vlans: [],
    subnets,
    ...extra,
  };
}

function conduit(id: string, from: string, to: string, extra: Partial<Conduit> = {}): Conduit {
  return {
    id,
    from,
    to,
    protocol: 'tcp',
    ports: [],
    direction: 'one-way',
    state: 'allow',
    purpose: id,
    ...extra,
  };
}

const ports = (...values: number[]) => values.map((value) => ({ from: value, to: value }));

/** Self conduits, an IPv6-only zone, ICMP, any, both directions and outside ends in both ways. */
const edges: NetworkPolicy = assertValidPolicy({
  zones: [
    zone('alpha', ['10.1.0.0/16', '10.2.0.0/24'], {
      isolate: true,
      tier: 'life_sustaining',
      name: '=HYPERLINK("x")',
    }),
    zone('beta', ['10.3.0.0/16', 'fd00:3::/64'], { name: '@SUM(1)' }),
    zone('gamma', ['fd00:4::/64'], { name: '+1' }),
    zone('delta', ['192.0.2.128/25'], { name: '-2 "quoted" name' }),
  ],
  conduits: [
    conduit('alpha-pairs', 'alpha', 'alpha', { ports: ports(7000) }),
    conduit('beta-no-telnet', 'beta', 'beta', { ports: ports(23), state: 'deny' }),
    conduit('alpha-beta', 'alpha', 'beta', {
      ports: [
        { from: 8000, to: 8100 },
        { from: 443, to: 443 },
      ],
    }),
    conduit('beta-alpha-never', 'beta', 'alpha', {
      protocol: 'any',
      state: 'deny',
      direction: 'both',
      purpose: 'quote " back\\slash; {brace} #hash',
    }),
    conduit('ping-gamma', 'beta', 'gamma', { protocol: 'icmp', state: 'monitor' }),
    conduit('dns-out', 'gamma', 'external', { protocol: 'udp', ports: ports(53) }),
    conduit('vpn-in', 'external', 'delta', {
      ports: ports(443),
      state: 'monitor',
      direction: 'both',
    }),
    conduit('delta-any', 'delta', 'beta', { protocol: 'any' }),
    conduit('sync', 'beta', 'delta', { protocol: 'udp', ports: ports(5000), direction: 'both' }),
    conduit('no-ssh-in', 'external', 'beta', { ports: ports(22), state: 'deny' }),
    conduit('web-in', 'external', 'beta', { ports: ports(22, 443) }),
  ],
});

function nftCheck(text: string): { status: number | null; stderr: string } {
  const file = join(tempDir(), 'policy.nft');
  writeFileSync(file, text);
  // nft talks to the kernel even in check mode: as root directly, otherwise as root of a fresh
  // user and network namespace (which leaves the host's firewall out of reach).
  const [command, ...args] =
    process.getuid?.() === 0 ? [nft, '-c', '-f', file] : ['unshare', '-rn', nft, '-c', '-f', file];
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stderr: result.stderr };
}

// ---- A model of the nftables subset exportNftables writes: first matching rule, else drop. ----

interface Packet {
  family: 4 | 6;
  source: IpAddress;
  destination: IpAddress;
  protocol: FlowProtocol;
  port: number;
}

function nftDecide(text: string, packet: Packet): 'accept' | 'drop' {
  const sets = new Map<string, Cidr[]>();
  for (const match of text.matchAll(/set (\w+) \{[^}]*?(?:elements = \{ ([^}]*) \})?\s*\}/g)) {
    const cidrs = (match[2] ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      .map((item) => (parseCidr(item) as { ok: true; cidr: Cidr }).cidr);
    sets.set(match[1]!, cidrs);
  }
  const chain = text.slice(text.indexOf('ct state invalid drop'));
  const inSet = (name: string, address: IpAddress) =>
    sets.get(name)!.some((cidr) => cidrContainsAddress(cidr, address));
  const l4 =
    packet.protocol === 'icmp'
      ? packet.family === 4
        ? 'icmp'
        : 'ipv6-icmp'
      : packet.protocol === 'other'
        ? 'sctp'
        : packet.protocol;
  for (const line of chain.split('\n').slice(1)) {
    const rule = line.trim().replace(/ comment ".*"$/, '');
    if (rule === '' || rule.startsWith('#') || rule.startsWith('limit') || rule === '}') continue;
    let matched = true;
    let rest = rule;
    for (const match of rule.matchAll(/(ip6?) (saddr|daddr) (!= )?@(\w+)/g)) {
      const family = match[1] === 'ip' ? 4 : 6;
      if (family !== packet.family) matched = false;
      else {
        const address = match[2] === 'saddr' ? packet.source : packet.destination;
        if (inSet(match[4]!, address) === (match[3] !== undefined)) matched = false;
      }
      rest = rest.replace(match[0], '');
    }
    const transport = /(tcp|udp) dport (\{ ([^}]*) \}|\S+)/.exec(rest);
    if (transport) {
      const items = (transport[3] ?? transport[2]!).split(',').map((item) => item.trim());
      const hit = items.some((item) => {
        const [from, to] = item.split('-').map(Number);
        return packet.port >= from! && packet.port <= (to ?? from!);
      });
      if (l4 !== transport[1] || !hit) matched = false;
    }
    const meta = /meta l4proto (\S+)/.exec(rest);
    if (meta && meta[1] !== l4) matched = false;
    if (matched) return /\baccept$/.test(rule) ? 'accept' : 'drop';
  }
  return 'drop';
}

// ---- A model of the IOS ACL subset exportCiscoAcl writes, for a connection's first packet. ----

function aclDecide(text: string, packet: Packet, sourcePort: number): 'permit' | 'deny' {
  const name = packet.family === 4 ? 'ip access-list extended' : 'ipv6 access-list';
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith(name));
  expect(start).toBeGreaterThan(-1);
  const protocolWord = packet.protocol === 'other' ? 'sctp' : packet.protocol;
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(' ')) break;
    const tokens = line.trim().split(' ');
    if (tokens[0] === 'remark') continue;
    const [action, protocol] = tokens;
    let at = 2;
    const address = (target: IpAddress): boolean => {
      const word = tokens[at]!;
      if (word === 'any') {
        at += 1;
        return true;
      }
      if (word === 'host') {
        at += 2;
        return formatIpAddress(target) === tokens[at - 1];
      }
      if (word.includes('/')) {
        at += 1;
        return cidrContainsAddress((parseCidr(word) as { ok: true; cidr: Cidr }).cidr, target);
      }
      const network = parseIpAddress(word)!;
      const wildcard = parseIpAddress(tokens[at + 1]!)!;
      at += 2;
      return network.bytes.every(
        (byte, index) =>
          (byte & ~wildcard.bytes[index]!) === (target.bytes[index]! & ~wildcard.bytes[index]!),
      );
    };
    const port = (value: number): boolean => {
      if (tokens[at] === 'eq') {
        at += 2;
        return value === Number(tokens[at - 1]);
      }
      if (tokens[at] === 'range') {
        at += 3;
        return value >= Number(tokens[at - 2]) && value <= Number(tokens[at - 1]);
      }
      return true;
    };
    const protocolHit = protocol === 'ip' || protocol === 'ipv6' || protocol === protocolWord;
    // Every token is read in order: no short circuit may skip one.
    const sourceAddressHit = address(packet.source);
    const sourcePortHit = port(sourcePort);
    const destinationAddressHit = address(packet.destination);
    const destinationPortHit = port(packet.port);
    const sourceHit = sourceAddressHit && sourcePortHit;
    const destinationHit = destinationAddressHit && destinationPortHit;
    // A first packet is no reply: established, echo-reply and neighbour discovery never match it.
    const qualifier = tokens[at] === 'log' ? undefined : tokens[at];
    if (protocolHit && sourceHit && destinationHit && qualifier === undefined) {
      return action as 'permit' | 'deny';
    }
  }
  throw new Error('the ACL has no final deny');
}

function hostIn(cidrText: string, seed: number): IpAddress {
  const cidr = (parseCidr(cidrText) as { ok: true; cidr: Cidr }).cidr;
  const bytes = cidr.bytes.slice();
  let value = seed;
  for (let bit = bytes.length * 8 - 1; bit >= cidr.prefixLength; bit -= 1) {
    if (value & 1) bytes[bit >> 3]! |= 1 << (7 - (bit & 7));
    value = Math.floor(value / 2);
  }
  return { family: cidr.family, bytes };
}

function packetArbitrary(policy: NetworkPolicy) {
  const places = [
    ...policy.zones.flatMap((entry) => entry.subnets),
    '93.184.216.0/24',
    '2001:db8:99::/64',
  ];
  return fc
    .record({
      source: fc.constantFrom(...places),
      destination: fc.constantFrom(...places),
      sourceSeed: fc.nat(),
      destinationSeed: fc.nat(),
      protocol: fc.constantFrom<FlowProtocol>('tcp', 'udp', 'icmp', 'other'),
      port: fc.oneof(
        fc.constantFrom(22, 23, 53, 80, 123, 443, 2575, 2762, 5000, 5900, 7000, 8050),
        fc.integer({ min: 1, max: 65535 }),
      ),
    })
    .map((drawn) => ({
      source: hostIn(drawn.source, drawn.sourceSeed),
      destination: hostIn(drawn.destination, drawn.destinationSeed),
      protocol: drawn.protocol,
      port: drawn.protocol === 'icmp' ? 0 : drawn.port,
    }))
    .filter((drawn) => drawn.source.family === drawn.destination.family)
    .map((drawn): Packet => ({ ...drawn, family: drawn.source.family }));
}

function evaluatorPermits(policy: NetworkPolicy, packet: Packet): boolean {
  const flow: ObservedFlow = {
    id: 1,
    source: formatIpAddress(packet.source),
    destination: formatIpAddress(packet.destination),
    protocol: packet.protocol,
    port: packet.port,
    bytes: 0,
    count: 1,
    tlsCount: 0,
    services: [],
    firstSeenMs: 0,
    lastSeenMs: 0,
  };
  return evaluateFlows(compilePolicy(policy), [], [flow])[0]!.verdict !== 'violation';
}

describe('enforcement exports', () => {
  it('writes an nftables ruleset that the real nft accepts, for the template and edge cases', () => {
    for (const policy of [template, edges, { zones: [], conduits: [] }]) {
      const ruleset = exportNftables(policy, header);
      expect(nftCheck(ruleset)).toEqual({ status: 0, stderr: '' });
    }
  });

  it('is checked for real: nft refuses the ruleset once a set it names is missing', () => {
    const broken = exportNftables(template, header).replace(/set zone_pacs_v4 \{[^}]*\}\s*\}/, '');
    const result = nftCheck(broken);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('zone_pacs_v4');
  });

  it('drops by default, accepts established traffic, logs monitored and denied conduits', () => {
    const ruleset = exportNftables(template, header);
    expect(ruleset).toContain('table inet wardkeep {');
    expect(ruleset).toContain('type filter hook forward priority filter; policy drop;');
    expect(ruleset).toContain('ct state established,related accept');
    expect(ruleset).toMatch(
      /ip saddr @zone_medical_devices_v4 ip daddr @zone_clinical_it_v4 tcp dport 2575 accept comment "medical-devices-hl7: /,
    );
    expect(ruleset).toMatch(
      /tcp dport \{ 22, 443 \} log prefix "wardkeep monitor vendor-medical-devices " accept/,
    );
    expect(ruleset).toMatch(
      /ip saddr @zone_corporate_it_v4 ip daddr @zone_life_sustaining_v4 log prefix "wardkeep deny corporate-never-life-sustaining " drop/,
    );
    expect(ruleset).toContain('set zone_life_sustaining_v6 {');
    expect(ruleset.indexOf('# deny conduits')).toBeLessThan(ruleset.indexOf('# monitor conduits'));
    expect(ruleset.indexOf('# monitor conduits')).toBeLessThan(ruleset.indexOf('# allow conduits'));
  });

  it('keeps people’s text out of the rule syntax', () => {
    const ruleset = exportNftables(edges, header);
    expect(ruleset).toContain('comment "beta-alpha-never: quote back slash brace hash"');
  });

  it('lets through, in the nftables model, exactly what the evaluator permits', () => {
    for (const policy of [template, edges]) {
      const ruleset = exportNftables(policy, header);
      fc.assert(
        fc.property(packetArbitrary(policy), (packet) => {
          expect(nftDecide(ruleset, packet) === 'accept').toBe(evaluatorPermits(policy, packet));
        }),
        { numRuns: 400 },
      );
    }
  });

  it('writes IOS extended ACLs with wildcard masks, logged monitors and a final logged deny', () => {
    const acl = exportCiscoAcl(template, header);
    const lines = acl.split('\n');
    const v4 = lines.indexOf('ip access-list extended WARDKEEP-ZONES');
    const v6 = lines.indexOf('ipv6 access-list WARDKEEP-ZONES-V6');
    expect(v4).toBeGreaterThan(0);
    expect(v6).toBeGreaterThan(v4);
    expect(lines[v4 - 1]).toBe('no ip access-list extended WARDKEEP-ZONES');
    expect(lines.slice(v4, v6)).toContain(
      ' permit tcp 10.20.0.0 0.0.15.255 10.100.0.0 0.0.15.255 eq 2575',
    );
    expect(lines.slice(v4, v6)).toContain(
      ' permit tcp 10.250.0.0 0.0.0.255 10.30.0.0 0.0.3.255 range 5900 5901 log',
    );
    expect(lines.slice(v4, v6)).toContain(
      ' deny ip 10.120.0.0 0.0.255.255 10.10.0.0 0.0.3.255 log',
    );
    expect(lines.slice(v4, v6)).toContain(
      ' permit udp 10.100.0.0 0.0.15.255 eq 123 10.10.0.0 0.0.3.255',
    );
    expect(
      lines
        .slice(v4, v6)
        .filter((line) => line.startsWith(' '))
        .at(-1),
    ).toBe(' deny ip any any log');
    expect(lines.slice(v6)).toContain(
      ' permit tcp fd57:6172:646b:120::/64 fd57:6172:646b:200::/64 eq 2575',
    );
    expect(lines.slice(v6)).toContain(' permit icmp any any nd-ns');
    expect(
      lines
        .slice(v6)
        .filter((line) => line.startsWith(' '))
        .at(-1),
    ).toBe(' deny ipv6 any any log');
    for (const line of lines.filter((entry) => entry.startsWith(' remark '))) {
      expect(line.length).toBeLessThanOrEqual(100);
    }
    const statement =
      /^ (remark [ -~]+|(permit|deny) (ip|ipv6|tcp|udp|icmp) (any|host \S+|\S+ \d+\.\d+\.\d+\.\d+|\S+\/\d+)( (eq \d+|range \d+ \d+))? (any|host \S+|\S+ \d+\.\d+\.\d+\.\d+|\S+\/\d+)( (eq \d+|range \d+ \d+))?( established| echo-reply| nd-na| nd-ns)?( log)?)$/;
    for (const line of lines.filter((entry) => entry.startsWith(' ')))
      expect(line).toMatch(statement);
  });

  it('permits, in the ACL model, exactly what the evaluator permits for a first packet', () => {
    for (const policy of [template, edges]) {
      const acl = exportCiscoAcl(policy, header);
      fc.assert(
        fc.property(packetArbitrary(policy), (packet) => {
          expect(aclDecide(acl, packet, 40_000) === 'permit').toBe(
            evaluatorPermits(policy, packet),
          );
        }),
        { numRuns: 400 },
      );
    }
  });

  it('leaves out the IPv6 list when no zone has an IPv6 subnet', () => {
    const ipv4Only = assertValidPolicy({ zones: [zone('only', ['10.9.0.0/16'])], conduits: [] });
    const acl = exportCiscoAcl(ipv4Only, header);
    expect(acl).not.toContain('ipv6 access-list');
    expect(acl).toContain(' permit ip 10.9.0.0 0.0.255.255 10.9.0.0 0.0.255.255');
  });

  it('writes the zone matrix as CSV with every direction, the default, and formula-safe cells', () => {
    const parsed = parseCsv(exportMatrixCsv(edges));
    expect(parsed.ok).toBe(true);
    const rows = (parsed as { ok: true; records: { fields: string[] }[] }).records.map(
      (record) => record.fields,
    );
    expect(rows[0]).toEqual(['from \\ to', 'alpha', 'beta', 'delta', 'gamma', 'external']);
    const cell = (from: string, to: string) =>
      rows.find((row) => row[0] === from)![rows[0]!.indexOf(to)];
    expect(cell('alpha', 'alpha')).toBe(
      'allow tcp 7000 (alpha-pairs); otherwise isolated (default deny)',
    );
    expect(cell('beta', 'beta')).toBe(
      'deny tcp 23 (beta-no-telnet); otherwise allow (intra-zone default)',
    );
    expect(cell('alpha', 'beta')).toBe(
      'deny any (beta-alpha-never); allow tcp 443,8000-8100 (alpha-beta); otherwise deny (default)',
    );
    expect(cell('gamma', 'beta')).toBe('deny (default)');
    expect(cell('external', 'delta')).toBe('monitor tcp 443 (vpn-in); otherwise deny (default)');
    expect(cell('external', 'external')).toBe('not applicable');
    for (const row of rows) {
      for (const value of row) expect(value).not.toMatch(/^[=+\-@]/);
    }
    expect(rows[1]).toEqual([
      'name',
      '\'=HYPERLINK("x")',
      "'@SUM(1)",
      '\'-2 "quoted" name',
      "'+1",
      'Outside every zone',
    ]);
  });
});
