// When device certificates expire, in whole days of main's clock: the 30/60/90-day buckets of the
// expiry view and the words for one certificate. Pure.
// Invariant: the buckets nest as the expiry tabs do (within 30 days is also within 60 and 90), and
// an expired certificate is in none of them.
import type { ResultOf } from '../../src-preload/contract';

export type CertificateRecord = ResultOf<'pki:certificates'>[number];

export const expiryWindows = [30, 60, 90] as const;
export type ExpiryWindow = (typeof expiryWindows)[number];

const dayMs = 24 * 60 * 60 * 1000;

/** Whole days from `nowMs` to `notAfter` (rounded down); negative once expired. */
export function daysUntil(notAfter: string, nowMs: number): number {
  const atMs = Date.parse(notAfter);
  if (Number.isNaN(atMs)) return Number.NaN;
  return Math.floor((atMs - nowMs) / dayMs);
}

export type ExpiryBucket = 'expired' | ExpiryWindow | 'later';

/** The smallest window the certificate falls in. */
export function expiryBucket(notAfter: string, nowMs: number): ExpiryBucket {
  const atMs = Date.parse(notAfter);
  if (atMs <= nowMs) return 'expired';
  const days = (atMs - nowMs) / dayMs;
  for (const window of expiryWindows) if (days <= window) return window;
  return 'later';
}

export interface ExpiryCounts {
  expired: number;
  within30Days: number;
  within60Days: number;
  within90Days: number;
}

/** Counts of unrevoked certificates per nested window. */
export function expiryCounts(records: readonly CertificateRecord[], nowMs: number): ExpiryCounts {
  const counts: ExpiryCounts = { expired: 0, within30Days: 0, within60Days: 0, within90Days: 0 };
  for (const record of records) {
    if (record.status === 'revoked' || record.abandoned) continue;
    const bucket = expiryBucket(record.notAfter, nowMs);
    if (bucket === 'expired') counts.expired += 1;
    if (bucket === 30) counts.within30Days += 1;
    if (bucket === 30 || bucket === 60) counts.within60Days += 1;
    if (bucket === 30 || bucket === 60 || bucket === 90) counts.within90Days += 1;
  }
  return counts;
}

/** "expires today", "expires in 1 day", "expires in 12 days", "expired 3 days ago". */
export function expiryWords(notAfter: string, nowMs: number): string {
  const atMs = Date.parse(notAfter);
  if (Number.isNaN(atMs)) return `expires ${notAfter}`;
  if (atMs <= nowMs) {
    const ago = Math.floor((nowMs - atMs) / dayMs);
    if (ago === 0) return 'expired today';
    return `expired ${ago} ${ago === 1 ? 'day' : 'days'} ago`;
  }
  const days = daysUntil(notAfter, nowMs);
  if (days === 0) return 'expires today';
  return `expires in ${days} ${days === 1 ? 'day' : 'days'}`;
}

/** Soonest expiry first; ties by serial so the order is stable. */
export function bySoonestExpiry(records: readonly CertificateRecord[]): CertificateRecord[] {
  return [...records].sort(
    (left, right) =>
      Date.parse(left.notAfter) - Date.parse(right.notAfter) ||
      left.serial.localeCompare(right.serial),
  );
}
