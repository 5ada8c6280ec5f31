// The PKI's public types: what the service takes and returns, for the provisioning protocol, the
// IPC handlers and the CLI. Times are UTC ISO strings; binary values are DER bytes or lowercase
// hex (serials, SHA-256 fingerprints). No type here carries a private key.
import type { SignatureAlgorithm } from './keys';

export type { SignatureAlgorithm };

/** RFC 5280 §5.3.1 reasons a certificate may be revoked with (no hold, no removeFromCRL). */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'privilegeWithdrawn';

export const revocationReasonCodes: Record<RevocationReason, number> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  privilegeWithdrawn: 9,
};

export const revocationReasons = Object.keys(revocationReasonCodes) as RevocationReason[];

/**
 * pending: issued, the device has not confirmed installing it (the fail-safe window).
 * active: confirmed. revoked: on the CRL. expired: past notAfter and never revoked.
 */
export type CertificateStatus = 'pending' | 'active' | 'revoked' | 'expired';

export interface CertificateRecord {
  /** 128-bit serial: 32 lowercase hex digits. */
  serial: string;
  deviceUid: string;
  deviceName: string;
  deviceSerial: string;
  subject: string;
  /** `rsa-2048`, `ec-p256`, `ed25519`, … */
  keyAlgorithm: string;
  /** SHA-256 (hex) of the certified SubjectPublicKeyInfo. */
  publicKeySha256: string;
  /** SHA-256 (hex) of the certificate DER. */
  fingerprintSha256: string;
  status: CertificateStatus;
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  confirmedAt: string | null;
  revokedAt: string | null;
  revocationReason: RevocationReason | null;
  /** Revoked while still pending: the device never confirmed it. */
  abandoned: boolean;
  /** The certificate this one renews, which its confirmation supersedes. */
  renewsSerial: string | null;
}

export interface DeviceForCertificate {
  /** The inventory's uid: urn:wardkeep:device:<uid> in subjectAltName. */
  uid: string;
  /** CN; at most 64 characters. */
  name: string;
  /** The manufacturer's serial: the serialNumber attribute and urn:wardkeep:serial:<serial>. */
  serialNumber: string;
}

export interface IssueRequest {
  /** PKCS#10, PEM text or DER bytes (PEM bytes are recognised too). */
  csr: string | Uint8Array;
  device: DeviceForCertificate;
}

export interface IssuedCertificate {
  record: CertificateRecord;
  /** True when this key and device had a live certificate, which is returned unchanged. */
  reissued: boolean;
  certificateDer: Uint8Array;
  certificatePem: string;
  /** The issuing CA and any intermediates, nearest first; not the root. */
  chainDer: Uint8Array[];
  /** The self-signed root(s) a device trusts the hospital network with. */
  trustAnchorsDer: Uint8Array[];
}

export interface CertificateFilter {
  deviceUid?: string;
  status?: CertificateStatus;
  /** Default 500, at most 5000. */
  limit?: number;
  offset?: number;
}

export interface ExpirySummary {
  within30Days: number;
  within60Days: number;
  within90Days: number;
  /** Expired without being revoked or renewed. */
  expired: number;
}

export interface AuthoritySummary {
  origin: 'local' | 'imported';
  subject: string;
  fingerprintSha256: string;
  keyAlgorithm: string;
  notBefore: string;
  notAfter: string;
  /** The issuing CA's issuers' subjects, nearest first; the last is the root. */
  chainSubjects: string[];
  installedAt: string;
}

export interface PkiPolicy {
  siteName: string | null;
  certificateValidityDays: number;
  crlValidityDays: number;
}

export interface PkiStatus {
  authority: AuthoritySummary | null;
  policy: PkiPolicy;
  trustAnchors: number;
  baseline: BaselineSummary | null;
  baselinePublisher: PublisherKeyInfo | null;
}

export interface PublishedCrl {
  crlNumber: number;
  thisUpdate: string;
  nextUpdate: string;
  revokedCount: number;
  der: Uint8Array;
  pem: string;
}

/**
 * A CRL signed but not yet recorded (see PkiService.prepareCrl). Holds no secret; it becomes
 * stale when a revocation or another CRL is recorded after it was prepared.
 */
export interface PreparedCrl extends PublishedCrl {
  authorityFingerprintSha256: string;
  revocationRevision: number;
}

// ---------------------------------------------------------------------------------------------
// Manufacturer trust and device identity (IEEE 802.1AR IDevID).

export interface TrustAnchorRecord {
  fingerprintSha256: string;
  manufacturer: string;
  subject: string;
  notAfter: string;
  importedAt: string;
}

export interface TrustImportReport {
  added: TrustAnchorRecord[];
  /** Fingerprints of certificates in the bundle that were already trusted. */
  alreadyTrusted: string[];
}

export type IdentityEvidence = {
  /** The exact bytes the device signed (e.g. the protocol's attestation statement). */
  challenge: Uint8Array;
  signature: Uint8Array;
  /** The serial number the device reported (and the inventory holds). */
  claimedSerial: string;
  /** Default: RSA PKCS#1 v1.5, ECDSA P-256 or Ed25519 by the IDevID key's type. */
  signatureAlgorithm?: SignatureAlgorithm;
} & (
  | {
      /** PEM: the IDevID first, then intermediates; the manufacturer CA may be included. */
      idevidChainPem: string;
    }
  | {
      /** DER certificates in the same order, as the provisioning protocol carries them. */
      idevidChainDer: readonly Uint8Array[];
    }
);

export type IdentityRefusalCode =
  'untrusted_manufacturer' | 'expired' | 'signature_invalid' | 'serial_mismatch' | 'malformed';

export interface VerifiedDeviceIdentity {
  /** The trusted manufacturer CA's manufacturer name (given at import, else its O= or CN=). */
  manufacturer: string;
  /** The IDevID subject's CN, when present. */
  model: string | null;
  serialNumber: string;
  subject: string;
  /** SHA-256 (hex) of the IDevID certificate DER. */
  fingerprintSha256: string;
  /** SPKI DER of the IDevID key: verifies the device's later statements (verifySignature). */
  publicKeySpkiDer: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  trustAnchorFingerprintSha256: string;
  notAfter: string;
}

export type IdentityVerdict =
  | { trusted: true; identity: VerifiedDeviceIdentity }
  | {
      trusted: false;
      code: IdentityRefusalCode;
      /** Plain words for the operator and the audit log, e.g. "serial mismatch: …". */
      reason: string;
    };

// ---------------------------------------------------------------------------------------------
// Firmware baselines.

export interface PublisherKeyInfo {
  fingerprintSha256: string;
  algorithm: 'ed25519' | 'ecdsa-p256-sha256' | 'rsa-pss-sha256';
  configuredAt: string;
}

export interface BaselineSummary {
  sequence: number;
  publisher: string;
  issuedAt: string;
  importedAt: string;
  models: number;
  approvedImages: number;
  publisherKeyFingerprintSha256: string;
}

export interface FirmwareReport {
  manufacturer: string;
  model: string;
  version: string;
  /** SHA-256 of the running image: 32 bytes or 64 hex digits. */
  sha256: string | Uint8Array;
}

export type FirmwareRefusalCode =
  'no_baseline' | 'unknown_model' | 'version_not_approved' | 'hash_mismatch';

export type FirmwareVerdict =
  | { approved: true; baselineSequence: number }
  | {
      approved: false;
      code: FirmwareRefusalCode;
      reason: string;
      /** The versions approved for this model (empty when the model is unknown). */
      approvedVersions: string[];
      baselineSequence: number | null;
    };
