// Who is signed in, and so which view the window shows: set-up, unlock, or the console.
// Invariant: the console is shown only while main has confirmed a session for this window; any
// sign that the session is gone (lock, expiry, `session.required`) returns to the unlock view.
import { create } from 'zustand';
import type { SessionUser } from '../../src-preload/contract';
import { call } from '../api/wardkeep';

export type SessionPhase =
  /** Asking main for the session status. */
  | 'starting'
  /** No administrator exists yet: the first-run set-up. */
  | 'setup'
  | 'locked'
  | 'unlocked'
  /** Main could not be asked (no bridge, or the status call failed). */
  | 'unavailable';

interface SessionState {
  phase: SessionPhase;
  user: SessionUser | null;
  /** Why the unlock view is showing, when it was not the user's own choice. */
  notice: string | null;
  /** The last username typed or used, kept across a lock so only the password is retyped. */
  lastUsername: string;
  loadStatus: () => Promise<void>;
  signedIn: (user: SessionUser) => void;
  lock: () => Promise<void>;
  /** The session ended outside this window's control. */
  ended: (notice: string) => void;
  rememberUsername: (username: string) => void;
}

/** Callbacks run whenever the session ends, to drop data the locked window must not keep. */
const endListeners = new Set<() => void>();

export function onSessionEnd(listener: () => void): () => void {
  endListeners.add(listener);
  return () => endListeners.delete(listener);
}

function notifyEnd(): void {
  for (const listener of endListeners) listener();
}

export const useSessionStore = create<SessionState>()((set, get) => ({
  phase: 'starting',
  user: null,
  notice: null,
  lastUsername: '',

  async loadStatus() {
    const result = await call('session:status', {});
    if (!result.ok) {
      set({ phase: 'unavailable', user: null });
      return;
    }
    const { setupRequired, user } = result.value;
    if (setupRequired) set({ phase: 'setup', user: null });
    else if (user) set({ phase: 'unlocked', user, lastUsername: user.username, notice: null });
    else set({ phase: 'locked', user: null });
  },

  signedIn(user) {
    set({ phase: 'unlocked', user, lastUsername: user.username, notice: null });
  },

  async lock() {
    // Lock the window first: even if main cannot be reached, nothing stays on screen.
    const wasUnlocked = get().phase === 'unlocked';
    set({ phase: 'locked', user: null, notice: null });
    if (wasUnlocked) notifyEnd();
    await call('session:lock', {}, ['session.required']);
  },

  ended(notice) {
    // Only an open console can end; a late answer after the user locked must not add a notice.
    if (get().phase !== 'unlocked') return;
    set({ phase: 'locked', user: null, notice });
    notifyEnd();
  },

  rememberUsername(username) {
    set({ lastUsername: username });
  },
}));

/** The message for a session that ended without the user locking this window. */
export function sessionEndNotice(reason: 'locked' | 'expired' | 'required'): string {
  switch (reason) {
    case 'locked':
      return 'The console was locked. Sign in to continue.';
    case 'expired':
      return 'Your session expired. Sign in to continue.';
    case 'required':
      return 'Your session has ended. Sign in to continue.';
  }
}
