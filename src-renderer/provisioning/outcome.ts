// What a technician reads about a provisioning session: each step's name, the meaning of every
// refusal and failure code, and the outcome as a heading, a sentence, facts and what to do next.
// Pure. Invariant: every step and code of the contract has words (total maps), so a new code
// fails the build until it is explained.
import type { ExceptionSubject } from '../pki/exceptions';
import type {
  FailureCode,
  ProvisioningOutcome,
  ProvisioningStep,
  RefusalCode,
  StepStatus,
} from './wizard';

export const stepLabels: Readonly<Record<ProvisioningStep, string>> = {
  connect: 'Connect',
  identify: 'Identify the device',
  authenticate: 'Prove it is genuine',
  firmware: 'Check its firmware',
  placement: 'Choose its zone',
  csr: 'Device makes its new key',
  issue: 'Issue the certificate',
  install: 'Install on the device',
  confirm: 'Device confirms',
  commit: 'Record in the inventory',
};

/** What each step checks, for the line under its name while it waits. */
export const stepPurposes: Readonly<Record<ProvisioningStep, string>> = {
  connect: 'Open the serial line and agree on the protocol version.',
  identify: 'The device reports its maker, model, serial number and factory identity.',
  authenticate:
    "The device signs a fresh challenge with its factory key; the key's certificate must chain to a trusted manufacturer and name the same serial.",
  firmware: 'The reported firmware version and image hash must be on the approved baseline.',
  placement: 'The network zone and VLAN the device will live in.',
  csr: 'The device makes a new key pair and asks for a certificate.',
  issue: "The console's CA signs the certificate; it stays pending until the device confirms.",
  install: 'The device writes it to an inactive slot under its fail-safe timer.',
  confirm: 'The device proves it holds the new key and switches to it.',
  commit: 'Certificate active, device in service in its zone: one transaction.',
};

export const stepStatusLabels: Readonly<Record<StepStatus, string>> = {
  waiting: 'Waiting',
  running: 'In progress',
  passed: 'Passed',
  failed: 'Failed',
  skipped: 'Skipped',
  not_reached: 'Not reached',
};

export const refusalLabels: Readonly<Record<RefusalCode, string>> = {
  cannot_hold_certificate: 'The device cannot hold a certificate (legacy device)',
  untrusted_manufacturer: 'Its factory identity is not from a trusted manufacturer',
  serial_mismatch: 'Its serial number differs from the one its factory certificate names',
  clone: 'Possible clone: this serial number is bound to a different factory identity',
  identity_invalid: 'Its factory identity is expired, malformed or names another model',
  attestation_invalid: 'Its signature over the challenge does not verify',
  firmware_not_approved: 'Its firmware version is not on the approved baseline',
  firmware_tampered: 'Its firmware image does not match the approved image of that version',
  baseline_missing: 'No approved firmware baseline covers this model',
  csr_invalid: 'Its certificate request is not acceptable',
  certificate_refused: "The console's certificate authority refused the request",
  confirmation_invalid: 'Its confirmation does not prove it holds the new key',
  device_decommissioned: 'The inventory holds this device as decommissioned',
  device_quarantined: 'The inventory holds this device as quarantined',
  placement_invalid: 'The chosen zone or VLAN is not in the network policy',
  device_refused: 'The device itself refused',
};

export const failureLabels: Readonly<Record<FailureCode, string>> = {
  timeout: 'The device stopped answering',
  cable_pulled: 'The cable was pulled',
  protocol_error: 'The device sent something the protocol does not allow',
  fail_safe_expired: "The device's fail-safe timer ran out before it confirmed",
  cancelled: 'Cancelled',
  internal: 'An internal error stopped the session',
};

/** Refusals that point at a device that may not be what it claims to be. */
const suspectCodes: ReadonlySet<RefusalCode> = new Set([
  'untrusted_manufacturer',
  'serial_mismatch',
  'clone',
  'identity_invalid',
  'attestation_invalid',
]);

export interface OutcomeFact {
  term: string;
  value: string;
  /** Shown in a monospace font (serials, fingerprints, ids). */
  mono?: boolean;
}

export type OutcomeTone = 'success' | 'error' | 'warning';

export interface OutcomeView {
  tone: OutcomeTone;
  heading: string;
  /** One sentence: what happened to the device. */
  summary: string;
  facts: OutcomeFact[];
  /** What the technician does now. */
  nextSteps: string[];
}

/** "AB:CD:…" in upper case; a fingerprint with colons already keeps its grouping. */
export function formatFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/:/g, '').toUpperCase();
  return (hex.match(/.{1,2}/g) ?? []).join(':');
}

/** Main's sentence with a capital and a full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** "2027-11-23 10:00 UTC" from an ISO time; the text itself when it is not one. */
export function formatUtc(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

function deviceName(outcome: ProvisioningOutcome): string {
  const device = outcome.device;
  if (device === null) return 'The device';
  return `${device.manufacturer} ${device.model} (serial ${device.serialNumber})`;
}

function deviceFacts(outcome: ProvisioningOutcome): OutcomeFact[] {
  const device = outcome.device;
  if (device === null) return [];
  const facts: OutcomeFact[] = [
    { term: 'Device', value: `${device.manufacturer} ${device.model}` },
    { term: 'Serial number', value: device.serialNumber, mono: true },
  ];
  if (device.firmwareVersion !== null) {
    facts.push({ term: 'Firmware', value: device.firmwareVersion, mono: true });
  }
  return facts;
}

/** What the wizard knows of the session beyond its outcome. */
export interface OutcomeContext {
  /** The device was quarantined and the session was started to release it. */
  releasedFromQuarantine?: boolean;
}

export function describeOutcome(
  outcome: ProvisioningOutcome,
  context: OutcomeContext = {},
): OutcomeView {
  switch (outcome.status) {
    case 'provisioned': {
      const facts: OutcomeFact[] = [
        ...deviceFacts(outcome),
        { term: 'Inventory id', value: outcome.deviceUid, mono: true },
        { term: 'Zone', value: `${outcome.zoneId}, VLAN ${outcome.vlan}` },
        { term: 'Certificate serial', value: outcome.certificate.serial, mono: true },
        {
          term: 'Fingerprint (SHA-256)',
          value: formatFingerprint(outcome.certificate.fingerprintSha256),
          mono: true,
        },
        { term: 'Valid until', value: formatUtc(outcome.certificate.notAfter) },
        { term: 'Key', value: outcome.certificate.keyAlgorithm },
        {
          term: 'Inventory record',
          value: outcome.deviceCreated ? 'Created for this device' : 'Existing record updated',
        },
      ];
      if (context.releasedFromQuarantine) {
        facts.push({
          term: 'Quarantine',
          value: 'Released: the device is in service again (recorded in the audit log)',
        });
      }
      if (outcome.reconciled) {
        facts.push({
          term: 'Reconciled',
          value:
            'Yes: the device had committed this certificate in an earlier session whose answer was lost',
        });
      }
      if (outcome.retransmissions > 0) {
        facts.push({ term: 'Resent on a bad line', value: String(outcome.retransmissions) });
      }
      return {
        tone: 'success',
        heading: 'Provisioned',
        summary: `${deviceName(outcome)} is genuine, runs approved firmware and is in service in zone ${outcome.zoneId} (VLAN ${outcome.vlan}) with its new certificate.`,
        facts,
        nextSteps: ['Print the label and attach it to the device.'],
      };
    }
    case 'refused': {
      const facts: OutcomeFact[] = [
        ...deviceFacts(outcome),
        { term: 'Refused at', value: stepLabels[outcome.step] },
        { term: 'Why', value: refusalLabels[outcome.code] },
        {
          term: 'Quarantined',
          value: outcome.quarantined
            ? 'Yes: recorded as quarantined in the inventory'
            : outcome.code === 'device_quarantined'
              ? 'Yes: the inventory already holds it as quarantined'
              : 'No',
        },
      ];
      if (outcome.deviceCode !== null) {
        facts.push({ term: 'Device error code', value: outcome.deviceCode, mono: true });
      }
      const nextSteps: string[] = [];
      if (outcome.exceptionSuggested) {
        nextSteps.push(
          'This device cannot hold a certificate. Document a legacy-device exception: the risk, compensating controls such as a restricted zone and monitoring, an owner and a review date.',
        );
      }
      if (outcome.quarantined) {
        nextSteps.push(
          'Take the device out of clinical use until its firmware is restored to an approved image; provisioning it later releases the quarantine only as an explicit decision.',
        );
      }
      if (outcome.code === 'device_quarantined') {
        nextSteps.push(
          'Provision it only once its firmware has been restored to an approved image: plug it in again and tick "Release from quarantine" before starting. The release is recorded in the audit log.',
        );
      }
      if (suspectCodes.has(outcome.code)) {
        nextSteps.push(
          'Take the device out of use and report it to clinical engineering: it may be counterfeit or cloned.',
        );
      }
      nextSteps.push('Nothing was issued; the device keeps what it had.');
      return {
        tone: 'error',
        heading: `Refused: ${refusalLabels[outcome.code]}`,
        summary: sentence(outcome.reason),
        facts,
        nextSteps,
      };
    }
    case 'failed': {
      const facts: OutcomeFact[] = [
        ...deviceFacts(outcome),
        { term: 'Stopped at', value: stepLabels[outcome.step] },
        { term: 'Why', value: failureLabels[outcome.code] },
        {
          term: 'Certificate in doubt',
          value: outcome.certificateInDoubt ?? 'None',
          mono: outcome.certificateInDoubt !== null,
        },
      ];
      const nextSteps =
        outcome.certificateInDoubt !== null
          ? [
              `The device may have installed certificate ${outcome.certificateInDoubt}. Provision it again: the next session finds out and commits or abandons that certificate.`,
            ]
          : [
              'Nothing was committed; the device keeps what it had. Check the cable and start again.',
            ];
      return {
        tone: 'warning',
        heading:
          outcome.code === 'cancelled'
            ? 'Cancelled'
            : `Not completed: ${failureLabels[outcome.code].toLowerCase()}`,
        summary: sentence(outcome.reason),
        facts,
        nextSteps,
      };
    }
  }
}

/** The device a refusal suggested an exception for, as far as it identified itself. */
export function exceptionSubjectOf(outcome: ProvisioningOutcome): ExceptionSubject {
  const device = outcome.device;
  return {
    deviceUid: device?.deviceUid ?? null,
    manufacturer: device?.manufacturer ?? null,
    model: device?.model ?? null,
    serialNumber: device?.serialNumber ?? null,
    attemptId: outcome.attemptId,
  };
}
