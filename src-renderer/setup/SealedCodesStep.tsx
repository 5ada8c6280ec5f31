// Shows the console's recovery code and its emergency credential once, with how to seal them,
// and asks the user to confirm they have. Invariant: the next step cannot be reached from here
// until the confirmation box is ticked; neither secret can be displayed again afterwards.
import { useState } from 'react';
import { SecretCode } from '../shared/SecretCode';

export function SealedCodesStep({
  recoveryCode,
  emergencyCredential,
  onStored,
}: {
  recoveryCode: string;
  emergencyCredential: string;
  onStored: () => void;
}) {
  const [stored, setStored] = useState(false);
  return (
    <form
      className="gate__card gate__card--wide recovery"
      aria-labelledby="sealed-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (stored) onStored();
      }}
    >
      <p className="gate__brand">Wardkeep</p>
      <h1 id="sealed-title">Recovery code and emergency credential</h1>
      <p className="gate__lead">
        Two secrets for bad days. <strong>They are shown only this once</strong> and cannot be
        displayed again.
      </p>
      <h2 className="recovery__heading">Recovery code</h2>
      <p className="recovery__purpose">
        Opens the console if every administrator password is lost (Use recovery code on the sign-in
        screen).
      </p>
      <SecretCode value={recoveryCode} label="Recovery code" testId="recovery-code" />
      <h2 className="recovery__heading">Emergency credential</h2>
      <p className="recovery__purpose">
        Opens a time-limited emergency session with engineer rights when no account can sign in
        during a clinical emergency. Every use is recorded and reviewed by an administrator.
      </p>
      <SecretCode
        value={emergencyCredential}
        label="Emergency credential"
        testId="emergency-credential"
      />
      <ol className="recovery__steps">
        <li>Print this page, or copy each code by hand onto its own sheet of paper.</li>
        <li>Seal each in an envelope, sign across the seal, and date it.</li>
        <li>
          Store the envelopes where your emergency procedures say (for example the department safe);
          the emergency credential where the night shift can reach it.
        </li>
        <li>Do not keep either code on this computer, in e-mail, or in a photo.</li>
      </ol>
      <div className="recovery__controls">
        <button type="button" className="button" onClick={() => window.print()}>
          Print…
        </button>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={stored}
          onChange={(event) => setStored(event.target.checked)}
        />
        I have stored both codes
      </label>
      <div className="gate__actions">
        <button type="submit" className="button button--primary" disabled={!stored}>
          Continue to authenticator set-up
        </button>
      </div>
    </form>
  );
}
