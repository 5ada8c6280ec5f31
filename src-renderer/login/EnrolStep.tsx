// Setting up the authenticator app: the QR code of the otpauth URI, the secret as text for typing
// in by hand, and a code from the app to prove it works. Invariant: the secret lives only in this
// view; enrolment is complete only when main accepted a code made from it.
import { useState } from 'react';
import type { LoginStep, WardkeepError } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { loginFailureCodes, useLoginStep } from './useLoginStep';
import { FailureAlert } from '../shared/FailureAlert';
import { spacedGroups } from '../shared/SecretCode';
import { TextField } from '../shared/TextField';
import { QrCode } from './QrCode';

export function EnrolStep({
  username,
  secret,
  uri,
  onNext,
  onCancel,
  onExpired,
}: {
  username: string;
  secret: string;
  uri: string;
  onNext: (step: LoginStep) => void;
  onCancel: () => void;
  onExpired: (error: WardkeepError) => void;
}) {
  const [code, setCode] = useState('');
  const { busy, error, setError, send } = useLoginStep(onNext, onExpired);

  async function submit(): Promise<void> {
    if (busy) return;
    const trimmed = code.replace(/\s/g, '');
    if (trimmed.length < 6) {
      setError({ code: 'input.invalid', message: 'enter the 6-digit code the app shows now' });
      return;
    }
    await send(() => call('session:enrol', { code: trimmed }, loginFailureCodes));
    setCode('');
  }

  return (
    <form
      className="gate__card gate__card--wide"
      aria-labelledby="enrol-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="gate__brand">Wardkeep</p>
      <h1 id="enrol-title">Set up your authenticator</h1>
      <p className="gate__lead">
        Every sign-in of <strong>{username}</strong> needs a code from an authenticator app (for
        example on a work phone) as well as the password.
      </p>
      <div className="enrol">
        <QrCode text={uri} label={`QR code to add ${username} to an authenticator app`} />
        <ol className="enrol__steps">
          <li>Open the authenticator app and add an account.</li>
          <li>Scan this QR code, or type the key below instead.</li>
          <li>Enter the 6-digit code the app then shows.</li>
        </ol>
      </div>
      <p className="enrol__key-label" id="enrol-key-label">
        Key for typing in (time-based, 6 digits, every 30 s)
      </p>
      <output className="enrol__key" aria-labelledby="enrol-key-label" data-testid="totp-secret">
        {spacedGroups(secret)}
      </output>
      <TextField
        label="Code from the app"
        value={code}
        onValueChange={setCode}
        autoComplete="one-time-code"
        inputMode="numeric"
        spellCheck={false}
        className="field--code"
        autoFocus
        required
      />
      {error ? <FailureAlert error={error} testId="login-error" /> : null}
      <div className="gate__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Checking…' : 'Confirm code'}
        </button>
        <button type="button" className="button button--link" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
