// Time comes from an injected clock so tests can freeze it; shipped code uses systemClock.
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that moves only when told to: for tests where time matters. */
export function frozenClock(
  startMs: number,
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let now = startMs;
  return {
    nowMs: () => now,
    advance(ms: number) {
      now += ms;
    },
    set(ms: number) {
      now = ms;
    },
  };
}

export function isoTime(clock: Clock): string {
  return new Date(clock.nowMs()).toISOString();
}
