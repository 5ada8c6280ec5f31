// First run: create the first administrator, show the recovery code and the emergency credential
// once, then enrol the administrator's authenticator and show its recovery codes once.
// Invariant: the secrets live only in this view's state and are dropped step by step; the console
// opens only when main answered `done` to the enrolment and the codes were confirmed stored.
import { useState } from 'react';
import type { LoginStep } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { Alert } from '../shared/Alert';
import { PasswordRules } from '../shared/PasswordRules';
import { TextField } from '../shared/TextField';
import { LoginFlow } from '../login/LoginFlow';
import {
  checkNewPassword,
  newPasswordAcceptable,
  usernameProblem,
} from '../session/credentialRules';
import { useSessionStore } from '../session/sessionStore';
import { SealedCodesStep } from './SealedCodesStep';

interface CreatedAdministrator {
  username: string;
  recoveryCode: string;
  emergencyCredential: string;
  next: LoginStep;
}

export function SetupView() {
  const [created, setCreated] = useState<CreatedAdministrator | null>(null);
  const [sealed, setSealed] = useState(false);
  const signedIn = useSessionStore((state) => state.signedIn);
  const showSignIn = useSessionStore((state) => state.showSignIn);
  const rememberUsername = useSessionStore((state) => state.rememberUsername);

  let content;
  if (created === null) {
    content = <CreateAdministratorForm onCreated={setCreated} />;
  } else if (!sealed) {
    content = (
      <SealedCodesStep
        recoveryCode={created.recoveryCode}
        emergencyCredential={created.emergencyCredential}
        onStored={() => {
          setCreated({ ...created, recoveryCode: '', emergencyCredential: '' });
          setSealed(true);
        }}
      />
    );
  } else {
    content = (
      <LoginFlow
        username={created.username}
        initialStep={created.next}
        onDone={signedIn}
        onCancel={(notice) => {
          // The administrator exists: the next sign-in continues with the enrolment.
          rememberUsername(created.username);
          showSignIn(
            notice ??
              'Set-up is done, but the authenticator is not set up yet: sign in to finish it.',
          );
        }}
      />
    );
  }
  return <main className="gate">{content}</main>;
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
      onCreated({ username, ...result.value });
      return;
    }
    if (result.error.code === 'setup.done') {
      // Someone finished set-up in the meantime: show the sign-in view instead.
      await loadStatus();
      return;
    }
    setServerError(result.error.message);
  }

  return (
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
  );
}
