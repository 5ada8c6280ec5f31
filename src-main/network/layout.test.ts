import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluateFlows, resolveDeviceZones } from './evaluate';
import type { LayoutInput, NetworkMap } from './layout';
import { layoutNetworkMap } from './layout';
import type { NetworkDevice, ObservedFlow, UnknownDevice } from '../../src-preload/network/model';
import { readPolicyFile, zonesTemplatePath } from './template';

const policy = readPolicyFile(zonesTemplatePath());

function devicesIn(prefix: string, count: number, firstId: number): NetworkDevice[] {
  return Array.from({ length: count }, (_, index) => ({
    id: firstId + index,
    // Uids deliberately not in id order: placement follows the uid.
    uid: `uid-${String((index * 7919) % 100_000).padStart(6, '0')}-${firstId + index}`,
    label: `device ${firstId + index}`,
    ipAddress: `${prefix}.${Math.floor(index / 250)}.${(index % 250) + 1}`,
    zoneId: null,
    criticality: 'high' as const,
    deviceClass: 'patient_monitor',
  }));
}

function inputFor(devices: NetworkDevice[], extra: Partial<LayoutInput> = {}): LayoutInput {
  const compiled = compilePolicy(policy);
  return {
    policy,
    devices,
    deviceZones: resolveDeviceZones(compiled, devices).devices,
    ...extra,
  };
}

function inside(map: NetworkMap): boolean {
  const zones = new Map(map.zones.map((zone) => [zone.id, zone]));
  return map.nodes.every((node) => {
    const zone = zones.get(node.zoneId)!;
    return (
      node.x > zone.x &&
      node.x < zone.x + zone.width &&
      node.y > zone.y &&
      node.y < zone.y + zone.height
    );
  });
}

function overlaps(map: NetworkMap): boolean {
  return map.zones.some((a, index) =>
    map.zones
      .slice(index + 1)
      .some(
        (b) =>
          a.x < b.x + b.width &&
          b.x < a.x + a.width &&
          a.y < b.y + b.height &&
          b.y < a.y + a.height,
      ),
  );
}

describe('network map layout', () => {
  it('gives identical positions for the same data, whatever order it arrives in', () => {
    const devices = [
      ...devicesIn('10.20', 300, 1),
      ...devicesIn('10.120', 40, 1000),
      ...devicesIn('10.10', 12, 2000),
    ];
    const first = layoutNetworkMap(inputFor(devices));
    const reversed = [...devices].reverse();
    const second = layoutNetworkMap(inputFor(reversed));
    const byId = (map: NetworkMap) => new Map(map.nodes.map((node) => [node.id, [node.x, node.y]]));
    expect(byId(second)).toEqual(byId(first));
    expect(second.zones).toEqual(first.zones);
    expect(JSON.stringify(layoutNetworkMap(inputFor(devices)))).toBe(JSON.stringify(first));
  });

  it('places zones most critical first on a grid without overlap, devices inside their zone by uid', () => {
    const devices = [...devicesIn('10.20', 30, 1), ...devicesIn('10.10', 5, 100)];
    const map = layoutNetworkMap(inputFor(devices));
    expect(map.zones[0]!.id).toBe('life-sustaining');
    expect(map.zones.map((zone) => zone.tier)).toEqual([
      'life_sustaining',
      'high',
      'high',
      'high',
      'high',
      'medium',
      'medium',
      'medium',
      'low',
      'low',
    ]);
    expect(overlaps(map)).toBe(false);
    expect(inside(map)).toBe(true);
    const medical = map.nodes.filter((node) => node.zoneId === 'medical-devices');
    const uids = medical.map((node) => node.id);
    expect(uids).toEqual([...uids].sort());
    // Reading order: row by row, left to right.
    const order = [...medical].sort((a, b) => a.y - b.y || a.x - b.x).map((node) => node.id);
    expect(order).toEqual(uids);
    expect(new Set(map.nodes.map((node) => `${node.x},${node.y}`)).size).toBe(map.nodes.length);
  });

  it('marks zones above the threshold to collapse into a cluster at their centre', () => {
    const map = layoutNetworkMap(
      inputFor([...devicesIn('10.20', 151, 1), ...devicesIn('10.40', 150, 500)]),
    );
    const medical = map.zones.find((zone) => zone.id === 'medical-devices')!;
    const lab = map.zones.find((zone) => zone.id === 'lab')!;
    expect(medical.collapsed).toBe(true);
    expect(lab.collapsed).toBe(false);
    expect(medical.clusterX).toBe(medical.x + medical.width / 2);
    expect(medical.deviceCount).toBe(151);
  });

  it('places unknown addresses after the devices of their zone, and the unzoned outside every zone', () => {
    const devices = [
      ...devicesIn('10.20', 3, 1),
      { ...devicesIn('192.0.2', 1, 50)[0]!, ipAddress: '192.0.2.7' },
    ];
    const unknownDevices: UnknownDevice[] = [
      {
        address: '10.20.9.9',
        firstSeenMs: 0,
        lastSeenMs: 0,
        flowCount: 2,
        inferredZoneId: 'medical-devices',
        state: 'open',
      },
      {
        address: '172.31.0.9',
        firstSeenMs: 0,
        lastSeenMs: 0,
        flowCount: 1,
        inferredZoneId: null,
        state: 'open',
      },
    ];
    const map = layoutNetworkMap(inputFor(devices, { unknownDevices }));
    const medical = map.nodes.filter((node) => node.zoneId === 'medical-devices');
    expect(medical.map((node) => node.kind)).toEqual(['device', 'device', 'device', 'unknown']);
    expect(map.zones[map.zones.length - 1]!.id).toBe('external');
    expect(
      map.nodes
        .filter((node) => node.zoneId === 'external')
        .map((node) => node.id)
        .sort(),
    ).toEqual(['device:uid-000000-50', 'unknown:172.31.0.9']);
    expect(map.nodes.find((node) => node.id === 'device:uid-000000-50')!.findings).toEqual([
      'unzoned',
    ]);
    expect(inside(map)).toBe(true);
  });

  it('draws an edge per flow between known nodes and sums every flow per zone pair', () => {
    const devices = devicesIn('10.20', 2, 1);
    const flows: ObservedFlow[] = [
      {
        id: 1,
        source: '10.20.0.1',
        destination: '10.20.0.2',
        protocol: 'tcp',
        port: 80,
        bytes: 1,
        count: 4,
        tlsCount: 0,
        services: [],
        firstSeenMs: 0,
        lastSeenMs: 0,
      },
      {
        id: 2,
        source: '10.20.0.1',
        destination: '10.100.0.1',
        protocol: 'tcp',
        port: 2575,
        bytes: 1,
        count: 2,
        tlsCount: 0,
        services: [],
        firstSeenMs: 0,
        lastSeenMs: 0,
      },
      {
        id: 3,
        source: '10.20.0.2',
        destination: '10.100.0.1',
        protocol: 'tcp',
        port: 9999,
        bytes: 1,
        count: 1,
        tlsCount: 0,
        services: [],
        firstSeenMs: 0,
        lastSeenMs: 0,
      },
    ];
    const verdicts = evaluateFlows(compilePolicy(policy), devices, flows);
    const map = layoutNetworkMap(inputFor(devices, { flows, verdicts }));
    expect(map.edges).toEqual([
      {
        id: 'flow:1',
        flowId: 1,
        from: `device:${devices[0]!.uid}`,
        to: `device:${devices[1]!.uid}`,
        verdict: 'allowed',
        protocol: 'tcp',
        port: 80,
        count: 4,
      },
    ]);
    expect(map.zoneEdges).toEqual([
      {
        id: 'zones:medical-devices>clinical-it',
        from: 'medical-devices',
        to: 'clinical-it',
        flows: 2,
        connections: 3,
        verdict: 'violation',
        byVerdict: { allowed: 0, monitored: 0, violation: 1, insecure: 1 },
      },
      {
        id: 'zones:medical-devices>medical-devices',
        from: 'medical-devices',
        to: 'medical-devices',
        flows: 1,
        connections: 4,
        verdict: 'allowed',
        byVerdict: { allowed: 1, monitored: 0, violation: 0, insecure: 0 },
      },
    ]);
  });
});
