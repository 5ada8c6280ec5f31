// The one contract between the renderer and main: every channel's name, request schema, result
// schema and the permission it needs. Main registers handlers from it; the preload builds
// `window.wardkeep` from it. Pure TypeScript + zod: no Node, no DOM, no Electron.
import { z } from 'zod';
import {
  deviceClasses,
  criticalities,
  lifecycleStates,
  udiIssuers,
  canonicalFields,
} from './inventory/vocabulary';
import {
  flowFileFormats,
  networkExportFormats,
  unknownDeviceStates,
  verdicts,
} from './network/model';
import {
  CurrentPolicySchema,
  ExportedFileSchema,
  FindingsSummarySchema,
  FlowImportReportSchema,
  ManagerReportSchema,
  NetworkMapSchema,
  PolicyChangeRecordSchema,
  PolicyVersionRecordSchema,
  UnknownDeviceSchema,
  WhatIfSchema,
} from './network/results';
import { ChangeMetaSchema, PolicyDraftSchema, ZoneIdSchema } from './network/schemas';
import {
  AttemptRecordSchema,
  AuthoritySummarySchema,
  BaselineSummarySchema,
  CertificateQuerySchema,
  CertificateRecordSchema,
  ChoosePlacementSchema,
  CreateAuthoritySchema,
  ExceptionInputSchema,
  ExceptionRecordSchema,
  FingerprintSchema,
  ImportAuthoritySchema,
  PkiOverviewSchema,
  ProvisioningEventMessageSchema,
  PublisherKeyInfoSchema,
  RevokeCertificateSchema,
  SerialPortSchema,
  StartProvisioningSchema,
  TrustAnchorRecordSchema,
  TrustImportReportSchema,
} from './provisioning/schemas';

// ---------------------------------------------------------------------------------------------
// Vocabularies of the device record (defined in inventory/vocabulary.ts).

export {
  deviceClasses,
  deviceClassLabels,
  criticalities,
  lifecycleStates,
  udiIssuers,
  canonicalFields,
  canonicalFieldLabels,
} from './inventory/vocabulary';
export type {
  DeviceClass,
  Criticality,
  LifecycleState,
  UdiIssuer,
  CanonicalField,
} from './inventory/vocabulary';

export const roles = ['technician', 'engineer', 'manager', 'administrator'] as const;
export type Role = (typeof roles)[number];

// ---------------------------------------------------------------------------------------------
// Records

const text = (max: number) => z.string().max(max);

export const DeviceRecord = z.object({
  id: z.number().int().positive(),
  uid: z.string(),
  assetTag: z.string().nullable(),
  manufacturer: z.string(),
  model: z.string(),
  serialNumber: z.string(),
  udiDeviceIdentifier: z.string().nullable(),
  udiProductionIdentifier: z.string().nullable(),
  udiIssuer: z.enum(udiIssuers).nullable(),
  deviceClass: z.enum(deviceClasses),
  criticality: z.enum(criticalities),
  site: z.string().nullable(),
  building: z.string().nullable(),
  floor: z.string().nullable(),
  room: z.string().nullable(),
  bed: z.string().nullable(),
  department: z.string().nullable(),
  macAddress: z.string().nullable(),
  ipAddress: z.string().nullable(),
  hostname: z.string().nullable(),
  firmwareVersion: z.string().nullable(),
  lifecycleState: z.enum(lifecycleStates),
  /** ISO date (YYYY-MM-DD) or null when the end of life is unknown. */
  endOfLife: z.string().nullable(),
  notes: z.string().nullable(),
  revision: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DeviceRecord = z.infer<typeof DeviceRecord>;

export const deviceSortFields = [
  'assetTag',
  'manufacturer',
  'model',
  'serialNumber',
  'deviceClass',
  'criticality',
  'site',
  'lifecycleState',
  'updatedAt',
] as const;
export type DeviceSortField = (typeof deviceSortFields)[number];

export const DeviceQuery = z
  .object({
    text: text(200).optional(),
    deviceClass: z.enum(deviceClasses).optional(),
    criticality: z.enum(criticalities).optional(),
    site: text(200).optional(),
    building: text(200).optional(),
    lifecycleState: z.enum(lifecycleStates).optional(),
    sort: z.enum(deviceSortFields).default('assetTag'),
    descending: z.boolean().default(false),
    offset: z.number().int().min(0).max(10_000_000).default(0),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type DeviceQuery = z.input<typeof DeviceQuery>;
export type DeviceQueryParsed = z.output<typeof DeviceQuery>;

export const DevicePage = z.object({
  total: z.number().int().min(0),
  offset: z.number().int().min(0),
  rows: z.array(DeviceRecord),
});
export type DevicePage = z.infer<typeof DevicePage>;

export const DeviceFacets = z.object({
  total: z.number().int().min(0),
  sites: z.array(z.string()),
  buildings: z.array(z.string()),
});
export type DeviceFacets = z.infer<typeof DeviceFacets>;

/** Maps each canonical field to the source file's header that supplies it (absent: not supplied). */
export const ColumnMapping = z.partialRecord(z.enum(canonicalFields), text(200));
export type ColumnMapping = z.infer<typeof ColumnMapping>;

export const ImportIssue = z.object({
  /** 1-based physical line in the file where the record starts. */
  line: z.number().int().min(0),
  /** The canonical field at fault, or null for a whole-row problem. */
  column: z.string().nullable(),
  reason: z.string(),
});
export type ImportIssue = z.infer<typeof ImportIssue>;

export const ImportReport = z.object({
  committed: z.boolean(),
  rows: z.number().int().min(0),
  created: z.number().int().min(0),
  updated: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  invalidRows: z.number().int().min(0),
  issues: z.array(ImportIssue),
});
export type ImportReport = z.infer<typeof ImportReport>;

export const StagedImport = z.object({
  stagingId: z.string(),
  fileName: z.string(),
  headers: z.array(z.string()),
  rows: z.number().int().min(0),
  suggestedMapping: ColumnMapping,
  /** The saved mapping whose headers all appear in this file, if any. */
  matchedMappingName: z.string().nullable(),
});
export type StagedImport = z.infer<typeof StagedImport>;

export const SavedMapping = z.object({ name: z.string(), mapping: ColumnMapping });
export type SavedMapping = z.infer<typeof SavedMapping>;

export const SessionUser = z.object({ username: z.string(), role: z.enum(roles) });
export type SessionUser = z.infer<typeof SessionUser>;

export const emergencyReasons = ['patient_care', 'device_failure', 'other'] as const;
export type EmergencyReason = (typeof emergencyReasons)[number];
export const emergencyReasonLabels: Readonly<Record<EmergencyReason, string>> = {
  patient_care: 'Patient care emergency',
  device_failure: 'Device failure',
  other: 'Other',
};

/** The signed-in session as the UI shows it: who, until when, and whether it is an emergency. */
export const SessionInfo = z.object({
  user: SessionUser,
  startedAtMs: z.number(),
  /** The absolute end of the session. */
  expiresAtMs: z.number(),
  /** The idle limit: the session ends this long after the last request. */
  idleLimitMs: z.number(),
  lastActivityMs: z.number(),
  /** Privileged actions need no new password + code until then (null: none yet). */
  stepUpUntilMs: z.number().nullable(),
  emergency: z
    .object({
      id: z.number().int(),
      openedBy: z.string(),
      reason: z.enum(emergencyReasons),
      endsAtMs: z.number(),
    })
    .nullable(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const SessionStatus = z.object({
  /** Main's clock when it answered, so the UI counts time left on the same clock. */
  nowMs: z.number(),
  setupRequired: z.boolean(),
  user: SessionUser.nullable(),
  session: SessionInfo.nullable(),
  /** Whether an unused emergency credential exists (false after one was used, until rotated). */
  breakGlassReady: z.boolean(),
  /** Emergency sessions that ended and no administrator has signed off yet (0 when unknown). */
  unreviewedEmergencies: z.number().int().min(0),
});
export type SessionStatus = z.infer<typeof SessionStatus>;

/**
 * What sign-in asks for next. A session exists only after `done`: a password alone never
 * signs anyone in.
 */
export const LoginStep = z.discriminatedUnion('step', [
  z.object({ step: z.literal('password_change') }),
  z.object({ step: z.literal('mfa_enrol'), secret: z.string(), uri: z.string() }),
  z.object({ step: z.literal('mfa') }),
  z.object({
    step: z.literal('done'),
    user: SessionUser,
    /** New single-use MFA recovery codes, shown once (after enrolment only). */
    recoveryCodes: z.array(z.string()).optional(),
  }),
]);
export type LoginStep = z.infer<typeof LoginStep>;

export const AccountSummary = z.object({
  username: z.string(),
  role: z.enum(roles),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  disabledAt: z.string().nullable(),
  mfaEnrolled: z.boolean(),
  mustChangePassword: z.boolean(),
  recoveryCodesLeft: z.number().int().min(0),
  /** Locked after too many failed sign-ins. */
  locked: z.boolean().optional(),
});
export type AccountSummary = z.infer<typeof AccountSummary>;

export const EmergencySessionRecord = z.object({
  id: z.number().int(),
  openedBy: z.string(),
  reason: z.enum(emergencyReasons),
  reasonText: z.string().nullable(),
  openedAt: z.string(),
  endsAt: z.string(),
  closedAt: z.string().nullable(),
  closeReason: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  reviewComment: z.string().nullable(),
});
export type EmergencySessionRecord = z.infer<typeof EmergencySessionRecord>;

export const AuditRecordView = z.object({
  sequence: z.number().int().positive(),
  time: z.string(),
  actor: z.string().nullable(),
  role: z.string().nullable(),
  sessionId: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: z.enum(['success', 'failure', 'denied']),
  reason: z.string().nullable(),
  emergency: z.boolean(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditRecordView = z.infer<typeof AuditRecordView>;

export const AuditQuery = z
  .object({
    actor: text(64).min(1).optional(),
    action: text(128).min(1).optional(),
    outcome: z.enum(['success', 'failure', 'denied']).optional(),
    emergency: z.boolean().optional(),
    fromTime: z.iso.datetime().optional(),
    toTime: z.iso.datetime().optional(),
    limit: z.number().int().min(1).max(1000).default(200),
    offset: z.number().int().min(0).max(10_000_000).default(0),
  })
  .strict();
export type AuditQuery = z.input<typeof AuditQuery>;

export const AuditVerificationView = z.object({
  ok: z.boolean(),
  size: z.number().int().min(0),
  root: z.string().nullable(),
  checkpointsVerified: z.number().int().min(0),
  firstBadSequence: z.number().int().nullable(),
  problem: z.string().nullable(),
  /** The console's checkpoint-signing key, to compare with a copy kept elsewhere. */
  signingKeyFingerprint: z.string(),
});
export type AuditVerificationView = z.infer<typeof AuditVerificationView>;

export const ConsoleSettings = z.object({
  /** Length of an emergency session, 5 to 240 minutes. */
  emergencyMinutes: z.number().int().min(5).max(240),
});
export type ConsoleSettings = z.infer<typeof ConsoleSettings>;

const username = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, dot, dash, underscore');
const password = z.string().min(1).max(1024);

// ---------------------------------------------------------------------------------------------
// Permissions. `public` channels need no session; every other one needs a session whose role
// holds the permission (see src-main/access/permissions.ts).

export const permissions = [
  'public',
  'session',
  'inventory.read',
  'inventory.write',
  'inventory.export',
  'provision',
  'pki.manage',
  'network.read',
  'network.write',
  'accounts.manage',
  'settings.manage',
  'audit.read',
  'audit.export',
  'breakglass.review',
] as const;
export type Permission = (typeof permissions)[number];

/**
 * The one permission table: which role may do what. Main enforces it on every channel (see
 * src-main/access/permissions.ts); the renderer reads it only to hide what a role cannot use.
 * An emergency (break-glass) session carries the rights of an engineer, without step-up.
 */
export const rolePermissions: Readonly<Record<Role, readonly Permission[]>> = {
  technician: ['session', 'inventory.read', 'inventory.write', 'provision'],
  engineer: [
    'session',
    'inventory.read',
    'inventory.write',
    'inventory.export',
    'provision',
    'pki.manage',
    'network.read',
    'network.write',
  ],
  // Read-mostly: inventory, maps and reports; no device or policy changes.
  manager: ['session', 'inventory.read', 'inventory.export', 'network.read', 'audit.read'],
  // Accounts, roles and settings; reading the inventory is allowed and audited.
  administrator: [
    'session',
    'inventory.read',
    'accounts.manage',
    'settings.manage',
    'audit.read',
    'audit.export',
    'breakglass.review',
  ],
};

/** The role whose rights an emergency session carries. */
export const emergencyRole: Role = 'engineer';

interface ChannelSpec {
  request: z.ZodType;
  result: z.ZodType;
  permission: Permission;
  /** Privileged: needs password + TOTP again within the last 5 minutes (`stepup.required`). */
  stepUp?: true;
}

const totpCode = z.string().min(6).max(20);

const none = z.object({}).strict();
const ok = z.object({});

export const contract = {
  'session:status': { request: none, result: SessionStatus, permission: 'public' },
  'session:setup': {
    request: z.object({ username, password }).strict(),
    result: z.object({
      recoveryCode: z.string(),
      emergencyCredential: z.string(),
      next: LoginStep,
    }),
    permission: 'public',
  },
  'session:login': {
    request: z.object({ username, password }).strict(),
    result: LoginStep,
    permission: 'public',
  },
  /** The replacement for a password an administrator issued, during sign-in. */
  'session:password': {
    request: z.object({ newPassword: password }).strict(),
    result: LoginStep,
    permission: 'public',
  },
  'session:enrol': {
    request: z.object({ code: totpCode }).strict(),
    result: LoginStep,
    permission: 'public',
  },
  /** A TOTP code, or one of the account's single-use recovery codes. */
  'session:mfa': {
    request: z.object({ code: totpCode }).strict(),
    result: LoginStep,
    permission: 'public',
  },
  'session:cancel': { request: none, result: ok, permission: 'public' },
  'session:recover': {
    request: z
      .object({ recoveryCode: z.string().min(1).max(200), username, newPassword: password })
      .strict(),
    result: LoginStep,
    permission: 'public',
  },
  'session:breakglass': {
    request: z
      .object({
        credential: z.string().min(1).max(200),
        openedBy: text(100).min(1),
        reason: z.enum(emergencyReasons),
        reasonText: text(500).optional(),
      })
      .strict(),
    result: SessionUser,
    permission: 'public',
  },
  'session:lock': { request: none, result: ok, permission: 'session' },
  /** The user is at the console (typing, scrolling): moves the idle timer, nothing else. */
  'session:touch': { request: none, result: ok, permission: 'session' },
  'session:stepup': {
    request: z.object({ password, code: totpCode }).strict(),
    result: z.object({ stepUpUntilMs: z.number() }),
    permission: 'session',
  },
  'session:change-password': {
    request: z.object({ currentPassword: password, newPassword: password }).strict(),
    result: ok,
    permission: 'session',
  },
  'accounts:list': {
    request: none,
    result: z.array(AccountSummary),
    permission: 'accounts.manage',
  },
  'accounts:create': {
    request: z.object({ username, role: z.enum(roles) }).strict(),
    result: z.object({ username: z.string(), initialPassword: z.string() }),
    permission: 'accounts.manage',
    stepUp: true,
  },
  'accounts:role': {
    request: z.object({ username, role: z.enum(roles) }).strict(),
    result: ok,
    permission: 'accounts.manage',
    stepUp: true,
  },
  'accounts:disable': {
    request: z.object({ username }).strict(),
    result: ok,
    permission: 'accounts.manage',
    stepUp: true,
  },
  'accounts:delete': {
    request: z.object({ username }).strict(),
    result: ok,
    permission: 'accounts.manage',
    stepUp: true,
  },
  'accounts:unlock': {
    request: z.object({ username }).strict(),
    result: ok,
    permission: 'accounts.manage',
    stepUp: true,
  },
  'breakglass:list': {
    request: none,
    result: z.array(EmergencySessionRecord),
    permission: 'breakglass.review',
  },
  'breakglass:review': {
    request: z.object({ id: z.number().int().positive(), comment: text(2000).min(1) }).strict(),
    result: ok,
    permission: 'breakglass.review',
    stepUp: true,
  },
  'breakglass:rotate': {
    request: none,
    result: z.object({ credential: z.string() }),
    permission: 'accounts.manage',
    stepUp: true,
  },
  'audit:list': {
    request: AuditQuery,
    result: z.object({ records: z.array(AuditRecordView), hasMore: z.boolean() }),
    permission: 'audit.read',
  },
  'audit:verify': { request: none, result: AuditVerificationView, permission: 'audit.read' },
  'audit:export': {
    request: z.object({ format: z.enum(['jsonl', 'fhir']) }).strict(),
    result: z.object({ fileName: z.string(), mimeType: z.string(), content: z.string() }),
    permission: 'audit.export',
    stepUp: true,
  },
  'settings:get': { request: none, result: ConsoleSettings, permission: 'settings.manage' },
  'settings:set': {
    request: ConsoleSettings.strict(),
    result: ok,
    permission: 'settings.manage',
    stepUp: true,
  },
  'devices:list': { request: DeviceQuery, result: DevicePage, permission: 'inventory.read' },
  'devices:get': {
    request: z.object({ id: z.number().int().positive() }).strict(),
    result: DeviceRecord,
    permission: 'inventory.read',
  },
  'devices:facets': { request: none, result: DeviceFacets, permission: 'inventory.read' },
  'imports:stage': {
    request: z.object({ fileName: text(255), content: z.string().max(256 * 1024 * 1024) }).strict(),
    result: StagedImport,
    permission: 'inventory.write',
  },
  'imports:validate': {
    request: z.object({ stagingId: z.string().max(64), mapping: ColumnMapping }).strict(),
    result: ImportReport,
    permission: 'inventory.write',
  },
  'imports:commit': {
    request: z
      .object({ stagingId: z.string().max(64), mapping: ColumnMapping, skipInvalid: z.boolean() })
      .strict(),
    result: ImportReport,
    permission: 'inventory.write',
  },
  'imports:discard': {
    request: z.object({ stagingId: z.string().max(64) }).strict(),
    result: ok,
    permission: 'inventory.write',
  },
  'mappings:list': { request: none, result: z.array(SavedMapping), permission: 'inventory.write' },
  'mappings:save': {
    request: z.object({ name: text(100).min(1), mapping: ColumnMapping }).strict(),
    result: ok,
    permission: 'inventory.write',
  },
  'devices:export': {
    request: z.object({ format: z.enum(['csv', 'fhir']) }).strict(),
    result: z.object({ fileName: z.string(), mimeType: z.string(), content: z.string() }),
    permission: 'inventory.export',
    stepUp: true,
  },
  // Network and segmentation (src-main/network). Managers read; a policy change is one recorded
  // version that names why, needs step-up, and fails with policy.conflict when baseVersion is stale.
  'network:policy': { request: none, result: CurrentPolicySchema, permission: 'network.read' },
  'network:versions': {
    request: none,
    result: z.array(PolicyVersionRecordSchema),
    permission: 'network.read',
  },
  'network:changes': {
    request: z.object({ sinceVersion: z.int().min(0) }).strict(),
    result: z.array(PolicyChangeRecordSchema),
    permission: 'network.read',
  },
  'network:map': {
    request: z.object({ clusterThreshold: z.int().min(1).max(1_000_000).optional() }).strict(),
    result: NetworkMapSchema,
    permission: 'network.read',
  },
  /** Violations and insecure flows (or the verdicts named), worst clinical risk first. */
  'network:findings': {
    request: z
      .object({
        include: z.array(z.enum(verdicts)).min(1).max(verdicts.length).optional(),
        limit: z.int().min(1).max(100_000).default(1000),
      })
      .strict(),
    result: FindingsSummarySchema,
    permission: 'network.read',
  },
  /** What a draft would change, without storing anything. */
  'network:what-if': {
    request: z.object({ draft: PolicyDraftSchema }).strict(),
    result: WhatIfSchema,
    permission: 'network.read',
  },
  'network:unknown': {
    request: none,
    result: z.array(UnknownDeviceSchema),
    permission: 'network.read',
  },
  /** The manager's figures; without sinceVersion, changes since the last HTML report's version. */
  'network:report': {
    request: z.object({ sinceVersion: z.int().min(0).optional() }).strict(),
    result: ManagerReportSchema,
    permission: 'network.read',
  },
  /** The same as one self-contained HTML file; audited, and the next report starts from it. */
  'network:report-html': {
    request: z.object({ sinceVersion: z.int().min(0).optional() }).strict(),
    result: ExportedFileSchema,
    permission: 'network.read',
  },
  'network:export': {
    request: z.object({ format: z.enum(networkExportFormats) }).strict(),
    result: ExportedFileSchema,
    permission: 'network.read',
  },
  'network:import-zones': {
    request: z
      .object({
        content: z.string().max(16 * 1024 * 1024),
        reason: ChangeMetaSchema.shape.reason,
        baseVersion: ChangeMetaSchema.shape.baseVersion,
      })
      .strict(),
    result: PolicyVersionRecordSchema,
    permission: 'network.write',
    stepUp: true,
  },
  'network:apply': {
    request: z
      .object({
        draft: PolicyDraftSchema,
        reason: ChangeMetaSchema.shape.reason,
        baseVersion: ChangeMetaSchema.shape.baseVersion,
      })
      .strict(),
    result: PolicyVersionRecordSchema,
    permission: 'network.write',
    stepUp: true,
  },
  'network:revert': {
    request: z
      .object({
        version: z.int().min(0),
        reason: ChangeMetaSchema.shape.reason,
        baseVersion: ChangeMetaSchema.shape.baseVersion,
      })
      .strict(),
    result: PolicyVersionRecordSchema,
    permission: 'network.write',
    stepUp: true,
  },
  /** A device's zone; null lets its address decide. */
  'network:assign': {
    request: z
      .object({
        deviceUid: z.string().min(1).max(100),
        zoneId: ZoneIdSchema.nullable(),
        reason: ChangeMetaSchema.shape.reason,
        baseVersion: ChangeMetaSchema.shape.baseVersion,
      })
      .strict(),
    result: PolicyVersionRecordSchema,
    permission: 'network.write',
    stepUp: true,
  },
  /** Zeek conn.log (TSV or JSON) or CSV; all-or-nothing unless importValidLines. */
  'flows:import': {
    request: z
      .object({
        fileName: text(255).min(1),
        content: z.string().max(256 * 1024 * 1024),
        importValidLines: z.boolean(),
        format: z.enum(flowFileFormats).optional(),
      })
      .strict(),
    result: FlowImportReportSchema,
    permission: 'network.write',
  },
  'network:unknown-state': {
    request: z.object({ address: text(64).min(1), state: z.enum(unknownDeviceStates) }).strict(),
    result: ok,
    permission: 'network.write',
  },
  // Bedside provisioning (src-main/provisioning). A session runs on one serial port for the window
  // that started it; its steps arrive as `provision:event`. Technicians and engineers provision.
  'provision:ports': { request: none, result: z.array(SerialPortSchema), permission: 'provision' },
  'provision:start': {
    request: StartProvisioningSchema,
    result: z.object({ sessionId: z.string() }),
    permission: 'provision',
  },
  /** Answers a session's `placement.needed`. */
  'provision:choose-zone': { request: ChoosePlacementSchema, result: ok, permission: 'provision' },
  /**
   * Ends the session at its next step; the device keeps what it had (its fail-safe). Once the
   * device has confirmed its new certificate it is too late: the session commits.
   */
  'provision:cancel': {
    request: z.object({ sessionId: z.string().min(1).max(100) }).strict(),
    result: ok,
    permission: 'provision',
  },
  'provision:attempts': {
    request: z
      .object({
        deviceUid: z.string().min(1).max(100).optional(),
        limit: z.int().min(1).max(1000).optional(),
      })
      .strict(),
    result: z.array(AttemptRecordSchema),
    permission: 'provision',
  },
  /** Documented exceptions for legacy devices, overdue reviews first. */
  'provision:exceptions': {
    request: z.object({ includeRevoked: z.boolean().optional() }).strict(),
    result: z.array(ExceptionRecordSchema),
    permission: 'inventory.read',
  },
  /** Accepting a risk, with its compensating controls and owner, is a policy decision. */
  'provision:exception-create': {
    request: ExceptionInputSchema,
    result: ExceptionRecordSchema,
    permission: 'network.write',
    stepUp: true,
  },
  'provision:exception-review': {
    request: z
      .object({
        id: z.string().min(1).max(100),
        reviewDate: ExceptionInputSchema.shape.reviewDate,
        note: text(2000).min(1),
      })
      .strict(),
    result: ExceptionRecordSchema,
    permission: 'network.write',
  },
  'provision:exception-revoke': {
    request: z.object({ id: z.string().min(1).max(100), reason: text(2000).min(1) }).strict(),
    result: ExceptionRecordSchema,
    permission: 'network.write',
    stepUp: true,
  },
  // The console's PKI (src-main/pki): whoever reads the inventory sees its state; engineers run it.
  'pki:overview': { request: none, result: PkiOverviewSchema, permission: 'inventory.read' },
  'pki:create-authority': {
    request: CreateAuthoritySchema,
    result: AuthoritySummarySchema,
    permission: 'pki.manage',
    stepUp: true,
  },
  'pki:import-authority': {
    request: ImportAuthoritySchema,
    result: AuthoritySummarySchema,
    permission: 'pki.manage',
    stepUp: true,
  },
  'pki:certificates': {
    request: CertificateQuerySchema,
    result: z.array(CertificateRecordSchema),
    permission: 'inventory.read',
  },
  /** Unrevoked certificates expiring within the next `withinDays` days, soonest first. */
  'pki:expiring': {
    request: z.object({ withinDays: z.int().min(1).max(3650) }).strict(),
    result: z.array(CertificateRecordSchema),
    permission: 'inventory.read',
  },
  'pki:revoke': {
    request: RevokeCertificateSchema,
    result: CertificateRecordSchema,
    permission: 'pki.manage',
    stepUp: true,
  },
  /**
   * A certificate for an inventory device from a CSR that came another way (a file from a device
   * with no serial link): issued and active at once, since the engineer installs it by hand.
   */
  'pki:issue': {
    request: z
      .object({
        deviceUid: z.string().min(1).max(100),
        csrPem: z
          .string()
          .min(1)
          .max(64 * 1024),
      })
      .strict(),
    result: z.object({
      certificate: CertificateRecordSchema,
      certificatePem: z.string(),
      chainPem: z.string(),
    }),
    permission: 'pki.manage',
    stepUp: true,
  },
  /** Signs and records a fresh CRL; answers it as PEM. */
  'pki:crl': {
    request: none,
    result: z.object({ fileName: z.string(), mimeType: z.string(), content: z.string() }),
    permission: 'pki.manage',
  },
  /** The issuing CA and its chain up to the root, PEM: what a RADIUS server or switch trusts. */
  'pki:chain': {
    request: none,
    result: z.object({ fileName: z.string(), mimeType: z.string(), content: z.string() }),
    permission: 'provision',
  },
  // Manufacturer trust anchors and the firmware baseline: what makes a device genuine and current.
  'trust:list': {
    request: none,
    result: z.array(TrustAnchorRecordSchema),
    permission: 'provision',
  },
  'trust:import': {
    request: z
      .object({
        pem: z
          .string()
          .min(1)
          .max(4 * 1024 * 1024),
        manufacturer: text(200).min(1).optional(),
      })
      .strict(),
    result: TrustImportReportSchema,
    permission: 'pki.manage',
    stepUp: true,
  },
  'trust:remove': {
    request: z.object({ fingerprintSha256: FingerprintSchema }).strict(),
    result: ok,
    permission: 'pki.manage',
    stepUp: true,
  },
  /** The key that signs firmware baselines; changing it changes what firmware is trusted. */
  'baseline:publisher': {
    request: z
      .object({
        pem: z
          .string()
          .min(1)
          .max(64 * 1024),
      })
      .strict(),
    result: PublisherKeyInfoSchema,
    permission: 'pki.manage',
    stepUp: true,
  },
  /** A signed baseline file; its signature is the authority, so no step-up. */
  'baseline:import': {
    request: z
      .object({
        content: z
          .string()
          .min(1)
          .max(16 * 1024 * 1024),
      })
      .strict(),
    result: BaselineSummarySchema,
    permission: 'pki.manage',
  },
} as const satisfies Record<string, ChannelSpec>;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export const channels = Object.keys(contract) as Channel[];
export type RequestOf<C extends Channel> = z.input<Contract[C]['request']>;
export type ParsedRequestOf<C extends Channel> = z.output<Contract[C]['request']>;
export type ResultOf<C extends Channel> = z.output<Contract[C]['result']>;

// ---------------------------------------------------------------------------------------------
// Events from main to the renderer.

export const ImportProgress = z.object({
  stagingId: z.string(),
  phase: z.enum(['parsing', 'validating', 'writing', 'done']),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

export const sessionEndReasons = [
  'locked',
  'logout',
  'expired',
  'disabled',
  'role_changed',
  'emergency_ended',
] as const;
export type SessionEndReason = (typeof sessionEndReasons)[number];

export const events = {
  'imports:progress': ImportProgress,
  'session:ended': z.object({ reason: z.enum(sessionEndReasons) }),
  'provision:event': ProvisioningEventMessageSchema,
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;
export const eventNames = Object.keys(events) as EventName[];

// ---------------------------------------------------------------------------------------------
// Results. Expected failures are values with a code; the message is for people.

export const errorCodes = [
  'ipc.sender',
  'ipc.channel',
  'ipc.payload',
  'session.required',
  'permission.denied',
  'setup.done',
  'setup.required',
  'auth.invalid',
  'password.weak',
  'store.version',
  'store.corrupt',
  'not_found',
  'import.unknown_staging',
  'import.mapping',
  'import.invalid',
  // Accounts, sessions and MFA.
  'auth.locked',
  'auth.mfa_required',
  'auth.mfa_invalid',
  'stepup.required',
  'account.exists',
  'account.disabled',
  'account.last_admin',
  'breakglass.unavailable',
  'breakglass.active',
  'breakglass.review',
  // The audit log.
  'audit.write_failed',
  'audit.invalid',
  'audit.tampered',
  // PKI, trust and firmware baselines.
  'pki.not_initialised',
  'pki.invalid',
  'pki.revoked',
  'trust.invalid',
  'baseline.invalid',
  'baseline.signature',
  // Bedside provisioning.
  'provision.port',
  'provision.timeout',
  'provision.protocol',
  'provision.refused',
  // Network and segmentation.
  'network.invalid',
  'flows.invalid',
  'policy.conflict',
  // Any other input that is not what it should be (a file, an argument).
  'input.invalid',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface WardkeepError {
  code: ErrorCode;
  message: string;
  /** Where the problem is, e.g. the payload path `["limit"]` or a CSV line. */
  details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: WardkeepError };

/** The shape of `window.wardkeep`: one async method per channel plus `on` for events. */
export type WardkeepApi = {
  [C in Channel]: (request: RequestOf<C>) => Promise<Result<ResultOf<C>>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};
