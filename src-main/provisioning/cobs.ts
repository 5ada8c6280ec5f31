// Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999): rewrites a message so it holds no
// 0x00 byte, letting 0x00 delimit frames on a serial line. Overhead is at most one byte per 254
// plus one. Encoding follows the paper (and Wikipedia's reference code): a message whose last
// block is a full 254-byte run ends without a trailing 0x01 block; the decoder accepts either.

export type CobsDecodeResult =
  { ok: true; data: Uint8Array } | { ok: false; byteOffset: number; message: string };

/** The largest encoded length of `length` bytes (without the 0x00 delimiter). */
export function cobsMaxEncodedLength(length: number): number {
  return length + Math.ceil(length / 254) + 1;
}

/** The exact length cobsEncode(data) will have. */
export function cobsEncodedLength(data: Uint8Array): number {
  let length = 1;
  let run = 0;
  for (let index = 0; index < data.length; index++) {
    if (data[index] === 0) {
      length++;
      run = 0;
      continue;
    }
    length++;
    // A full block of 254 takes a new code byte, unless the data ends there.
    if (++run === 254 && index + 1 < data.length) {
      length++;
      run = 0;
    }
  }
  return length;
}

/** Encodes `data` (without adding a delimiter); the result contains no 0x00 byte. */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsEncodedLength(data));
  cobsEncodeInto(data, out, 0);
  return out;
}

/**
 * Encodes `data` into `out` from `offset` (room for cobsMaxEncodedLength bytes needed) and
 * returns the offset just past the encoding.
 */
export function cobsEncodeInto(data: Uint8Array, out: Uint8Array, offset: number): number {
  let codeIndex = offset;
  let write = offset + 1;
  let code = 1;
  for (let read = 0; read < data.length; read++) {
    const byte = data[read]!;
    if (byte !== 0) {
      out[write++] = byte;
      code++;
      if (code !== 0xff) continue;
    }
    out[codeIndex] = code;
    code = 1;
    // A full block that the last input byte completed needs no code byte after it.
    if (byte !== 0 && read + 1 === data.length) return write;
    codeIndex = write++;
  }
  out[codeIndex] = code;
  return write;
}

/**
 * Decodes `encoded[0, length)` into `output` (which may be `encoded` itself: decoding never writes
 * ahead of where it reads). Returns the decoded length, or -(1 + offset) of the first bad byte: a
 * 0x00 inside the data, or a code byte whose block runs past the end.
 */
export function cobsDecodeInto(encoded: Uint8Array, length: number, output: Uint8Array): number {
  let read = 0;
  let write = 0;
  while (read < length) {
    const code = encoded[read]!;
    if (code === 0) return -(1 + read);
    const blockEnd = read + code;
    if (blockEnd > length) return -(1 + read);
    read++;
    while (read < blockEnd) {
      const byte = encoded[read]!;
      if (byte === 0) return -(1 + read);
      output[write++] = byte;
      read++;
    }
    if (code !== 0xff && read < length) output[write++] = 0;
  }
  return write;
}

/** Decodes one encoded message (without its delimiter), naming the offset of a bad byte. */
export function cobsDecode(encoded: Uint8Array): CobsDecodeResult {
  if (encoded.length === 0) return { ok: false, byteOffset: 0, message: 'empty COBS message' };
  const output = new Uint8Array(encoded.length);
  const length = cobsDecodeInto(encoded, encoded.length, output);
  if (length < 0) {
    const byteOffset = -length - 1;
    const message =
      encoded[byteOffset] === 0
        ? `0x00 inside a COBS message at byte ${byteOffset}`
        : `COBS block at byte ${byteOffset} runs past the end of the message`;
    return { ok: false, byteOffset, message };
  }
  return { ok: true, data: output.subarray(0, length) };
}
