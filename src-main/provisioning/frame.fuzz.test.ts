// A million corrupted, truncated and random frames through the streaming decoder, from a seeded
// generator so any failure replays exactly. What must hold: nothing corrupted is ever accepted,
// nothing throws, and every intact frame around the damage comes out, in order, whatever the chunks.
import { describe, expect, it } from 'vitest';
import { cobsEncode } from './cobs';
import type { DecodedItem, Frame, FrameRejectionReason } from './frame';
import { buildFrame, createFrameDecoder, encodeFrame } from './frame';

/** sfc32 (Chris Doty-Humphrey's small fast counting generator): 32 random bits per call. */
function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let round = 0; round < 12; round++) next();
  return next;
}

interface Fuzzer {
  int(below: number): number;
  /** Random bytes; a byte below `zeroBelow` becomes 0x00, so zeros come with that density. */
  bytes(length: number, zeroBelow?: number): Uint8Array;
  frame(): Frame;
}

function fuzzer(seed: number): Fuzzer {
  const next = seededRandom(seed);
  const int = (below: number): number => next() % below;
  const bytes = (length: number, zeroBelow = 0): Uint8Array => {
    const out = new Uint8Array(length);
    for (let index = 0; index < length; index += 4) {
      const word = next();
      out[index] = word;
      if (index + 1 < length) out[index + 1] = word >>> 8;
      if (index + 2 < length) out[index + 2] = word >>> 16;
      if (index + 3 < length) out[index + 3] = word >>> 24;
    }
    if (zeroBelow > 0) {
      for (let index = 0; index < length; index++) if (out[index]! < zeroBelow) out[index] = 0;
    }
    return out;
  };
  return {
    int,
    bytes,
    frame() {
      // Mostly small frames, as the protocol's are; now and then one of a few KiB.
      const length = int(50) === 0 ? int(2048) : int(64);
      return { version: 1, type: int(256), requestId: next(), payload: bytes(length, int(64)) };
    },
  };
}

const delimiter = Uint8Array.of(0);

function delimited(encoded: Uint8Array): Uint8Array {
  const out = new Uint8Array(encoded.length + 2);
  out.set(encoded, 1);
  return out;
}

type Mutation = (raw: Uint8Array, random: Fuzzer) => Uint8Array;

/** Damage to a frame before COBS (as a sender's memory or a bad cable inside one byte would do). */
const rawMutations: Record<string, Mutation> = {
  oneBitFlipped(raw, random) {
    const copy = raw.slice();
    copy[random.int(copy.length)]! ^= 1 << random.int(8);
    return delimited(cobsEncode(copy));
  },
  severalBitsFlipped(raw, random) {
    const copy = raw.slice();
    const flips = 2 + random.int(15);
    // Distinct positions, so no flip undoes another.
    const positions = new Set<number>();
    while (positions.size < Math.min(flips, copy.length * 8)) {
      positions.add(random.int(copy.length * 8));
    }
    for (const bit of positions) copy[bit >>> 3]! ^= 1 << (bit & 7);
    return delimited(cobsEncode(copy));
  },
  truncated(raw, random) {
    return delimited(cobsEncode(raw.subarray(0, random.int(raw.length))));
  },
  extended(raw, random) {
    const longer = new Uint8Array(raw.length + 1 + random.int(8));
    longer.set(raw);
    longer.set(random.bytes(longer.length - raw.length, 64), raw.length);
    return delimited(cobsEncode(longer));
  },
};

/** Damage on the wire, after COBS: the pieces it leaves must each be rejected. */
const wireMutations: Record<string, Mutation> = {
  oneWireBitFlipped(raw, random) {
    const wire = delimited(cobsEncode(raw));
    wire[1 + random.int(wire.length - 2)]! ^= 1 << random.int(8);
    return wire;
  },
  wireByteReplaced(raw, random) {
    const wire = delimited(cobsEncode(raw));
    const at = 1 + random.int(wire.length - 2);
    let byte = random.int(256);
    if (byte === wire[at]) byte ^= 0x5a;
    wire[at] = byte;
    return wire;
  },
  wireTruncated(raw, random) {
    const encoded = cobsEncode(raw);
    return delimited(encoded.subarray(0, random.int(encoded.length)));
  },
  wireByteDropped(raw, random) {
    const encoded = cobsEncode(raw);
    const at = random.int(encoded.length);
    const wire = new Uint8Array(encoded.length + 1);
    wire.set(encoded.subarray(0, at), 1);
    wire.set(encoded.subarray(at + 1), 1 + at);
    return wire;
  },
  wireByteInserted(raw, random) {
    const encoded = cobsEncode(raw);
    const at = random.int(encoded.length + 1);
    const wire = new Uint8Array(encoded.length + 3);
    wire.set(encoded.subarray(0, at), 1);
    wire[1 + at] = 1 + random.int(255);
    wire.set(encoded.subarray(at), 2 + at);
    return wire;
  },
  garbage(_raw, random) {
    return random.bytes(1 + random.int(200), random.int(2) === 0 ? 0 : random.int(32));
  },
};

const mutations = { ...rawMutations, ...wireMutations };
const mutationNames = Object.keys(mutations);

function acceptedFrames(items: DecodedItem[]): Frame[] {
  return items.flatMap((item) => (item.kind === 'frame' ? [item.frame] : []));
}

describe('frame decoder under fuzzing', () => {
  it('rejects every frame with one bit flipped before COBS as a CRC failure', () => {
    const random = fuzzer(1);
    const decoder = createFrameDecoder();
    const reasons = new Map<FrameRejectionReason, number>();
    for (let run = 0; run < 100_000; run++) {
      const wire = rawMutations.oneBitFlipped!(buildFrame(random.frame()), random);
      for (const item of decoder.push(wire)) {
        if (item.kind === 'frame')
          expect.fail(`run ${run}: a frame with a flipped bit was accepted`);
        reasons.set(item.rejection.reason, (reasons.get(item.rejection.reason) ?? 0) + 1);
      }
    }
    // CRC-32 detects every single-bit error; a flip in the length field shows as CRC too,
    // because the CRC is checked first.
    expect([...reasons.keys()]).toEqual(['crc']);
    expect(reasons.get('crc')).toBe(100_000);
  });

  it('accepts no corrupted, truncated or random frame and recovers every intact one in order', () => {
    const random = fuzzer(20_240_611);
    const decoder = createFrameDecoder();
    const batches = 500;
    const corruptedPerBatch = 2000;
    let corruptedSent = 0;
    let intactSent = 0;
    let intactRecovered = 0;
    let rejections = 0;
    const perMutation = new Map<string, number>();
    for (let batch = 0; batch < batches; batch++) {
      const parts: Uint8Array[] = [];
      const expected: Frame[] = [];
      for (let index = 0; index < corruptedPerBatch; index++) {
        if (random.int(3) === 0) {
          const frame = random.frame();
          expected.push(frame);
          parts.push(encodeFrame(frame));
        }
        const name = mutationNames[random.int(mutationNames.length)]!;
        parts.push(mutations[name]!(buildFrame(random.frame()), random));
        perMutation.set(name, (perMutation.get(name) ?? 0) + 1);
      }
      // Once a batch: a run of noise with no delimiter, longer than any frame.
      if (batch % 3 === 0) parts.push(random.bytes(34_000).map((byte) => byte | 1));
      parts.push(delimiter);
      const stream = Buffer.concat(parts);
      const items: DecodedItem[] = [];
      for (let offset = 0; offset < stream.length;) {
        const size = random.int(2) === 0 ? 1 + random.int(64) : 64 + random.int(8192);
        items.push(...decoder.push(stream.subarray(offset, offset + size)));
        offset += size;
      }
      const accepted = acceptedFrames(items);
      if (accepted.length !== expected.length) {
        expect.fail(`batch ${batch}: ${accepted.length} frames accepted, ${expected.length} sent`);
      }
      for (let index = 0; index < expected.length; index++) {
        const got = accepted[index]!;
        const want = expected[index]!;
        if (
          got.type !== want.type ||
          got.requestId !== want.requestId ||
          !Buffer.from(got.payload).equals(Buffer.from(want.payload))
        ) {
          expect.fail(`batch ${batch}, frame ${index}: accepted a frame that was not sent intact`);
        }
      }
      corruptedSent += corruptedPerBatch;
      intactSent += expected.length;
      intactRecovered += accepted.length;
      rejections += items.length - accepted.length;
    }
    expect(corruptedSent).toBe(1_000_000);
    expect(intactRecovered).toBe(intactSent);
    // Pieces of one damaged frame can merge with the next damaged one, never with an intact one.
    expect(rejections).toBeGreaterThan(corruptedSent * 0.9);
    for (const name of mutationNames) expect(perMutation.get(name)).toBeGreaterThan(50_000);
    expect(decoder.bufferedLength).toBe(0);
  });
});
