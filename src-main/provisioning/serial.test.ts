// The link and responder over real pseudo-terminals opened as serial ports (socat per test), with
// a frame-level relay between two PTY pairs where a test needs the line to lose or damage a frame.
import { afterEach, describe, expect, it } from 'vitest';
import type { SerialPort } from 'serialport';
import { cobsEncode } from './cobs';
import type { Frame } from './frame';
import { buildFrame, createFrameDecoder, encodeFrame } from './frame';
import type { LinkEvent } from './link';
import { createConsoleLink } from './link';
import type { Message, RequestMessage, ResponseMessage } from './messages';
import { bundleSha256, encodeMessage, messageTypes } from './messages';
import { listSerialPorts, openSerialPort } from './ports';
import type { RequestHandler, ResponderEvent } from './responder';
import { createResponder } from './responder';
import { manualScheduler } from './scheduler';
import { writeChunked } from './stream';
import type { WardkeepFailure } from '../lib/errors';
import { createPtyHarness } from '../../test/support/pty';

const ptys = createPtyHarness();
afterEach(() => ptys.cleanup());

/** Collects events; waitFor resolves on the `seen`-th (0-based) event that matches. */
function eventLog<E>() {
  const events: E[] = [];
  const waiters: { test: (event: E) => boolean; seen: number; resolve: (event: E) => void }[] = [];
  return {
    events,
    push(event: E) {
      events.push(event);
      for (const waiter of [...waiters]) {
        const matches = events.filter(waiter.test);
        if (matches.length > waiter.seen) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(matches[waiter.seen]!);
        }
      }
    },
    waitFor(test: (event: E) => boolean, seen = 0): Promise<E> {
      const matches = events.filter(test);
      if (matches.length > seen) return Promise.resolve(matches[seen]!);
      return new Promise<E>((resolve) => waiters.push({ test, seen, resolve }));
    },
  };
}

const sessionId = new Uint8Array(16).fill(0x5a);
const certificate = (size: number, fill: number): Uint8Array =>
  new Uint8Array(size).map((_, index) => (index * 31 + fill) & 0xff);
const identity: Message<'identity'> = {
  kind: 'identity',
  manufacturer: 'Acme Medical',
  model: 'Infusa 3',
  serialNumber: 'SN-0042',
  idevidCertificates: [certificate(900, 1)],
};

/** A device that answers every step of the protocol with fixed, valid answers. */
function fixedDevice(overrides: Partial<Record<RequestMessage['kind'], ResponseMessage>> = {}) {
  let calls = 0;
  const handler: RequestHandler = (request) => {
    calls++;
    const override = overrides[request.kind];
    if (override) return override;
    switch (request.kind) {
      case 'hello':
        return { kind: 'helloReply', version: 1, maxPayload: 32_768, state: 'factory' };
      case 'identify':
        return identity;
      case 'issue':
        return {
          kind: 'issueAccepted',
          bundleSha256: bundleSha256(encodeMessage(request).payload),
        };
      case 'abort':
        return { kind: 'aborted' };
      default:
        return {
          kind: 'error',
          code: 'unexpected_message',
          requestType: messageTypes[request.kind],
        };
    }
  };
  return { handler, calls: () => calls };
}

/** One PTY pair with the link on end a and a responder on end b. */
async function directLine(device = fixedDevice(), scheduler = manualScheduler()) {
  const pair = await ptys.pair();
  const consolePort = await ptys.open(pair.a);
  const devicePort = await ptys.open(pair.b);
  const linkEvents = eventLog<LinkEvent>();
  const responderEvents = eventLog<ResponderEvent>();
  const link = createConsoleLink(consolePort, {
    scheduler,
    onEvent: (event) => linkEvents.push(event),
  });
  const responder = createResponder(devicePort, {
    handler: device.handler,
    onEvent: (event) => responderEvents.push(event),
  });
  return { pair, consolePort, devicePort, link, responder, linkEvents, responderEvents, scheduler };
}

type RelayAction = 'pass' | 'drop' | 'corrupt';

/**
 * Passes frames from one port to another, one decoded frame at a time, dropping or damaging
 * those `decide` says. Each decision is logged, so a test waits on it rather than on time.
 */
function relay(
  from: SerialPort,
  to: SerialPort,
  decide: (frame: Frame, index: number) => RelayAction,
) {
  const decoder = createFrameDecoder();
  const log = eventLog<{ index: number; action: RelayAction; frame: Frame }>();
  let index = 0;
  from.on('data', (chunk: Buffer) => {
    for (const item of decoder.push(chunk)) {
      if (item.kind !== 'frame') continue;
      const action = decide(item.frame, index);
      let bytes = encodeFrame(item.frame);
      if (action === 'corrupt') {
        const raw = buildFrame(item.frame);
        raw[raw.length - 1]! ^= 0x04;
        bytes = Uint8Array.from([0, ...cobsEncode(raw), 0]);
      }
      if (action !== 'drop') void writeChunked(to, bytes).catch(() => undefined);
      log.push({ index: index++, action, frame: item.frame });
    }
  });
  return log;
}

/** Link on PTY pair 1, responder on PTY pair 2, the test's relay in between. */
async function relayedLine(
  toDevice: (frame: Frame, index: number) => RelayAction,
  toConsole: (frame: Frame, index: number) => RelayAction,
) {
  const consoleSide = await ptys.pair();
  const deviceSide = await ptys.pair();
  const consolePort = await ptys.open(consoleSide.a);
  const relayConsole = await ptys.open(consoleSide.b);
  const relayDevice = await ptys.open(deviceSide.a);
  const devicePort = await ptys.open(deviceSide.b);
  const scheduler = manualScheduler();
  const linkEvents = eventLog<LinkEvent>();
  const responderEvents = eventLog<ResponderEvent>();
  const device = fixedDevice();
  const link = createConsoleLink(consolePort, {
    scheduler,
    onEvent: (event) => linkEvents.push(event),
  });
  createResponder(devicePort, {
    handler: device.handler,
    onEvent: (event) => responderEvents.push(event),
  });
  const requests = relay(relayConsole, relayDevice, toDevice);
  const answers = relay(relayDevice, relayConsole, toConsole);
  return { link, scheduler, linkEvents, responderEvents, requests, answers, device };
}

const pass = (): RelayAction => 'pass';
const firstOnly =
  (action: RelayAction) =>
  (_frame: Frame, index: number): RelayAction =>
    index === 0 ? action : 'pass';
const sentAttempt = (attempt: number) => (event: LinkEvent) =>
  event.kind === 'sent' && event.attempt === attempt;
const timeoutOf = (event: LinkEvent): number => (event.kind === 'sent' ? event.timeoutMs : 0);

async function failureOf(promise: Promise<unknown>): Promise<WardkeepFailure> {
  try {
    await promise;
  } catch (error) {
    return error as WardkeepFailure;
  }
  throw new Error('expected the request to fail');
}

describe('provisioning link over serial ports on PTYs', () => {
  it('exchanges requests and answers between link and responder', async () => {
    const { link } = await directLine();
    const reply = await link.request({ kind: 'hello', minVersion: 1, maxVersion: 1, sessionId });
    expect(reply).toEqual({ kind: 'helloReply', version: 1, maxPayload: 32_768, state: 'factory' });
    link.useNegotiated({ version: reply.version, peerMaxPayload: reply.maxPayload });
    await expect(link.request({ kind: 'identify' })).resolves.toEqual(identity);
    const refused = await failureOf(link.request({ kind: 'confirm', nonce: new Uint8Array(32) }));
    expect(refused.code).toBe('provision.refused');
    expect(refused.details).toMatchObject({ step: 'confirm', deviceCode: 'unexpected_message' });
  });

  it('retransmits a request the line lost, and the device handles it once', async () => {
    const line = await relayedLine(firstOnly('drop'), pass);
    const pending = line.link.request({ kind: 'identify' });
    const first = await line.linkEvents.waitFor(sentAttempt(1));
    await line.requests.waitFor((entry) => entry.action === 'drop');
    line.scheduler.advance(timeoutOf(first));
    await expect(pending).resolves.toEqual(identity);
    expect(line.requests.events.map((entry) => [entry.action, entry.frame.requestId])).toEqual([
      ['drop', first.kind === 'sent' ? first.requestId : -1],
      ['pass', first.kind === 'sent' ? first.requestId : -1],
    ]);
    expect(line.device.calls()).toBe(1);
  });

  it('retransmits when the answer was lost, and gets the cached answer', async () => {
    const line = await relayedLine(pass, firstOnly('drop'));
    const pending = line.link.request({ kind: 'identify' });
    const first = await line.linkEvents.waitFor(sentAttempt(1));
    await line.answers.waitFor((entry) => entry.action === 'drop');
    line.scheduler.advance(timeoutOf(first));
    await expect(pending).resolves.toEqual(identity);
    expect(line.device.calls()).toBe(1);
    const answered = line.responderEvents.events.filter((event) => event.kind === 'answered');
    expect(answered.map((event) => event.kind === 'answered' && event.fromCache)).toEqual([
      false,
      true,
    ]);
  });

  it('rejects a corrupted answer and recovers it by retransmission', async () => {
    const line = await relayedLine(pass, firstOnly('corrupt'));
    const pending = line.link.request({ kind: 'identify' });
    const first = await line.linkEvents.waitFor(sentAttempt(1));
    const rejected = await line.linkEvents.waitFor((event) => event.kind === 'frameRejected');
    expect(rejected).toMatchObject({ rejection: { reason: 'crc' } });
    line.scheduler.advance(timeoutOf(first));
    await expect(pending).resolves.toEqual(identity);
    expect(line.device.calls()).toBe(1);
  });

  it('fails the pending request with provision.port when the cable is pulled', async () => {
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const device = fixedDevice();
    const { link, pair, linkEvents } = await directLine({
      handler: async (request, context) => {
        if (request.kind === 'csrRequest') await stalled;
        return device.handler(request, context);
      },
      calls: device.calls,
    });
    const pending = link.request({
      kind: 'csrRequest',
      nonce: new Uint8Array(32),
      keyAlgorithm: 'ec-p256',
    });
    await linkEvents.waitFor(sentAttempt(1));
    await pair.pullCable();
    const failure = await failureOf(pending);
    release();
    expect(failure.code).toBe('provision.port');
    expect(failure.details).toMatchObject({ step: 'csrRequest', attempts: 1 });
    expect(failure.message).toMatch(/csrRequest \(request id \d+\): the port closed/);
    // Not awaited: the device's end of a dead PTY. Whether it sees the close depends on which
    // side read last, and a write to it can stall; only the console's side is deterministic.
  });

  it('times out with provision.timeout when nothing answers', async () => {
    const pair = await ptys.pair();
    const consolePort = await ptys.open(pair.a);
    await ptys.open(pair.b);
    // Real timers, short: the other end never answers, so no answer can race them.
    const link = createConsoleLink(consolePort, { retries: 2 });
    const failure = await failureOf(link.request({ kind: 'identify' }, { timeoutMs: 20 }));
    expect(failure.code).toBe('provision.timeout');
    expect(failure.details).toMatchObject({ step: 'identify', attempts: 3 });
    expect(link.stats.retransmissions).toBe(2);
  });

  it('answers a duplicate request id with the cached answer, byte for byte', async () => {
    const pair = await ptys.pair();
    const consolePort = await ptys.open(pair.a);
    const devicePort = await ptys.open(pair.b);
    const device = fixedDevice();
    createResponder(devicePort, { handler: device.handler });
    const received = eventLog<Buffer>();
    const decoder = createFrameDecoder();
    consolePort.on('data', (chunk: Buffer) => {
      for (const item of decoder.push(chunk)) {
        if (item.kind === 'frame') received.push(Buffer.from(encodeFrame(item.frame)));
      }
    });
    const encoded = encodeMessage({ kind: 'identify' });
    const request = encodeFrame({
      version: 1,
      type: encoded.type,
      requestId: 4242,
      payload: encoded.payload,
    });
    await writeChunked(consolePort, request);
    const first = await received.waitFor(() => true);
    await writeChunked(consolePort, request);
    const second = await received.waitFor(() => true, 1);
    expect(second).toEqual(first);
    expect(device.calls()).toBe(1);
  });

  it('carries a 16 KiB certificate chain each way intact', async () => {
    const chain = [1, 2, 3, 4].map((fill) => certificate(4096, fill));
    const bigIdentity: Message<'identity'> = { ...identity, idevidCertificates: chain };
    let received: Message<'issue'> | undefined;
    const device = fixedDevice({ identify: bigIdentity });
    const { link } = await directLine(
      {
        handler: (request, context) => {
          if (request.kind === 'issue') received = request;
          return device.handler(request, context);
        },
        calls: device.calls,
      },
      undefined,
    );
    const issue: Message<'issue'> = {
      kind: 'issue',
      certificates: chain,
      trustAnchors: [certificate(1500, 9)],
      zone: 'infusion-icu',
      vlan: 210,
    };
    const accepted = await link.request(issue);
    expect(received).toEqual(issue);
    expect(Buffer.from(accepted.bundleSha256)).toEqual(
      Buffer.from(bundleSha256(encodeMessage(issue).payload)),
    );
    await expect(link.request({ kind: 'identify' })).resolves.toEqual(bigIdentity);
  });
});

describe('serial ports', () => {
  it('lists given PTY paths beside the system ports, resolved, and leaves out missing ones', async () => {
    const pair = await ptys.pair();
    const candidates = await listSerialPorts({ include: [pair.a, `${pair.b}-missing`] });
    const given = candidates.filter((candidate) => candidate.source === 'given');
    expect(given).toEqual([
      {
        path: pair.a,
        source: 'given',
        resolvedPath: expect.stringMatching(/^\/dev\/pts\/\d+$/) as string,
      },
    ]);
  });

  it('refuses with provision.port a path that does not exist or a port another holder locked', async () => {
    const pair = await ptys.pair();
    const missing = await failureOf(openSerialPort(`${pair.a}-missing`));
    expect(missing.code).toBe('provision.port');
    expect(missing.message).toContain(`${pair.a}-missing`);
    await ptys.open(pair.a);
    const locked = await failureOf(openSerialPort(pair.a));
    expect(locked.code).toBe('provision.port');
    expect(locked.message).toMatch(/lock/i);
  });
});
