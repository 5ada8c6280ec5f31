// The one step-up mechanism: when main answers `stepup.required`, the window asks for the password
// and a code once, and every call waiting on it retries once after `session:stepup` succeeds.
// Invariants: at most one step-up dialog shows, however many calls wait on it; every waiting call
// is answered (true: retry, false: give up) when the dialog closes or the session ends; an
// emergency session, which has no password or code, is never asked.
import { create } from 'zustand';
import type { Channel } from '../../src-preload/contract';
import { useErrorStore } from '../shell/errorStore';
import { useSessionStore } from '../session/sessionStore';

interface StepUpState {
  /** The privileged channel that asked, while the dialog shows. */
  channel: Channel | null;
  ask: (channel: Channel) => Promise<boolean>;
  /** The dialog closed: `confirmed` after a successful `session:stepup`. */
  finish: (confirmed: boolean) => void;
}

let waiting: Array<(confirmed: boolean) => void> = [];

export const useStepUpStore = create<StepUpState>()((set, get) => ({
  channel: null,

  ask(channel) {
    const { phase, session } = useSessionStore.getState();
    if (phase !== 'unlocked') return Promise.resolve(false);
    if (session?.emergency) {
      useErrorStore.getState().showError(
        {
          code: 'stepup.required',
          message:
            'This action needs a password and an authenticator code, which an emergency session does not have: it waits for a named account.',
        },
        channel,
      );
      return Promise.resolve(false);
    }
    if (get().channel === null) set({ channel });
    return new Promise<boolean>((resolve) => {
      waiting.push(resolve);
    });
  },

  finish(confirmed) {
    const answered = waiting;
    waiting = [];
    set({ channel: null });
    for (const resolve of answered) resolve(confirmed);
  },
}));

/** What each privileged channel does, for the dialog's sentence. */
export const stepUpActions: Partial<Record<Channel, string>> = {
  'devices:export': 'export the inventory',
  'accounts:create': 'create an account',
  'accounts:role': 'change a role',
  'accounts:disable': 'disable an account',
  'accounts:delete': 'delete an account',
  'accounts:unlock': 'unlock an account',
  'breakglass:review': 'sign off an emergency session',
  'breakglass:rotate': 'generate an emergency credential',
  'settings:set': 'change the settings',
};
