// The first sign-in of an account an administrator made: the user replaces the issued password
// with one only they know, before anything else.
import { useState } from 'react';
import type { LoginStep, WardkeepError } from '../../src-preload/contract';
import { Alert } from '../shared/Alert';
import { FailureAlert } from '../shared/FailureAlert';
import { PasswordRules } from '../shared/PasswordRules';
import { TextField } from '../shared/TextField';
import { checkNewPassword, newPasswordAcceptable } from '../session/credentialRules';
import { call } from '../api/wardkeep';
import { loginFailureCodes, useLoginStep } from './useLoginStep';

export function ChoosePasswordStep({
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
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const { busy, error, send } = useLoginStep(onNext, onExpired);
  const checks = checkNewPassword(password, repeated);

  async function submit(): Promise<void> {
    setSubmitted(true);
    if (busy || !newPasswordAcceptable(checks)) return;
    // The typed passwords are forgotten once main has taken them.
    if (await send(() => call('session:password', { newPassword: password }, loginFailureCodes))) {
      setPassword('');
      setRepeated('');
    }
  }

  return (
    <form
      className="gate__card"
      aria-labelledby="choose-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="gate__brand">Wardkeep</p>
      <h1 id="choose-title">Choose your password</h1>
      <p className="gate__lead">
        An administrator issued the password you used. Choose your own for{' '}
        <strong>{username}</strong>; nobody else will know it.
      </p>
      <TextField
        label="New password"
        type="password"
        value={password}
        onValueChange={setPassword}
        autoComplete="new-password"
        autoFocus
        required
        aria-describedby="choose-rules"
      />
      <TextField
        label="Repeat new password"
        type="password"
        value={repeated}
        onValueChange={setRepeated}
        autoComplete="new-password"
        required
      />
      <PasswordRules checks={checks} id="choose-rules" />
      {error ? <FailureAlert error={error} testId="login-error" /> : null}
      {submitted && !newPasswordAcceptable(checks) && !error ? (
        <Alert tone="error">The new password does not meet the rules above yet.</Alert>
      ) : null}
      <div className="gate__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save password'}
        </button>
        <button type="button" className="button button--link" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
