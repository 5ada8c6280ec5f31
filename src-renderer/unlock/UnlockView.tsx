// The locked console: sign in with username and password, or recover access with the recovery
// code and a new password. Invariant: a failed attempt keeps the username and clears the
// password, and shows main's own message for the failure.
import { useEffect, useRef, useState } from 'react';
import { call } from '../api/wardkeep';
import { Alert } from '../shared/Alert';
import { PasswordRules } from '../shared/PasswordRules';
import { TextField } from '../shared/TextField';
import {
  checkNewPassword,
  newPasswordAcceptable,
  usernameProblem,
} from '../session/credentialRules';
import { useSessionStore } from '../session/sessionStore';

export function UnlockView() {
  const [mode, setMode] = useState<'password' | 'recovery'>('password');
  return (
    <main className="gate">
      {mode === 'password' ? (
        <SignInForm onUseRecovery={() => setMode('recovery')} />
      ) : (
        <RecoverForm onBack={() => setMode('password')} />
      )}
    </main>
  );
}

function SignInForm({ onUseRecovery }: { onUseRecovery: () => void }) {
  const lastUsername = useSessionStore((state) => state.lastUsername);
  const notice = useSessionStore((state) => state.notice);
  const signedIn = useSessionStore((state) => state.signedIn);
  const rememberUsername = useSessionStore((state) => state.rememberUsername);
  const [username, setUsername] = useState(lastUsername);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const usernameRef = useRef<HTMLInputElement>(null);

  // Focus once, when the form appears: typing a username later must not move the caret away.
  const initialUsername = useRef(lastUsername);
  useEffect(() => {
    (initialUsername.current ? passwordRef : usernameRef).current?.focus();
  }, []);

  async function submit(): Promise<void> {
    if (busy) return;
    const problem = usernameProblem(username);
    if (problem !== null) {
      setError(problem);
      usernameRef.current?.focus();
      return;
    }
    if (password === '') {
      setError('Enter your password.');
      passwordRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    rememberUsername(username);
    const result = await call('session:unlock', { username, password }, [
      'auth.invalid',
      'ipc.payload',
    ]);
    setBusy(false);
    setPassword('');
    if (result.ok) {
      signedIn(result.value);
      return;
    }
    setError(result.error.message);
    passwordRef.current?.focus();
  }

  return (
    <form
      className="gate__card"
      aria-labelledby="unlock-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="gate__brand">Wardkeep</p>
      <h1 id="unlock-title">Console locked</h1>
      {notice ? (
        <Alert tone="notice">{notice}</Alert>
      ) : (
        <p className="gate__lead">Sign in to open the console.</p>
      )}
      <TextField
        label="Username"
        value={username}
        onValueChange={(value) => setUsername(value.toLowerCase())}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        inputRef={usernameRef}
        required
      />
      <TextField
        label="Password"
        type="password"
        value={password}
        onValueChange={setPassword}
        autoComplete="current-password"
        inputRef={passwordRef}
        required
      />
      {error ? (
        <Alert tone="error" testId="unlock-error">
          {error}
        </Alert>
      ) : null}
      <div className="gate__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Checking…' : 'Unlock'}
        </button>
        <button type="button" className="button button--link" onClick={onUseRecovery}>
          Use recovery code
        </button>
      </div>
    </form>
  );
}

function RecoverForm({ onBack }: { onBack: () => void }) {
  const lastUsername = useSessionStore((state) => state.lastUsername);
  const signedIn = useSessionStore((state) => state.signedIn);
  const [recoveryCode, setRecoveryCode] = useState('');
  const [username, setUsername] = useState(lastUsername);
  const [newPassword, setNewPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const checks = checkNewPassword(newPassword, repeated);
  const usernameError = submitted ? usernameProblem(username) : null;
  const codeError = submitted && recoveryCode.trim() === '' ? 'Enter the recovery code.' : null;

  async function submit(): Promise<void> {
    setSubmitted(true);
    if (
      busy ||
      recoveryCode.trim() === '' ||
      usernameProblem(username) !== null ||
      !newPasswordAcceptable(checks)
    ) {
      return;
    }
    setBusy(true);
    setError(null);
    const result = await call(
      'session:recover',
      { recoveryCode: recoveryCode.trim(), username, newPassword },
      ['auth.invalid', 'password.weak', 'ipc.payload'],
    );
    setBusy(false);
    if (result.ok) {
      setRecoveryCode('');
      setNewPassword('');
      setRepeated('');
      signedIn(result.value);
      return;
    }
    setError(result.error.message);
  }

  return (
    <form
      className="gate__card"
      aria-labelledby="recover-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="gate__brand">Wardkeep</p>
      <h1 id="recover-title">Recover access</h1>
      <p className="gate__lead">
        Enter the sealed recovery code printed at set-up, the account to recover, and a new password
        for it.
      </p>
      <TextField
        label="Recovery code"
        value={recoveryCode}
        onValueChange={setRecoveryCode}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        className="field--code"
        autoFocus
        required
        error={codeError}
      />
      <TextField
        label="Username"
        value={username}
        onValueChange={(value) => setUsername(value.toLowerCase())}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        error={usernameError}
      />
      <TextField
        label="New password"
        type="password"
        value={newPassword}
        onValueChange={setNewPassword}
        autoComplete="new-password"
        required
        aria-describedby="recover-rules"
      />
      <TextField
        label="Repeat new password"
        type="password"
        value={repeated}
        onValueChange={setRepeated}
        autoComplete="new-password"
        required
      />
      <PasswordRules checks={checks} id="recover-rules" />
      {error ? (
        <Alert tone="error" testId="recover-error">
          {error}
        </Alert>
      ) : null}
      {submitted && !newPasswordAcceptable(checks) && !error ? (
        <Alert tone="error">The new password does not meet the rules above yet.</Alert>
      ) : null}
      <div className="gate__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Recovering…' : 'Recover and sign in'}
        </button>
        <button type="button" className="button button--link" onClick={onBack}>
          Back to sign in
        </button>
      </div>
    </form>
  );
}
