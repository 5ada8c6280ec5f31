import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Frame } from './frame';
import { buildFrame, createFrameDecoder, encodeFrame } from './frame';
import type { LinkEvent } from './link';
import { createConsoleLink } from './link';
import type { Message, RequestMessage } from './messages';
import { encodeMessage, messageTypes } from './messages';
import type { ResponderEvent } from './responder';
import { createResponder, errorAnswer } from './responder';
import { manualScheduler } from './scheduler';
import { cobsEncode } from './cobs';
import type { WardkeepFailure } from '../lib/errors';

/** Two in-memory streams wired back to back: what one writes, the other reads. */
function streamPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (index: number): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        ends[1 - index]!.push(chunk);
        callback();
      },
      final(callback) {
        ends[1 - index]!.push(null);
        callback();
      },
    });
  ends.push(make(0), make(1));
  return [ends[0]!, ends[1]!];
}

/** Collects events and resolves waiters when one matching arrives (or has arrived). */
function eventLog<E>() {
  const events: E[] = [];
  const waiters: { test: (event: E) => boolean; resolve: (event: E) => void }[] = [];
  return {
    events,
    push(event: E) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.test(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
    waitFor(test: (event: E) => boolean, seen = 0): Promise<E> {
      const already = events.filter(test)[seen];
      if (already) return Promise.resolve(already);
      let count = events.filter(test).length;
      return new Promise<E>((resolve) =>
        waiters.push({
          test: (event) => test(event) && count++ >= seen,
          resolve,
        }),
      );
    },
  };
}

/** The device end, by hand: records each frame the link writes, answers when told. */
function handDevice(stream: Duplex) {
  const decoder = createFrameDecoder();
  const received = eventLog<Frame>();
  stream.on('data', (chunk: Buffer) => {
    for (const item of decoder.push(chunk)) if (item.kind === 'frame') received.push(item.frame);
  });
  return {
    received,
    answer(requestId: number, message: Message, version = 1) {
      const encoded = encodeMessage(message);
      stream.write(
        encodeFrame({ version, type: encoded.type, requestId, payload: encoded.payload }),
      );
    },
  };
}

const identify: RequestMessage = { kind: 'identify' };
const identity: Message<'identity'> = {
  kind: 'identity',
  manufacturer: 'Acme Medical',
  model: 'Infusa 3',
  serialNumber: 'SN-0042',
  idevidCertificates: [Uint8Array.of(0x30, 0x82)],
};
const sessionId = new Uint8Array(16).fill(3);

function setUp(options: { retries?: number } = {}) {
  const [consoleEnd, deviceEnd] = streamPair();
  const scheduler = manualScheduler();
  const events = eventLog<LinkEvent>();
  const link = createConsoleLink(consoleEnd, {
    scheduler,
    firstRequestId: 100,
    stepTimeoutsMs: { identify: 1000 },
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { consoleEnd, deviceEnd, scheduler, events, link, device: handDevice(deviceEnd) };
}

const sent = (attempt: number) => (event: LinkEvent) =>
  event.kind === 'sent' && event.attempt === attempt;

async function failureOf(promise: Promise<unknown>): Promise<WardkeepFailure> {
  try {
    await promise;
  } catch (error) {
    return error as WardkeepFailure;
  }
  throw new Error('expected the request to fail');
}

describe('createConsoleLink', () => {
  it('resolves a request with the answer carrying its request id, ids counting up', async () => {
    const { link, device } = setUp();
    const first = link.request(identify);
    const request = await device.received.waitFor(() => true);
    expect(request).toMatchObject({ version: 1, type: messageTypes.identify, requestId: 100 });
    device.answer(100, identity);
    await expect(first).resolves.toEqual(identity);
    const second = link.request(identify);
    const next = await device.received.waitFor(() => true, 1);
    expect(next.requestId).toBe(101);
    device.answer(101, identity);
    await second;
    expect(link.stats).toMatchObject({ requests: 2, retransmissions: 0 });
  });

  it('retransmits the same bytes under the same request id when no answer comes in time', async () => {
    const { link, device, scheduler, events } = setUp();
    const pending = link.request(identify);
    const first = await events.waitFor(sent(1));
    const timeoutMs = first.kind === 'sent' ? first.timeoutMs : 0;
    expect(timeoutMs).toBeGreaterThanOrEqual(1000);
    scheduler.advance(timeoutMs - 1);
    expect(device.received.events).toHaveLength(1);
    scheduler.advance(1);
    await events.waitFor(sent(2));
    const [original, retransmitted] = device.received.events;
    expect(retransmitted).toEqual(original);
    device.answer(100, identity);
    await expect(pending).resolves.toMatchObject({ kind: 'identity', serialNumber: 'SN-0042' });
    expect(link.stats.retransmissions).toBe(1);
  });

  it('gives up with provision.timeout naming the step and request id after the last retry', async () => {
    const { link, scheduler, events, device } = setUp({ retries: 2 });
    const pending = link.request(identify);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const event = await events.waitFor(sent(attempt));
      scheduler.advance(event.kind === 'sent' ? event.timeoutMs : 0);
    }
    const failure = await failureOf(pending);
    expect(failure.code).toBe('provision.timeout');
    expect(failure.details).toEqual({ step: 'identify', requestId: 100, attempts: 3 });
    expect(failure.message).toMatch(/no answer to identify \(request id 100\) after 3 attempts/);
    expect(device.received.events.map((frame) => frame.requestId)).toEqual([100, 100, 100]);
  });

  it('ignores answers to other request ids, duplicates and late answers', async () => {
    const { link, device, events } = setUp();
    const first = link.request(identify);
    await device.received.waitFor(() => true);
    device.answer(99, identity);
    device.answer(100, identity);
    device.answer(100, identity);
    await first;
    const second = link.request(identify);
    await device.received.waitFor(() => true, 1);
    device.answer(100, { ...identity, serialNumber: 'LATE' });
    device.answer(101, { ...identity, serialNumber: 'RIGHT' });
    await expect(second).resolves.toMatchObject({ serialNumber: 'RIGHT' });
    await events.waitFor((event) => event.kind === 'frameIgnored', 2);
    const ignored = events.events.filter((event) => event.kind === 'frameIgnored');
    expect(ignored.map((event) => event.kind === 'frameIgnored' && event.requestId)).toEqual([
      99, 100, 100,
    ]);
  });

  it('ignores its own request echoed back by the line', async () => {
    const { link, device, deviceEnd } = setUp();
    const pending = link.request(identify);
    const request = await device.received.waitFor(() => true);
    deviceEnd.write(encodeFrame(request));
    device.answer(100, identity);
    await expect(pending).resolves.toMatchObject({ kind: 'identity' });
    expect(link.stats.framesIgnored).toBe(1);
  });

  it('reports a corrupted answer and takes the answer to the retransmission', async () => {
    const { link, device, deviceEnd, scheduler, events } = setUp();
    const pending = link.request(identify);
    const sentEvent = await events.waitFor(sent(1));
    const encoded = encodeMessage(identity);
    const raw = buildFrame({
      version: 1,
      type: encoded.type,
      requestId: 100,
      payload: encoded.payload,
    });
    raw[raw.length - 1]! ^= 0x01;
    deviceEnd.write(Uint8Array.from([0, ...cobsEncode(raw), 0]));
    await events.waitFor((event) => event.kind === 'frameRejected');
    scheduler.advance(sentEvent.kind === 'sent' ? sentEvent.timeoutMs : 0);
    await events.waitFor(sent(2));
    device.answer(100, identity);
    await expect(pending).resolves.toMatchObject({ kind: 'identity' });
    expect(link.stats).toMatchObject({ framesRejected: 1, retransmissions: 1 });
  });

  it('turns the device’s ERROR into provision.refused with its code', async () => {
    const { link, device } = setUp();
    const pending = link.request({
      kind: 'csrRequest',
      nonce: new Uint8Array(32),
      keyAlgorithm: 'rsa-2048',
    });
    await device.received.waitFor(() => true);
    device.answer(100, errorAnswer(messageTypes.csrRequest, 'unsupported_algorithm', 'P-256 only'));
    const failure = await failureOf(pending);
    expect(failure.code).toBe('provision.refused');
    expect(failure.details).toEqual({
      step: 'csrRequest',
      requestId: 100,
      deviceCode: 'unsupported_algorithm',
      detail: 'P-256 only',
    });
  });

  it('fails with provision.protocol on an answer of the wrong kind or a malformed one', async () => {
    const { link, device, deviceEnd } = setUp();
    const wrong = link.request(identify);
    await device.received.waitFor(() => true);
    device.answer(100, { kind: 'aborted' });
    const wrongKind = await failureOf(wrong);
    expect(wrongKind.code).toBe('provision.protocol');
    expect(wrongKind.message).toMatch(
      /identify \(request id 100\): answered with aborted, expected identity/,
    );

    const malformed = link.request(identify);
    await device.received.waitFor(() => true, 1);
    deviceEnd.write(
      encodeFrame({
        version: 1,
        type: messageTypes.identity,
        requestId: 101,
        payload: Uint8Array.of(1, 0),
      }),
    );
    const failure = await failureOf(malformed);
    expect(failure.code).toBe('provision.protocol');
    expect(failure.details).toMatchObject({
      step: 'identify',
      requestId: 101,
      decode: { problem: 'malformed', messageType: messageTypes.identity, byteOffset: 0 },
    });
  });

  it('fails at once with provision.protocol when the answer comes in another version', async () => {
    const { link, device } = setUp();
    const pending = link.request(identify);
    await device.received.waitFor(() => true);
    device.answer(100, identity, 2);
    const failure = await failureOf(pending);
    expect(failure.code).toBe('provision.protocol');
    expect(failure.details).toMatchObject({ reason: 'version', requestId: 100 });
  });

  it('fails the pending request with provision.port when the stream closes, and every later one', async () => {
    const { link, device, consoleEnd } = setUp();
    const pending = link.request(identify);
    await device.received.waitFor(() => true);
    consoleEnd.destroy();
    const failure = await failureOf(pending);
    expect(failure.code).toBe('provision.port');
    expect(failure.details).toMatchObject({ step: 'identify', requestId: 100, attempts: 1 });
    expect(link.isClosed).toBe(true);
    const later = await failureOf(link.request(identify));
    expect(later.code).toBe('provision.port');
  });

  it('times out even when the port stops taking bytes without closing', async () => {
    const scheduler = manualScheduler();
    const stuck = new Duplex({ read() {}, write() {} });
    const link = createConsoleLink(stuck, { scheduler, retries: 1 });
    const pending = link.request(identify, { timeoutMs: 50 });
    await new Promise((resolve) => setImmediate(resolve));
    scheduler.runAll();
    const failure = await failureOf(pending);
    expect(failure.code).toBe('provision.timeout');
    expect(failure.details).toMatchObject({ step: 'identify', attempts: 2 });
  });

  it('refuses to send an answer as if it were a request', async () => {
    const { link, device } = setUp();
    const failure = await failureOf(link.request({ kind: 'aborted' } as unknown as RequestMessage));
    expect(failure.code).toBe('input.invalid');
    expect(device.received.events).toHaveLength(0);
  });

  it('runs requests one at a time, in the order they were made', async () => {
    const { link, device } = setUp();
    const first = link.request(identify);
    const second = link.request({ kind: 'abort', code: 'operator_cancelled' });
    await device.received.waitFor(() => true);
    expect(device.received.events).toHaveLength(1);
    device.answer(100, identity);
    await first;
    const next = await device.received.waitFor(() => true, 1);
    expect(next).toMatchObject({ requestId: 101, type: messageTypes.abort });
    device.answer(101, { kind: 'aborted' });
    await expect(second).resolves.toEqual({ kind: 'aborted' });
  });

  it('sends HELLO as version 1 and keeps requests within the payload limit the device declared', async () => {
    const { link, device } = setUp();
    link.useNegotiated({ version: 1, peerMaxPayload: 4096 });
    const hello = link.request({ kind: 'hello', minVersion: 1, maxVersion: 1, sessionId });
    expect((await device.received.waitFor(() => true)).version).toBe(1);
    device.answer(100, { kind: 'helloReply', version: 1, maxPayload: 4096, state: 'factory' });
    await hello;
    const big = link.request({
      kind: 'issue',
      certificates: [new Uint8Array(4000)],
      trustAnchors: [new Uint8Array(200)],
      zone: 'icu',
      vlan: 20,
    });
    const failure = await failureOf(big);
    expect(failure.code).toBe('input.invalid');
    expect(failure.message).toMatch(/over 4096/);
    expect(device.received.events).toHaveLength(1);
  });
});

describe('createResponder', () => {
  function setUpResponder(
    handler: Parameters<typeof createResponder>[1]['handler'],
    maxPayload?: number,
  ) {
    const [consoleEnd, deviceEnd] = streamPair();
    const events = eventLog<ResponderEvent>();
    let calls = 0;
    const responder = createResponder(deviceEnd, {
      handler: (request, context) => {
        calls++;
        return handler(request, context);
      },
      ...(maxPayload === undefined ? {} : { maxPayload }),
      onEvent: (event) => events.push(event),
    });
    const answers = eventLog<Frame>();
    const raw = eventLog<Buffer>();
    const decoder = createFrameDecoder();
    consoleEnd.on('data', (chunk: Buffer) => {
      raw.push(chunk);
      for (const item of decoder.push(chunk)) if (item.kind === 'frame') answers.push(item.frame);
    });
    const send = (requestId: number, message: Message, version = 1): Uint8Array => {
      const encoded = encodeMessage(message);
      const bytes = encodeFrame({
        version,
        type: encoded.type,
        requestId,
        payload: encoded.payload,
      });
      consoleEnd.write(bytes);
      return bytes;
    };
    return { consoleEnd, responder, events, answers, send, calls: () => calls };
  }

  const answerIdentity = () => identity;
  const answered = (event: ResponderEvent) => event.kind === 'answered';

  it('answers a repeated request id with the same bytes and runs the handler once', async () => {
    const { send, answers, calls, events } = setUpResponder(answerIdentity);
    send(7, identify);
    const first = await answers.waitFor(() => true);
    send(7, identify);
    const second = await answers.waitFor(() => true, 1);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ requestId: 7, type: messageTypes.identity });
    expect(calls()).toBe(1);
    await events.waitFor(answered, 1);
    expect(
      events.events.filter(answered).map((event) => event.kind === 'answered' && event.fromCache),
    ).toEqual([false, true]);
  });

  it('treats the same request id with different bytes as a new request', async () => {
    const { send, answers, calls } = setUpResponder((request) =>
      request.kind === 'abort' ? { kind: 'aborted' } : identity,
    );
    send(7, identify);
    await answers.waitFor(() => true);
    send(7, { kind: 'abort', code: 'operator_cancelled' });
    expect((await answers.waitFor(() => true, 1)).type).toBe(messageTypes.aborted);
    expect(calls()).toBe(2);
  });

  it('ignores a duplicate that arrives while its request is still being handled', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { send, answers, calls, events } = setUpResponder(async () => {
      await gate;
      return identity;
    });
    send(9, identify);
    send(9, identify);
    await events.waitFor((event) => event.kind === 'frameIgnored');
    release();
    await answers.waitFor(() => true);
    expect(calls()).toBe(1);
  });

  it('answers ERROR for an unknown type, a malformed payload and an oversized one', async () => {
    const { consoleEnd, send, answers } = setUpResponder(answerIdentity, 4096);
    consoleEnd.write(
      encodeFrame({ version: 1, type: 0x40, requestId: 1, payload: new Uint8Array(0) }),
    );
    consoleEnd.write(
      encodeFrame({
        version: 1,
        type: messageTypes.attest,
        requestId: 2,
        payload: Uint8Array.of(9, 0, 0),
      }),
    );
    send(3, {
      kind: 'issue',
      certificates: [new Uint8Array(5000)],
      trustAnchors: [Uint8Array.of(1)],
      zone: 'z',
      vlan: 2,
    });
    const decoded = [];
    for (let index = 0; index < 3; index++) {
      const frame = await answers.waitFor(() => true, index);
      const { decodeMessage } = await import('./messages');
      decoded.push({
        requestId: frame.requestId,
        message: decodeMessage(frame.type, frame.payload),
      });
    }
    expect(decoded).toMatchObject([
      { requestId: 1, message: { kind: 'error', code: 'unknown_type', requestType: 0x40 } },
      {
        requestId: 2,
        message: {
          kind: 'error',
          code: 'malformed',
          requestType: messageTypes.attest,
          detail: expect.stringMatching(/unknown tag 9/) as string,
        },
      },
      {
        requestId: 3,
        message: { kind: 'error', code: 'too_large', requestType: messageTypes.issue },
      },
    ]);
  });

  it('answers ERROR internal when the handler throws or answers with the wrong kind', async () => {
    let mode = 'throw';
    const { send, answers } = setUpResponder(() => {
      if (mode === 'throw') throw new Error('secure element unavailable');
      return { kind: 'aborted' };
    });
    const { decodeMessage } = await import('./messages');
    send(1, identify);
    const thrown = await answers.waitFor(() => true);
    expect(decodeMessage(thrown.type, thrown.payload)).toMatchObject({
      kind: 'error',
      code: 'internal',
      detail: 'secure element unavailable',
    });
    mode = 'wrong';
    send(2, identify);
    const wrong = await answers.waitFor(() => true, 1);
    expect(decodeMessage(wrong.type, wrong.payload)).toMatchObject({
      code: 'internal',
      detail: expect.stringMatching(/answered identify with aborted/) as string,
    });
  });

  it('answers a request of another version with version_unsupported in version 1', async () => {
    const { send, answers, calls } = setUpResponder(answerIdentity);
    send(5, identify, 3);
    const frame = await answers.waitFor(() => true);
    const { decodeMessage } = await import('./messages');
    expect(frame.version).toBe(1);
    expect(decodeMessage(frame.type, frame.payload)).toEqual({
      kind: 'error',
      code: 'version_unsupported',
      requestType: messageTypes.identify,
      detail: 'protocol version 3 is not spoken here',
      minVersion: 1,
      maxVersion: 1,
    });
    expect(calls()).toBe(0);
  });

  it('forgets cached answers when a new session starts with HELLO', async () => {
    const { send, answers, calls } = setUpResponder((request) =>
      request.kind === 'hello'
        ? { kind: 'helloReply', version: 1, maxPayload: 4096, state: 'factory' }
        : identity,
    );
    send(1, identify);
    await answers.waitFor(() => true);
    send(2, { kind: 'hello', minVersion: 1, maxVersion: 1, sessionId });
    await answers.waitFor(() => true, 1);
    send(1, identify);
    await answers.waitFor(() => true, 2);
    expect(calls()).toBe(3);
  });

  it('answers an intact frame whose header length is wrong with ERROR malformed', async () => {
    const { consoleEnd, answers, calls } = setUpResponder(answerIdentity);
    const raw = buildFrame({
      version: 1,
      type: messageTypes.identify,
      requestId: 11,
      payload: new Uint8Array(0),
    });
    raw[7] = 4;
    const { crc32 } = await import('./crc32');
    Buffer.from(raw.buffer).writeUInt32BE(crc32(raw.subarray(0, 8)), 8);
    consoleEnd.write(Uint8Array.from([0, ...cobsEncode(raw), 0]));
    const frame = await answers.waitFor(() => true);
    const { decodeMessage } = await import('./messages');
    expect(frame.requestId).toBe(11);
    expect(decodeMessage(frame.type, frame.payload)).toMatchObject({
      kind: 'error',
      code: 'malformed',
      requestType: messageTypes.identify,
    });
    expect(calls()).toBe(0);
  });

  it('ignores answers sent to it', async () => {
    const { send, events, calls } = setUpResponder(answerIdentity);
    send(1, identity);
    const event = await events.waitFor((item) => item.kind === 'frameIgnored');
    expect(event).toMatchObject({ requestId: 1, reason: 'an answer, not a request' });
    expect(calls()).toBe(0);
  });
});

describe('link and responder together', () => {
  it('complete an exchange and recover a dropped answer by retransmission without a second handling', async () => {
    const [consoleEnd, deviceEnd] = streamPair();
    const scheduler = manualScheduler();
    const linkEvents = eventLog<LinkEvent>();
    const link = createConsoleLink(consoleEnd, {
      scheduler,
      onEvent: (event) => linkEvents.push(event),
    });
    let calls = 0;
    let dropNext = true;
    // The device's first answer is lost on the way: its writes pass through a gate.
    const gate = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        if (dropNext) dropNext = false;
        else deviceEnd.write(chunk);
        callback();
      },
    });
    deviceEnd.on('data', (chunk: Buffer) => gate.push(chunk));
    const responderEvents = eventLog<ResponderEvent>();
    createResponder(gate, {
      handler: () => {
        calls++;
        return identity;
      },
      onEvent: (event) => responderEvents.push(event),
    });
    const pending = link.request(identify);
    const first = await linkEvents.waitFor(sent(1));
    await responderEvents.waitFor((event) => event.kind === 'answered');
    scheduler.advance(first.kind === 'sent' ? first.timeoutMs : 0);
    await expect(pending).resolves.toMatchObject({ kind: 'identity' });
    expect(calls).toBe(1);
    expect(
      responderEvents.events.filter((event) => event.kind === 'answered' && event.fromCache),
    ).toHaveLength(1);
  });
});
