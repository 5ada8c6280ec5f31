// Test data for the network view's unit tests (imported by *.test.ts only): a small map shaped as
// main's layout returns it — an isolated life-sustaining zone, a medical zone, clinical IT and
// one unknown address outside every zone — and the policy it was drawn from.
import type { NetworkPolicy } from '../../src-preload/network/model';
import type { Finding, MapEdge, MapNode, NetworkMap } from './types';

function device(
  uid: string,
  zoneId: string,
  x: number,
  y: number,
  criticality: MapNode['criticality'],
  address: string,
  deviceId: number,
  findings: MapNode['findings'] = [],
): MapNode {
  return {
    id: `device:${uid}`,
    kind: 'device',
    zoneId,
    label: uid.toUpperCase(),
    x,
    y,
    deviceId,
    address,
    criticality,
    findings,
  };
}

function flow(
  flowId: number,
  from: string,
  to: string,
  verdict: MapEdge['verdict'],
  protocol: MapEdge['protocol'],
  port: number,
  count = 1,
): MapEdge {
  return { id: `flow:${flowId}`, flowId, from, to, verdict, protocol, port, count };
}

export function testMap(): NetworkMap {
  return {
    zones: [
      {
        id: 'life',
        name: 'Life-sustaining',
        tier: 'life_sustaining',
        clinical: true,
        isolate: true,
        x: 0,
        y: 0,
        width: 200,
        height: 150,
        deviceCount: 2,
        unknownCount: 0,
        collapsed: false,
        clusterX: 100,
        clusterY: 75,
      },
      {
        id: 'med',
        name: 'Medical devices',
        tier: 'high',
        clinical: true,
        isolate: false,
        x: 296,
        y: 0,
        width: 200,
        height: 150,
        deviceCount: 2,
        unknownCount: 0,
        collapsed: false,
        clusterX: 396,
        clusterY: 75,
      },
      {
        id: 'it',
        name: 'Clinical IT',
        tier: 'medium',
        clinical: false,
        isolate: false,
        x: 0,
        y: 246,
        width: 200,
        height: 150,
        deviceCount: 1,
        unknownCount: 0,
        collapsed: false,
        clusterX: 100,
        clusterY: 321,
      },
      {
        id: 'external',
        name: 'Outside every zone',
        tier: null,
        clinical: false,
        isolate: false,
        x: 296,
        y: 246,
        width: 200,
        height: 150,
        deviceCount: 0,
        unknownCount: 1,
        collapsed: false,
        clusterX: 396,
        clusterY: 321,
      },
    ],
    nodes: [
      device('p1', 'life', 48, 88, 'life_sustaining', '10.10.0.1', 1),
      device('p2', 'life', 96, 88, 'life_sustaining', '10.10.0.2', 2),
      device('m1', 'med', 344, 88, 'high', '10.20.0.1', 3),
      device('m2', 'med', 392, 88, 'unassessed', '10.20.0.2', 4, ['zone-mismatch']),
      device('s1', 'it', 48, 334, 'medium', '10.100.0.1', 5),
      {
        id: 'unknown:10.99.0.1',
        kind: 'unknown',
        zoneId: 'external',
        label: '10.99.0.1',
        x: 344,
        y: 334,
        deviceId: null,
        address: '10.99.0.1',
        criticality: 'unassessed',
        findings: [],
      },
    ],
    edges: [
      flow(1, 'device:m1', 'device:s1', 'allowed', 'tcp', 2575, 40),
      flow(2, 'device:p1', 'device:s1', 'insecure', 'tcp', 2575, 12),
      flow(3, 'device:p1', 'device:p2', 'violation', 'tcp', 80, 3),
      flow(4, 'device:s1', 'device:p1', 'monitored', 'tcp', 443, 5),
      flow(5, 'device:m2', 'unknown:10.99.0.1', 'violation', 'udp', 53, 7),
      flow(6, 'device:m1', 'device:m2', 'allowed', 'udp', 5353, 2),
    ],
    zoneEdges: [
      zoneEdge('it', 'life', { monitored: 1 }, 5),
      zoneEdge('life', 'it', { insecure: 1 }, 12),
      zoneEdge('life', 'life', { violation: 1 }, 3),
      zoneEdge('med', 'external', { violation: 1 }, 7),
      zoneEdge('med', 'it', { allowed: 1 }, 40),
      zoneEdge('med', 'med', { allowed: 1 }, 2),
    ],
  };
}

function zoneEdge(
  from: string,
  to: string,
  counts: Partial<Record<MapEdge['verdict'], number>>,
  connections: number,
): NetworkMap['zoneEdges'][number] {
  const byVerdict = { allowed: 0, monitored: 0, violation: 0, insecure: 0, ...counts };
  const verdict =
    byVerdict.violation > 0
      ? 'violation'
      : byVerdict.insecure > 0
        ? 'insecure'
        : byVerdict.monitored > 0
          ? 'monitored'
          : 'allowed';
  return {
    id: `zones:${from}>${to}`,
    from,
    to,
    flows: byVerdict.allowed + byVerdict.monitored + byVerdict.violation + byVerdict.insecure,
    connections,
    verdict,
    byVerdict,
  };
}

export function testPolicy(): NetworkPolicy {
  const zone = (id: string, name: string, tier: 'life_sustaining' | 'high' | 'medium') => ({
    id,
    name,
    description: '',
    tier,
    clinical: tier !== 'medium',
    isolate: id === 'life',
    vlans: [],
    subnets: [],
  });
  return {
    zones: [
      zone('life', 'Life-sustaining', 'life_sustaining'),
      zone('med', 'Medical devices', 'high'),
      zone('it', 'Clinical IT', 'medium'),
    ],
    conduits: [
      {
        id: 'med-hl7',
        from: 'med',
        to: 'it',
        protocol: 'tcp',
        ports: [{ from: 2575, to: 2575 }],
        direction: 'one-way',
        state: 'allow',
        purpose: 'HL7 to the interface engine',
      },
      {
        id: 'life-hl7',
        from: 'life',
        to: 'it',
        protocol: 'tcp',
        ports: [{ from: 2575, to: 2575 }],
        direction: 'one-way',
        state: 'allow',
        purpose: 'Pump events',
      },
      {
        id: 'pump-server',
        from: 'it',
        to: 'life',
        protocol: 'tcp',
        ports: [{ from: 443, to: 443 }],
        direction: 'both',
        state: 'monitor',
        purpose: 'Drug library pushes',
      },
    ],
  };
}

/** A finding as network:findings answers it, for the map's flow `flowId`. */
export function testFinding(
  flowId: number,
  source: string,
  destination: string,
  verdict: 'violation' | 'insecure',
  risk: Finding['verdict']['risk'],
  zones: [string, string],
  count = 1,
  lastSeenMs = 1_767_225_600_000,
): Finding {
  return {
    flow: {
      id: flowId,
      source,
      destination,
      protocol: 'tcp',
      port: 2575,
      bytes: 100 * count,
      count,
      tlsCount: 0,
      services: [],
      firstSeenMs: lastSeenMs - 1000,
      lastSeenMs,
    },
    verdict: {
      flowId,
      verdict,
      reason: verdict === 'insecure' ? 'cleartext' : 'no-conduit',
      conduitId: null,
      sourceZoneId: zones[0],
      destinationZoneId: zones[1],
      sourceDeviceId: null,
      destinationDeviceId: null,
      risk,
      cleartext: verdict === 'insecure' ? 'HL7 v2 over MLLP without TLS' : null,
    },
  };
}
