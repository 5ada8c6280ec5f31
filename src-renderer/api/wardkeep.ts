// The renderer's one door to main: typed calls and event subscriptions over `window.wardkeep`.
// Invariant: every call resolves to a Result, never throws; a `session.required` failure always
// sends the user back to the unlock view, and any failure the caller did not expect always
// reaches the error banner.
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

declare global {
  interface Window {
    /** Set by the preload (or the browser-test transport); absent in a plain browser tab. */
    readonly wardkeep?: WardkeepApi;
  }
}

type ChannelMethod<C extends Channel> = (request: RequestOf<C>) => Promise<Result<ResultOf<C>>>;

export interface FailureHandlers {
  /** The session is gone (locked, expired, or never started): return to the unlock view. */
  onSessionRequired: (error: WardkeepError) => void;
  /** A failure no caller planned for: show it. */
  onUnexpected: (error: WardkeepError, channel: Channel) => void;
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

/**
 * Calls one channel. `expected` lists the failure codes the caller shows itself (inline, next to
 * the form); every other failure is also reported to the error banner.
 */
export async function call<C extends Channel>(
  channel: C,
  request: RequestOf<C>,
  expected: readonly ErrorCode[] = [],
): Promise<Result<ResultOf<C>>> {
  let result: Result<ResultOf<C>>;
  const api = window.wardkeep;
  if (api === undefined) {
    result = { ok: false, error: missingBridge };
  } else {
    try {
      // Indexing the api with a generic channel loses the per-channel pairing TypeScript knows
      // for each literal channel; the mapped type in the contract guarantees it.
      const method = api[channel] as ChannelMethod<C>;
      result = await method(request);
    } catch (thrown) {
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      result = {
        ok: false,
        error: { code: 'internal', message: `The call to ${channel} failed: ${message}` },
      };
    }
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
