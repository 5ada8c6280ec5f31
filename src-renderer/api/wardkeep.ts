// The renderer's one door to main: typed calls and event subscriptions over `window.wardkeep`.
// Invariants: every call resolves to a Result, never throws; a `session.required` failure always
// sends the user back to the sign-in view; a `stepup.required` failure asks for the password and
// code once and retries the call once; any failure the caller did not expect reaches the error
// banner, except a step-up the user cancelled.
import type {
  Channel,
  ErrorCode,
  EventName,
  EventPayload,
  RequestOf,
  Result,
  ResultOf,
  WardkeepApi,
  WardkeepError,
} from '../../src-preload/contract';
import { contract } from '../../src-preload/contract';

declare global {
  interface Window {
    /** Set by the preload (or the browser-test transport); absent in a plain browser tab. */
    readonly wardkeep?: WardkeepApi;
  }
}

type ChannelMethod<C extends Channel> = (request: RequestOf<C>) => Promise<Result<ResultOf<C>>>;

export interface FailureHandlers {
  /** The session is gone (locked, expired, or never started): return to the sign-in view. */
  onSessionRequired: (error: WardkeepError) => void;
  /** A failure no caller planned for: show it. */
  onUnexpected: (error: WardkeepError, channel: Channel) => void;
  /**
   * A privileged channel needs a fresh password + code: resolves true once the user confirmed
   * them (`session:stepup` succeeded), false when they cancelled or cannot step up.
   */
  onStepUpRequired: (channel: Channel) => Promise<boolean>;
  /** A call that needed a session came back: the session's idle timer moved. */
  onSessionCall: (channel: Channel) => void;
}

let handlers: FailureHandlers | null = null;

/** Installs where failures go; called once at start-up, before the first call. */
export function setFailureHandlers(next: FailureHandlers): void {
  handlers = next;
}

export function bridgeAvailable(): boolean {
  return typeof window !== 'undefined' && window.wardkeep !== undefined;
}

const missingBridge: WardkeepError = {
  code: 'internal',
  message: 'The Wardkeep bridge is missing: this page must be opened by the Wardkeep application.',
};

async function invoke<C extends Channel>(
  channel: C,
  request: RequestOf<C>,
): Promise<Result<ResultOf<C>>> {
  const api = window.wardkeep;
  if (api === undefined) return { ok: false, error: missingBridge };
  try {
    // Indexing the api with a generic channel loses the per-channel pairing TypeScript knows
    // for each literal channel; the mapped type in the contract guarantees it.
    const method = api[channel] as ChannelMethod<C>;
    return await method(request);
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return {
      ok: false,
      error: { code: 'internal', message: `The call to ${channel} failed: ${message}` },
    };
  }
}

/**
 * Calls one channel. `expected` lists the failure codes the caller shows itself (inline, next to
 * the form); every other failure is also reported to the error banner.
 */
export async function call<C extends Channel>(
  channel: C,
  request: RequestOf<C>,
  expected: readonly ErrorCode[] = [],
): Promise<Result<ResultOf<C>>> {
  let result = await invoke(channel, request);
  if (!result.ok && result.error.code === 'stepup.required' && handlers !== null) {
    const confirmed = await handlers.onStepUpRequired(channel);
    // Cancelled: the caller gets the original refusal, and the user needs no banner for it.
    if (!confirmed) return result;
    result = await invoke(channel, request);
  }
  if (contract[channel].permission !== 'public' && handlers !== null) {
    handlers.onSessionCall(channel);
  }
  if (!result.ok) routeFailure(result.error, channel, expected);
  return result;
}

function routeFailure(
  error: WardkeepError,
  channel: Channel,
  expected: readonly ErrorCode[],
): void {
  if (handlers === null) return;
  if (error.code === 'session.required') {
    handlers.onSessionRequired(error);
    return;
  }
  if (!expected.includes(error.code)) handlers.onUnexpected(error, channel);
}

/** Listens to one event from main; returns the unsubscribe. A no-op without the bridge. */
export function subscribe<E extends EventName>(
  event: E,
  listener: (payload: EventPayload<E>) => void,
): () => void {
  const api = window.wardkeep;
  if (api === undefined) return () => undefined;
  return api.on(event, listener);
}
