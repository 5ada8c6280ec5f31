import { describe, expect, it } from 'vitest';
import type { UnknownDevice } from './types';
import { unknownCounts, unknownRows, unknownStateActions } from './unknownDevices';

function unknown(
  address: string,
  state: UnknownDevice['state'],
  inferredZoneId: string | null,
  flowCount: number,
  lastSeenMs = 1000,
): UnknownDevice {
  return { address, firstSeenMs: 0, lastSeenMs, flowCount, inferredZoneId, state };
}

const zoneRanks: Record<string, number> = { life: 0, medical: 1, corporate: 3 };
const zoneRank = (zoneId: string | null) => (zoneId === null ? 9 : (zoneRanks[zoneId] ?? 8));

describe('unknownRows', () => {
  const devices = [
    unknown('10.120.0.9', 'open', 'corporate', 50),
    unknown('10.99.0.1', 'open', null, 500),
    unknown('10.10.0.9', 'ignored', 'life', 5),
    unknown('10.20.0.7', 'open', 'medical', 2, 500),
    unknown('10.20.0.8', 'open', 'medical', 2, 900),
    unknown('10.10.0.8', 'open', 'life', 1),
  ];

  it('lists open addresses first, the most critical zone first, then the busiest and latest', () => {
    expect(unknownRows(devices, 'all', zoneRank).map((device) => device.address)).toEqual([
      '10.10.0.8',
      '10.20.0.8',
      '10.20.0.7',
      '10.120.0.9',
      '10.99.0.1',
      '10.10.0.9',
    ]);
  });

  it('keeps only the state asked for, in the same order whatever order main sent', () => {
    const forwards = unknownRows(devices, 'open', zoneRank).map((device) => device.address);
    const backwards = unknownRows([...devices].reverse(), 'open', zoneRank).map(
      (device) => device.address,
    );
    expect(forwards).toHaveLength(5);
    expect(backwards).toEqual(forwards);
    expect(unknownRows(devices, 'resolved', zoneRank)).toEqual([]);
  });
});

describe('unknownCounts', () => {
  it('counts the addresses in each state', () => {
    expect(
      unknownCounts([
        unknown('10.0.0.1', 'open', null, 1),
        unknown('10.0.0.2', 'open', null, 1),
        unknown('10.0.0.3', 'resolved', null, 1),
      ]),
    ).toEqual({ open: 2, ignored: 0, resolved: 1 });
  });
});

describe('unknownStateActions', () => {
  it('offers ignore or resolve for an open address, and reopening for the others', () => {
    expect(unknownStateActions('open').map((action) => action.state)).toEqual([
      'ignored',
      'resolved',
    ]);
    expect(unknownStateActions('ignored').map((action) => action.state)).toEqual(['open']);
    expect(unknownStateActions('resolved').map((action) => action.state)).toEqual(['open']);
  });
});
