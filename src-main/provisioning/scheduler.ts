// Timers behind an interface, so the link's timeouts run on real time in the app and on a clock
// that a test moves by hand: tests then assert outcomes (a retransmission happened) without
// depending on how fast this machine is.

export interface Scheduler {
  /** Calls `callback` once after `delayMs`; the returned function cancels it. */
  setTimer(delayMs: number, callback: () => void): () => void;
}

export const realScheduler: Scheduler = {
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, delayMs);
    return () => clearTimeout(timer);
  },
};

export interface ManualScheduler extends Scheduler {
  /** Moves time forward, firing every timer that falls due, in order of due time. */
  advance(ms: number): void;
  /** Fires every pending timer, earliest first (including timers those callbacks set). */
  runAll(): void;
  readonly pendingCount: number;
  nowMs(): number;
}

/** Timers that fire only when the test says time has passed. */
export function manualScheduler(startMs = 0): ManualScheduler {
  let now = startMs;
  let sequence = 0;
  const timers = new Map<number, { dueMs: number; callback: () => void }>();

  function nextDue(limitMs: number): [number, { dueMs: number; callback: () => void }] | undefined {
    let found: [number, { dueMs: number; callback: () => void }] | undefined;
    for (const entry of timers) {
      if (entry[1].dueMs <= limitMs && (!found || entry[1].dueMs < found[1].dueMs)) found = entry;
    }
    return found;
  }

  return {
    setTimer(delayMs, callback) {
      const id = ++sequence;
      timers.set(id, { dueMs: now + Math.max(0, delayMs), callback });
      return () => void timers.delete(id);
    },
    advance(ms) {
      const target = now + ms;
      for (let due = nextDue(target); due; due = nextDue(target)) {
        timers.delete(due[0]);
        now = Math.max(now, due[1].dueMs);
        due[1].callback();
      }
      now = target;
    },
    runAll() {
      for (let due = nextDue(Infinity); due; due = nextDue(Infinity)) {
        timers.delete(due[0]);
        now = Math.max(now, due[1].dueMs);
        due[1].callback();
      }
    },
    get pendingCount() {
      return timers.size;
    },
    nowMs: () => now,
  };
}
