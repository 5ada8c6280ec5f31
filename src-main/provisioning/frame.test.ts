import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cobsEncode } from './cobs';
import { crc32 } from './crc32';
import type { DecodedItem, Frame } from './frame';
import {
  buildFrame,
  createFrameDecoder,
  encodeFrame,
  maxEncodedFrameLength,
  maxPayloadLength,
} from './frame';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const frames = (items: DecodedItem[]): Frame[] =>
  items.flatMap((item) => (item.kind === 'frame' ? [item.frame] : []));
const reasons = (items: DecodedItem[]): string[] =>
  items.flatMap((item) => (item.kind === 'rejected' ? [item.rejection.reason] : []));

/** A raw frame with any header and a correct CRC: for frames this side must refuse though intact. */
function rawWithCrc(header: number[], payload: number[]): Uint8Array {
  const body = Uint8Array.from([...header, ...payload]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  const raw = Buffer.concat([body, crc]);
  return Uint8Array.from([0, ...cobsEncode(raw), 0]);
}

describe('buildFrame and encodeFrame', () => {
  it('lays out version, type, request id, length, payload and a big-endian CRC-32', () => {
    const raw = buildFrame({
      version: 1,
      type: 0x02,
      requestId: 0x01020304,
      payload: Uint8Array.of(0xaa, 0x00, 0xbb),
    });
    expect(hex(raw.subarray(0, 11))).toBe('0102010203040003aa00bb');
    expect(Buffer.from(raw).readUInt32BE(11)).toBe(crc32(raw.subarray(0, 11)));
  });

  it('delimits the COBS encoding with 0x00 on both sides and has no other 0x00', () => {
    const wire = encodeFrame({ version: 1, type: 1, requestId: 0, payload: new Uint8Array(300) });
    expect(wire[0]).toBe(0);
    expect(wire[wire.length - 1]).toBe(0);
    expect(wire.subarray(1, -1).includes(0)).toBe(false);
    expect(wire.length).toBeLessThanOrEqual(maxEncodedFrameLength(300));
  });

  it('refuses header fields out of range and a payload over the limit', () => {
    const payload = new Uint8Array(0);
    expect(() => encodeFrame({ version: 0, type: 1, requestId: 1, payload })).toThrow(/version/);
    expect(() => encodeFrame({ version: 1, type: 256, requestId: 1, payload })).toThrow(/type/);
    expect(() => encodeFrame({ version: 1, type: 1, requestId: 2 ** 32, payload })).toThrow(
      /requestId/,
    );
    expect(() =>
      encodeFrame({ version: 1, type: 1, requestId: 1, payload: new Uint8Array(101) }, 100),
    ).toThrow(/over the limit of 100/);
  });
});

describe('createFrameDecoder', () => {
  const sample: Frame = {
    version: 1,
    type: 0x81,
    requestId: 77,
    payload: Uint8Array.from([1, 0, 2, 0, 0, 3]),
  };

  it('decodes frames whatever the chunks the bytes arrive in', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.integer({ min: 0, max: 255 }),
            requestId: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
            payload: fc.uint8Array({ maxLength: 700 }),
          }),
          { maxLength: 8 },
        ),
        fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1 }),
        (sent, cuts) => {
          const wire = Buffer.concat(sent.map((frame) => encodeFrame({ version: 1, ...frame })));
          const decoder = createFrameDecoder();
          const items: DecodedItem[] = [];
          for (let offset = 0, index = 0; offset < wire.length; index++) {
            const size = cuts[index % cuts.length]!;
            items.push(...decoder.push(wire.subarray(offset, offset + size)));
            offset += size;
          }
          expect(reasons(items)).toEqual([]);
          expect(frames(items)).toEqual(sent.map((frame) => ({ version: 1, ...frame })));
          expect(decoder.bufferedLength).toBe(0);
        },
      ),
    );
  });

  it('reports a flipped bit as a CRC failure and decodes the next frame', () => {
    const raw = buildFrame(sample);
    raw[3]! ^= 0x10;
    const wire = Uint8Array.from([0, ...cobsEncode(raw), 0]);
    const items = createFrameDecoder().push(Buffer.concat([wire, encodeFrame(sample)]));
    expect(reasons(items)).toEqual(['crc']);
    expect(frames(items)).toEqual([sample]);
    const [first] = items;
    const rejection = first?.kind === 'rejected' ? first.rejection : undefined;
    expect(rejection?.message).toMatch(/^frame at stream byte 1: CRC-32 is 0x[0-9a-f]{8}/);
  });

  it('resynchronises on 0x00 after garbage and names where each rejected frame began', () => {
    const garbage = Buffer.from('ff13fe0003aabb', 'hex');
    const items = createFrameDecoder().push(Buffer.concat([garbage, encodeFrame(sample)]));
    expect(frames(items)).toEqual([sample]);
    const rejected = items.flatMap((item) => (item.kind === 'rejected' ? [item.rejection] : []));
    expect(rejected.map((item) => [item.reason, item.streamOffset])).toEqual([
      ['cobs', 0],
      ['too_short', 4],
    ]);
  });

  it('rejects a frame shorter than a header and CRC', () => {
    const wire = Uint8Array.from([0, ...cobsEncode(Uint8Array.from([1, 2, 3, 4, 5])), 0]);
    expect(reasons(createFrameDecoder().push(wire))).toEqual(['too_short']);
  });

  it('rejects bytes running past the largest frame once, then decodes the next frame', () => {
    const decoder = createFrameDecoder({ maxPayloadLength: 64 });
    const flood = new Uint8Array(5000).fill(0x41);
    const items = [
      ...decoder.push(flood.subarray(0, 2500)),
      ...decoder.push(flood.subarray(2500)),
      ...decoder.push(encodeFrame(sample)),
    ];
    expect(reasons(items)).toEqual(['too_long']);
    const [first] = items;
    expect(first?.kind === 'rejected' && first.rejection.encodedLength).toBe(5000);
    expect(frames(items)).toEqual([sample]);
  });

  it('rejects an intact frame whose payload is over the decoder limit', () => {
    const big = encodeFrame({ ...sample, payload: new Uint8Array(65) });
    expect(reasons(createFrameDecoder({ maxPayloadLength: 64 }).push(big))).toEqual(['too_long']);
    expect(reasons(createFrameDecoder().push(big))).toEqual([]);
  });

  it('rejects an intact frame of an unknown version, keeping its header for an answer', () => {
    const wire = rawWithCrc([2, 0x03, 0, 0, 1, 0, 0, 0], []);
    const [item] = createFrameDecoder().push(wire);
    expect(item).toMatchObject({
      kind: 'rejected',
      rejection: { reason: 'version', version: 2, type: 3, requestId: 256 },
    });
    expect(frames(createFrameDecoder({ versions: [1, 2] }).push(wire))).toHaveLength(1);
  });

  it('rejects an intact frame whose header length disagrees with its payload', () => {
    const wire = rawWithCrc([1, 0x01, 0, 0, 0, 9, 0, 5], [1, 2, 3]);
    expect(createFrameDecoder().push(wire)[0]).toMatchObject({
      kind: 'rejected',
      rejection: { reason: 'length', requestId: 9 },
    });
  });

  it('ignores empty frames between delimiters', () => {
    expect(createFrameDecoder().push(new Uint8Array(10))).toEqual([]);
  });

  it('drops a partly received frame on reset', () => {
    const decoder = createFrameDecoder();
    const wire = encodeFrame(sample);
    decoder.push(wire.subarray(0, 6));
    expect(decoder.bufferedLength).toBe(5);
    decoder.reset();
    expect(decoder.bufferedLength).toBe(0);
    expect(reasons(decoder.push(Uint8Array.of(0)))).toEqual([]);
    expect(frames(decoder.push(wire))).toEqual([sample]);
  });

  it('hands out payloads that later input does not overwrite', () => {
    const decoder = createFrameDecoder();
    const [first] = frames(decoder.push(encodeFrame(sample)));
    decoder.push(encodeFrame({ ...sample, payload: new Uint8Array(6).fill(9) }));
    expect([...first!.payload]).toEqual([...sample.payload]);
  });

  it('accepts a payload of exactly the protocol maximum', () => {
    const payload = new Uint8Array(maxPayloadLength).fill(7);
    const [frame] = frames(createFrameDecoder().push(encodeFrame({ ...sample, payload })));
    expect(frame?.payload.length).toBe(maxPayloadLength);
  });
});
