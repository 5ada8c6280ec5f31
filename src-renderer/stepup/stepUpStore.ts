// The one step-up mechanism: when main answers `stepup.required`, the window asks for the password
// and a code once, and every call waiting on it retries once after `session:stepup` succeeds.
// Invariants: at most one step-up dialog shows, however many calls wait on it; every waiting call
// is answered (true: retry, false: give up) when the dialog closes or the session ends; an
// emergency session, which has no password or code, is never asked.
import { create } from 'zustand';
import type { Channel, Contract } from '../../src-preload/contract';
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

/** The channels whose contract entry asks for a step-up. */
export type StepUpChannel = {
  [C in Channel]: Contract[C] extends { stepUp: true } ? C : never;
}[Channel];

/** What each privileged channel does, for the dialog's sentence; one missing does not compile. */
export const stepUpActions: Readonly<Record<StepUpChannel, string>> = {
  'devices:export': 'export the inventory',
  'accounts:create': 'create an account',
  'accounts:role': 'change a role',
  'accounts:disable': 'disable an account',
  'accounts:delete': 'delete an account',
  'accounts:unlock': 'unlock an account',
  'audit:export': 'export the audit log',
  'breakglass:review': 'sign off an emergency session',
  'breakglass:rotate': 'generate an emergency credential',
  'settings:set': 'change the settings',
  'network:import-zones': 'replace the zones and conduits',
  'network:apply': 'change the network policy',
  'network:revert': 'revert the network policy',
  'network:assign': "change a device's zone",
  'provision:exception-create': 'document a legacy-device exception',
  'provision:exception-revoke': 'revoke a legacy-device exception',
  'pki:create-authority': 'create the certificate authority',
  'pki:import-authority': 'import the certificate authority',
  'pki:revoke': 'revoke a certificate',
  'pki:issue': 'issue a certificate by hand',
  'trust:import': 'trust new manufacturers',
  'trust:remove': 'stop trusting a manufacturer',
  'baseline:publisher': 'change the firmware baseline key',
};

export function stepUpAction(channel: Channel): string {
  return (stepUpActions as Partial<Record<Channel, string>>)[channel] ?? channel;
}
