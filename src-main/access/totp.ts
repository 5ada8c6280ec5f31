// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) and the base32 text (RFC 4648) that
// authenticator apps exchange secrets in. `verifyTotp` returns the time step it matched so the
// caller can refuse that step and every earlier one next time: a code is accepted once only.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpParameters {
  /** Seconds per step; RFC 6238 and every authenticator app default to 30. */
  stepSeconds: number;
  digits: 6 | 7 | 8;
  algorithm: TotpAlgorithm;
}

export const defaultTotp: TotpParameters = { stepSeconds: 30, digits: 6, algorithm: 'sha1' };

/** Steps either side of now that still count: ±1 allows for a clock 30 s off and slow typing. */
export const allowedDrift = 1;

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** Accepts lower case, spaces and missing padding, as people type secrets; refuses anything else. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (let index = 0; index < clean.length; index += 1) {
    const digit = base32Alphabet.indexOf(clean.charAt(index));
    if (digit < 0) throw new RangeError(`not base32 at character ${index + 1}`);
    value = ((value << 5) | digit) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 §5.3: HMAC over the 8-byte counter, dynamic truncation, modulo 10^digits. */
export function hotp(
  secret: Uint8Array,
  counter: number,
  digits: TotpParameters['digits'] = 6,
  algorithm: TotpAlgorithm = 'sha1',
): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError('counter out of range');
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function totpStep(timeMs: number, parameters: TotpParameters = defaultTotp): number {
  return Math.floor(timeMs / 1000 / parameters.stepSeconds);
}

export function totp(
  secret: Uint8Array,
  timeMs: number,
  parameters: TotpParameters = defaultTotp,
): string {
  return hotp(secret, totpStep(timeMs, parameters), parameters.digits, parameters.algorithm);
}

/**
 * The step whose code equals `code` within ±allowedDrift of now, later than `lastUsedStep`;
 * null otherwise. Compared in constant time so timing tells nothing about near misses.
 */
export function verifyTotp(
  secret: Uint8Array,
  code: string,
  timeMs: number,
  lastUsedStep: number | null,
  parameters: TotpParameters = defaultTotp,
): number | null {
  const typed = code.replace(/\s/g, '');
  if (!/^\d+$/.test(typed) || typed.length !== parameters.digits) return null;
  const now = totpStep(timeMs, parameters);
  let matched: number | null = null;
  for (let step = now - allowedDrift; step <= now + allowedDrift; step += 1) {
    if (step < 0 || (lastUsedStep !== null && step <= lastUsedStep)) continue;
    const expected = hotp(secret, step, parameters.digits, parameters.algorithm);
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(typed)) && matched === null)
      matched = step;
  }
  return matched;
}

/** 160 random bits, the HMAC-SHA1 block-friendly size RFC 4226 recommends. */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** The `otpauth://` URI authenticator apps read from a QR code (Key Uri Format). */
export function otpauthUri(issuer: string, account: string, secret: Uint8Array): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: defaultTotp.algorithm.toUpperCase(),
    digits: String(defaultTotp.digits),
    period: String(defaultTotp.stepSeconds),
  });
  return `otpauth://totp/${label}?${query.toString()}`;
}
