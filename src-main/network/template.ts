// The site's zones file and the checks every policy passes before it is stored or evaluated: zod
// for shape, then unique ids and VLANs and no subnet overlap between zones. Each problem names its
// JSON path ($.zones[2].subnets[0]); a policy that passes comes back in one canonical form.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { fail } from '../lib/errors';
import type { Cidr, PrefixEntry } from './addresses';
import { compareCidrs, findOverlaps, formatCidr, parseCidr } from './addresses';
import type { Conduit, NetworkPolicy, PortRange, Zone } from '../../src-preload/network/model';
import { compareText, externalZoneId } from '../../src-preload/network/model';
import type { PolicyFile } from '../../src-preload/network/schemas';
import {
  NetworkPolicySchema,
  PolicyFileSchema,
  policyFileFormat,
} from '../../src-preload/network/schemas';

export interface PolicyIssue {
  /** JSONPath of the offending value, e.g. `$.zones[2].subnets[0]`. */
  path: string;
  message: string;
}

export type PolicyValidation =
  { ok: true; policy: NetworkPolicy } | { ok: false; issues: PolicyIssue[] };

export const zonesTemplateFileName = 'zones-template.json';

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (typeof step === 'string' && identifier.test(step)) out += `.${step}`;
    else out += `[${JSON.stringify(String(step))}]`;
  }
  return out;
}

function zodIssues(error: z.ZodError): PolicyIssue[] {
  return error.issues.map((issue) => ({
    path: formatJsonPath(issue.path),
    message: issue.message,
  }));
}

/** Parses the text of a zones file; never throws. */
export function parsePolicyFile(text: string): PolicyValidation {
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return {
      ok: false,
      issues: [{ path: '$', message: `not valid JSON: ${(error as Error).message}` }],
    };
  }
  return validatePolicyFile(json);
}

/** Checks a parsed zones file and returns its policy, normalised. */
export function validatePolicyFile(value: unknown): PolicyValidation {
  const parsed = PolicyFileSchema.safeParse(value);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const conduits: Conduit[] = parsed.data.conduits.map((conduit) => ({
    ...conduit,
    ports: conduit.ports.map((port) => {
      if (typeof port === 'number') return { from: port, to: port };
      const [from, to] = port.split('-').map(Number);
      return { from: from!, to: to! };
    }),
  }));
  return checkPolicy({ zones: parsed.data.zones, conduits });
}

/** Checks a policy that code assembled (a draft, an edit) the way a zones file is checked. */
export function validatePolicy(value: unknown): PolicyValidation {
  const parsed = NetworkPolicySchema.safeParse(value);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  return checkPolicy(parsed.data);
}

/** validatePolicy, throwing `network.invalid` with every issue in its details. */
export function assertValidPolicy(value: unknown): NetworkPolicy {
  const result = validatePolicy(value);
  if (!result.ok) throwIssues('the network policy', result.issues);
  return result.policy;
}

export function throwIssues(what: string, issues: readonly PolicyIssue[]): never {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  fail(
    'network.invalid',
    `${what} is invalid at ${first?.path ?? '$'}: ${first?.message ?? 'unknown problem'}${more}`,
    { issues },
  );
}

function mergePorts(ports: readonly PortRange[]): PortRange[] {
  const sorted = [...ports].sort((a, b) => a.from - b.from || a.to - b.to);
  const merged: PortRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.from <= last.to + 1) last.to = Math.max(last.to, range.to);
    else merged.push({ from: range.from, to: range.to });
  }
  return merged;
}

interface SubnetOwner {
  zoneIndex: number;
  subnetIndex: number;
}

/**
 * The relations a well-formed policy must keep. Zones' own nested subnets are allowed (the
 * longest prefix still names the same zone); any overlap between two zones is an error.
 */
function checkPolicy(policy: NetworkPolicy): PolicyValidation {
  const issues: PolicyIssue[] = [];
  const zoneIndexById = new Map<string, number>();
  const vlanOwner = new Map<number, string>();
  const subnetEntries: PrefixEntry<SubnetOwner>[] = [];
  const zones: Zone[] = [];

  policy.zones.forEach((zone, zoneIndex) => {
    const at = `$.zones[${zoneIndex}]`;
    if (zoneIndexById.has(zone.id)) {
      issues.push({
        path: `${at}.id`,
        message: `zone id "${zone.id}" is also used by $.zones[${zoneIndexById.get(zone.id)}]`,
      });
    } else {
      zoneIndexById.set(zone.id, zoneIndex);
    }
    zone.vlans.forEach((vlan, vlanIndex) => {
      const owner = vlanOwner.get(vlan.id);
      if (owner !== undefined) {
        issues.push({
          path: `${at}.vlans[${vlanIndex}].id`,
          message: `VLAN ${vlan.id} is already in zone "${owner}"`,
        });
      } else {
        vlanOwner.set(vlan.id, zone.id);
      }
    });
    const cidrs: Cidr[] = [];
    const seen = new Set<string>();
    zone.subnets.forEach((text, subnetIndex) => {
      const parsed = parseCidr(text);
      if (!parsed.ok) {
        issues.push({ path: `${at}.subnets[${subnetIndex}]`, message: parsed.reason });
        return;
      }
      const canonical = formatCidr(parsed.cidr);
      if (seen.has(canonical)) {
        issues.push({
          path: `${at}.subnets[${subnetIndex}]`,
          message: `${canonical} is listed twice in zone "${zone.id}"`,
        });
        return;
      }
      seen.add(canonical);
      cidrs.push(parsed.cidr);
      subnetEntries.push({ cidr: parsed.cidr, value: { zoneIndex, subnetIndex } });
    });
    zones.push({
      ...zone,
      vlans: [...zone.vlans].sort((a, b) => a.id - b.id),
      subnets: cidrs.sort(compareCidrs).map(formatCidr),
    });
  });

  for (const [outer, inner] of findOverlaps(subnetEntries)) {
    if (outer.value.zoneIndex === inner.value.zoneIndex) continue;
    const outerZone = policy.zones[outer.value.zoneIndex]!;
    const innerZone = policy.zones[inner.value.zoneIndex]!;
    const outerPath = `$.zones[${outer.value.zoneIndex}].subnets[${outer.value.subnetIndex}]`;
    const innerPath = `$.zones[${inner.value.zoneIndex}].subnets[${inner.value.subnetIndex}]`;
    issues.push({
      path: innerPath,
      message:
        `${formatCidr(inner.cidr)} of zone "${innerZone.id}" overlaps ${formatCidr(outer.cidr)} ` +
        `of zone "${outerZone.id}" (${outerPath})`,
    });
  }

  const conduitIndexById = new Map<string, number>();
  const conduits: Conduit[] = [];
  policy.conduits.forEach((conduit, conduitIndex) => {
    const at = `$.conduits[${conduitIndex}]`;
    if (conduitIndexById.has(conduit.id)) {
      issues.push({
        path: `${at}.id`,
        message: `conduit id "${conduit.id}" is also used by $.conduits[${conduitIndexById.get(conduit.id)}]`,
      });
    } else {
      conduitIndexById.set(conduit.id, conduitIndex);
    }
    for (const end of ['from', 'to'] as const) {
      const reference = conduit[end];
      if (reference !== externalZoneId && !zoneIndexById.has(reference)) {
        issues.push({ path: `${at}.${end}`, message: `no zone has the id "${reference}"` });
      }
    }
    if (conduit.from === externalZoneId && conduit.to === externalZoneId) {
      issues.push({
        path: `${at}.to`,
        message: 'a conduit needs at least one end inside the site',
      });
    }
    const portsApply = conduit.protocol === 'tcp' || conduit.protocol === 'udp';
    if (!portsApply && conduit.ports.length > 0) {
      issues.push({
        path: `${at}.ports`,
        message: `ports apply to tcp and udp only; a ${conduit.protocol} conduit lists none`,
      });
    }
    conduit.ports.forEach((range, portIndex) => {
      if (!Number.isInteger(range.from) || !Number.isInteger(range.to)) return;
      if (range.from < 1 || range.to > 65535 || range.from > range.to) {
        issues.push({
          path: `${at}.ports[${portIndex}]`,
          message: `port range ${range.from}-${range.to} is not within 1–65535 in ascending order`,
        });
      }
    });
    conduits.push({ ...conduit, ports: mergePorts(conduit.ports) });
  });

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    policy: {
      zones: zones.sort((a, b) => compareText(a.id, b.id)),
      conduits: conduits.sort((a, b) => compareText(a.id, b.id)),
    },
  };
}

function formatPort(range: PortRange): number | string {
  return range.from === range.to ? range.from : `${range.from}-${range.to}`;
}

/** The zones file of a policy: validatePolicyFile(policyToFile(p)) gives p back. */
export function policyToFile(policy: NetworkPolicy, description?: string): PolicyFile {
  return {
    format: policyFileFormat,
    version: 1,
    ...(description === undefined ? {} : { description }),
    zones: policy.zones.map((zone) => ({
      id: zone.id,
      name: zone.name,
      description: zone.description,
      tier: zone.tier,
      clinical: zone.clinical,
      isolate: zone.isolate,
      vlans: zone.vlans.map((vlan) => ({ id: vlan.id, name: vlan.name })),
      subnets: [...zone.subnets],
    })),
    conduits: policy.conduits.map((conduit) => ({
      id: conduit.id,
      from: conduit.from,
      to: conduit.to,
      protocol: conduit.protocol,
      ports: conduit.ports.map(formatPort),
      direction: conduit.direction,
      state: conduit.state,
      purpose: conduit.purpose,
    })),
  };
}

/** Reads and checks a zones file; throws `input.invalid` when unreadable, `network.invalid` when wrong. */
export function readPolicyFile(path: string): NetworkPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail('input.invalid', `cannot read the zones file ${path}`, {
      errno: (error as NodeJS.ErrnoException).code,
    });
  }
  const result = parsePolicyFile(text);
  if (!result.ok) throwIssues(`the zones file ${path}`, result.issues);
  return result.policy;
}

/**
 * Where the default template is: `network/zones-template.json` in the resources folder given,
 * else in `resources/` beside the nearest package.json above this module (source tree or out/).
 */
export function zonesTemplatePath(resourcesDir?: string): string {
  if (resourcesDir !== undefined) return join(resourcesDir, 'network', zonesTemplateFileName);
  const start = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json'))) {
      return join(directory, 'resources', 'network', zonesTemplateFileName);
    }
    if (dirname(directory) === directory) {
      throw new Error(`cannot find the resources folder above ${start}; pass resourcesDir`);
    }
  }
}
