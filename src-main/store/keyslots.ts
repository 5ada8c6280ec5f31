// Keyslots wrap the one random database key, LUKS-style: one slot per account (Argon2id of the
// password → AES-256-GCM), one for the recovery code and at most one for the sealed break-glass
// credential. Any slot unwraps the same key; the
// slot file never holds the key, a password or a username in the clear, and is replaced
// atomically so a crash leaves either the old file or the new one.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { argon2id } from 'hash-wasm';
import { z } from 'zod';
import { fail } from '../lib/errors';
import { writeFileAtomic } from '../lib/files';

/** Argon2id cost for new slots: above OWASP's m=19 MiB/t=2, about 250 ms on a 2-core laptop. */
export const defaultKdfCost = { memoryKiB: 65_536, iterations: 2, parallelism: 1 } as const;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

const KdfParams = z.object({
  algorithm: z.literal('argon2id'),
  memoryKiB: z.number().int().min(19_456).max(4_194_304),
  iterations: z.number().int().min(1).max(64),
  parallelism: z.number().int().min(1).max(16),
  salt: base64,
});

const WrappedKey = z.object({
  algorithm: z.literal('aes-256-gcm'),
  iv: base64,
  ciphertext: base64,
  tag: base64,
});

const PasswordKeyslot = z.object({
  id: z.string().min(1).max(64),
  kind: z.literal('password'),
  /** HMAC-SHA-256 of the username under the file's tag salt: finds the slot without naming it. */
  userTag: base64,
  kdf: KdfParams,
  wrapped: WrappedKey,
  createdAt: z.string(),
});

const RecoveryKeyslot = z.object({
  id: z.string().min(1).max(64),
  kind: z.literal('recovery'),
  kdf: KdfParams,
  wrapped: WrappedKey,
  createdAt: z.string(),
});

/** The sealed emergency credential: opens the store once, for a break-glass session. */
const BreakGlassKeyslot = z.object({
  id: z.string().min(1).max(64),
  kind: z.literal('breakglass'),
  kdf: KdfParams,
  wrapped: WrappedKey,
  createdAt: z.string(),
});

const Keyslot = z.discriminatedUnion('kind', [PasswordKeyslot, RecoveryKeyslot, BreakGlassKeyslot]);
export type Keyslot = z.infer<typeof Keyslot>;

const KeyslotFile = z.object({
  format: z.literal('wardkeep-keyslots'),
  version: z.literal(1),
  databaseId: z.string().min(1),
  tagSalt: base64,
  slots: z.array(Keyslot),
});
export type KeyslotFile = z.infer<typeof KeyslotFile>;

export interface KdfCost {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

export function newKeyslotFile(databaseId: string): KeyslotFile {
  return {
    format: 'wardkeep-keyslots',
    version: 1,
    databaseId,
    tagSalt: randomBytes(32).toString('base64'),
    slots: [],
  };
}

export function readKeyslotFile(path: string): KeyslotFile {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    fail('setup.required', `no keyslot file at ${path}`, {
      errno: (error as NodeJS.ErrnoException).code,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    fail('store.corrupt', `keyslot file ${path} is not valid JSON`);
  }
  const parsed = KeyslotFile.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    fail(
      'store.corrupt',
      `keyslot file ${path} is malformed at ${first?.path.join('.') ?? '?'}: ${first?.message ?? ''}`,
    );
  }
  return parsed.data;
}

/** Replaces the slot file atomically (see writeFileAtomic). */
export function writeKeyslotFile(path: string, file: KeyslotFile): void {
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

export function keyslotFileExists(path: string): boolean {
  return existsSync(path);
}

export function userTag(file: KeyslotFile, username: string): string {
  return createHmac('sha256', Buffer.from(file.tagSalt, 'base64'))
    .update(username, 'utf8')
    .digest('base64');
}

async function deriveWrappingKey(secret: string, kdf: z.infer<typeof KdfParams>): Promise<Buffer> {
  const derived = await argon2id({
    password: secret,
    salt: Buffer.from(kdf.salt, 'base64'),
    parallelism: kdf.parallelism,
    iterations: kdf.iterations,
    memorySize: kdf.memoryKiB,
    hashLength: 32,
    outputType: 'binary',
  });
  return Buffer.from(derived.buffer, derived.byteOffset, derived.byteLength);
}

function additionalData(file: KeyslotFile, id: string, kind: Keyslot['kind']): Buffer {
  // Binds a wrapped key to its database and slot: a slot copied between files or ids will not open.
  return Buffer.from(`wardkeep-keyslot:v1:${file.databaseId}:${id}:${kind}`, 'utf8');
}

async function wrap(
  file: KeyslotFile,
  id: string,
  kind: Keyslot['kind'],
  secret: string,
  databaseKey: Buffer,
  cost: KdfCost,
): Promise<{ kdf: z.infer<typeof KdfParams>; wrapped: z.infer<typeof WrappedKey> }> {
  const kdf = { algorithm: 'argon2id' as const, ...cost, salt: randomBytes(16).toString('base64') };
  const wrappingKey = await deriveWrappingKey(secret, kdf);
  try {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', wrappingKey, iv);
    cipher.setAAD(additionalData(file, id, kind));
    const ciphertext = Buffer.concat([cipher.update(databaseKey), cipher.final()]);
    return {
      kdf,
      wrapped: {
        algorithm: 'aes-256-gcm',
        iv: iv.toString('base64'),
        ciphertext: ciphertext.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
      },
    };
  } finally {
    wrappingKey.fill(0);
  }
}

/** Returns the database key, or null when the secret does not open this slot. */
async function unwrap(file: KeyslotFile, slot: Keyslot, secret: string): Promise<Buffer | null> {
  const wrappingKey = await deriveWrappingKey(secret, slot.kdf);
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      wrappingKey,
      Buffer.from(slot.wrapped.iv, 'base64'),
    );
    decipher.setAAD(additionalData(file, slot.id, slot.kind));
    decipher.setAuthTag(Buffer.from(slot.wrapped.tag, 'base64'));
    const key = Buffer.concat([
      decipher.update(Buffer.from(slot.wrapped.ciphertext, 'base64')),
      decipher.final(),
    ]);
    return key.length === 32 ? key : null;
  } catch {
    return null;
  } finally {
    wrappingKey.fill(0);
  }
}

export async function addPasswordSlot(
  file: KeyslotFile,
  slotId: string,
  username: string,
  password: string,
  databaseKey: Buffer,
  createdAt: string,
  cost: KdfCost = defaultKdfCost,
): Promise<KeyslotFile> {
  const tag = userTag(file, username);
  if (
    file.slots.some(
      (slot) => slot.id === slotId || (slot.kind === 'password' && slot.userTag === tag),
    )
  ) {
    throw new Error('a keyslot for this account already exists');
  }
  const { kdf, wrapped } = await wrap(file, slotId, 'password', password, databaseKey, cost);
  return {
    ...file,
    slots: [...file.slots, { id: slotId, kind: 'password', userTag: tag, kdf, wrapped, createdAt }],
  };
}

/** Rewraps one account's slot under a new password; every other slot is untouched. */
export async function replacePasswordSlot(
  file: KeyslotFile,
  username: string,
  newPassword: string,
  databaseKey: Buffer,
  createdAt: string,
  cost: KdfCost = defaultKdfCost,
): Promise<KeyslotFile> {
  const tag = userTag(file, username);
  const existing = file.slots.find((slot) => slot.kind === 'password' && slot.userTag === tag);
  if (!existing) fail('not_found', 'this account has no keyslot');
  const { kdf, wrapped } = await wrap(
    file,
    existing.id,
    'password',
    newPassword,
    databaseKey,
    cost,
  );
  return {
    ...file,
    slots: file.slots.map((slot) =>
      slot.id === existing.id
        ? { id: existing.id, kind: 'password', userTag: tag, kdf, wrapped, createdAt }
        : slot,
    ),
  };
}

export async function setRecoverySlot(
  file: KeyslotFile,
  slotId: string,
  recoveryCode: string,
  databaseKey: Buffer,
  createdAt: string,
  cost: KdfCost = defaultKdfCost,
): Promise<KeyslotFile> {
  return setCodeSlot(file, 'recovery', slotId, recoveryCode, databaseKey, createdAt, cost);
}

/** Replaces the break-glass slot (there is at most one) with one for a new credential. */
export async function setBreakGlassSlot(
  file: KeyslotFile,
  slotId: string,
  credential: string,
  databaseKey: Buffer,
  createdAt: string,
  cost: KdfCost = defaultKdfCost,
): Promise<KeyslotFile> {
  return setCodeSlot(file, 'breakglass', slotId, credential, databaseKey, createdAt, cost);
}

async function setCodeSlot(
  file: KeyslotFile,
  kind: 'recovery' | 'breakglass',
  slotId: string,
  code: string,
  databaseKey: Buffer,
  createdAt: string,
  cost: KdfCost,
): Promise<KeyslotFile> {
  const { kdf, wrapped } = await wrap(
    file,
    slotId,
    kind,
    canonicalRecoveryCode(code),
    databaseKey,
    cost,
  );
  const others = file.slots.filter((slot) => slot.kind !== kind);
  return { ...file, slots: [...others, { id: slotId, kind, kdf, wrapped, createdAt }] };
}

export function removeSlot(file: KeyslotFile, slotId: string): KeyslotFile {
  return { ...file, slots: file.slots.filter((slot) => slot.id !== slotId) };
}

export interface Unwrapped {
  key: Buffer;
  slotId: string;
}

/**
 * Opens the account's slot with its password. A wrong password and an unknown account give the
 * same failure, after the same Argon2id work, so neither reveals which accounts exist.
 */
export async function unwrapWithPassword(
  file: KeyslotFile,
  username: string,
  password: string,
): Promise<Unwrapped> {
  const tag = Buffer.from(userTag(file, username), 'base64');
  const slot = file.slots.find(
    (candidate): candidate is z.infer<typeof PasswordKeyslot> =>
      candidate.kind === 'password' &&
      timingSafeEqual(Buffer.from(candidate.userTag, 'base64'), tag),
  );
  const target = slot ?? decoySlot(file);
  const key = await unwrap(file, target, password);
  if (!slot || !key) fail('auth.invalid', 'wrong username or password');
  return { key, slotId: slot.id };
}

export async function unwrapWithRecoveryCode(
  file: KeyslotFile,
  recoveryCode: string,
): Promise<Unwrapped> {
  const slot = file.slots.find((candidate) => candidate.kind === 'recovery');
  if (!slot) fail('auth.invalid', 'this store has no recovery code');
  const key = await unwrap(file, slot, canonicalRecoveryCode(recoveryCode));
  if (!key) fail('auth.invalid', 'the recovery code does not match');
  return { key, slotId: slot.id };
}

export async function unwrapWithBreakGlass(
  file: KeyslotFile,
  credential: string,
): Promise<Unwrapped> {
  const slot = file.slots.find((candidate) => candidate.kind === 'breakglass');
  if (!slot) {
    fail(
      'breakglass.unavailable',
      'there is no unused emergency credential: an administrator must generate a new one',
    );
  }
  const key = await unwrap(file, slot, canonicalRecoveryCode(credential));
  if (!key) fail('auth.invalid', 'the emergency credential does not match');
  return { key, slotId: slot.id };
}

export function hasBreakGlassSlot(file: KeyslotFile): boolean {
  return file.slots.some((slot) => slot.kind === 'breakglass');
}

/** The account's slot id, if it has one. */
export function passwordSlotId(file: KeyslotFile, username: string): string | undefined {
  const tag = userTag(file, username);
  return file.slots.find((slot) => slot.kind === 'password' && slot.userTag === tag)?.id;
}

function decoySlot(file: KeyslotFile): Keyslot {
  return {
    id: 'decoy',
    kind: 'password',
    userTag: '',
    kdf: { algorithm: 'argon2id', ...defaultKdfCost, salt: file.tagSalt.slice(0, 24) },
    wrapped: {
      algorithm: 'aes-256-gcm',
      iv: 'AAAAAAAAAAAAAAAA',
      ciphertext: '',
      tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
    },
    createdAt: '',
  };
}

// Recovery codes: 160 random bits in Crockford base32, grouped by 4 for reading aloud and typing.
const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newRecoveryCode(): string {
  const bytes = randomBytes(20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += crockford[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  bytes.fill(0);
  return out.match(/.{4}/g)!.join('-');
}

/** Accepts what people type: any case, spaces or dashes, O for 0, I/L for 1. */
export function canonicalRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}
