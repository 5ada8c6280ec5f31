// The second factor at sign-in: the current code from the authenticator app, or one of the
// account's single-use recovery codes when the phone is not at hand.
import { useState } from 'react';
import type { LoginStep, WardkeepError } from '../../src-preload/contract';
import { FailureAlert } from '../shared/FailureAlert';
import { TextField } from '../shared/TextField';
import { call } from '../api/wardkeep';
import { loginFailureCodes, useLoginStep } from './useLoginStep';

export function CodeStep({
  username,
  onNext,
  onCancel,
  onExpired,
}: {
  username: string;
  onNext: (step: LoginStep) => void;
  onCancel: () => void;
  onExpired: (error: WardkeepError) => void;
}) {
  const [code, setCode] = useState('');
  const { busy, error, setError, send } = useLoginStep(onNext, onExpired);

  async function submit(): Promise<void> {
    if (busy) return;
    const trimmed = code.trim();
    if (trimmed.length < 6) {
      setError({
        code: 'input.invalid',
        message: 'enter the 6-digit code from the app, or a recovery code',
      });
      return;
    }
    await send(() => call('session:mfa', { code: trimmed }, loginFailureCodes));
    setCode('');
  }

  return (
    <form
      className="gate__card"
      aria-labelledby="code-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="gate__brand">Wardkeep</p>
      <h1 id="code-title">Authenticator code</h1>
      <p className="gate__lead">
        Enter the code your authenticator app shows for <strong>{username}</strong>. Without the
        phone, enter one of your printed recovery codes instead (each works once).
      </p>
      <TextField
        label="Code or recovery code"
        value={code}
        onValueChange={setCode}
        autoComplete="one-time-code"
        autoCapitalize="characters"
        spellCheck={false}
        className="field--code"
        autoFocus
        required
      />
      {error ? <FailureAlert error={error} testId="login-error" /> : null}
      <div className="gate__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <button type="button" className="button button--link" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
