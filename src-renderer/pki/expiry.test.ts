import { describe, expect, it } from 'vitest';
import type { CertificateRecord } from './expiry';
import { bySoonestExpiry, daysUntil, expiryBucket, expiryCounts, expiryWords } from './expiry';

const nowMs = Date.UTC(2026, 10, 23, 10);
const dayMs = 24 * 60 * 60 * 1000;

function inDays(days: number): string {
  return new Date(nowMs + days * dayMs).toISOString();
}

function certificate(serial: string, notAfter: string, change: Partial<CertificateRecord> = {}) {
  const record: CertificateRecord = {
    serial,
    deviceUid: `dev-${serial}`,
    deviceName: `Pump ${serial}`,
    deviceSerial: `IP3-${serial}`,
    subject: `CN=Pump ${serial}`,
    keyAlgorithm: 'ec-p256',
    publicKeySha256: 'ab'.repeat(32),
    fingerprintSha256: 'cd'.repeat(32),
    status: 'active',
    notBefore: inDays(-300),
    notAfter,
    issuedAt: inDays(-300),
    confirmedAt: inDays(-300),
    revokedAt: null,
    revocationReason: null,
    abandoned: false,
    renewsSerial: null,
  };
  return { ...record, ...change };
}

describe('expiryBucket', () => {
  it('puts a certificate in the smallest window that holds it, the edges included', () => {
    expect(expiryBucket(inDays(1), nowMs)).toBe(30);
    expect(expiryBucket(inDays(30), nowMs)).toBe(30);
    expect(expiryBucket(inDays(30.5), nowMs)).toBe(60);
    expect(expiryBucket(inDays(90), nowMs)).toBe(90);
    expect(expiryBucket(inDays(91), nowMs)).toBe('later');
    expect(expiryBucket(inDays(0), nowMs)).toBe('expired');
    expect(expiryBucket(inDays(-3), nowMs)).toBe('expired');
  });
});

describe('expiryCounts', () => {
  it('nests the windows like the tabs and leaves out revoked, abandoned and expired ones', () => {
    const counts = expiryCounts(
      [
        certificate('01', inDays(10)),
        certificate('02', inDays(45)),
        certificate('03', inDays(80)),
        certificate('04', inDays(200)),
        certificate('05', inDays(-1)),
        certificate('06', inDays(5), { status: 'revoked' }),
        certificate('07', inDays(5), { abandoned: true }),
      ],
      nowMs,
    );
    expect(counts).toEqual({ expired: 1, within30Days: 1, within60Days: 2, within90Days: 3 });
  });
});

describe('expiry words and order', () => {
  it('says how many days are left or how long ago it expired', () => {
    expect(expiryWords(inDays(12.5), nowMs)).toBe('expires in 12 days');
    expect(expiryWords(inDays(1), nowMs)).toBe('expires in 1 day');
    expect(expiryWords(inDays(0.5), nowMs)).toBe('expires today');
    expect(expiryWords(inDays(-0.5), nowMs)).toBe('expired today');
    expect(expiryWords(inDays(-3), nowMs)).toBe('expired 3 days ago');
    expect(daysUntil(inDays(-3), nowMs)).toBe(-3);
  });

  it('sorts soonest first, by serial on a tie', () => {
    const sorted = bySoonestExpiry([
      certificate('0b', inDays(20)),
      certificate('0a', inDays(20)),
      certificate('09', inDays(3)),
    ]);
    expect(sorted.map((record) => record.serial)).toEqual(['09', '0a', '0b']);
  });
});
