// The device's end of the provisioning link: decodes each request, runs the handler once per
// request id, and keeps the encoded answer, so a retransmitted request (same id, same bytes) gets
// byte-identical answer bytes without the handler running again: a retried CSR never makes a
// second key. Requests are handled one at a time, in arrival order. The simulator drives devices
// through it; a vendor's firmware does the same in C.
import type { Frame, FrameRejection } from './frame';
import { createFrameDecoder, encodeFrame, maxPayloadLength, supportedVersions } from './frame';
import type {
  Message,
  MessageDecodeFailure,
  ProtocolErrorCode,
  RequestKind,
  RequestMessage,
  ResponseKind,
  ResponseMessage,
} from './messages';
import {
  answerKinds,
  decodeMessage,
  encodeMessage,
  isRequestKind,
  messageKindOf,
  messageTypes,
  toPrintableText,
} from './messages';
import type { ByteStream } from './stream';
import { createLinePacer, defaultChunkSize, writeChunked } from './stream';
import type { WardkeepFailure } from '../lib/errors';
import { createLogger } from '../lib/logger';

const log = createLogger('provisioning');

export interface RequestContext {
  requestId: number;
  /** The protocol version of the request's frame (the answer goes out in the same one). */
  version: number;
}

/**
 * Answers one request: with its answer kind (`answerKinds[request.kind]`) or with `error`. A
 * throw becomes ERROR `internal`; any answer is cached under the request id either way.
 */
export type RequestHandler = (
  request: RequestMessage,
  context: RequestContext,
) => ResponseMessage | Promise<ResponseMessage>;

export type ResponderEvent =
  | {
      kind: 'answered';
      requestId: number;
      /** The request's kind, or its type byte when the type is unknown. */
      request: RequestKind | number;
      answer: ResponseKind;
      fromCache: boolean;
    }
  | { kind: 'frameRejected'; rejection: FrameRejection }
  | { kind: 'frameIgnored'; requestId: number; type: number; reason: string }
  | { kind: 'closed'; reason: string };

export interface ResponderOptions {
  handler: RequestHandler;
  /** Answers kept for duplicates; stop-and-wait needs one, a few more cost nothing. */
  cacheSize?: number;
  /** The request payload limit the device declares in HELLO_REPLY. */
  maxPayload?: number;
  /** Versions the device speaks; others get ERROR version_unsupported in version 1. */
  versions?: readonly number[];
  chunkSize?: number;
  /** Holds answers to this line speed (bytes per second), for a PTY standing in for a cable. */
  paceBytesPerSecond?: number;
  onEvent?: (event: ResponderEvent) => void;
}

export interface ResponderStats {
  handled: number;
  answeredFromCache: number;
  framesRejected: number;
  framesIgnored: number;
}

export interface Responder {
  /** Stops answering; the stream stays open. */
  close(reason?: string): void;
  readonly isClosed: boolean;
  readonly stats: Readonly<ResponderStats>;
}

interface CachedAnswer {
  type: number;
  payload: Uint8Array;
  answer: Uint8Array;
  answerKind: ResponseKind;
}

/** An ERROR answer to a request of type `requestType`. */
export function errorAnswer(
  requestType: number,
  code: ProtocolErrorCode,
  detail?: string,
): Message<'error'> {
  return {
    kind: 'error',
    code,
    requestType,
    ...(detail === undefined ? {} : { detail: toPrintableText(detail, 256) }),
  };
}

export function createResponder(stream: ByteStream, options: ResponderOptions): Responder {
  const cacheSize = Math.max(1, options.cacheSize ?? 8);
  const requestLimit = Math.min(options.maxPayload ?? maxPayloadLength, maxPayloadLength);
  const versions = options.versions ?? supportedVersions;
  const chunkSize = options.chunkSize ?? defaultChunkSize;
  const emit = options.onEvent ?? (() => undefined);
  const pacer =
    options.paceBytesPerSecond === undefined
      ? undefined
      : createLinePacer(options.paceBytesPerSecond);
  const decoder = createFrameDecoder({ maxPayloadLength, versions });
  const cache = new Map<number, CachedAnswer>();
  const inFlight = new Set<number>();
  const stats: ResponderStats = {
    handled: 0,
    answeredFromCache: 0,
    framesRejected: 0,
    framesIgnored: 0,
  };
  let closedReason: string | undefined;
  let work: Promise<unknown> = Promise.resolve();
  let writes: Promise<unknown> = Promise.resolve();

  function send(bytes: Uint8Array): void {
    writes = writes
      .then(() =>
        closedReason === undefined ? writeChunked(stream, bytes, chunkSize, pacer) : undefined,
      )
      .catch((error: unknown) =>
        closeResponder(`write failed: ${error instanceof Error ? error.message : String(error)}`),
      );
  }

  function remember(requestId: number, entry: CachedAnswer): void {
    cache.delete(requestId);
    cache.set(requestId, entry);
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  }

  function ignore(requestId: number, type: number, reason: string): void {
    stats.framesIgnored++;
    emit({ kind: 'frameIgnored', requestId, type, reason });
  }

  async function answer(frame: Frame): Promise<void> {
    const kind = messageKindOf(frame.type);
    const request: RequestKind | number =
      kind !== undefined && isRequestKind(kind) ? kind : frame.type;
    let response = await respond(frame);
    if (closedReason !== undefined) return;
    stats.handled++;
    let bytes: Uint8Array;
    try {
      bytes = encodeAnswer(frame, response);
    } catch (error) {
      log.warn('handler answer cannot be encoded', { requestId: frame.requestId, request });
      response = errorAnswer(
        frame.type,
        'internal',
        `the answer could not be encoded: ${(error as Error).message}`,
      );
      bytes = encodeAnswer(frame, response);
    }
    // A new session: answers from before it must never be replayed into it.
    if (request === 'hello' && response.kind === 'helloReply') cache.clear();
    remember(frame.requestId, {
      type: frame.type,
      payload: frame.payload,
      answer: bytes,
      answerKind: response.kind,
    });
    // From here a duplicate is answered from the cache, even before this answer is written.
    inFlight.delete(frame.requestId);
    send(bytes);
    emit({
      kind: 'answered',
      requestId: frame.requestId,
      request,
      answer: response.kind,
      fromCache: false,
    });
  }

  async function respond(frame: Frame): Promise<ResponseMessage> {
    if (frame.payload.length > requestLimit) {
      return errorAnswer(
        frame.type,
        'too_large',
        `payload of ${frame.payload.length} bytes is over this device's ${requestLimit}`,
      );
    }
    let message: Message;
    try {
      message = decodeMessage(frame.type, frame.payload);
    } catch (error) {
      const failure = error as WardkeepFailure;
      const details = failure.details as MessageDecodeFailure | undefined;
      return errorAnswer(frame.type, details?.problem ?? 'malformed', failure.message);
    }
    return runHandler(message as RequestMessage, {
      requestId: frame.requestId,
      version: frame.version,
    });
  }

  async function runHandler(
    message: RequestMessage,
    context: RequestContext,
  ): Promise<ResponseMessage> {
    try {
      const response = await options.handler(message, context);
      if (response.kind !== 'error' && response.kind !== answerKinds[message.kind]) {
        return errorAnswer(
          messageTypes[message.kind],
          'internal',
          `the handler answered ${message.kind} with ${response.kind}`,
        );
      }
      return response;
    } catch (error) {
      log.warn('handler failed', { requestId: context.requestId, request: message.kind });
      return errorAnswer(
        messageTypes[message.kind],
        'internal',
        error instanceof Error ? error.message : 'the handler failed',
      );
    }
  }

  function onFrame(frame: Frame): void {
    const kind = messageKindOf(frame.type);
    if (kind !== undefined && !isRequestKind(kind)) {
      ignore(frame.requestId, frame.type, 'an answer, not a request');
      return;
    }
    const cached = cache.get(frame.requestId);
    if (cached && cached.type === frame.type && sameBytes(cached.payload, frame.payload)) {
      stats.answeredFromCache++;
      send(cached.answer);
      emit({
        kind: 'answered',
        requestId: frame.requestId,
        request: kind ?? frame.type,
        answer: cached.answerKind,
        fromCache: true,
      });
      return;
    }
    if (inFlight.has(frame.requestId)) {
      ignore(frame.requestId, frame.type, 'being answered');
      return;
    }
    inFlight.add(frame.requestId);
    work = work
      .then(() => answer(frame))
      .catch((error: unknown) => log.error('responder failed', { error: String(error) }))
      .finally(() => inFlight.delete(frame.requestId));
  }

  function onVersion(rejection: FrameRejection): void {
    const requestId = rejection.requestId!;
    const response = errorAnswer(
      rejection.type!,
      'version_unsupported',
      `protocol version ${rejection.version} is not spoken here`,
    );
    const versionsSpoken = [...versions].sort((a, b) => a - b);
    const encoded = encodeMessage({
      ...response,
      minVersion: versionsSpoken[0]!,
      maxVersion: versionsSpoken[versionsSpoken.length - 1]!,
    });
    // Version 1's header is the one every peer can read.
    send(encodeFrame({ version: 1, type: encoded.type, requestId, payload: encoded.payload }));
    emit({
      kind: 'answered',
      requestId,
      request: rejection.type!,
      answer: 'error',
      fromCache: false,
    });
  }

  /** An intact frame whose header length is wrong: a sender's bug, worth telling it about. */
  function onBadLength(rejection: FrameRejection): void {
    const response = errorAnswer(rejection.type!, 'malformed', rejection.message);
    const encoded = encodeMessage(response);
    send(
      encodeFrame({
        version: rejection.version!,
        type: encoded.type,
        requestId: rejection.requestId!,
        payload: encoded.payload,
      }),
    );
    emit({
      kind: 'answered',
      requestId: rejection.requestId!,
      request: rejection.type!,
      answer: 'error',
      fromCache: false,
    });
  }

  function onData(chunk: Buffer): void {
    for (const item of decoder.push(chunk)) {
      if (item.kind === 'frame') {
        onFrame(item.frame);
        continue;
      }
      stats.framesRejected++;
      emit({ kind: 'frameRejected', rejection: item.rejection });
      if (item.rejection.reason === 'version') onVersion(item.rejection);
      if (item.rejection.reason === 'length') onBadLength(item.rejection);
    }
  }

  function closeResponder(reason: string): void {
    if (closedReason !== undefined) return;
    closedReason = reason;
    stream.off('data', onData);
    stream.off('close', onClose);
    stream.off('end', onEnd);
    emit({ kind: 'closed', reason });
  }

  const onClose = (): void => closeResponder('the port closed');
  const onEnd = (): void => closeResponder('the port reached its end');
  const onError = (error: Error): void => closeResponder(`the port failed: ${error.message}`);
  stream.on('data', onData);
  stream.on('close', onClose);
  stream.on('end', onEnd);
  stream.on('error', onError);

  return {
    close(reason = 'the responder was closed') {
      closeResponder(reason);
    },
    get isClosed() {
      return closedReason !== undefined;
    },
    get stats() {
      return { ...stats };
    },
  };
}

function encodeAnswer(request: Frame, response: ResponseMessage): Uint8Array {
  const encoded = encodeMessage(response);
  return encodeFrame({
    version: request.version,
    type: encoded.type,
    requestId: request.requestId,
    payload: encoded.payload,
  });
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}
