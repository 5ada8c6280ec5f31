import { describe, expect, it } from 'vitest';
import { refusalCodes } from '../../src-preload/provisioning/schemas';
import {
  describeOutcome,
  exceptionSubjectOf,
  formatFingerprint,
  formatUtc,
  refusalLabels,
  sentence,
  stepLabels,
} from './outcome';
import { failedOutcome, provisionedOutcome, refusedOutcome } from './testOutcomes';
import type { ProvisioningOutcome } from './wizard';
import { provisioningSteps } from './wizard';

function facts(outcome: ProvisioningOutcome): Record<string, string> {
  return Object.fromEntries(describeOutcome(outcome).facts.map((fact) => [fact.term, fact.value]));
}

describe('describeOutcome', () => {
  it('names the zone, the certificate and its fingerprint of a provisioned device', () => {
    const outcome = provisionedOutcome({
      zoneId: 'life-sustaining',
      vlan: 111,
      deviceCreated: false,
      reconciled: true,
    });
    const view = describeOutcome(outcome);
    expect(view.tone).toBe('success');
    expect(view.heading).toBe('Provisioned');
    expect(view.summary).toContain('zone life-sustaining (VLAN 111)');
    expect(facts(outcome)).toMatchObject({
      'Certificate serial': '7f01',
      'Fingerprint (SHA-256)': Array.from({ length: 32 }, () => '0A').join(':'),
      'Valid until': '2027-11-23 10:00 UTC',
      'Inventory record': 'Existing record updated',
      Zone: 'life-sustaining, VLAN 111',
    });
    expect(view.facts.some((fact) => fact.term === 'Reconciled')).toBe(true);
  });

  it('suggests an exception for a legacy device and says nothing was issued', () => {
    const view = describeOutcome(refusedOutcome({ exceptionSuggested: true }));
    expect(view.heading).toBe('Refused: The device cannot hold a certificate (legacy device)');
    expect(view.summary).toBe('The device presents no manufacturer identity.');
    expect(view.nextSteps[0]).toContain('legacy-device exception');
    expect(view.nextSteps.at(-1)).toBe('Nothing was issued; the device keeps what it had.');
  });

  it('says a tampered device was quarantined and must leave clinical use', () => {
    const outcome = refusedOutcome({
      step: 'firmware',
      code: 'firmware_tampered',
      quarantined: true,
    });
    expect(facts(outcome)).toMatchObject({
      'Refused at': 'Check its firmware',
      Quarantined: 'Yes: recorded as quarantined in the inventory',
    });
    expect(describeOutcome(outcome).nextSteps.join(' ')).toContain('out of clinical use');
  });

  it('says a device held in quarantine is already quarantined, and how to release it', () => {
    const outcome = refusedOutcome({ step: 'authenticate', code: 'device_quarantined' });
    expect(facts(outcome)).toMatchObject({
      'Refused at': 'Prove it is genuine',
      Why: 'The inventory holds this device as quarantined',
      Quarantined: 'Yes: the inventory already holds it as quarantined',
    });
    expect(describeOutcome(outcome).nextSteps.join(' ')).toContain(
      'tick "Release from quarantine" before starting',
    );
  });

  it('says a provisioned device was released from quarantine only when it was', () => {
    const outcome = provisionedOutcome({ deviceCreated: false });
    const released = describeOutcome(outcome, { releasedFromQuarantine: true }).facts;
    expect(released).toContainEqual({
      term: 'Quarantine',
      value: 'Released: the device is in service again (recorded in the audit log)',
    });
    expect(facts(outcome).Quarantine).toBeUndefined();
  });

  it('tells the technician to report a possible clone', () => {
    const outcome = refusedOutcome({ step: 'authenticate', code: 'serial_mismatch' });
    expect(describeOutcome(outcome).heading).toContain('differs from the one its factory');
    expect(describeOutcome(outcome).nextSteps.join(' ')).toContain('counterfeit or cloned');
    expect(facts(outcome).Quarantined).toBe('No');
  });

  it('names a certificate in doubt after a failure, and asks for another session', () => {
    const view = describeOutcome(failedOutcome({ certificateInDoubt: '7f02' }));
    expect(view.tone).toBe('warning');
    expect(view.heading).toBe('Not completed: the device stopped answering');
    expect(view.nextSteps[0]).toContain('certificate 7f02');
  });

  it('calls a cancelled session cancelled', () => {
    const view = describeOutcome(
      failedOutcome({ step: 'placement', code: 'cancelled', reason: 'cancelled by the operator' }),
    );
    expect(view.heading).toBe('Cancelled');
    expect(view.nextSteps[0]).toContain('Nothing was committed');
  });
});

describe('exceptionSubjectOf', () => {
  it('carries what a refused device reported, and nulls for a device that reported nothing', () => {
    expect(exceptionSubjectOf(refusedOutcome({ exceptionSuggested: true }))).toEqual({
      deviceUid: null,
      manufacturer: 'Medica Infusion Systems',
      model: 'InfuPro 3000',
      serialNumber: 'IP3-0001',
      attemptId: 'attempt-1',
    });
    expect(exceptionSubjectOf(refusedOutcome({ device: null, exceptionSuggested: true }))).toEqual({
      deviceUid: null,
      manufacturer: null,
      model: null,
      serialNumber: null,
      attemptId: 'attempt-1',
    });
  });
});

describe('words', () => {
  it('has a label for every step and refusal code of the contract', () => {
    for (const step of provisioningSteps) expect(stepLabels[step]).toMatch(/\w/);
    for (const code of refusalCodes) expect(refusalLabels[code]).toMatch(/\w/);
  });

  it('formats fingerprints as upper-case byte pairs, with or without colons', () => {
    expect(formatFingerprint('abcdef01')).toBe('AB:CD:EF:01');
    expect(formatFingerprint('ab:cd')).toBe('AB:CD');
  });

  it('makes sentences and UTC times readable', () => {
    expect(sentence('  the line closed ')).toBe('The line closed.');
    expect(sentence('Done!')).toBe('Done!');
    expect(formatUtc('2026-11-23T10:05:09.000Z')).toBe('2026-11-23 10:05 UTC');
    expect(formatUtc('soon')).toBe('soon');
  });
});
