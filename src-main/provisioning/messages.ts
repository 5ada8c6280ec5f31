// The messages of the provisioning protocol, version 1: one schema per message type (tag, type,
// bounds and presence of every field) from which both the encoder and the strict decoder work, so
// nothing is sent that the decoder here would refuse. Payloads are TLV (tag u8, length u16 BE,
// value), tags ascending, a repeated field's entries adjacent: one byte string per message, which
// makes duplicates byte-identical and digests and signatures over payloads well defined.
import { createHash } from 'node:crypto';
import { maxPayloadLength } from './frame';
import { fail } from '../lib/errors';

// ---------------------------------------------------------------------------------------------
// Message types and their answers.

export const messageTypes = {
  hello: 0x01,
  identify: 0x02,
  attest: 0x03,
  csrRequest: 0x04,
  issue: 0x05,
  install: 0x06,
  confirm: 0x07,
  abort: 0x08,
  helloReply: 0x81,
  identity: 0x82,
  attestation: 0x83,
  csr: 0x84,
  issueAccepted: 0x85,
  installed: 0x86,
  confirmed: 0x87,
  aborted: 0x88,
  error: 0xff,
} as const;

export type MessageKind = keyof typeof messageTypes;

/** What the console sends; the device answers each with its answer kind or with `error`. */
export const answerKinds = {
  hello: 'helloReply',
  identify: 'identity',
  attest: 'attestation',
  csrRequest: 'csr',
  issue: 'issueAccepted',
  install: 'installed',
  confirm: 'confirmed',
  abort: 'aborted',
} as const;

export type RequestKind = keyof typeof answerKinds;
export type AnswerKind<K extends RequestKind> = (typeof answerKinds)[K];
export type ResponseKind = AnswerKind<RequestKind> | 'error';

export const requestKinds = Object.keys(answerKinds) as RequestKind[];

const kindByType = new Map<number, MessageKind>(
  Object.entries(messageTypes).map(([kind, type]) => [type, kind as MessageKind]),
);

/** The kind of a message type byte, or undefined for a type version 1 does not define. */
export function messageKindOf(type: number): MessageKind | undefined {
  return kindByType.get(type);
}

export function isRequestKind(kind: MessageKind): kind is RequestKind {
  return kind in answerKinds;
}

// ---------------------------------------------------------------------------------------------
// Enumerations (encoded as the numbers beside the names).

export const deviceStates = { factory: 1, provisioned: 2 } as const;
export type DeviceState = keyof typeof deviceStates;

/** Which key signs an attestation: the manufacturer's IDevID or the hospital's committed LDevID. */
export const attestationKeys = { idevid: 1, ldevid: 2 } as const;
export type AttestationKey = keyof typeof attestationKeys;

export const signatureAlgorithms = {
  /** ECDSA over P-256 with SHA-256; the signature DER-encoded (Ecdsa-Sig-Value, as in X.509). */
  'ecdsa-p256-sha256': 1,
  /** Ed25519 (RFC 8032, pure): 64 bytes. */
  ed25519: 2,
  /** RSASSA-PSS, SHA-256, MGF1 with SHA-256, salt of 32 bytes. */
  'rsa-pss-sha256': 3,
  /** RSASSA-PKCS1-v1_5 with SHA-256. */
  'rsa-pkcs1-sha256': 4,
} as const;
export type SignatureAlgorithm = keyof typeof signatureAlgorithms;

/** The key a device generates for its LDevID. */
export const keyAlgorithms = { 'ec-p256': 1, ed25519: 2, 'rsa-2048': 3 } as const;
export type KeyAlgorithm = keyof typeof keyAlgorithms;

/**
 * Codes in ERROR (device → console) and ABORT (console → device). 0x00xx: framing and order;
 * 0x001x: keys; 0x002x: installation; 0x003x: session; 0x004x: console verdicts.
 */
export const protocolErrorCodes = {
  malformed: 0x0001,
  unknown_type: 0x0002,
  version_unsupported: 0x0003,
  unexpected_message: 0x0004,
  too_large: 0x0005,
  busy: 0x0006,
  in_clinical_use: 0x0007,
  unsupported_algorithm: 0x0010,
  key_generation_failed: 0x0011,
  attestation_unavailable: 0x0012,
  certificate_rejected: 0x0020,
  trust_anchor_rejected: 0x0021,
  network_rejected: 0x0022,
  bundle_mismatch: 0x0023,
  storage_failed: 0x0024,
  fail_safe_expired: 0x0030,
  operator_cancelled: 0x0031,
  step_timeout: 0x0032,
  firmware_rejected: 0x0040,
  identity_rejected: 0x0041,
  attestation_invalid: 0x0042,
  csr_rejected: 0x0043,
  confirmation_invalid: 0x0044,
  internal: 0x00ff,
} as const;
export type ProtocolErrorCode = keyof typeof protocolErrorCodes;

// ---------------------------------------------------------------------------------------------
// The typed messages.

export interface MessageFields {
  hello: {
    minVersion: number;
    maxVersion: number;
    /** 16 random bytes from the console; every signature in the session covers it. */
    sessionId: Uint8Array;
    consoleName?: string;
  };
  helloReply: {
    /** The version both sides use from the next frame on. */
    version: number;
    /** The largest request payload the device accepts. */
    maxPayload: number;
    state: DeviceState;
  };
  identify: Record<never, never>;
  identity: {
    manufacturer: string;
    model: string;
    serialNumber: string;
    hardwareVersion?: string;
    udiDeviceIdentifier?: string;
    /** DER certificates: the IDevID first, then its intermediates (not the manufacturer root). */
    idevidCertificates: Uint8Array[];
    /** SHA-256 of the committed LDevID certificate (DER), when the device has one. */
    ldevidCertificateSha256?: Uint8Array;
  };
  attest: { challenge: Uint8Array; key: AttestationKey };
  attestation: {
    firmwareVersion: string;
    /** SHA-256 of the running firmware image. */
    firmwareSha256: Uint8Array;
    signatureAlgorithm: SignatureAlgorithm;
    /** Over attestationStatement(...), by the key `attest.key` chose. */
    signature: Uint8Array;
  };
  csrRequest: { nonce: Uint8Array; keyAlgorithm: KeyAlgorithm };
  csr: {
    /** PKCS#10 (DER), signed by the new key. */
    csr: Uint8Array;
    signatureAlgorithm: SignatureAlgorithm;
    /** Over csrStatement(...), by the IDevID key: ties the new key to the attested device. */
    signature: Uint8Array;
  };
  issue: {
    /** DER certificates: the LDevID first, then the issuing CA chain. */
    certificates: Uint8Array[];
    /** DER self-signed roots the device trusts on the hospital network. */
    trustAnchors: Uint8Array[];
    zone: string;
    vlan: number;
  };
  issueAccepted: { bundleSha256: Uint8Array };
  install: { bundleSha256: Uint8Array; failSafeSeconds: number };
  installed: { bundleSha256: Uint8Array };
  confirm: { nonce: Uint8Array };
  confirmed: {
    signatureAlgorithm: SignatureAlgorithm;
    /** Over confirmationStatement(...), by the new (LDevID) key. */
    signature: Uint8Array;
  };
  abort: { code: ProtocolErrorCode; detail?: string };
  aborted: Record<never, never>;
  error: {
    code: ProtocolErrorCode;
    /** The type byte of the request this answers (for unknown_type: the unknown byte). */
    requestType: number;
    detail?: string;
    /** With version_unsupported: the versions the device speaks. */
    minVersion?: number;
    maxVersion?: number;
  };
}

export type Message<K extends MessageKind = MessageKind> = {
  [P in K]: { kind: P } & MessageFields[P];
}[K];
export type RequestMessage = Message<RequestKind>;
export type ResponseMessage = Message<ResponseKind>;

// ---------------------------------------------------------------------------------------------
// Schemas.

export type FieldType = 'u8' | 'u16' | 'u32' | 'bytes' | 'text' | 'enum8' | 'enum16';

export interface FieldSpec {
  tag: number;
  name: string;
  type: FieldType;
  /** Integers: the value range. Bytes and text: the length range in bytes. Enums: unused. */
  min: number;
  max: number;
  presence: 'required' | 'optional' | 'repeated';
  /** Repeated fields: how many entries. */
  count?: readonly [number, number];
  /** Enums: name → number. */
  values?: Readonly<Record<string, number>>;
}

export interface MessageSpec {
  kind: MessageKind;
  type: number;
  fields: readonly FieldSpec[];
}

const u8 = (tag: number, name: string, min = 0, max = 0xff): FieldSpec => ({
  tag,
  name,
  type: 'u8',
  min,
  max,
  presence: 'required',
});
const u16 = (tag: number, name: string, min = 0, max = 0xffff): FieldSpec => ({
  tag,
  name,
  type: 'u16',
  min,
  max,
  presence: 'required',
});
const bytes = (tag: number, name: string, min: number, max = min): FieldSpec => ({
  tag,
  name,
  type: 'bytes',
  min,
  max,
  presence: 'required',
});
const text = (tag: number, name: string, min: number, max: number): FieldSpec => ({
  tag,
  name,
  type: 'text',
  min,
  max,
  presence: 'required',
});
const enum8 = (tag: number, name: string, values: Readonly<Record<string, number>>): FieldSpec => ({
  tag,
  name,
  type: 'enum8',
  min: 0,
  max: 0,
  presence: 'required',
  values,
});
const enum16 = (
  tag: number,
  name: string,
  values: Readonly<Record<string, number>>,
): FieldSpec => ({ ...enum8(tag, name, values), type: 'enum16' });
const optional = (field: FieldSpec): FieldSpec => ({ ...field, presence: 'optional' });
const repeated = (field: FieldSpec, min: number, max: number): FieldSpec => ({
  ...field,
  presence: 'repeated',
  count: [min, max],
});

/** A DER certificate: the protocol carries at most 8 KiB per certificate. */
const certificateMax = 8192;
/** A signature: RSA-4096 is 512 bytes, the largest the algorithms above make. */
const signatureMax = 512;

export const messageSpecs: { readonly [K in MessageKind]: MessageSpec } = {
  hello: spec('hello', [
    u8(1, 'minVersion', 1),
    u8(2, 'maxVersion', 1),
    bytes(3, 'sessionId', 16),
    optional(text(4, 'consoleName', 1, 64)),
  ]),
  helloReply: spec('helloReply', [
    u8(1, 'version', 1),
    u16(2, 'maxPayload', 4096, maxPayloadLength),
    enum8(3, 'state', deviceStates),
  ]),
  identify: spec('identify', []),
  identity: spec('identity', [
    text(1, 'manufacturer', 1, 64),
    text(2, 'model', 1, 64),
    text(3, 'serialNumber', 1, 64),
    optional(text(4, 'hardwareVersion', 1, 32)),
    optional(text(5, 'udiDeviceIdentifier', 1, 64)),
    repeated(bytes(6, 'idevidCertificates', 1, certificateMax), 1, 4),
    optional(bytes(7, 'ldevidCertificateSha256', 32)),
  ]),
  attest: spec('attest', [bytes(1, 'challenge', 32), enum8(2, 'key', attestationKeys)]),
  attestation: spec('attestation', [
    text(1, 'firmwareVersion', 1, 64),
    bytes(2, 'firmwareSha256', 32),
    enum8(3, 'signatureAlgorithm', signatureAlgorithms),
    bytes(4, 'signature', 1, signatureMax),
  ]),
  csrRequest: spec('csrRequest', [bytes(1, 'nonce', 32), enum8(2, 'keyAlgorithm', keyAlgorithms)]),
  csr: spec('csr', [
    bytes(1, 'csr', 1, certificateMax),
    enum8(2, 'signatureAlgorithm', signatureAlgorithms),
    bytes(3, 'signature', 1, signatureMax),
  ]),
  issue: spec('issue', [
    repeated(bytes(1, 'certificates', 1, certificateMax), 1, 4),
    repeated(bytes(2, 'trustAnchors', 1, certificateMax), 1, 8),
    text(3, 'zone', 1, 64),
    u16(4, 'vlan', 1, 4094),
  ]),
  issueAccepted: spec('issueAccepted', [bytes(1, 'bundleSha256', 32)]),
  install: spec('install', [bytes(1, 'bundleSha256', 32), u16(2, 'failSafeSeconds', 10, 900)]),
  installed: spec('installed', [bytes(1, 'bundleSha256', 32)]),
  confirm: spec('confirm', [bytes(1, 'nonce', 32)]),
  confirmed: spec('confirmed', [
    enum8(1, 'signatureAlgorithm', signatureAlgorithms),
    bytes(2, 'signature', 1, signatureMax),
  ]),
  abort: spec('abort', [
    enum16(1, 'code', protocolErrorCodes),
    optional(text(2, 'detail', 1, 256)),
  ]),
  aborted: spec('aborted', []),
  error: spec('error', [
    enum16(1, 'code', protocolErrorCodes),
    u8(2, 'requestType'),
    optional(text(3, 'detail', 1, 256)),
    optional(u8(4, 'minVersion', 1)),
    optional(u8(5, 'maxVersion', 1)),
  ]),
};

function spec(kind: MessageKind, fields: FieldSpec[]): MessageSpec {
  return { kind, type: messageTypes[kind], fields };
}

// ---------------------------------------------------------------------------------------------
// Encoding.

const tlvHeaderLength = 3;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Text from a device is shown to people: no control characters, no bidirectional overrides or
// isolates (the same characters device-fields.ts refuses in imported records).
// eslint-disable-next-line no-control-regex -- finding control characters is the purpose
const forbiddenText = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * `text` made acceptable as a text field of at most `maxBytes` UTF-8 bytes: refused characters
 * become spaces, lone surrogates U+FFFD, and it is cut between characters. For details built from
 * error messages, which may quote anything.
 */
export function toPrintableText(text: string, maxBytes: number): string {
  const characters = Array.from(
    text
      .replace(new RegExp(forbiddenText.source, 'g'), ' ')
      .replace(new RegExp(loneSurrogate.source, 'g'), '\uFFFD'),
  );
  let length = utf8Encoder.encode(characters.join('')).length;
  while (length > maxBytes) length -= utf8Encoder.encode(characters.pop() ?? '').length;
  return characters.length > 0 ? characters.join('') : '-';
}

export interface EncodedMessage {
  type: number;
  payload: Uint8Array;
}

/**
 * The type byte and TLV payload of a message. Refuses (input.invalid, naming the field) any value
 * the decoder would refuse, so a peer speaking this schema never sees it.
 */
export function encodeMessage(message: Message, payloadLimit = maxPayloadLength): EncodedMessage {
  const messageSpec = messageSpecs[message.kind];
  const values = message as unknown as Record<string, unknown>;
  const parts: Uint8Array[] = [];
  for (const field of messageSpec.fields) {
    const value = values[field.name];
    const where = `${message.kind}.${field.name}`;
    if (value === undefined) {
      if (field.presence === 'required' || (field.presence === 'repeated' && field.count![0] > 0)) {
        fail('input.invalid', `${where} is required`, { field: where });
      }
      continue;
    }
    if (field.presence === 'repeated') {
      if (!Array.isArray(value)) fail('input.invalid', `${where} must be a list`, { field: where });
      const [min, max] = field.count!;
      if (value.length < min || value.length > max) {
        fail('input.invalid', `${where} has ${value.length} entries, not ${min}..${max}`, {
          field: where,
        });
      }
      value.forEach((entry: unknown, index) =>
        parts.push(encodeField(field, entry, `${where}[${index}]`)),
      );
    } else {
      parts.push(encodeField(field, value, where));
    }
  }
  checkCrossFields(message.kind, values, (problem) =>
    fail('input.invalid', `${message.kind}: ${problem}`, { messageType: message.kind }),
  );
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  if (total > payloadLimit) {
    fail('input.invalid', `${message.kind} payload of ${total} bytes is over ${payloadLimit}`, {
      messageType: message.kind,
      length: total,
      limit: payloadLimit,
    });
  }
  const payload = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    payload.set(part, offset);
    offset += part.length;
  }
  return { type: messageSpec.type, payload };
}

function encodeField(field: FieldSpec, value: unknown, where: string): Uint8Array {
  let body: Uint8Array;
  switch (field.type) {
    case 'u8':
    case 'u16':
    case 'u32': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        fail('input.invalid', `${where} must be an integer`, { field: where });
      }
      if (value < field.min || value > field.max) {
        fail('input.invalid', `${where} is ${value}, not in ${field.min}..${field.max}`, {
          field: where,
        });
      }
      body = integerBytes(field.type, value);
      break;
    }
    case 'enum8':
    case 'enum16': {
      const number = typeof value === 'string' ? field.values![value] : undefined;
      if (number === undefined || !Object.hasOwn(field.values!, value as string)) {
        fail('input.invalid', `${where} is not one of ${Object.keys(field.values!).join(', ')}`, {
          field: where,
        });
      }
      body = integerBytes(field.type === 'enum8' ? 'u8' : 'u16', number);
      break;
    }
    case 'bytes': {
      if (!(value instanceof Uint8Array)) {
        fail('input.invalid', `${where} must be bytes`, { field: where });
      }
      body = value;
      break;
    }
    case 'text': {
      if (typeof value !== 'string')
        fail('input.invalid', `${where} must be text`, { field: where });
      const problem = textProblem(value);
      if (problem) fail('input.invalid', `${where} ${problem}`, { field: where });
      body = utf8Encoder.encode(value);
      break;
    }
  }
  if (
    (field.type === 'bytes' || field.type === 'text') &&
    (body.length < field.min || body.length > field.max)
  ) {
    fail('input.invalid', `${where} is ${body.length} bytes long, not ${field.min}..${field.max}`, {
      field: where,
    });
  }
  const out = new Uint8Array(tlvHeaderLength + body.length);
  out[0] = field.tag;
  out[1] = body.length >>> 8;
  out[2] = body.length & 0xff;
  out.set(body, tlvHeaderLength);
  return out;
}

function integerBytes(type: 'u8' | 'u16' | 'u32', value: number): Uint8Array {
  const width = type === 'u8' ? 1 : type === 'u16' ? 2 : 4;
  const out = new Uint8Array(width);
  for (let index = width - 1, rest = value; index >= 0; index--, rest = Math.floor(rest / 256)) {
    out[index] = rest & 0xff;
  }
  return out;
}

function textProblem(value: string): string | undefined {
  if (forbiddenText.test(value)) {
    return 'contains a control character or a bidirectional override';
  }
  if (loneSurrogate.test(value)) return 'contains a lone surrogate';
  return undefined;
}

function checkCrossFields(
  kind: MessageKind,
  values: Record<string, unknown>,
  report: (problem: string) => void,
): void {
  if (
    (kind === 'hello' || kind === 'error') &&
    typeof values.minVersion === 'number' &&
    typeof values.maxVersion === 'number' &&
    values.minVersion > values.maxVersion
  ) {
    report(`minVersion ${values.minVersion} is above maxVersion ${values.maxVersion}`);
  }
  if (kind === 'error' && (values.minVersion === undefined) !== (values.maxVersion === undefined)) {
    report('minVersion and maxVersion come together or not at all');
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding.

/** Why a payload was refused: the device answers `malformed` or `unknown_type` accordingly. */
export type MessageProblem = 'unknown_type' | 'malformed';

export interface MessageDecodeFailure {
  problem: MessageProblem;
  messageType: number;
  field?: string;
  /** Offset in the payload of the TLV entry at fault. */
  byteOffset?: number;
}

/**
 * Decodes and validates a payload of message type `type`. Throws provision.protocol, with a
 * MessageDecodeFailure as details, for an unknown type, a truncated or unknown TLV entry, tags out
 * of order, a value of the wrong width, range or length, unknown enum values, text that is not
 * UTF-8 or holds control characters, a missing field or a wrong number of repeated entries.
 */
export function decodeMessage(type: number, payload: Uint8Array): Message {
  const kind = messageKindOf(type);
  const typeName = `0x${type.toString(16).padStart(2, '0')}`;
  if (kind === undefined) {
    refuse(`message type ${typeName} is not defined in protocol version 1`, {
      problem: 'unknown_type',
      messageType: type,
    });
  }
  const messageSpec = messageSpecs[kind];
  if (payload.length > maxPayloadLength) {
    refuse(`${kind}: payload of ${payload.length} bytes is over ${maxPayloadLength}`, {
      problem: 'malformed',
      messageType: type,
    });
  }
  const values: Record<string, unknown> = { kind };
  let fieldIndex = 0;
  let lastTag = 0;
  let offset = 0;
  while (offset < payload.length) {
    const entryOffset = offset;
    const malformed: (message: string, field?: string) => never = (message, field) =>
      refuse(`${kind}: ${message} (payload byte ${entryOffset})`, {
        problem: 'malformed',
        messageType: type,
        byteOffset: entryOffset,
        ...(field ? { field } : {}),
      });
    if (payload.length - offset < tlvHeaderLength) malformed('truncated TLV header');
    const tag = payload[offset]!;
    const length = (payload[offset + 1]! << 8) | payload[offset + 2]!;
    offset += tlvHeaderLength;
    if (length > payload.length - offset) {
      malformed(`tag ${tag} claims ${length} bytes, ${payload.length - offset} remain`);
    }
    const value = payload.subarray(offset, offset + length);
    offset += length;
    while (fieldIndex < messageSpec.fields.length && messageSpec.fields[fieldIndex]!.tag < tag) {
      fieldIndex++;
    }
    const field = messageSpec.fields[fieldIndex];
    if (field?.tag !== tag) {
      malformed(
        tag <= lastTag && lastTag > 0
          ? `tag ${tag} out of order after tag ${lastTag}`
          : `unknown tag ${tag}`,
      );
    }
    if (tag === lastTag && field.presence !== 'repeated') {
      malformed(`${field.name} appears twice`, field.name);
    }
    lastTag = tag;
    const problem = fieldProblem(field, value);
    if (problem) malformed(`${field.name} ${problem}`, field.name);
    const decoded = decodeValue(field, value);
    if (field.presence === 'repeated') {
      const list = (values[field.name] as unknown[] | undefined) ?? [];
      list.push(decoded);
      values[field.name] = list;
      if (list.length > field.count![1]) {
        malformed(`${field.name} has more than ${field.count![1]} entries`, field.name);
      }
    } else {
      values[field.name] = decoded;
    }
  }
  for (const field of messageSpec.fields) {
    const present = values[field.name];
    if (field.presence === 'required' && present === undefined) {
      refuse(`${kind}: ${field.name} is missing`, {
        problem: 'malformed',
        messageType: type,
        field: field.name,
      });
    }
    if (field.presence === 'repeated') {
      const count = (present as unknown[] | undefined)?.length ?? 0;
      if (count < field.count![0]) {
        refuse(`${kind}: ${field.name} has ${count} entries, at least ${field.count![0]} needed`, {
          problem: 'malformed',
          messageType: type,
          field: field.name,
        });
      }
      if (present === undefined) values[field.name] = [];
    }
  }
  checkCrossFields(kind, values, (problem) =>
    refuse(`${kind}: ${problem}`, { problem: 'malformed', messageType: type }),
  );
  return values as unknown as Message;
}

function fieldProblem(field: FieldSpec, value: Uint8Array): string | undefined {
  switch (field.type) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 'enum8':
    case 'enum16': {
      const width =
        field.type === 'u8' || field.type === 'enum8' ? 1 : field.type === 'u32' ? 4 : 2;
      if (value.length !== width) return `is ${value.length} bytes, a ${field.type} is ${width}`;
      const number = readInteger(value);
      if (field.values) {
        return Object.values(field.values).includes(number)
          ? undefined
          : `value ${number} is not defined`;
      }
      return number < field.min || number > field.max
        ? `is ${number}, not in ${field.min}..${field.max}`
        : undefined;
    }
    case 'bytes':
    case 'text': {
      if (value.length < field.min || value.length > field.max) {
        return `is ${value.length} bytes long, not ${field.min}..${field.max}`;
      }
      if (field.type === 'bytes') return undefined;
      let decoded: string;
      try {
        decoded = utf8Decoder.decode(value);
      } catch {
        return 'is not valid UTF-8';
      }
      return textProblem(decoded);
    }
  }
}

function decodeValue(field: FieldSpec, value: Uint8Array): unknown {
  switch (field.type) {
    case 'u8':
    case 'u16':
    case 'u32':
      return readInteger(value);
    case 'enum8':
    case 'enum16': {
      const number = readInteger(value);
      return Object.entries(field.values!).find(([, code]) => code === number)![0];
    }
    case 'bytes':
      return value.slice();
    case 'text':
      return utf8Decoder.decode(value);
  }
}

function readInteger(value: Uint8Array): number {
  let number = 0;
  for (const byte of value) number = number * 256 + byte;
  return number;
}

function refuse(message: string, details: MessageDecodeFailure): never {
  fail('provision.protocol', message, details);
}

// ---------------------------------------------------------------------------------------------
// What the signatures cover. Each statement starts with a label naming its purpose and version,
// then fixed-length fields, then at most one variable-length field, so no two statements of
// different meaning can be the same bytes.

const attestLabel = 'wardkeep-attest-v1';
const csrLabel = 'wardkeep-csr-v1';
const confirmLabel = 'wardkeep-confirm-v1';

/**
 * The bytes an ATTESTATION signature covers: label ‖ 0x00 ‖ sessionId (16) ‖ challenge (32) ‖
 * key (u8) ‖ signatureAlgorithm (u8) ‖ firmwareSha256 (32) ‖ firmwareVersion (UTF-8, to the end).
 */
export function attestationStatement(input: {
  sessionId: Uint8Array;
  challenge: Uint8Array;
  key: AttestationKey;
  signatureAlgorithm: SignatureAlgorithm;
  firmwareSha256: Uint8Array;
  firmwareVersion: string;
}): Uint8Array {
  return statement(attestLabel, [
    fixed('sessionId', input.sessionId, 16),
    fixed('challenge', input.challenge, 32),
    Uint8Array.of(attestationKeys[input.key]),
    Uint8Array.of(signatureAlgorithms[input.signatureAlgorithm]),
    fixed('firmwareSha256', input.firmwareSha256, 32),
    utf8Encoder.encode(input.firmwareVersion),
  ]);
}

/**
 * The bytes the IDevID signature in CSR covers: label ‖ 0x00 ‖ sessionId (16) ‖ nonce (32) ‖
 * keyAlgorithm (u8) ‖ signatureAlgorithm (u8) ‖ SHA-256 of the CSR's DER (32).
 */
export function csrStatement(input: {
  sessionId: Uint8Array;
  nonce: Uint8Array;
  keyAlgorithm: KeyAlgorithm;
  signatureAlgorithm: SignatureAlgorithm;
  csr: Uint8Array;
}): Uint8Array {
  return statement(csrLabel, [
    fixed('sessionId', input.sessionId, 16),
    fixed('nonce', input.nonce, 32),
    Uint8Array.of(keyAlgorithms[input.keyAlgorithm]),
    Uint8Array.of(signatureAlgorithms[input.signatureAlgorithm]),
    sha256(input.csr),
  ]);
}

/**
 * The bytes the new key signs in CONFIRMED: label ‖ 0x00 ‖ sessionId (16) ‖ nonce (32) ‖
 * signatureAlgorithm (u8) ‖ bundleSha256 (32).
 */
export function confirmationStatement(input: {
  sessionId: Uint8Array;
  nonce: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  bundleSha256: Uint8Array;
}): Uint8Array {
  return statement(confirmLabel, [
    fixed('sessionId', input.sessionId, 16),
    fixed('nonce', input.nonce, 32),
    Uint8Array.of(signatureAlgorithms[input.signatureAlgorithm]),
    fixed('bundleSha256', input.bundleSha256, 32),
  ]);
}

/**
 * SHA-256 of an ISSUE payload exactly as sent: the bundle's name in ISSUE_ACCEPTED, INSTALL,
 * INSTALLED and the confirmation statement.
 */
export function bundleSha256(issuePayload: Uint8Array): Uint8Array {
  return sha256(issuePayload);
}

function statement(label: string, parts: Uint8Array[]): Uint8Array {
  const head = utf8Encoder.encode(`${label}\u0000`);
  const out = new Uint8Array(head.length + parts.reduce((sum, part) => sum + part.length, 0));
  out.set(head, 0);
  let offset = head.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function fixed(name: string, value: Uint8Array, length: number): Uint8Array {
  if (value.length !== length) {
    fail('input.invalid', `${name} is ${value.length} bytes, not ${length}`, { field: name });
  }
  return value;
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}
