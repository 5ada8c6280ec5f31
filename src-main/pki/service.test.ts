import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import { WardkeepFailure } from '../lib/errors';
import type { PreparedAuthority } from './authority';
import { generateLocalAuthority } from './authority';
import { readCertificate, toPem } from './der';
import { dayMs } from './profile';
import type { TestPki } from './testing';
import { csrFor, deviceKey, openTestPki, opensslOk, verifyWithOpenssl, writeIn } from './testing';
import type { IssuedCertificate } from './types';

const tempDir = useTempDirs();
const startMs = Date.UTC(2026, 10, 23, 10);
const siteName = 'Hôpital Saint-Louis';

let authority: PreparedAuthority;
beforeAll(async () => {
  // One RSA-3072 (the default) two-tier CA for the file; each test installs it in a fresh store.
  authority = await generateLocalAuthority({ siteName }, startMs);
});

const open: TestPki[] = [];
afterEach(() => {
  for (const store of open.splice(0)) if (store.db.open) store.db.close();
});

function setUp(options: { install?: boolean } = {}) {
  const dir = tempDir();
  const clock = frozenClock(startMs);
  const store = openTestPki(dir, clock);
  open.push(store);
  if (options.install ?? true) store.pki.installAuthority(authority);
  return { dir, clock, ...store };
}

function device(n: number) {
  return { uid: `dev-${n}`, name: `Infusion pump ICU-${n}`, serialNumber: `SN-${1000 + n}` };
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

async function failureOf(run: () => Promise<unknown>): Promise<WardkeepFailure> {
  try {
    await run();
  } catch (error) {
    if (error instanceof WardkeepFailure) return error;
    throw error;
  }
  throw new Error('expected a WardkeepFailure');
}

function x509Text(dir: string, pem: string): string {
  return opensslOk(dir, ['x509', '-noout', '-text', '-in', writeIn(dir, 'show.pem', pem)]);
}

describe('the issuing CA', () => {
  it('refuses to issue before a CA is installed', () => {
    const { pki } = setUp({ install: false });
    const error = failure(() =>
      pki.issue({ csr: csrFor(deviceKey('ec-p256')), device: device(1) }),
    );
    expect(error.code).toBe('pki.not_initialised');
  });

  it('makes a root and an issuing CA that openssl verifies as a chain', () => {
    const { dir, pki } = setUp();
    const status = pki.status();
    expect(status.authority).toMatchObject({ origin: 'local', keyAlgorithm: 'rsa-3072' });
    expect(status.authority!.subject).toMatch(/^O=Hôpital Saint-Louis, CN=Wardkeep Issuing CA /);
    expect(status.authority!.chainSubjects[0]).toMatch(/CN=Wardkeep Root CA /);
    expect(status.policy).toEqual({ siteName, certificateValidityDays: 730, crlValidityDays: 7 });
    const [issuingPem, rootPem] = pki.authorityChainPem().split(/(?<=-----END CERTIFICATE-----\n)/);
    expect(
      verifyWithOpenssl(dir, { trustedPem: rootPem!, certificatePem: issuingPem!, atMs: startMs })
        .stdout,
    ).toContain(': OK');
    const rootText = x509Text(dir, rootPem!);
    expect(rootText).toMatch(/CA:TRUE, pathlen:1/);
    expect(rootText).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(x509Text(dir, issuingPem!)).toMatch(/CA:TRUE, pathlen:0/);
  });

  it('refuses a second CA: replacing one is not supported', () => {
    const { pki } = setUp();
    const error = failure(() => pki.installAuthority(authority));
    expect(error.code).toBe('pki.invalid');
    expect(error.details).toEqual({ problem: 'authority.exists' });
  });

  it('keeps the CA keys as PKCS#8 inside the encrypted database only', () => {
    const { dir, db } = setUp();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const stored = db.prepare('SELECT private_key_pkcs8 FROM pki_authorities').get() as {
      private_key_pkcs8: Buffer;
    };
    expect(stored.private_key_pkcs8.equals(authority.issuing.privateKeyPkcs8)).toBe(true);
    const file = readFileSync(`${dir}/wardkeep.db`);
    // A 32-byte run from the middle of the key: present in the file only if stored in the clear.
    const probe = authority.issuing.privateKeyPkcs8.subarray(100, 132);
    expect(file.includes(probe)).toBe(false);
  });
});

describe('issuing LDevIDs', () => {
  it('issues from an openssl CSR a certificate openssl verifies for TLS client use', () => {
    const { dir, pki } = setUp();
    opensslOk(dir, [
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'device.key',
      '-subj',
      '/CN=ignored by the console',
      '-out',
      'device.csr',
    ]);
    const csr = readFileSync(`${dir}/device.csr`, 'utf8');
    const issued = pki.issue({ csr, device: device(7) });
    expect(issued.reissued).toBe(false);
    expect(issued.record).toMatchObject({
      deviceUid: 'dev-7',
      status: 'pending',
      keyAlgorithm: 'rsa-2048',
      subject: 'O=Hôpital Saint-Louis, CN=Infusion pump ICU-7, serialNumber=SN-1007',
    });
    const result = verifyWithOpenssl(dir, {
      trustedPem: toPem('CERTIFICATE', issued.trustAnchorsDer[0]!),
      untrustedPem: issued.chainDer.map((der) => toPem('CERTIFICATE', der)).join(''),
      certificatePem: issued.certificatePem,
      atMs: startMs,
      purpose: 'sslclient',
    });
    expect(result.stdout).toContain(': OK');
    const text = x509Text(dir, issued.certificatePem);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication/);
    expect(text).toContain('URI:urn:wardkeep:device:dev-7, URI:urn:wardkeep:serial:SN-1007');
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).toContain('X509v3 Authority Key Identifier');
    // The certificate belongs to the key in openssl's CSR.
    expect(
      new X509Certificate(issued.certificatePem).checkPrivateKey(
        createPrivateKey(readFileSync(`${dir}/device.key`, 'utf8')),
      ),
    ).toBe(true);
  });

  it('gives an EC key digitalSignature only, with the key identifiers linking to the CA', () => {
    const { pki } = setUp();
    const issued = pki.issue({ csr: csrFor(deviceKey('ec-p256')), device: device(1) });
    const fields = readCertificate(issued.certificateDer);
    expect([...fields.keyUsage!]).toEqual(['digitalSignature']);
    const ca = readCertificate(issued.chainDer[0]!);
    const aki = fields.extensions.find((e) => e.oid === '2.5.29.35')!.value;
    expect(aki.includes(ca.subjectKeyIdentifier!)).toBe(true);
    expect(fields.issuerDer.equals(ca.subjectDer)).toBe(true);
  });

  it('uses random positive 128-bit serials', () => {
    const { pki } = setUp();
    const serials = new Set<string>();
    for (let n = 0; n < 20; n++) {
      const issued = pki.issue({ csr: csrFor(deviceKey('ed25519')), device: device(n) });
      expect(issued.record.serial).toMatch(/^[0-9a-f]{32}$/);
      expect(issued.record.serial.slice(0, 2)).not.toBe('00');
      expect(readCertificate(issued.certificateDer).serialHex).toBe(issued.record.serial);
      expect(new X509Certificate(issued.certificateDer).serialNumber.toLowerCase()).toBe(
        issued.record.serial,
      );
      serials.add(issued.record.serial);
    }
    expect(serials.size).toBe(20);
  });

  it('returns the same stored certificate for the same CSR and device', () => {
    const { pki } = setUp();
    const csr = csrFor(deviceKey('ec-p256'));
    const first = pki.issue({ csr, device: device(1) });
    const again = pki.issue({ csr: toPem('CERTIFICATE REQUEST', csr), device: device(1) });
    expect(again.reissued).toBe(true);
    expect(again.record.serial).toBe(first.record.serial);
    expect(Buffer.from(again.certificateDer).equals(Buffer.from(first.certificateDer))).toBe(true);
    expect(pki.listCertificates()).toHaveLength(1);
  });

  it('refuses the same key for another device', () => {
    const { pki } = setUp();
    const csr = csrFor(deviceKey('ec-p256'));
    pki.issue({ csr, device: device(1) });
    const error = failure(() => pki.issue({ csr, device: device(2) }));
    expect(error.code).toBe('pki.invalid');
    expect(error.message).toContain('already certified for another device (dev-1)');
  });

  it('refuses a tampered CSR and stores nothing', () => {
    const { pki } = setUp();
    const csr = csrFor(deviceKey('rsa-2048'), 'pump');
    const tampered = Buffer.from(csr);
    tampered[tampered.indexOf(Buffer.from('pump'))]! ^= 0x01;
    const error = failure(() => pki.issue({ csr: tampered, device: device(1) }));
    expect(error.code).toBe('pki.invalid');
    expect(error.details).toEqual({ problem: 'csr.signature' });
    expect(pki.listCertificates()).toEqual([]);
  });

  it('refuses device text that does not fit a certificate', () => {
    const { pki } = setUp();
    const csr = csrFor(deviceKey('ec-p256'));
    expect(
      failure(() => pki.issue({ csr, device: { ...device(1), name: 'x'.repeat(65) } })).message,
    ).toBe('device.name is longer than 64 characters');
    expect(
      failure(() => pki.issue({ csr, device: { ...device(1), serialNumber: 'SN\u202e1' } }))
        .message,
    ).toContain('device.serialNumber contains the control or direction character U+202E');
  });

  it('sets validity by policy and never beyond the issuing CA', () => {
    const { pki, clock } = setUp();
    const first = pki.issue({ csr: csrFor(deviceKey('ec-p256')), device: device(1) });
    expect(Date.parse(first.record.notAfter)).toBe(startMs + 730 * dayMs);
    expect(Date.parse(first.record.notBefore)).toBe(startMs - 60 * 60 * 1000);
    pki.setPolicy({ certificateValidityDays: 3650 });
    clock.advance(9 * 365 * dayMs);
    const late = pki.issue({ csr: csrFor(deviceKey('ec-p256')), device: device(2) });
    const caNotAfter = readCertificate(late.chainDer[0]!).notAfterMs;
    expect(Date.parse(late.record.notAfter)).toBe(caNotAfter);
    expect(failure(() => pki.setPolicy({ certificateValidityDays: 0 })).code).toBe('input.invalid');
  });

  it('issues inside a caller transaction and leaves nothing when the caller rolls back', () => {
    const { pki, db } = setUp();
    db.exec('CREATE TABLE audit_probe (note TEXT) STRICT');
    const csr = csrFor(deviceKey('ec-p256'));
    expect(() =>
      db.transaction(() => {
        pki.issue({ csr, device: device(1) });
        db.prepare('INSERT INTO audit_probe VALUES (?)').run('issued');
        throw new Error('audit failed');
      })(),
    ).toThrow('audit failed');
    expect(pki.listCertificates()).toEqual([]);
    const committed = db.transaction(() => {
      const issued = pki.issue({ csr, device: device(1) });
      db.prepare('INSERT INTO audit_probe VALUES (?)').run(issued.record.serial);
      return issued;
    })();
    expect(committed.reissued).toBe(false);
    expect(db.prepare('SELECT note FROM audit_probe').pluck().all()).toEqual([
      committed.record.serial,
    ]);
  });
});

describe('certificate states', () => {
  function issue(pki: TestPki['pki'], n: number): IssuedCertificate {
    return pki.issue({ csr: csrFor(deviceKey('ec-p256')), device: device(n) });
  }

  it('confirms pending → active once, and a second confirm changes nothing', () => {
    const { pki, clock } = setUp();
    const issued = issue(pki, 1);
    clock.advance(5000);
    const active = pki.confirm(issued.record.serial);
    expect(active.status).toBe('active');
    expect(active.confirmedAt).toBe(new Date(startMs + 5000).toISOString());
    clock.advance(5000);
    expect(pki.confirm(issued.record.serial)).toEqual(active);
  });

  it('supersedes the device certificate before when a new one is confirmed', () => {
    const { pki } = setUp();
    const old = issue(pki, 1);
    pki.confirm(old.record.serial);
    const next = issue(pki, 1);
    expect(pki.getCertificate(old.record.serial).status).toBe('active');
    pki.confirm(next.record.serial);
    expect(pki.getCertificate(old.record.serial)).toMatchObject({
      status: 'revoked',
      revocationReason: 'superseded',
      abandoned: false,
    });
  });

  it('abandons a pending certificate as cessationOfOperation, but not an active one', () => {
    const { pki } = setUp();
    const pending = issue(pki, 1);
    const abandoned = pki.abandon(pending.record.serial);
    expect(abandoned).toMatchObject({
      status: 'revoked',
      revocationReason: 'cessationOfOperation',
      abandoned: true,
    });
    expect(pki.abandon(pending.record.serial)).toEqual(abandoned);
    expect(failure(() => pki.confirm(pending.record.serial)).code).toBe('pki.revoked');
    const active = issue(pki, 2);
    pki.confirm(active.record.serial);
    expect(failure(() => pki.abandon(active.record.serial)).message).toContain('revoke it instead');
  });

  it('issues a new certificate for a CSR whose earlier certificate was abandoned', () => {
    const { pki } = setUp();
    const csr = csrFor(deviceKey('ec-p256'));
    const first = pki.issue({ csr, device: device(1) });
    pki.abandon(first.record.serial);
    const second = pki.issue({ csr, device: device(1) });
    expect(second.reissued).toBe(false);
    expect(second.record.serial).not.toBe(first.record.serial);
  });

  it('refuses a key once it was revoked as compromised', () => {
    const { pki } = setUp();
    const csr = csrFor(deviceKey('ec-p256'));
    const first = pki.issue({ csr, device: device(1) });
    pki.revoke(first.record.serial, 'keyCompromise');
    expect(failure(() => pki.issue({ csr, device: device(1) })).code).toBe('pki.revoked');
  });

  it('sweeps pending certificates older than a limit', () => {
    const { pki, clock } = setUp();
    const stale = issue(pki, 1);
    clock.advance(10 * 60 * 1000);
    const fresh = issue(pki, 2);
    const swept = pki.abandonPendingOlderThan(5 * 60 * 1000);
    expect(swept.map((record) => record.serial)).toEqual([stale.record.serial]);
    expect(pki.getCertificate(fresh.record.serial).status).toBe('pending');
  });

  it('revokes every live certificate of a decommissioned device', () => {
    const { pki } = setUp();
    const active = issue(pki, 1);
    pki.confirm(active.record.serial);
    const pending = issue(pki, 1);
    const other = issue(pki, 2);
    const revoked = pki.revokeForDevice('dev-1', 'cessationOfOperation');
    expect(revoked.map((record) => record.serial).sort()).toEqual(
      [active.record.serial, pending.record.serial].sort(),
    );
    expect(pki.getCertificate(other.record.serial).status).toBe('pending');
    expect(pki.revokeForDevice('dev-1', 'cessationOfOperation')).toEqual([]);
    expect(failure(() => pki.revoke(other.record.serial, 'certificateHold' as never)).code).toBe(
      'input.invalid',
    );
  });

  it('renews with the same key: a new pending certificate that supersedes the old on confirm', () => {
    const { pki, clock } = setUp();
    const csr = csrFor(deviceKey('rsa-2048'));
    const old = pki.issue({ csr, device: device(1) });
    expect(failure(() => pki.renew(old.record.serial)).message).toContain('not confirmed yet');
    pki.confirm(old.record.serial);
    clock.advance(700 * dayMs);
    const renewed = pki.renew(old.record.serial);
    expect(renewed.record).toMatchObject({
      status: 'pending',
      renewsSerial: old.record.serial,
      publicKeySha256: old.record.publicKeySha256,
      deviceName: old.record.deviceName,
    });
    expect(renewed.record.serial).not.toBe(old.record.serial);
    // The protocol asking again with the device's CSR gets the renewal, not a third certificate.
    expect(pki.issue({ csr, device: device(1) }).record.serial).toBe(renewed.record.serial);
    pki.confirm(renewed.record.serial);
    expect(pki.getCertificate(old.record.serial).revocationReason).toBe('superseded');
  });

  it('renews with a new CSR, and refuses to renew a revoked or expired certificate', () => {
    const { pki, clock } = setUp();
    const old = issue(pki, 1);
    pki.confirm(old.record.serial);
    const renewed = pki.renew(old.record.serial, { csr: csrFor(deviceKey('ed25519')) });
    expect(renewed.record.keyAlgorithm).toBe('ed25519');
    expect(renewed.record.publicKeySha256).not.toBe(old.record.publicKeySha256);
    const expiring = issue(pki, 2);
    pki.confirm(expiring.record.serial);
    clock.advance(731 * dayMs);
    expect(failure(() => pki.renew(expiring.record.serial)).message).toContain('has expired');
    pki.revoke(renewed.record.serial, 'privilegeWithdrawn');
    expect(failure(() => pki.renew(renewed.record.serial)).code).toBe('pki.revoked');
  });

  it('lists what expires within 30, 60 and 90 days, and what has expired', () => {
    const { pki, clock } = setUp();
    const policies = [20, 45, 80, 200];
    const serials = policies.map((days, n) => {
      pki.setPolicy({ certificateValidityDays: days });
      const issued = issue(pki, n);
      pki.confirm(issued.record.serial);
      return issued.record.serial;
    });
    expect(pki.listExpiring(30).map((record) => record.serial)).toEqual([serials[0]]);
    expect(pki.listExpiring(60).map((record) => record.serial)).toEqual(serials.slice(0, 2));
    expect(pki.listExpiring(90).map((record) => record.serial)).toEqual(serials.slice(0, 3));
    expect(pki.expirySummary()).toEqual({
      within30Days: 1,
      within60Days: 2,
      within90Days: 3,
      expired: 0,
    });
    clock.advance(50 * dayMs);
    expect(pki.expirySummary()).toEqual({
      within30Days: 1,
      within60Days: 1,
      within90Days: 1,
      expired: 2,
    });
    expect(pki.getCertificate(serials[0]!).status).toBe('expired');
    expect(pki.listCertificates({ status: 'expired' })).toHaveLength(2);
    expect(
      pki
        .listCertificates({ status: 'active' })
        .map((record) => record.serial)
        .sort(),
    ).toEqual(serials.slice(2).sort());
  });
});

describe('the CRL', () => {
  it('lists revoked and abandoned certificates with reasons, and openssl rejects them', async () => {
    const { dir, pki, clock } = setUp();
    const keep = pki.issue({ csr: csrFor(deviceKey('ec-p256')), device: device(1) });
    pki.confirm(keep.record.serial);
    const compromised = pki.issue({ csr: csrFor(deviceKey('rsa-2048')), device: device(2) });
    pki.confirm(compromised.record.serial);
    const abandoned = pki.issue({ csr: csrFor(deviceKey('ed25519')), device: device(3) });
    clock.advance(60_000);
    pki.revoke(compromised.record.serial, 'keyCompromise');
    pki.abandon(abandoned.record.serial);
    clock.advance(60_000);

    const crl = await pki.publishCrl();
    expect(crl).toMatchObject({ crlNumber: 1, revokedCount: 2 });
    expect(Date.parse(crl.nextUpdate) - Date.parse(crl.thisUpdate)).toBe(7 * dayMs);
    const text = opensslOk(dir, [
      'crl',
      '-noout',
      '-text',
      '-in',
      writeIn(dir, 'crl.pem', crl.pem),
    ]);
    expect(text).toMatch(/X509v3 CRL Number:\s+1\b/);
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toMatch(
      new RegExp(
        `Serial Number: ${compromised.record.serial.toUpperCase()}[\\s\\S]*?Key Compromise`,
      ),
    );
    expect(text).toMatch(
      new RegExp(
        `Serial Number: ${abandoned.record.serial.toUpperCase()}[\\s\\S]*?Cessation Of Operation`,
      ),
    );
    expect(text).not.toContain(keep.record.serial.toUpperCase());
    expect(text).toContain('Last Update: Nov 23 10:02:00 2026 GMT');

    const [issuingPem, rootPem] = pki.authorityChainPem().split(/(?<=-----END CERTIFICATE-----\n)/);
    const check = (certificatePem: string) =>
      verifyWithOpenssl(dir, {
        trustedPem: rootPem!,
        untrustedPem: issuingPem!,
        certificatePem,
        atMs: clock.nowMs(),
        crlPem: crl.pem,
      });
    const revoked = check(compromised.certificatePem);
    expect(revoked.status).not.toBe(0);
    expect(revoked.stdout + revoked.stderr).toContain('certificate revoked');
    expect(check(keep.certificatePem).stdout).toContain(': OK');
  });

  it('numbers CRLs upwards and refuses to record one that a revocation made stale', async () => {
    const { pki } = setUp();
    const issued = pki.issue({ csr: csrFor(deviceKey('ec-p256')), device: device(1) });
    expect((await pki.publishCrl()).crlNumber).toBe(1);
    const prepared = await pki.prepareCrl();
    expect(prepared.crlNumber).toBe(2);
    pki.revoke(issued.record.serial, 'affiliationChanged');
    const error = failure(() => pki.recordCrl(prepared));
    expect(error.details).toEqual({ problem: 'crl.stale' });
    const published = await pki.publishCrl();
    expect(published).toMatchObject({ crlNumber: 2, revokedCount: 1 });
    expect(pki.latestCrl()).toEqual(published);
    const again = await pki.prepareCrl();
    pki.recordCrl(again);
    expect(failure(() => pki.recordCrl(again)).message).toContain('already published');
  });

  it('refuses to publish before a CA exists', async () => {
    const { pki } = setUp({ install: false });
    expect((await failureOf(() => pki.publishCrl())).code).toBe('pki.not_initialised');
  });
});
