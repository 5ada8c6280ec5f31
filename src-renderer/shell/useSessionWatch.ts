// Keeps the window's view of the session current while the console shows: a tick every second
// for the time left, and a check with main when that time has run out or the window comes back
// into view (a laptop opened again, another window closed). Main ends an expired session the
// moment it is asked and says so with `session:ended`; the window then hides all data.
// Invariant: while the deadline has passed, main is asked at most every `recheckMs`.
import { useEffect, useState } from 'react';
import { mainNowMs, sessionDeadline } from '../session/sessionClock';
import { useSessionStore } from '../session/sessionStore';
import { call } from '../api/wardkeep';

const tickMs = 1000;
const recheckMs = 5000;
/** Input moves main's idle timer at most this often: enough for limits counted in minutes. */
const touchEveryMs = 60_000;

/** Main's "now" as the window estimates it, updated every second while mounted. */
export function useMainNow(): number {
  const offset = useSessionStore((state) => state.clockOffsetMs);
  const [windowNow, setWindowNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setWindowNow(Date.now()), tickMs);
    return () => window.clearInterval(timer);
  }, []);
  return mainNowMs(windowNow, offset);
}

/** Installed once by the console: asks main when the session should have ended. */
export function useSessionWatch(): void {
  useEffect(() => {
    let lastCheckMs = 0;
    function check(force: boolean): void {
      const { phase, session, clockOffsetMs, refreshStatus } = useSessionStore.getState();
      if (phase !== 'unlocked') return;
      const now = Date.now();
      const due =
        session !== null && sessionDeadline(session).atMs <= mainNowMs(now, clockOffsetMs);
      if (!force && (!due || now - lastCheckMs < recheckMs)) return;
      lastCheckMs = now;
      void refreshStatus();
    }
    let lastTouchMs = Date.now();
    // Reading and scrolling loaded rows sends no request, yet the user is there: say so to main.
    function onInput(): void {
      const { phase, session, clockOffsetMs } = useSessionStore.getState();
      if (phase !== 'unlocked' || session === null) return;
      const now = Date.now();
      if (now - lastTouchMs < touchEveryMs) return;
      // Past the deadline the session is gone: input must not look like activity.
      if (sessionDeadline(session).atMs <= mainNowMs(now, clockOffsetMs)) return;
      lastTouchMs = now;
      void call('session:touch', {}, ['session.required']);
    }
    const inputEvents = ['keydown', 'pointerdown', 'wheel'] as const;
    for (const name of inputEvents) window.addEventListener(name, onInput, { passive: true });
    const timer = window.setInterval(() => check(false), tickMs);
    const onFocus = () => check(true);
    const onVisibility = () => {
      if (document.visibilityState === 'visible') check(true);
    };
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.clearInterval(timer);
      for (const name of inputEvents) window.removeEventListener(name, onInput);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, []);
}
