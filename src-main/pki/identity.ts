// Manufacturer trust and device identity (IEEE 802.1AR IDevID). A bundle of manufacturer CAs is
// checked certificate by certificate before any is trusted. A device proves what it is by an
// IDevID chain that leads to one of those CAs (signatures, validity, CA flags, key usage and
// path lengths checked with node:crypto/OpenSSL), a signature over fresh bytes by the IDevID key,
// and the serialNumber in the IDevID subject being the serial it claims: a copied certificate
// without its key, or a key in a device reporting another serial, is refused as a possible clone.
import { X509Certificate } from 'node:crypto';
import { fail } from '../lib/errors';
import type { CertificateFields } from './der';
import { formatName, nameValue, oids, readCertificate, readPemBlocks } from './der';
import type { SignatureAlgorithm } from './keys';
import {
  defaultSignatureAlgorithm,
  describeKey,
  publicKeyFromSpki,
  signatureAlgorithmNames,
  verifySignature,
} from './keys';
import { checkText } from './profile';
import type { IdentityEvidence, IdentityRefusalCode, IdentityVerdict } from './types';

/** Certificates in an IDevID chain: the protocol carries at most four. */
export const maxChainLength = 8;
export const maxCertificateBytes = 16 * 1024;
export const maxBundleCertificates = 500;

export interface TrustAnchor {
  fingerprintSha256: string;
  manufacturer: string;
  fields: CertificateFields;
  certificate: X509Certificate;
}

export interface CheckedAnchor {
  der: Buffer;
  fields: CertificateFields;
  manufacturer: string;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Extensions this verifier understands; any other marked critical makes a certificate unusable. */
const understoodExtensions = new Set<string>([
  oids.basicConstraints,
  oids.keyUsage,
  oids.extendedKeyUsage,
  oids.subjectAltName,
  oids.subjectKeyIdentifier,
  oids.authorityKeyIdentifier,
]);

function unknownCriticalExtension(fields: CertificateFields): string | null {
  return fields.extensions.find((e) => e.critical && !understoodExtensions.has(e.oid))?.oid ?? null;
}

/**
 * Checks every certificate of a PEM bundle: readable, a CA (basicConstraints cA, keyCertSign
 * when key usage is present), valid now. The first bad one fails the whole import with
 * `trust.invalid`, naming its 1-based index and subject; nothing is trusted from a bad bundle.
 */
export function checkTrustBundle(
  pem: string,
  nowMs: number,
  manufacturer?: string,
): CheckedAnchor[] {
  const label =
    manufacturer === undefined ? undefined : checkText(manufacturer, 'manufacturer', 200);
  const blocks = readPemBlocks(pem, (problem) => fail('trust.invalid', `bundle: ${problem}`));
  if (blocks.length === 0) fail('trust.invalid', 'the bundle holds no PEM certificate');
  if (blocks.length > maxBundleCertificates) {
    fail(
      'trust.invalid',
      `the bundle holds ${blocks.length} certificates, more than ${maxBundleCertificates}`,
    );
  }
  return blocks.map((block) => {
    const index = block.index + 1;
    const where = `certificate ${index} (line ${block.line})`;
    if (block.label !== 'CERTIFICATE') {
      fail('trust.invalid', `${where} is a ${block.label}, not a CERTIFICATE`, { index });
    }
    let fields: CertificateFields;
    try {
      fields = readCertificate(block.der);
      new X509Certificate(block.der);
    } catch (error) {
      fail('trust.invalid', `${where} cannot be read: ${(error as Error).message}`, { index });
    }
    const subject = formatName(fields.subject);
    const refuse = (problem: string): never =>
      fail('trust.invalid', `${where} "${subject}" ${problem}`, { index, subject });
    if (!fields.basicConstraints?.ca) refuse('is not a CA (basicConstraints cA is not set)');
    if (fields.keyUsage && !fields.keyUsage.has('keyCertSign')) {
      refuse('may not sign certificates (key usage lacks keyCertSign)');
    }
    if (fields.notAfterMs <= nowMs) refuse(`expired on ${isoTime(fields.notAfterMs)}`);
    if (fields.notBeforeMs > nowMs) refuse(`is not valid before ${isoTime(fields.notBeforeMs)}`);
    const critical = unknownCriticalExtension(fields);
    if (critical) refuse(`has a critical extension this console cannot check (${critical})`);
    const named =
      label ??
      nameValue(fields.subject, oids.organizationName) ??
      nameValue(fields.subject, oids.commonName) ??
      subject;
    return { der: block.der, fields, manufacturer: named };
  });
}

// ---------------------------------------------------------------------------------------------
// Verifying a device.

interface ChainLink {
  fields: CertificateFields;
  certificate: X509Certificate;
}

function refused(code: IdentityRefusalCode, reason: string): IdentityVerdict {
  const prefix: Record<IdentityRefusalCode, string> = {
    untrusted_manufacturer: 'untrusted manufacturer',
    expired: 'expired',
    signature_invalid: 'signature does not verify',
    serial_mismatch: 'serial mismatch',
    malformed: 'malformed identity',
  };
  return { trusted: false, code, reason: `${prefix[code]}: ${reason}` };
}

function readChain(evidence: IdentityEvidence): ChainLink[] | string {
  let ders: readonly Uint8Array[];
  if (typeof (evidence as { idevidChainPem?: unknown }).idevidChainPem === 'string') {
    try {
      const pem = (evidence as { idevidChainPem: string }).idevidChainPem;
      const blocks = readPemBlocks(pem, (problem) => {
        throw new Error(problem);
      });
      ders = blocks.filter((block) => block.label === 'CERTIFICATE').map((block) => block.der);
    } catch (error) {
      return (error as Error).message;
    }
  } else {
    const list = (evidence as { idevidChainDer?: unknown }).idevidChainDer;
    if (!Array.isArray(list) || !list.every((item) => item instanceof Uint8Array)) {
      return 'the IDevID chain must be PEM text or a list of DER certificates';
    }
    ders = list;
  }
  if (ders.length === 0) return 'no IDevID certificate was presented';
  if (ders.length > maxChainLength)
    return `${ders.length} certificates is more than ${maxChainLength}`;
  const links: ChainLink[] = [];
  for (const [index, der] of ders.entries()) {
    if (der.length > maxCertificateBytes) return `certificate ${index + 1} is too large`;
    try {
      links.push({ fields: readCertificate(der), certificate: new X509Certificate(der) });
    } catch (error) {
      return `certificate ${index + 1} cannot be read: ${(error as Error).message}`;
    }
  }
  return links;
}

function subjectOf(link: ChainLink): string {
  return formatName(link.fields.subject) || '(empty subject)';
}

function signedBy(link: ChainLink, issuer: X509Certificate): boolean {
  try {
    return link.certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Verifies an IDevID chain and a signature by its key against the trusted manufacturer CAs.
 * Returns a verdict, never throws for what a device sent; throws `input.invalid` only for a
 * caller's mistake (a challenge shorter than 16 bytes, an unknown algorithm name).
 */
export function verifyDeviceIdentity(
  evidence: IdentityEvidence,
  anchors: readonly TrustAnchor[],
  nowMs: number,
): IdentityVerdict {
  if (!(evidence.challenge instanceof Uint8Array) || evidence.challenge.length < 16) {
    fail('input.invalid', 'the challenge must be at least 16 fresh bytes', { field: 'challenge' });
  }
  if (
    evidence.signatureAlgorithm !== undefined &&
    !signatureAlgorithmNames.includes(evidence.signatureAlgorithm)
  ) {
    fail('input.invalid', `unknown signature algorithm ${String(evidence.signatureAlgorithm)}`, {
      field: 'signatureAlgorithm',
    });
  }
  const chain = readChain(evidence);
  if (typeof chain === 'string') return refused('malformed', chain);
  const leaf = chain[0]!;
  if (leaf.fields.basicConstraints?.ca) {
    return refused('malformed', `the IDevID "${subjectOf(leaf)}" is a CA certificate`);
  }

  // Build the path upwards: at each step a trusted manufacturer CA that signed the current
  // certificate ends it; otherwise one of the presented intermediates must have signed it.
  const path: ChainLink[] = [leaf];
  const unused = chain.slice(1);
  let anchor: TrustAnchor | undefined;
  for (let current = leaf; ;) {
    anchor = anchors.find(
      (candidate) =>
        candidate.fingerprintSha256 === current.fields.fingerprintSha256 ||
        (current.certificate.checkIssued(candidate.certificate) &&
          signedBy(current, candidate.certificate)),
    );
    if (anchor) break;
    const index = unused.findIndex(
      (candidate) =>
        current.certificate.checkIssued(candidate.certificate) &&
        signedBy(current, candidate.certificate),
    );
    if (index === -1 || path.length > maxChainLength) {
      // A certificate naming a trusted issuer whose signature fails is a forgery, not a stranger.
      const namesKnownIssuer = [
        ...anchors.map((a) => a.fields),
        ...unused.map((u) => u.fields),
      ].some((candidate) => candidate.subjectDer.equals(current.fields.issuerDer));
      return refused(
        'untrusted_manufacturer',
        namesKnownIssuer
          ? `"${subjectOf(current)}" names the issuer "${formatName(current.fields.issuer)}" but is not signed by it`
          : `"${subjectOf(current)}" does not chain to a trusted manufacturer CA (issuer "${formatName(current.fields.issuer)}")`,
      );
    }
    current = unused.splice(index, 1)[0]!;
    path.push(current);
  }
  // The anchor itself may have been presented as the last certificate of the chain.
  const issuers: { fields: CertificateFields; role: string }[] = [
    ...path
      .slice(1)
      .map((link) => ({ fields: link.fields, role: `intermediate "${subjectOf(link)}"` })),
  ];
  if (path[path.length - 1]!.fields.fingerprintSha256 !== anchor.fingerprintSha256) {
    issuers.push({
      fields: anchor.fields,
      role: `manufacturer CA "${formatName(anchor.fields.subject)}"`,
    });
  }
  for (const [index, issuer] of issuers.entries()) {
    const constraints = issuer.fields.basicConstraints;
    if (!constraints?.ca) return refused('untrusted_manufacturer', `${issuer.role} is not a CA`);
    if (issuer.fields.keyUsage && !issuer.fields.keyUsage.has('keyCertSign')) {
      return refused('untrusted_manufacturer', `${issuer.role} may not sign certificates`);
    }
    // `index` CAs stand between this one and the IDevID.
    if (constraints.pathLength !== null && constraints.pathLength < index) {
      return refused(
        'untrusted_manufacturer',
        `${issuer.role} allows ${constraints.pathLength} CA(s) below it, the chain has ${index}`,
      );
    }
  }
  for (const fields of [leaf.fields, ...issuers.map((issuer) => issuer.fields)]) {
    const critical = unknownCriticalExtension(fields);
    if (critical) {
      return refused(
        'malformed',
        `"${formatName(fields.subject)}" has an unknown critical extension ${critical}`,
      );
    }
  }
  const everyone = [{ fields: leaf.fields, role: `the IDevID "${subjectOf(leaf)}"` }, ...issuers];
  for (const { fields, role } of everyone) {
    if (fields.notAfterMs <= nowMs)
      return refused('expired', `${role} expired on ${isoTime(fields.notAfterMs)}`);
    if (fields.notBeforeMs > nowMs) {
      return refused('expired', `${role} is not valid before ${isoTime(fields.notBeforeMs)}`);
    }
  }

  const key = publicKeyFromSpki(leaf.fields.subjectPublicKeyInfoDer);
  const description = describeKey(key);
  if ('problem' in description)
    return refused('malformed', `the IDevID key is refused: ${description.problem}`);
  const algorithm: SignatureAlgorithm | null =
    evidence.signatureAlgorithm ?? defaultSignatureAlgorithm(key);
  if (!algorithm)
    return refused(
      'signature_invalid',
      `no supported signature algorithm for a ${description.name} key`,
    );
  if (leaf.fields.keyUsage && !leaf.fields.keyUsage.has('digitalSignature')) {
    return refused('signature_invalid', 'the IDevID key usage does not allow signatures');
  }
  if (
    !verifySignature({
      publicKey: key,
      algorithm,
      message: evidence.challenge,
      signature: evidence.signature,
    })
  ) {
    return refused(
      'signature_invalid',
      `the signature over the challenge does not verify with the IDevID key (${algorithm})`,
    );
  }

  const serialNumber = nameValue(leaf.fields.subject, oids.serialNumber);
  if (serialNumber === null) {
    return refused('serial_mismatch', 'the IDevID subject has no serialNumber attribute');
  }
  if (serialNumber !== evidence.claimedSerial) {
    return refused(
      'serial_mismatch',
      `the device reports serial "${evidence.claimedSerial}" but its IDevID is for "${serialNumber}"`,
    );
  }
  return {
    trusted: true,
    identity: {
      manufacturer: anchor.manufacturer,
      model: nameValue(leaf.fields.subject, oids.commonName),
      serialNumber,
      subject: subjectOf(leaf),
      fingerprintSha256: leaf.fields.fingerprintSha256,
      publicKeySpkiDer: leaf.fields.subjectPublicKeyInfoDer,
      signatureAlgorithm: algorithm,
      trustAnchorFingerprintSha256: anchor.fingerprintSha256,
      notAfter: isoTime(leaf.fields.notAfterMs),
    },
  };
}
