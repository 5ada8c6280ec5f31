// The sandboxed preload: exposes exactly one frozen object, `window.wardkeep`, built from the
// contract. The renderer never sees ipcRenderer, and can reach no channel the contract lacks.
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { createBridge } from './bridge';
import type { Result } from './contract';

const api = createBridge({
  invoke: (channel, request) => ipcRenderer.invoke(channel, request) as Promise<Result<unknown>>,
  subscribe: (event, listener) => {
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
});

contextBridge.exposeInMainWorld('wardkeep', api);
