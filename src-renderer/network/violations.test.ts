import { describe, expect, it } from 'vitest';
import { indexMap } from './selection';
import { testFinding, testMap } from './testMap';
import { violationRows } from './violations';

describe('violationRows', () => {
  it('lists life-sustaining risk first, then violations before insecure flows, then the busiest', () => {
    const findings = [
      testFinding(5, '10.20.0.2', '10.99.0.1', 'violation', 'unassessed', ['med', 'external'], 7),
      testFinding(2, '10.10.0.1', '10.100.0.1', 'insecure', 'life_sustaining', ['life', 'it'], 12),
      testFinding(9, '10.20.0.1', '10.100.0.1', 'violation', 'high', ['med', 'it'], 1),
      testFinding(3, '10.10.0.1', '10.10.0.2', 'violation', 'life_sustaining', ['life', 'life'], 3),
      testFinding(8, '10.20.0.1', '10.100.0.1', 'violation', 'high', ['med', 'it'], 30),
    ];
    const rows = violationRows(findings, indexMap(testMap()));
    expect(rows.map((row) => row.flowId)).toEqual([3, 2, 8, 9, 5]);
  });

  it('sorts the same whatever order the findings come in', () => {
    const findings = [
      testFinding(1, '10.20.0.1', '10.100.0.1', 'violation', 'high', ['med', 'it'], 2, 1000),
      testFinding(2, '10.20.0.1', '10.100.0.1', 'violation', 'high', ['med', 'it'], 2, 2000),
      testFinding(3, '10.20.0.1', '10.100.0.1', 'violation', 'high', ['med', 'it'], 2, 2000),
    ];
    const index = indexMap(testMap());
    const forwards = violationRows(findings, index).map((row) => row.flowId);
    const backwards = violationRows([...findings].reverse(), index).map((row) => row.flowId);
    expect(forwards).toEqual([2, 3, 1]);
    expect(backwards).toEqual(forwards);
  });

  it('points each row at the more critical device, and names addresses with no device', () => {
    const [row] = violationRows(
      [testFinding(4, '10.100.0.1', '10.10.0.1', 'violation', 'life_sustaining', ['it', 'life'])],
      indexMap(testMap()),
    );
    expect(row!.focusNodeId).toBe('device:p1');
    expect(row!.source.label).toBe('S1');
    const [unknown] = violationRows(
      [testFinding(5, '10.20.0.2', '10.99.0.1', 'violation', 'unassessed', ['med', 'external'])],
      indexMap(testMap()),
    );
    expect(unknown!.destination).toMatchObject({ label: '10.99.0.1', nodeId: 'unknown:10.99.0.1' });
    expect(unknown!.focusNodeId).toBe('device:m2');
  });

  it('still lists findings before the map is there, without a device to show', () => {
    const [row] = violationRows(
      [testFinding(4, '10.100.0.1', '10.10.0.1', 'violation', 'high', ['it', 'life'])],
      null,
    );
    expect(row).toMatchObject({ focusNodeId: null, source: { label: '10.100.0.1' } });
  });
});
