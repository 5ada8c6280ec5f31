// One step of sign-in after the password (a new password, enrolment, a code): sends it, hands the
// next step on, sends an expired sign-in back to the start, and keeps any other refusal to show.
// Invariant: one request at a time per step.
import { useState } from 'react';
import type { LoginStep, Result, WardkeepError } from '../../src-preload/contract';

export const loginFailureCodes = [
  'auth.invalid',
  'auth.locked',
  'auth.mfa_invalid',
  'password.weak',
  'session.required',
  'ipc.payload',
] as const;

export interface LoginStepCall {
  busy: boolean;
  error: WardkeepError | null;
  setError: (error: WardkeepError | null) => void;
  /** Runs the step's call; true when main accepted it (the next step has been handed on). */
  send: (request: () => Promise<Result<LoginStep>>) => Promise<boolean>;
}

export function useLoginStep(
  onNext: (step: LoginStep) => void,
  onExpired: (error: WardkeepError) => void,
): LoginStepCall {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WardkeepError | null>(null);

  async function send(request: () => Promise<Result<LoginStep>>): Promise<boolean> {
    if (busy) return false;
    setBusy(true);
    setError(null);
    const result = await request();
    setBusy(false);
    if (result.ok) {
      onNext(result.value);
      return true;
    }
    if (result.error.code === 'session.required') onExpired(result.error);
    else setError(result.error);
    return false;
  }

  return { busy, error, setError, send };
}
