// Approved firmware baselines: per manufacturer and model, the versions approved and the SHA-256
// of each image. A baseline arrives as a signed file and is believed only after its signature
// verifies with the publisher key an administrator configured, before its content is even parsed.
//
// The file (UTF-8 JSON):
//   { "format": "wardkeep-firmware-baseline", "version": 1,
//     "payload": "<base64 of the UTF-8 JSON document below>",
//     "signature": { "algorithm": "ed25519" | "ecdsa-p256-sha256" | "rsa-pss-sha256",
//                    "value": "<base64 signature over the payload's bytes>" } }
// The document:
//   { "sequence": 12, "publisher": "…", "issuedAt": "2026-11-23T10:00:00Z",
//     "models": [ { "manufacturer": "…", "model": "…",
//                   "approved": [ { "version": "4.2.1", "sha256": "<64 hex>" } ] } ] }
// Signing the payload's bytes, not a re-serialisation, leaves nothing to canonicalise. The
// algorithm is the configured key's (ECDSA signatures DER; RSA-PSS with MGF1-SHA-256, salt 32);
// the file's `algorithm` must agree with it. `sequence` only grows per publisher key, so an older
// signed baseline (approving a since-withdrawn version) cannot be imported again.
import type { KeyObject } from 'node:crypto';
import { constants, createPublicKey, sign } from 'node:crypto';
import { z } from 'zod';
import { fail } from '../lib/errors';
import { readPemBlocks, sha256Hex } from './der';
import { describeKey, spkiOf, verifySignature } from './keys';
import type { PublisherKeyInfo } from './types';

export const baselineFormat = 'wardkeep-firmware-baseline';
export const maxBaselineBytes = 16 * 1024 * 1024;

export type PublisherAlgorithm = PublisherKeyInfo['algorithm'];

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

const Envelope = z.strictObject({
  format: z.literal(baselineFormat),
  version: z.literal(1),
  payload: base64.min(4),
  signature: z.strictObject({
    algorithm: z.enum(['ed25519', 'ecdsa-p256-sha256', 'rsa-pss-sha256']),
    value: base64.min(4),
  }),
});

const label = z.string().trim().min(1).max(200);

export const BaselineDocument = z.strictObject({
  sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  publisher: label,
  issuedAt: z.iso.datetime(),
  models: z
    .array(
      z.strictObject({
        manufacturer: label,
        model: label,
        approved: z
          .array(
            z.strictObject({
              version: z.string().trim().min(1).max(64),
              sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits'),
            }),
          )
          .min(1)
          .max(1000),
      }),
    )
    .max(100_000),
});
export type BaselineDocument = z.infer<typeof BaselineDocument>;

export interface PublisherKey {
  spkiDer: Buffer;
  fingerprintSha256: string;
  algorithm: PublisherAlgorithm;
}

/** Reads a publisher's PUBLIC KEY (PEM); Ed25519, ECDSA P-256 or RSA (≥ 2048, used with PSS). */
export function readPublisherKey(pem: string): PublisherKey {
  const blocks = readPemBlocks(pem, (problem) =>
    fail('input.invalid', `publisher key: ${problem}`),
  );
  const block = blocks.find((candidate) => candidate.label === 'PUBLIC KEY');
  if (!block || blocks.length !== 1) {
    fail('input.invalid', 'the publisher key must be one PEM block "PUBLIC KEY"');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block.der, format: 'der', type: 'spki' });
  } catch {
    fail('input.invalid', 'the publisher key cannot be read');
  }
  const description = describeKey(key);
  if ('problem' in description)
    fail('input.invalid', `publisher key refused: ${description.problem}`);
  let algorithm: PublisherAlgorithm;
  if (description.kind === 'ed25519') algorithm = 'ed25519';
  else if (description.kind === 'rsa') algorithm = 'rsa-pss-sha256';
  else if (description.curve === 'P-256') algorithm = 'ecdsa-p256-sha256';
  else fail('input.invalid', `publisher key refused: ${description.name} (use P-256)`);
  const spkiDer = spkiOf(key);
  return { spkiDer, fingerprintSha256: sha256Hex(spkiDer), algorithm };
}

function jsonPath(path: readonly PropertyKey[]): string {
  return `$${path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}`;
}

function invalid(path: readonly PropertyKey[], problem: string, where = ''): never {
  const at = jsonPath(path);
  fail('baseline.invalid', `${where}${at}: ${problem}`, { path: at });
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    invalid([], `not valid JSON (${(error as Error).message})`, where);
  }
}

export interface OpenedBaseline {
  document: BaselineDocument;
  payloadSha256: string;
}

/**
 * Checks a signed baseline file against the publisher key: `baseline.invalid` (with the JSON path)
 * for a malformed envelope or document, `baseline.signature` when the signature does not verify.
 */
export function openBaseline(file: string | Uint8Array, publisher: PublisherKey): OpenedBaseline {
  const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : Buffer.from(file);
  if (bytes.length > maxBaselineBytes) {
    invalid([], `the file is ${bytes.length} bytes, more than ${maxBaselineBytes}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    invalid([], 'the file is not UTF-8 text');
  }
  const envelope = Envelope.safeParse(parseJson(text, ''));
  if (!envelope.success) {
    const issue = envelope.error.issues[0]!;
    invalid(issue.path, issue.message);
  }
  if (envelope.data.signature.algorithm !== publisher.algorithm) {
    fail(
      'baseline.signature',
      `the baseline is signed with ${envelope.data.signature.algorithm} but the configured publisher key is for ${publisher.algorithm}`,
    );
  }
  const payload = Buffer.from(envelope.data.payload, 'base64');
  const valid = verifySignature({
    publicKey: publisher.spkiDer,
    algorithm: publisher.algorithm,
    message: payload,
    signature: Buffer.from(envelope.data.signature.value, 'base64'),
  });
  if (!valid) {
    fail(
      'baseline.signature',
      `the baseline signature does not verify with the configured publisher key (SHA-256 ${publisher.fingerprintSha256.slice(0, 16)}…)`,
    );
  }
  let payloadText: string;
  try {
    payloadText = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    invalid(['payload'], 'the payload is not UTF-8 text');
  }
  const document = BaselineDocument.safeParse(parseJson(payloadText, 'payload '));
  if (!document.success) {
    const issue = document.error.issues[0]!;
    invalid(issue.path, issue.message, 'payload ');
  }
  const seen = new Map<string, number>();
  document.data.models.forEach((entry, index) => {
    const key = `${modelKey(entry.manufacturer)}\u0000${modelKey(entry.model)}`;
    const first = seen.get(key);
    if (first !== undefined) {
      invalid(['models', index], `repeats the model of $.models[${first}]`, 'payload ');
    }
    seen.set(key, index);
  });
  return { document: document.data, payloadSha256: sha256Hex(payload) };
}

/** How manufacturers and models compare: NFC, trimmed, inner white space collapsed, lower case. */
export function modelKey(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Makes a signed baseline file: for a publisher's own tooling and for tests. The document is
 * validated first, so nothing is signed that the import would refuse.
 */
export function signBaseline(document: BaselineDocument, privateKey: KeyObject): string {
  const checked = BaselineDocument.parse(document);
  const payload = Buffer.from(JSON.stringify(checked), 'utf8');
  const description = describeKey(privateKey);
  if ('problem' in description) throw new Error(description.problem);
  let algorithm: PublisherAlgorithm;
  let signature: Buffer;
  if (description.kind === 'ed25519') {
    algorithm = 'ed25519';
    signature = sign(null, payload, privateKey);
  } else if (description.kind === 'rsa') {
    algorithm = 'rsa-pss-sha256';
    signature = sign('sha256', payload, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
  } else {
    algorithm = 'ecdsa-p256-sha256';
    signature = sign('sha256', payload, { key: privateKey, dsaEncoding: 'der' });
  }
  return `${JSON.stringify(
    {
      format: baselineFormat,
      version: 1,
      payload: payload.toString('base64'),
      signature: { algorithm, value: signature.toString('base64') },
    },
    null,
    2,
  )}\n`;
}
