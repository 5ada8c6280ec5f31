import { describe, expect, it } from 'vitest';
import { filterMap, mapFiltersActive, noMapFilters, toggleVerdict } from './filters';
import { testMap } from './testMap';

const ids = (items: readonly { id: string }[]) => items.map((item) => item.id);

describe('filterMap', () => {
  it('shows everything, in the map order, when no filter is set', () => {
    const map = testMap();
    const shown = filterMap(map, noMapFilters);
    expect(shown.nodes).toEqual(map.nodes);
    expect(shown.edges).toEqual(map.edges);
    expect(mapFiltersActive(noMapFilters)).toBe(false);
  });

  it('keeps only the flows of the chosen verdicts and the devices at their ends', () => {
    const shown = filterMap(testMap(), { ...noMapFilters, verdicts: ['violation'] });
    expect(ids(shown.edges)).toEqual(['flow:3', 'flow:5']);
    expect(ids(shown.nodes)).toEqual(['device:p1', 'device:p2', 'device:m2', 'unknown:10.99.0.1']);
  });

  it('shows a zone with its devices, the flows that touch it and the devices at their other ends', () => {
    const shown = filterMap(testMap(), { ...noMapFilters, zoneId: 'it' });
    expect(ids(shown.edges)).toEqual(['flow:1', 'flow:2', 'flow:4']);
    expect(ids(shown.nodes)).toEqual(['device:p1', 'device:m1', 'device:s1']);
  });

  it('shows the devices of a criticality even when they have no flow', () => {
    const map = testMap();
    map.edges = map.edges.filter((edge) => edge.flowId !== 1 && edge.flowId !== 6);
    const shown = filterMap(map, { ...noMapFilters, criticality: 'high' });
    expect(ids(shown.nodes)).toEqual(['device:m1']);
    expect(shown.edges).toEqual([]);
  });

  it('combines filters: a zone and a protocol show only that protocol around that zone', () => {
    const shown = filterMap(testMap(), { ...noMapFilters, zoneId: 'med', protocol: 'udp' });
    expect(ids(shown.edges)).toEqual(['flow:5', 'flow:6']);
    expect(ids(shown.nodes)).toEqual(['device:m1', 'device:m2', 'unknown:10.99.0.1']);
  });

  it('filters by the verdict it is given, so a draft preview filters on the draft verdicts', () => {
    const shown = filterMap(testMap(), { ...noMapFilters, verdicts: ['allowed'] }, (edge) =>
      edge.flowId === 3 ? 'allowed' : edge.verdict,
    );
    expect(ids(shown.edges)).toEqual(['flow:1', 'flow:3', 'flow:6']);
  });
});

describe('toggleVerdict', () => {
  it('adds and removes a verdict and keeps the vocabulary order', () => {
    expect(toggleVerdict([], 'violation')).toEqual(['violation']);
    expect(toggleVerdict(['violation'], 'allowed')).toEqual(['allowed', 'violation']);
    expect(toggleVerdict(['allowed', 'violation'], 'violation')).toEqual(['allowed']);
  });

  it('treats choosing every verdict as choosing none', () => {
    expect(toggleVerdict(['allowed', 'monitored', 'violation'], 'insecure')).toEqual([]);
  });
});
