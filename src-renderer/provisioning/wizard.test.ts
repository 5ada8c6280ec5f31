import { describe, expect, it } from 'vitest';
import { failedOutcome, provisionedOutcome, refusedOutcome } from './testOutcomes';
import type { IdentifiedDevice, ProvisioningEvent, ProvisioningStep, WizardState } from './wizard';
import {
  currentStep,
  initialWizard,
  progressOf,
  provisioningSteps,
  reduceWizard,
  totalRetries,
} from './wizard';

const device: IdentifiedDevice = {
  deviceUid: 'dev-1',
  manufacturer: 'Medica Infusion Systems',
  model: 'InfuPro 3000',
  serialNumber: 'IP3-0001',
  firmwareVersion: '4.2.1',
  inventoryState: null,
  currentZoneId: null,
};

const provisioned = provisionedOutcome();

function started(step: ProvisioningStep): ProvisioningEvent {
  return { kind: 'step.started', step, atMs: 1 };
}

function passed(step: ProvisioningStep): ProvisioningEvent {
  return { kind: 'step.passed', step, summary: `${step} ok`, atMs: 2 };
}

function run(events: ProvisioningEvent[], from: WizardState = initialWizard()): WizardState {
  return events.reduce(reduceWizard, from);
}

function statuses(state: WizardState): Record<string, string> {
  return Object.fromEntries(state.steps.map((step) => [step.step, step.status]));
}

describe('reduceWizard', () => {
  it('starts with every step waiting, in protocol order', () => {
    const state = initialWizard();
    expect(state.steps.map((step) => step.step)).toEqual([...provisioningSteps]);
    expect(state.steps.every((step) => step.status === 'waiting')).toBe(true);
    expect(currentStep(state)).toBeNull();
  });

  it('passes the steps one by one with main’s summaries, and ends provisioned', () => {
    const events = provisioningSteps.flatMap((step) => [started(step), passed(step)]);
    const state = run([...events, { kind: 'finished', outcome: provisioned }]);
    expect(Object.values(statuses(state))).toEqual(provisioningSteps.map(() => 'passed'));
    expect(state.steps[2]).toMatchObject({ step: 'authenticate', detail: 'authenticate ok' });
    expect(state.outcome).toBe(provisioned);
    expect(progressOf(state)).toEqual({ done: 10, total: 10 });
  });

  it('shows the running step and counts retries per step from the attempt number', () => {
    const state = run([
      started('connect'),
      passed('connect'),
      started('identify'),
      { kind: 'retry', step: 'identify', attempt: 2 },
      { kind: 'retry', step: 'identify', attempt: 3 },
    ]);
    expect(currentStep(state)).toBe('identify');
    expect(state.steps[1]).toMatchObject({ status: 'running', retries: 2 });
    expect(totalRetries(state)).toBe(2);
  });

  it('keeps the device once identified and asks the zone until the placement step passes', () => {
    const asked = run([
      started('firmware'),
      passed('firmware'),
      { kind: 'device.identified', device },
      started('placement'),
      { kind: 'placement.needed', device, zones: [{ id: 'z', name: 'Z', vlans: [] }] },
    ]);
    expect(asked.device).toEqual(device);
    expect(asked.placement?.zones.map((zone) => zone.id)).toEqual(['z']);
    const answered = reduceWizard(asked, passed('placement'));
    expect(answered.placement).toBeNull();
    expect(answered.device).toEqual(device);
  });

  it('marks a refused step failed with its reason and code, and the later steps not reached', () => {
    const refused = refusedOutcome({
      step: 'firmware',
      code: 'firmware_tampered',
      reason: 'the image hash is not the approved one',
      quarantined: true,
    });
    const state = run([
      started('connect'),
      passed('connect'),
      started('identify'),
      passed('identify'),
      started('authenticate'),
      passed('authenticate'),
      started('firmware'),
      {
        kind: 'step.failed',
        step: 'firmware',
        code: 'firmware_tampered',
        reason: refused.reason,
        atMs: 3,
      },
      { kind: 'finished', outcome: refused },
    ]);
    expect(state.steps[3]).toMatchObject({
      status: 'failed',
      code: 'firmware_tampered',
      detail: refused.reason,
    });
    expect(statuses(state)).toMatchObject({ placement: 'not_reached', commit: 'not_reached' });
    expect(currentStep(state)).toBeNull();
  });

  it('shows a cancellation between two steps on the step it stopped before', () => {
    const state = run([
      started('connect'),
      passed('connect'),
      {
        kind: 'step.failed',
        step: 'identify',
        code: 'cancelled',
        reason: 'cancelled by the operator before reading the device identity',
        atMs: 3,
      },
      {
        kind: 'finished',
        outcome: failedOutcome({
          device: null,
          step: 'identify',
          code: 'cancelled',
          reason: 'cancelled by the operator before reading the device identity',
        }),
      },
    ]);
    expect(statuses(state)).toMatchObject({
      connect: 'passed',
      identify: 'failed',
      authenticate: 'not_reached',
    });
    expect(state.steps[1]).toMatchObject({ code: 'cancelled' });
  });

  it('marks the outcome’s step failed when no failure event came before it', () => {
    const failed = failedOutcome({
      step: 'install',
      code: 'cable_pulled',
      reason: 'the line closed while installing',
    });
    const state = run([started('install'), { kind: 'finished', outcome: failed }]);
    expect(state.steps[7]).toMatchObject({
      step: 'install',
      status: 'failed',
      code: 'cable_pulled',
    });
  });

  it('skips the steps a reconciliation jumps over', () => {
    const state = run([
      started('firmware'),
      passed('firmware'),
      started('confirm'),
      passed('confirm'),
      started('commit'),
      passed('commit'),
      { kind: 'finished', outcome: { ...provisioned, reconciled: true } },
    ]);
    expect(statuses(state)).toMatchObject({
      placement: 'skipped',
      csr: 'skipped',
      issue: 'skipped',
      install: 'skipped',
      confirm: 'passed',
    });
  });

  it('ignores anything that arrives after the outcome', () => {
    const finished = run([{ kind: 'finished', outcome: provisioned }]);
    expect(reduceWizard(finished, started('connect'))).toBe(finished);
  });
});
