// Keys and signatures through node:crypto (native, constant-time, and the only way to EC and
// Ed25519 here: node-forge signs RSA only, in JavaScript). One table decides which keys a device
// or an authority may hold, and which algorithm identifier goes with each signing key, so a
// certificate never names an algorithm other than the one that signed it.
import type { KeyObject } from 'node:crypto';
import { constants, createPublicKey, sign, verify } from 'node:crypto';
import { asn1, encodeDer } from './der';

const { Class, Type } = asn1;

/** `rsa-2048`, `ec-p256`, `ed25519`, … */
export type KeyAlgorithmName = string;

export type KeyDescription =
  | { kind: 'rsa'; bits: number; name: KeyAlgorithmName }
  | { kind: 'ec'; curve: 'P-256' | 'P-384' | 'P-521'; name: KeyAlgorithmName }
  | { kind: 'ed25519'; name: 'ed25519' };

const curves: Record<string, 'P-256' | 'P-384' | 'P-521'> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/** What a key is, or why it is not one we use (a weak or unsupported key). */
export function describeKey(key: KeyObject): KeyDescription | { problem: string } {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      if (bits < 2048) return { problem: `RSA-${bits} is too weak (at least 2048 bits)` };
      if (bits > 16384) return { problem: `RSA-${bits} is larger than supported (16384 bits)` };
      // NIST SP 800-56B: e ≥ 65537. Small exponents only help an attacker when padding is weak.
      const exponent = details.publicExponent ?? 0n;
      if (exponent < 65537n || exponent % 2n === 0n) {
        return { problem: `an RSA public exponent of ${exponent} is not allowed (65537 or more)` };
      }
      return { kind: 'rsa', bits, name: `rsa-${bits}` };
    }
    case 'ec': {
      const curve = curves[details.namedCurve ?? ''];
      if (!curve)
        return { problem: `elliptic curve ${details.namedCurve ?? '?'} is not supported` };
      return { kind: 'ec', curve, name: `ec-${curve.replace('-', '').toLowerCase()}` };
    }
    case 'ed25519':
      return { kind: 'ed25519', name: 'ed25519' };
    default:
      return { problem: `${key.asymmetricKeyType ?? 'unknown'} keys are not supported` };
  }
}

export function publicKeyFromSpki(subjectPublicKeyInfoDer: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.from(subjectPublicKeyInfoDer),
    format: 'der',
    type: 'spki',
  });
}

export function spkiOf(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ format: 'der', type: 'spki' });
}

// ---------------------------------------------------------------------------------------------
// Signatures in certificates, CSRs and CRLs.

export const signatureOids = {
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
} as const;

interface SignatureScheme {
  kind: KeyDescription['kind'];
  /** The digest for node:crypto; null for Ed25519, which hashes internally. */
  hash: 'sha256' | 'sha384' | 'sha512' | null;
}

/** The X.509 signature algorithms accepted on input (CSRs). SHA-1 and PSS are refused by name. */
const acceptedSignatures: Record<string, SignatureScheme> = {
  [signatureOids.sha256WithRSAEncryption]: { kind: 'rsa', hash: 'sha256' },
  [signatureOids.sha384WithRSAEncryption]: { kind: 'rsa', hash: 'sha384' },
  [signatureOids.sha512WithRSAEncryption]: { kind: 'rsa', hash: 'sha512' },
  [signatureOids.ecdsaWithSha256]: { kind: 'ec', hash: 'sha256' },
  [signatureOids.ecdsaWithSha384]: { kind: 'ec', hash: 'sha384' },
  [signatureOids.ecdsaWithSha512]: { kind: 'ec', hash: 'sha512' },
  [signatureOids.ed25519]: { kind: 'ed25519', hash: null },
};

const refusedSignatures: Record<string, string> = {
  [signatureOids.sha1WithRSAEncryption]: 'SHA-1 with RSA is too weak',
  [signatureOids.ecdsaWithSha1]: 'ECDSA with SHA-1 is too weak',
  [signatureOids.rsassaPss]: 'RSASSA-PSS signatures on requests are not supported',
};

/**
 * Checks an X.509-style signature (algorithm OID, DER ECDSA) over `data`. Returns the problem in
 * words, or null when the signature verifies.
 */
export function checkX509Signature(input: {
  algorithmOid: string;
  key: KeyObject;
  data: Uint8Array;
  signature: Uint8Array;
}): string | null {
  const scheme = acceptedSignatures[input.algorithmOid];
  if (!scheme) {
    return (
      refusedSignatures[input.algorithmOid] ??
      `signature algorithm ${input.algorithmOid} is not supported`
    );
  }
  if (scheme.kind !== input.key.asymmetricKeyType) {
    return `the signature algorithm (${input.algorithmOid}) does not fit a ${input.key.asymmetricKeyType ?? '?'} key`;
  }
  let valid: boolean;
  try {
    valid = verify(scheme.hash, input.data, input.key, input.signature);
  } catch {
    valid = false;
  }
  return valid ? null : 'the signature does not verify';
}

export interface Signer {
  key: KeyObject;
  description: KeyDescription;
  /** AlgorithmIdentifier DER for the `signature` fields of what this key signs. */
  algorithmIdentifier: Buffer;
  sign(data: Uint8Array): Buffer;
}

/**
 * A key ready to sign X.509 structures: RSA with SHA-256 (PKCS#1 v1.5), ECDSA with the hash that
 * matches the curve (RFC 5480), Ed25519 (RFC 8410); DER signatures. RSA algorithm identifiers
 * carry NULL parameters (RFC 4055), ECDSA and Ed25519 ones none (RFC 5758, RFC 8410).
 */
export function createSigner(privateKey: KeyObject): Signer {
  const description = describeKey(privateKey);
  if ('problem' in description) throw new Error(description.problem);
  let oid: string;
  let hash: 'sha256' | 'sha384' | 'sha512' | null;
  switch (description.kind) {
    case 'rsa':
      oid = signatureOids.sha256WithRSAEncryption;
      hash = 'sha256';
      break;
    case 'ec':
      oid = {
        'P-256': signatureOids.ecdsaWithSha256,
        'P-384': signatureOids.ecdsaWithSha384,
        'P-521': signatureOids.ecdsaWithSha512,
      }[description.curve];
      hash = ({ 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' } as const)[
        description.curve
      ];
      break;
    case 'ed25519':
      oid = signatureOids.ed25519;
      hash = null;
      break;
  }
  const parameters =
    description.kind === 'rsa' ? [asn1.create(Class.UNIVERSAL, Type.NULL, false, '')] : [];
  const algorithmIdentifier = encodeDer(
    asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
      asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(oid).getBytes()),
      ...parameters,
    ]),
  );
  return {
    key: privateKey,
    description,
    algorithmIdentifier,
    sign: (data) => sign(hash, data, { key: privateKey, dsaEncoding: 'der' }),
  };
}

/**
 * A CA key: RSA or ECDSA P-256/P-384 only. The CRL is signed through WebCrypto, and device TLS
 * stacks verify these everywhere; Ed25519 and P-521 chains are still rare in embedded devices.
 */
export function createAuthoritySigner(privateKey: KeyObject): Signer {
  const signer = createSigner(privateKey);
  const { description } = signer;
  if (
    description.kind === 'ed25519' ||
    (description.kind === 'ec' && description.curve === 'P-521')
  ) {
    throw new Error(
      `${description.name} authority keys are not supported (RSA or ECDSA P-256/P-384)`,
    );
  }
  return signer;
}

// ---------------------------------------------------------------------------------------------
// Signatures in the provisioning protocol (challenges, statements) and on baselines.

/** The names the provisioning protocol uses on the wire (src-main/provisioning/messages.ts). */
export type SignatureAlgorithm =
  'ecdsa-p256-sha256' | 'ed25519' | 'rsa-pss-sha256' | 'rsa-pkcs1-sha256';

export const signatureAlgorithmNames: readonly SignatureAlgorithm[] = [
  'ecdsa-p256-sha256',
  'ed25519',
  'rsa-pss-sha256',
  'rsa-pkcs1-sha256',
];

/** The algorithm a key signs with when none is named: PKCS#1 v1.5 for RSA (as IDevIDs do). */
export function defaultSignatureAlgorithm(key: KeyObject): SignatureAlgorithm | null {
  const description = describeKey(key);
  if ('problem' in description) return null;
  if (description.kind === 'rsa') return 'rsa-pkcs1-sha256';
  if (description.kind === 'ed25519') return 'ed25519';
  return description.curve === 'P-256' ? 'ecdsa-p256-sha256' : null;
}

/**
 * Verifies `signature` over exactly `message` with a public key (KeyObject or SPKI DER). ECDSA
 * signatures are DER (Ecdsa-Sig-Value); a 64-byte raw r‖s (IEEE P1363) is accepted too, which
 * cannot be confused with DER (at least 70 bytes for P-256). RSA-PSS: MGF1-SHA-256, salt 32.
 * Returns false for a key that does not fit the algorithm; never throws on bad signatures.
 */
export function verifySignature(input: {
  publicKey: KeyObject | Uint8Array;
  algorithm: SignatureAlgorithm;
  message: Uint8Array;
  signature: Uint8Array;
}): boolean {
  const key =
    input.publicKey instanceof Uint8Array ? publicKeyFromSpki(input.publicKey) : input.publicKey;
  const description = describeKey(key);
  if ('problem' in description) return false;
  try {
    switch (input.algorithm) {
      case 'ecdsa-p256-sha256':
        if (description.kind !== 'ec' || description.curve !== 'P-256') return false;
        return verify(
          'sha256',
          input.message,
          { key, dsaEncoding: input.signature.length === 64 ? 'ieee-p1363' : 'der' },
          input.signature,
        );
      case 'ed25519':
        if (description.kind !== 'ed25519') return false;
        return verify(null, input.message, key, input.signature);
      case 'rsa-pss-sha256':
        if (description.kind !== 'rsa') return false;
        return verify(
          'sha256',
          input.message,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
          input.signature,
        );
      case 'rsa-pkcs1-sha256':
        if (description.kind !== 'rsa') return false;
        return verify('sha256', input.message, key, input.signature);
    }
  } catch {
    return false;
  }
}
