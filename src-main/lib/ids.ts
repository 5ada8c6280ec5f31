// Identifiers come from an injected generator so tests can make them deterministic.
import { randomFillSync } from 'node:crypto';
import type { Clock } from './clock';
import { systemClock } from './clock';

export interface IdGenerator {
  next(): string;
}

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids made later sort
 * later, so the indexes keyed on them grow at their end instead of at random pages, which keeps
 * bulk writes fast; the random part keeps them unguessable and unique across machines.
 */
export function timeOrderedIds(clock: Clock = systemClock): IdGenerator {
  const bytes = new Uint8Array(16);
  // Random bytes drawn 4 KiB at a time: one call per id cost more than the rest of the id.
  const pool = new Uint8Array(4096);
  let used = pool.length;
  return {
    next() {
      const ms = clock.nowMs();
      if (used + 10 > pool.length) {
        randomFillSync(pool);
        used = 0;
      }
      bytes.set(pool.subarray(used, used + 10), 6);
      pool.fill(0, used, used + 10);
      used += 10;
      bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
      bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
      bytes[2] = (ms >>> 24) & 0xff;
      bytes[3] = (ms >>> 16) & 0xff;
      bytes[4] = (ms >>> 8) & 0xff;
      bytes[5] = ms & 0xff;
      bytes[6] = 0x70 | (bytes[6]! & 0x0f);
      bytes[8] = 0x80 | (bytes[8]! & 0x3f);
      const hex = Buffer.from(bytes).toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
}

export const randomIds: IdGenerator = timeOrderedIds();

/** Deterministic ids for tests: prefix-000001, prefix-000002, … */
export function sequentialIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return { next: () => `${prefix}-${String(++n).padStart(6, '0')}` };
}
