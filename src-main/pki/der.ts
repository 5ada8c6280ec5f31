// DER and PEM at the edges of the PKI: certificates, CSRs and keys arrive from devices and files as
// PEM text or DER bytes. They are read into node-forge ASN.1 trees (forge's parser, never by hand)
// and refused unless they re-encode to exactly the bytes given, so whatever a signature covers is
// byte for byte what the rest of the code reads.
import { createHash } from 'node:crypto';
import forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;
export const asn1 = forge.asn1;
const { Class, Type } = forge.asn1;

export const oids = {
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  nameConstraints: '2.5.29.30',
  certificatePolicies: '2.5.29.32',
  policyConstraints: '2.5.29.36',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const shortNames: Record<string, string> = {
  [oids.commonName]: 'CN',
  [oids.serialNumber]: 'serialNumber',
  [oids.countryName]: 'C',
  [oids.localityName]: 'L',
  [oids.stateOrProvinceName]: 'ST',
  [oids.organizationName]: 'O',
  [oids.organizationalUnitName]: 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** forge works on "binary strings" (one char per byte). */
export function toBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function fromBinary(binary: string): Buffer {
  return Buffer.from(binary, 'latin1');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

type ForgeFromDer = (
  bytes: forge.util.ByteStringBuffer,
  options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean },
) => Asn1;

/**
 * Parses exactly one DER element. `refuse` is called with what is wrong (BER, trailing bytes,
 * truncation) and must throw: each caller names its own input and error code.
 */
export function parseDer(bytes: Uint8Array, refuse: (problem: string) => never): Asn1 {
  const binary = toBinary(bytes);
  let node: Asn1;
  try {
    node = (asn1.fromDer as unknown as ForgeFromDer)(forge.util.createBuffer(binary), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
    });
  } catch (error) {
    return refuse(`not valid DER (${(error as Error).message})`);
  }
  // A BER encoding (indefinite lengths, long-form small lengths) parses but re-encodes differently:
  // the signed bytes and the bytes read would then differ.
  if (asn1.toDer(node).getBytes() !== binary)
    return refuse('not DER (BER or non-minimal encoding)');
  return node;
}

export function encodeDer(node: Asn1): Buffer {
  return fromBinary(asn1.toDer(node).getBytes());
}

// ---------------------------------------------------------------------------------------------
// PEM.

export interface PemBlock {
  label: string;
  der: Buffer;
  /** 0-based position among the blocks of the text. */
  index: number;
  /** 1-based line of the BEGIN line. */
  line: number;
}

const pemPattern = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/** Every PEM block of a text; text between blocks (comments such as `subject=`) is ignored. */
export function readPemBlocks(text: string, refuse: (problem: string) => never): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(pemPattern)) {
    const [, label = '', body = '', endLabel] = match;
    const line = text.slice(0, match.index).split('\n').length;
    if (label !== endLabel) refuse(`line ${line}: BEGIN ${label} ends with END ${endLabel}`);
    const base64 = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) {
      refuse(`line ${line}: the ${label} block is not valid base64`);
    }
    blocks.push({ label, der: Buffer.from(base64, 'base64'), index: blocks.length, line });
  }
  return blocks;
}

export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Bytes that may be PEM text or DER: PEM when they start (after whitespace) with `-----BEGIN`. */
export function looksLikePem(bytes: Uint8Array): boolean {
  let start = 0;
  while (start < bytes.length && /\s/.test(String.fromCharCode(bytes[start]!))) start++;
  return Buffer.from(bytes.subarray(start, start + 10)).toString('latin1') === '-----BEGIN';
}

// ---------------------------------------------------------------------------------------------
// Reading trees.

export function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw new Error(`${what} is not a constructed element`);
  return node.value;
}

export function primitive(node: Asn1 | undefined, type: forge.asn1.Type, what: string): string {
  if (!node || node.tagClass !== Class.UNIVERSAL || node.type !== type) {
    throw new Error(`${what} has the wrong type`);
  }
  if (typeof node.value !== 'string') throw new Error(`${what} is not a primitive element`);
  return node.value;
}

export function readOid(node: Asn1 | undefined, what: string): string {
  return asn1.derToOid(primitive(node, Type.OID, what));
}

function isContext(node: Asn1 | undefined, tag: number): boolean {
  // Context-specific tags share the `type` field with universal types: compare as numbers.
  return node?.tagClass === Class.CONTEXT_SPECIFIC && Number(node.type) === tag;
}

export function readTime(node: Asn1 | undefined, what: string): number {
  if (node?.tagClass === Class.UNIVERSAL && typeof node.value === 'string') {
    if (node.type === Type.UTCTIME) return asn1.utcTimeToDate(node.value).getTime();
    if (node.type === Type.GENERALIZEDTIME) return asn1.generalizedTimeToDate(node.value).getTime();
  }
  throw new Error(`${what} is not a time`);
}

/** An X.501 attribute value as text: UTF8String, PrintableString, IA5String, BMPString. */
function readDirectoryString(node: Asn1): string {
  if (typeof node.value !== 'string') throw new Error('a name attribute value is constructed');
  switch (node.type) {
    case Type.UTF8:
      return Buffer.from(node.value, 'latin1').toString('utf8');
    case Type.BMPSTRING:
      return Buffer.from(node.value, 'latin1').swap16().toString('utf16le');
    default:
      // PrintableString, IA5String, TeletexString, NumericString, VisibleString: one byte each.
      return node.value;
  }
}

export interface NameAttribute {
  oid: string;
  /** `CN`, `O`, `serialNumber`, … or the dotted OID. */
  name: string;
  value: string;
}

export function readName(node: Asn1 | undefined, what: string): NameAttribute[] {
  const attributes: NameAttribute[] = [];
  for (const set of children(node, what)) {
    for (const pair of children(set, what)) {
      const [type, value] = children(pair, what);
      const oid = readOid(type, what);
      if (!value) throw new Error(`${what} has an attribute without a value`);
      attributes.push({ oid, name: shortNames[oid] ?? oid, value: readDirectoryString(value) });
    }
  }
  return attributes;
}

/** RFC 4514-style text of a name, most significant attribute first, for people to read. */
export function formatName(attributes: readonly NameAttribute[]): string {
  return attributes
    .map(({ name, value }) => `${name}=${value.replace(/([,+"\\<>;=])/g, '\\$1')}`)
    .join(', ');
}

/** The text of a DER-encoded name (see formatName). */
export function describeName(der: Uint8Array): string {
  const node = parseDer(der, (problem) => {
    throw new Error(`name: ${problem}`);
  });
  return formatName(readName(node, 'name'));
}

export function nameValue(attributes: readonly NameAttribute[], oid: string): string | null {
  return attributes.find((attribute) => attribute.oid === oid)?.value ?? null;
}

// ---------------------------------------------------------------------------------------------
// Certificates.

export type KeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const keyUsageBits: readonly KeyUsage[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

export interface CertificateExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface CertificateFields {
  der: Buffer;
  fingerprintSha256: string;
  /** Serial number as lowercase hex of its magnitude (no sign byte). */
  serialHex: string;
  issuer: NameAttribute[];
  issuerDer: Buffer;
  subject: NameAttribute[];
  subjectDer: Buffer;
  notBeforeMs: number;
  notAfterMs: number;
  subjectPublicKeyInfoDer: Buffer;
  extensions: CertificateExtension[];
  /** null when the extension is absent. */
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
  /** null when the extension is absent (every usage allowed). */
  keyUsage: Set<KeyUsage> | null;
  subjectKeyIdentifier: Buffer | null;
}

function readExtensions(node: Asn1 | undefined): CertificateExtension[] {
  const extensions: CertificateExtension[] = [];
  for (const extension of children(children(node, 'extensions')[0], 'extensions')) {
    const parts = children(extension, 'an extension');
    const oid = readOid(parts[0], 'an extension id');
    let critical = false;
    let valueNode = parts[1];
    if (valueNode?.type === Type.BOOLEAN && valueNode.tagClass === Class.UNIVERSAL) {
      critical = primitive(valueNode, Type.BOOLEAN, 'critical') !== '\x00';
      valueNode = parts[2];
    }
    const value = fromBinary(primitive(valueNode, Type.OCTETSTRING, `extension ${oid}`));
    if (extensions.some((known) => known.oid === oid)) {
      throw new Error(`extension ${oid} appears twice`);
    }
    extensions.push({ oid, critical, value });
  }
  return extensions;
}

function parseExtensionValue(extension: CertificateExtension): Asn1 {
  return parseDer(extension.value, (problem) => {
    throw new Error(`extension ${extension.oid}: ${problem}`);
  });
}

function readBasicConstraints(extension: CertificateExtension): {
  ca: boolean;
  pathLength: number | null;
} {
  const fields = children(parseExtensionValue(extension), 'basicConstraints');
  let ca = false;
  let pathLength: number | null = null;
  for (const field of fields) {
    if (field.type === Type.BOOLEAN) ca = primitive(field, Type.BOOLEAN, 'cA') !== '\x00';
    else pathLength = asn1.derToInteger(primitive(field, Type.INTEGER, 'pathLenConstraint'));
  }
  if (pathLength !== null && pathLength < 0) throw new Error('pathLenConstraint is negative');
  return { ca, pathLength };
}

function readKeyUsage(extension: CertificateExtension): Set<KeyUsage> {
  const bits = primitive(parseExtensionValue(extension), Type.BITSTRING, 'keyUsage');
  const usages = new Set<KeyUsage>();
  keyUsageBits.forEach((usage, bit) => {
    const byte = bits.charCodeAt(1 + (bit >> 3));
    if (!Number.isNaN(byte) && byte & (0x80 >> (bit & 7))) usages.add(usage);
  });
  return usages;
}

/** The bytes of a SubjectPublicKeyInfo's BIT STRING, without the unused-bits byte. */
export function subjectPublicKeyBits(subjectPublicKeyInfoDer: Uint8Array): Buffer {
  const spki = parseDer(subjectPublicKeyInfoDer, (problem) => {
    throw new Error(`public key: ${problem}`);
  });
  const bits = primitive(children(spki, 'public key')[1], Type.BITSTRING, 'public key bits');
  return fromBinary(bits.slice(1));
}

/**
 * Reads the fields the PKI decides on from a DER certificate. Throws an Error saying what is
 * malformed; callers turn it into their refusal. Signatures are checked elsewhere (node:crypto).
 */
export function readCertificate(der: Uint8Array): CertificateFields {
  const root = parseDer(der, (problem) => {
    throw new Error(problem);
  });
  const [tbs] = children(root, 'certificate');
  const fields = children(tbs, 'tbsCertificate');
  let index = isContext(fields[0], 0) ? 1 : 0;
  const serial = primitive(fields[index++], Type.INTEGER, 'serialNumber');
  index++; // the signature algorithm, repeated outside the TBS and checked by the verifier
  const issuerNode = fields[index++];
  const validity = children(fields[index++], 'validity');
  const subjectNode = fields[index++];
  const spkiNode = fields[index++];
  if (!spkiNode) throw new Error('tbsCertificate is truncated');
  const extensionNode = fields.slice(index).find((node) => isContext(node, 3));
  const extensions = extensionNode ? readExtensions(extensionNode) : [];
  const find = (oid: string): CertificateExtension | undefined =>
    extensions.find((extension) => extension.oid === oid);
  const basic = find(oids.basicConstraints);
  const usage = find(oids.keyUsage);
  const keyIdentifier = find(oids.subjectKeyIdentifier);
  const bytes = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  return {
    der: bytes,
    fingerprintSha256: sha256Hex(bytes),
    serialHex: fromBinary(serial)
      .toString('hex')
      .replace(/^(00)+(?=.)/, ''),
    issuer: readName(issuerNode, 'issuer'),
    issuerDer: encodeDer(issuerNode!),
    subject: readName(subjectNode, 'subject'),
    subjectDer: encodeDer(subjectNode!),
    notBeforeMs: readTime(validity[0], 'notBefore'),
    notAfterMs: readTime(validity[1], 'notAfter'),
    subjectPublicKeyInfoDer: encodeDer(spkiNode),
    extensions,
    basicConstraints: basic ? readBasicConstraints(basic) : null,
    keyUsage: usage ? readKeyUsage(usage) : null,
    subjectKeyIdentifier: keyIdentifier
      ? fromBinary(
          primitive(parseExtensionValue(keyIdentifier), Type.OCTETSTRING, 'subjectKeyIdentifier'),
        )
      : null,
  };
}
