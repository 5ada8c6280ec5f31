// Who is signed in, and so which view the window shows: set-up, sign-in, or the console; with the
// session's limits, emergency grant and the break-glass state from `session:status`.
// Invariants: the console is shown only while main has confirmed a session for this window; any
// sign that the session is gone (lock, expiry, an event, `session.required`) returns to the
// sign-in view and drops loaded data; an answer to a status request made before a sign-in or an
// end never changes the phase after it.
import { create } from 'zustand';
import type { SessionInfo, SessionStatus, SessionUser } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import type { EndReason } from './endNotice';
import { lockedUsernameAfter, sessionEndNotice } from './endNotice';

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
  session: SessionInfo | null;
  /** Whether a sealed, unused emergency credential exists. */
  breakGlassReady: boolean;
  unreviewedEmergencies: number;
  /** Why the sign-in view is showing, when it was not the user's own choice. */
  notice: string | null;
  /** What ended the session, while its notice shows. */
  endReason: EndReason | null;
  /** The account that unlocks the locked console (password + code); null: anyone signs in. */
  lockedUsername: string | null;
  /** The last username typed or used, offered again on the sign-in form. */
  lastUsername: string;
  /** The window's clock minus main's, as last observed just after a call touched the session. */
  clockOffsetMs: number;
  /** Bumped at every sign-in and end: status answers from an earlier epoch change no phase. */
  epoch: number;

  loadStatus: () => Promise<void>;
  /**
   * Asks main for the status again. `afterSessionCall`: a call just touched the session, so its
   * last activity is main's "now" and gives the clock offset.
   */
  refreshStatus: (afterSessionCall?: boolean) => Promise<void>;
  signedIn: (user: SessionUser) => void;
  /** Lock (or, for an emergency session, end it): the same user unlocks with password + code. */
  lock: () => Promise<void>;
  /** From the locked screen: let someone else sign in. */
  signOut: () => void;
  /** Shows the sign-in view with a notice, as when a sign-in in progress expired. */
  showSignIn: (notice: string | null) => void;
  /** The session ended outside this window's control. */
  ended: (reason: EndReason) => void;
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

export const useSessionStore = create<SessionState>()((set, get) => {
  let inFlight: Promise<void> | null = null;
  let again = false;
  let againAfterSessionCall = false;
  /** The session that ended last, so a later event can still name its limits. */
  let endedSession: SessionInfo | null = null;

  function applyCommon(status: SessionStatus): void {
    set({
      breakGlassReady: status.breakGlassReady,
      unreviewedEmergencies: status.unreviewedEmergencies,
    });
  }

  async function fetchStatus(afterSessionCall: boolean): Promise<void> {
    const epoch = get().epoch;
    const result = await call('session:status', {});
    if (!result.ok || get().epoch !== epoch) return;
    const status = result.value;
    applyCommon(status);
    if (get().phase !== 'unlocked') return;
    if (status.session === null || status.user === null) {
      get().ended('required');
      return;
    }
    set({
      user: status.user,
      session: status.session,
      ...(afterSessionCall ? { clockOffsetMs: Date.now() - status.nowMs } : {}),
    });
  }

  return {
    phase: 'starting',
    user: null,
    session: null,
    breakGlassReady: true,
    unreviewedEmergencies: 0,
    notice: null,
    endReason: null,
    lockedUsername: null,
    lastUsername: '',
    clockOffsetMs: 0,
    epoch: 0,

    async loadStatus() {
      const epoch = get().epoch;
      const result = await call('session:status', {});
      if (get().epoch !== epoch) return;
      if (!result.ok) {
        set({ phase: 'unavailable', user: null, session: null });
        return;
      }
      const status = result.value;
      applyCommon(status);
      if (status.setupRequired) set({ phase: 'setup', user: null, session: null });
      else if (status.user && status.session)
        set({
          phase: 'unlocked',
          user: status.user,
          session: status.session,
          lastUsername: status.user.username,
          notice: null,
          endReason: null,
          clockOffsetMs: Date.now() - status.nowMs,
        });
      else set({ phase: 'locked', user: null, session: null });
    },

    refreshStatus(afterSessionCall = false) {
      // One request at a time; calls that land meanwhile ask for one more afterwards.
      if (inFlight !== null) {
        again = true;
        againAfterSessionCall ||= afterSessionCall;
        return inFlight;
      }
      inFlight = (async () => {
        let touched = afterSessionCall;
        for (;;) {
          await fetchStatus(touched);
          if (!again) break;
          touched = againAfterSessionCall;
          again = false;
          againAfterSessionCall = false;
        }
      })().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },

    signedIn(user) {
      set((state) => ({
        phase: 'unlocked',
        user,
        session: null,
        lastUsername: user.username,
        lockedUsername: null,
        notice: null,
        endReason: null,
        epoch: state.epoch + 1,
      }));
      // The session started just now: its last activity is main's present.
      void get().refreshStatus(true);
    },

    async lock() {
      // Lock the window first: even if main cannot be reached, nothing stays on screen.
      const { phase, session, lockedUsername } = get();
      const wasUnlocked = phase === 'unlocked';
      set((state) => ({
        phase: 'locked',
        user: null,
        session: null,
        notice: null,
        endReason: null,
        lockedUsername: wasUnlocked ? lockedUsernameAfter('locked', session) : lockedUsername,
        epoch: state.epoch + 1,
      }));
      if (wasUnlocked) notifyEnd();
      await call('session:lock', {}, ['session.required']);
      // Ending an emergency session spends the credential: the nag banner must appear.
      await get().refreshStatus();
    },

    signOut() {
      set({ lockedUsername: null, notice: null, endReason: null });
      void call('session:cancel', {});
    },

    showSignIn(notice) {
      set((state) => ({
        phase: 'locked',
        user: null,
        session: null,
        notice,
        endReason: null,
        epoch: state.epoch + 1,
      }));
      void get().refreshStatus();
    },

    ended(reason) {
      const state = get();
      if (state.phase !== 'unlocked') {
        // The event that says why can arrive after a call found the session gone: say why.
        if (state.phase === 'locked' && state.endReason === 'required' && reason !== 'required') {
          set({
            notice: sessionEndNotice(reason, endedSession),
            endReason: reason,
            lockedUsername: lockedUsernameAfter(reason, endedSession),
          });
        }
        return;
      }
      const { session } = state;
      endedSession = session;
      set({
        phase: 'locked',
        user: null,
        session: null,
        notice: sessionEndNotice(reason, session),
        endReason: reason,
        lockedUsername: lockedUsernameAfter(reason, session),
        epoch: state.epoch + 1,
      });
      notifyEnd();
      void get().refreshStatus();
    },

    rememberUsername(username) {
      set({ lastUsername: username });
    },
  };
});
