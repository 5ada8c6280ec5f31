// Emergency access (break-glass): the sealed emergency credential, who is using it and why opens a
// time-limited session with engineer rights. Invariant: "Other" cannot be sent without saying
// what the emergency is; main records the opening, shows a banner for the whole session and asks
// an administrator to review it afterwards.
import { useState } from 'react';
import type { EmergencyReason, WardkeepError } from '../../src-preload/contract';
import { emergencyReasonLabels, emergencyReasons } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { Alert } from '../shared/Alert';
import { FailureAlert } from '../shared/FailureAlert';
import { TextField } from '../shared/TextField';
import { useSessionStore } from '../session/sessionStore';

export function EmergencyAccessForm({ onBack }: { onBack: () => void }) {
  const signedIn = useSessionStore((state) => state.signedIn);
  const breakGlassReady = useSessionStore((state) => state.breakGlassReady);
  const [credential, setCredential] = useState('');
  const [openedBy, setOpenedBy] = useState('');
  const [reason, setReason] = useState<EmergencyReason | null>(null);
  const [reasonText, setReasonText] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<WardkeepError | null>(null);

  const problems = {
    credential:
      credential.trim() === '' ? 'Enter the emergency credential from the envelope.' : null,
    openedBy: openedBy.trim() === '' ? 'Enter your full name.' : null,
    reason: reason === null ? 'Choose the reason.' : null,
    reasonText:
      reason === 'other' && reasonText.trim() === '' ? 'Say what the emergency is.' : null,
  };
  const shown = (problem: string | null) => (submitted ? problem : null);

  async function submit(): Promise<void> {
    setSubmitted(true);
    if (busy || reason === null || Object.values(problems).some((problem) => problem !== null))
      return;
    setBusy(true);
    setError(null);
    const text = reasonText.trim();
    const result = await call(
      'session:breakglass',
      {
        credential: credential.trim(),
        openedBy: openedBy.trim(),
        reason,
        ...(text === '' ? {} : { reasonText: text }),
      },
      ['auth.invalid', 'auth.locked', 'breakglass.unavailable', 'input.invalid', 'ipc.payload'],
    );
    setBusy(false);
    if (result.ok) {
      setCredential('');
      signedIn(result.value);
      return;
    }
    setError(result.error);
  }

  return (
    <form
      className="gate__card gate__card--wide gate__card--emergency"
      aria-labelledby="emergency-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="gate__brand">Wardkeep</p>
      <h1 id="emergency-title">Emergency access</h1>
      <p className="gate__lead">
        For a clinical emergency when nobody who can sign in is available. The sealed emergency
        credential opens a time-limited session with engineer rights. Everything done in it is
        recorded under your name, and an administrator reviews it afterwards.
      </p>
      {breakGlassReady ? null : (
        <Alert tone="warning" title="No sealed emergency credential">
          The last one was used and no new one was made yet: an administrator must generate one.
        </Alert>
      )}
      <TextField
        label="Emergency credential"
        value={credential}
        onValueChange={setCredential}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        className="field--code"
        autoFocus
        required
        error={shown(problems.credential)}
      />
      <TextField
        label="Your full name"
        value={openedBy}
        onValueChange={setOpenedBy}
        autoComplete="name"
        maxLength={100}
        required
        error={shown(problems.openedBy)}
      />
      <fieldset className="choice-group" aria-describedby="reason-error">
        <legend>Reason</legend>
        {emergencyReasons.map((value) => (
          <label key={value} className="choice">
            <input
              type="radio"
              name="emergency-reason"
              value={value}
              checked={reason === value}
              onChange={() => setReason(value)}
            />
            {emergencyReasonLabels[value]}
          </label>
        ))}
        {shown(problems.reason) ? (
          <p className="field__error" id="reason-error">
            {problems.reason}
          </p>
        ) : null}
      </fieldset>
      <div className="field">
        <label htmlFor="emergency-reason-text">
          What is happening{reason === 'other' ? ' (required)' : ' (optional)'}
        </label>
        <textarea
          id="emergency-reason-text"
          value={reasonText}
          maxLength={500}
          rows={3}
          onChange={(event) => setReasonText(event.target.value)}
          aria-invalid={shown(problems.reasonText) ? true : undefined}
          aria-describedby={shown(problems.reasonText) ? 'emergency-reason-text-error' : undefined}
        />
        {shown(problems.reasonText) ? (
          <p className="field__error" id="emergency-reason-text-error">
            {problems.reasonText}
          </p>
        ) : null}
      </div>
      {error ? <FailureAlert error={error} testId="emergency-error" /> : null}
      <div className="gate__actions">
        <button type="submit" className="button button--danger" disabled={busy}>
          {busy ? 'Opening…' : 'Open emergency access'}
        </button>
        <button type="button" className="button button--link" onClick={onBack}>
          Back to sign in
        </button>
      </div>
    </form>
  );
}
