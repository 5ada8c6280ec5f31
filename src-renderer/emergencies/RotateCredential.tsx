// Generating a new sealed emergency credential (administrators, with a step-up): the credential is
// shown once, to print and seal, and replaces any earlier one.
// Invariants: the credential lives only in one store slot and goes when its dialog closes, which
// it does only after the administrator confirms it was sealed (or the session ends); the dialog
// is rendered by the shell, so it outlives the banner whose button asked for it.
import { useState } from 'react';
import { create } from 'zustand';
import { call } from '../api/wardkeep';
import { Dialog } from '../shared/Dialog';
import { SecretCode } from '../shared/SecretCode';

interface IssuedCredentialState {
  credential: string | null;
  show: (credential: string) => void;
  close: () => void;
}

export const useIssuedCredentialStore = create<IssuedCredentialState>()((set) => ({
  credential: null,
  show: (credential) => set({ credential }),
  close: () => set({ credential: null }),
}));

export function RotateCredentialButton({
  label,
  className = 'button',
}: {
  label: string;
  className?: string;
}) {
  const [busy, setBusy] = useState(false);
  const show = useIssuedCredentialStore((state) => state.show);

  async function rotate(): Promise<void> {
    if (busy) return;
    setBusy(true);
    const result = await call('breakglass:rotate', {});
    setBusy(false);
    if (result.ok) show(result.value.credential);
  }

  return (
    <button type="button" className={className} disabled={busy} onClick={() => void rotate()}>
      {busy ? 'Generating…' : label}
    </button>
  );
}

/** The new credential, once; mounted by the shell while the console shows. */
export function IssuedCredentialDialog() {
  const credential = useIssuedCredentialStore((state) => state.credential);
  const close = useIssuedCredentialStore((state) => state.close);
  if (credential === null) return null;
  return <CredentialDialog credential={credential} onClose={close} />;
}

function CredentialDialog({ credential, onClose }: { credential: string; onClose: () => void }) {
  const [sealed, setSealed] = useState(false);
  return (
    <Dialog
      title="New emergency credential"
      onClose={() => {
        if (sealed) onClose();
      }}
      testId="credential-dialog"
    >
      <div className="recovery">
        <p className="modal__lead">
          <strong>Shown only this once.</strong> Any earlier emergency credential no longer works.
        </p>
        <SecretCode
          value={credential}
          label="New emergency credential"
          testId="new-emergency-credential"
        />
        <ol className="recovery__steps">
          <li>
            Print it or copy it by hand, seal it in an envelope, sign across the seal, date it.
          </li>
          <li>Put it where the night shift can reach it in an emergency; destroy the old one.</li>
        </ol>
        <div className="recovery__controls">
          <button type="button" className="button" onClick={() => window.print()}>
            Print…
          </button>
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={sealed}
            onChange={(event) => setSealed(event.target.checked)}
          />
          I have sealed the new credential
        </label>
        <div className="dialog-actions">
          <button
            type="button"
            className="button button--primary"
            disabled={!sealed}
            onClick={onClose}
          >
            Done
          </button>
        </div>
      </div>
    </Dialog>
  );
}
