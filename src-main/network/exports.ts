// The policy for the gear that enforces it: an nftables ruleset, Cisco IOS access lists and the
// zone matrix as CSV, each with the evaluator's meaning (evaluate.ts). People's text reaches a
// comment only as safe ASCII, and no CSV cell starts with a character a spreadsheet would run.
import { writeCsv } from '../inventory/csv';
import type { Cidr } from './addresses';
import { formatIpAddress, ipv4WildcardMask, parseCidr } from './addresses';
import type {
  Conduit,
  ConduitState,
  NetworkPolicy,
  PortRange,
  Zone,
} from '../../src-preload/network/model';
import {
  compareText,
  compareZones,
  conduitStates,
  externalZoneId,
} from '../../src-preload/network/model';

export interface ExportHeader {
  policyVersion: number;
  /** ISO time written into the header comment. */
  generatedAt: string;
}

type Family = 4 | 6;

/** One direction a conduit serves: `both` conduits give two. */
interface ConduitInstance {
  conduit: Conduit;
  from: string;
  to: string;
}

function instances(policy: NetworkPolicy): ConduitInstance[] {
  const out: ConduitInstance[] = [];
  const ordered = [...policy.conduits].sort(
    (a, b) =>
      conduitStates.indexOf(a.state) - conduitStates.indexOf(b.state) || compareText(a.id, b.id),
  );
  for (const conduit of ordered) {
    out.push({ conduit, from: conduit.from, to: conduit.to });
    if (conduit.direction === 'both' && conduit.from !== conduit.to) {
      out.push({ conduit, from: conduit.to, to: conduit.from });
    }
  }
  return out;
}

function subnetsOf(zone: Zone, family: Family): Cidr[] {
  const out: Cidr[] = [];
  for (const text of zone.subnets) {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(`exports need a validated policy: ${parsed.reason}`);
    if (parsed.cidr.family === family) out.push(parsed.cidr);
  }
  return out;
}

/** Printable ASCII without quotes or backslashes, at most `max` characters. */
export function safeComment(text: string, max: number): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["\\`$;{}#!]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1).trimEnd()}~` : cleaned;
}

function nftName(zoneId: string, family: Family): string {
  // Zone ids are [a-z0-9-] and never hold `_`, so this mapping is one-to-one.
  return `zone_${zoneId.replaceAll('-', '_')}_v${family}`;
}

function nftPorts(ports: readonly PortRange[]): string {
  const items = ports.map((range) =>
    range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`,
  );
  return items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`;
}

/**
 * An nftables ruleset (`nft -f`): table inet wardkeep with one interval set per zone and family,
 * a forward chain with policy drop, established/related accepted, then explicit denies (logged),
 * monitored conduits (logged and accepted), allowed conduits, intra-zone traffic of zones that are
 * not isolated, and a rate-limited log of what the default deny drops. Loading it replaces the
 * previous wardkeep table atomically. Traffic inside one VLAN never reaches the forward hook:
 * isolating a zone's devices from each other needs port isolation on its switches too.
 */
export function exportNftables(policy: NetworkPolicy, header: ExportHeader): string {
  const zones = [...policy.zones].sort(compareZones);
  const zoneById = new Map(zones.map((zone) => [zone.id, zone]));
  const out: string[] = [
    '#!/usr/sbin/nft -f',
    `# Wardkeep network policy version ${header.policyVersion}, generated ${safeComment(header.generatedAt, 40)}.`,
    '# Between zones everything is dropped unless a conduit allows it.',
    '',
    '# Create the table if it is missing, so the delete below never fails; the file loads as one transaction.',
    'table inet wardkeep',
    'delete table inet wardkeep',
    '',
    'table inet wardkeep {',
  ];
  const setLines = (name: string, family: Family, cidrs: readonly Cidr[]): void => {
    const type = family === 4 ? 'ipv4_addr' : 'ipv6_addr';
    out.push(`  set ${name} {`, `    type ${type}`, '    flags interval', '    auto-merge');
    if (cidrs.length > 0) {
      const elements = cidrs.map((cidr) => `${formatIpAddress(cidr)}/${cidr.prefixLength}`);
      out.push(`    elements = { ${elements.join(', ')} }`);
    }
    out.push('  }');
  };
  const internal: Record<Family, Cidr[]> = { 4: [], 6: [] };
  for (const zone of zones) {
    out.push(`  # ${zone.id}: ${safeComment(zone.name, 100)} (${zone.tier})`);
    for (const family of [4, 6] as const) {
      const cidrs = subnetsOf(zone, family);
      internal[family].push(...cidrs);
      if (cidrs.length > 0) setLines(nftName(zone.id, family), family, cidrs);
    }
  }
  out.push('  # Every zone subnet: what is not in here is `external`.');
  setLines('internal_v4', 4, internal[4]);
  setLines('internal_v6', 6, internal[6]);
  out.push(
    '',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    '    ct state invalid drop',
  );

  /** `ip saddr @zone_x_v4`, or null when the zone has no subnet of this family. */
  const match = (zoneId: string, family: Family, end: 'saddr' | 'daddr'): string | null => {
    const keyword = family === 4 ? 'ip' : 'ip6';
    if (zoneId === externalZoneId) return `${keyword} ${end} != @internal_v${family}`;
    const zone = zoneById.get(zoneId);
    if (!zone || subnetsOf(zone, family).length === 0) return null;
    return `${keyword} ${end} @${nftName(zoneId, family)}`;
  };
  const transport = (conduit: Conduit, family: Family): string | null => {
    switch (conduit.protocol) {
      case 'any':
        return null;
      case 'icmp':
        return family === 4 ? 'meta l4proto icmp' : 'meta l4proto ipv6-icmp';
      case 'tcp':
      case 'udp':
        return conduit.ports.length === 0
          ? `meta l4proto ${conduit.protocol}`
          : `${conduit.protocol} dport ${nftPorts(conduit.ports)}`;
    }
  };
  const verdictFor: Record<ConduitState, (id: string) => string> = {
    deny: (id) => `log prefix "wardkeep deny ${id} " drop`,
    monitor: (id) => `log prefix "wardkeep monitor ${id} " accept`,
    allow: () => 'accept',
  };

  let state: ConduitState | null = null;
  for (const instance of instances(policy)) {
    const conduit = instance.conduit;
    if (conduit.state !== state) {
      state = conduit.state;
      out.push(`    # ${state} conduits`);
    }
    for (const family of [4, 6] as const) {
      const source = match(instance.from, family, 'saddr');
      const destination = match(instance.to, family, 'daddr');
      if (source === null || destination === null) continue;
      const parts = [
        source,
        destination,
        transport(conduit, family),
        verdictFor[state](conduit.id),
      ];
      const comment = safeComment(`${conduit.id}: ${conduit.purpose}`, 120);
      out.push(`    ${parts.filter((part) => part !== null).join(' ')} comment "${comment}"`);
    }
  }
  out.push('    # traffic inside zones that are not isolated');
  for (const zone of zones) {
    if (zone.isolate) continue;
    for (const family of [4, 6] as const) {
      const source = match(zone.id, family, 'saddr');
      const destination = match(zone.id, family, 'daddr');
      if (source === null || destination === null) continue;
      out.push(`    ${source} ${destination} accept comment "intra-zone ${zone.id}"`);
    }
  }
  out.push(
    '    # what the default deny drops, at most 30 log lines a minute',
    '    limit rate 30/minute burst 10 packets log prefix "wardkeep default-deny "',
    '  }',
    '}',
    '',
  );
  return out.join('\n');
}

interface AclSyntax {
  family: Family;
  listHeader: (name: string) => string[];
  address: (cidr: Cidr) => string;
  anyProtocol: string;
  icmpReply: string;
  /** Lines just before the final deny. */
  beforeFinalDeny: string[];
}

const ipv4Acl: AclSyntax = {
  family: 4,
  listHeader: (name) => [`no ip access-list extended ${name}`, `ip access-list extended ${name}`],
  address: (cidr) => {
    if (cidr.prefixLength === 0) return 'any';
    const network = formatIpAddress(cidr);
    if (cidr.prefixLength === 32) return `host ${network}`;
    return `${network} ${ipv4WildcardMask(cidr.prefixLength)}`;
  },
  anyProtocol: 'ip',
  icmpReply: 'echo-reply',
  beforeFinalDeny: [],
};

const ipv6Acl: AclSyntax = {
  family: 6,
  listHeader: (name) => [`no ipv6 access-list ${name}`, `ipv6 access-list ${name}`],
  address: (cidr) => {
    if (cidr.prefixLength === 0) return 'any';
    const network = formatIpAddress(cidr);
    if (cidr.prefixLength === 128) return `host ${network}`;
    return `${network}/${cidr.prefixLength}`;
  },
  anyProtocol: 'ipv6',
  icmpReply: 'echo-reply',
  // An explicit final deny also drops the neighbour discovery an IPv6 ACL otherwise permits.
  beforeFinalDeny: [' permit icmp any any nd-na', ' permit icmp any any nd-ns'],
};

export const ciscoAclName = 'WARDKEEP-ZONES';

/**
 * Cisco IOS access lists: `ip access-list extended WARDKEEP-ZONES` with wildcard masks and, when
 * any zone has IPv6 subnets, `ipv6 access-list WARDKEEP-ZONES-V6`. Apply both inbound on every
 * zone's routed interface. ACLs are stateless: replies of allowed TCP sessions pass as
 * `established` (after the explicit denies between zones), replies of one-way UDP conduits with
 * listed ports and of ICMP echo get their own lines; use a zone-based firewall where stateful
 * inspection is needed.
 * Lines toward `external` use `any`, preceded by denies of the zone to every internal subnet so
 * `any` never opens a path between two zones.
 */
export function exportCiscoAcl(policy: NetworkPolicy, header: ExportHeader): string {
  const zones = [...policy.zones].sort(compareZones);
  const hasIpv6 = zones.some((zone) => subnetsOf(zone, 6).length > 0);
  const out: string[] = [
    `! Wardkeep network policy version ${header.policyVersion}, generated ${safeComment(header.generatedAt, 40)}.`,
    '! Apply inbound on every zone interface, e.g.:',
    `!   interface Vlan120`,
    `!    ip access-group ${ciscoAclName} in`,
    ...(hasIpv6 ? [`!    ipv6 traffic-filter ${ciscoAclName}-V6 in`] : []),
    '!',
    ...aclLines(policy, zones, ipv4Acl, ciscoAclName),
  ];
  if (hasIpv6) out.push('!', ...aclLines(policy, zones, ipv6Acl, `${ciscoAclName}-V6`));
  out.push('end', '');
  return out.join('\n');
}

function aclPorts(ports: readonly PortRange[]): (string | null)[] {
  if (ports.length === 0) return [null];
  return ports.map((range) =>
    range.from === range.to ? `eq ${range.from}` : `range ${range.from} ${range.to}`,
  );
}

function aclLines(
  policy: NetworkPolicy,
  zones: readonly Zone[],
  syntax: AclSyntax,
  name: string,
): string[] {
  const family = syntax.family;
  const zoneSubnets = new Map(zones.map((zone) => [zone.id, subnetsOf(zone, family)]));
  const internal = zones.flatMap((zone) => zoneSubnets.get(zone.id)!);
  const anyAddress = 'any';
  const endpoints = (zoneId: string): string[] =>
    zoneId === externalZoneId
      ? [anyAddress]
      : (zoneSubnets.get(zoneId) ?? []).map((cidr) => syntax.address(cidr));

  const protocolWord = (conduit: Conduit): string =>
    conduit.protocol === 'any' ? syntax.anyProtocol : conduit.protocol;
  const action = (state: ConduitState): string =>
    state === 'allow' || state === 'monitor' ? 'permit' : 'deny';
  const logSuffix = (state: ConduitState): string => (state === 'allow' ? '' : ' log');

  /** The lines of one direction of a conduit, with return lines for stateless one-way UDP/ICMP. */
  const conduitLines = (instance: ConduitInstance): string[] => {
    const conduit = instance.conduit;
    const lines: string[] = [];
    const sources = endpoints(instance.from);
    const destinations = endpoints(instance.to);
    if (sources.length === 0 || destinations.length === 0) return lines;
    lines.push(` remark ${safeComment(`${conduit.id}: ${conduit.purpose}`, 90)}`);
    const returnLines =
      conduit.state !== 'deny' &&
      conduit.direction === 'one-way' &&
      (conduit.protocol === 'udp' || conduit.protocol === 'icmp');
    for (const source of sources) {
      for (const destination of destinations) {
        for (const port of aclPorts(
          conduit.protocol === 'tcp' || conduit.protocol === 'udp' ? conduit.ports : [],
        )) {
          const portPart = port === null ? '' : ` ${port}`;
          lines.push(
            ` ${action(conduit.state)} ${protocolWord(conduit)} ${source} ${destination}${portPart}${logSuffix(conduit.state)}`,
          );
          // Replies come from the listed port; a one-way UDP conduit over every port gets no
          // reply line, since it would open every UDP port the other way.
          if (returnLines && conduit.protocol === 'udp' && port !== null) {
            lines.push(` permit udp ${destination}${portPart} ${source}`);
          }
        }
        if (returnLines && conduit.protocol === 'icmp') {
          lines.push(` permit icmp ${destination} ${source} ${syntax.icmpReply}`);
        }
      }
    }
    return lines;
  };

  const all = instances(policy);
  const isExternal = (instance: ConduitInstance) =>
    instance.from === externalZoneId || instance.to === externalZoneId;
  const internalInstances = all.filter((instance) => !isExternal(instance));
  const externalInstances = all.filter(isExternal);

  const out: string[] = [...syntax.listHeader(name)];
  out.push(' remark explicit denies between zones');
  for (const instance of internalInstances) {
    if (instance.conduit.state === 'deny') out.push(...conduitLines(instance));
  }
  out.push(' remark replies of allowed TCP sessions', ' permit tcp any any established');
  for (const instance of internalInstances) {
    if (instance.conduit.state !== 'deny') out.push(...conduitLines(instance));
  }
  out.push(' remark traffic inside zones that are not isolated');
  for (const zone of zones) {
    if (zone.isolate) continue;
    const subnets = endpoints(zone.id);
    for (const source of subnets) {
      for (const destination of subnets) {
        out.push(` permit ${syntax.anyProtocol} ${source} ${destination}`);
      }
    }
  }
  if (externalInstances.length > 0) {
    // Guards: `any` below must only ever mean "outside every zone".
    const guards = new Set<string>();
    const internalAddresses = internal.map((cidr) => syntax.address(cidr));
    for (const instance of externalInstances) {
      const replies =
        instance.conduit.direction === 'one-way' &&
        (instance.conduit.protocol === 'udp' || instance.conduit.protocol === 'icmp');
      const outward = instance.to === externalZoneId;
      const zoneId = outward ? instance.from : instance.to;
      for (const zoneAddress of endpoints(zoneId)) {
        for (const other of internalAddresses) {
          if (outward || replies)
            guards.add(` deny ${syntax.anyProtocol} ${zoneAddress} ${other} log`);
          if (!outward || replies)
            guards.add(` deny ${syntax.anyProtocol} ${other} ${zoneAddress} log`);
        }
      }
    }
    out.push(' remark no path between zones through the lines toward any', ...guards);
    for (const instance of externalInstances) out.push(...conduitLines(instance));
  }
  out.push(...syntax.beforeFinalDeny, ` deny ${syntax.anyProtocol} any any log`);
  return out;
}

function conduitSummary(conduit: Conduit): string {
  const ports =
    conduit.ports.length === 0
      ? ''
      : ` ${conduit.ports
          .map((range) => (range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`))
          .join(',')}`;
  return `${conduit.state} ${conduit.protocol}${ports} (${conduit.id})`;
}

/**
 * The zone × zone matrix as CSV (rows: from, columns: to, `external` last; the second row names
 * the zones): each cell lists the conduits serving that direction, then the default. Cells are
 * formula-safe: writeCsv prefixes `'` to any that would start with = + - @.
 */
export function exportMatrixCsv(policy: NetworkPolicy): string {
  const zones = [...policy.zones].sort(compareZones);
  const ids = [...zones.map((zone) => zone.id), externalZoneId];
  const zoneById = new Map(zones.map((zone) => [zone.id, zone]));
  const cells = new Map<string, string[]>();
  for (const instance of instances(policy)) {
    const key = `${instance.from}\u0000${instance.to}`;
    const list = cells.get(key) ?? [];
    list.push(conduitSummary(instance.conduit));
    cells.set(key, list);
  }
  const rows: string[][] = [
    ['from \\ to', ...ids],
    ['name', ...zones.map((zone) => zone.name), 'Outside every zone'],
  ];
  for (const from of ids) {
    const row = [from];
    for (const to of ids) {
      const listed = cells.get(`${from}\u0000${to}`) ?? [];
      let base: string;
      if (from === externalZoneId && to === externalZoneId) base = 'not applicable';
      else if (from === to)
        base = zoneById.get(from)!.isolate
          ? 'isolated (default deny)'
          : 'allow (intra-zone default)';
      else base = 'deny (default)';
      row.push(listed.length === 0 ? base : [...listed, `otherwise ${base}`].join('; '));
    }
    rows.push(row);
  }
  return writeCsv(rows);
}
