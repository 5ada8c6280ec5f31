// Signed checkpoints of the audit tree in the C2SP formats: a tlog-checkpoint body (origin, size,
// base64 root, then an extension line with the time) signed as a C2SP signed note with Ed25519
// (key ID = first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)). Any tool that reads
// Go's golang.org/x/mod/sumdb/note or transparency-dev checkpoints reads these; a note verifies
// only against a public key the caller supplies, never against one the note names.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { fail } from '../lib/errors';
import { hashLength } from './merkle';
import { hasLoneSurrogate, isIsoTime } from './record';

const ed25519SignatureType = 0x01;
const emDash = '\u2014';
const maxSignatures = 100;
// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410).
const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface NoteSigningKey {
  /** The key name in signature lines (for a checkpoint: its origin). */
  name: string;
  privateKey: KeyObject;
  publicKey: Buffer;
}

export interface NoteVerifier {
  name: string;
  keyId: number;
  publicKey: Buffer;
}

function invalid(message: string, details?: unknown): never {
  fail('audit.invalid', message, details);
}

/** A character below U+0020 other than those allowed (a regex would need control characters). */
function hasControlCharacter(text: string, allowed = ''): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 && !allowed.includes(text[index]!)) return true;
  }
  return false;
}

function checkKeyName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name) || hasControlCharacter(name)) {
    invalid(
      `key name "${name}" must be non-empty, without spaces, plus signs or control characters`,
    );
  }
}

/** Base64 that decodes and re-encodes to itself: one text per byte string, nothing lenient. */
export function decodeStrictBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  return createPrivateKey({
    key: Buffer.concat([pkcs8Ed25519Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function rawEd25519PublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

// Importing a key costs more than verifying with it; a log verifies every checkpoint each time.
const publicKeyObjects = new Map<string, KeyObject>();

function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) invalid('an Ed25519 public key is 32 bytes');
  const x = Buffer.from(publicKey).toString('base64url');
  let key = publicKeyObjects.get(x);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    if (publicKeyObjects.size > 64) publicKeyObjects.clear();
    publicKeyObjects.set(x, key);
  }
  return key;
}

export function generateNoteSigningKey(name: string): NoteSigningKey {
  checkKeyName(name);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { name, privateKey, publicKey: rawEd25519PublicKey(publicKey) };
}

/** The private key as PKCS#8 DER, for storage inside the encrypted database only. */
export function exportPrivateKey(key: NoteSigningKey): Buffer {
  return key.privateKey.export({ format: 'der', type: 'pkcs8' });
}

export function importNoteSigningKey(name: string, pkcs8: Uint8Array): NoteSigningKey {
  const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 private key');
  return { name, privateKey, publicKey: rawEd25519PublicKey(createPublicKey(privateKey)) };
}

export function noteKeyId(name: string, publicKey: Uint8Array): number {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ed25519SignatureType]))
    .update(publicKey)
    .digest()
    .readUInt32BE(0);
}

export function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/** The verifier key text of signed notes: `<name>+<key ID hex>+<base64(0x01 ‖ public key)>`. */
export function verifierKeyText(name: string, publicKey: Uint8Array): string {
  checkKeyName(name);
  const encoded = Buffer.concat([Buffer.from([ed25519SignatureType]), publicKey]).toString(
    'base64',
  );
  return `${name}+${keyIdHex(noteKeyId(name, publicKey))}+${encoded}`;
}

export function parseVerifierKey(text: string): NoteVerifier {
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text);
  if (!match) invalid('a verifier key reads name+keyid+base64');
  const [, name, idHex, encoded] = match as unknown as [string, string, string, string];
  const bytes = decodeStrictBase64(encoded);
  if (!bytes || bytes.length !== 33 || bytes[0] !== ed25519SignatureType) {
    invalid(`verifier key for ${name} is not an Ed25519 key`);
  }
  const publicKey = bytes.subarray(1);
  const keyId = noteKeyId(name, publicKey);
  if (keyIdHex(keyId) !== idHex) invalid(`verifier key for ${name} has the wrong key ID`);
  ed25519PublicKeyObject(publicKey);
  return { name, keyId, publicKey };
}

export function verifierFromSigningKey(key: NoteSigningKey): NoteVerifier {
  return { name: key.name, keyId: noteKeyId(key.name, key.publicKey), publicKey: key.publicKey };
}

/** SHA-256 of the raw public key, hex: the fingerprint people compare when pinning the key. */
export function publicKeyFingerprint(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex');
}

function checkNoteText(text: string, what: string): void {
  if (hasControlCharacter(text, '\n')) invalid(`${what} holds a control character`);
  if (hasLoneSurrogate(text)) invalid(`${what} is not valid UTF-8 text`);
}

/** Signs note text (which ends in a newline) and returns the whole signed note. */
export function signNote(text: string, key: NoteSigningKey): string {
  checkKeyName(key.name);
  checkNoteText(text, 'note text');
  if (!text.endsWith('\n') || text.length < 2) invalid('note text must end with a newline');
  const signature = sign(null, Buffer.from(text, 'utf8'), key.privateKey);
  const keyId = Buffer.alloc(4);
  keyId.writeUInt32BE(noteKeyId(key.name, key.publicKey));
  return `${text}\n${emDash} ${key.name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
}

export interface OpenedNote {
  text: string;
  /** The verifiers whose signatures verified, in the order of the note's signature lines. */
  signedBy: NoteVerifier[];
}

/**
 * Verifies a signed note against the given verifiers. Signatures by unknown keys are ignored (the
 * note format allows cosigners); a known key whose signature fails rejects the note; a note no
 * known key signed is rejected. Throws audit.tampered for a bad signature, audit.invalid for text
 * that is not a signed note.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  checkNoteText(note, 'signed note');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) invalid('signed note has no blank line before signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > maxSignatures)
    invalid(`signed note has more than ${maxSignatures} signatures`);
  const signedBy: NoteVerifier[] = [];
  for (const [index, line] of lines.entries()) {
    const match = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!match) invalid(`signature line ${index + 1} of the note is malformed`);
    const [, name, encoded] = match as unknown as [string, string, string];
    const bytes = decodeStrictBase64(encoded);
    if (!bytes || bytes.length < 5)
      invalid(`signature line ${index + 1} is not base64 of 4+n bytes`);
    const keyId = bytes.readUInt32BE(0);
    const verifier = verifiers.find(
      (candidate) => candidate.name === name && candidate.keyId === keyId,
    );
    if (!verifier) continue;
    const valid =
      bytes.length === 68 &&
      verify(
        null,
        Buffer.from(text, 'utf8'),
        ed25519PublicKeyObject(verifier.publicKey),
        bytes.subarray(4),
      );
    if (!valid) {
      fail('audit.tampered', `the signature by ${name}+${keyIdHex(keyId)} does not verify`, {
        key: `${name}+${keyIdHex(keyId)}`,
      });
    }
    if (!signedBy.includes(verifier)) signedBy.push(verifier);
  }
  if (signedBy.length === 0) {
    fail('audit.tampered', 'the note carries no signature by a trusted key');
  }
  return { text, signedBy };
}

export interface CheckpointBody {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  /** When it was signed: UTC ISO 8601, carried in the extension line `time <iso>`. */
  time: string;
}

const timeLinePrefix = 'time ';

export function checkpointText(body: CheckpointBody): string {
  if (body.rootHash.length !== hashLength) invalid('a checkpoint root hash is 32 bytes');
  if (!Number.isSafeInteger(body.treeSize) || body.treeSize < 0) invalid('bad checkpoint size');
  checkKeyName(body.origin);
  return `${body.origin}\n${body.treeSize}\n${body.rootHash.toString('base64')}\n${timeLinePrefix}${body.time}\n`;
}

export function parseCheckpointText(text: string): CheckpointBody {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3 || lines.some((line) => line.length === 0)) {
    invalid('a checkpoint has at least three non-empty lines, each ending in a newline');
  }
  const [origin, sizeText, rootText, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    invalid(`checkpoint line 2 "${sizeText}" is not a tree size`);
  }
  const rootHash = decodeStrictBase64(rootText);
  if (!rootHash || rootHash.length !== hashLength) {
    invalid('checkpoint line 3 is not the base64 of a 32-byte root hash');
  }
  const timeLine = extensions.find((line) => line.startsWith(timeLinePrefix));
  const time = timeLine?.slice(timeLinePrefix.length) ?? '';
  if (!isIsoTime(time)) {
    invalid('the checkpoint has no "time <ISO 8601 UTC>" extension line');
  }
  return { origin, treeSize: Number(sizeText), rootHash, time };
}

/** A checkpoint as stored and exported: the signed note is the authority, the rest a reading of it. */
export interface SignedCheckpoint {
  origin: string;
  treeSize: number;
  /** Base64, as in the note. */
  rootHash: string;
  time: string;
  /** The whole signed note (C2SP tlog-checkpoint + signed-note). */
  note: string;
}

export function signCheckpoint(body: CheckpointBody, key: NoteSigningKey): SignedCheckpoint {
  const note = signNote(checkpointText(body), key);
  return {
    origin: body.origin,
    treeSize: body.treeSize,
    rootHash: body.rootHash.toString('base64'),
    time: body.time,
    note,
  };
}

/** Verifies a checkpoint note's signature with the given keys, then reads its body. */
export function openCheckpoint(note: string, verifiers: readonly NoteVerifier[]): CheckpointBody {
  const { text } = openNote(note, verifiers);
  return parseCheckpointText(text);
}
