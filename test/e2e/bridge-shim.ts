// Browser-test only: `window.wardkeep` over the loopback test transport instead of Electron IPC.
// Bundled with the real bridge (src-preload/bridge.ts) into one script that Playwright injects
// before the page's own scripts. Calls are `POST /ipc/<channel>`; events arrive as Server-Sent
// Events on `GET /events`, read with fetch so the token travels in a header, never in a URL.
// Invariant: no call is sent before the event stream is open, so no event of a call can be lost.
import { createBridge } from '../../src-preload/bridge';
import type { EventName, Result } from '../../src-preload/contract';

// Replaced at bundle time by the test server's values.
declare const wardkeepTestToken: string;
declare const wardkeepTestOrigin: string;

type Listener = (payload: unknown) => void;

function installTestBridge(token: string, origin: string): void {
  const clientId = crypto.randomUUID();
  const headers = { 'x-wardkeep-token': token, 'x-wardkeep-client': clientId };
  const listeners = new Map<EventName, Set<Listener>>();

  function deliver(block: string): void {
    let event = '';
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice('event: '.length);
      else if (line.startsWith('data: ')) data += line.slice('data: '.length);
    }
    if (event === '') return;
    const payload: unknown = JSON.parse(data);
    for (const listener of listeners.get(event as EventName) ?? []) listener(payload);
  }

  async function readStream(body: ReadableStream<Uint8Array>, opened: () => void): Promise<void> {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        // The server's first block is a comment: it is subscribed, calls may start.
        if (block.startsWith(':')) opened();
        else deliver(block);
        end = buffer.indexOf('\n\n');
      }
    }
  }

  const streamOpen = new Promise<void>((resolve, reject) => {
    fetch(`${origin}/events`, { headers })
      .then((response) => {
        if (!response.ok || response.body === null)
          throw new Error(`event stream refused: HTTP ${response.status}`);
        return readStream(response.body, resolve);
      })
      .catch(reject);
  });

  const api = createBridge({
    async invoke(channel, request): Promise<Result<unknown>> {
      await streamOpen;
      const response = await fetch(`${origin}/ipc/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      if (!response.ok) {
        return {
          ok: false,
          error: { code: 'internal', message: `test transport: HTTP ${response.status}` },
        };
      }
      return (await response.json()) as Result<unknown>;
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  });

  Object.defineProperty(globalThis, 'wardkeep', {
    value: api,
    enumerable: true,
    writable: false,
    configurable: false,
  });
}

// Init scripts run in every document, about:blank included: only the app's origin gets a bridge.
// (This file is typechecked with Node's types, which have no `location`.)
const pageOrigin = (globalThis as { location?: { origin: string } }).location?.origin;
if (pageOrigin === wardkeepTestOrigin) installTestBridge(wardkeepTestToken, wardkeepTestOrigin);
