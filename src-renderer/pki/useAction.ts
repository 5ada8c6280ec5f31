// One privileged or writing action of the certificates view at a time: busy while it runs, its
// failure shown beside it, a confirmation when it succeeded. A step-up the user cancelled is not a
// failure worth showing (the dialog was their answer).
// Invariant: a second action cannot start while one runs.
import { useCallback, useRef, useState } from 'react';
import type { ErrorCode, Result, WardkeepError } from '../../src-preload/contract';

/** Failures the certificates view shows beside the form rather than in the banner. */
export const pkiFailures: readonly ErrorCode[] = [
  'pki.invalid',
  'pki.not_initialised',
  'pki.revoked',
  'trust.invalid',
  'baseline.invalid',
  'baseline.signature',
  'input.invalid',
  'ipc.payload',
  'not_found',
  'network.invalid',
  'permission.denied',
  'stepup.required',
];

export interface Action {
  busy: boolean;
  error: WardkeepError | null;
  done: string | null;
  /** Runs `work`; resolves to its value, or null when it failed or was cancelled. */
  run: <T>(work: () => Promise<Result<T>>, success: (value: T) => string) => Promise<T | null>;
  clear: () => void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WardkeepError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const running = useRef(false);

  const run = useCallback(
    async <T>(work: () => Promise<Result<T>>, success: (value: T) => string): Promise<T | null> => {
      if (running.current) return null;
      running.current = true;
      setBusy(true);
      setError(null);
      setDone(null);
      try {
        const result = await work();
        if (result.ok) {
          setDone(success(result.value));
          return result.value;
        }
        if (result.error.code !== 'stepup.required') setError(result.error);
        return null;
      } finally {
        running.current = false;
        setBusy(false);
      }
    },
    [],
  );

  const clear = useCallback(() => {
    setError(null);
    setDone(null);
  }, []);

  return { busy, error, done, run, clear };
}
