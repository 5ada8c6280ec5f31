// What the sign-in screen says when a session ended without the user choosing it, and whether the
// same user unlocks it again. Pure. Invariant: every end reason of the contract has a message (the
// switch is closed over the type).
import type { SessionEndReason, SessionInfo } from '../../src-preload/contract';
import { formatLimit, sessionDeadline } from './sessionClock';

/** Main's reasons, plus `required`: a call found the session gone without saying why. */
export type EndReason = SessionEndReason | 'required';

export function sessionEndNotice(reason: EndReason, session: SessionInfo | null): string {
  if (session?.emergency) {
    return reason === 'disabled' || reason === 'role_changed'
      ? 'The emergency session was ended. An administrator will review it.'
      : 'The emergency session has ended. An administrator will review what was done in it.';
  }
  switch (reason) {
    case 'locked':
      return 'The console was locked. Sign in to continue.';
    case 'logout':
      return 'You were signed out. Sign in to continue.';
    case 'expired': {
      if (session === null) return 'Your session expired. Sign in to continue.';
      const deadline = sessionDeadline(session);
      return deadline.kind === 'idle'
        ? `Locked after ${formatLimit(session.idleLimitMs)} without activity. Sign in again to continue.`
        : `Your session reached its limit of ${formatLimit(session.expiresAtMs - session.startedAtMs)}. Sign in again to continue.`;
    }
    case 'disabled':
      return 'An administrator disabled or removed your account. The session has ended.';
    case 'role_changed':
      return 'An administrator changed your role. Sign in again to continue with the new rights.';
    case 'emergency_ended':
      return 'The emergency session has ended. An administrator will review what was done in it.';
    case 'required':
      return 'Your session has ended. Sign in to continue.';
  }
}

/**
 * The account whose password and code unlock the console again, or null when anyone may sign in:
 * an emergency session has no account, and a disabled account cannot come back.
 */
export function lockedUsernameAfter(reason: EndReason, session: SessionInfo | null): string | null {
  if (session === null || session.emergency !== null || reason === 'disabled') return null;
  return session.user.username;
}
