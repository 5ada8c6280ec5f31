import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cobsDecode,
  cobsDecodeInto,
  cobsEncode,
  cobsEncodedLength,
  cobsMaxEncodedLength,
} from './cobs';

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

// The examples of Cheshire and Baker's COBS as listed on Wikipedia ("Consistent Overhead Byte
// Stuffing", Encoding examples), without the trailing 0x00 delimiter, which framing adds.
const vectors: [string, number[], number[]][] = [
  ['one zero', [0x00], [0x01, 0x01]],
  ['two zeros', [0x00, 0x00], [0x01, 0x01, 0x01]],
  ['zero, data, zero', [0x00, 0x11, 0x00], [0x01, 0x02, 0x11, 0x01]],
  ['zero inside', [0x11, 0x22, 0x00, 0x33], [0x03, 0x11, 0x22, 0x02, 0x33]],
  ['no zero', [0x11, 0x22, 0x33, 0x44], [0x05, 0x11, 0x22, 0x33, 0x44]],
  ['trailing zeros', [0x11, 0x00, 0x00, 0x00], [0x02, 0x11, 0x01, 0x01, 0x01]],
  ['254 non-zero bytes', range(0x01, 0xfe), [0xff, ...range(0x01, 0xfe)]],
  ['zero then 254 non-zero bytes', range(0x00, 0xfe), [0x01, 0xff, ...range(0x01, 0xfe)]],
  ['255 non-zero bytes', range(0x01, 0xff), [0xff, ...range(0x01, 0xfe), 0x02, 0xff]],
  [
    '254 non-zero bytes then a zero',
    [...range(0x02, 0xff), 0x00],
    [0xff, ...range(0x02, 0xff), 0x01, 0x01],
  ],
  [
    '253 non-zero bytes, a zero, one byte',
    [...range(0x03, 0xff), 0x00, 0x01],
    [0xfe, ...range(0x03, 0xff), 0x02, 0x01],
  ],
];

describe('cobs', () => {
  it.each(vectors)('encodes and decodes the paper example: %s', (_, data, encoded) => {
    expect([...cobsEncode(Uint8Array.from(data))]).toEqual(encoded);
    expect(cobsEncodedLength(Uint8Array.from(data))).toBe(encoded.length);
    const decoded = cobsDecode(Uint8Array.from(encoded));
    expect(decoded.ok && [...decoded.data]).toEqual(data);
  });

  it('encodes nothing as a single code byte', () => {
    expect([...cobsEncode(new Uint8Array(0))]).toEqual([0x01]);
  });

  it('round-trips any data, never emits 0x00, and stays within the overhead bound', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 1200 }),
        fc
          .uint8Array({ maxLength: 600 })
          .map((bytes) => bytes.map((byte) => (byte < 128 ? 0 : byte))),
        (random, zeroHeavy) => {
          for (const data of [random, zeroHeavy]) {
            const encoded = cobsEncode(data);
            expect(encoded.includes(0)).toBe(false);
            expect(encoded.length).toBeLessThanOrEqual(cobsMaxEncodedLength(data.length));
            expect(cobsEncodedLength(data)).toBe(encoded.length);
            const decoded = cobsDecode(encoded);
            expect(decoded.ok && Buffer.from(decoded.data).equals(Buffer.from(data))).toBe(true);
          }
        },
      ),
    );
  });

  it('decodes in place into the buffer it reads', () => {
    const data = Uint8Array.from([0, 1, 2, 0, 0, 3, ...range(1, 255), 0]);
    const buffer = cobsEncode(data).slice();
    const length = cobsDecodeInto(buffer, buffer.length, buffer);
    expect([...buffer.subarray(0, length)]).toEqual([...data]);
  });

  it('accepts a trailing 0x01 block after a full block, as other encoders emit', () => {
    const decoded = cobsDecode(Uint8Array.from([0xff, ...range(1, 254), 0x01]));
    expect(decoded.ok && [...decoded.data]).toEqual(range(1, 254));
  });

  it('rejects a block that runs past the end, naming its offset', () => {
    expect(cobsDecode(Uint8Array.from([0x03, 0x11, 0x22, 0x05, 0x33]))).toEqual({
      ok: false,
      byteOffset: 3,
      message: 'COBS block at byte 3 runs past the end of the message',
    });
  });

  it('rejects a 0x00 inside the message and an empty message', () => {
    expect(cobsDecode(Uint8Array.from([0x02, 0x00]))).toMatchObject({ ok: false, byteOffset: 1 });
    expect(cobsDecode(Uint8Array.from([0x01, 0x00, 0x01]))).toMatchObject({
      ok: false,
      byteOffset: 1,
    });
    expect(cobsDecode(new Uint8Array(0))).toMatchObject({ ok: false, byteOffset: 0 });
  });
});
