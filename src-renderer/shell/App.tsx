// The window's root: the error banner, the access banners, whichever view the session phase calls
// for, the step-up dialog and the one-time display of a new emergency credential.
// Invariant: the console and those dialogs render only in the `unlocked` phase.
import type { ReactNode } from 'react';
import { IssuedCredentialDialog } from '../emergencies/RotateCredential';
import { useSessionStore } from '../session/sessionStore';
import type { SessionPhase } from '../session/sessionStore';
import { SetupView } from '../setup/SetupView';
import { StepUpDialog } from '../stepup/StepUpDialog';
import { UnlockView } from '../unlock/UnlockView';
import { AccessBanners } from './AccessBanners';
import { ConsoleShell } from './ConsoleShell';
import { ErrorBanner } from './ErrorBanner';

export function App() {
  const phase = useSessionStore((state) => state.phase);
  return (
    <div className="app">
      <ErrorBanner />
      <AccessBanners />
      {viewFor(phase)}
      {phase === 'unlocked' ? (
        <>
          <IssuedCredentialDialog />
          <StepUpDialog />
        </>
      ) : null}
    </div>
  );
}

function viewFor(phase: SessionPhase): ReactNode {
  switch (phase) {
    case 'starting':
      return <p className="app__starting">Opening Wardkeep…</p>;
    case 'setup':
      return <SetupView />;
    case 'locked':
      return <UnlockView />;
    case 'unlocked':
      return <ConsoleShell />;
    case 'unavailable':
      return (
        <main className="gate">
          <div className="gate__card">
            <p className="gate__brand">Wardkeep</p>
            <h1>The console cannot start</h1>
            <p className="gate__lead">
              The window could not reach the Wardkeep service. Close the window and open Wardkeep
              again; if it keeps happening, report the message shown above to your administrator.
            </p>
          </div>
        </main>
      );
  }
}
