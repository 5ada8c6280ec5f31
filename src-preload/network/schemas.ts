// Zod schemas of the network policy: the site's zones file and the in-memory policy, draft and
// zone values that callers (IPC, CLI) hand in. Pure zod over model.ts, so the contract can take
// them as they are. Shape only: relations (overlaps, references) are checked in
// src-main/network/template.ts.
import { z } from 'zod';
import {
  conduitDirections,
  conduitProtocols,
  conduitStates,
  externalZoneId,
  zoneTiers,
} from './model';

export const zoneIdPattern = /^[a-z][a-z0-9-]{0,62}$/;

export const ZoneIdSchema = z
  .string()
  .regex(zoneIdPattern, 'must be 1–63 lowercase letters, digits or dashes, starting with a letter')
  .refine((id) => id !== externalZoneId, {
    message: `"${externalZoneId}" is reserved for addresses outside every zone`,
  });

/** A conduit end: a zone id or `external`. */
export const ZoneReferenceSchema = z
  .string()
  .regex(zoneIdPattern, 'must be a zone id or "external"');

export const ConduitIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'must be 1–64 lowercase letters, digits, dots, dashes or underscores',
  );

const label = (max: number) =>
  z
    .string()
    .max(max)
    // Control characters would reach firewall comments and CSV cells.
    .refine((text) => ![...text].some(isControlCharacter), 'must not contain control characters');

function isControlCharacter(character: string): boolean {
  const code = character.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

export const VlanSchema = z.strictObject({
  id: z.int().min(1, 'a VLAN id is 1–4094').max(4094, 'a VLAN id is 1–4094'),
  name: label(64).min(1),
});

const zoneFields = {
  id: ZoneIdSchema,
  name: label(100).min(1),
  tier: z.enum(zoneTiers),
  clinical: z.boolean(),
};

/** A zone as the file writes it: description, isolate and vlans may be left out. */
export const ZoneFileSchema = z.strictObject({
  ...zoneFields,
  description: label(1000).default(''),
  isolate: z.boolean().default(false),
  vlans: z.array(VlanSchema).max(256).default([]),
  subnets: z.array(z.string().max(64)).max(1024),
});

/** A zone as code passes it: every field present. */
export const ZoneSchema = z.strictObject({
  ...zoneFields,
  description: label(1000),
  isolate: z.boolean(),
  vlans: z.array(VlanSchema).max(256),
  subnets: z.array(z.string().max(64)).max(1024),
});

const portNumber = z.int().min(1, 'a port is 1–65535').max(65535, 'a port is 1–65535');

/** In the file a port is a number (2575) or a range text ("8000-8100"). */
export const PortFileSchema = z.union([
  portNumber,
  z
    .string()
    .regex(/^[0-9]{1,5}-[0-9]{1,5}$/, 'a port range is written "from-to", e.g. "8000-8100"'),
]);

export const PortRangeSchema = z.strictObject({ from: portNumber, to: portNumber });

const conduitFields = {
  id: ConduitIdSchema,
  from: ZoneReferenceSchema,
  to: ZoneReferenceSchema,
  protocol: z.enum(conduitProtocols),
  state: z.enum(conduitStates),
  purpose: label(500).min(1, 'say what the conduit is for'),
};

export const ConduitFileSchema = z.strictObject({
  ...conduitFields,
  ports: z.array(PortFileSchema).max(256).default([]),
  direction: z.enum(conduitDirections).default('one-way'),
});

export const ConduitSchema = z.strictObject({
  ...conduitFields,
  ports: z.array(PortRangeSchema).max(256),
  direction: z.enum(conduitDirections),
});

export const policyFileFormat = 'wardkeep-network-policy';

export const PolicyFileSchema = z.strictObject({
  format: z.literal(policyFileFormat),
  version: z.literal(1),
  description: label(2000).optional(),
  zones: z.array(ZoneFileSchema).max(512),
  conduits: z.array(ConduitFileSchema).max(10_000),
});
export type PolicyFile = z.input<typeof PolicyFileSchema>;

export const NetworkPolicySchema = z.strictObject({
  zones: z.array(ZoneSchema).max(512),
  conduits: z.array(ConduitSchema).max(10_000),
});

/** Edits to try (what-if) or apply as one policy version. Ids name existing entries. */
export const PolicyDraftSchema = z.strictObject({
  moves: z
    .array(
      z.strictObject({ deviceUid: z.string().min(1).max(100), zoneId: ZoneIdSchema.nullable() }),
    )
    .max(100_000)
    .default([]),
  addZones: z.array(ZoneSchema).max(512).default([]),
  updateZones: z.array(ZoneSchema).max(512).default([]),
  removeZones: z.array(ZoneIdSchema).max(512).default([]),
  addConduits: z.array(ConduitSchema).max(10_000).default([]),
  updateConduits: z.array(ConduitSchema).max(10_000).default([]),
  removeConduits: z.array(ConduitIdSchema).max(10_000).default([]),
});
export type PolicyDraft = z.input<typeof PolicyDraftSchema>;
export type PolicyDraftParsed = z.output<typeof PolicyDraftSchema>;

/** Who changes the policy and why: recorded with the version. */
export const ChangeMetaSchema = z.strictObject({
  actor: z.string().min(1).max(200),
  reason: z.string().trim().min(1, 'say why the policy changes').max(2000),
  /** The version the change was prepared against; a different current version is a conflict. */
  baseVersion: z.int().min(0).optional(),
});
export type ChangeMeta = z.input<typeof ChangeMetaSchema>;
