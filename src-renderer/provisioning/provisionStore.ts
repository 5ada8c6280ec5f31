// The bedside wizard's state: the ports to choose from, the session running on one of them (its
// steps folded from `provision:event`), the history of attempts and the PKI's readiness.
// Invariants: only events of this window's current session change the wizard; events that arrive
// while `provision:start` is still answering are held and replayed once its session id is known;
// a new session starts only when none is running; releasing a quarantined device is asked for one
// session at a time (the choice is cleared when the next device is taken); the end of the sign-in
// session forgets it all.
import { create } from 'zustand';
import type { EventPayload, ResultOf, WardkeepError } from '../../src-preload/contract';
import { call, subscribe } from '../api/wardkeep';
import { onSessionEnd } from '../session/sessionStore';
import type { PkiOverview, SerialPortInfo } from './setup';
import type { WizardState } from './wizard';
import { initialWizard, reduceWizard } from './wizard';

export type AttemptRecord = ResultOf<'provision:attempts'>[number];
type EventMessage = EventPayload<'provision:event'>;

export type WizardPhase =
  /** Choosing a port. */
  | 'idle'
  /** `provision:start` sent, no session id yet. */
  | 'starting'
  | 'running'
  | 'finished';

interface ProvisionState {
  ports: SerialPortInfo[] | null;
  portsLoading: boolean;
  pickedPort: string | null;
  typedPort: string;
  /** "Release from quarantine" is ticked for the next start. */
  releaseQuarantine: boolean;
  phase: WizardPhase;
  sessionId: string | null;
  /** The port of the current or last session. */
  portPath: string | null;
  /** The current or last session was started with the release from quarantine. */
  releasing: boolean;
  wizard: WizardState;
  /** Why the session could not start (the port could not be opened, …). */
  startError: WardkeepError | null;
  /** A zone was sent; the question stays answered until main moves on. */
  placementSent: boolean;
  cancelling: boolean;
  history: AttemptRecord[] | null;
  overview: PkiOverview | null;

  loadPorts: () => Promise<void>;
  pickPort: (path: string | null) => void;
  typePort: (path: string) => void;
  setReleaseQuarantine: (release: boolean) => void;
  start: (portPath: string) => Promise<void>;
  chooseZone: (zoneId: string, vlan: number | undefined) => Promise<void>;
  cancel: () => Promise<void>;
  /** Back to the port choice after an outcome. */
  again: () => void;
  receive: (message: EventMessage) => void;
  loadHistory: () => Promise<void>;
  loadOverview: () => Promise<void>;
  reset: () => void;
}

/** Events that arrived while `provision:start` had not answered yet. */
let held: EventMessage[] = [];
let wired = false;

/** Listens to main once, on first use: a session keeps running while another view shows. */
function wire(): void {
  if (wired) return;
  wired = true;
  subscribe('provision:event', (message) => useProvisionStore.getState().receive(message));
  onSessionEnd(() => useProvisionStore.getState().reset());
}

const idleState = {
  phase: 'idle' as WizardPhase,
  sessionId: null,
  portPath: null,
  releasing: false,
  wizard: initialWizard(),
  startError: null,
  placementSent: false,
  cancelling: false,
};

/** Nothing chosen, loaded or running: the first state, and the state after the session ends. */
function emptyState() {
  return {
    ports: null,
    portsLoading: false,
    pickedPort: null,
    typedPort: '',
    releaseQuarantine: false,
    history: null,
    overview: null,
    ...idleState,
    wizard: initialWizard(),
  };
}

export const useProvisionStore = create<ProvisionState>()((set, get) => ({
  ...emptyState(),

  async loadPorts() {
    wire();
    set({ portsLoading: true });
    const result = await call('provision:ports', {});
    set({ portsLoading: false });
    if (!result.ok) return;
    const ports = result.value;
    const picked = get().pickedPort;
    set({
      ports,
      // Keep the pick while its port is still there; otherwise the only port, if just one.
      pickedPort:
        picked !== null && ports.some((port) => port.path === picked)
          ? picked
          : ports.length === 1
            ? ports[0]!.path
            : null,
    });
  },

  pickPort(path) {
    set({ pickedPort: path });
  },

  typePort(path) {
    set({ typedPort: path });
  },

  setReleaseQuarantine(release) {
    set({ releaseQuarantine: release });
  },

  async start(portPath) {
    wire();
    const { phase } = get();
    if (phase === 'starting' || phase === 'running') return;
    held = [];
    const releasing = get().releaseQuarantine;
    set({ ...idleState, wizard: initialWizard(), phase: 'starting', portPath, releasing });
    const request = releasing ? { portPath, releaseQuarantine: true } : { portPath };
    const result = await call('provision:start', request, [
      'provision.port',
      'input.invalid',
      'pki.not_initialised',
      'ipc.payload',
    ]);
    if (get().phase !== 'starting') return;
    if (!result.ok) {
      held = [];
      set({ phase: 'idle', startError: result.error });
      return;
    }
    const sessionId = result.value.sessionId;
    const early = held.filter((message) => message.sessionId === sessionId);
    held = [];
    let wizard = get().wizard;
    for (const message of early) wizard = reduceWizard(wizard, message.event);
    set({
      sessionId,
      wizard,
      phase: wizard.outcome === null ? 'running' : 'finished',
    });
    if (wizard.outcome !== null) void get().loadHistory();
  },

  async chooseZone(zoneId, vlan) {
    const { sessionId, placementSent } = get();
    if (sessionId === null || placementSent) return;
    set({ placementSent: true });
    const result = await call(
      'provision:choose-zone',
      { sessionId, zoneId, ...(vlan === undefined ? {} : { vlan }) },
      ['not_found', 'input.invalid', 'network.invalid'],
    );
    // Refused (the session ended meanwhile, or the zone is gone): the question is open again.
    if (!result.ok && get().sessionId === sessionId) set({ placementSent: false });
  },

  async cancel() {
    const { sessionId, phase, cancelling } = get();
    if (sessionId === null || phase !== 'running' || cancelling) return;
    set({ cancelling: true });
    // not_found: the session ended on its own meanwhile; its `finished` event says how.
    await call('provision:cancel', { sessionId }, ['not_found']);
    if (get().sessionId === sessionId) set({ cancelling: false });
  },

  again() {
    if (get().phase === 'starting' || get().phase === 'running') return;
    set({ ...idleState, wizard: initialWizard(), releaseQuarantine: false });
  },

  receive(message) {
    const { phase, sessionId } = get();
    if (phase === 'starting') {
      held.push(message);
      return;
    }
    if (phase !== 'running' || message.sessionId !== sessionId) return;
    const previous = get().wizard;
    const wizard = reduceWizard(previous, message.event);
    const finished = wizard.outcome !== null;
    set({
      wizard,
      phase: finished ? 'finished' : 'running',
      // A new question (or none) after the answer was taken.
      placementSent:
        message.event.kind === 'placement.needed' ? false : get().placementSent && !finished,
      cancelling: finished ? false : get().cancelling,
    });
    if (finished) void get().loadHistory();
  },

  async loadHistory() {
    const result = await call('provision:attempts', { limit: 50 });
    if (result.ok) set({ history: result.value });
  },

  async loadOverview() {
    const result = await call('pki:overview', {});
    if (result.ok) set({ overview: result.value });
  },

  reset() {
    held = [];
    set(emptyState());
  },
}));
