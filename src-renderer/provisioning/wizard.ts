// The bedside wizard's picture of one provisioning session, folded from main's `provision:event`
// messages: each step's state with its plain reason and retries, the device once it identified
// itself, the zone question while it waits, and the outcome. Pure.
// Invariant: a finished session has no running step and no open question; every step is passed,
// failed, skipped (a reconciliation jumps over placement to install) or not reached.
import type { EventPayload } from '../../src-preload/contract';
import { provisioningSteps } from '../../src-preload/provisioning/schemas';

export type ProvisioningEvent = EventPayload<'provision:event'>['event'];
export type ProvisioningOutcome = Extract<ProvisioningEvent, { kind: 'finished' }>['outcome'];
export type ProvisionedOutcome = Extract<ProvisioningOutcome, { status: 'provisioned' }>;
export type RefusedOutcome = Extract<ProvisioningOutcome, { status: 'refused' }>;
export type FailedOutcome = Extract<ProvisioningOutcome, { status: 'failed' }>;
export type IdentifiedDevice = Extract<ProvisioningEvent, { kind: 'device.identified' }>['device'];
export type ZoneOption = Extract<ProvisioningEvent, { kind: 'placement.needed' }>['zones'][number];
export type ProvisioningStep = (typeof provisioningSteps)[number];
export type RefusalCode = RefusedOutcome['code'];
export type FailureCode = FailedOutcome['code'];

export { provisioningSteps };

export type StepStatus = 'waiting' | 'running' | 'passed' | 'failed' | 'skipped' | 'not_reached';

export interface StepState {
  step: ProvisioningStep;
  status: StepStatus;
  /** What main said: the summary of a passed step, the reason of a failed one. */
  detail: string | null;
  /** The refusal or failure code of a failed step. */
  code: string | null;
  /** Requests sent again at this step because the line lost or damaged one. */
  retries: number;
}

export interface PlacementQuestion {
  device: IdentifiedDevice;
  zones: ZoneOption[];
}

export interface WizardState {
  steps: StepState[];
  device: IdentifiedDevice | null;
  placement: PlacementQuestion | null;
  outcome: ProvisioningOutcome | null;
}

export function initialWizard(): WizardState {
  return {
    steps: provisioningSteps.map((step) => ({
      step,
      status: 'waiting',
      detail: null,
      code: null,
      retries: 0,
    })),
    device: null,
    placement: null,
    outcome: null,
  };
}

function updateStep(
  steps: readonly StepState[],
  step: ProvisioningStep,
  change: (state: StepState) => Partial<StepState>,
): StepState[] {
  return steps.map((state) => (state.step === step ? { ...state, ...change(state) } : state));
}

function indexOf(step: ProvisioningStep): number {
  return provisioningSteps.indexOf(step);
}

export function reduceWizard(state: WizardState, event: ProvisioningEvent): WizardState {
  // Anything after the outcome is stale: the session is over.
  if (state.outcome !== null) return state;
  switch (event.kind) {
    case 'step.started': {
      const started = indexOf(event.step);
      // A step that starts after later ones were never run (a reconciliation) skips them.
      const steps = state.steps.map((step, index) =>
        index < started && step.status === 'waiting'
          ? { ...step, status: 'skipped' as const }
          : step,
      );
      return {
        ...state,
        steps: updateStep(steps, event.step, () => ({ status: 'running', detail: null })),
      };
    }
    case 'step.passed':
      return {
        ...state,
        steps: updateStep(state.steps, event.step, () => ({
          status: 'passed',
          detail: event.summary,
          code: null,
        })),
        placement: event.step === 'placement' ? null : state.placement,
      };
    case 'step.failed':
      return {
        ...state,
        // Main names the step under way, or, between two steps, the one it stopped before.
        steps: updateStep(state.steps, event.step, () => ({
          status: 'failed',
          detail: event.reason,
          code: event.code,
        })),
        placement: null,
      };
    case 'retry':
      return {
        ...state,
        steps: updateStep(state.steps, event.step, (step) => ({
          retries: Math.max(step.retries, event.attempt - 1),
        })),
      };
    case 'device.identified':
      return { ...state, device: event.device };
    case 'placement.needed':
      return {
        ...state,
        device: event.device,
        placement: { device: event.device, zones: event.zones },
      };
    case 'finished':
      return finish(state, event.outcome);
  }
}

function finish(state: WizardState, outcome: ProvisioningOutcome): WizardState {
  let steps = state.steps;
  if (outcome.status !== 'provisioned') {
    // The outcome is the record: a failure event lost on the way still shows on its step.
    if (steps[indexOf(outcome.step)]?.status !== 'failed') {
      steps = updateStep(steps, outcome.step, () => ({
        status: 'failed',
        detail: outcome.reason,
        code: outcome.code,
      }));
    }
  }
  const finalStatus: StepStatus = outcome.status === 'provisioned' ? 'skipped' : 'not_reached';
  steps = steps.map((step) =>
    step.status === 'waiting' || step.status === 'running'
      ? { ...step, status: step.status === 'running' ? 'not_reached' : finalStatus }
      : step,
  );
  return { ...state, steps, placement: null, outcome };
}

/** The step the session is at now, or null before the first and after the outcome. */
export function currentStep(state: WizardState): ProvisioningStep | null {
  if (state.outcome !== null) return null;
  return state.steps.find((step) => step.status === 'running')?.step ?? null;
}

/** Steps done out of those the session will run (skipped ones count as done). */
export function progressOf(state: WizardState): { done: number; total: number } {
  const done = state.steps.filter(
    (step) => step.status === 'passed' || step.status === 'skipped',
  ).length;
  return { done, total: state.steps.length };
}

/** All retries of the session so far. */
export function totalRetries(state: WizardState): number {
  return state.steps.reduce((sum, step) => sum + step.retries, 0);
}
