// Console settings (administrators): how long an emergency session lasts. Saving is privileged
// (step-up). Invariant: only a whole number of minutes within the contract's range is sent.
import { useEffect, useState } from 'react';
import type { WardkeepError } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { Alert } from '../shared/Alert';
import { FailureAlert } from '../shared/FailureAlert';
import { emergencyMinutesRange, parseEmergencyMinutes } from './emergencyMinutes';

export function SettingsView() {
  const [text, setText] = useState<string | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<WardkeepError | null>(null);

  useEffect(() => {
    let current = true;
    void call('settings:get', {}).then((result) => {
      if (current && result.ok) setText(String(result.value.emergencyMinutes));
    });
    return () => {
      current = false;
    };
  }, []);

  const parsed = parseEmergencyMinutes(text ?? '');
  const problem = submitted && 'problem' in parsed ? parsed.problem : null;

  async function save(): Promise<void> {
    setSubmitted(true);
    setSaved(null);
    if (busy || !('minutes' in parsed)) return;
    setBusy(true);
    setError(null);
    const result = await call('settings:set', { emergencyMinutes: parsed.minutes }, [
      'ipc.payload',
      'stepup.required',
    ]);
    setBusy(false);
    if (result.ok) setSaved(parsed.minutes);
    else if (result.error.code !== 'stepup.required') setError(result.error);
  }

  return (
    <div className="admin-view" data-testid="settings-view">
      <div className="admin-view__header">
        <h1>Settings</h1>
      </div>
      {text === null ? (
        <p className="muted">Loading settings…</p>
      ) : (
        <form
          className="settings-form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <div className="field">
            <label htmlFor="emergency-minutes">Emergency session length (minutes)</label>
            <input
              id="emergency-minutes"
              type="number"
              inputMode="numeric"
              min={emergencyMinutesRange.minimum}
              max={emergencyMinutesRange.maximum}
              step={1}
              value={text}
              onChange={(event) => setText(event.target.value)}
              aria-invalid={problem ? true : undefined}
              aria-describedby="emergency-minutes-hint"
            />
            <p className="field__hint" id="emergency-minutes-hint">
              How long emergency access lasts once opened, from {emergencyMinutesRange.minimum} to{' '}
              {emergencyMinutesRange.maximum} minutes. Applies to the next emergency session.
            </p>
            {problem ? <p className="field__error">{problem}</p> : null}
          </div>
          {error ? <FailureAlert error={error} testId="settings-error" /> : null}
          {saved !== null ? (
            <Alert tone="success" testId="settings-saved">
              Saved: emergency sessions last {saved} minutes.
            </Alert>
          ) : null}
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save settings'}
          </button>
        </form>
      )}
    </div>
  );
}
