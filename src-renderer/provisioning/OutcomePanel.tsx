// How the session ended, in one panel: provisioned (with the certificate and the label to print),
// refused (why, whether the device was quarantined, and the exception to document for a legacy
// device) or not completed (where, and whether a certificate is in doubt).
// Invariant: the heading states the outcome in words; colour only repeats it.
import { useSessionStore } from '../session/sessionStore';
import { useNavigationStore } from '../shell/navigationStore';
import { pkiAccessOf } from '../pki/pkiAccess';
import { usePkiStore } from '../pki/pkiStore';
import { DeviceLabel } from './DeviceLabel';
import { describeOutcome, exceptionSubjectOf } from './outcome';
import type { ProvisioningOutcome } from './wizard';

export function OutcomePanel({
  outcome,
  releasedFromQuarantine,
  onAgain,
}: {
  outcome: ProvisioningOutcome;
  releasedFromQuarantine: boolean;
  onAgain: () => void;
}) {
  const view = describeOutcome(outcome, { releasedFromQuarantine });
  const role = useSessionStore((state) => state.user?.role ?? null);
  const emergency = useSessionStore((state) => state.session?.emergency != null);
  const access = role === null ? null : pkiAccessOf(role, emergency);
  const documentException = usePkiStore((state) => state.documentException);
  const go = useNavigationStore((state) => state.go);

  return (
    <section
      className={`provision-card provision-outcome provision-outcome--${view.tone}`}
      data-testid="provision-outcome"
      data-status={outcome.status}
      aria-labelledby="provision-outcome-heading"
    >
      <div role="status">
        <h2 id="provision-outcome-heading" className="provision-outcome__heading">
          {view.heading}
        </h2>
        <p className="provision-outcome__summary" data-testid="provision-outcome-summary">
          {view.summary}
        </p>
      </div>
      <dl className="field-group__list provision-outcome__facts">
        {view.facts.map((fact) => (
          <div key={fact.term} className="provision-outcome__fact" data-term={fact.term}>
            <dt>{fact.term}</dt>
            <dd className={fact.mono ? 'mono' : undefined}>{fact.value}</dd>
          </div>
        ))}
      </dl>
      <ul className="provision-outcome__next" aria-label="What to do now">
        {view.nextSteps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ul>
      {outcome.status === 'refused' && outcome.exceptionSuggested ? (
        <div className="provision-outcome__exception" data-testid="exception-suggestion">
          {access?.writeExceptions ? (
            <button
              type="button"
              className="button"
              onClick={() => {
                // A legacy device refuses IDENTIFY, so usually nothing of it is known here.
                documentException(exceptionSubjectOf(outcome));
                go('certificates');
              }}
            >
              Document a legacy-device exception…
            </button>
          ) : (
            <p>
              Ask an engineer to document a legacy-device exception for this device (Certificates →
              Legacy exceptions).
            </p>
          )}
        </div>
      ) : null}
      {outcome.status === 'provisioned' ? <DeviceLabel outcome={outcome} /> : null}
      <div className="provision-outcome__actions">
        <button type="button" className="button button--primary" onClick={onAgain}>
          Provision another device
        </button>
      </div>
    </section>
  );
}
