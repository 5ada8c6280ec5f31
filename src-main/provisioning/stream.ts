// Writing frames to a byte stream (a serial port, or any Duplex in tests) in chunks of at most
// 4 KiB, each awaited until the stream took it and, when it asked, until it drained: large
// simultaneous writes at both ends of a pseudo-terminal stalled otherwise.
import type { Duplex } from 'node:stream';
import { WardkeepFailure } from '../lib/errors';

export type ByteStream = Duplex;

export const defaultChunkSize = 4096;

/**
 * Writes `bytes` in chunks of `chunkSize`, resolving once the last chunk was handed to the
 * device. Rejects with provision.port if the stream fails or closes before that.
 */
export async function writeChunked(
  stream: ByteStream,
  bytes: Uint8Array,
  chunkSize = defaultChunkSize,
): Promise<void> {
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    await writeOne(stream, bytes.subarray(offset, Math.min(bytes.length, offset + chunkSize)));
  }
}

function writeOne(stream: ByteStream, chunk: Uint8Array): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (stream.destroyed || !stream.writable) {
      reject(portFailure('the port is closed'));
      return;
    }
    let written = false;
    let drained = true;
    const cleanup = (): void => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
    };
    const settle = (): void => {
      if (written && drained) {
        cleanup();
        resolve();
      }
    };
    const onDrain = (): void => {
      drained = true;
      settle();
    };
    const onClose = (): void => {
      cleanup();
      reject(portFailure('the port closed during a write'));
    };
    stream.on('close', onClose);
    const accepted = stream.write(chunk, (error) => {
      if (error) {
        cleanup();
        reject(portFailure(`write failed: ${error.message}`));
        return;
      }
      written = true;
      settle();
    });
    if (!accepted) {
      drained = false;
      stream.on('drain', onDrain);
    }
  });
}

function portFailure(message: string): WardkeepFailure {
  return new WardkeepFailure('provision.port', message);
}
