// First run: create the first administrator, then show the recovery code exactly once.
// Invariant: the recovery code lives only in this view's state; it is dropped when the user
// confirms they stored it, and the console opens only after that confirmation.
import { useState } from 'react';
import type { SessionUser } from '../../src-preload/contract';
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
import { RecoveryCodeStep } from './RecoveryCodeStep';

interface CreatedAdministrator {
  user: SessionUser;
  recoveryCode: string;
}

export function SetupView() {
  const [created, setCreated] = useState<CreatedAdministrator | null>(null);
  const signedIn = useSessionStore((state) => state.signedIn);

  if (created) {
    return (
      <RecoveryCodeStep
        recoveryCode={created.recoveryCode}
        onStored={() => {
          const { user } = created;
          setCreated(null);
          signedIn(user);
        }}
      />
    );
  }
  return <CreateAdministratorForm onCreated={setCreated} />;
}

function CreateAdministratorForm({
  onCreated,
}: {
  onCreated: (created: CreatedAdministrator) => void;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const loadStatus = useSessionStore((state) => state.loadStatus);

  const checks = checkNewPassword(password, repeated);
  const usernameError = submitted ? usernameProblem(username) : null;

  async function submit(): Promise<void> {
    setSubmitted(true);
    if (busy || usernameProblem(username) !== null || !newPasswordAcceptable(checks)) return;
    setBusy(true);
    setServerError(null);
    const result = await call('session:setup', { username, password }, [
      'password.weak',
      'ipc.payload',
      'setup.done',
    ]);
    setBusy(false);
    if (result.ok) {
      setPassword('');
      setRepeated('');
      onCreated(result.value);
      return;
    }
    if (result.error.code === 'setup.done') {
      // Someone finished set-up in the meantime: show the unlock view instead.
      await loadStatus();
      return;
    }
    setServerError(result.error.message);
  }

  return (
    <main className="gate">
      <form
        className="gate__card"
        aria-labelledby="setup-title"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <p className="gate__brand">Wardkeep</p>
        <h1 id="setup-title">Set up this console</h1>
        <p className="gate__lead">
          Create the first administrator. There is no default account: this one manages the console
          and the accounts of everyone else.
        </p>
        <TextField
          label="Administrator username"
          value={username}
          onValueChange={(value) => setUsername(value.toLowerCase())}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          required
          hint="Lowercase letters, digits, dot, dash and underscore."
          error={usernameError}
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onValueChange={setPassword}
          autoComplete="new-password"
          required
          aria-describedby="setup-rules"
        />
        <TextField
          label="Repeat password"
          type="password"
          value={repeated}
          onValueChange={setRepeated}
          autoComplete="new-password"
          required
        />
        <PasswordRules checks={checks} id="setup-rules" />
        {serverError ? (
          <Alert tone="error" title="The password was not accepted" testId="setup-error">
            {serverError}
          </Alert>
        ) : null}
        {submitted && !newPasswordAcceptable(checks) && !serverError ? (
          <Alert tone="error">The password does not meet the rules above yet.</Alert>
        ) : null}
        <div className="gate__actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create administrator'}
          </button>
        </div>
      </form>
    </main>
  );
}
