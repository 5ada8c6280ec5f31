// Test data for the provisioning view's unit tests (imported by *.test.ts only): one infusion pump
// as it reports itself over the serial line, and the three outcomes a session can end with.
// Invariant: each builder returns a whole outcome of the contract, changed only where a test says.
import type { FailedOutcome, ProvisionedOutcome, RefusedOutcome } from './wizard';

const session = {
  attemptId: 'attempt-1',
  protocol: 'wardkeep-serial/1',
  startedAtMs: 1000,
  endedAtMs: 2000,
  device: {
    deviceUid: null,
    manufacturer: 'Medica Infusion Systems',
    model: 'InfuPro 3000',
    serialNumber: 'IP3-0001',
    firmwareVersion: '4.2.1',
    idevidFingerprintSha256: null,
  },
  retransmissions: 0,
};

export function provisionedOutcome(change: Partial<ProvisionedOutcome> = {}): ProvisionedOutcome {
  return {
    ...session,
    status: 'provisioned',
    deviceUid: 'dev-1',
    certificate: {
      serial: '7f01',
      fingerprintSha256: '0a'.repeat(32),
      notAfter: '2027-11-23T10:00:00.000Z',
      keyAlgorithm: 'ec-p256',
    },
    zoneId: 'medical-devices',
    vlan: 120,
    deviceCreated: true,
    reconciled: false,
    ...change,
  };
}

export function refusedOutcome(change: Partial<RefusedOutcome> = {}): RefusedOutcome {
  return {
    ...session,
    status: 'refused',
    step: 'identify',
    code: 'cannot_hold_certificate',
    reason: 'the device presents no manufacturer identity',
    quarantined: false,
    exceptionSuggested: false,
    deviceCode: null,
    ...change,
  };
}

export function failedOutcome(change: Partial<FailedOutcome> = {}): FailedOutcome {
  return {
    ...session,
    status: 'failed',
    step: 'confirm',
    code: 'timeout',
    reason: 'no answer to CONFIRM',
    certificateInDoubt: null,
    ...change,
  };
}
