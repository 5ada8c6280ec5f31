// Zod schemas of the bedside provisioning, PKI, trust and baseline channels: what the renderer may
// ask and what main answers. Pure zod; the handlers in src-main/provisioning/handlers.ts are typed
// against the result schemas (a field that differs does not compile), so the wizard,
// the certificate views and the CLI read exactly what main sends.
import { z } from 'zod';

const count = z.int().min(0);
const text = (max: number) => z.string().max(max);
export const FingerprintSchema = z
  .string()
  .regex(/^[0-9a-fA-F:]{64,95}$/, 'a SHA-256 fingerprint: 64 hex digits');
const certificateSerial = z.string().regex(/^[0-9a-f]{1,40}$/i, 'a certificate serial in hex');
const deviceUid = z.string().min(1).max(100);
const zoneId = z.string().min(1).max(64);
const vlanId = z.int().min(1).max(4094);
/** Files cross the boundary as text (PEM, JSON) or base64 (PKCS#12), never as paths. */
const pemText = z
  .string()
  .min(1)
  .max(4 * 1024 * 1024);

/** The steps the wizard shows, in order; a reconciliation (protocol 10.3) skips firmware → confirm. */
export const provisioningSteps = [
  'connect',
  'identify',
  'authenticate',
  'firmware',
  'placement',
  'csr',
  'issue',
  'install',
  'confirm',
  'commit',
] as const;

/** Why the console or the device said no; the device is as it was (or quarantined). */
export const refusalCodes = [
  // No IDevID, or no key it can make: a legacy device, for the documented exception flow.
  'cannot_hold_certificate',
  'untrusted_manufacturer',
  // The IDevID is valid but for another serial: a possible clone.
  'serial_mismatch',
  // The serial is already bound to a different IDevID: a possible clone.
  'clone',
  // The IDevID expired, is malformed, or names another model.
  'identity_invalid',
  'attestation_invalid',
  'firmware_not_approved',
  // An approved version whose image hash is not the approved one.
  'firmware_tampered',
  'baseline_missing',
  'csr_invalid',
  'certificate_refused',
  'confirmation_invalid',
  'device_decommissioned',
  'device_quarantined',
  'placement_invalid',
  // The device answered with an error (busy, in clinical use, rejected the bundle, ...).
  'device_refused',
] as const;

/** Why the session could not finish; nothing was committed. */
export const failureCodes = [
  'timeout',
  'cable_pulled',
  'protocol_error',
  'fail_safe_expired',
  'cancelled',
  'internal',
] as const;

export const revocationReasons = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const;

export const certificateStatuses = ['pending', 'active', 'revoked', 'expired'] as const;
export const authorityKeyAlgorithms = [
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'ecdsa-p256',
  'ecdsa-p384',
] as const;
export const lifecycleStateValues = [
  'received',
  'in_service',
  'quarantined',
  'decommissioned',
] as const;

// ---------------------------------------------------------------------------------------------
// Requests.

export const StartProvisioningSchema = z
  .object({
    portPath: z.string().min(1).max(4096),
    /** A fixed zone; without it the wizard is asked (`placement.needed`). */
    zoneId: zoneId.optional(),
    vlan: vlanId.optional(),
    /** Provision a device the inventory holds as quarantined: an explicit, audited decision. */
    releaseQuarantine: z.boolean().optional(),
  })
  .strict();

export const ChoosePlacementSchema = z
  .object({ sessionId: z.string().min(1).max(100), zoneId, vlan: vlanId.optional() })
  .strict();

export const ExceptionInputSchema = z
  .object({
    deviceUid,
    risk: text(2000).min(1),
    compensatingControls: z.array(text(500).min(1)).min(1).max(20),
    zoneId: zoneId.nullable().optional(),
    owner: text(200).min(1),
    reviewDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
  })
  .strict();

export const CreateAuthoritySchema = z
  .object({
    siteName: text(64).min(1),
    keyAlgorithm: z.enum(authorityKeyAlgorithms).optional(),
    rootValidityDays: z.int().min(1).max(36_500).optional(),
    issuingValidityDays: z.int().min(1).max(36_500).optional(),
  })
  .strict();

export const ImportAuthoritySchema = z
  .object({
    siteName: text(64).min(1),
    /** The PKCS#12 file, base64. */
    pkcs12Base64: z
      .string()
      .min(4)
      .max(8 * 1024 * 1024)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
    password: z.string().min(1).max(1024),
  })
  .strict();

export const CertificateQuerySchema = z
  .object({
    deviceUid: deviceUid.optional(),
    status: z.enum(certificateStatuses).optional(),
    limit: z.int().min(1).max(5000).optional(),
    offset: count.optional(),
  })
  .strict();

export const RevokeCertificateSchema = z
  .object({ serial: certificateSerial, reason: z.enum(revocationReasons) })
  .strict();

export const TrustImportSchema = z
  .object({ pem: pemText, manufacturer: text(200).min(1).optional() })
  .strict();

// ---------------------------------------------------------------------------------------------
// Results.

export const SerialPortSchema = z.object({
  path: z.string(),
  source: z.enum(['system', 'given']),
  resolvedPath: z.string().optional(),
  manufacturer: z.string().optional(),
  serialNumber: z.string().optional(),
  vendorId: z.string().optional(),
  productId: z.string().optional(),
});

const step = z.enum(provisioningSteps);

export const DeviceSummarySchema = z.object({
  deviceUid: z.string().nullable(),
  manufacturer: z.string(),
  model: z.string(),
  serialNumber: z.string(),
  firmwareVersion: z.string().nullable(),
  idevidFingerprintSha256: z.string().nullable(),
});

const outcomeBase = {
  attemptId: z.string(),
  protocol: z.string(),
  startedAtMs: z.number(),
  endedAtMs: z.number(),
  device: DeviceSummarySchema.nullable(),
  retransmissions: count,
};

export const ProvisioningOutcomeSchema = z.discriminatedUnion('status', [
  z.object({
    ...outcomeBase,
    status: z.literal('provisioned'),
    deviceUid: z.string(),
    certificate: z.object({
      serial: z.string(),
      fingerprintSha256: z.string(),
      notAfter: z.string(),
      keyAlgorithm: z.string(),
    }),
    zoneId: z.string(),
    vlan: z.int(),
    deviceCreated: z.boolean(),
    reconciled: z.boolean(),
  }),
  z.object({
    ...outcomeBase,
    status: z.literal('refused'),
    step,
    code: z.enum(refusalCodes),
    reason: z.string(),
    quarantined: z.boolean(),
    exceptionSuggested: z.boolean(),
    deviceCode: z.string().nullable(),
  }),
  z.object({
    ...outcomeBase,
    status: z.literal('failed'),
    step,
    code: z.enum(failureCodes),
    reason: z.string(),
    certificateInDoubt: z.string().nullable(),
  }),
]);

export const IdentifiedDeviceSchema = z.object({
  deviceUid: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  serialNumber: z.string(),
  firmwareVersion: z.string(),
  inventoryState: z.enum(lifecycleStateValues).nullable(),
  currentZoneId: z.string().nullable(),
});

export const ZoneOptionSchema = z.object({
  id: z.string(),
  name: z.string(),
  vlans: z.array(z.object({ id: z.int(), name: z.string() })),
});

/** What a running session tells the wizard, in order; `finished` is the last one. */
export const ProvisioningEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('step.started'), step, atMs: z.number() }),
  z.object({ kind: z.literal('step.passed'), step, summary: z.string(), atMs: z.number() }),
  z.object({
    kind: z.literal('step.failed'),
    step,
    code: z.enum([...refusalCodes, ...failureCodes]),
    reason: z.string(),
    atMs: z.number(),
  }),
  z.object({ kind: z.literal('retry'), step, attempt: z.int() }),
  z.object({ kind: z.literal('device.identified'), device: IdentifiedDeviceSchema }),
  z.object({
    kind: z.literal('placement.needed'),
    device: IdentifiedDeviceSchema,
    zones: z.array(ZoneOptionSchema),
  }),
  z.object({ kind: z.literal('finished'), outcome: ProvisioningOutcomeSchema }),
]);

export const ProvisioningEventMessageSchema = z.object({
  sessionId: z.string(),
  event: ProvisioningEventSchema,
});

export const AttemptRecordSchema = z.object({
  id: z.string(),
  protocol: z.string(),
  port: z.string().nullable(),
  actor: z.string().nullable(),
  startedAtMs: z.number(),
  endedAtMs: z.number(),
  outcome: z.enum(['provisioned', 'refused', 'failed']),
  step: z.string(),
  code: z.string().nullable(),
  reason: z.string().nullable(),
  manufacturer: z.string().nullable(),
  manufacturerKey: z.string().nullable(),
  model: z.string().nullable(),
  serialNumber: z.string().nullable(),
  idevidFingerprintSha256: z.string().nullable(),
  firmwareVersion: z.string().nullable(),
  deviceUid: z.string().nullable(),
  certificateSerial: z.string().nullable(),
  certificateState: z.enum(['committed', 'abandoned', 'in_doubt']).nullable(),
  zoneId: z.string().nullable(),
  vlan: z.int().nullable(),
  retransmissions: count,
});

export const ExceptionRecordSchema = z.object({
  id: z.string(),
  deviceUid: z.string(),
  device: z
    .object({
      manufacturer: z.string(),
      model: z.string(),
      serialNumber: z.string(),
      assetTag: z.string().nullable(),
      lifecycleState: z.enum(lifecycleStateValues),
    })
    .nullable(),
  risk: z.string(),
  compensatingControls: z.array(z.string()),
  zoneId: z.string().nullable(),
  owner: z.string(),
  reviewDate: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  reviewNote: z.string().nullable(),
  status: z.enum(['active', 'revoked']),
  revokedBy: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revocationReason: z.string().nullable(),
  overdue: z.boolean(),
  daysUntilReview: z.int(),
});

export const CertificateRecordSchema = z.object({
  serial: z.string(),
  deviceUid: z.string(),
  deviceName: z.string(),
  deviceSerial: z.string(),
  subject: z.string(),
  keyAlgorithm: z.string(),
  publicKeySha256: z.string(),
  fingerprintSha256: z.string(),
  status: z.enum(certificateStatuses),
  notBefore: z.string(),
  notAfter: z.string(),
  issuedAt: z.string(),
  confirmedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revocationReason: z.enum(revocationReasons).nullable(),
  abandoned: z.boolean(),
  renewsSerial: z.string().nullable(),
});

export const AuthoritySummarySchema = z.object({
  origin: z.enum(['local', 'imported']),
  subject: z.string(),
  fingerprintSha256: z.string(),
  keyAlgorithm: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  chainSubjects: z.array(z.string()),
  installedAt: z.string(),
});

export const BaselineSummarySchema = z.object({
  sequence: z.int(),
  publisher: z.string(),
  issuedAt: z.string(),
  importedAt: z.string(),
  models: count,
  approvedImages: count,
  publisherKeyFingerprintSha256: z.string(),
});

export const PublisherKeyInfoSchema = z.object({
  fingerprintSha256: z.string(),
  algorithm: z.enum(['ed25519', 'ecdsa-p256-sha256', 'rsa-pss-sha256']),
  configuredAt: z.string(),
});

export const ExpirySummarySchema = z.object({
  within30Days: count,
  within60Days: count,
  within90Days: count,
  expired: count,
});

export const PkiOverviewSchema = z.object({
  authority: AuthoritySummarySchema.nullable(),
  policy: z.object({
    siteName: z.string().nullable(),
    certificateValidityDays: z.int(),
    crlValidityDays: z.int(),
  }),
  trustAnchors: count,
  baseline: BaselineSummarySchema.nullable(),
  baselinePublisher: PublisherKeyInfoSchema.nullable(),
  expiry: ExpirySummarySchema,
  latestCrl: z
    .object({
      crlNumber: z.int(),
      thisUpdate: z.string(),
      nextUpdate: z.string(),
      revokedCount: count,
    })
    .nullable(),
});

export const TrustAnchorRecordSchema = z.object({
  fingerprintSha256: z.string(),
  manufacturer: z.string(),
  subject: z.string(),
  notAfter: z.string(),
  importedAt: z.string(),
});

export const TrustImportReportSchema = z.object({
  added: z.array(TrustAnchorRecordSchema),
  alreadyTrusted: z.array(z.string()),
});
