// The console's side of one bedside provisioning session, over any driver: identify the device,
// prove it genuine (IDevID chain, fresh signature, serial = certificate), check its firmware
// against the baseline, issue an LDevID from its CSR, install it under the device's fail-safe and
// commit only on a verified confirmation. The commit (certificate active, inventory in service,
// zone, IDevID binding, history, audit record) is one transaction; before it nothing is active,
// and a session that ends otherwise abandons what it issued, except a certificate whose CONFIRM
// went unanswered, which stays pending until the next session finds out (protocol section 10.3).
import { X509Certificate } from 'node:crypto';
import type { DeviceClass, DeviceRecord, LifecycleState } from '../../src-preload/contract';
import type { failureCodes, refusalCodes } from '../../src-preload/provisioning/schemas';
import { provisioningSteps } from '../../src-preload/provisioning/schemas';
import type { JsonObject } from '../audit/record';
import type { DeviceIdentity } from '../inventory/device-fields';
import { manufacturerKey } from '../inventory/device-fields';
import type { DeviceRepository, StoredDeviceFields } from '../inventory/repository';
import type { NetworkService } from '../network/service';
import type { Clock } from '../lib/clock';
import { WardkeepFailure } from '../lib/errors';
import type { IdGenerator } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { createLogger } from '../lib/logger';
import { parseCertificationRequest } from '../pki/csr';
import { verifySignature } from '../pki/keys';
import type { PkiService } from '../pki/service';
import type { CertificateRecord, IssuedCertificate, VerifiedDeviceIdentity } from '../pki/types';
import type {
  AbortReason,
  DeviceAttestation,
  DeviceIdentityClaim,
  DeviceKeyAlgorithm,
  DriverEvent,
  DriverOptions,
  ProvisioningDriver,
  SignedStatement,
} from './driver';
import type { AttemptRecord, ProvisioningRecords } from './records';

// ---------------------------------------------------------------------------------------------
// What the session reports.

// The vocabularies live with the contract's schemas, which the wizard and the CLI read too.
export { provisioningSteps };
export type ProvisioningStep = (typeof provisioningSteps)[number];
/** Why the console or the device said no; the device is as it was (or quarantined). */
export type RefusalCode = (typeof refusalCodes)[number];
/** Why the session could not finish; nothing was committed. */
export type FailureCode = (typeof failureCodes)[number];

export interface DeviceSummary {
  /** The inventory uid, or the one the device will get; null before it was proven genuine. */
  deviceUid: string | null;
  manufacturer: string;
  model: string;
  serialNumber: string;
  firmwareVersion: string | null;
  idevidFingerprintSha256: string | null;
}

interface OutcomeBase {
  attemptId: string;
  protocol: string;
  startedAtMs: number;
  endedAtMs: number;
  device: DeviceSummary | null;
  retransmissions: number;
}

export interface ProvisionedOutcome extends OutcomeBase {
  status: 'provisioned';
  deviceUid: string;
  certificate: {
    serial: string;
    fingerprintSha256: string;
    notAfter: string;
    keyAlgorithm: string;
  };
  zoneId: string;
  vlan: number;
  deviceCreated: boolean;
  /** Committed by reconciling an earlier session whose CONFIRMED answer was lost. */
  reconciled: boolean;
}

export interface RefusedOutcome extends OutcomeBase {
  status: 'refused';
  step: ProvisioningStep;
  code: RefusalCode;
  reason: string;
  /** The device was recorded as quarantined in the inventory (firmware refusals). */
  quarantined: boolean;
  /** The device cannot hold a certificate: document an exception instead. */
  exceptionSuggested: boolean;
  /** The device's own error code when it refused. */
  deviceCode: string | null;
}

export interface FailedOutcome extends OutcomeBase {
  status: 'failed';
  step: ProvisioningStep;
  code: FailureCode;
  reason: string;
  /**
   * A certificate whose CONFIRM went unanswered: the device may have committed it. It stays
   * pending; the next session with the device commits or abandons it.
   */
  certificateInDoubt: string | null;
}

export type ProvisioningOutcome = ProvisionedOutcome | RefusedOutcome | FailedOutcome;

/** Who the device is, once it has been proven genuine: for the wizard's zone choice. */
export interface IdentifiedDevice {
  deviceUid: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  firmwareVersion: string;
  /** The device's inventory state, or null when it is new to the inventory. */
  inventoryState: LifecycleState | null;
  /** Its zone assignment in the network policy, if any. */
  currentZoneId: string | null;
}

export type ProvisioningEvent =
  | { kind: 'step.started'; step: ProvisioningStep; atMs: number }
  | { kind: 'step.passed'; step: ProvisioningStep; summary: string; atMs: number }
  | {
      kind: 'step.failed';
      step: ProvisioningStep;
      code: RefusalCode | FailureCode;
      reason: string;
      atMs: number;
    }
  /** A request was sent again: the line lost or damaged a frame, or the device is slow. */
  | { kind: 'retry'; step: ProvisioningStep; attempt: number }
  | { kind: 'device.identified'; device: IdentifiedDevice }
  | { kind: 'finished'; outcome: ProvisioningOutcome };

// ---------------------------------------------------------------------------------------------
// What the session needs.

export interface PlacementChoice {
  zoneId: string;
  /** One of the zone's VLANs; its first when left out. Required when no network policy is given. */
  vlan?: number;
}

/** A fixed choice, or the operator's, asked once the device is known. */
export type PlacementSource =
  PlacementChoice | ((device: IdentifiedDevice) => Promise<PlacementChoice>);

/** An audit entry as the session gives it; the runner completes actor, role and session. */
export interface ProvisioningAuditEntry {
  action: string;
  target?: string | null;
  outcome?: 'success' | 'failure' | 'denied';
  reason?: string | null;
  details?: JsonObject;
}

/**
 * Runs `work` and writes its audit record in the same transaction; if the record cannot be
 * written the work is rolled back (fail closed). AppServices.audited has this shape.
 */
export type AuditedRunner = <T>(
  entry: ProvisioningAuditEntry | ((value: T) => ProvisioningAuditEntry),
  work: () => T,
) => T;

export type SessionPki = Pick<
  PkiService,
  | 'verifyDeviceIdentity'
  | 'checkFirmware'
  | 'issue'
  | 'confirm'
  | 'abandon'
  | 'getCertificate'
  | 'findCertificateByFingerprint'
  | 'certificateBundle'
>;
export type SessionDevices = Pick<
  DeviceRepository,
  'findByIdentity' | 'insertDevice' | 'updateDevice' | 'transaction'
>;
export type SessionNetwork = Pick<NetworkService, 'current' | 'assignDevice'>;

export interface SessionDependencies {
  pki: SessionPki;
  devices: SessionDevices;
  /** The zone policy; without it a placement must name its VLAN and no assignment is recorded. */
  network?: SessionNetwork;
  records: ProvisioningRecords;
  audit: AuditedRunner;
  clock: Clock;
  ids: IdGenerator;
  logger?: Logger;
}

export interface SessionOptions {
  /** Who runs the session: the username written to the history and the network change. */
  actor: string | null;
  /** The port, for the history and the audit record. */
  portPath?: string;
  /** Default: the device's current zone assignment, else the session is refused. */
  placement?: PlacementSource;
  /** The class a device new to the inventory gets; default `other`. */
  deviceClass?: DeviceClass;
  /** Asked in this order until the device can make one. Default: ec-p256, then rsa-2048. */
  keyAlgorithms?: readonly DeviceKeyAlgorithm[];
  /** Provision a device the inventory holds as quarantined (an explicit decision, audited). */
  releaseQuarantine?: boolean;
  /** In-doubt certificates older than this are abandoned when a session starts. Default 1 h. */
  inDoubtHoldMs?: number;
  /** Cancels between steps (a step under way finishes or times out first). */
  signal?: AbortSignal;
  onEvent?: (event: ProvisioningEvent) => void;
}

export const defaultKeyAlgorithms: readonly DeviceKeyAlgorithm[] = ['ec-p256', 'rsa-2048'];
export const defaultInDoubtHoldMs = 60 * 60 * 1000;

const stepWords: Readonly<Record<ProvisioningStep, string>> = {
  connect: 'opening the session',
  identify: 'reading the device identity',
  authenticate: 'checking that the device is genuine',
  firmware: 'checking the firmware',
  placement: 'choosing the network zone',
  csr: 'getting the certificate request',
  issue: 'issuing and sending the certificate',
  install: 'installing the certificate',
  confirm: 'confirming with the new key',
  commit: 'recording the device',
};

const exceptionAdvice =
  'record a documented exception for it instead (risk, compensating controls such as a restricted zone and monitoring, owner, review date)';

// ---------------------------------------------------------------------------------------------
// Stopping: a refusal or failure carries everything the outcome and the device need.

class Stop extends Error {
  constructor(
    readonly status: 'refused' | 'failed',
    readonly code: RefusalCode | FailureCode,
    reason: string,
    readonly extra: {
      abort?: AbortReason | null;
      deviceCode?: string;
      quarantine?: boolean;
      exception?: boolean;
      /** The step a stop between two steps came before, when the stop knows it. */
      before?: ProvisioningStep;
    } = {},
  ) {
    super(reason);
  }
}

function refuse(
  code: RefusalCode,
  reason: string,
  extra: ConstructorParameters<typeof Stop>[3] = {},
): never {
  throw new Stop('refused', code, reason, extra);
}

/** A failure from the driver, in the session's words. */
function fromDriverFailure(error: WardkeepFailure, step: ProvisioningStep): Stop {
  const details = (error.details ?? {}) as { deviceCode?: string; detail?: string };
  const during = stepWords[step];
  switch (error.code) {
    case 'provision.refused': {
      const code = details.deviceCode ?? 'internal';
      const detail = details.detail ? ` (${details.detail})` : '';
      if (
        step === 'identify' &&
        (code === 'attestation_unavailable' || code === 'unsupported_algorithm')
      ) {
        return new Stop(
          'refused',
          'cannot_hold_certificate',
          `the device has no manufacturer identity (IDevID) and cannot hold a certificate: ${exceptionAdvice}`,
          { abort: 'identity_rejected', deviceCode: code, exception: true },
        );
      }
      if (code === 'fail_safe_expired') {
        return new Stop(
          'failed',
          'fail_safe_expired',
          `the device's fail-safe timer ran out before it was confirmed; it reverted to its previous state${detail}`,
          { abort: null, deviceCode: code },
        );
      }
      return new Stop(
        'refused',
        'device_refused',
        `the device refused while ${during}: ${code}${detail}`,
        { abort: 'internal', deviceCode: code },
      );
    }
    case 'provision.timeout':
      return new Stop(
        'failed',
        'timeout',
        `the device did not answer while ${during}, after every retry`,
        { abort: 'step_timeout' },
      );
    case 'provision.port':
      return new Stop(
        'failed',
        'cable_pulled',
        `the line to the device went away while ${during} (cable pulled or port closed)`,
        { abort: null },
      );
    case 'provision.protocol':
      return new Stop(
        'failed',
        'protocol_error',
        `the device broke the protocol while ${during}: ${error.message}`,
        { abort: 'internal' },
      );
    default:
      return new Stop('failed', 'internal', `${during} failed: ${error.message}`, {
        abort: 'internal',
      });
  }
}

function abortFor(code: RefusalCode): AbortReason {
  switch (code) {
    case 'attestation_invalid':
      return 'attestation_invalid';
    case 'firmware_not_approved':
    case 'firmware_tampered':
      return 'firmware_rejected';
    case 'csr_invalid':
      return 'csr_rejected';
    case 'confirmation_invalid':
      return 'confirmation_invalid';
    case 'cannot_hold_certificate':
    case 'untrusted_manufacturer':
    case 'serial_mismatch':
    case 'clone':
    case 'identity_invalid':
    case 'device_decommissioned':
    case 'device_quarantined':
      return 'identity_rejected';
    case 'baseline_missing':
    case 'certificate_refused':
    case 'placement_invalid':
    case 'device_refused':
      return 'internal';
  }
}

// ---------------------------------------------------------------------------------------------
// The session.

interface Progress {
  /** The step last started. */
  step: ProvisioningStep;
  /** It passed: a stop now falls between it and the next step, and names the next one. */
  passed: boolean;
  claim?: DeviceIdentityClaim;
  identity?: VerifiedDeviceIdentity;
  manufacturerKey?: string;
  firmware?: { version: string; sha256: string };
  deviceUid?: string;
  existing?: DeviceRecord | null;
  currentZoneId?: string | null;
  placement?: { zoneId: string; vlan: number };
  /** The certificate this session issued (or is reconciling). */
  certificate?: { serial: string };
  reconciling: boolean;
}

function truncate(text: string, limit: number): string {
  const characters = Array.from(text);
  return characters.length <= limit ? text : `${characters.slice(0, limit - 1).join('')}…`;
}

/**
 * Runs one provisioning session with the driver `openDriver` makes (the session closes it) and
 * returns its outcome. Never throws for what a device, the line or an operator does: every such
 * end is an outcome, recorded in the history with its audit record.
 */
export async function runProvisioningSession(
  openDriver: (options: DriverOptions) => ProvisioningDriver,
  dependencies: SessionDependencies,
  options: SessionOptions,
): Promise<ProvisioningOutcome> {
  const { pki, devices, network, records, audit, clock, ids } = dependencies;
  const log = dependencies.logger ?? createLogger('provisioning');
  const emit = options.onEvent ?? (() => undefined);
  const keyAlgorithms = options.keyAlgorithms ?? defaultKeyAlgorithms;
  const startedAtMs = clock.nowMs();
  const attemptId = ids.next();
  const progress: Progress = { step: 'connect', passed: false, reconciling: false };

  const driver = openDriver({
    onEvent: (event: DriverEvent) => {
      if (event.kind === 'attempt' && event.attempt > 1) {
        emit({ kind: 'retry', step: progress.step, attempt: event.attempt });
      }
    },
  });

  async function step<T>(
    name: ProvisioningStep,
    work: () => Promise<T> | T,
    summary: (value: T) => string,
  ): Promise<T> {
    // Once the device confirmed it has switched to the new key: a cancel then comes too late, and
    // abandoning the certificate would leave the device holding a dead one.
    if (options.signal?.aborted && name !== 'commit') {
      throw new Stop('failed', 'cancelled', `cancelled by the operator before ${stepWords[name]}`, {
        abort: 'operator_cancelled',
        before: name,
      });
    }
    progress.step = name;
    progress.passed = false;
    emit({ kind: 'step.started', step: name, atMs: clock.nowMs() });
    let value: T;
    try {
      value = await work();
    } catch (error) {
      if (error instanceof Stop) throw error;
      if (options.signal?.aborted) {
        throw new Stop(
          'failed',
          'cancelled',
          `cancelled by the operator while ${stepWords[name]}`,
          {
            abort: 'operator_cancelled',
          },
        );
      }
      if (error instanceof WardkeepFailure && error.code.startsWith('provision.')) {
        throw fromDriverFailure(error, name);
      }
      throw error;
    }
    progress.passed = true;
    emit({ kind: 'step.passed', step: name, summary: summary(value), atMs: clock.nowMs() });
    return value;
  }

  function summary(): DeviceSummary | null {
    const claim = progress.claim;
    if (!claim) return null;
    return {
      deviceUid: progress.deviceUid ?? null,
      manufacturer: progress.identity?.manufacturer ?? claim.manufacturer,
      model: progress.identity?.model ?? claim.model,
      serialNumber: claim.serialNumber,
      firmwareVersion: progress.firmware?.version ?? null,
      idevidFingerprintSha256: progress.identity?.fingerprintSha256 ?? null,
    };
  }

  function base(): OutcomeBase {
    return {
      attemptId,
      protocol: driver.protocol,
      startedAtMs,
      endedAtMs: clock.nowMs(),
      device: summary(),
      retransmissions: driver.stats.retransmissions,
    };
  }

  function attemptRow(
    fields: Pick<AttemptRecord, 'outcome' | 'step' | 'code' | 'reason'> & Partial<AttemptRecord>,
  ): AttemptRecord {
    const device = summary();
    return {
      id: attemptId,
      protocol: driver.protocol,
      port: options.portPath ?? null,
      actor: options.actor,
      startedAtMs,
      endedAtMs: clock.nowMs(),
      manufacturer: device?.manufacturer ?? null,
      manufacturerKey: progress.manufacturerKey ?? null,
      model: device?.model ?? null,
      serialNumber: device?.serialNumber ?? null,
      idevidFingerprintSha256: device?.idevidFingerprintSha256 ?? null,
      firmwareVersion: device?.firmwareVersion ?? null,
      deviceUid: progress.deviceUid ?? null,
      certificateSerial: null,
      certificateState: null,
      zoneId: progress.placement?.zoneId ?? null,
      vlan: progress.placement?.vlan ?? null,
      retransmissions: driver.stats.retransmissions,
      ...fields,
    };
  }

  function auditTarget(): string | null {
    if (progress.deviceUid) return `device:${progress.deviceUid}`;
    if (progress.claim) return truncate(`serial:${progress.claim.serialNumber}`, 256);
    return options.portPath ? truncate(`port:${options.portPath}`, 256) : null;
  }

  function deviceDetails(): JsonObject {
    const device = summary();
    if (!device) return {};
    return {
      manufacturer: device.manufacturer,
      model: device.model,
      serialNumber: device.serialNumber,
      ...(device.firmwareVersion === null ? {} : { firmwareVersion: device.firmwareVersion }),
      ...(device.idevidFingerprintSha256 === null
        ? {}
        : { idevidFingerprint: device.idevidFingerprintSha256 }),
    };
  }

  /** In-doubt certificates of this device that it does not hold: it reverted, so they are dead. */
  function staleCertificates(keep: string | null): string[] {
    const uid = progress.deviceUid;
    if (!uid) return [];
    const held = progress.claim?.committedCertificateSha256 ?? null;
    return records.inDoubtCertificates({ deviceUid: uid }).filter((serial) => {
      if (serial === keep) return false;
      const record = pki.getCertificate(serial);
      return record.status === 'pending' && record.fingerprintSha256 !== held;
    });
  }

  /** Abandons in-doubt certificates older than the hold time, with their audit record. */
  function sweepInDoubt(): void {
    const holdMs = options.inDoubtHoldMs ?? defaultInDoubtHoldMs;
    const serials = records
      .inDoubtCertificates({ endedBeforeMs: clock.nowMs() - holdMs })
      .filter((serial) => pki.getCertificate(serial).status === 'pending');
    if (serials.length === 0) return;
    audit(
      {
        action: 'provision.certificate.abandon',
        target: null,
        outcome: 'success',
        reason: 'no session confirmed these certificates within the hold time',
        details: { serials },
      },
      () => {
        for (const serial of serials) pki.abandon(serial);
      },
    );
  }

  // -------------------------------------------------------------------------------------------
  // The checks.

  function verifyIdentity(claim: DeviceIdentityClaim, attestation: DeviceAttestation): void {
    const verdict = pki.verifyDeviceIdentity({
      challenge: attestation.signedBytes,
      signature: attestation.signature,
      signatureAlgorithm: attestation.signatureAlgorithm,
      claimedSerial: claim.serialNumber,
      idevidChainDer: claim.idevidChainDer,
    });
    if (!verdict.trusted) {
      switch (verdict.code) {
        case 'untrusted_manufacturer':
          return refuse(
            'untrusted_manufacturer',
            `${verdict.reason}; the device may be counterfeit or a clone`,
          );
        case 'serial_mismatch':
          return refuse('serial_mismatch', `possible clone: ${verdict.reason}`);
        case 'signature_invalid':
          return refuse('attestation_invalid', verdict.reason);
        case 'expired':
        case 'malformed':
          return refuse('identity_invalid', verdict.reason);
      }
    }
    const identity = verdict.identity;
    if (identity.model !== null && identity.model !== claim.model) {
      refuse(
        'identity_invalid',
        `the device reports model "${claim.model}" but its IDevID is for "${identity.model}"`,
      );
    }
    const key = manufacturerKey(identity.manufacturer);
    const binding = records.bindingFor(key, identity.serialNumber);
    if (binding && binding.idevidFingerprintSha256 !== identity.fingerprintSha256) {
      refuse(
        'clone',
        `possible clone: serial "${identity.serialNumber}" of ${identity.manufacturer} is bound to another IDevID (${binding.idevidFingerprintSha256.slice(0, 16)}…, device ${binding.deviceUid}) than this one (${identity.fingerprintSha256.slice(0, 16)}…)`,
      );
    }
    const inventoryIdentity: DeviceIdentity = {
      manufacturerKey: key,
      serialNumber: identity.serialNumber,
    };
    const existing = devices.findByIdentity(inventoryIdentity);
    progress.identity = identity;
    progress.manufacturerKey = key;
    progress.existing = existing;
    progress.deviceUid =
      existing?.uid ?? records.plannedDeviceUid(key, identity.serialNumber) ?? ids.next();
    progress.currentZoneId = network?.current().assignments[progress.deviceUid] ?? null;
    if (existing?.lifecycleState === 'decommissioned') {
      refuse(
        'device_decommissioned',
        `the inventory holds this device as decommissioned (${existing.uid}); it must not return to service`,
      );
    }
    if (existing?.lifecycleState === 'quarantined' && !options.releaseQuarantine) {
      refuse(
        'device_quarantined',
        `the inventory holds this device as quarantined (${existing.uid}); release it from quarantine to provision it`,
      );
    }
  }

  function checkFirmware(attestation: DeviceAttestation): void {
    const identity = progress.identity!;
    progress.firmware = {
      version: attestation.firmwareVersion,
      sha256: attestation.firmwareSha256,
    };
    const verdict = pki.checkFirmware({
      manufacturer: identity.manufacturer,
      model: identity.model ?? progress.claim!.model,
      version: attestation.firmwareVersion,
      sha256: attestation.firmwareSha256,
    });
    if (verdict.approved) return;
    switch (verdict.code) {
      case 'no_baseline':
        return refuse(
          'baseline_missing',
          `${verdict.reason}: import the approved firmware baseline first`,
        );
      case 'hash_mismatch':
        return refuse('firmware_tampered', `firmware refused, ${verdict.reason}`, {
          quarantine: true,
        });
      case 'unknown_model':
      case 'version_not_approved':
        return refuse('firmware_not_approved', `firmware refused, ${verdict.reason}`, {
          quarantine: true,
        });
    }
  }

  async function resolvePlacement(
    device: IdentifiedDevice,
  ): Promise<{ zoneId: string; vlan: number }> {
    let choice: PlacementChoice;
    const source = options.placement;
    if (source === undefined) {
      if (!device.currentZoneId) {
        refuse('placement_invalid', 'no zone was chosen and the device has no zone assignment');
      }
      choice = { zoneId: device.currentZoneId };
    } else {
      choice = typeof source === 'function' ? await source(device) : source;
    }
    if (typeof choice?.zoneId !== 'string' || choice.zoneId.length === 0) {
      refuse('placement_invalid', 'no zone was chosen');
    }
    const vlanGiven = choice.vlan;
    if (
      vlanGiven !== undefined &&
      (!Number.isInteger(vlanGiven) || vlanGiven < 1 || vlanGiven > 4094)
    ) {
      refuse('placement_invalid', `VLAN ${String(vlanGiven)} is not 1–4094`);
    }
    if (!network) {
      if (vlanGiven === undefined) {
        refuse(
          'placement_invalid',
          `zone "${choice.zoneId}" needs a VLAN: no network policy is available to look it up`,
        );
      }
      return { zoneId: choice.zoneId, vlan: vlanGiven };
    }
    const zone = network.current().policy.zones.find((candidate) => candidate.id === choice.zoneId);
    if (!zone) refuse('placement_invalid', `the network policy has no zone "${choice.zoneId}"`);
    if (vlanGiven !== undefined) {
      if (zone.vlans.length > 0 && !zone.vlans.some((vlan) => vlan.id === vlanGiven)) {
        refuse(
          'placement_invalid',
          `VLAN ${vlanGiven} is not one of zone "${zone.id}"'s (${zone.vlans.map((vlan) => vlan.id).join(', ')})`,
        );
      }
      return { zoneId: zone.id, vlan: vlanGiven };
    }
    const first = zone.vlans[0];
    if (!first) refuse('placement_invalid', `zone "${zone.id}" has no VLAN: choose one`);
    return { zoneId: zone.id, vlan: first.id };
  }

  async function requestCsr(): Promise<{ csrDer: Uint8Array; keyAlgorithm: DeviceKeyAlgorithm }> {
    const identity = progress.identity!;
    for (const keyAlgorithm of keyAlgorithms) {
      let request;
      try {
        request = await driver.requestCertificate(keyAlgorithm);
      } catch (error) {
        const code = (error as WardkeepFailure).details as { deviceCode?: string } | undefined;
        if (
          error instanceof WardkeepFailure &&
          error.code === 'provision.refused' &&
          code?.deviceCode === 'unsupported_algorithm'
        ) {
          continue;
        }
        throw error;
      }
      let parsed;
      try {
        parsed = parseCertificationRequest(request.csrDer);
      } catch (error) {
        refuse('csr_invalid', `the device's CSR is refused: ${(error as Error).message}`);
      }
      if (parsed.key.name !== keyAlgorithm) {
        refuse(
          'csr_invalid',
          `the CSR holds a ${parsed.key.name} key, ${keyAlgorithm} was asked for`,
        );
      }
      if (
        !verifySignature({
          publicKey: identity.publicKeySpkiDer,
          algorithm: request.signatureAlgorithm,
          message: request.signedBytes,
          signature: request.signature,
        })
      ) {
        refuse(
          'csr_invalid',
          'the IDevID signature over the CSR does not verify: the new key is not tied to the attested device',
        );
      }
      return { csrDer: request.csrDer, keyAlgorithm };
    }
    refuse(
      'cannot_hold_certificate',
      `the device can make none of the key types asked for (${keyAlgorithms.join(', ')}): ${exceptionAdvice}`,
      { exception: true },
    );
  }

  function issueCertificate(csrDer: Uint8Array): IssuedCertificate {
    const identity = progress.identity!;
    const name =
      progress.existing?.assetTag ??
      `${identity.model ?? progress.claim!.model} ${identity.serialNumber}`;
    try {
      return pki.issue({
        csr: csrDer,
        device: {
          uid: progress.deviceUid!,
          name: truncate(name.trim(), 64),
          serialNumber: identity.serialNumber,
        },
      });
    } catch (error) {
      if (error instanceof WardkeepFailure) {
        refuse('certificate_refused', `the console's CA refused the request: ${error.message}`);
      }
      throw error;
    }
  }

  function verifyConfirmation(statement: SignedStatement, certificateDer: Uint8Array): void {
    const publicKey = new X509Certificate(certificateDer).publicKey;
    if (
      !verifySignature({
        publicKey,
        algorithm: statement.signatureAlgorithm,
        message: statement.signedBytes,
        signature: statement.signature,
      })
    ) {
      refuse(
        'confirmation_invalid',
        'the confirmation does not verify with the issued certificate: nothing is committed',
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Commit and the other ends.

  function upsertDevice(
    lifecycleState: LifecycleState,
    note: string | null,
  ): { uid: string; created: boolean } {
    const identity = progress.identity!;
    const uid = progress.deviceUid!;
    const at = new Date(clock.nowMs()).toISOString();
    return devices.transaction(() => {
      const existing = devices.findByIdentity({
        manufacturerKey: progress.manufacturerKey!,
        serialNumber: identity.serialNumber,
      });
      const notes =
        note === null
          ? (existing?.notes ?? null)
          : truncate(existing?.notes ? `${note}\n${existing.notes}` : note, 4000);
      const fields: StoredDeviceFields = {
        assetTag: existing?.assetTag ?? null,
        manufacturer: existing?.manufacturer ?? identity.manufacturer,
        manufacturerKey: progress.manufacturerKey!,
        model: identity.model ?? progress.claim!.model,
        serialNumber: identity.serialNumber,
        udiDeviceIdentifier: existing?.udiDeviceIdentifier ?? null,
        udiProductionIdentifier: existing?.udiProductionIdentifier ?? null,
        udiIssuer: existing?.udiIssuer ?? null,
        deviceClass: existing?.deviceClass ?? options.deviceClass ?? 'other',
        criticality: existing?.criticality ?? 'unassessed',
        site: existing?.site ?? null,
        building: existing?.building ?? null,
        floor: existing?.floor ?? null,
        room: existing?.room ?? null,
        bed: existing?.bed ?? null,
        department: existing?.department ?? null,
        macAddress: existing?.macAddress ?? null,
        ipAddress: existing?.ipAddress ?? null,
        hostname: existing?.hostname ?? null,
        firmwareVersion: progress.firmware?.version ?? existing?.firmwareVersion ?? null,
        lifecycleState,
        endOfLife: existing?.endOfLife ?? null,
        notes,
      };
      if (existing) {
        devices.updateDevice(existing.id, fields, at);
        return { uid: existing.uid, created: false };
      }
      devices.insertDevice(uid, fields, at);
      return { uid, created: true };
    });
  }

  function commit(): ProvisionedOutcome {
    const certificate = progress.certificate!;
    const placement = progress.placement!;
    const identity = progress.identity!;
    const stale = staleCertificates(certificate.serial);
    return audit(
      (outcome: ProvisionedOutcome) => ({
        action: 'provision.device.commit',
        target: `device:${outcome.deviceUid}`,
        outcome: 'success',
        reason: null,
        details: {
          ...deviceDetails(),
          certificateSerial: outcome.certificate.serial,
          certificateFingerprint: outcome.certificate.fingerprintSha256,
          zoneId: outcome.zoneId,
          vlan: outcome.vlan,
          deviceCreated: outcome.deviceCreated,
          reconciled: outcome.reconciled,
          releasedFromQuarantine: progress.existing?.lifecycleState === 'quarantined',
          ...(stale.length > 0 ? { earlierInDoubtAbandoned: stale } : {}),
          protocol: driver.protocol,
          attemptId,
        },
      }),
      () => {
        const confirmed = pki.confirm(certificate.serial);
        const { uid, created } = upsertDevice('in_service', null);
        if (network && network.current().assignments[uid] !== placement.zoneId) {
          network.assignDevice(uid, placement.zoneId, {
            actor: options.actor ?? 'wardkeep provisioning',
            reason: `bedside provisioning of ${identity.manufacturer} ${identity.serialNumber} (VLAN ${placement.vlan})`,
          });
        }
        records.bind({
          deviceUid: uid,
          manufacturerKey: progress.manufacturerKey!,
          serialNumber: identity.serialNumber,
          idevidFingerprintSha256: identity.fingerprintSha256,
          boundAtMs: clock.nowMs(),
        });
        for (const serial of stale) pki.abandon(serial);
        records.recordAttempt(
          attemptRow({
            outcome: 'provisioned',
            step: 'commit',
            code: null,
            reason: null,
            deviceUid: uid,
            certificateSerial: certificate.serial,
            certificateState: 'committed',
          }),
        );
        return {
          ...base(),
          status: 'provisioned',
          deviceUid: uid,
          certificate: {
            serial: confirmed.serial,
            fingerprintSha256: confirmed.fingerprintSha256,
            notAfter: confirmed.notAfter,
            keyAlgorithm: confirmed.keyAlgorithm,
          },
          zoneId: placement.zoneId,
          vlan: placement.vlan,
          deviceCreated: created,
          reconciled: progress.reconciling,
        } satisfies ProvisionedOutcome;
      },
    );
  }

  /** Whether the device may have committed the certificate: CONFIRM went out, no answer came. */
  function inDoubt(stop: Stop): boolean {
    if (!progress.certificate) return false;
    if (progress.step === 'commit') return true;
    if (progress.step !== 'confirm') return progress.reconciling && stop.status === 'failed';
    return (
      stop.status === 'failed' &&
      (stop.code === 'timeout' ||
        stop.code === 'cable_pulled' ||
        stop.code === 'protocol_error' ||
        stop.code === 'internal')
    );
  }

  function finishStopped(stop: Stop, step: ProvisioningStep): RefusedOutcome | FailedOutcome {
    const certificate = progress.certificate;
    const held = certificate !== undefined && inDoubt(stop);
    const abandon = certificate !== undefined && !held ? certificate.serial : null;
    const quarantine =
      stop.status === 'refused' &&
      stop.extra.quarantine === true &&
      progress.deviceUid !== undefined;
    const stale = staleCertificates(certificate?.serial ?? null);
    const outcome: RefusedOutcome | FailedOutcome =
      stop.status === 'refused'
        ? {
            ...base(),
            status: 'refused',
            step,
            code: stop.code as RefusalCode,
            reason: stop.message,
            quarantined: quarantine,
            exceptionSuggested: stop.extra.exception === true,
            deviceCode: stop.extra.deviceCode ?? null,
          }
        : {
            ...base(),
            status: 'failed',
            step,
            code: stop.code as FailureCode,
            reason: stop.message,
            certificateInDoubt: held ? certificate.serial : null,
          };
    audit(
      {
        action: stop.status === 'refused' ? 'provision.device.refuse' : 'provision.device.fail',
        target: auditTarget(),
        outcome: 'failure',
        reason: truncate(stop.message, 2000),
        details: {
          ...deviceDetails(),
          code: stop.code,
          step,
          ...(stop.extra.deviceCode ? { deviceCode: stop.extra.deviceCode } : {}),
          ...(quarantine ? { quarantined: true } : {}),
          ...(abandon ? { certificateAbandoned: abandon } : {}),
          ...(held ? { certificateInDoubt: certificate.serial } : {}),
          ...(stale.length > 0 ? { earlierInDoubtAbandoned: stale } : {}),
          protocol: driver.protocol,
          attemptId,
        },
      },
      () => {
        if (quarantine) {
          upsertDevice(
            'quarantined',
            truncate(
              `Quarantined by bedside provisioning on ${new Date(clock.nowMs()).toISOString().slice(0, 10)}: ${stop.message}`,
              1000,
            ),
          );
        }
        if (abandon) pki.abandon(abandon);
        for (const serial of stale) pki.abandon(serial);
        records.recordAttempt(
          attemptRow({
            outcome: stop.status,
            step,
            code: stop.code,
            reason: truncate(stop.message, 2000),
            ...(certificate
              ? {
                  certificateSerial: certificate.serial,
                  certificateState: held ? 'in_doubt' : 'abandoned',
                }
              : {}),
          }),
        );
      },
    );
    return outcome;
  }

  // -------------------------------------------------------------------------------------------
  // The steps.

  async function run(): Promise<ProvisionedOutcome> {
    sweepInDoubt();
    await step(
      'connect',
      () => driver.connect(),
      (value) =>
        `protocol version ${value.protocolVersion}; the device is ${value.state === 'factory' ? 'not provisioned yet' : 'provisioned already'}`,
    );
    const claim = await step(
      'identify',
      async () => {
        const value = await driver.identify();
        progress.claim = value;
        if (value.idevidChainDer.length === 0) {
          refuse(
            'cannot_hold_certificate',
            `the device presents no manufacturer identity (IDevID) and cannot hold a certificate: ${exceptionAdvice}`,
            { exception: true },
          );
        }
        return value;
      },
      (value) => `${value.manufacturer} ${value.model}, serial ${value.serialNumber}`,
    );
    const attestation = await step(
      'authenticate',
      async () => {
        const value = await driver.attest('idevid');
        verifyIdentity(claim, value);
        return value;
      },
      () =>
        `genuine: the IDevID chains to ${progress.identity!.manufacturer}'s trusted CA, the device signed a fresh challenge with it, and its serial matches the certificate`,
    );
    await step(
      'firmware',
      () => checkFirmware(attestation),
      () => `firmware ${attestation.firmwareVersion} is on the approved baseline`,
    );
    const identity = progress.identity!;
    const device: IdentifiedDevice = {
      deviceUid: progress.deviceUid!,
      manufacturer: identity.manufacturer,
      model: identity.model ?? claim.model,
      serialNumber: identity.serialNumber,
      firmwareVersion: attestation.firmwareVersion,
      inventoryState: progress.existing?.lifecycleState ?? null,
      currentZoneId: progress.currentZoneId ?? null,
    };
    emit({ kind: 'device.identified', device });

    const reconcilable = findReconcilable(claim);
    if (reconcilable) return reconcile(reconcilable);

    progress.placement = await step(
      'placement',
      () => resolvePlacement(device),
      (value) => `zone ${value.zoneId}, VLAN ${value.vlan}`,
    );
    const request = await step(
      'csr',
      requestCsr,
      (value) =>
        `the device made a new ${value.keyAlgorithm} key and signed its CSR with its IDevID`,
    );
    const issued = await step(
      'issue',
      async () => {
        const value = issueCertificate(request.csrDer);
        progress.certificate = { serial: value.record.serial };
        await driver.deliver({
          certificates: [value.certificateDer, ...value.chainDer],
          trustAnchors: value.trustAnchorsDer,
          zoneId: progress.placement!.zoneId,
          vlan: progress.placement!.vlan,
        });
        return value;
      },
      (value) =>
        `certificate ${value.record.serial} issued (pending until the device confirms) and staged by the device`,
    );
    await step(
      'install',
      () => driver.install(),
      () => "written to the device's inactive slot; its fail-safe timer is running",
    );
    await step(
      'confirm',
      async () => verifyConfirmation(await driver.confirm(), issued.certificateDer),
      () => 'the device signed the confirmation with its new key and switched to it',
    );
    return step(
      'commit',
      commit,
      (value) =>
        `certificate active, device ${value.deviceUid} in service in zone ${value.zoneId} (VLAN ${value.vlan})`,
    );
  }

  /** A pending certificate of ours that the device says it committed: section 10.3. */
  function findReconcilable(claim: DeviceIdentityClaim): CertificateRecord | null {
    if (claim.committedCertificateSha256 === null) return null;
    const record = pki.findCertificateByFingerprint(claim.committedCertificateSha256);
    if (!record || record.status !== 'pending') return null;
    if (record.deviceSerial !== progress.identity!.serialNumber) return null;
    const existingUid = progress.existing?.uid;
    if (existingUid !== undefined && record.deviceUid !== existingUid) return null;
    return record;
  }

  async function reconcile(record: CertificateRecord): Promise<ProvisionedOutcome> {
    const bundle = pki.certificateBundle(record.serial);
    progress.reconciling = true;
    progress.deviceUid = record.deviceUid;
    const earlier = records.attemptForCertificate(record.serial);
    progress.placement =
      earlier?.zoneId && earlier.vlan !== null
        ? { zoneId: earlier.zoneId, vlan: earlier.vlan }
        : await resolvePlacement({
            deviceUid: record.deviceUid,
            manufacturer: progress.identity!.manufacturer,
            model: progress.identity!.model ?? progress.claim!.model,
            serialNumber: progress.identity!.serialNumber,
            firmwareVersion: progress.firmware!.version,
            inventoryState: progress.existing?.lifecycleState ?? null,
            currentZoneId: progress.currentZoneId ?? null,
          });
    // Only now is the certificate this session's to commit or to leave in doubt.
    progress.certificate = { serial: record.serial };
    await step(
      'confirm',
      async () => {
        const attestation = await driver.attest('ldevid');
        verifyConfirmation(attestation, bundle.certificateDer);
      },
      () =>
        `the device already committed certificate ${record.serial} in an earlier session whose answer was lost; it proved it holds the key`,
    );
    return step(
      'commit',
      commit,
      (value) =>
        `certificate active, device ${value.deviceUid} in service in zone ${value.zoneId} (VLAN ${value.vlan})`,
    );
  }

  /** The step a stop names: the one under way, or, between two steps, the one it came before. */
  function stoppedAt(stop: Stop | null): ProvisioningStep {
    if (stop?.extra.before !== undefined) return stop.extra.before;
    if (!progress.passed) return progress.step;
    return provisioningSteps[provisioningSteps.indexOf(progress.step) + 1] ?? progress.step;
  }

  /** A stop for what was not one: a cancel that broke off work between steps, or a defect. */
  function stopFor(error: unknown, at: ProvisioningStep): Stop {
    const message = error instanceof Error ? error.message : String(error);
    if (options.signal?.aborted) {
      return new Stop(
        'failed',
        'cancelled',
        `cancelled by the operator ${progress.passed ? 'before' : 'while'} ${stepWords[at]}`,
        { abort: 'operator_cancelled' },
      );
    }
    log.error('provisioning session failed unexpectedly', { step: at, error: message });
    return new Stop('failed', 'internal', `${stepWords[at]} failed: ${message}`, {
      abort: 'internal',
    });
  }

  let outcome: ProvisioningOutcome;
  try {
    outcome = await run();
  } catch (error) {
    const at = stoppedAt(error instanceof Stop ? error : null);
    const stop = error instanceof Stop ? error : stopFor(error, at);
    emit({
      kind: 'step.failed',
      step: at,
      code: stop.code,
      reason: stop.message,
      atMs: clock.nowMs(),
    });
    try {
      outcome = finishStopped(stop, at);
    } catch (recordError) {
      log.error('provisioning outcome could not be recorded', {
        error: recordError instanceof Error ? recordError.message : String(recordError),
      });
      outcome = {
        ...base(),
        status: 'failed',
        step: at,
        code: 'internal',
        reason: `${stop.message}; the outcome could not be recorded: ${recordError instanceof Error ? recordError.message : String(recordError)}`,
        certificateInDoubt: progress.certificate?.serial ?? null,
      };
    }
    const abortReason =
      stop.extra.abort === undefined
        ? stop.status === 'refused'
          ? abortFor(stop.code as RefusalCode)
          : 'internal'
        : stop.extra.abort;
    if (abortReason !== null) await driver.abort(abortReason, truncate(stop.message, 256));
  } finally {
    driver.close();
  }
  emit({ kind: 'finished', outcome });
  log.info('provisioning session ended', {
    attemptId,
    status: outcome.status,
    ...(outcome.status === 'provisioned' ? {} : { step: outcome.step, outcomeCode: outcome.code }),
  });
  return outcome;
}
