// The sign-in screen: username and password, then the steps main asks for (a new password, the
// authenticator, a code); the locked console of one user (password + code, the username fixed);
// recovery with the recovery code; and emergency access with the sealed credential.
// Invariants: a failed attempt keeps the username, clears what was wrong and shows main's own
// message under its meaning; a locked console opens only for its own user; anyone else must
// sign it out first.
import { useEffect, useRef, useState } from 'react';
import type { LoginStep, WardkeepError } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { Alert } from '../shared/Alert';
import { FailureAlert } from '../shared/FailureAlert';
import { PasswordRules } from '../shared/PasswordRules';
import { TextField } from '../shared/TextField';
import { loginFailureCodes } from '../login/useLoginStep';
import { LoginFlow } from '../login/LoginFlow';
import {
  checkNewPassword,
  newPasswordAcceptable,
  usernameProblem,
} from '../session/credentialRules';
import { useSessionStore } from '../session/sessionStore';
import { EmergencyAccessForm } from './EmergencyAccessForm';

type Mode =
  | { kind: 'signin' }
  | { kind: 'recovery' }
  | { kind: 'emergency' }
  | { kind: 'steps'; username: string; step: LoginStep };

export function UnlockView() {
  const [mode, setMode] = useState<Mode>({ kind: 'signin' });
  const [notice, setNotice] = useState<string | null>(null);
  const lockedUsername = useSessionStore((state) => state.lockedUsername);
  const signedIn = useSessionStore((state) => state.signedIn);

  function continueWith(username: string, step: LoginStep): void {
    setNotice(null);
    setMode({ kind: 'steps', username, step });
  }
  const back = () => setMode({ kind: 'signin' });

  let content;
  switch (mode.kind) {
    case 'signin':
      content =
        lockedUsername !== null ? (
          <LockedForm
            username={lockedUsername}
            onStep={continueWith}
            onEmergency={() => setMode({ kind: 'emergency' })}
          />
        ) : (
          <SignInForm
            flowNotice={notice}
            onStep={continueWith}
            onUseRecovery={() => setMode({ kind: 'recovery' })}
            onEmergency={() => setMode({ kind: 'emergency' })}
          />
        );
      break;
    case 'recovery':
      content = <RecoverForm onStep={continueWith} onBack={back} />;
      break;
    case 'emergency':
      content = <EmergencyAccessForm onBack={back} />;
      break;
    case 'steps':
      content = (
        <LoginFlow
          key={`${mode.username}-${mode.step.step}`}
          username={mode.username}
          initialStep={mode.step}
          onDone={signedIn}
          onCancel={(message) => {
            setNotice(message);
            back();
          }}
        />
      );
      break;
  }
  return <main className="gate">{content}</main>;
}

function SignInForm({
  flowNotice,
  onStep,
  onUseRecovery,
  onEmergency,
}: {
  flowNotice: string | null;
  onStep: (username: string, step: LoginStep) => void;
  onUseRecovery: () => void;
  onEmergency: () => void;
}) {
  const lastUsername = useSessionStore((state) => state.lastUsername);
  const notice = useSessionStore((state) => state.notice);
  const rememberUsername = useSessionStore((state) => state.rememberUsername);
  const [username, setUsername] = useState(lastUsername);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WardkeepError | null>(null);
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
      setError({ code: 'input.invalid', message: problem });
      usernameRef.current?.focus();
      return;
    }
    if (password === '') {
      setError({ code: 'input.invalid', message: 'enter your password' });
      passwordRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    rememberUsername(username);
    const result = await call('session:login', { username, password }, loginFailureCodes);
    setBusy(false);
    setPassword('');
    if (result.ok) {
      onStep(username, result.value);
      return;
    }
    setError(result.error);
    passwordRef.current?.focus();
  }

  const shownNotice = flowNotice ?? notice;
  return (
    <form
      className="gate__card"
      aria-labelledby="signin-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="gate__brand">Wardkeep</p>
      <h1 id="signin-title">Sign in</h1>
      {shownNotice ? (
        <Alert tone="notice">{shownNotice}</Alert>
      ) : (
        <p className="gate__lead">Sign in with your password and your authenticator app.</p>
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
      {error ? <FailureAlert error={error} testId="unlock-error" /> : null}
      <div className="gate__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Checking…' : 'Continue'}
        </button>
        <button type="button" className="button button--link" onClick={onUseRecovery}>
          Use recovery code
        </button>
      </div>
      <EmergencyLink onEmergency={onEmergency} />
    </form>
  );
}

/** The locked console of one user: their password and a code, nothing to type for the name. */
function LockedForm({
  username,
  onStep,
  onEmergency,
}: {
  username: string;
  onStep: (username: string, step: LoginStep) => void;
  onEmergency: () => void;
}) {
  const notice = useSessionStore((state) => state.notice);
  const signedIn = useSessionStore((state) => state.signedIn);
  const signOut = useSessionStore((state) => state.signOut);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WardkeepError | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  async function submit(): Promise<void> {
    if (busy) return;
    if (password === '' || code.trim() === '') {
      setError({ code: 'input.invalid', message: 'enter your password and the current code' });
      (password === '' ? passwordRef : codeRef).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    const login = await call('session:login', { username, password }, loginFailureCodes);
    if (!login.ok) {
      setBusy(false);
      setPassword('');
      setError(login.error);
      passwordRef.current?.focus();
      return;
    }
    if (login.value.step !== 'mfa') {
      // Something changed for this account (a new authenticator is due): follow main's steps.
      setBusy(false);
      onStep(username, login.value);
      return;
    }
    const second = await call('session:mfa', { code: code.trim() }, loginFailureCodes);
    setBusy(false);
    setCode('');
    if (!second.ok) {
      void call('session:cancel', {});
      setError(second.error);
      codeRef.current?.focus();
      return;
    }
    setPassword('');
    if (second.value.step === 'done' && !second.value.recoveryCodes?.length)
      signedIn(second.value.user);
    else onStep(username, second.value);
  }

  return (
    <form
      className="gate__card"
      aria-labelledby="locked-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="gate__brand">Wardkeep</p>
      <h1 id="locked-title">Console locked</h1>
      {notice ? <Alert tone="notice">{notice}</Alert> : null}
      <p className="gate__lead">
        Locked for <strong data-testid="locked-username">{username}</strong>. Enter your password
        and the current code to continue.
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
        label="Code or recovery code"
        value={code}
        onValueChange={setCode}
        autoComplete="one-time-code"
        spellCheck={false}
        className="field--code"
        inputRef={codeRef}
        required
      />
      {error ? <FailureAlert error={error} testId="unlock-error" /> : null}
      <div className="gate__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Checking…' : 'Unlock'}
        </button>
        <button type="button" className="button button--link" onClick={signOut}>
          Sign out (another user)
        </button>
      </div>
      <EmergencyLink onEmergency={onEmergency} />
    </form>
  );
}

function EmergencyLink({ onEmergency }: { onEmergency: () => void }) {
  return (
    <p className="gate__emergency">
      <button type="button" className="button button--link" onClick={onEmergency}>
        Emergency access
      </button>
      <span className="muted">for a clinical emergency when nobody can sign in</span>
    </p>
  );
}

function RecoverForm({
  onStep,
  onBack,
}: {
  onStep: (username: string, step: LoginStep) => void;
  onBack: () => void;
}) {
  const lastUsername = useSessionStore((state) => state.lastUsername);
  const [recoveryCode, setRecoveryCode] = useState('');
  const [username, setUsername] = useState(lastUsername);
  const [newPassword, setNewPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WardkeepError | null>(null);

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
      [...loginFailureCodes, 'not_found'],
    );
    setBusy(false);
    if (result.ok) {
      setRecoveryCode('');
      setNewPassword('');
      setRepeated('');
      onStep(username, result.value);
      return;
    }
    setError(result.error);
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
        for it. The account then sets up its authenticator again.
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
      {error ? <FailureAlert error={error} testId="recover-error" /> : null}
      {submitted && !newPasswordAcceptable(checks) && !error ? (
        <Alert tone="error">The new password does not meet the rules above yet.</Alert>
      ) : null}
      <div className="gate__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Recovering…' : 'Recover and continue'}
        </button>
        <button type="button" className="button button--link" onClick={onBack}>
          Back to sign in
        </button>
      </div>
    </form>
  );
}
