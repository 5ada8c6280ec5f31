// A damaged serial line for the simulator: sits between a device's port and its responder and,
// frame by frame, passes, drops or corrupts what crosses it, and can put noise on the line before
// each answer. Every fault is reported, so a test moves the console's clock on a fault rather
// than on a guess about time.
import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import { cobsEncode } from '../../src-main/provisioning/cobs';
import type { Frame } from '../../src-main/provisioning/frame';
import { buildFrame, createFrameDecoder, encodeFrame } from '../../src-main/provisioning/frame';
import type { RequestKind } from '../../src-main/provisioning/messages';
import { isRequestKind, messageKindOf } from '../../src-main/provisioning/messages';
import type { ByteStream } from '../../src-main/provisioning/stream';
import { writeChunked } from '../../src-main/provisioning/stream';

export type LineDirection = 'toDevice' | 'toConsole';
export type FrameFate = 'pass' | 'drop' | 'corrupt';

export interface LineFaultPlan {
  /** The fate of each frame; `index` counts the frames of that direction from 0. */
  decide?(direction: LineDirection, frame: Frame, index: number): FrameFate;
  /** Bytes of noise (never 0x00) put on the line before each answer. */
  noiseBeforeAnswers?: number;
}

export interface LineFault {
  direction: LineDirection;
  fate: 'drop' | 'corrupt';
  /** The request the frame is or answers (undefined for an ERROR to an unknown type). */
  request: RequestKind | undefined;
  requestId: number;
}

/** The request kind a frame is (to the device) or answers (to the console). */
export function requestOf(direction: LineDirection, frame: Frame): RequestKind | undefined {
  const kind = messageKindOf(direction === 'toDevice' ? frame.type : frame.type & 0x7f);
  return kind !== undefined && isRequestKind(kind) ? kind : undefined;
}

/**
 * A plan that damages the first frame of each listed kind once: `drop` of a request loses it on
 * the way to the device, `drop`/`corrupt` of an answer on the way back.
 */
export function firstFramesPlan(
  faults: readonly { direction: LineDirection; request: RequestKind; fate: 'drop' | 'corrupt' }[],
  noiseBeforeAnswers = 0,
): LineFaultPlan {
  const done = new Set<number>();
  return {
    noiseBeforeAnswers,
    decide(direction, frame) {
      const request = requestOf(direction, frame);
      const index = faults.findIndex(
        (fault) => fault.direction === direction && fault.request === request,
      );
      if (index === -1 || done.has(index)) return 'pass';
      // An ERROR answer is not the answer the plan meant to damage.
      if (direction === 'toConsole' && frame.type === 0xff) return 'pass';
      done.add(index);
      return faults[index]!.fate;
    },
  };
}

function corrupted(frame: Frame): Buffer {
  const raw = buildFrame(frame);
  raw[raw.length - 1]! ^= 0x5a;
  return Buffer.concat([Buffer.of(0), Buffer.from(cobsEncode(raw)), Buffer.of(0)]);
}

function noise(length: number): Buffer {
  const bytes = randomBytes(length);
  for (let index = 0; index < bytes.length; index++) if (bytes[index] === 0) bytes[index] = 0x55;
  return bytes;
}

/** The line as the device's responder sees it: `port` on the other side of the damage. */
export function createFaultyLine(
  port: ByteStream,
  plan: LineFaultPlan,
  onFault: (fault: LineFault) => void = () => undefined,
): ByteStream {
  const fromConsole = createFrameDecoder();
  const fromDevice = createFrameDecoder();
  let toDeviceIndex = 0;
  let toConsoleIndex = 0;
  let writes: Promise<unknown> = Promise.resolve();

  const line: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      const out: Buffer[] = [];
      for (const item of fromDevice.push(chunk)) {
        if (item.kind !== 'frame') continue;
        const { frame } = item;
        const fate = plan.decide?.('toConsole', frame, toConsoleIndex++) ?? 'pass';
        if (plan.noiseBeforeAnswers) out.push(noise(plan.noiseBeforeAnswers));
        if (fate !== 'pass') {
          onFault({
            direction: 'toConsole',
            fate,
            request: requestOf('toConsole', frame),
            requestId: frame.requestId,
          });
        }
        if (fate === 'drop') continue;
        out.push(fate === 'corrupt' ? corrupted(frame) : Buffer.from(encodeFrame(frame)));
      }
      if (out.length === 0) {
        callback();
        return;
      }
      const bytes = Buffer.concat(out);
      writes = writes
        .then(() => writeChunked(port, bytes))
        .then(
          () => callback(),
          (error: unknown) => callback(error as Error),
        );
    },
  });

  const onData = (chunk: Buffer): void => {
    for (const item of fromConsole.push(chunk)) {
      if (item.kind !== 'frame') continue;
      const { frame } = item;
      const fate = plan.decide?.('toDevice', frame, toDeviceIndex++) ?? 'pass';
      if (fate !== 'pass') {
        onFault({
          direction: 'toDevice',
          fate,
          request: requestOf('toDevice', frame),
          requestId: frame.requestId,
        });
      }
      if (fate === 'drop') continue;
      line.push(fate === 'corrupt' ? corrupted(frame) : Buffer.from(encodeFrame(frame)));
    }
  };
  const onGone = (): void => {
    port.off('data', onData);
    line.destroy();
  };
  port.on('data', onData);
  port.once('close', onGone);
  port.once('end', onGone);
  port.on('error', onGone);
  return line;
}
