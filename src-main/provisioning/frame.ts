// Frames of the provisioning protocol on a byte stream: 0x00 ‖ COBS(header ‖ payload ‖ CRC-32) ‖
// 0x00, header = version u8, type u8, request id u32, payload length u16 (big-endian). The
// streaming decoder takes bytes in any chunks and never throws on what arrives: every delimited
// run of bytes becomes exactly one frame or one rejection with its reason, and garbage costs at
// most the frame it touches, because every 0x00 starts afresh.
import { cobsDecodeInto, cobsEncodedLength, cobsEncodeInto, cobsMaxEncodedLength } from './cobs';
import { crc32 } from './crc32';
import { fail } from '../lib/errors';

/** The protocol version this implementation speaks (the first byte of every frame). */
export const protocolVersion = 1;
export const supportedVersions: readonly number[] = [protocolVersion];
export const frameDelimiter = 0x00;
export const frameHeaderLength = 8;
export const frameCrcLength = 4;
/** Header and CRC around an empty payload: anything shorter is not a frame. */
export const minFrameLength = frameHeaderLength + frameCrcLength;
/** The protocol's ceiling on a payload; a device may declare a lower one in HELLO_REPLY. */
export const maxPayloadLength = 32_768;
export const maxRequestId = 0xffff_ffff;

export interface Frame {
  version: number;
  type: number;
  requestId: number;
  payload: Uint8Array;
}

export type FrameRejectionReason =
  /** The bytes between two delimiters are not valid COBS. */
  | 'cobs'
  /** Shorter than a header and CRC: a fragment, or garbage. */
  | 'too_short'
  /** More bytes than the largest frame before a delimiter came, or a payload above the limit. */
  | 'too_long'
  /** The CRC-32 does not match: corrupted or truncated in transit. */
  | 'crc'
  /** An intact frame of a protocol version this side does not speak. */
  | 'version'
  /** An intact frame whose header length disagrees with its payload. */
  | 'length';

export interface FrameRejection {
  reason: FrameRejectionReason;
  message: string;
  /** Offset in the stream (bytes since the decoder started) of the frame's first encoded byte. */
  streamOffset: number;
  /** Encoded bytes between the delimiters, including any discarded after the limit. */
  encodedLength: number;
  /** For `version` and `length`, whose CRC held: the header fields, so a reply can name them. */
  version?: number;
  type?: number;
  requestId?: number;
}

export type DecodedItem =
  | { kind: 'frame'; frame: Frame; streamOffset: number }
  | { kind: 'rejected'; rejection: FrameRejection };

/** The raw frame (header, payload, CRC) before COBS. */
export function buildFrame(frame: Frame, payloadLimit = maxPayloadLength): Uint8Array {
  checkHeaderField('version', frame.version, 1, 0xff);
  checkHeaderField('type', frame.type, 0, 0xff);
  checkHeaderField('requestId', frame.requestId, 0, maxRequestId);
  if (frame.payload.length > payloadLimit) {
    fail(
      'input.invalid',
      `frame payload of ${frame.payload.length} bytes is over the limit of ${payloadLimit}`,
      { field: 'payload', length: frame.payload.length, limit: payloadLimit },
    );
  }
  const length = frame.payload.length;
  const raw = new Uint8Array(minFrameLength + length);
  raw[0] = frame.version;
  raw[1] = frame.type;
  writeUint32(raw, 2, frame.requestId);
  raw[6] = length >>> 8;
  raw[7] = length & 0xff;
  raw.set(frame.payload, frameHeaderLength);
  const crcOffset = frameHeaderLength + length;
  writeUint32(raw, crcOffset, crc32(raw, 0, 0, crcOffset));
  return raw;
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

function readUint32(source: Uint8Array, offset: number): number {
  return (
    ((source[offset]! << 24) |
      (source[offset + 1]! << 16) |
      (source[offset + 2]! << 8) |
      source[offset + 3]!) >>>
    0
  );
}

/**
 * The bytes to write for one frame: a leading 0x00 (so garbage already on the line ends there and
 * costs no valid frame), the COBS encoding, and the closing 0x00.
 */
export function encodeFrame(frame: Frame, payloadLimit = maxPayloadLength): Uint8Array {
  const raw = buildFrame(frame, payloadLimit);
  const out = new Uint8Array(cobsEncodedLength(raw) + 2);
  out[0] = frameDelimiter;
  const end = cobsEncodeInto(raw, out, 1);
  out[end] = frameDelimiter;
  return out;
}

/** The most encoded bytes a frame with a payload of `payloadLimit` bytes can take on the wire. */
export function maxEncodedFrameLength(payloadLimit = maxPayloadLength): number {
  return cobsMaxEncodedLength(minFrameLength + payloadLimit) + 2;
}

const slabSize = 16_384;

export interface FrameDecoderOptions {
  /** Largest payload accepted; larger frames are rejected as `too_long`. */
  maxPayloadLength?: number;
  /** Versions accepted; intact frames of others are rejected as `version`. */
  versions?: readonly number[];
}

export interface FrameDecoder {
  /** Consumes a chunk of any size and returns what it completed, in stream order. */
  push(chunk: Uint8Array): DecodedItem[];
  /** Bytes held of a frame whose closing delimiter has not arrived. */
  readonly bufferedLength: number;
  /** Drops a partly received frame (after the stream was interrupted). */
  reset(): void;
}

export function createFrameDecoder(options: FrameDecoderOptions = {}): FrameDecoder {
  const payloadLimit = options.maxPayloadLength ?? maxPayloadLength;
  const versions = new Set(options.versions ?? supportedVersions);
  const capacity = cobsMaxEncodedLength(minFrameLength + payloadLimit);
  const buffer = new Uint8Array(capacity);
  // Payloads are copied into slabs, so a frame costs one small view rather than an ArrayBuffer
  // of its own; a slab is never written twice, so a payload handed out never changes.
  let slab = new Uint8Array(0);
  let slabUsed = 0;
  let buffered = 0;
  let discarded = 0;
  let streamOffset = 0;
  let frameStart = 0;

  function reject(
    reason: FrameRejectionReason,
    message: string,
    encodedLength: number,
    header?: { version: number; type: number; requestId: number },
  ): DecodedItem {
    return {
      kind: 'rejected',
      rejection: {
        reason,
        message: `frame at stream byte ${frameStart}: ${message}`,
        streamOffset: frameStart,
        encodedLength,
        ...header,
      },
    };
  }

  function finish(): DecodedItem | undefined {
    const encodedLength = buffered + discarded;
    if (discarded > 0) {
      return reject(
        'too_long',
        `${encodedLength} encoded bytes without a delimiter, over the limit of ${capacity}`,
        encodedLength,
      );
    }
    if (buffered === 0) return undefined;
    const length = cobsDecodeInto(buffer, buffered, buffer);
    if (length < 0) {
      return reject('cobs', `invalid COBS at encoded byte ${-length - 1}`, encodedLength);
    }
    if (length < minFrameLength) {
      return reject(
        'too_short',
        `${length} bytes, shorter than the ${minFrameLength} of a header and CRC`,
        encodedLength,
      );
    }
    const crcOffset = length - frameCrcLength;
    const expected = readUint32(buffer, crcOffset);
    const actual = crc32(buffer, 0, 0, crcOffset);
    if (expected !== actual) {
      return reject(
        'crc',
        `CRC-32 is 0x${actual.toString(16).padStart(8, '0')}, the frame says 0x${expected.toString(16).padStart(8, '0')}`,
        encodedLength,
      );
    }
    const header = { version: buffer[0]!, type: buffer[1]!, requestId: readUint32(buffer, 2) };
    if (!versions.has(header.version)) {
      return reject(
        'version',
        `protocol version ${header.version} is not spoken here (${[...versions].join(', ')})`,
        encodedLength,
        header,
      );
    }
    const payloadLength = length - minFrameLength;
    const declared = (buffer[6]! << 8) | buffer[7]!;
    if (declared !== payloadLength) {
      return reject(
        'length',
        `header says ${declared} payload bytes, the frame holds ${payloadLength}`,
        encodedLength,
        header,
      );
    }
    if (payloadLength > payloadLimit) {
      return reject(
        'too_long',
        `payload of ${payloadLength} bytes is over the limit of ${payloadLimit}`,
        encodedLength,
        header,
      );
    }
    return {
      kind: 'frame',
      // Properties spelled out: an object spread here cost more than the CRC.
      frame: {
        version: header.version,
        type: header.type,
        requestId: header.requestId,
        payload: copyPayload(payloadLength),
      },
      streamOffset: frameStart,
    };
  }

  function copyPayload(length: number): Uint8Array {
    if (length > slabSize / 4) return buffer.slice(frameHeaderLength, frameHeaderLength + length);
    if (slabUsed + length > slab.length) {
      slab = new Uint8Array(slabSize);
      slabUsed = 0;
    }
    const payload = slab.subarray(slabUsed, slabUsed + length);
    payload.set(buffer.subarray(frameHeaderLength, frameHeaderLength + length));
    slabUsed += length;
    return payload;
  }

  return {
    push(chunk) {
      const items: DecodedItem[] = [];
      // A byte loop: frames are small, and copying as we scan beats finding each 0x00 first.
      for (let index = 0; index < chunk.length; index++) {
        const byte = chunk[index]!;
        if (byte !== frameDelimiter) {
          if (buffered < capacity) buffer[buffered++] = byte;
          else discarded++;
          continue;
        }
        const item = finish();
        if (item) items.push(item);
        buffered = 0;
        discarded = 0;
        frameStart = streamOffset + index + 1;
      }
      streamOffset += chunk.length;
      return items;
    },
    get bufferedLength() {
      return buffered + discarded;
    },
    reset() {
      buffered = 0;
      discarded = 0;
      frameStart = streamOffset;
    },
  };
}

function checkHeaderField(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail('input.invalid', `frame ${field} ${value} is not an integer in ${min}..${max}`, {
      field,
      value,
    });
  }
}
