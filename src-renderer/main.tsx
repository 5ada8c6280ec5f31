// The renderer's entry: wires failures and events from main to the stores, asks for the session
// status, and mounts the React tree. Invariant: the handlers are installed before the first call,
// so no failure or event can arrive before someone listens.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { bridgeAvailable, setFailureHandlers, subscribe } from './api/wardkeep';
import { useImportStore } from './import/importStore';
import { useInventoryStore } from './inventory/inventoryStore';
import { onSessionEnd, sessionEndNotice, useSessionStore } from './session/sessionStore';
import { App } from './shell/App';
import { useErrorStore } from './shell/errorStore';
import './styles.css';

function start(): void {
  setFailureHandlers({
    onSessionRequired: () => useSessionStore.getState().ended(sessionEndNotice('required')),
    onUnexpected: (error, channel) => useErrorStore.getState().showError(error, channel),
  });
  onSessionEnd(() => {
    useInventoryStore.getState().reset();
    useImportStore.getState().reset();
  });
  if (bridgeAvailable()) {
    subscribe('session:ended', (payload) =>
      useSessionStore.getState().ended(sessionEndNotice(payload.reason)),
    );
    subscribe('imports:progress', (payload) => useImportStore.getState().onProgress(payload));
  }

  const container = document.getElementById('root');
  if (container === null) throw new Error('index.html has no #root element');
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  void useSessionStore.getState().loadStatus();
}

start();
