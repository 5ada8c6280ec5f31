import { generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldSpec, Message, MessageKind } from './messages';
import {
  answerKinds,
  attestationStatement,
  bundleSha256,
  confirmationStatement,
  csrStatement,
  decodeMessage,
  encodeMessage,
  messageKindOf,
  messageSpecs,
  messageTypes,
  toPrintableText,
} from './messages';
import { WardkeepFailure } from '../lib/errors';

const printable = [...'abcxyzABCXYZ0189 -_./:()', 'é', 'ß', '漢', '字', '😀'];

function fieldArbitrary(field: FieldSpec): fc.Arbitrary<unknown> {
  switch (field.type) {
    case 'u8':
    case 'u16':
    case 'u32':
      return fc.integer({ min: field.min, max: field.max });
    case 'enum8':
    case 'enum16':
      return fc.constantFrom(...Object.keys(field.values!));
    case 'bytes':
      return fc.uint8Array({ minLength: field.min, maxLength: Math.min(field.max, 300) });
    case 'text':
      return fc
        .array(fc.constantFrom(...printable), {
          minLength: field.min,
          maxLength: Math.floor(field.max / 4),
        })
        .map((characters) => characters.join(''));
  }
}

function messageArbitrary(kind: MessageKind): fc.Arbitrary<Message> {
  const required: Record<string, fc.Arbitrary<unknown>> = {};
  const optional: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of messageSpecs[kind].fields) {
    if (field.presence === 'repeated') {
      const [min, max] = field.count!;
      required[field.name] = fc.array(fieldArbitrary(field), { minLength: min, maxLength: max });
    } else if (field.presence === 'optional') {
      optional[field.name] = fieldArbitrary(field);
    } else {
      required[field.name] = fieldArbitrary(field);
    }
  }
  return fc
    .record({ ...required, ...optional }, { requiredKeys: Object.keys(required) })
    .map((fields) => ({ kind, ...fields }) as Message)
    .filter((message) => {
      const values = message as unknown as Record<string, unknown>;
      const min = values.minVersion as number | undefined;
      const max = values.maxVersion as number | undefined;
      if (kind === 'error' && (min === undefined) !== (max === undefined)) return false;
      return min === undefined || max === undefined || min <= max;
    });
}

function refusal(action: () => unknown): WardkeepFailure {
  try {
    action();
  } catch (error) {
    if (error instanceof WardkeepFailure) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** A TLV entry: tag, big-endian u16 length, value. */
const tlv = (tag: number, value: number[]): number[] => [
  tag,
  value.length >> 8,
  value.length & 0xff,
  ...value,
];
const decode = (kind: MessageKind, bytes: number[]): Message =>
  decodeMessage(messageTypes[kind], Uint8Array.from(bytes));
const sessionId = Array.from({ length: 16 }, (_, index) => index + 1);
const helloBytes = [...tlv(1, [1]), ...tlv(2, [1]), ...tlv(3, sessionId)];

describe('message schemas', () => {
  it('give every request an answer whose type is the request type with the high bit set', () => {
    for (const [request, answer] of Object.entries(answerKinds)) {
      expect(messageTypes[answer]).toBe(messageTypes[request as MessageKind] | 0x80);
    }
    for (const [kind, type] of Object.entries(messageTypes)) {
      expect(messageKindOf(type)).toBe(kind);
      expect(messageSpecs[kind as MessageKind].type).toBe(type);
    }
  });

  it('list each message’s tags in ascending order, starting at 1', () => {
    for (const spec of Object.values(messageSpecs)) {
      spec.fields.forEach((field, index) => expect(field.tag).toBe(index + 1));
    }
  });
});

describe('encodeMessage and decodeMessage', () => {
  it.each(Object.keys(messageTypes) as MessageKind[])('round-trip any valid %s', (kind) => {
    fc.assert(
      fc.property(messageArbitrary(kind), (message) => {
        const encoded = encodeMessage(message);
        expect(encoded.type).toBe(messageTypes[kind]);
        const decoded = decodeMessage(encoded.type, encoded.payload);
        const expected = { ...message } as Record<string, unknown>;
        for (const field of messageSpecs[kind].fields) {
          if (field.presence === 'repeated' && expected[field.name] === undefined) {
            expected[field.name] = [];
          }
        }
        expect(decoded).toEqual(expected);
        // Canonical: the decoded message encodes to the same bytes.
        expect(Buffer.from(encodeMessage(decoded).payload)).toEqual(Buffer.from(encoded.payload));
      }),
      { numRuns: 150 },
    );
  });

  it('encodes HELLO as tag, length and value in tag order', () => {
    const encoded = encodeMessage({
      kind: 'hello',
      minVersion: 1,
      maxVersion: 1,
      sessionId: Uint8Array.from(sessionId),
    });
    expect([...encoded.payload]).toEqual(helloBytes);
  });

  it('refuses a message type version 1 does not define', () => {
    const failure = refusal(() => decodeMessage(0x42, new Uint8Array(0)));
    expect(failure.code).toBe('provision.protocol');
    expect(failure.details).toEqual({ problem: 'unknown_type', messageType: 0x42 });
    expect(failure.message).toMatch(/0x42/);
  });

  it.each([
    [
      'an unknown tag',
      [...helloBytes, ...tlv(9, [1])],
      /unknown tag 9 .*payload byte 27/,
      undefined,
    ],
    [
      'tags out of order',
      [...tlv(2, [1]), ...tlv(1, [1]), ...tlv(3, sessionId)],
      /out of order/,
      undefined,
    ],
    [
      'a field given twice',
      [...tlv(1, [1]), ...tlv(1, [1]), ...tlv(2, [1]), ...tlv(3, sessionId)],
      /minVersion appears twice/,
      'minVersion',
    ],
    ['a truncated TLV header', [...helloBytes, 4, 0], /truncated TLV header/, undefined],
    [
      'a length past the end',
      [...helloBytes, 4, 0, 9, 0x61],
      /claims 9 bytes, 1 remain/,
      undefined,
    ],
    [
      'an integer of the wrong width',
      [...tlv(1, [0, 1]), ...tlv(2, [1]), ...tlv(3, sessionId)],
      /minVersion is 2 bytes, a u8 is 1/,
      'minVersion',
    ],
    [
      'bytes of the wrong length',
      [...tlv(1, [1]), ...tlv(2, [1]), ...tlv(3, sessionId.slice(1))],
      /sessionId is 15 bytes long, not 16..16/,
      'sessionId',
    ],
    ['a missing field', [...tlv(1, [1]), ...tlv(2, [1])], /sessionId is missing/, 'sessionId'],
    [
      'text that is not UTF-8',
      [...helloBytes, ...tlv(4, [0xc3, 0x28])],
      /consoleName is not valid UTF-8/,
      'consoleName',
    ],
    [
      'text with a control character',
      [...helloBytes, ...tlv(4, [0x61, 0x0a])],
      /consoleName contains a control character/,
      'consoleName',
    ],
    [
      'text with a bidirectional override',
      [...helloBytes, ...tlv(4, [0xe2, 0x80, 0xae, 0x61])],
      /bidirectional/,
      'consoleName',
    ],
    [
      'versions the wrong way round',
      [...tlv(1, [2]), ...tlv(2, [1]), ...tlv(3, sessionId)],
      /minVersion 2 is above maxVersion 1/,
      undefined,
    ],
  ])('refuses HELLO with %s, naming where', (_, bytes, message, field) => {
    const failure = refusal(() => decode('hello', bytes));
    expect(failure.code).toBe('provision.protocol');
    expect(failure.message).toMatch(message);
    expect(failure.details).toMatchObject({ problem: 'malformed', messageType: 0x01 });
    expect((failure.details as { field?: string }).field).toBe(field);
  });

  it('refuses values out of range and enum values it does not know', () => {
    const issue = (vlan: number[]): number[] => [
      ...tlv(1, [0x30]),
      ...tlv(2, [0x30]),
      ...tlv(3, [0x61]),
      ...tlv(4, vlan),
    ];
    expect(decode('issue', issue([0x0f, 0xfe]))).toMatchObject({ vlan: 4094 });
    expect(refusal(() => decode('issue', issue([0x0f, 0xff]))).message).toMatch(
      /vlan is 4095, not in 1..4094/,
    );
    expect(refusal(() => decode('issue', issue([0, 0]))).message).toMatch(/vlan is 0/);
    expect(
      refusal(() => decode('attest', [...tlv(1, new Array<number>(32).fill(7)), ...tlv(2, [3])]))
        .message,
    ).toMatch(/key value 3 is not defined/);
  });

  it('counts repeated entries against their bounds', () => {
    const certificate = tlv(1, [0x30]);
    const rest = [...tlv(2, [0x30]), ...tlv(3, [0x61]), ...tlv(4, [0, 7])];
    expect(decode('issue', [...certificate, ...certificate, ...rest])).toMatchObject({
      certificates: [Uint8Array.of(0x30), Uint8Array.of(0x30)],
    });
    expect(refusal(() => decode('issue', rest)).message).toMatch(
      /certificates has 0 entries, at least 1 needed/,
    );
    expect(
      refusal(() => decode('issue', [...new Array<number[]>(5).fill(certificate).flat(), ...rest]))
        .message,
    ).toMatch(/certificates has more than 4 entries/);
  });

  it('refuses any random payload without throwing anything but provision.protocol', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 200 }),
        (type, payload) => {
          try {
            decodeMessage(type, payload);
          } catch (error) {
            expect(error).toBeInstanceOf(WardkeepFailure);
            expect((error as WardkeepFailure).code).toBe('provision.protocol');
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('refuses on encoding what the decoder would refuse, naming the field', () => {
    const hello = {
      kind: 'hello',
      minVersion: 1,
      maxVersion: 1,
      sessionId: Uint8Array.from(sessionId),
    } as const;
    const cases: [Message, RegExp][] = [
      [{ ...hello, consoleName: 'bed\n4' }, /hello.consoleName contains a control character/],
      [{ ...hello, consoleName: 'a\ud800' }, /lone surrogate/],
      [{ ...hello, sessionId: new Uint8Array(8) }, /hello.sessionId is 8 bytes long/],
      [{ ...hello, minVersion: 0 }, /hello.minVersion is 0, not in 1..255/],
      [{ ...hello, minVersion: 1.5 }, /must be an integer/],
      [{ ...hello, maxVersion: undefined as unknown as number }, /hello.maxVersion is required/],
      [
        { kind: 'attest', challenge: new Uint8Array(32), key: 'toString' as 'idevid' },
        /attest.key is not one of idevid, ldevid/,
      ],
      [
        {
          kind: 'issue',
          certificates: [],
          trustAnchors: [Uint8Array.of(1)],
          zone: 'icu',
          vlan: 10,
        },
        /issue.certificates has 0 entries/,
      ],
    ];
    for (const [message, expected] of cases) {
      const failure = refusal(() => encodeMessage(message));
      expect(failure.code).toBe('input.invalid');
      expect(failure.message).toMatch(expected);
    }
  });

  it('refuses to encode a payload over the limit it is given', () => {
    const issue: Message = {
      kind: 'issue',
      certificates: [new Uint8Array(5000)],
      trustAnchors: [new Uint8Array(100)],
      zone: 'icu',
      vlan: 10,
    };
    expect(encodeMessage(issue).payload.length).toBe(5000 + 100 + 3 + 2 + 4 * 3);
    expect(refusal(() => encodeMessage(issue, 4096)).message).toMatch(
      /issue payload of 5117 bytes is over 4096/,
    );
  });
});

describe('signed statements', () => {
  const session = Uint8Array.from(sessionId);
  const nonce = new Uint8Array(32).fill(0xaa);
  const digest = new Uint8Array(32).fill(0xbb);

  it('lay out the attestation statement as the specification says', () => {
    const statement = attestationStatement({
      sessionId: session,
      challenge: nonce,
      key: 'idevid',
      signatureAlgorithm: 'ed25519',
      firmwareSha256: digest,
      firmwareVersion: '2.1.0',
    });
    const label = Buffer.from('wardkeep-attest-v1\0');
    expect(Buffer.from(statement)).toEqual(
      Buffer.concat([label, session, nonce, Buffer.of(1, 2), digest, Buffer.from('2.1.0')]),
    );
  });

  it('bind the CSR statement to the hash of the CSR and the confirmation to the bundle', () => {
    const csr = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00);
    const statement = csrStatement({
      sessionId: session,
      nonce,
      keyAlgorithm: 'ec-p256',
      signatureAlgorithm: 'ecdsa-p256-sha256',
      csr,
    });
    expect(Buffer.from(statement.subarray(-32))).toEqual(Buffer.from(bundleSha256(csr)));
    expect(statement.length).toBe('wardkeep-csr-v1\0'.length + 16 + 32 + 2 + 32);
    const confirmation = confirmationStatement({
      sessionId: session,
      nonce,
      signatureAlgorithm: 'ecdsa-p256-sha256',
      bundleSha256: digest,
    });
    expect(Buffer.from(confirmation.subarray(-33))).toEqual(Buffer.concat([Buffer.of(1), digest]));
  });

  it('refuse fields of the wrong length', () => {
    expect(() =>
      confirmationStatement({
        sessionId: session.subarray(1),
        nonce,
        signatureAlgorithm: 'ed25519',
        bundleSha256: digest,
      }),
    ).toThrow(/sessionId is 15 bytes, not 16/);
  });

  it('verify with Node crypto when signed as the specification says (P-256, DER)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const statement = confirmationStatement({
      sessionId: session,
      nonce,
      signatureAlgorithm: 'ecdsa-p256-sha256',
      bundleSha256: digest,
    });
    const signature = sign('sha256', statement, privateKey);
    const confirmed = encodeMessage({
      kind: 'confirmed',
      signatureAlgorithm: 'ecdsa-p256-sha256',
      signature,
    });
    const decoded = decodeMessage(confirmed.type, confirmed.payload) as Message<'confirmed'>;
    expect(verify('sha256', statement, publicKey, decoded.signature)).toBe(true);
  });
});

describe('toPrintableText', () => {
  it('makes any text acceptable as a text field, within its byte limit', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.integer({ min: 1, max: 64 }),
        (text, limit) => {
          const printable = toPrintableText(text, limit);
          const encoded = encodeMessage({ kind: 'abort', code: 'internal', detail: printable });
          expect(encoded.payload.length).toBeLessThanOrEqual(3 + 2 + 3 + limit);
        },
      ),
    );
    expect(toPrintableText('bad\nline\u202e', 256)).toBe('bad line ');
    expect(toPrintableText('ééé', 5)).toBe('éé');
  });
});
