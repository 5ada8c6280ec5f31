// Failed sign-ins, kept in a small file beside the keyslots so they count while the store is
// locked (a wrong password never opens the database). Accounts are named by a keyed tag, not by
// name. Policy: from the 3rd consecutive failure each further attempt waits 2^(n-3) s (capped at
// 60 s); the 10th locks the account for 30 minutes. Success resets the count. The events are
// drained into the audit log the next time the store is open.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Clock } from '../lib/clock';
import { writeFileAtomic } from '../lib/files';

export const failuresBeforeBackoff = 2;
export const maximumBackoffMs = 60_000;
export const failuresBeforeLock = 10;
export const lockDurationMs = 30 * 60_000;
/** Events kept per account until the store is open to record them. */
const maximumPendingEvents = 200;

const PendingEvent = z.object({
  atMs: z.number(),
  kind: z.enum(['password', 'mfa', 'locked']),
});
export type PendingEvent = z.infer<typeof PendingEvent>;

const Entry = z.object({
  failures: z.number().int().min(0),
  lastFailureAtMs: z.number(),
  lockedUntilMs: z.number().nullable(),
  pending: z.array(PendingEvent),
});
type Entry = z.infer<typeof Entry>;

const ThrottleFile = z.object({
  format: z.literal('wardkeep-throttle'),
  tags: z.record(z.string(), Entry),
});
type ThrottleFile = z.infer<typeof ThrottleFile>;

export type ThrottleVerdict =
  { allowed: true } | { allowed: false; reason: 'locked' | 'backoff'; retryAfterMs: number };

export interface LoginThrottle {
  /** Whether an attempt for this tag may proceed now. */
  check(tag: string): ThrottleVerdict;
  /** Counts a failure; returns true when this failure locked the account. */
  recordFailure(tag: string, kind: 'password' | 'mfa'): boolean;
  recordSuccess(tag: string): void;
  /** Lifts a lock (an administrator's decision). */
  unlock(tag: string): void;
  isLocked(tag: string): boolean;
  /**
   * Hands the events not yet in the audit log, per tag, to `record`; they are forgotten only if it
   * returns, so a failed audit write keeps them for the next time.
   */
  drainPending(record: (events: Map<string, PendingEvent[]>) => void): void;
}

export function backoffMs(failures: number): number {
  if (failures <= failuresBeforeBackoff) return 0;
  return Math.min(maximumBackoffMs, 1000 * 2 ** (failures - failuresBeforeBackoff - 1));
}

export function createLoginThrottle(path: string, clock: Clock): LoginThrottle {
  function read(): ThrottleFile {
    if (!existsSync(path)) return { format: 'wardkeep-throttle', tags: {} };
    try {
      const parsed = ThrottleFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // A damaged file must not lock everybody out, nor let anybody guess freely: start over,
      // and the fresh file is written at the next event.
    }
    return { format: 'wardkeep-throttle', tags: {} };
  }

  function write(file: ThrottleFile): void {
    writeFileAtomic(path, `${JSON.stringify(file)}\n`);
  }

  function entryOf(file: ThrottleFile, tag: string): Entry {
    return file.tags[tag] ?? { failures: 0, lastFailureAtMs: 0, lockedUntilMs: null, pending: [] };
  }

  function push(entry: Entry, event: PendingEvent): void {
    entry.pending.push(event);
    if (entry.pending.length > maximumPendingEvents) entry.pending.splice(0, 1);
  }

  return {
    check(tag) {
      const entry = read().tags[tag];
      if (!entry) return { allowed: true };
      const now = clock.nowMs();
      if (entry.lockedUntilMs !== null && now < entry.lockedUntilMs)
        return { allowed: false, reason: 'locked', retryAfterMs: entry.lockedUntilMs - now };
      const wait = entry.lastFailureAtMs + backoffMs(entry.failures) - now;
      if (entry.lockedUntilMs === null && wait > 0)
        return { allowed: false, reason: 'backoff', retryAfterMs: wait };
      return { allowed: true };
    },
    recordFailure(tag, kind) {
      const file = read();
      const entry = entryOf(file, tag);
      const now = clock.nowMs();
      if (entry.lockedUntilMs !== null && now >= entry.lockedUntilMs) {
        entry.lockedUntilMs = null;
        entry.failures = 0;
      }
      entry.failures += 1;
      entry.lastFailureAtMs = now;
      push(entry, { atMs: now, kind });
      let locked = false;
      if (entry.failures >= failuresBeforeLock && entry.lockedUntilMs === null) {
        entry.lockedUntilMs = now + lockDurationMs;
        push(entry, { atMs: now, kind: 'locked' });
        locked = true;
      }
      file.tags[tag] = entry;
      write(file);
      return locked;
    },
    recordSuccess(tag) {
      const file = read();
      const entry = file.tags[tag];
      if (!entry) return;
      if (entry.pending.length === 0) delete file.tags[tag];
      else file.tags[tag] = { ...entry, failures: 0, lockedUntilMs: null };
      write(file);
    },
    unlock(tag) {
      const file = read();
      const entry = file.tags[tag];
      if (!entry) return;
      file.tags[tag] = { ...entry, failures: 0, lockedUntilMs: null };
      write(file);
    },
    isLocked(tag) {
      const entry = read().tags[tag];
      return !!entry && entry.lockedUntilMs !== null && clock.nowMs() < entry.lockedUntilMs;
    },
    drainPending(record) {
      const file = read();
      const drained = new Map<string, PendingEvent[]>();
      for (const [tag, entry] of Object.entries(file.tags)) {
        if (entry.pending.length > 0) drained.set(tag, entry.pending);
      }
      if (drained.size === 0) return;
      record(drained);
      for (const tag of drained.keys()) {
        const entry = file.tags[tag];
        if (!entry) continue;
        entry.pending = [];
        if (entry.failures === 0 && entry.lockedUntilMs === null) delete file.tags[tag];
      }
      write(file);
    },
  };
}
