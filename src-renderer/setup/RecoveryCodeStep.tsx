// Shows the recovery code once, with how to keep it, and asks the user to confirm they have.
// Invariant: the console cannot be entered from here until the confirmation box is ticked.
import { useState } from 'react';

export function RecoveryCodeStep({
  recoveryCode,
  onStored,
}: {
  recoveryCode: string;
  onStored: () => void;
}) {
  const [stored, setStored] = useState(false);
  return (
    <main className="gate">
      <form
        className="gate__card gate__card--wide recovery"
        aria-labelledby="recovery-title"
        onSubmit={(event) => {
          event.preventDefault();
          if (stored) onStored();
        }}
      >
        <p className="gate__brand">Wardkeep</p>
        <h1 id="recovery-title">Recovery code</h1>
        <p className="gate__lead">
          This code opens the console if every administrator password is lost.{' '}
          <strong>It is shown only this once</strong> and cannot be displayed again.
        </p>
        <output className="recovery__code" aria-label="Recovery code" data-testid="recovery-code">
          {codeLines(recoveryCode).map((line) => (
            <span key={line} className="recovery__code-line">
              {line}
            </span>
          ))}
        </output>
        <ol className="recovery__steps">
          <li>Print this page, or copy the code by hand onto paper.</li>
          <li>Seal it in an envelope, sign across the seal, and date it.</li>
          <li>
            Store the envelope where your emergency procedures say (for example the department
            safe).
          </li>
          <li>Do not keep the code on this computer, in e-mail, or in a photo.</li>
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
          I have stored the recovery code
        </label>
        <div className="gate__actions">
          <button type="submit" className="button button--primary" disabled={!stored}>
            Continue to the console
          </button>
        </div>
      </form>
    </main>
  );
}

/**
 * The code in lines of four groups, easier to copy by hand than one wrapped at random. The dash
 * between lines stays at the end of the first, so the text read or copied is the exact code.
 */
function codeLines(code: string): string[] {
  const groups = code.split('-');
  const lines: string[] = [];
  for (let start = 0; start < groups.length; start += 4) {
    const last = start + 4 >= groups.length;
    lines.push(groups.slice(start, start + 4).join('-') + (last ? '' : '-'));
  }
  return lines;
}
