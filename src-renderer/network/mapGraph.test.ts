import { describe, expect, it } from 'vitest';
import { noMapFilters } from './filters';
import { buildMapGraph, clusterIdOf, zoneIdOfCluster } from './mapGraph';
import { verdictStyles } from './mapStyle';
import { testMap } from './testMap';

describe('buildMapGraph', () => {
  it('places every device at the layout position and draws the same graph from the same data', () => {
    const map = testMap();
    const first = buildMapGraph(map, { filters: noMapFilters });
    const second = buildMapGraph(testMap(), { filters: noMapFilters });
    expect(second).toEqual(first);
    expect(first.nodes.map((node) => [node.id, node.x, node.y])).toEqual(
      map.nodes.map((node) => [node.id, node.x, node.y]),
    );
    expect(first.collapsedZones).toEqual([]);
  });

  it('draws flows styled by verdict, violations last so they are on top', () => {
    const graph = buildMapGraph(testMap(), { filters: noMapFilters });
    expect(graph.edges.map((edge) => [edge.id, edge.verdict])).toEqual([
      ['flow:1', 'allowed'],
      ['flow:6', 'allowed'],
      ['flow:4', 'monitored'],
      ['flow:2', 'insecure'],
      ['flow:3', 'violation'],
      ['flow:5', 'violation'],
    ]);
    const violation = graph.edges.find((edge) => edge.id === 'flow:3')!;
    expect(violation.color.color).toBe(verdictStyles.violation.color);
    expect(violation.width).toBe(verdictStyles.violation.width);
    expect(graph.edges.find((edge) => edge.id === 'flow:4')!.dashes).toEqual(
      verdictStyles.monitored.dashes,
    );
  });

  it('marks unknown addresses, unassessed devices and devices with findings so they stand out', () => {
    const graph = buildMapGraph(testMap(), { filters: noMapFilters });
    const byId = new Map(graph.nodes.map((node) => [node.id, node]));
    expect(byId.get('unknown:10.99.0.1')).toMatchObject({ kind: 'unknown', shape: 'diamond' });
    expect(byId.get('device:m2')!.borderWidth).toBe(3);
    expect(byId.get('device:m2')!.shapeProperties.borderDashes).not.toBe(false);
    expect(byId.get('device:m1')!.shapeProperties.borderDashes).toBe(false);
  });

  it('collapses zones above the threshold into one node at the zone centre and bundles their flows', () => {
    const graph = buildMapGraph(testMap(), { filters: noMapFilters, threshold: 1 });
    expect(graph.collapsedZones).toEqual(['life', 'med']);
    expect(graph.nodes.map((node) => node.id)).toEqual([
      'device:s1',
      'unknown:10.99.0.1',
      'zone:life',
      'zone:med',
    ]);
    const life = graph.nodes.find((node) => node.id === 'zone:life')!;
    expect([life.kind, life.x, life.y, life.members]).toEqual(['cluster', 100, 75, 2]);
    // p1 → s1 (insecure) and s1 → p1 (monitored): one line, both ways, the worst verdict.
    const bundle = graph.edges.find((edge) => edge.id === 'bundle:device:s1|zone:life')!;
    expect(bundle).toMatchObject({
      from: 'device:s1',
      to: 'zone:life',
      flowIds: [2, 4],
      verdict: 'insecure',
      arrows: { to: { enabled: true }, from: { enabled: true } },
    });
    // p1 → p2 and m1 → m2 stay inside their clusters.
    expect(graph.innerFlows).toBe(2);
    expect(graph.edges.some((edge) => edge.flowIds.includes(3))).toBe(false);
  });

  it('draws an opened zone device by device again', () => {
    const graph = buildMapGraph(testMap(), {
      filters: noMapFilters,
      threshold: 1,
      openedZones: new Set(['life']),
    });
    expect(graph.collapsedZones).toEqual(['med']);
    expect(graph.largeZones).toEqual(['life', 'med']);
    expect(graph.nodes.map((node) => node.id)).toContain('device:p1');
    expect(graph.edges.find((edge) => edge.id === 'flow:3')).toBeDefined();
    expect(graph.edges.find((edge) => edge.id === 'bundle:device:m1|device:s1')).toBeUndefined();
    expect(graph.edges.find((edge) => edge.id === 'bundle:device:s1|zone:med')).toMatchObject({
      flowIds: [1],
      arrows: { to: { enabled: false }, from: { enabled: true } },
    });
  });

  it('decides collapse on the devices the filters leave', () => {
    const graph = buildMapGraph(testMap(), {
      filters: { ...noMapFilters, verdicts: ['insecure'] },
      threshold: 1,
    });
    expect(graph.collapsedZones).toEqual([]);
  });

  it('shows the draft: changed flows with their new verdict, thicker, and moved devices ringed', () => {
    const graph = buildMapGraph(testMap(), {
      filters: noMapFilters,
      draftVerdicts: new Map([[3, 'allowed']]),
      movedDevices: new Set(['p2']),
    });
    const changed = graph.edges.find((edge) => edge.id === 'flow:3')!;
    expect(changed).toMatchObject({ verdict: 'allowed', changed: true });
    expect(changed.width).toBeGreaterThan(verdictStyles.allowed.width);
    const moved = graph.nodes.find((node) => node.id === 'device:p2')!;
    expect(moved.borderWidth).toBe(3);
    expect(moved.shapeProperties.borderDashes).not.toBe(false);
  });

  it('names clusters after their zone and reads the zone back', () => {
    expect(clusterIdOf('medical-devices')).toBe('zone:medical-devices');
    expect(zoneIdOfCluster('zone:medical-devices')).toBe('medical-devices');
    expect(zoneIdOfCluster('device:zone:x')).toBeNull();
  });
});
