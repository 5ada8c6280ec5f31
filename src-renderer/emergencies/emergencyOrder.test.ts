import { describe, expect, it } from 'vitest';
import type { EmergencySessionRecord } from '../../src-preload/contract';
import { emergencyOrder, emergencyState } from './emergencyOrder';

function record(id: number, change: Partial<EmergencySessionRecord> = {}): EmergencySessionRecord {
  return {
    id,
    openedBy: 'Dr. Night',
    reason: 'patient_care',
    reasonText: null,
    openedAt: '2026-11-23T02:00:00.000Z',
    endsAt: '2026-11-23T03:00:00.000Z',
    closedAt: '2026-11-23T02:30:00.000Z',
    closeReason: 'logout',
    reviewedBy: null,
    reviewedAt: null,
    reviewComment: null,
    ...change,
  };
}

describe('emergencyState', () => {
  it('tells open, awaiting review and reviewed apart', () => {
    expect(emergencyState(record(1, { closedAt: null }))).toBe('open');
    expect(emergencyState(record(1))).toBe('awaiting');
    expect(emergencyState(record(1, { reviewedAt: '2026-11-24T08:00:00.000Z' }))).toBe('reviewed');
  });
});

describe('emergencyOrder', () => {
  it('puts sessions awaiting review first, oldest first, then open, then reviewed newest first', () => {
    const reviewed = { reviewedAt: '2026-11-24T08:00:00.000Z', reviewedBy: 'b' };
    const ordered = emergencyOrder([
      record(1, reviewed),
      record(2),
      record(3, { closedAt: null }),
      record(4, reviewed),
      record(5),
    ]);
    expect(ordered.map((entry) => entry.id)).toEqual([2, 5, 3, 4, 1]);
  });
});
