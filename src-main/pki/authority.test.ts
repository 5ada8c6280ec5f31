import { createPrivateKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedPassword, useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import { WardkeepFailure } from '../lib/errors';
import { dayMs } from './profile';
import type { TestPki } from './testing';
import { csrFor, deviceKey, openTestPki, opensslOk, verifyWithOpenssl, writeIn } from './testing';
import { toPem } from './der';

const tempDir = useTempDirs();

const open: TestPki[] = [];
afterEach(() => {
  for (const store of open.splice(0)) if (store.db.open) store.db.close();
});

type KeyType = 'rsa' | 'ec';

function newKey(dir: string, name: string, type: KeyType): string {
  const args =
    type === 'rsa'
      ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
      : ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  opensslOk(dir, [...args, '-out', `${name}.key`]);
  return `${name}.key`;
}

/**
 * An enterprise PKI made by openssl at test time: a root, and a sub-CA (or, to test refusals, an
 * end-entity certificate) signed by it.
 */
function enterprise(dir: string, options: { subType?: KeyType; subIsCa?: boolean } = {}) {
  newKey(dir, 'root', 'rsa');
  opensslOk(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    'root.key',
    '-subj',
    '/O=Enterprise Health/CN=Enterprise Root CA',
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    'root.pem',
  ]);
  newKey(dir, 'sub', options.subType ?? 'rsa');
  opensslOk(dir, [
    'req',
    '-new',
    '-key',
    'sub.key',
    '-subj',
    '/O=Enterprise Health/CN=Wardkeep Site Sub-CA',
    '-out',
    'sub.csr',
  ]);
  writeIn(
    dir,
    'sub.ext',
    (options.subIsCa ?? true)
      ? 'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n'
      : 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\n',
  );
  opensslOk(dir, [
    'x509',
    '-req',
    '-in',
    'sub.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-CAcreateserial',
    '-days',
    '1000',
    '-extfile',
    'sub.ext',
    '-out',
    'sub.pem',
  ]);
}

function exportPkcs12(dir: string, password: string, extra: string[], withRoot = true): Buffer {
  opensslOk(
    dir,
    [
      'pkcs12',
      '-export',
      '-inkey',
      'sub.key',
      '-in',
      'sub.pem',
      ...(withRoot ? ['-certfile', 'root.pem'] : []),
      '-passout',
      'env:P12_PASSWORD',
      ...extra,
      '-out',
      'sub.p12',
    ],
    { P12_PASSWORD: password },
  );
  return readFileSync(`${dir}/sub.p12`);
}

function failure(run: () => unknown): WardkeepFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof WardkeepFailure) return error;
    throw error;
  }
  throw new Error('expected a WardkeepFailure');
}

/** The store is opened after openssl made its certificates, so its frozen clock is later. */
function store(dir: string, nowMs = Date.now()) {
  const clock = frozenClock(nowMs);
  const opened = openTestPki(dir, clock);
  open.push(opened);
  return { clock, ...opened };
}

describe('importing an enterprise sub-CA from PKCS#12', () => {
  const encodings: [string, string[]][] = [
    ['AES-256-CBC for key and certificates', ['-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC']],
    ["openssl's default", []],
    ['the legacy RC2/3DES form', ['-legacy']],
  ];
  for (const [label, extra] of encodings) {
    it(`issues certificates that verify against the enterprise root (${label})`, () => {
      const dir = tempDir();
      enterprise(dir);
      const password = generatedPassword();
      const file = exportPkcs12(dir, password, extra);
      const { pki, clock } = store(dir);
      const prepared = pki.readAuthorityPkcs12(file, password, { siteName: 'Hôpital Nord' });
      const summary = pki.installAuthority(prepared);
      expect(summary).toMatchObject({
        origin: 'imported',
        subject: 'O=Enterprise Health, CN=Wardkeep Site Sub-CA',
        chainSubjects: ['O=Enterprise Health, CN=Enterprise Root CA'],
        keyAlgorithm: 'rsa-2048',
      });
      const issued = pki.issue({
        csr: csrFor(deviceKey('ec-p256')),
        device: { uid: 'pump-1', name: 'Pump 1', serialNumber: 'A1' },
      });
      const rootPem = readFileSync(`${dir}/root.pem`, 'utf8');
      expect(toPem('CERTIFICATE', issued.trustAnchorsDer[0]!)).toBe(rootPem);
      const result = verifyWithOpenssl(dir, {
        trustedPem: rootPem,
        untrustedPem: readFileSync(`${dir}/sub.pem`, 'utf8'),
        certificatePem: issued.certificatePem,
        atMs: clock.nowMs(),
        purpose: 'sslclient',
      });
      expect(result.stdout).toContain(': OK');
    });
  }

  it('signs certificates and CRLs with an EC P-256 sub-CA', async () => {
    const dir = tempDir();
    enterprise(dir, { subType: 'ec' });
    const password = generatedPassword();
    const file = exportPkcs12(dir, password, []);
    const { pki, clock } = store(dir);
    pki.installAuthority(pki.readAuthorityPkcs12(file, password, { siteName: 'Hôpital Nord' }));
    const issued = pki.issue({
      csr: csrFor(deviceKey('rsa-2048')),
      device: { uid: 'pump-1', name: 'Pump 1', serialNumber: 'A1' },
    });
    pki.revoke(issued.record.serial, 'keyCompromise');
    const crl = await pki.publishCrl();
    const result = verifyWithOpenssl(dir, {
      trustedPem: readFileSync(`${dir}/root.pem`, 'utf8'),
      untrustedPem: readFileSync(`${dir}/sub.pem`, 'utf8'),
      certificatePem: issued.certificatePem,
      atMs: clock.nowMs(),
      crlPem: crl.pem,
    });
    expect(result.stdout + result.stderr).toContain('certificate revoked');
    expect(
      opensslOk(dir, ['crl', '-noout', '-text', '-in', writeIn(dir, 'crl.pem', crl.pem)]),
    ).toContain('ecdsa-with-SHA256');
  });

  it('says the password is wrong', () => {
    const dir = tempDir();
    enterprise(dir);
    const file = exportPkcs12(dir, generatedPassword(), []);
    const { pki } = store(dir);
    const error = failure(() =>
      pki.readAuthorityPkcs12(file, generatedPassword(), { siteName: 'Site' }),
    );
    expect(error.code).toBe('pki.invalid');
    expect(error.message).toBe(
      'the PKCS#12 password is wrong (the file failed its integrity check)',
    );
    expect(error.details).toEqual({ problem: 'pkcs12.password' });
  });

  it('refuses a PKCS#12 whose certificate is not a CA', () => {
    const dir = tempDir();
    enterprise(dir, { subIsCa: false });
    const password = generatedPassword();
    const file = exportPkcs12(dir, password, []);
    const { pki } = store(dir);
    const error = failure(() => pki.readAuthorityPkcs12(file, password, { siteName: 'Site' }));
    expect(error.message).toBe(
      'the issuing CA certificate "O=Enterprise Health, CN=Wardkeep Site Sub-CA" is not a CA (basicConstraints cA is not set)',
    );
    expect(error.details).toEqual({ problem: 'authority.not_ca' });
  });

  it('refuses a PKCS#12 whose key does not match its certificate', () => {
    const dir = tempDir();
    enterprise(dir);
    newKey(dir, 'other', 'rsa');
    // openssl refuses to export a key with a certificate it does not match; forge does not check.
    const password = generatedPassword();
    const otherKey = forge.pki.privateKeyFromPem(readFileSync(`${dir}/other.key`, 'utf8'));
    const certificates = ['sub.pem', 'root.pem'].map((name) =>
      forge.pki.certificateFromPem(readFileSync(`${dir}/${name}`, 'utf8')),
    );
    const p12 = forge.pkcs12.toPkcs12Asn1(otherKey, certificates, password, {
      algorithm: 'aes256',
    });
    const file = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'latin1');
    const { pki } = store(dir);
    const error = failure(() => pki.readAuthorityPkcs12(file, password, { siteName: 'Site' }));
    expect(error.message).toBe(
      'the private key does not match any of the 2 certificates in the PKCS#12',
    );
    expect(error.details).toEqual({ problem: 'pkcs12.key_mismatch' });
  });

  it('refuses a PKCS#12 without the chain up to the root', () => {
    const dir = tempDir();
    enterprise(dir);
    const password = generatedPassword();
    const file = exportPkcs12(dir, password, [], false);
    const { pki } = store(dir);
    const error = failure(() => pki.readAuthorityPkcs12(file, password, { siteName: 'Site' }));
    expect(error.details).toEqual({ problem: 'pkcs12.chain' });
    expect(error.message).toContain(
      'does not hold the issuer of "O=Enterprise Health, CN=Wardkeep Site Sub-CA"',
    );
  });

  it('refuses an expired sub-CA and a file that is not PKCS#12', () => {
    const dir = tempDir();
    enterprise(dir);
    const password = generatedPassword();
    const file = exportPkcs12(dir, password, []);
    const { pki } = store(dir, Date.now() + 1001 * dayMs);
    expect(
      failure(() => pki.readAuthorityPkcs12(file, password, { siteName: 'Site' })).details,
    ).toEqual({ problem: 'authority.expired' });
    const garbage = failure(() =>
      pki.readAuthorityPkcs12(randomBytes(300), password, { siteName: 'Site' }),
    );
    expect(garbage.details).toEqual({ problem: 'pkcs12.malformed' });
  });

  it('keeps the imported key as PKCS#8 of the same key', () => {
    const dir = tempDir();
    enterprise(dir);
    const password = generatedPassword();
    const file = exportPkcs12(dir, password, []);
    const { pki } = store(dir);
    const prepared = pki.readAuthorityPkcs12(file, password, { siteName: 'Site' });
    const original = createPrivateKey(readFileSync(`${dir}/sub.key`, 'utf8'));
    expect(
      prepared.issuing.privateKeyPkcs8.equals(original.export({ format: 'der', type: 'pkcs8' })),
    ).toBe(true);
    expect(prepared.chain.map((link) => link.privateKeyPkcs8)).toEqual([null]);
  });
});
