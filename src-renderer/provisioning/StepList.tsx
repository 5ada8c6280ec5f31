// The checks of a provisioning session, one by one: each step's state in words and a mark (never
// colour alone), main's plain reason under it, and how often the line made the console resend.
// Invariant: the list is announced politely as steps change, so a screen reader follows along.
import { stepLabels, stepPurposes, stepStatusLabels } from './outcome';
import type { StepState, StepStatus } from './wizard';

const marks: Readonly<Record<StepStatus, string>> = {
  waiting: '○',
  running: '…',
  passed: '✓',
  failed: '✗',
  skipped: '–',
  not_reached: '–',
};

export function StepList({ steps }: { steps: readonly StepState[] }) {
  return (
    <ol className="provision-steps" aria-label="Provisioning steps" aria-live="polite">
      {steps.map((step) => (
        <li
          key={step.step}
          className={`provision-step provision-step--${step.status}`}
          data-testid="provision-step"
          data-step={step.step}
          data-status={step.status}
        >
          <span className="provision-step__mark" aria-hidden="true">
            {marks[step.status]}
          </span>
          <span className="provision-step__body">
            <span className="provision-step__heading">
              <span className="provision-step__name">{stepLabels[step.step]}</span>
              <span className="provision-step__status">{stepStatusLabels[step.status]}</span>
              {step.retries > 0 ? (
                <span className="provision-step__retries">
                  resent {step.retries} {step.retries === 1 ? 'time' : 'times'} on a bad line
                </span>
              ) : null}
            </span>
            <span className="provision-step__detail">
              {step.detail ?? (step.status === 'waiting' ? stepPurposes[step.step] : '')}
              {step.code !== null ? (
                <code className="provision-step__code">{step.code}</code>
              ) : null}
            </span>
          </span>
        </li>
      ))}
    </ol>
  );
}
