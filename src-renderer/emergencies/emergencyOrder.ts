// Where an emergency session stands and the order the review list shows them in. Pure.
// Invariant: sessions awaiting review come first (oldest first, so none waits forever), then the
// open ones, then the reviewed (newest first).
import type { EmergencySessionRecord } from '../../src-preload/contract';

export type EmergencyState = 'awaiting' | 'open' | 'reviewed';

export function emergencyState(record: EmergencySessionRecord): EmergencyState {
  if (record.reviewedAt !== null) return 'reviewed';
  return record.closedAt === null ? 'open' : 'awaiting';
}

const rank: Readonly<Record<EmergencyState, number>> = { awaiting: 0, open: 1, reviewed: 2 };

export function emergencyOrder(
  records: readonly EmergencySessionRecord[],
): EmergencySessionRecord[] {
  return [...records].sort((left, right) => {
    const byState = rank[emergencyState(left)] - rank[emergencyState(right)];
    if (byState !== 0) return byState;
    return emergencyState(left) === 'awaiting' ? left.id - right.id : right.id - left.id;
  });
}
