// The account's single-use recovery codes, shown once right after enrolment, to print and keep.
// Invariant: the console opens only after the user confirms they stored them; the codes are
// dropped from the window with this view.
import { useState } from 'react';

export function MfaRecoveryCodesStep({
  codes,
  onStored,
}: {
  codes: readonly string[];
  onStored: () => void;
}) {
  const [stored, setStored] = useState(false);
  return (
    <form
      className="gate__card gate__card--wide recovery"
      aria-labelledby="mfa-codes-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (stored) onStored();
      }}
    >
      <p className="gate__brand">Wardkeep</p>
      <h1 id="mfa-codes-title">Your recovery codes</h1>
      <p className="gate__lead">
        Each code signs you in <strong>once</strong> in place of the authenticator code, if the
        phone is lost or broken. <strong>They are shown only this once.</strong>
      </p>
      <ol className="code-list" aria-label="Recovery codes" data-testid="mfa-recovery-codes">
        {codes.map((code) => (
          <li key={code} className="code-list__item">
            {code}
          </li>
        ))}
      </ol>
      <ul className="recovery__steps">
        <li>Print them or write them down, and keep them where you keep your badge.</li>
        <li>Cross out each code after you use it. Ask an administrator when few are left.</li>
      </ul>
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
        I have stored my recovery codes
      </label>
      <div className="gate__actions">
        <button type="submit" className="button button--primary" disabled={!stored}>
          Continue to the console
        </button>
      </div>
    </form>
  );
}
