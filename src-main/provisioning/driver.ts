// What the console asks of a device during bedside provisioning, whatever protocol it speaks:
// open, identify, attest, make a key and CSR, take an issue bundle, install it under a fail-safe,
// confirm with the new key, or abort. Drivers hide frames and messages; they hand the session the
// exact bytes each signature covers, built from values the console chose (session id, challenges,
// nonces), so the session verifies signatures without knowing the protocol.
import type { ByteStream } from './stream';

/** One operation of a driver; the session's steps map onto these. */
export type DriverOperation =
  | 'connect'
  | 'identify'
  | 'attest'
  | 'requestCertificate'
  | 'deliver'
  | 'install'
  | 'confirm'
  | 'abort';

/** The device's state when the session opened. */
export interface DeviceHello {
  /** `provisioned`: the device holds a committed local identity (LDevID). */
  state: 'factory' | 'provisioned';
  /** The protocol version both sides use. */
  protocolVersion: number;
}

/** What the device says it is; nothing here is believed until the attestation verifies. */
export interface DeviceIdentityClaim {
  manufacturer: string;
  model: string;
  serialNumber: string;
  hardwareVersion: string | null;
  udiDeviceIdentifier: string | null;
  /** DER: the IDevID first, then intermediates up to (not including) the manufacturer's root. */
  idevidChainDer: Uint8Array[];
  /** SHA-256 (hex) of the committed LDevID certificate, when the device holds one. */
  committedCertificateSha256: string | null;
}

export type AttestationKey = 'idevid' | 'ldevid';

/** The algorithms a signature from a device may use (the PKI's names). */
export type DeviceSignatureAlgorithm =
  'ecdsa-p256-sha256' | 'ed25519' | 'rsa-pss-sha256' | 'rsa-pkcs1-sha256';

/** The key kinds a device may be asked to generate for its LDevID. */
export type DeviceKeyAlgorithm = 'ec-p256' | 'ed25519' | 'rsa-2048';

/** A signature and the exact bytes it covers. */
export interface SignedStatement {
  signatureAlgorithm: DeviceSignatureAlgorithm;
  signature: Uint8Array;
  /** Built by the driver from the console's fresh values and the device's answer. */
  signedBytes: Uint8Array;
}

export interface DeviceAttestation extends SignedStatement {
  key: AttestationKey;
  firmwareVersion: string;
  /** SHA-256 (hex) of the running firmware image. */
  firmwareSha256: string;
}

export interface DeviceCertificateRequest extends SignedStatement {
  keyAlgorithm: DeviceKeyAlgorithm;
  /** PKCS#10, DER, signed by the new key; `signature` is the IDevID's over `signedBytes`. */
  csrDer: Uint8Array;
}

/** What the device is given to stage: its certificate and chain, trust anchors, its network. */
export interface IssueBundle {
  /** DER: the LDevID first, then the issuing CA chain (not the root). */
  certificates: Uint8Array[];
  /** DER self-signed roots the device trusts on the hospital network. */
  trustAnchors: Uint8Array[];
  zoneId: string;
  vlan: number;
}

/** Why the console ends a session, in the words a device log keeps. */
export type AbortReason =
  | 'operator_cancelled'
  | 'step_timeout'
  | 'firmware_rejected'
  | 'identity_rejected'
  | 'attestation_invalid'
  | 'csr_rejected'
  | 'confirmation_invalid'
  | 'internal';

export type DriverEvent =
  /** An attempt of an operation went out (attempt > 1: a retransmission). */
  | { kind: 'attempt'; operation: DriverOperation; attempt: number; timeoutMs: number }
  /** Damaged or stray bytes on the line, recovered by retransmission. */
  | { kind: 'noise'; reason: string };

export interface DriverStats {
  requests: number;
  retransmissions: number;
  framesRejected: number;
}

/**
 * A device on the other end of a line. Each call settles once: with its result, or with a
 * WardkeepFailure whose details carry `{ operation }` and
 *   provision.refused  — the device declined (details.deviceCode: the protocol's error code name,
 *                        e.g. `in_clinical_use`, `unsupported_algorithm`, `attestation_unavailable`);
 *   provision.timeout  — no answer after every retransmission;
 *   provision.port     — the line went away (a pulled cable, a closed port);
 *   provision.protocol — an answer that breaks the protocol (wrong kind, malformed, wrong digest).
 * Calls are made one at a time, in the order above; a driver need not accept others.
 */
export interface ProvisioningDriver {
  /** A stable name for logs and the attempt history, e.g. `wardkeep-reference-v1`. */
  readonly protocol: string;
  connect(): Promise<DeviceHello>;
  identify(): Promise<DeviceIdentityClaim>;
  /** A fresh challenge signed by `key`, with the firmware the device runs. */
  attest(key: AttestationKey): Promise<DeviceAttestation>;
  /** The device makes a new key pair of `keyAlgorithm` (kept pending) and a CSR for it. */
  requestCertificate(keyAlgorithm: DeviceKeyAlgorithm): Promise<DeviceCertificateRequest>;
  /** The device checks and stages the bundle; nothing is committed. */
  deliver(bundle: IssueBundle): Promise<void>;
  /** The device writes the staged bundle to its inactive slot and arms its fail-safe timer. */
  install(): Promise<void>;
  /** The device signs with the new key and commits: the one step that changes it for good. */
  confirm(): Promise<SignedStatement>;
  /** Tells the device to discard everything pending. Never throws; false if not acknowledged. */
  abort(reason: AbortReason, detail?: string): Promise<boolean>;
  /** Stops using the line; the caller closes the port. */
  close(): void;
  readonly stats: Readonly<DriverStats>;
}

export interface DriverOptions {
  onEvent?: (event: DriverEvent) => void;
}

/** Makes a driver over an open line; each vendor protocol registers one under its name. */
export type DriverFactory = (stream: ByteStream, options: DriverOptions) => ProvisioningDriver;
