import { describe, expect, it } from 'vitest';
import {
  conduitsOfPair,
  deviceDetails,
  indexMap,
  zoneDetails,
  zoneOfEnd,
  zonePairDetails,
  zonePairOfEdge,
} from './selection';
import { testMap, testPolicy } from './testMap';

describe('deviceDetails', () => {
  it('lists a device’s flows worst first with their direction, and its neighbours most critical first', () => {
    const details = deviceDetails(indexMap(testMap()), 'device:s1')!;
    expect(details.zone?.id).toBe('it');
    expect(
      details.flows.map((flow) => [flow.edge.flowId, flow.direction, flow.peer.id, flow.verdict]),
    ).toEqual([
      [2, 'incoming', 'device:p1', 'insecure'],
      [4, 'outgoing', 'device:p1', 'monitored'],
      [1, 'incoming', 'device:m1', 'allowed'],
    ]);
    expect(details.neighbours.map((node) => node.id)).toEqual(['device:p1', 'device:m1']);
  });

  it('shows the verdicts it is given, so a what-if preview reads in the panel too', () => {
    const details = deviceDetails(indexMap(testMap()), 'device:p2', () => 'allowed')!;
    expect(details.flows.map((flow) => flow.verdict)).toEqual(['allowed']);
  });

  it('answers null for a node that is not on the map', () => {
    expect(deviceDetails(indexMap(testMap()), 'device:nope')).toBeNull();
  });
});

describe('zonePairOfEdge', () => {
  it('takes the direction of the worst flow of a bundle carrying flows both ways', () => {
    const index = indexMap(testMap());
    expect(zonePairOfEdge(index, 'device:s1', 'zone:life', [4, 2])).toEqual({
      from: 'life',
      to: 'it',
    });
  });

  it('falls back to the ends as drawn when it knows none of the flows', () => {
    const index = indexMap(testMap());
    expect(zonePairOfEdge(index, 'zone:med', 'device:s1', [])).toEqual({ from: 'med', to: 'it' });
    expect(zoneOfEnd(index, 'zone:life')).toBe('life');
  });
});

describe('conduitsOfPair', () => {
  it('finds the conduits of the direction, and both-way conduits written the other way round', () => {
    const conduits = testPolicy().conduits;
    expect(conduitsOfPair(conduits, { from: 'life', to: 'it' }).map((c) => c.id)).toEqual([
      'life-hl7',
      'pump-server',
    ]);
    expect(conduitsOfPair(conduits, { from: 'it', to: 'med' })).toEqual([]);
  });
});

describe('zonePairDetails', () => {
  it('gives the conduits, the counts and the flows from one zone to the other', () => {
    const details = zonePairDetails(indexMap(testMap()), testPolicy(), { from: 'life', to: 'it' });
    expect(details.conduits.map((conduit) => conduit.id)).toEqual(['life-hl7', 'pump-server']);
    expect(details.flows.map((flow) => flow.edge.flowId)).toEqual([2]);
    expect(details.counts).toEqual({ allowed: 0, monitored: 0, violation: 0, insecure: 1 });
    expect(details.summary?.connections).toBe(12);
  });
});

describe('zoneDetails', () => {
  it('lists the zone’s traffic worst first and counts its devices by criticality', () => {
    const details = zoneDetails(indexMap(testMap()), 'med')!;
    expect(details.pairs.map((pair) => pair.id)).toEqual([
      'zones:med>external',
      'zones:med>it',
      'zones:med>med',
    ]);
    expect(details.devicesByCriticality).toEqual({ high: 1, unassessed: 1 });
    expect(zoneDetails(indexMap(testMap()), 'nowhere')).toBeNull();
  });
});
