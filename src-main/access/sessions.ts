// Sessions per client (a window, or a test page): who is signed in, since when, last activity.
// A session past its role's idle or absolute limit is gone the moment anyone looks at it; every
// (re)authentication makes a new session id.
import { randomUUID } from 'node:crypto';
import type { Role } from '../../src-preload/contract';
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

export interface Session {
  id: string;
  accountId: number;
  username: string;
  role: Role;
  startedAtMs: number;
  lastActivityMs: number;
}

export type SessionEndReason = 'locked' | 'expired';

export interface SessionManager {
  start(clientId: string, account: { id: number; username: string; role: Role }): Session;
  /** The live session of a client, refreshing its idle timer; expired sessions are ended. */
  touch(clientId: string): Session | undefined;
  peek(clientId: string): Session | undefined;
  end(clientId: string, reason: SessionEndReason): void;
  count(): number;
}

export function createSessionManager(
  clock: Clock,
  onEnd: (clientId: string, session: Session, reason: SessionEndReason) => void,
): SessionManager {
  const sessions = new Map<string, Session>();

  function expired(session: Session): boolean {
    const limits = sessionLimits[session.role];
    const now = clock.nowMs();
    return (
      now - session.lastActivityMs >= limits.idleMs ||
      now - session.startedAtMs >= limits.absoluteMs
    );
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
      end(clientId, 'expired');
      return undefined;
    }
    return session;
  }

  return {
    start(clientId, account) {
      if (sessions.has(clientId)) end(clientId, 'locked');
      const now = clock.nowMs();
      const session: Session = {
        id: randomUUID(),
        accountId: account.id,
        username: account.username,
        role: account.role,
        startedAtMs: now,
        lastActivityMs: now,
      };
      sessions.set(clientId, session);
      return session;
    },
    touch(clientId) {
      const session = peek(clientId);
      if (session) session.lastActivityMs = clock.nowMs();
      return session;
    },
    peek,
    end,
    count: () => sessions.size,
  };
}
