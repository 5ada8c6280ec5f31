import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src-preload/contract';
import { formatLimit, formatTimeLeft, mainNowMs, sessionDeadline } from './sessionClock';

const minute = 60_000;

function session(change: Partial<SessionInfo> = {}): SessionInfo {
  return {
    user: { username: 'a', role: 'engineer' },
    startedAtMs: 0,
    expiresAtMs: 480 * minute,
    idleLimitMs: 60 * minute,
    lastActivityMs: 10 * minute,
    stepUpUntilMs: null,
    emergency: null,
    ...change,
  };
}

describe('sessionDeadline', () => {
  it('is the idle end while that comes before the absolute end', () => {
    expect(sessionDeadline(session())).toEqual({ atMs: 70 * minute, kind: 'idle' });
  });

  it('is the absolute end once the idle end would pass it', () => {
    expect(sessionDeadline(session({ lastActivityMs: 470 * minute }))).toEqual({
      atMs: 480 * minute,
      kind: 'absolute',
    });
  });

  it('is the end of the emergency grant for an emergency session', () => {
    const emergency = { id: 1, openedBy: 'x', reason: 'other' as const, endsAtMs: 30 * minute };
    expect(
      sessionDeadline(session({ emergency, idleLimitMs: 30 * minute, lastActivityMs: 5 * minute })),
    ).toEqual({ atMs: 30 * minute, kind: 'emergency' });
  });
});

describe('mainNowMs', () => {
  it('takes the observed offset off the window clock', () => {
    expect(mainNowMs(10_000, 4_000)).toBe(6_000);
  });
});

describe('formatTimeLeft', () => {
  it('shows minutes and seconds under an hour, and never a negative time', () => {
    expect(formatTimeLeft(14 * minute + 5_900)).toBe('14:05');
    expect(formatTimeLeft(-5)).toBe('0:00');
  });

  it('shows hours and minutes from an hour on', () => {
    expect(formatTimeLeft(479 * minute + 30_000)).toBe('7 h 59 min');
  });
});

describe('formatLimit', () => {
  it('names minutes, hours, or both', () => {
    expect(formatLimit(15 * minute)).toBe('15 min');
    expect(formatLimit(8 * 60 * minute)).toBe('8 h');
    expect(formatLimit(90 * minute)).toBe('1 h 30 min');
  });
});
