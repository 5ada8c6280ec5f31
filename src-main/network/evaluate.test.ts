import { describe, expect, it } from 'vitest';
import type { Criticality } from '../../src-preload/contract';
import {
  cleartextRules,
  compilePolicy,
  countVerdicts,
  createFlowEvaluator,
  evaluateFlows,
  listFindings,
  resolveDeviceZones,
} from './evaluate';
import type {
  Conduit,
  NetworkDevice,
  NetworkPolicy,
  ObservedFlow,
  Zone,
} from '../../src-preload/network/model';
import { assertValidPolicy, readPolicyFile, zonesTemplatePath } from './template';

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

let nextFlowId = 1;
function flow(
  source: string,
  destination: string,
  port: number,
  extra: Partial<ObservedFlow> = {},
): ObservedFlow {
  return {
    id: nextFlowId++,
    source,
    destination,
    protocol: 'tcp',
    port,
    bytes: 100,
    count: 1,
    tlsCount: 0,
    services: [],
    firstSeenMs: 0,
    lastSeenMs: 0,
    ...extra,
  };
}

function device(
  id: number,
  ipAddress: string | null,
  extra: Partial<NetworkDevice> = {},
): NetworkDevice {
  return {
    id,
    uid: `uid-${String(id).padStart(4, '0')}`,
    label: `device ${id}`,
    ipAddress,
    zoneId: null,
    criticality: 'medium',
    deviceClass: 'other',
    ...extra,
  };
}

function policyOf(zones: Zone[], conduits: Conduit[]): NetworkPolicy {
  return assertValidPolicy({ zones, conduits });
}

const site = policyOf(
  [
    zone('pumps', ['10.10.0.0/22'], { tier: 'life_sustaining', clinical: true, isolate: true }),
    zone('monitors', ['10.20.0.0/20', 'fd00:20::/64'], { tier: 'high', clinical: true }),
    zone('servers', ['10.100.0.0/20', 'fd00:100::/64'], { tier: 'high' }),
    zone('office', ['10.120.0.0/16'], { tier: 'low' }),
    zone('vendors', ['10.250.0.0/24']),
  ],
  [
    conduit('hl7', 'monitors', 'servers', { ports: ports(2575) }),
    conduit('pump-hl7', 'pumps', 'servers', { ports: ports(2575) }),
    conduit('vendor-ssh', 'vendors', 'monitors', { ports: ports(22), state: 'monitor' }),
    conduit('office-web', 'office', 'external', { ports: ports(80, 443) }),
    conduit('office-never-pumps', 'office', 'pumps', {
      protocol: 'any',
      state: 'deny',
      direction: 'both',
    }),
    conduit('office-pumps-web', 'office', 'pumps', { ports: ports(443) }),
    conduit('monitor-sync', 'servers', 'monitors', {
      protocol: 'udp',
      direction: 'both',
      ports: ports(5000),
    }),
    conduit('ping', 'servers', 'pumps', { protocol: 'icmp' }),
    conduit('pump-pairs', 'pumps', 'pumps', { ports: ports(7000) }),
  ],
);

function verdictOf(policy: NetworkPolicy, devices: NetworkDevice[], observed: ObservedFlow) {
  return evaluateFlows(compilePolicy(policy), devices, [observed])[0]!;
}

describe('policy evaluation', () => {
  it('allows, monitors or refuses flows between zones by their conduits, default deny', () => {
    const at = (
      source: string,
      destination: string,
      port: number,
      extra: Partial<ObservedFlow> = {},
    ) => verdictOf(site, [], flow(source, destination, port, extra));
    expect(at('10.20.1.5', '10.100.0.9', 2575, { tlsCount: 1 })).toMatchObject({
      verdict: 'allowed',
      reason: 'conduit-allow',
      conduitId: 'hl7',
      sourceZoneId: 'monitors',
      destinationZoneId: 'servers',
    });
    expect(at('10.250.0.5', '10.20.1.5', 22)).toMatchObject({
      verdict: 'monitored',
      conduitId: 'vendor-ssh',
    });
    expect(at('10.100.0.9', '10.20.1.5', 2575)).toMatchObject({
      verdict: 'violation',
      reason: 'no-conduit',
      conduitId: null,
    });
    expect(at('10.20.1.5', '10.100.0.9', 2576)).toMatchObject({
      verdict: 'violation',
      reason: 'no-conduit',
    });
    expect(at('10.120.3.3', '93.184.216.34', 443)).toMatchObject({
      verdict: 'allowed',
      destinationZoneId: 'external',
    });
    expect(at('93.184.216.34', '10.120.3.3', 443)).toMatchObject({
      verdict: 'violation',
      sourceZoneId: 'external',
    });
    expect(at('8.8.8.8', '1.1.1.1', 53)).toMatchObject({
      verdict: 'violation',
      reason: 'no-conduit',
    });
  });

  it('lets an explicit deny win over an allow of the same zone pair, in both directions', () => {
    expect(verdictOf(site, [], flow('10.120.3.3', '10.10.1.1', 443))).toMatchObject({
      verdict: 'violation',
      reason: 'conduit-deny',
      conduitId: 'office-never-pumps',
    });
    expect(verdictOf(site, [], flow('10.10.1.1', '10.120.3.3', 22))).toMatchObject({
      reason: 'conduit-deny',
    });
  });

  it('serves both directions for a both conduit, and matches transport and ICMP', () => {
    expect(
      verdictOf(site, [], flow('10.20.1.5', '10.100.0.9', 5000, { protocol: 'udp' })).verdict,
    ).toBe('allowed');
    expect(
      verdictOf(site, [], flow('10.100.0.9', '10.20.1.5', 5000, { protocol: 'udp' })).verdict,
    ).toBe('allowed');
    expect(verdictOf(site, [], flow('10.100.0.9', '10.20.1.5', 5000)).verdict).toBe('violation');
    expect(
      verdictOf(site, [], flow('10.100.0.9', '10.10.1.1', 0, { protocol: 'icmp' })).verdict,
    ).toBe('allowed');
    expect(
      verdictOf(site, [], flow('10.10.1.1', '10.100.0.9', 0, { protocol: 'icmp' })).verdict,
    ).toBe('violation');
  });

  it('allows traffic inside a zone unless the zone is isolated, where only its own conduits allow', () => {
    expect(verdictOf(site, [], flow('10.20.1.5', '10.20.1.6', 80))).toMatchObject({
      verdict: 'allowed',
      reason: 'intra-zone',
    });
    expect(verdictOf(site, [], flow('10.10.1.1', '10.10.1.2', 80))).toMatchObject({
      verdict: 'violation',
      reason: 'isolated-zone',
    });
    expect(verdictOf(site, [], flow('10.10.1.1', '10.10.1.2', 7000))).toMatchObject({
      verdict: 'allowed',
      conduitId: 'pump-pairs',
    });
  });

  it('marks a permitted cleartext clinical protocol crossing zones as insecure, unless Zeek saw TLS', () => {
    expect(verdictOf(site, [], flow('10.20.1.5', '10.100.0.9', 2575))).toMatchObject({
      verdict: 'insecure',
      reason: 'cleartext',
      conduitId: 'hl7',
      cleartext: 'HL7 v2 over MLLP without TLS',
    });
    // Two connections, one of them TLS: the other was still in the clear.
    expect(
      verdictOf(site, [], flow('10.20.1.5', '10.100.0.9', 2575, { count: 2, tlsCount: 1 })).verdict,
    ).toBe('insecure');
    expect(
      verdictOf(
        site,
        [],
        flow('10.20.1.5', '10.100.0.9', 2575, { count: 2, tlsCount: 2, services: ['ssl'] }),
      ).verdict,
    ).toBe('allowed');
  });

  it('keeps a violation a violation and notes its cleartext protocol', () => {
    expect(verdictOf(site, [], flow('10.20.1.5', '10.100.0.9', 104))).toMatchObject({
      verdict: 'violation',
      cleartext: 'DICOM without TLS (DICOM over TLS uses port 2762)',
    });
  });

  it('flags HTTP, telnet and FTP only when one end is a clinical zone, by port or Zeek service', () => {
    const policy = policyOf(site.zones, [
      ...site.conduits,
      conduit('web-to-monitors', 'servers', 'monitors', { ports: ports(80, 8080, 23, 21) }),
      conduit('web-to-office', 'servers', 'office', { ports: ports(80) }),
    ]);
    expect(verdictOf(policy, [], flow('10.100.0.9', '10.20.1.5', 80)).cleartext).toBe(
      'HTTP without TLS',
    );
    expect(
      verdictOf(policy, [], flow('10.100.0.9', '10.20.1.5', 8080, { services: ['http'] })).verdict,
    ).toBe('insecure');
    expect(verdictOf(policy, [], flow('10.100.0.9', '10.20.1.5', 8080)).verdict).toBe('allowed');
    expect(verdictOf(policy, [], flow('10.100.0.9', '10.20.1.5', 23)).cleartext).toBe('Telnet');
    expect(verdictOf(policy, [], flow('10.100.0.9', '10.20.1.5', 21)).cleartext).toBe(
      'FTP without TLS',
    );
    expect(verdictOf(policy, [], flow('10.100.0.9', '10.120.1.1', 80)).verdict).toBe('allowed');
    expect(cleartextRules.map((rule) => rule.ports[0])).toEqual([2575, 104, 80, 23, 21]);
  });

  it('takes DICOM on 2762 as TLS by its port', () => {
    const template = readPolicyFile(zonesTemplatePath());
    expect(verdictOf(template, [], flow('10.30.1.5', '10.30.8.10', 2762))).toMatchObject({
      verdict: 'allowed',
      conduitId: 'imaging-dicom-tls',
      cleartext: null,
    });
  });

  it('puts a device in its assigned zone, else the zone of its address, and reports what does not fit', () => {
    const compiled = compilePolicy(site);
    const devices = [
      device(1, '10.20.1.5'),
      device(2, '10.20.1.6', { zoneId: 'servers' }),
      device(3, '10.20.1.7', { zoneId: 'gone' }),
      device(4, '192.0.2.1'),
      device(5, null),
      device(6, 'not-an-address'),
      device(7, '10.20.1.5'),
      device(8, null, { zoneId: 'office' }),
      device(9, 'FD00:20:0::9'),
    ];
    const resolution = resolveDeviceZones(compiled, devices);
    const byId = new Map(resolution.devices.map((entry) => [entry.deviceId, entry]));
    expect(byId.get(1)).toMatchObject({
      assignedZoneId: null,
      inferredZoneId: 'monitors',
      zoneId: 'monitors',
      findings: ['address-shared'],
    });
    expect(byId.get(2)).toMatchObject({
      zoneId: 'servers',
      inferredZoneId: 'monitors',
      findings: ['zone-mismatch'],
    });
    expect(byId.get(3)).toMatchObject({ zoneId: 'monitors', findings: ['assigned-zone-missing'] });
    expect(byId.get(4)).toMatchObject({ zoneId: null, findings: ['unzoned'] });
    expect(byId.get(5)?.findings).toEqual(['unzoned']);
    expect(byId.get(6)?.findings).toEqual(['address-invalid', 'unzoned']);
    expect(byId.get(7)?.findings).toEqual(['address-shared']);
    expect(byId.get(8)).toMatchObject({ zoneId: 'office', findings: [] });
    expect(byId.get(9)).toMatchObject({ zoneId: 'monitors', findings: [] });
    expect(resolution.byAddress.get('10.20.1.5')?.device.id).toBe(1);
    expect(resolution.byAddress.get('fd00:20::9')?.device.id).toBe(9);
  });

  it('evaluates a device by its assigned zone, not its subnet', () => {
    const devices = [device(1, '10.20.1.5', { zoneId: 'vendors' })];
    expect(verdictOf(site, devices, flow('10.20.1.5', '10.20.1.6', 22))).toMatchObject({
      verdict: 'monitored',
      sourceZoneId: 'vendors',
      destinationZoneId: 'monitors',
      sourceDeviceId: 1,
    });
  });

  it('rates a flow by the worst criticality of its devices and zones', () => {
    const devices = [
      device(1, '10.250.0.5', { criticality: 'low' }),
      device(2, '10.120.0.5', { criticality: 'life_sustaining' as Criticality }),
    ];
    expect(verdictOf(site, devices, flow('10.250.0.5', '10.20.1.5', 22)).risk).toBe('high');
    expect(verdictOf(site, devices, flow('10.120.0.5', '93.184.216.34', 443)).risk).toBe(
      'life_sustaining',
    );
    expect(verdictOf(site, [], flow('10.250.0.5', '10.250.0.6', 22)).risk).toBe('medium');
    expect(verdictOf(site, [], flow('8.8.8.8', '1.1.1.1', 22)).risk).toBe('unassessed');
  });

  it('lists violations and insecure flows life-sustaining first, then by connections', () => {
    const flows = [
      flow('10.120.0.5', '10.120.0.6', 22),
      flow('10.100.0.9', '10.20.1.5', 1, { count: 5 }),
      flow('10.100.0.9', '10.20.1.5', 2, { count: 50 }),
      flow('10.120.0.5', '10.10.1.1', 443, { count: 1 }),
      flow('10.20.1.5', '10.100.0.9', 2575, { count: 7 }),
      flow('10.120.0.5', '8.8.8.8', 53, { protocol: 'udp', count: 500 }),
    ];
    const verdicts = evaluateFlows(compilePolicy(site), [], flows);
    const findings = listFindings(flows, verdicts);
    expect(
      findings.map((finding) => [
        finding.verdict.risk,
        finding.flow.count,
        finding.verdict.verdict,
      ]),
    ).toEqual([
      ['life_sustaining', 1, 'violation'],
      ['high', 50, 'violation'],
      ['high', 7, 'insecure'],
      ['high', 5, 'violation'],
      ['low', 500, 'violation'],
    ]);
    expect(countVerdicts(verdicts)).toEqual({
      allowed: 1,
      monitored: 0,
      violation: 4,
      insecure: 1,
    });
    expect(listFindings(flows, verdicts, ['allowed']).map((finding) => finding.flow.port)).toEqual([
      22,
    ]);
  });

  it('resolves each address once however many flows name it', () => {
    const evaluator = createFlowEvaluator(compilePolicy(site), [
      device(1, '10.20.1.5', { zoneId: 'office' }),
    ]);
    expect(evaluator.zoneOf('10.20.1.5')).toBe('office');
    expect(evaluator.zoneOf('10.20.1.6')).toBe('monitors');
    expect(evaluator.zoneOf('fd00:100::1')).toBe('servers');
    expect(evaluator.zoneOf('203.0.113.9')).toBe('external');
  });
});
