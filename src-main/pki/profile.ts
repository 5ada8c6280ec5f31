// The certificate profiles: what a local root, an issuing CA and a device's LDevID (IEEE 802.1AR)
// contain. Everything the console certifies about a device comes from here and the inventory,
// never from the device's request, and every text put in a certificate is checked first.
import { createHash } from 'node:crypto';
import { fail } from '../lib/errors';
import type { CertificateProfile, NameAttributeInput } from './certificate-builder';
import type { KeyDescription } from './keys';
import { oids, subjectPublicKeyBits } from './der';

/** notBefore is set this far back so a device whose clock lags still accepts a new certificate. */
export const backdateMs = 60 * 60 * 1000;
export const dayMs = 24 * 60 * 60 * 1000;

export const defaultCertificateValidityDays = 730;
export const maxCertificateValidityDays = 3650;
export const defaultCrlValidityDays = 7;
export const maxCrlValidityDays = 365;
export const defaultRootValidityDays = 7305;
export const defaultIssuingValidityDays = 3653;

/** X.520 upper bounds: ub-common-name, ub-organization-name and ub-serial-number are all 64. */
export const maxNameLength = 64;

// C0 and C1 controls, and the bidirectional marks, embeddings, overrides and isolates that make
// a certificate name read differently from its bytes.
const controlCharacters = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Refuses an empty, over-long or control-character text with `input.invalid` naming the field. */
export function checkText(value: unknown, field: string, maxLength = maxNameLength): string {
  if (typeof value !== 'string') fail('input.invalid', `${field} must be text`, { field });
  const text = value.normalize('NFC');
  if (text.trim().length === 0) fail('input.invalid', `${field} is empty`, { field });
  if (text !== text.trim()) {
    fail('input.invalid', `${field} starts or ends with white space`, { field });
  }
  if ([...text].length > maxLength) {
    fail('input.invalid', `${field} is longer than ${maxLength} characters`, { field });
  }
  const control = controlCharacters.exec(text);
  if (control) {
    fail(
      'input.invalid',
      `${field} contains the control or direction character U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at position ${control.index + 1}`,
      { field },
    );
  }
  return text;
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded as UTF-8. */
function urnPart(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'))
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9\-._~]/.test(char)
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** The URN naming a device in its LDevID: the inventory's uid, stable across renewals. */
export function deviceUrn(deviceUid: string): string {
  return `urn:wardkeep:device:${urnPart(deviceUid)}`;
}

/** The manufacturer's serial number as a URN beside the device URN in subjectAltName. */
export function serialUrn(serialNumber: string): string {
  return `urn:wardkeep:serial:${urnPart(serialNumber)}`;
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes. */
export function keyIdentifier(subjectPublicKeyInfoDer: Buffer): Buffer {
  return createHash('sha1').update(subjectPublicKeyBits(subjectPublicKeyInfoDer)).digest();
}

export function authoritySubject(siteName: string, commonName: string): NameAttributeInput[] {
  return [
    { oid: oids.organizationName, value: siteName },
    { oid: oids.commonName, value: commonName },
  ];
}

/** IEEE 802.1AR §8.6: the subject carries the device's serial in the serialNumber attribute. */
export function deviceSubject(input: {
  siteName: string;
  deviceName: string;
  serialNumber: string;
}): NameAttributeInput[] {
  return [
    { oid: oids.organizationName, value: input.siteName },
    { oid: oids.commonName, value: input.deviceName },
    { oid: oids.serialNumber, value: input.serialNumber },
  ];
}

export function authorityProfile(input: {
  pathLength: number;
  subjectPublicKeyInfoDer: Buffer;
  issuerKeyIdentifier: Buffer | null;
}): CertificateProfile {
  const own = keyIdentifier(input.subjectPublicKeyInfoDer);
  return {
    ca: { pathLength: input.pathLength },
    keyUsage: ['keyCertSign', 'cRLSign'],
    extendedKeyUsage: [],
    subjectAltNameUris: [],
    subjectKeyIdentifier: own,
    authorityKeyIdentifier: input.issuerKeyIdentifier ?? own,
  };
}

/**
 * An LDevID: end entity, TLS client authentication, digitalSignature (plus keyEncipherment for
 * RSA, whose TLS 1.2 key exchange encrypts with the key), the device and serial URNs.
 */
export function deviceProfile(input: {
  key: KeyDescription;
  subjectPublicKeyInfoDer: Buffer;
  issuerKeyIdentifier: Buffer;
  deviceUid: string;
  serialNumber: string;
}): CertificateProfile {
  return {
    ca: null,
    keyUsage:
      input.key.kind === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
    extendedKeyUsage: [oids.clientAuth],
    subjectAltNameUris: [deviceUrn(input.deviceUid), serialUrn(input.serialNumber)],
    subjectKeyIdentifier: keyIdentifier(input.subjectPublicKeyInfoDer),
    authorityKeyIdentifier: input.issuerKeyIdentifier,
  };
}
