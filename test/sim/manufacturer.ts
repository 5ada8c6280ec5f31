// Manufacturers for the device simulator: a root CA and a device CA per maker, and IEEE 802.1AR
// IDevIDs minted for simulated devices (subject O=<maker>, CN=<model>, serialNumber=<serial>).
// Every key is made here with node:crypto at run time; nothing is read from the repository, and
// the PEM forms exist only so the demo set-up can hand them from `sim setup` to `sim` in a
// directory the user chose.
import type { KeyObject } from 'node:crypto';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import type { CertificateProfile } from '../../src-main/pki/certificate-builder';
import { encodeName, randomSerial, signCertificate } from '../../src-main/pki/certificate-builder';
import { oids, readCertificate } from '../../src-main/pki/der';
import { createAuthoritySigner, spkiOf } from '../../src-main/pki/keys';
import { authorityProfile, keyIdentifier } from '../../src-main/pki/profile';

const dayMs = 24 * 60 * 60 * 1000;

export interface CertifiedKey {
  certificateDer: Buffer;
  privateKey: KeyObject;
}

export interface Manufacturer {
  name: string;
  root: CertifiedKey;
  deviceCa: CertifiedKey;
}

export interface Idevid {
  /** The IDevID, then the device CA: what IDENTITY carries (the root stays with the console). */
  chainDer: Buffer[];
  privateKey: KeyObject;
  serialNumber: string;
  fingerprintSha256: string;
}

export type IdevidKeyType = 'ec-p256' | 'rsa-2048';

function newKey(type: IdevidKeyType): KeyObject {
  return type === 'rsa-2048'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

function subjectKeyIdentifierOf(der: Buffer): Buffer {
  return keyIdentifier(readCertificate(der).subjectPublicKeyInfoDer);
}

/** A maker's two-tier CA, valid from a day before `nowMs` for 20 years. */
export function createManufacturer(name: string, nowMs: number): Manufacturer {
  const notBeforeMs = nowMs - dayMs;
  const notAfterMs = nowMs + 20 * 365 * dayMs;
  const rootKey = newKey('ec-p256');
  const rootSpki = spkiOf(rootKey);
  const rootName = encodeName([
    { oid: oids.organizationName, value: name },
    { oid: oids.commonName, value: `${name} Root CA` },
  ]);
  const rootDer = signCertificate(
    {
      serial: randomSerial(),
      issuerNameDer: rootName,
      subjectNameDer: rootName,
      notBeforeMs,
      notAfterMs,
      subjectPublicKeyInfoDer: rootSpki,
      profile: authorityProfile({
        pathLength: 1,
        subjectPublicKeyInfoDer: rootSpki,
        issuerKeyIdentifier: null,
      }),
    },
    createAuthoritySigner(rootKey),
  );
  const caKey = newKey('ec-p256');
  const caSpki = spkiOf(caKey);
  const caDer = signCertificate(
    {
      serial: randomSerial(),
      issuerNameDer: rootName,
      subjectNameDer: encodeName([
        { oid: oids.organizationName, value: name },
        { oid: oids.commonName, value: `${name} Device CA` },
      ]),
      notBeforeMs,
      notAfterMs,
      subjectPublicKeyInfoDer: caSpki,
      profile: authorityProfile({
        pathLength: 0,
        subjectPublicKeyInfoDer: caSpki,
        issuerKeyIdentifier: keyIdentifier(rootSpki),
      }),
    },
    createAuthoritySigner(rootKey),
  );
  return {
    name,
    root: { certificateDer: rootDer, privateKey: rootKey },
    deviceCa: { certificateDer: caDer, privateKey: caKey },
  };
}

/** An IDevID for one device of `maker`, with its own new key. */
export function mintIdevid(
  maker: Manufacturer,
  device: { model: string; serialNumber: string; keyType?: IdevidKeyType; nowMs: number },
): Idevid {
  const privateKey = newKey(device.keyType ?? 'ec-p256');
  const spki = spkiOf(privateKey);
  const profile: CertificateProfile = {
    ca: null,
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: [],
    subjectAltNameUris: [],
    subjectKeyIdentifier: keyIdentifier(spki),
    authorityKeyIdentifier: subjectKeyIdentifierOf(maker.deviceCa.certificateDer),
  };
  const der = signCertificate(
    {
      serial: randomSerial(),
      // Byte for byte the CA's subject: strict verifiers compare issuer names as bytes.
      issuerNameDer: readCertificate(maker.deviceCa.certificateDer).subjectDer,
      subjectNameDer: encodeName([
        { oid: oids.organizationName, value: maker.name },
        { oid: oids.commonName, value: device.model },
        { oid: oids.serialNumber, value: device.serialNumber },
      ]),
      notBeforeMs: device.nowMs - dayMs,
      notAfterMs: device.nowMs + 15 * 365 * dayMs,
      subjectPublicKeyInfoDer: spki,
      profile,
    },
    createAuthoritySigner(maker.deviceCa.privateKey),
  );
  return {
    chainDer: [der, maker.deviceCa.certificateDer],
    privateKey,
    serialNumber: device.serialNumber,
    fingerprintSha256: new X509Certificate(der).fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}

export interface ManufacturerPem {
  name: string;
  rootCertificate: string;
  rootKey: string;
  deviceCaCertificate: string;
  deviceCaKey: string;
}

function certificatePem(der: Buffer): string {
  return new X509Certificate(der).toString();
}

export function manufacturerToPem(maker: Manufacturer): ManufacturerPem {
  const keyPem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();
  return {
    name: maker.name,
    rootCertificate: certificatePem(maker.root.certificateDer),
    rootKey: keyPem(maker.root.privateKey),
    deviceCaCertificate: certificatePem(maker.deviceCa.certificateDer),
    deviceCaKey: keyPem(maker.deviceCa.privateKey),
  };
}

export function manufacturerFromPem(pem: ManufacturerPem): Manufacturer {
  return {
    name: pem.name,
    root: {
      certificateDer: new X509Certificate(pem.rootCertificate).raw,
      privateKey: createPrivateKey(pem.rootKey),
    },
    deviceCa: {
      certificateDer: new X509Certificate(pem.deviceCaCertificate).raw,
      privateKey: createPrivateKey(pem.deviceCaKey),
    },
  };
}
