// The console's end of the provisioning link: one request at a time over a byte stream, each
// with a fresh request id, retransmitted byte-for-byte under the same id when no answer comes in
// time, and settled exactly once: by its answer, by the device's ERROR, by a timeout after the
// last attempt, or by the port closing. Frames that answer nothing pending are counted and dropped.
import { randomInt } from 'node:crypto';
import type { FrameRejection } from './frame';
import {
  createFrameDecoder,
  encodeFrame,
  maxPayloadLength,
  maxRequestId,
  protocolVersion,
} from './frame';
import type {
  AnswerKind,
  Message,
  MessageDecodeFailure,
  ProtocolErrorCode,
  RequestKind,
  ResponseKind,
} from './messages';
import {
  answerKinds,
  decodeMessage,
  encodeMessage,
  isRequestKind,
  messageKindOf,
} from './messages';
import type { Scheduler } from './scheduler';
import { realScheduler } from './scheduler';
import type { ByteStream } from './stream';
import type { LinePacer } from './stream';
import { createLinePacer, defaultChunkSize, writeChunked } from './stream';
import { WardkeepFailure } from '../lib/errors';
import { createLogger } from '../lib/logger';

const log = createLogger('provisioning');

/**
 * How long the console waits for each answer, per attempt, before it retransmits: the device's
 * work (a P-256 or RSA key generated on a small controller, a flash write) plus the time its
 * largest answer takes at 115200 baud. The time the request itself takes on the wire is added.
 */
export const stepTimeoutsMs: Readonly<Record<RequestKind, number>> = {
  hello: 1_000,
  identify: 5_000,
  attest: 10_000,
  csrRequest: 60_000,
  issue: 5_000,
  install: 15_000,
  confirm: 10_000,
  abort: 2_000,
};

/** Retransmissions after the first attempt. */
export const defaultRetries = 3;

/** 115200 baud with 10 bits per byte (8N1). */
export const serialBytesPerSecond = 11_520;

export interface RequestOptions {
  /** Per attempt, before the wire-time allowance; defaults to stepTimeoutsMs[kind]. */
  timeoutMs?: number;
  retries?: number;
}

export type LinkEvent =
  /** A request went out (attempt 1) or was retransmitted (attempt > 1); its timer is running. */
  | { kind: 'sent'; step: RequestKind; requestId: number; attempt: number; timeoutMs: number }
  | {
      kind: 'answered';
      step: RequestKind;
      requestId: number;
      attempt: number;
      answer: ResponseKind;
    }
  /** A frame arrived corrupted, truncated or of another version: the retransmission recovers. */
  | { kind: 'frameRejected'; rejection: FrameRejection }
  /** An intact frame that answers nothing pending: a late or duplicate answer, or an echo. */
  | { kind: 'frameIgnored'; requestId: number; type: number; reason: string }
  | { kind: 'closed'; reason: string };

export interface LinkStats {
  requests: number;
  retransmissions: number;
  framesRejected: number;
  framesIgnored: number;
}

/** Details of a provision.refused failure: the device answered with ERROR. */
export interface RefusalDetails {
  step: RequestKind;
  requestId: number;
  deviceCode: ProtocolErrorCode;
  detail?: string;
}

/** Details of provision.timeout, provision.port and provision.protocol failures from the link. */
export interface LinkFailureDetails {
  step: RequestKind;
  requestId: number;
  attempts: number;
  reason?: string;
  decode?: MessageDecodeFailure;
}

export interface ConsoleLinkOptions {
  scheduler?: Scheduler;
  /** The first request id; random (1..2^32-1) by default, so ids differ across sessions. */
  firstRequestId?: number;
  retries?: number;
  stepTimeoutsMs?: Partial<Record<RequestKind, number>>;
  /** Line speed used to allow for the time a request takes on the wire. */
  bytesPerSecond?: number;
  /**
   * Holds writes to `bytesPerSecond`, as a real cable would: for a pseudo-terminal standing in
   * for one (the simulator, the benchmark). A serial port paces itself; leave this off there.
   */
  paceWrites?: boolean;
  chunkSize?: number;
  onEvent?: (event: LinkEvent) => void;
}

export interface ConsoleLink {
  /**
   * Sends `message` and resolves with the device's answer of the matching kind. Rejects with
   * provision.refused (the device's ERROR, RefusalDetails), provision.timeout (no answer after
   * every attempt), provision.protocol (an answer of the wrong kind, a malformed payload, or a
   * frame of another version) or provision.port (the port closed or failed), each naming the
   * step and request id. Calls made while one is pending wait their turn.
   */
  request<K extends RequestKind>(
    message: Message<K>,
    options?: RequestOptions,
  ): Promise<Message<AnswerKind<K>>>;
  /** After HELLO_REPLY: frames carry `version` and requests stay within `peerMaxPayload`. */
  useNegotiated(settings: { version: number; peerMaxPayload: number }): void;
  /** Stops the link: a pending request fails with provision.port. The stream stays open. */
  close(reason?: string): void;
  readonly isClosed: boolean;
  readonly stats: Readonly<LinkStats>;
}

interface Pending {
  step: RequestKind;
  requestId: number;
  attempt: number;
  settled: boolean;
  cancelTimer: () => void;
  resolve(message: Message): void;
  reject(error: WardkeepFailure): void;
}

export function createConsoleLink(
  stream: ByteStream,
  options: ConsoleLinkOptions = {},
): ConsoleLink {
  const scheduler = options.scheduler ?? realScheduler;
  const retries = options.retries ?? defaultRetries;
  const bytesPerSecond = options.bytesPerSecond ?? serialBytesPerSecond;
  const chunkSize = options.chunkSize ?? defaultChunkSize;
  const timeouts = { ...stepTimeoutsMs, ...options.stepTimeoutsMs };
  const emit = options.onEvent ?? (() => undefined);
  const pacer: LinePacer | undefined = options.paceWrites
    ? createLinePacer(bytesPerSecond)
    : undefined;
  const decoder = createFrameDecoder({ maxPayloadLength });
  const stats: LinkStats = { requests: 0, retransmissions: 0, framesRejected: 0, framesIgnored: 0 };
  let nextRequestId = options.firstRequestId ?? randomInt(1, maxRequestId + 1);
  let version = protocolVersion;
  let peerMaxPayload = maxPayloadLength;
  let pending: Pending | undefined;
  let closedReason: string | undefined;
  let turn: Promise<unknown> = Promise.resolve();
  let writes: Promise<unknown> = Promise.resolve();

  function allocateRequestId(): number {
    const id = nextRequestId;
    nextRequestId = id >= maxRequestId ? 1 : id + 1;
    return id;
  }

  function failure(
    code: 'provision.port' | 'provision.timeout' | 'provision.protocol',
    message: string,
    details: LinkFailureDetails,
  ): WardkeepFailure {
    return new WardkeepFailure(code, message, details);
  }

  function describe(step: RequestKind, requestId: number): string {
    return `${step} (request id ${requestId})`;
  }

  function settle(target: Pending, outcome: { message: Message } | { error: WardkeepFailure }) {
    if (target.settled) return;
    target.settled = true;
    target.cancelTimer();
    if (pending === target) pending = undefined;
    if ('message' in outcome) target.resolve(outcome.message);
    else target.reject(outcome.error);
  }

  function protocolFailure(target: Pending, message: string, extra: Partial<LinkFailureDetails>) {
    settle(target, {
      error: failure(
        'provision.protocol',
        `${describe(target.step, target.requestId)}: ${message}`,
        {
          step: target.step,
          requestId: target.requestId,
          attempts: target.attempt,
          ...extra,
        },
      ),
    });
  }

  function ignore(requestId: number, type: number, reason: string): void {
    stats.framesIgnored++;
    emit({ kind: 'frameIgnored', requestId, type, reason });
  }

  function onData(chunk: Buffer): void {
    for (const item of decoder.push(chunk)) {
      if (item.kind === 'rejected') {
        stats.framesRejected++;
        log.debug('frame rejected', {
          reason: item.rejection.reason,
          at: item.rejection.streamOffset,
        });
        emit({ kind: 'frameRejected', rejection: item.rejection });
        const target = pending;
        if (target && item.rejection.requestId === target.requestId) {
          protocolFailure(target, item.rejection.message, { reason: item.rejection.reason });
        }
        continue;
      }
      const { frame } = item;
      const target = pending;
      if (!target || frame.requestId !== target.requestId) {
        ignore(frame.requestId, frame.type, target ? 'another request id' : 'no request pending');
        continue;
      }
      const kind = messageKindOf(frame.type);
      // A line that echoes (a terminal left in echo mode) hands our own request back: not an answer.
      if (kind !== undefined && isRequestKind(kind)) {
        ignore(frame.requestId, frame.type, 'a request, not an answer');
        continue;
      }
      let message: Message;
      try {
        message = decodeMessage(frame.type, frame.payload);
      } catch (error) {
        const cause = error as WardkeepFailure;
        protocolFailure(target, `the answer is malformed: ${cause.message}`, {
          decode: cause.details as MessageDecodeFailure,
        });
        continue;
      }
      const expected = answerKinds[target.step];
      emit({
        kind: 'answered',
        step: target.step,
        requestId: target.requestId,
        attempt: target.attempt,
        answer: message.kind as ResponseKind,
      });
      if (message.kind === 'error') {
        settle(target, {
          error: new WardkeepFailure(
            'provision.refused',
            `the device refused ${describe(target.step, target.requestId)}: ${message.code}${message.detail ? ` (${message.detail})` : ''}`,
            {
              step: target.step,
              requestId: target.requestId,
              deviceCode: message.code,
              ...(message.detail === undefined ? {} : { detail: message.detail }),
            } satisfies RefusalDetails,
          ),
        });
      } else if (message.kind !== expected) {
        protocolFailure(target, `answered with ${message.kind}, expected ${expected}`, {});
      } else {
        settle(target, { message });
      }
    }
  }

  function closeLink(reason: string): void {
    if (closedReason !== undefined) return;
    closedReason = reason;
    stream.off('data', onData);
    stream.off('close', onClose);
    stream.off('end', onEnd);
    decoder.reset();
    emit({ kind: 'closed', reason });
    const target = pending;
    if (target) {
      settle(target, {
        error: failure('provision.port', `${describe(target.step, target.requestId)}: ${reason}`, {
          step: target.step,
          requestId: target.requestId,
          attempts: target.attempt,
          reason,
        }),
      });
    }
  }

  const onClose = (): void => closeLink('the port closed');
  const onEnd = (): void => closeLink('the port reached its end');
  // Kept for the stream's whole life: a stream error with no listener would crash the process.
  const onError = (error: Error): void => closeLink(`the port failed: ${error.message}`);
  stream.on('data', onData);
  stream.on('close', onClose);
  stream.on('end', onEnd);
  stream.on('error', onError);

  function write(bytes: Uint8Array): Promise<void> {
    const done = writes.then(() => writeChunked(stream, bytes, chunkSize, pacer));
    writes = done.catch(() => undefined);
    return done;
  }

  function exchange<K extends RequestKind>(
    message: Message<K>,
    requestOptions: RequestOptions,
  ): Promise<Message<AnswerKind<K>>> {
    const step = message.kind;
    if (!isRequestKind(step)) {
      return Promise.reject(
        new WardkeepFailure('input.invalid', `${String(step)} is not a request the console sends`),
      );
    }
    if (closedReason !== undefined) {
      return Promise.reject(
        failure('provision.port', `${step}: the link is closed (${closedReason})`, {
          step,
          requestId: 0,
          attempts: 0,
          reason: closedReason,
        }),
      );
    }
    const encoded = encodeMessage(message as Message, peerMaxPayload);
    const requestId = allocateRequestId();
    // HELLO always travels as version 1: every device can read it, whatever it speaks.
    const frameVersion = step === 'hello' ? protocolVersion : version;
    const bytes = encodeFrame(
      { version: frameVersion, type: encoded.type, requestId, payload: encoded.payload },
      peerMaxPayload,
    );
    const attemptLimit = 1 + (requestOptions.retries ?? retries);
    const timeoutMs =
      (requestOptions.timeoutMs ?? timeouts[step]) +
      Math.ceil((bytes.length * 1000) / bytesPerSecond);
    stats.requests++;
    return new Promise<Message<AnswerKind<K>>>((resolve, reject) => {
      const target: Pending = {
        step,
        requestId,
        attempt: 0,
        settled: false,
        cancelTimer: () => undefined,
        resolve: resolve as (message: Message) => void,
        reject,
      };
      pending = target;
      // The timer runs from the moment an attempt is queued, so a port that stops taking bytes
      // without closing ends in a timeout rather than a request that never settles; the
      // allowance for the request's own time on the wire is part of timeoutMs.
      const attempt = (): void => {
        target.attempt++;
        const number = target.attempt;
        if (number > 1) stats.retransmissions++;
        target.cancelTimer = scheduler.setTimer(timeoutMs, () => {
          if (target.settled) return;
          if (number < attemptLimit) {
            log.debug('retransmitting', { step, requestId, attempt: number + 1 });
            attempt();
            return;
          }
          settle(target, {
            error: failure(
              'provision.timeout',
              `no answer to ${describe(step, requestId)} after ${number} attempts of ${timeoutMs} ms`,
              { step, requestId, attempts: number },
            ),
          });
        });
        write(bytes).then(
          () => {
            if (!target.settled)
              emit({ kind: 'sent', step, requestId, attempt: number, timeoutMs });
          },
          (error: unknown) => {
            const reason = error instanceof Error ? error.message : String(error);
            closeLink(reason);
            settle(target, {
              error: failure('provision.port', `${describe(step, requestId)}: ${reason}`, {
                step,
                requestId,
                attempts: number,
                reason,
              }),
            });
          },
        );
      };
      attempt();
    });
  }

  return {
    request(message, requestOptions = {}) {
      const result = turn.then(() => exchange(message, requestOptions));
      turn = result.catch(() => undefined);
      return result;
    },
    useNegotiated(settings) {
      if (!Number.isInteger(settings.version) || settings.version < 1 || settings.version > 0xff) {
        throw new WardkeepFailure('input.invalid', `version ${settings.version} is not 1..255`);
      }
      version = settings.version;
      peerMaxPayload = Math.min(settings.peerMaxPayload, maxPayloadLength);
    },
    close(reason = 'the link was closed') {
      closeLink(reason);
    },
    get isClosed() {
      return closedReason !== undefined;
    },
    get stats() {
      return { ...stats };
    },
  };
}
