// The renderer's entry: wires failures, step-ups and events from main to the stores, asks for the
// session status, and mounts the React tree. Invariant: the handlers are installed before the
// first call, so no failure or event can arrive before someone listens.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { bridgeAvailable, setFailureHandlers, subscribe } from './api/wardkeep';
import { useImportStore } from './import/importStore';
import { useIssuedCredentialStore } from './emergencies/RotateCredential';
import { useInventoryStore } from './inventory/inventoryStore';
import { onSessionEnd, useSessionStore } from './session/sessionStore';
import { App } from './shell/App';
import { useErrorStore } from './shell/errorStore';
import { useNavigationStore } from './shell/navigationStore';
import { useStepUpStore } from './stepup/stepUpStore';
import './styles.css';

function start(): void {
  setFailureHandlers({
    onSessionRequired: () => useSessionStore.getState().ended('required'),
    onUnexpected: (error, channel) => useErrorStore.getState().showError(error, channel),
    onStepUpRequired: (channel) => useStepUpStore.getState().ask(channel),
    onSessionCall: () => void useSessionStore.getState().refreshStatus(true),
  });
  onSessionEnd(() => {
    useStepUpStore.getState().finish(false);
    useInventoryStore.getState().reset();
    useImportStore.getState().reset();
    useNavigationStore.getState().reset();
    useIssuedCredentialStore.getState().close();
  });
  if (bridgeAvailable()) {
    subscribe('session:ended', (payload) => useSessionStore.getState().ended(payload.reason));
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
