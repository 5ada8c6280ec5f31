import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  defaultTotp,
  hotp,
  newTotpSecret,
  otpauthUri,
  totp,
  totpStep,
  verifyTotp,
} from './totp';

const seed = (length: number): Buffer =>
  Buffer.from('1234567890'.repeat(7).slice(0, length), 'ascii');

describe('hotp', () => {
  it('gives the RFC 4226 appendix D values for counters 0 to 9', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(expected.map((_, counter) => hotp(seed(20), counter))).toEqual(expected);
  });
});

describe('totp', () => {
  // RFC 6238 appendix B: 8 digits, 30 s steps, a seed per algorithm.
  const vectors: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];

  it.each(vectors)('passes the RFC 6238 test vector at T=%i', (seconds, sha1, sha256, sha512) => {
    const at = seconds * 1000;
    expect(totp(seed(20), at, { stepSeconds: 30, digits: 8, algorithm: 'sha1' })).toBe(sha1);
    expect(totp(seed(32), at, { stepSeconds: 30, digits: 8, algorithm: 'sha256' })).toBe(sha256);
    expect(totp(seed(64), at, { stepSeconds: 30, digits: 8, algorithm: 'sha512' })).toBe(sha512);
  });
});

describe('verifyTotp', () => {
  const secret = seed(20);
  const now = 1_700_000_015_000;
  const step = totpStep(now);

  it('accepts the current code and the codes one step either side, and says which step', () => {
    expect(verifyTotp(secret, totp(secret, now), now, null)).toBe(step);
    expect(verifyTotp(secret, totp(secret, now - 30_000), now, null)).toBe(step - 1);
    expect(verifyTotp(secret, totp(secret, now + 30_000), now, null)).toBe(step + 1);
  });

  it('refuses codes two steps away', () => {
    expect(verifyTotp(secret, totp(secret, now - 60_000), now, null)).toBeNull();
    expect(verifyTotp(secret, totp(secret, now + 60_000), now, null)).toBeNull();
  });

  it('accepts a code once only: its step and every earlier one are spent', () => {
    const code = totp(secret, now);
    expect(verifyTotp(secret, code, now, step)).toBeNull();
    expect(verifyTotp(secret, totp(secret, now - 30_000), now, step)).toBeNull();
    expect(verifyTotp(secret, totp(secret, now + 30_000), now, step)).toBe(step + 1);
  });

  it('refuses malformed codes without throwing', () => {
    for (const typed of ['', '12345', '1234567', 'abcdef', '12 34 5x', '１２３４５６'])
      expect(verifyTotp(secret, typed, now, null)).toBeNull();
    expect(verifyTotp(secret, totp(secret, now).replace(/^(\d{3})/, '$1 '), now, null)).toBe(step);
  });
});

describe('base32', () => {
  it('encodes the RFC 4648 section 10 vectors (without padding)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
  });

  it('round-trips any bytes and refuses characters outside the alphabet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base32Decode(base32Encode(bytes))).toEqual(Buffer.from(bytes));
      }),
    );
    expect(() => base32Decode('MZX1')).toThrow(/character 4/);
  });
});

describe('enrolment', () => {
  it('makes 160-bit secrets and an otpauth URI an authenticator app reads', () => {
    const secret = newTotpSecret();
    expect(secret).toHaveLength(20);
    const text = otpauthUri('Wardkeep (St Example)', 'j.doe', secret);
    expect(text.startsWith('otpauth://totp/Wardkeep%20(St%20Example):j.doe?')).toBe(true);
    const uri = new URL(text);
    expect(base32Decode(uri.searchParams.get('secret') ?? '')).toEqual(secret);
    expect(uri.searchParams.get('period')).toBe(String(defaultTotp.stepSeconds));
    expect(uri.searchParams.get('digits')).toBe('6');
  });
});
