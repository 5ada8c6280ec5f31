import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** zlib's own CRC-32, read from the trailer of a gzip member (RFC 1952): Node 20 has no zlib.crc32. */
function zlibCrc32(data: Uint8Array): number {
  const member = gzipSync(data);
  return member.readUInt32LE(member.length - 8);
}

describe('crc32', () => {
  it('matches the published check values', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('a'))).toBe(0xe8b7be43);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it('agrees with zlib on random data of every length around the 8-byte steps', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(crc32(data)).toBe(zlibCrc32(data));
      }),
      { numRuns: 500 },
    );
  });

  it('continues over data split anywhere, and over a range of a buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (data, cut) => {
        const at = data.length === 0 ? 0 : cut % (data.length + 1);
        expect(crc32(data.subarray(at), crc32(data.subarray(0, at)))).toBe(crc32(data));
        expect(crc32(data, 0, at, data.length)).toBe(crc32(data.slice(at)));
      }),
    );
  });
});
