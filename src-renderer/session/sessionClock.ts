// When the signed-in session ends, in main's time: the sooner of its idle end and its absolute (or
// emergency) end. Pure. Main's clock may differ from the window's (a test's frozen clock), so the
// window keeps the offset it last observed and converts through it; main still decides.
import type { SessionInfo } from '../../src-preload/contract';

export type DeadlineKind = 'idle' | 'absolute' | 'emergency';

export interface SessionDeadline {
  /** Main's epoch milliseconds at which the session ends. */
  atMs: number;
  kind: DeadlineKind;
}

export function sessionDeadline(session: SessionInfo): SessionDeadline {
  const idleEndMs = session.lastActivityMs + session.idleLimitMs;
  if (session.emergency) {
    return { atMs: Math.min(idleEndMs, session.emergency.endsAtMs), kind: 'emergency' };
  }
  return idleEndMs <= session.expiresAtMs
    ? { atMs: idleEndMs, kind: 'idle' }
    : { atMs: session.expiresAtMs, kind: 'absolute' };
}

/** Main's time now, from the window's clock and the offset (window minus main) last observed. */
export function mainNowMs(windowNowMs: number, offsetMs: number): number {
  return windowNowMs - offsetMs;
}

/** "14:05" under an hour, "7 h 59 min" from an hour on; never negative. */
export function formatTimeLeft(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds >= 3600) {
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  }
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** "15 min", "8 h", "1 h 30 min": a limit as people say it. */
export function formatLimit(milliseconds: number): string {
  const minutes = Math.round(milliseconds / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
