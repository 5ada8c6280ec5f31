import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import { WardkeepFailure } from '../lib/errors';
import type { CertificationRequest } from './csr';
import { parseCertificationRequest } from './csr';
import { toPem } from './der';
import { csrFor, deviceKey, opensslOk } from './testing';

const tempDir = useTempDirs();

function refusal(input: string | Uint8Array): WardkeepFailure {
  try {
    parseCertificationRequest(input);
  } catch (error) {
    if (error instanceof WardkeepFailure) return error;
    throw error;
  }
  throw new Error('expected the CSR to be refused');
}

function opensslCsr(dir: string, keyArgs: string[], extra: string[] = []): string {
  opensslOk(dir, [
    'req',
    '-new',
    ...keyArgs,
    '-nodes',
    '-keyout',
    'device.key',
    '-subj',
    '/CN=pump',
    ...extra,
    '-out',
    'device.csr',
  ]);
  return readFileSync(`${dir}/device.csr`, 'utf8');
}

describe('reading CSRs', () => {
  it('accepts openssl CSRs for RSA-2048, EC P-256 and Ed25519, as PEM and as DER', () => {
    const dir = tempDir();
    const cases: [string[], string][] = [
      [['-newkey', 'rsa:2048'], 'rsa-2048'],
      [['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ec-p256'],
      [['-newkey', 'ed25519'], 'ed25519'],
    ];
    for (const [keyArgs, name] of cases) {
      const pem = opensslCsr(dir, keyArgs);
      const fromPem = parseCertificationRequest(pem);
      expect(fromPem.key.name).toBe(name);
      expect(fromPem.requestedSubject).toEqual([{ oid: '2.5.4.3', name: 'CN', value: 'pump' }]);
      opensslOk(dir, ['req', '-in', 'device.csr', '-outform', 'DER', '-out', 'device.der']);
      const fromDer = parseCertificationRequest(readFileSync(`${dir}/device.der`));
      expect(fromDer.publicKeySha256).toBe(fromPem.publicKeySha256);
      // PEM handed over as bytes is recognised too.
      expect(parseCertificationRequest(Buffer.from(pem)).publicKeySha256).toBe(
        fromPem.publicKeySha256,
      );
    }
  });

  it('refuses RSA keys under 2048 bits', () => {
    const dir = tempDir();
    const error = refusal(opensslCsr(dir, ['-newkey', 'rsa:1024']));
    expect(error.message).toBe('CSR key refused: RSA-1024 is too weak (at least 2048 bits)');
    expect(error.details).toEqual({ problem: 'csr.key' });
  });

  it('refuses curves and algorithms it does not support', () => {
    const dir = tempDir();
    const k1 = refusal(
      opensslCsr(dir, ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1']),
    );
    expect(k1.message).toBe('CSR key refused: elliptic curve secp256k1 is not supported');
    const dsa = refusal(opensslCsr(dir, ['-newkey', 'ed448']));
    expect(dsa.message).toBe('CSR key refused: ed448 keys are not supported');
  });

  it('refuses a SHA-1 self-signature', () => {
    const dir = tempDir();
    const error = refusal(opensslCsr(dir, ['-newkey', 'rsa:2048'], ['-sha1']));
    expect(error.message).toBe('CSR self-signature refused: SHA-1 with RSA is too weak');
    expect(error.details).toEqual({ problem: 'csr.signature' });
  });

  it('refuses a CSR whose subject was changed after signing', () => {
    const dir = tempDir();
    opensslCsr(dir, ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    opensslOk(dir, ['req', '-in', 'device.csr', '-outform', 'DER', '-out', 'device.der']);
    const der = readFileSync(`${dir}/device.der`);
    der[der.indexOf(Buffer.from('pump'))] = 'c'.charCodeAt(0);
    const error = refusal(der);
    expect(error.message).toBe('CSR self-signature refused: the signature does not verify');
  });

  it('refuses what is not one exact DER CSR', () => {
    const csr = csrFor(deviceKey('ec-p256'));
    expect(refusal(Buffer.concat([csr, Buffer.of(0)])).details).toEqual({
      problem: 'csr.malformed',
    });
    expect(refusal(csr.subarray(0, csr.length - 3)).details).toEqual({ problem: 'csr.malformed' });
    // The same content with its length in two bytes (BER) where DER demands one.
    expect(csr[1]).toBe(0x81);
    const ber = Buffer.concat([Buffer.of(0x30, 0x82, 0x00), csr.subarray(2)]);
    expect(refusal(ber).message).toBe('CSR: not DER (BER or non-minimal encoding)');
    const pem = toPem('CERTIFICATE REQUEST', csr);
    expect(refusal(pem + pem).message).toBe(
      'CSR: expected one PEM block "CERTIFICATE REQUEST", found 2',
    );
    expect(refusal('no PEM here').details).toEqual({ problem: 'csr.malformed' });
  });

  it('never accepts a changed request for a different key, whatever byte changes', () => {
    const csr = csrFor(deviceKey('ec-p256'), 'monitor');
    const original = parseCertificationRequest(csr);
    fc.assert(
      fc.property(
        fc.nat({ max: csr.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (offset, flip) => {
          const changed = Buffer.from(csr);
          changed[offset]! ^= flip;
          let accepted: CertificationRequest;
          try {
            accepted = parseCertificationRequest(changed);
          } catch (error) {
            expect(error).toBeInstanceOf(WardkeepFailure);
            expect((error as WardkeepFailure).code).toBe('pki.invalid');
            return;
          }
          // Only bytes outside what the signature covers may change (the algorithm's NULL).
          expect(accepted.publicKeySha256).toBe(original.publicKeySha256);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses arbitrary bytes with pki.invalid, never another error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(refusal(bytes).code).toBe('pki.invalid');
      }),
      { numRuns: 300 },
    );
  });
});
