import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { manualScheduler } from './scheduler';
import type { PacerTiming } from './stream';
import { createLinePacer, writeChunked } from './stream';
import type { WardkeepFailure } from '../lib/errors';

/** A stream that records the size of every write and lets the test decide when each completes. */
function recordingStream(options: { highWaterMark?: number } = {}) {
  const sizes: number[] = [];
  const pending: (() => void)[] = [];
  const stream = new Duplex({
    highWaterMark: options.highWaterMark ?? 16_384,
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      sizes.push(chunk.length);
      pending.push(() => callback());
    },
  });
  return { stream, sizes, pending };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('writeChunked', () => {
  it('writes at most 4 KiB at a time, each chunk taken before the next is offered', async () => {
    const { stream, sizes, pending } = recordingStream();
    const done = writeChunked(stream, new Uint8Array(10_000));
    for (let index = 0; index < 3; index++) {
      await until(() => pending.length === 1);
      expect(sizes).toHaveLength(index + 1);
      pending.shift()!();
    }
    await done;
    expect(sizes).toEqual([4096, 4096, 1808]);
  });

  it('waits for drain when the stream asks for it', async () => {
    const { stream, sizes, pending } = recordingStream({ highWaterMark: 1024 });
    let drained = false;
    stream.once('drain', () => (drained = true));
    const done = writeChunked(stream, new Uint8Array(3000), 1500);
    await until(() => pending.length === 1);
    pending.shift()!();
    await until(() => pending.length === 1);
    expect(drained).toBe(true);
    pending.shift()!();
    await done;
    expect(sizes).toEqual([1500, 1500]);
  });

  it('fails with provision.port when the stream closes during a write, or was closed', async () => {
    const { stream, pending } = recordingStream();
    stream.on('error', () => undefined);
    const done = writeChunked(stream, new Uint8Array(100));
    await until(() => pending.length === 1);
    stream.destroy();
    const failure = await done.then(
      () => undefined,
      (error: unknown) => error as WardkeepFailure,
    );
    expect(failure?.code).toBe('provision.port');
    const again = await writeChunked(stream, new Uint8Array(1)).then(
      () => undefined,
      (error: unknown) => error as WardkeepFailure,
    );
    expect(again?.code).toBe('provision.port');
  });
});

/** Time that moves only by the pacer's own sleeps, and by the test. */
function fakeTiming() {
  const clock = { nowMs: 0, sleeps: [] as number[] };
  const timing: PacerTiming = {
    nowMs: () => clock.nowMs,
    sleep: (ms) => {
      clock.sleeps.push(ms);
      clock.nowMs += ms;
      return Promise.resolve();
    },
  };
  return { clock, timing };
}

describe('createLinePacer', () => {
  it('holds each run of bytes until a line of the given speed would have carried it', async () => {
    const { clock, timing } = fakeTiming();
    const pacer = createLinePacer(11_520, timing);
    await pacer.transmit(1152);
    await pacer.transmit(576);
    expect(clock.nowMs).toBeCloseTo(150, 6);
    // An idle line starts the next byte at once, not where the last one ended.
    clock.nowMs += 1000;
    await pacer.transmit(115.2);
    expect(clock.sleeps.map((ms) => Math.round(ms * 1000) / 1000)).toEqual([100, 50, 10]);
  });

  it('paces a write in 64-byte chunks, each handed over when the line has carried it', async () => {
    const { clock, timing } = fakeTiming();
    const { stream, sizes, pending } = recordingStream();
    const handedAt: number[] = [];
    const done = writeChunked(stream, new Uint8Array(200), 4096, createLinePacer(1000, timing));
    for (let index = 0; index < 4; index++) {
      await until(() => pending.length === 1);
      handedAt.push(clock.nowMs);
      pending.shift()!();
    }
    await done;
    expect(sizes).toEqual([64, 64, 64, 8]);
    expect(handedAt).toEqual([64, 128, 192, 200]);
  });

  it('refuses a speed that is not a positive number', () => {
    expect(() => createLinePacer(0)).toThrow(/not positive/);
  });
});

describe('manualScheduler', () => {
  it('fires timers in due order only when time is advanced past them, and cancels', () => {
    const scheduler = manualScheduler();
    const fired: string[] = [];
    scheduler.setTimer(30, () => fired.push('30'));
    const cancel = scheduler.setTimer(20, () => fired.push('20'));
    scheduler.setTimer(10, () => {
      fired.push('10');
      scheduler.setTimer(5, () => fired.push('10+5'));
    });
    cancel();
    scheduler.advance(9);
    expect(fired).toEqual([]);
    scheduler.advance(21);
    expect(fired).toEqual(['10', '10+5', '30']);
    expect(scheduler.nowMs()).toBe(30);
    expect(scheduler.pendingCount).toBe(0);
  });
});
