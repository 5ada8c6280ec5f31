// PKCS#10 certification requests from devices (PEM or DER). A request is accepted only when it is
// exact DER, its self-signature verifies with the key it carries (proof of possession) under an
// algorithm we accept, and that key is strong enough for a device certificate. Nothing else in
// the request is trusted: the certificate's subject and extensions come from the inventory.
import type { KeyObject } from 'node:crypto';
import { fail } from '../lib/errors';
import type { Asn1, NameAttribute } from './der';
import {
  asn1,
  children,
  encodeDer,
  fromBinary,
  looksLikePem,
  parseDer,
  primitive,
  readName,
  readOid,
  readPemBlocks,
  sha256Hex,
} from './der';
import type { NameAttributeInput } from './certificate-builder';
import { encodeName } from './certificate-builder';
import type { KeyDescription } from './keys';
import { checkX509Signature, createSigner, describeKey, publicKeyFromSpki, spkiOf } from './keys';

const { Class, Type } = asn1;

/** Largest request accepted: an RSA-16384 request with attributes stays far below. */
export const maxRequestBytes = 64 * 1024;

export type RequestProblem = 'csr.malformed' | 'csr.signature' | 'csr.key';

export interface CertificationRequest {
  der: Buffer;
  subjectPublicKeyInfoDer: Buffer;
  publicKey: KeyObject;
  key: KeyDescription;
  /** SHA-256 (hex) of the SubjectPublicKeyInfo DER: the key's identity. */
  publicKeySha256: string;
  /** What the device put in its subject; informative only. */
  requestedSubject: NameAttribute[];
}

function refuse(problem: RequestProblem, message: string): never {
  fail('pki.invalid', message, { problem });
}

function requestDer(input: string | Uint8Array): Buffer {
  const isText = typeof input === 'string';
  if (!isText && !looksLikePem(input)) return Buffer.from(input);
  const text = isText ? input : Buffer.from(input).toString('utf8');
  const blocks = readPemBlocks(text, (problem) => refuse('csr.malformed', `CSR: ${problem}`));
  const requests = blocks.filter(
    (block) => block.label === 'CERTIFICATE REQUEST' || block.label === 'NEW CERTIFICATE REQUEST',
  );
  if (requests.length !== 1) {
    refuse(
      'csr.malformed',
      `CSR: expected one PEM block "CERTIFICATE REQUEST", found ${requests.length}`,
    );
  }
  return requests[0]!.der;
}

/** Reads and checks a CSR; throws `pki.invalid` with `details.problem` saying which check failed. */
export function parseCertificationRequest(input: string | Uint8Array): CertificationRequest {
  const der = requestDer(input);
  if (der.length > maxRequestBytes) {
    refuse('csr.malformed', `CSR: ${der.length} bytes is larger than ${maxRequestBytes}`);
  }
  const root = parseDer(der, (problem) => refuse('csr.malformed', `CSR: ${problem}`));
  let info: ReturnType<typeof readInfo>;
  let algorithmOid: string;
  let signature: Buffer;
  try {
    const [infoNode, algorithmNode, signatureNode] = children(root, 'the CSR');
    info = readInfo(infoNode!);
    algorithmOid = readOid(children(algorithmNode, 'signatureAlgorithm')[0], 'signatureAlgorithm');
    const bits = primitive(signatureNode, Type.BITSTRING, 'signature');
    if (bits.charCodeAt(0) !== 0) throw new Error('signature has unused bits');
    signature = fromBinary(bits.slice(1));
  } catch (error) {
    refuse('csr.malformed', `CSR: ${(error as Error).message}`);
  }
  let publicKey: KeyObject;
  try {
    publicKey = publicKeyFromSpki(info.subjectPublicKeyInfoDer);
  } catch {
    refuse('csr.malformed', 'CSR: the public key cannot be read');
  }
  const key = describeKey(publicKey);
  if ('problem' in key) refuse('csr.key', `CSR key refused: ${key.problem}`);
  // Proof of possession: the request is signed by the private half of the key it certifies.
  const problem = checkX509Signature({ algorithmOid, key: publicKey, data: info.der, signature });
  if (problem) refuse('csr.signature', `CSR self-signature refused: ${problem}`);
  return {
    der,
    subjectPublicKeyInfoDer: info.subjectPublicKeyInfoDer,
    publicKey,
    key,
    publicKeySha256: sha256Hex(info.subjectPublicKeyInfoDer),
    requestedSubject: info.subject,
  };
}

function readInfo(node: Asn1): {
  der: Buffer;
  subject: NameAttribute[];
  subjectPublicKeyInfoDer: Buffer;
} {
  const [version, subject, spki] = children(node, 'certificationRequestInfo');
  if (asn1.derToInteger(primitive(version, Type.INTEGER, 'version')) !== 0) {
    throw new Error('only version 1 requests are supported');
  }
  if (!spki) throw new Error('certificationRequestInfo is truncated');
  return {
    der: encodeDer(node),
    subject: readName(subject, 'subject'),
    subjectPublicKeyInfoDer: encodeDer(spki),
  };
}

/**
 * Makes a PKCS#10 request (DER) signed by `privateKey` (RSA, ECDSA or Ed25519) with no
 * attributes: what a device, the simulator or a test sends to be certified.
 */
export function createCertificationRequest(
  privateKey: KeyObject,
  subject: readonly NameAttributeInput[],
): Buffer {
  const signer = createSigner(privateKey);
  const info = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(0).getBytes()),
    parseDer(encodeName(subject), rethrow),
    parseDer(spkiOf(privateKey), rethrow),
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, []),
  ]);
  const signature = signer.sign(encodeDer(info));
  return encodeDer(
    asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
      info,
      parseDer(signer.algorithmIdentifier, rethrow),
      asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, `\x00${signature.toString('latin1')}`),
    ]),
  );
}

function rethrow(problem: string): never {
  throw new Error(problem);
}
