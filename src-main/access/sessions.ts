// Sessions per client (a window, or a test page): who is signed in, since when, last activity.
// A session past its role's idle or absolute limit is gone the moment anyone looks at it; every
// (re)authentication makes a new session id.
import { randomUUID } from 'node:crypto';
import type { EmergencyReason, Role, SessionEndReason } from '../../src-preload/contract';
import type { Clock } from '../lib/clock';

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

const minute = 60_000;
const hour = 60 * minute;

/** Shorter for administrators: their sessions carry the most power. */
export const sessionLimits: Readonly<Record<Role, SessionLimits>> = {
  technician: { idleMs: 60 * minute, absoluteMs: 8 * hour },
  engineer: { idleMs: 60 * minute, absoluteMs: 8 * hour },
  manager: { idleMs: 60 * minute, absoluteMs: 12 * hour },
  administrator: { idleMs: 15 * minute, absoluteMs: 8 * hour },
};

/** How long a fresh password + TOTP lets privileged actions through. */
export const stepUpWindowMs = 5 * minute;

export interface EmergencyGrant {
  id: number;
  openedBy: string;
  reason: EmergencyReason;
  endsAtMs: number;
}

export interface Session {
  id: string;
  /** Null for an emergency session, which no account opened. */
  accountId: number | null;
  username: string;
  role: Role;
  startedAtMs: number;
  lastActivityMs: number;
  stepUpAtMs: number | null;
  emergency: EmergencyGrant | null;
}

export type { SessionEndReason };

export interface SessionStart {
  accountId: number | null;
  username: string;
  role: Role;
  emergency?: EmergencyGrant;
}

export interface SessionManager {
  start(clientId: string, start: SessionStart): Session;
  /** The live session of a client, refreshing its idle timer; expired sessions are ended. */
  touch(clientId: string): Session | undefined;
  peek(clientId: string): Session | undefined;
  end(clientId: string, reason: SessionEndReason): void;
  /** Ends every session (the console is closing). */
  endAll(reason: SessionEndReason): void;
  /** Ends every session of the account (disabled, role changed). */
  endForAccount(accountId: number, reason: SessionEndReason): number;
  /** Records a fresh password + TOTP check. */
  markSteppedUp(clientId: string): void;
  /** Whether privileged actions may run now without asking again. */
  steppedUp(session: Session): boolean;
  /** When the session ends at the latest: its absolute limit or its emergency grant. */
  expiresAtMs(session: Session): number;
  idleLimitMs(session: Session): number;
  all(): Session[];
  count(): number;
}

export function createSessionManager(
  clock: Clock,
  onEnd: (clientId: string, session: Session, reason: SessionEndReason) => void,
): SessionManager {
  const sessions = new Map<string, Session>();

  // An emergency session lasts its granted time, idle or not: locking a clinician out mid-crisis
  // would defeat its purpose.
  function idleLimitMs(session: Session): number {
    if (session.emergency) return session.emergency.endsAtMs - session.startedAtMs;
    return sessionLimits[session.role].idleMs;
  }

  function expiresAtMs(session: Session): number {
    if (session.emergency) return session.emergency.endsAtMs;
    return session.startedAtMs + sessionLimits[session.role].absoluteMs;
  }

  function expired(session: Session): boolean {
    const now = clock.nowMs();
    return now - session.lastActivityMs >= idleLimitMs(session) || now >= expiresAtMs(session);
  }

  function end(clientId: string, reason: SessionEndReason): void {
    const session = sessions.get(clientId);
    if (!session) return;
    sessions.delete(clientId);
    onEnd(clientId, session, reason);
  }

  function peek(clientId: string): Session | undefined {
    const session = sessions.get(clientId);
    if (session && expired(session)) {
      end(clientId, session.emergency ? 'emergency_ended' : 'expired');
      return undefined;
    }
    return session;
  }

  return {
    start(clientId, start) {
      const previous = sessions.get(clientId);
      const now = clock.nowMs();
      const session: Session = {
        id: randomUUID(),
        accountId: start.accountId,
        username: start.username,
        role: start.role,
        startedAtMs: now,
        lastActivityMs: now,
        // Signing in is itself a fresh password + TOTP check.
        stepUpAtMs: start.emergency ? null : now,
        emergency: start.emergency ?? null,
      };
      // The new session is in place before the old one's end is reported, so nothing that reacts
      // to the end (closing an idle store) sees a moment with no session.
      sessions.set(clientId, session);
      if (previous) onEnd(clientId, previous, 'locked');
      return session;
    },
    touch(clientId) {
      const session = peek(clientId);
      if (session) session.lastActivityMs = clock.nowMs();
      return session;
    },
    peek,
    end,
    endAll(reason) {
      for (const clientId of [...sessions.keys()]) end(clientId, reason);
    },
    endForAccount(accountId, reason) {
      let ended = 0;
      for (const [clientId, session] of [...sessions]) {
        if (session.accountId === accountId) {
          end(clientId, reason);
          ended += 1;
        }
      }
      return ended;
    },
    markSteppedUp(clientId) {
      const session = sessions.get(clientId);
      if (session) session.stepUpAtMs = clock.nowMs();
    },
    steppedUp(session) {
      return session.stepUpAtMs !== null && clock.nowMs() - session.stepUpAtMs < stepUpWindowMs;
    },
    expiresAtMs,
    idleLimitMs,
    all: () => [...sessions.values()],
    count: () => sessions.size,
  };
}
