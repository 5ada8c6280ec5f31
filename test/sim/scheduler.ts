// A scheduler whose timers fire only when a test says so, one at a time: when the simulated line
// loses or damages a frame, the test fires the console's retransmission timer at once instead of
// waiting out a step timeout, and no other timer moves.
import type { Scheduler } from '../../src-main/provisioning/scheduler';

export interface SteppingScheduler extends Scheduler {
  /** Fires the earliest pending timer (not those its callback sets); false when none is pending. */
  fireNext(): boolean;
  readonly pendingCount: number;
}

export function steppingScheduler(): SteppingScheduler {
  let sequence = 0;
  const timers = new Map<number, { dueMs: number; order: number; callback: () => void }>();
  let virtualNowMs = 0;
  return {
    setTimer(delayMs, callback) {
      const id = ++sequence;
      timers.set(id, { dueMs: virtualNowMs + Math.max(0, delayMs), order: id, callback });
      return () => void timers.delete(id);
    },
    fireNext() {
      let earliest: [number, { dueMs: number; order: number; callback: () => void }] | undefined;
      for (const entry of timers) {
        if (
          !earliest ||
          entry[1].dueMs < earliest[1].dueMs ||
          (entry[1].dueMs === earliest[1].dueMs && entry[1].order < earliest[1].order)
        ) {
          earliest = entry;
        }
      }
      if (!earliest) return false;
      timers.delete(earliest[0]);
      virtualNowMs = earliest[1].dueMs;
      earliest[1].callback();
      return true;
    },
    get pendingCount() {
      return timers.size;
    },
  };
}
