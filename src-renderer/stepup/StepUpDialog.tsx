// The step-up dialog: password and authenticator code again before a privileged action, then the
// action runs. Invariant: Cancel or Esc answers every waiting call with "no", so none hangs.
import { useRef, useState } from 'react';
import type { WardkeepError } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { Dialog } from '../shared/Dialog';
import { FailureAlert } from '../shared/FailureAlert';
import { TextField } from '../shared/TextField';
import { useSessionStore } from '../session/sessionStore';
import { stepUpAction, useStepUpStore } from './stepUpStore';

export function StepUpDialog() {
  const channel = useStepUpStore((state) => state.channel);
  if (channel === null) return null;
  return <StepUpForm action={stepUpAction(channel)} />;
}

function StepUpForm({ action }: { action: string }) {
  const finish = useStepUpStore((state) => state.finish);
  const username = useSessionStore((state) => state.user?.username ?? '');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WardkeepError | null>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function submit(): Promise<void> {
    if (busy) return;
    if (password === '' || code.trim() === '') {
      setError({ code: 'input.invalid', message: 'enter your password and the current code' });
      (password === '' ? passwordRef : codeRef).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const result = await call('session:stepup', { password, code: code.trim() }, [
      'auth.invalid',
      'auth.mfa_invalid',
      'auth.locked',
      'ipc.payload',
      'permission.denied',
    ]);
    setBusy(false);
    if (result.ok) {
      finish(true);
      return;
    }
    setCode('');
    if (result.error.code === 'auth.invalid') setPassword('');
    setError(result.error);
    (result.error.code === 'auth.invalid' ? passwordRef : codeRef).current?.focus();
  }

  return (
    <Dialog title="Confirm it is you" onClose={() => finish(false)} testId="stepup-dialog">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <p className="modal__lead">
          To {action}, enter the password of <strong>{username}</strong> and the current code from
          your authenticator app. It is not asked again for 5 minutes.
        </p>
        <TextField
          label="Password"
          type="password"
          value={password}
          onValueChange={setPassword}
          autoComplete="current-password"
          inputRef={passwordRef}
          autoFocus
          required
        />
        <TextField
          label="Authenticator code"
          value={code}
          onValueChange={setCode}
          autoComplete="one-time-code"
          inputMode="numeric"
          spellCheck={false}
          className="field--code"
          inputRef={codeRef}
          required
        />
        {error ? <FailureAlert error={error} testId="stepup-error" /> : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => finish(false)}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Checking…' : 'Confirm'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
