// The steps of a sign-in after the password, whatever started it (set-up, sign-in, the recovery
// code): choose a password, enrol an authenticator, or enter a code; then the recovery codes once.
// Invariants: a session exists only once main answers `done`; Cancel tells main to forget the
// sign-in in progress; the caller hears of the signed-in user only after any recovery codes
// were confirmed as stored.
import { useEffect, useState } from 'react';
import type { LoginStep, SessionUser, WardkeepError } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { failureSentence } from '../shared/authErrors';
import { ChoosePasswordStep } from './ChoosePasswordStep';
import { CodeStep } from './CodeStep';
import { EnrolStep } from './EnrolStep';
import { MfaRecoveryCodesStep } from './MfaRecoveryCodesStep';

export function LoginFlow({
  username,
  initialStep,
  onDone,
  onCancel,
}: {
  username: string;
  initialStep: LoginStep;
  onDone: (user: SessionUser) => void;
  /** Back to the start; with a notice when the sign-in expired rather than was cancelled. */
  onCancel: (notice: string | null) => void;
}) {
  const [step, setStep] = useState<LoginStep>(initialStep);

  function cancel(): void {
    void call('session:cancel', {});
    onCancel(null);
  }

  function expired(error: WardkeepError): void {
    onCancel(
      `The sign-in took too long and was stopped: sign in again. (${failureSentence(error)})`,
    );
  }

  const common = { username, onNext: setStep, onCancel: cancel, onExpired: expired };
  switch (step.step) {
    case 'password_change':
      return <ChoosePasswordStep {...common} />;
    case 'mfa_enrol':
      return <EnrolStep {...common} secret={step.secret} uri={step.uri} />;
    case 'mfa':
      return <CodeStep {...common} />;
    case 'done':
      return <Done step={step} onDone={onDone} />;
  }
}

function Done({
  step,
  onDone,
}: {
  step: Extract<LoginStep, { step: 'done' }>;
  onDone: (user: SessionUser) => void;
}) {
  const codes = step.recoveryCodes ?? [];
  useEffect(() => {
    if (codes.length === 0) onDone(step.user);
  }, [codes.length, onDone, step.user]);
  if (codes.length === 0) return null;
  return <MfaRecoveryCodesStep codes={codes} onStored={() => onDone(step.user)} />;
}
