// Builds and signs X.509 v3 certificates: node-forge encodes the structure (names, validity,
// extensions), node:crypto signs the TBSCertificate with the CA key. Names and the subject public
// key are embedded as the exact DER given, so the issuer field is byte-identical to the CA's
// subject (strict verifiers compare names as bytes) and a device's EC or Ed25519 key, which forge
// cannot represent, passes through untouched.
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { Asn1, KeyUsage } from './der';
import { asn1, encodeDer, oids, parseDer, toBinary } from './der';
import type { Signer } from './keys';

const { Class, Type } = asn1;

export interface CertificateProfile {
  /** null for an end entity (basicConstraints cA:false); a CA gets its path length here. */
  ca: { pathLength: number } | null;
  keyUsage: readonly KeyUsage[];
  extendedKeyUsage: readonly string[];
  subjectAltNameUris: readonly string[];
  subjectKeyIdentifier: Buffer;
  /** The issuer's subject key identifier (a self-signed root names its own). */
  authorityKeyIdentifier: Buffer;
}

export interface CertificateTemplate {
  /** The serial's magnitude, most significant byte non-zero (see randomSerial). */
  serial: Buffer;
  issuerNameDer: Buffer;
  subjectNameDer: Buffer;
  notBeforeMs: number;
  notAfterMs: number;
  subjectPublicKeyInfoDer: Buffer;
  profile: CertificateProfile;
}

/**
 * A random positive 128-bit serial (RFC 5280 allows 20 octets; CA/B asks for ≥ 64 random bits).
 * The top byte is never zero, so the magnitude is always 16 bytes and its hex 32 digits.
 */
export function randomSerial(): Buffer {
  const serial = randomBytes(16);
  while (serial[0] === 0) serial[0] = randomBytes(1)[0]!;
  return serial;
}

export function serialHex(serial: Buffer): string {
  return serial.toString('hex');
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function encodeTime(ms: number): Asn1 {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function embedded(der: Buffer, what: string): Asn1 {
  return parseDer(der, (problem) => {
    throw new Error(`${what}: ${problem}`);
  });
}

type ForgeExtensionsToAsn1 = (extensions: unknown[]) => Asn1;

function encodeExtensions(profile: CertificateProfile): Asn1 {
  const usage: Record<string, boolean> = {};
  for (const name of profile.keyUsage) usage[name] = true;
  const extensions: Record<string, unknown>[] = [
    profile.ca
      ? {
          name: 'basicConstraints',
          critical: true,
          cA: true,
          pathLenConstraint: profile.ca.pathLength,
        }
      : { name: 'basicConstraints', critical: true, cA: false },
    { name: 'keyUsage', critical: true, ...usage },
  ];
  if (profile.extendedKeyUsage.length > 0) {
    // forge's own extKeyUsage encoder looks purposes up by name; OIDs are given as values here.
    extensions.push({
      id: oids.extendedKeyUsage,
      value: asn1.create(
        Class.UNIVERSAL,
        Type.SEQUENCE,
        true,
        profile.extendedKeyUsage.map((oid) =>
          asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(oid).getBytes()),
        ),
      ),
    });
  }
  if (profile.subjectAltNameUris.length > 0) {
    extensions.push({
      name: 'subjectAltName',
      altNames: profile.subjectAltNameUris.map((uri) => ({ type: 6, value: uri })),
    });
  }
  extensions.push(
    {
      id: oids.subjectKeyIdentifier,
      value: asn1.create(
        Class.UNIVERSAL,
        Type.OCTETSTRING,
        false,
        toBinary(profile.subjectKeyIdentifier),
      ),
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: toBinary(profile.authorityKeyIdentifier) },
  );
  // forge fills each extension's value (DER of its fields) in setExtensions.
  const holder = forge.pki.createCertificate();
  holder.setExtensions(extensions);
  const toAsn1 = (forge.pki as unknown as { certificateExtensionsToAsn1: ForgeExtensionsToAsn1 })
    .certificateExtensionsToAsn1;
  return toAsn1(holder.extensions as unknown[]);
}

/** The DER of the certificate: TBSCertificate signed by `signer`. */
export function signCertificate(template: CertificateTemplate, signer: Signer): Buffer {
  const serial =
    template.serial[0]! & 0x80 ? Buffer.concat([Buffer.of(0), template.serial]) : template.serial;
  const algorithm = embedded(signer.algorithmIdentifier, 'signature algorithm');
  const tbs = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [
      asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(2).getBytes()),
    ]),
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, toBinary(serial)),
    algorithm,
    embedded(template.issuerNameDer, 'issuer name'),
    asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
      encodeTime(template.notBeforeMs),
      encodeTime(template.notAfterMs),
    ]),
    embedded(template.subjectNameDer, 'subject name'),
    embedded(template.subjectPublicKeyInfoDer, 'subject public key'),
    encodeExtensions(template.profile),
  ]);
  const tbsDer = encodeDer(tbs);
  const signature = signer.sign(tbsDer);
  return encodeDer(
    asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
      embedded(tbsDer, 'tbsCertificate'),
      embedded(signer.algorithmIdentifier, 'signature algorithm'),
      asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, `\x00${toBinary(signature)}`),
    ]),
  );
}

export interface NameAttributeInput {
  oid: string;
  value: string;
}

const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * A distinguished name, most significant attribute first. DirectoryString values are UTF8String
 * (RFC 5280 §4.1.2.6); serialNumber is PrintableString as X.520 defines it, or UTF8String when the
 * serial holds a character PrintableString cannot (`_`, `#`, …): refusing such a device would be
 * worse than the looser type, which OpenSSL and mbedTLS read alike.
 */
export function encodeName(attributes: readonly NameAttributeInput[]): Buffer {
  return encodeDer(
    forge.pki.distinguishedNameToAsn1({
      attributes: attributes.map(({ oid, value }) => ({
        type: oid,
        value,
        valueTagClass:
          oid === oids.serialNumber && printable.test(value) ? Type.PRINTABLESTRING : Type.UTF8,
      })) as unknown as forge.pki.CertificateField[],
    }),
  );
}
