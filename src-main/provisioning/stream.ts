// Writing frames to a byte stream (a serial port, or any Duplex in tests) in chunks of at most
// 4 KiB, each awaited until the stream took it and, when it asked, until it drained: large
// simultaneous writes at both ends of a pseudo-terminal stalled otherwise. A pacer can hold each
// chunk back until a real line of a given speed would have carried it, so a pseudo-terminal (which
// has no baud rate) behaves like a 115200 8N1 cable in the benchmark and the simulator.
import type { Duplex } from 'node:stream';
import { WardkeepFailure } from '../lib/errors';

export type ByteStream = Duplex;

export const defaultChunkSize = 4096;
/** Chunk size while pacing: 64 bytes is 5.6 ms at 115200 baud, fine enough to look continuous. */
export const pacedChunkSize = 64;

/** Keeps the bytes written through it to a line speed. */
export interface LinePacer {
  readonly bytesPerSecond: number;
  /**
   * Resolves when `byteCount` more bytes, queued after everything paced before, would have
   * finished crossing the line: the moment a receiver on a real cable would hold all of them.
   */
  transmit(byteCount: number): Promise<void>;
}

export interface PacerTiming {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

const realTiming: PacerTiming = {
  nowMs: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A pacer for a line of `bytesPerSecond` (11 520 for 115200 8N1). It runs on real time: it
 * imitates a cable, it does not decide timeouts, so it is not behind the link's scheduler.
 */
export function createLinePacer(bytesPerSecond: number, timing = realTiming): LinePacer {
  if (!(bytesPerSecond > 0) || !Number.isFinite(bytesPerSecond)) {
    throw new WardkeepFailure('input.invalid', `bytesPerSecond ${bytesPerSecond} is not positive`);
  }
  let lineFreeAtMs = -Infinity;
  return {
    bytesPerSecond,
    async transmit(byteCount) {
      const startMs = Math.max(timing.nowMs(), lineFreeAtMs);
      lineFreeAtMs = startMs + (byteCount * 1000) / bytesPerSecond;
      const waitMs = lineFreeAtMs - timing.nowMs();
      if (waitMs > 0) await timing.sleep(waitMs);
    },
  };
}

/**
 * Writes `bytes` in chunks of `chunkSize`, resolving once the last chunk was handed to the
 * device; with a pacer, each chunk is handed over only when the line would have carried it.
 * Rejects with provision.port if the stream fails or closes before that.
 */
export async function writeChunked(
  stream: ByteStream,
  bytes: Uint8Array,
  chunkSize = defaultChunkSize,
  pacer?: LinePacer,
): Promise<void> {
  const size = pacer ? Math.min(chunkSize, pacedChunkSize) : chunkSize;
  for (let offset = 0; offset < bytes.length; offset += size) {
    const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + size));
    if (pacer) await pacer.transmit(chunk.length);
    await writeOne(stream, chunk);
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
