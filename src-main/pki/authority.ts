// The issuing CA, prepared outside any transaction (key generation and PKCS#12 decryption are the
// slow parts) and checked before it is installed: the key matches the certificate, the
// certificate is a CA allowed to sign certificates and CRLs, valid now, and its chain verifies up
// to a self-signed root that devices will trust.
//
// A stand-alone site gets two tiers made here: a root (20 years, path length 1) that devices and
// RADIUS servers trust, and an issuing CA (10 years) under it that signs LDevIDs and CRLs. The
// root key stays in the encrypted store only to sign the next issuing CA, so the issuing CA can
// be replaced without touching any device's trust store.
import type { KeyObject } from 'node:crypto';
import { X509Certificate, createPrivateKey, generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { fail } from '../lib/errors';
import { encodeName, randomSerial, signCertificate } from './certificate-builder';
import type { CertificateFields } from './der';
import { encodeDer, formatName, fromBinary, readCertificate, toBinary } from './der';
import type { KeyDescription, Signer } from './keys';
import { createAuthoritySigner, describeKey, spkiOf } from './keys';
import {
  authorityProfile,
  authoritySubject,
  backdateMs,
  checkText,
  dayMs,
  defaultIssuingValidityDays,
  defaultRootValidityDays,
  keyIdentifier,
} from './profile';

export type AuthorityKeyAlgorithm =
  'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'ecdsa-p256' | 'ecdsa-p384';

export const authorityKeyAlgorithms: readonly AuthorityKeyAlgorithm[] = [
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'ecdsa-p256',
  'ecdsa-p384',
];

export interface LocalAuthorityOptions {
  /** The hospital or site: O= of both CAs and of every device certificate. */
  siteName: string;
  /** Default rsa-3072: the widest support in device TLS stacks at a strength good past 2030. */
  keyAlgorithm?: AuthorityKeyAlgorithm;
  rootValidityDays?: number;
  /** Capped at the root's validity. */
  issuingValidityDays?: number;
}

export interface PreparedCertificate {
  certificateDer: Buffer;
  /** PKCS#8 DER; null for an enterprise CA whose key the console never holds. */
  privateKeyPkcs8: Buffer | null;
}

/**
 * An issuing CA ready to install. It holds private keys: keep it in memory between preparing and
 * installing, never log or send it.
 */
export interface PreparedAuthority {
  origin: 'local' | 'imported';
  siteName: string;
  issuing: { certificateDer: Buffer; privateKeyPkcs8: Buffer };
  /** The issuing CA's issuers, nearest first; the last is a self-signed root. */
  chain: PreparedCertificate[];
}

const generateKeyPairAsync = promisify(generateKeyPair);

export const maxPkcs12Bytes = 1024 * 1024;

async function generateAuthorityKey(algorithm: AuthorityKeyAlgorithm): Promise<KeyObject> {
  const pair =
    algorithm === 'ecdsa-p256' || algorithm === 'ecdsa-p384'
      ? await generateKeyPairAsync('ec', {
          namedCurve: algorithm === 'ecdsa-p256' ? 'P-256' : 'P-384',
        })
      : await generateKeyPairAsync('rsa', {
          modulusLength: Number(algorithm.slice(4)),
          publicExponent: 65537,
        });
  return pair.privateKey;
}

function pkcs8(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'pkcs8' });
}

function checkDays(value: number | undefined, fallback: number, field: string): number {
  const days = value ?? fallback;
  if (!Number.isInteger(days) || days < 1 || days > 36525) {
    fail('input.invalid', `${field} must be a whole number of days from 1 to 36525`, { field });
  }
  return days;
}

/**
 * Makes a root and an issuing CA. Key generation runs on libuv's thread pool (about a second for
 * RSA-3072 here), so the event loop stays free; nothing is written until installAuthority.
 */
export async function generateLocalAuthority(
  options: LocalAuthorityOptions,
  nowMs: number,
): Promise<PreparedAuthority> {
  const siteName = checkText(options.siteName, 'siteName');
  const algorithm = options.keyAlgorithm ?? 'rsa-3072';
  if (!authorityKeyAlgorithms.includes(algorithm)) {
    fail('input.invalid', `keyAlgorithm must be one of ${authorityKeyAlgorithms.join(', ')}`, {
      field: 'keyAlgorithm',
    });
  }
  const rootDays = checkDays(options.rootValidityDays, defaultRootValidityDays, 'rootValidityDays');
  const issuingDays = Math.min(
    rootDays,
    checkDays(options.issuingValidityDays, defaultIssuingValidityDays, 'issuingValidityDays'),
  );
  const [rootKey, issuingKey] = await Promise.all([
    generateAuthorityKey(algorithm),
    generateAuthorityKey(algorithm),
  ]);
  // A short random tag keeps two sites' (or two set-ups') CAs apart in trust stores and logs.
  const tag = randomBytes(4).toString('hex');
  const startMs = Math.floor(nowMs / 1000) * 1000 - backdateMs;
  const rootName = encodeName(authoritySubject(siteName, `Wardkeep Root CA ${tag}`));
  const rootSpki = spkiOf(rootKey);
  const rootSigner = createAuthoritySigner(rootKey);
  const rootDer = signCertificate(
    {
      serial: randomSerial(),
      issuerNameDer: rootName,
      subjectNameDer: rootName,
      notBeforeMs: startMs,
      notAfterMs: startMs + rootDays * dayMs,
      subjectPublicKeyInfoDer: rootSpki,
      // Path length 1: one issuing CA below the root, and nothing below that.
      profile: authorityProfile({
        pathLength: 1,
        subjectPublicKeyInfoDer: rootSpki,
        issuerKeyIdentifier: null,
      }),
    },
    rootSigner,
  );
  const issuingSpki = spkiOf(issuingKey);
  const issuingDer = signCertificate(
    {
      serial: randomSerial(),
      issuerNameDer: rootName,
      subjectNameDer: encodeName(authoritySubject(siteName, `Wardkeep Issuing CA ${tag}`)),
      notBeforeMs: startMs,
      notAfterMs: startMs + issuingDays * dayMs,
      subjectPublicKeyInfoDer: issuingSpki,
      profile: authorityProfile({
        pathLength: 0,
        subjectPublicKeyInfoDer: issuingSpki,
        issuerKeyIdentifier: keyIdentifier(rootSpki),
      }),
    },
    rootSigner,
  );
  return {
    origin: 'local',
    siteName,
    issuing: { certificateDer: issuingDer, privateKeyPkcs8: pkcs8(issuingKey) },
    chain: [{ certificateDer: rootDer, privateKeyPkcs8: pkcs8(rootKey) }],
  };
}

// ---------------------------------------------------------------------------------------------
// PKCS#12 from the enterprise PKI.

function refuse(message: string, details?: Record<string, unknown>): never {
  fail('pki.invalid', message, details);
}

function describeCertificate(fields: CertificateFields): string {
  return formatName(fields.subject) || '(empty subject)';
}

function bagCertificateDer(bag: forge.pkcs12.Bag): Buffer {
  // forge parses RSA certificates into objects (keeping the signed TBS as read) and leaves others
  // (EC) as ASN.1; both re-encode to the bytes in the file.
  const node = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
  return fromBinary(forge.asn1.toDer(node).getBytes());
}

function bagKey(bag: forge.pkcs12.Bag): KeyObject {
  const info = bag.key
    ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key))
    : bag.asn1;
  return createPrivateKey({ key: encodeDer(info), format: 'der', type: 'pkcs8' });
}

/**
 * Reads a sub-CA certificate, its private key and its chain from a password-protected PKCS#12
 * (OpenSSL 3's AES-256-CBC/PBKDF2 default and the legacy 3DES/RC2 forms). Takes 50–150 ms of
 * synchronous work (forge derives the keys in JavaScript): an administrator's one-off step.
 */
export function readAuthorityPkcs12(
  file: Uint8Array,
  password: string,
  options: { siteName: string },
  nowMs: number,
): PreparedAuthority {
  const siteName = checkText(options.siteName, 'siteName');
  if (file.length > maxPkcs12Bytes) {
    refuse(`the file is ${file.length} bytes; a sub-CA's PKCS#12 is far below ${maxPkcs12Bytes}`, {
      problem: 'pkcs12.malformed',
    });
  }
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    const node = forge.asn1.fromDer(forge.util.createBuffer(toBinary(file)));
    pfx = forge.pkcs12.pkcs12FromAsn1(node, true, password);
  } catch (error) {
    const message = (error as Error).message;
    if (/password/i.test(message)) {
      refuse('the PKCS#12 password is wrong (the file failed its integrity check)', {
        problem: 'pkcs12.password',
      });
    }
    refuse(`the file is not a PKCS#12 the console can read: ${message}`, {
      problem: 'pkcs12.malformed',
    });
  }
  const bags = pfx.safeContents.flatMap((contents) => contents.safeBags);
  const keyBags = bags.filter(
    (bag) => bag.type === forge.pki.oids.keyBag || bag.type === forge.pki.oids.pkcs8ShroudedKeyBag,
  );
  if (keyBags.length !== 1) {
    refuse(`the PKCS#12 holds ${keyBags.length} private keys; export exactly one, the sub-CA's`, {
      problem: 'pkcs12.keys',
    });
  }
  let key: KeyObject;
  try {
    key = bagKey(keyBags[0]!);
  } catch (error) {
    refuse(`the PKCS#12 private key cannot be read: ${(error as Error).message}`, {
      problem: 'pkcs12.malformed',
    });
  }
  const certificates = bags
    .filter((bag) => bag.type === forge.pki.oids.certBag)
    .map((bag) => bagCertificateDer(bag));
  const own = certificates.find((der) => new X509Certificate(der).checkPrivateKey(key));
  if (!own) {
    refuse(
      `the private key does not match any of the ${certificates.length} certificates in the PKCS#12`,
      { problem: 'pkcs12.key_mismatch' },
    );
  }
  const chain = buildChain(
    own,
    certificates.filter((der) => der !== own),
  );
  const prepared: PreparedAuthority = {
    origin: 'imported',
    siteName,
    issuing: { certificateDer: own, privateKeyPkcs8: pkcs8(key) },
    chain: chain.map((certificateDer) => ({ certificateDer, privateKeyPkcs8: null })),
  };
  checkAuthority(prepared, nowMs);
  return prepared;
}

function isSelfSigned(certificate: X509Certificate): boolean {
  return certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
}

/** From the sub-CA up to a self-signed root, using the other certificates of the file. */
function buildChain(start: Buffer, others: Buffer[]): Buffer[] {
  const chain: Buffer[] = [];
  let current = new X509Certificate(start);
  const remaining = [...others];
  while (!isSelfSigned(current)) {
    const index = remaining.findIndex((der) => {
      const candidate = new X509Certificate(der);
      return current.checkIssued(candidate) && current.verify(candidate.publicKey);
    });
    if (index === -1) {
      refuse(
        `the PKCS#12 does not hold the issuer of "${current.subject.replace(/\n/g, ', ')}"; export the sub-CA with its chain up to the root (openssl pkcs12 -export -certfile root.pem)`,
        { problem: 'pkcs12.chain' },
      );
    }
    const [next] = remaining.splice(index, 1);
    chain.push(next!);
    current = new X509Certificate(next!);
  }
  return chain;
}

// ---------------------------------------------------------------------------------------------
// Checks and the loaded form.

export interface LoadedAuthority {
  certificate: CertificateFields;
  signer: Signer;
  /** The issuing CA's key identifier: AKI of everything it signs. */
  keyIdentifier: Buffer;
  chain: CertificateFields[];
  /** DER of what devices should trust: the chain's root (or the CA itself when self-signed). */
  trustAnchorsDer: Buffer[];
  /** DER of the issuing CA and its intermediates (not the root), nearest first. */
  presentedChainDer: Buffer[];
}

/**
 * `casBelow`: how many CA certificates sit between this one and the device certificates it
 * ultimately certifies, which its path length constraint must allow.
 */
function checkCa(
  fields: CertificateFields,
  role: string,
  casBelow: number,
  nowMs: number | null,
): void {
  const name = describeCertificate(fields);
  if (!fields.basicConstraints?.ca) {
    refuse(`the ${role} certificate "${name}" is not a CA (basicConstraints cA is not set)`, {
      problem: 'authority.not_ca',
    });
  }
  const pathLength = fields.basicConstraints.pathLength;
  if (pathLength !== null && pathLength < casBelow) {
    refuse(
      `the ${role} certificate "${name}" allows ${pathLength} CA(s) below it, the chain has ${casBelow}`,
      { problem: 'authority.path_length' },
    );
  }
  // The issuing CA signs certificates and CRLs; the CAs above it only certificates.
  const usage = fields.keyUsage;
  const needed =
    casBelow === 0 ? (['keyCertSign', 'cRLSign'] as const) : (['keyCertSign'] as const);
  if (usage && !needed.every((bit) => usage.has(bit))) {
    refuse(
      `the ${role} certificate "${name}" may not sign ${casBelow === 0 ? 'certificates and CRLs' : 'certificates'} (key usage)`,
      {
        problem: 'authority.key_usage',
      },
    );
  }
  if (nowMs === null) return;
  if (fields.notAfterMs <= nowMs) {
    refuse(
      `the ${role} certificate "${name}" expired on ${new Date(fields.notAfterMs).toISOString()}`,
      { problem: 'authority.expired' },
    );
  }
  if (fields.notBeforeMs > nowMs) {
    refuse(
      `the ${role} certificate "${name}" is not valid before ${new Date(fields.notBeforeMs).toISOString()}`,
      { problem: 'authority.not_yet_valid' },
    );
  }
}

function readOrRefuse(der: Buffer, role: string): CertificateFields {
  try {
    return readCertificate(der);
  } catch (error) {
    refuse(`the ${role} certificate cannot be read: ${(error as Error).message}`, {
      problem: 'authority.malformed',
    });
  }
}

/**
 * Every check an issuing CA passes before use; returns it loaded, ready to sign. `nowMs` null
 * skips the validity periods: a stored CA is loaded once, and each use checks its own time.
 */
export function checkAuthority(prepared: PreparedAuthority, nowMs: number | null): LoadedAuthority {
  const certificate = readOrRefuse(prepared.issuing.certificateDer, 'issuing CA');
  checkCa(certificate, 'issuing CA', 0, nowMs);
  const key = createPrivateKey({
    key: prepared.issuing.privateKeyPkcs8,
    format: 'der',
    type: 'pkcs8',
  });
  if (!new X509Certificate(prepared.issuing.certificateDer).checkPrivateKey(key)) {
    refuse('the private key does not match the issuing CA certificate', {
      problem: 'pkcs12.key_mismatch',
    });
  }
  const description: KeyDescription | { problem: string } = describeKey(key);
  if ('problem' in description) {
    refuse(`the issuing CA key is refused: ${description.problem}`, { problem: 'authority.key' });
  }
  let signer: Signer;
  try {
    signer = createAuthoritySigner(key);
  } catch (error) {
    refuse(`the issuing CA key is refused: ${(error as Error).message}`, {
      problem: 'authority.key',
    });
  }
  const chain = prepared.chain.map((link, index) => {
    const fields = readOrRefuse(link.certificateDer, `chain ${index + 1}`);
    checkCa(
      fields,
      index === prepared.chain.length - 1 ? 'root' : 'intermediate',
      index + 1,
      nowMs,
    );
    return fields;
  });
  // Each certificate must be signed by the next, and the last must sign itself.
  const path = [
    prepared.issuing.certificateDer,
    ...prepared.chain.map((link) => link.certificateDer),
  ];
  path.forEach((der, index) => {
    const subject = new X509Certificate(der);
    const issuer = new X509Certificate(path[index + 1] ?? der);
    if (!subject.checkIssued(issuer) || !subject.verify(issuer.publicKey)) {
      refuse(
        `the chain is broken: "${subject.subject.replace(/\n/g, ', ')}" is not signed by the next certificate`,
        { problem: 'authority.chain' },
      );
    }
  });
  const root = path[path.length - 1]!;
  return {
    certificate,
    signer,
    keyIdentifier:
      certificate.subjectKeyIdentifier ?? keyIdentifier(certificate.subjectPublicKeyInfoDer),
    chain,
    trustAnchorsDer: [root],
    presentedChainDer: path.slice(0, Math.max(1, path.length - 1)),
  };
}
