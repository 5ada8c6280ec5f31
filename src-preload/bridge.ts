// Builds the frozen `window.wardkeep` object from the contract, over any transport: Electron's
// ipcRenderer in the preload, or the loopback test transport in browser tests. Only channels and
// events named in the contract exist on it; anything else is refused before it leaves the page.
import { channels, eventNames } from './contract';
import type { Channel, EventName, Result, WardkeepApi } from './contract';

export interface Transport {
  invoke(channel: Channel, request: unknown): Promise<Result<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

export function createBridge(transport: Transport): WardkeepApi {
  const api: Record<string, unknown> = {};
  for (const channel of channels) {
    api[channel] = (request: unknown) => transport.invoke(channel, request ?? {});
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!eventNames.includes(event)) throw new Error(`unknown event ${String(event)}`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    return transport.subscribe(event, listener);
  };
  return Object.freeze(api) as unknown as WardkeepApi;
}
