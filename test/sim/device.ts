// A simulated medical device speaking the reference provisioning protocol as a vendor would
// implement it from docs/provisioning-protocol.md: the section 9 state machine, the section 10
// commitment rules (a pending key and staged bundle in RAM, an inactive slot under a fail-safe
// timer, one atomic switch on CONFIRM) and the section 11.2 checks. The device outlives its
// connections, so a test can pull the cable, plug it in again and see what the device kept.
import type { KeyObject } from 'node:crypto';
import { constants, createPublicKey, generateKeyPair, sign, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { createCertificationRequest } from '../../src-main/pki/csr';
import { oids } from '../../src-main/pki/der';
import type {
  KeyAlgorithm,
  Message,
  RequestKind,
  RequestMessage,
  ResponseMessage,
  SignatureAlgorithm,
} from '../../src-main/provisioning/messages';
import {
  attestationStatement,
  bundleSha256,
  confirmationStatement,
  csrStatement,
  encodeMessage,
  messageTypes,
} from '../../src-main/provisioning/messages';
import type { Responder, ResponderEvent } from '../../src-main/provisioning/responder';
import { createResponder, errorAnswer } from '../../src-main/provisioning/responder';
import type { Scheduler } from '../../src-main/provisioning/scheduler';
import { realScheduler } from '../../src-main/provisioning/scheduler';
import type { ByteStream } from '../../src-main/provisioning/stream';
import type { LineFault, LineFaultPlan } from './line';
import { createFaultyLine } from './line';
import type { Idevid } from './manufacturer';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Section 9: a session ends after 120 s without a valid request. */
export const idleTimeoutMs = 120_000;

export interface SimulatedDeviceSpec {
  /** The personality, for logs. */
  label: string;
  manufacturer: string;
  model: string;
  /** The serial the device reports (a clone reports one its IDevID does not name). */
  serialNumber: string;
  hardwareVersion?: string;
  /** Null: a legacy device with no manufacturer identity, which cannot hold a certificate. */
  idevid: Idevid | null;
  firmware: { version: string; sha256: string };
  /** Key types the device can make for its LDevID; empty for a device without crypto. */
  keyAlgorithms: readonly KeyAlgorithm[];
  /** The request payload limit declared in HELLO_REPLY. */
  maxPayload?: number;
  /** Refuses to change its identity while treating a patient (section 9). */
  inClinicalUse?: boolean;
}

export type DeviceSessionState =
  'idle' | 'open' | 'attested' | 'key_pending' | 'staged' | 'installed';

/** What the device holds for good: its committed local identity. */
export interface CommittedIdentity {
  certificateDer: Uint8Array;
  chainDer: Uint8Array[];
  trustAnchorsDer: Uint8Array[];
  zoneId: string;
  vlan: number;
  certificateSha256: string;
  privateKey: KeyObject;
  keyAlgorithm: KeyAlgorithm;
}

export interface DeviceSnapshot {
  state: DeviceSessionState;
  committed: { certificateSha256: string; zoneId: string; vlan: number } | null;
  pendingKey: boolean;
  stagedBundle: boolean;
  inactiveSlot: boolean;
  failSafeArmed: boolean;
}

export type DeviceEvent =
  | { kind: 'request'; request: RequestKind }
  | { kind: 'state'; from: DeviceSessionState; to: DeviceSessionState }
  /** A new key and its CSR (what a retransmitted CSR_REQUEST gets again, from the cache). */
  | { kind: 'csr'; csrDer: Uint8Array }
  | { kind: 'committed'; certificateSha256: string }
  /** A session ended with something pending, which was discarded. */
  | { kind: 'reverted'; why: string }
  | { kind: 'cablePulled'; step: RequestKind; phase: 'before' | 'after' }
  | { kind: 'fault'; fault: LineFault }
  | { kind: 'detached' };

export interface CablePull {
  step: RequestKind;
  /** `before`: the request arrives and the cable goes; `after`: the device acts, then it goes. */
  phase: 'before' | 'after';
  /** Cuts the line (kills socat, closes the port); the device never answers this request. */
  pull(): Promise<void>;
}

export interface AttachOptions {
  pullCableAt?: CablePull;
  line?: LineFaultPlan;
  /** Holds answers to this line speed (bytes per second), as a real UART would. */
  paceBytesPerSecond?: number;
  onResponderEvent?: (event: ResponderEvent) => void;
}

export interface Attachment {
  responder: Responder;
  /** Resolves when the line went away and the device ended its session. */
  detached: Promise<void>;
}

export interface SimulatedDevice {
  readonly spec: SimulatedDeviceSpec;
  /** Starts answering on `stream`; the device notices the stream closing as its idle timer would. */
  attach(stream: ByteStream, options?: AttachOptions): Attachment;
  snapshot(): DeviceSnapshot;
  /** The committed identity, as the device would use it on the network. */
  committed(): CommittedIdentity | null;
  /** A power cut: RAM is lost and a pending inactive slot is erased at boot; the committed stays. */
  powerCycle(): void;
  /** Every request the device saw, in order (duplicates answered from cache are not included). */
  readonly requests: readonly RequestKind[];
  on(listener: (event: DeviceEvent) => void): () => void;
}

export interface DeviceOptions {
  /** Idle and fail-safe timers. */
  scheduler?: Scheduler;
}

interface Pending {
  privateKey: KeyObject;
  keyAlgorithm: KeyAlgorithm;
}

interface Staged {
  message: Message<'issue'>;
  sha256: Uint8Array;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function signatureAlgorithmOf(key: KeyObject): SignatureAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return 'ecdsa-p256-sha256';
    case 'ed25519':
      return 'ed25519';
    default:
      return 'rsa-pss-sha256';
  }
}

/** Signs as the protocol says: ECDSA DER, RSA-PSS (salt 32) for new keys, PKCS#1 for an RSA IDevID. */
function signStatement(
  key: KeyObject,
  data: Uint8Array,
  algorithm: SignatureAlgorithm,
): Uint8Array {
  switch (algorithm) {
    case 'ecdsa-p256-sha256':
      return sign('sha256', data, { key, dsaEncoding: 'der' });
    case 'ed25519':
      return sign(null, data, key);
    case 'rsa-pss-sha256':
      return sign('sha256', data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
    case 'rsa-pkcs1-sha256':
      return sign('sha256', data, key);
  }
}

async function newKey(algorithm: KeyAlgorithm): Promise<KeyObject> {
  switch (algorithm) {
    case 'ec-p256':
      return (await generateKeyPairAsync('ec', { namedCurve: 'P-256' })).privateKey;
    case 'rsa-2048':
      return (await generateKeyPairAsync('rsa', { modulusLength: 2048 })).privateKey;
    case 'ed25519':
      return (await generateKeyPairAsync('ed25519')).privateKey;
  }
}

function spki(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: 'der', type: 'spki' });
}

/** Section 11.2 item 3: the bundle holds the pending key and chains to one of its anchors. */
function bundleProblem(message: Message<'issue'>, pending: Pending): ResponseMessage | null {
  const refuse = (code: 'certificate_rejected' | 'trust_anchor_rejected', detail: string) =>
    errorAnswer(messageTypes.issue, code, detail);
  let certificates: X509Certificate[];
  let anchors: X509Certificate[];
  try {
    certificates = message.certificates.map((der) => new X509Certificate(der));
  } catch {
    return refuse('certificate_rejected', 'a certificate cannot be read');
  }
  try {
    anchors = message.trustAnchors.map((der) => new X509Certificate(der));
  } catch {
    return refuse('trust_anchor_rejected', 'a trust anchor cannot be read');
  }
  for (const [index, anchor] of anchors.entries()) {
    if (!anchor.ca || !anchor.checkIssued(anchor) || !anchor.verify(anchor.publicKey)) {
      return refuse('trust_anchor_rejected', `trust anchor ${index + 1} is not a self-signed CA`);
    }
  }
  const leaf = certificates[0]!;
  if (!leaf.publicKey.export({ format: 'der', type: 'spki' }).equals(spki(pending.privateKey))) {
    return refuse('certificate_rejected', 'the certificate does not hold the pending key');
  }
  let current = leaf;
  const intermediates = certificates.slice(1);
  for (let depth = 0; depth < 8; depth++) {
    const anchor = anchors.find(
      (candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey),
    );
    if (anchor) return null;
    const next = intermediates.find(
      (candidate) =>
        candidate.ca && current.checkIssued(candidate) && current.verify(candidate.publicKey),
    );
    if (!next) break;
    current = next;
  }
  return refuse('certificate_rejected', 'the chain does not verify to a trust anchor');
}

export function createSimulatedDevice(
  spec: SimulatedDeviceSpec,
  options: DeviceOptions = {},
): SimulatedDevice {
  const scheduler = options.scheduler ?? realScheduler;
  const listeners = new Set<(event: DeviceEvent) => void>();
  const requests: RequestKind[] = [];
  let state: DeviceSessionState = 'idle';
  let sessionId: Uint8Array | null = null;
  let pending: Pending | null = null;
  let staged: Staged | null = null;
  let inactiveSlot: { staged: Staged; pending: Pending } | null = null;
  let committed: CommittedIdentity | null = null;
  let failSafeExpired = false;
  let cancelFailSafe: (() => void) | null = null;
  let cancelIdle: (() => void) | null = null;

  function emit(event: DeviceEvent): void {
    for (const listener of listeners) listener(event);
  }

  function moveTo(next: DeviceSessionState): void {
    if (next === state) return;
    const from = state;
    state = next;
    emit({ kind: 'state', from, to: next });
  }

  /**
   * Ends the session; anything not committed is discarded (RAM and the inactive slot). `lapsed`:
   * ended by a timer or silence rather than by the console, so a late CONFIRM is told the
   * fail-safe expired.
   */
  function endSession(why: string, lapsed = false): void {
    const hadPending = pending !== null || staged !== null || inactiveSlot !== null;
    if (lapsed && inactiveSlot !== null) failSafeExpired = true;
    pending = null;
    staged = null;
    inactiveSlot = null;
    sessionId = null;
    cancelFailSafe?.();
    cancelFailSafe = null;
    cancelIdle?.();
    cancelIdle = null;
    moveTo('idle');
    if (hadPending) emit({ kind: 'reverted', why });
  }

  function touchIdleTimer(): void {
    cancelIdle?.();
    cancelIdle = scheduler.setTimer(idleTimeoutMs, () => {
      cancelIdle = null;
      endSession('idle timer: no request for 120 s', true);
    });
  }

  function unexpected(request: RequestMessage): ResponseMessage {
    return errorAnswer(
      messageTypes[request.kind],
      'unexpected_message',
      `${request.kind} is not allowed in state ${state}`,
    );
  }

  async function handle(request: RequestMessage): Promise<ResponseMessage> {
    const type = messageTypes[request.kind];
    if (request.kind !== 'hello' && request.kind !== 'abort' && state === 'idle') {
      if (request.kind === 'confirm' && failSafeExpired) {
        return errorAnswer(
          type,
          'fail_safe_expired',
          'the fail-safe timer fired; the device reverted',
        );
      }
      return unexpected(request);
    }
    if (state !== 'idle') touchIdleTimer();
    const changesIdentity =
      request.kind === 'csrRequest' ||
      request.kind === 'issue' ||
      request.kind === 'install' ||
      request.kind === 'confirm';
    if (changesIdentity && spec.inClinicalUse) {
      return errorAnswer(type, 'in_clinical_use', 'the device is in use on a patient');
    }
    switch (request.kind) {
      case 'hello': {
        if (request.minVersion > 1 || request.maxVersion < 1) {
          return { ...errorAnswer(type, 'version_unsupported'), minVersion: 1, maxVersion: 1 };
        }
        endSession('a new session began');
        failSafeExpired = false;
        sessionId = request.sessionId;
        moveTo('open');
        touchIdleTimer();
        return {
          kind: 'helloReply',
          version: 1,
          maxPayload: spec.maxPayload ?? 32_768,
          state: committed ? 'provisioned' : 'factory',
        };
      }
      case 'identify': {
        if (!spec.idevid) {
          return errorAnswer(
            type,
            'attestation_unavailable',
            'no IDevID: this device has no manufacturer identity and cannot hold a certificate',
          );
        }
        return {
          kind: 'identity',
          manufacturer: spec.manufacturer,
          model: spec.model,
          serialNumber: spec.serialNumber,
          ...(spec.hardwareVersion ? { hardwareVersion: spec.hardwareVersion } : {}),
          idevidCertificates: spec.idevid.chainDer,
          ...(committed
            ? { ldevidCertificateSha256: Buffer.from(committed.certificateSha256, 'hex') }
            : {}),
        };
      }
      case 'attest': {
        const key = request.key === 'idevid' ? spec.idevid?.privateKey : committed?.privateKey;
        if (!key) {
          return errorAnswer(
            type,
            'attestation_unavailable',
            `this device has no ${request.key} key`,
          );
        }
        const signatureAlgorithm =
          request.key === 'idevid' && key.asymmetricKeyType === 'rsa'
            ? 'rsa-pkcs1-sha256'
            : signatureAlgorithmOf(key);
        const firmwareSha256 = Buffer.from(spec.firmware.sha256, 'hex');
        const signature = signStatement(
          key,
          attestationStatement({
            sessionId: sessionId!,
            challenge: request.challenge,
            key: request.key,
            signatureAlgorithm,
            firmwareSha256,
            firmwareVersion: spec.firmware.version,
          }),
          signatureAlgorithm,
        );
        if (request.key === 'idevid' && state === 'open') moveTo('attested');
        return {
          kind: 'attestation',
          firmwareVersion: spec.firmware.version,
          firmwareSha256,
          signatureAlgorithm,
          signature,
        };
      }
      case 'csrRequest': {
        if (state !== 'attested' && state !== 'key_pending' && state !== 'staged') {
          return unexpected(request);
        }
        if (!spec.keyAlgorithms.includes(request.keyAlgorithm) || !spec.idevid) {
          return errorAnswer(
            type,
            'unsupported_algorithm',
            `this device cannot make ${request.keyAlgorithm} keys`,
          );
        }
        const privateKey = await newKey(request.keyAlgorithm);
        if (sessionId === null) return errorAnswer(type, 'internal', 'the session ended meanwhile');
        const csr = createCertificationRequest(privateKey, [
          { oid: oids.commonName, value: spec.model },
          { oid: oids.serialNumber, value: spec.serialNumber },
        ]);
        const idevidKey = spec.idevid.privateKey;
        const signatureAlgorithm =
          idevidKey.asymmetricKeyType === 'rsa'
            ? 'rsa-pkcs1-sha256'
            : signatureAlgorithmOf(idevidKey);
        pending = { privateKey, keyAlgorithm: request.keyAlgorithm };
        staged = null;
        moveTo('key_pending');
        emit({ kind: 'csr', csrDer: csr });
        return {
          kind: 'csr',
          csr,
          signatureAlgorithm,
          signature: signStatement(
            idevidKey,
            csrStatement({
              sessionId,
              nonce: request.nonce,
              keyAlgorithm: request.keyAlgorithm,
              signatureAlgorithm,
              csr,
            }),
            signatureAlgorithm,
          ),
        };
      }
      case 'issue': {
        if ((state !== 'key_pending' && state !== 'staged') || !pending) return unexpected(request);
        const problem = bundleProblem(request, pending);
        if (problem) return problem;
        const sha256 = bundleSha256(encodeMessage(request).payload);
        staged = { message: request, sha256 };
        moveTo('staged');
        return { kind: 'issueAccepted', bundleSha256: sha256 };
      }
      case 'install': {
        if (state !== 'staged' || !staged || !pending) return unexpected(request);
        if (hex(request.bundleSha256) !== hex(staged.sha256)) {
          return errorAnswer(type, 'bundle_mismatch', "bundleSha256 is not the staged bundle's");
        }
        inactiveSlot = { staged, pending };
        cancelFailSafe?.();
        cancelFailSafe = scheduler.setTimer(request.failSafeSeconds * 1000, () => {
          cancelFailSafe = null;
          endSession('fail-safe timer: not confirmed in time', true);
        });
        moveTo('installed');
        return { kind: 'installed', bundleSha256: staged.sha256 };
      }
      case 'confirm': {
        if (state !== 'installed' || !inactiveSlot || !sessionId) return unexpected(request);
        const slot = inactiveSlot;
        const signatureAlgorithm = signatureAlgorithmOf(slot.pending.privateKey);
        const signature = signStatement(
          slot.pending.privateKey,
          confirmationStatement({
            sessionId,
            nonce: request.nonce,
            signatureAlgorithm,
            bundleSha256: slot.staged.sha256,
          }),
          signatureAlgorithm,
        );
        const issue = slot.staged.message;
        // The atomic switch: the complete inactive slot becomes the active identity.
        committed = {
          certificateDer: issue.certificates[0]!,
          chainDer: issue.certificates.slice(1),
          trustAnchorsDer: issue.trustAnchors,
          zoneId: issue.zone,
          vlan: issue.vlan,
          certificateSha256: new X509Certificate(issue.certificates[0]!).fingerprint256
            .replaceAll(':', '')
            .toLowerCase(),
          privateKey: slot.pending.privateKey,
          keyAlgorithm: slot.pending.keyAlgorithm,
        };
        inactiveSlot = null;
        pending = null;
        staged = null;
        emit({ kind: 'committed', certificateSha256: committed.certificateSha256 });
        endSession('confirmed');
        return { kind: 'confirmed', signatureAlgorithm, signature };
      }
      case 'abort':
        endSession(`aborted by the console: ${request.code}`);
        return { kind: 'aborted' };
    }
  }

  return {
    spec,
    attach(port, attachOptions = {}) {
      const stream = attachOptions.line
        ? createFaultyLine(port, attachOptions.line, (fault) => emit({ kind: 'fault', fault }))
        : port;
      let closed = false;
      let markDetached: () => void = () => undefined;
      const detached = new Promise<void>((resolve) => (markDetached = resolve));
      const onGone = (): void => {
        if (closed) return;
        closed = true;
        // A device cannot sense a pulled cable; its idle timer would end the session. The
        // simulator ends it at once so a test need not wait 120 s.
        endSession('the line went away', true);
        emit({ kind: 'detached' });
        markDetached();
      };
      stream.once('close', onGone);
      stream.once('end', onGone);
      stream.on('error', onGone);
      let pulled = false;
      const responder = createResponder(stream, {
        ...(spec.maxPayload === undefined ? {} : { maxPayload: spec.maxPayload }),
        ...(attachOptions.paceBytesPerSecond === undefined
          ? {}
          : { paceBytesPerSecond: attachOptions.paceBytesPerSecond }),
        ...(attachOptions.onResponderEvent ? { onEvent: attachOptions.onResponderEvent } : {}),
        handler: async (request) => {
          requests.push(request.kind);
          emit({ kind: 'request', request: request.kind });
          const pull = attachOptions.pullCableAt;
          if (pull && !pulled && pull.step === request.kind) {
            pulled = true;
            if (pull.phase === 'after') await handle(request);
            emit({ kind: 'cablePulled', step: request.kind, phase: pull.phase });
            await pull.pull();
            // The far end of a dead PTY does not always see it close (it depends on which side
            // read last), so the device, which pulled the cable itself, stops here: never
            // answered, session ended.
            responder.close('the cable was pulled');
            onGone();
            return new Promise<never>(() => undefined);
          }
          return handle(request);
        },
      });
      return { responder, detached };
    },
    snapshot() {
      return {
        state,
        committed: committed
          ? {
              certificateSha256: committed.certificateSha256,
              zoneId: committed.zoneId,
              vlan: committed.vlan,
            }
          : null,
        pendingKey: pending !== null,
        stagedBundle: staged !== null,
        inactiveSlot: inactiveSlot !== null,
        failSafeArmed: cancelFailSafe !== null,
      };
    },
    committed: () => committed,
    powerCycle() {
      endSession('power cycle');
      failSafeExpired = false;
    },
    requests,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
