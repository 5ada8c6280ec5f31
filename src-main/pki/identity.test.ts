import { constants, randomBytes, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import { WardkeepFailure } from '../lib/errors';
import { readPemBlocks } from './der';
import { dayMs } from './profile';
import type { Manufacturer, TestPki } from './testing';
import { createManufacturerPki, openTestPki, opensslOk } from './testing';
import type { IdentityEvidence } from './types';

const tempDir = useTempDirs();

const open: TestPki[] = [];
afterEach(() => {
  for (const store of open.splice(0)) if (store.db.open) store.db.close();
});

function store(dir: string, nowMs = Date.now()) {
  const clock = frozenClock(nowMs);
  const opened = openTestPki(dir, clock);
  open.push(opened);
  return { clock, ...opened };
}

function evidence(
  device: Manufacturer,
  overrides: Partial<IdentityEvidence> = {},
): IdentityEvidence {
  const challenge = randomBytes(32);
  const signature = sign('sha256', challenge, device.leafKey);
  return {
    idevidChainPem: device.leafPem + device.intermediatePem,
    challenge,
    signature,
    claimedSerial: 'SN-0042',
    ...overrides,
  };
}

/** Evidence as the provisioning protocol carries it: DER certificates. */
function derEvidence(device: Manufacturer, chain: Uint8Array[]): IdentityEvidence {
  const challenge = randomBytes(32);
  return {
    idevidChainDer: chain,
    challenge,
    signature: sign('sha256', challenge, device.leafKey),
    claimedSerial: 'SN-0042',
  };
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

describe('the manufacturer trust bundle', () => {
  it('trusts each CA of a bundle once', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const { pki } = store(dir);
    const report = pki.importTrustBundle(`# Acme\n${acme.rootPem}${acme.intermediatePem}`);
    expect(report.added.map((anchor) => anchor.subject)).toEqual([
      'O=Acme Medical, CN=Acme Medical Root CA',
      'O=Acme Medical, CN=Acme Medical Device CA',
    ]);
    expect(report.added[0]!.manufacturer).toBe('Acme Medical');
    const again = pki.importTrustBundle(acme.rootPem);
    expect(again).toEqual({ added: [], alreadyTrusted: [report.added[0]!.fingerprintSha256] });
    expect(pki.listTrustAnchors()).toHaveLength(2);
    pki.removeTrustAnchor(report.added[1]!.fingerprintSha256);
    expect(pki.status().trustAnchors).toBe(1);
  });

  it('refuses the whole bundle for one certificate that is not a CA, naming it', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const { pki } = store(dir);
    const error = failure(() => pki.importTrustBundle(acme.rootPem + acme.leafPem));
    expect(error.code).toBe('trust.invalid');
    expect(error.message).toMatch(
      /^certificate 2 \(line \d+\) "O=Acme Medical, CN=InfuPro 3000, serialNumber=SN-0042" is not a CA/,
    );
    expect(error.details).toEqual({
      index: 2,
      subject: 'O=Acme Medical, CN=InfuPro 3000, serialNumber=SN-0042',
    });
    expect(pki.listTrustAnchors()).toEqual([]);
  });

  it('refuses an expired CA and a bundle without certificates', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const { pki } = store(dir, Date.now() + 7301 * dayMs);
    expect(failure(() => pki.importTrustBundle(acme.rootPem)).message).toMatch(
      /^certificate 1 \(line 1\) "O=Acme Medical, CN=Acme Medical Root CA" expired on /,
    );
    expect(failure(() => pki.importTrustBundle('nothing')).message).toBe(
      'the bundle holds no PEM certificate',
    );
  });

  it('names the manufacturer as told at import', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const { pki } = store(dir);
    pki.importTrustBundle(acme.rootPem, { manufacturer: 'Acme Medical Devices GmbH' });
    const verdict = pki.verifyDeviceIdentity(evidence(acme));
    expect(verdict.trusted && verdict.identity.manufacturer).toBe('Acme Medical Devices GmbH');
  });
});

describe('verifying a device identity', () => {
  it('accepts an ECDSA P-256 IDevID chained to a trusted manufacturer', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const { pki } = store(dir);
    pki.importTrustBundle(acme.rootPem);
    const verdict = pki.verifyDeviceIdentity(evidence(acme));
    expect(verdict).toMatchObject({
      trusted: true,
      identity: {
        manufacturer: 'Acme Medical',
        model: 'InfuPro 3000',
        serialNumber: 'SN-0042',
        subject: 'O=Acme Medical, CN=InfuPro 3000, serialNumber=SN-0042',
        signatureAlgorithm: 'ecdsa-p256-sha256',
      },
    });
    const leafDer = readPemBlocks(acme.leafPem, () => {
      throw new Error('bad PEM');
    })[0]!.der;
    expect(verdict.trusted && verdict.identity.fingerprintSha256).toBe(
      opensslOk(dir, ['x509', '-noout', '-fingerprint', '-sha256', '-in', 'acme-leaf.pem'])
        .split('=')[1]!
        .trim()
        .replace(/:/g, '')
        .toLowerCase(),
    );
    // The protocol carries DER: the IDevID, then its intermediates.
    const der = (pem: string) =>
      readPemBlocks(pem, () => {
        throw new Error('bad PEM');
      })[0]!.der;
    const fromDer = pki.verifyDeviceIdentity(
      derEvidence(acme, [leafDer, der(acme.intermediatePem)]),
    );
    expect(fromDer.trusted).toBe(true);
    const withoutIntermediate = pki.verifyDeviceIdentity(derEvidence(acme, [leafDer]));
    expect(withoutIntermediate).toMatchObject({ trusted: false, code: 'untrusted_manufacturer' });
    // The manufacturer's root may be presented at the end of the chain too.
    const withAnchor = pki.verifyDeviceIdentity(
      evidence(acme, { idevidChainPem: acme.leafPem + acme.intermediatePem + acme.rootPem }),
    );
    expect(withAnchor.trusted).toBe(true);
  });

  it('accepts RSA IDevIDs signing with PKCS#1 v1.5 or PSS', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme', { leafKey: 'rsa' });
    const { pki } = store(dir);
    pki.importTrustBundle(acme.rootPem);
    const pkcs1 = pki.verifyDeviceIdentity(evidence(acme));
    expect(pkcs1.trusted && pkcs1.identity.signatureAlgorithm).toBe('rsa-pkcs1-sha256');
    const challenge = randomBytes(48);
    const pss = pki.verifyDeviceIdentity({
      ...evidence(acme),
      challenge,
      signature: sign('sha256', challenge, {
        key: acme.leafKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      }),
      signatureAlgorithm: 'rsa-pss-sha256',
    });
    expect(pss.trusted).toBe(true);
  });

  it('refuses a manufacturer nobody trusts', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const other = createManufacturerPki(dir, 'other', { organisation: 'Other Corp' });
    const { pki } = store(dir);
    pki.importTrustBundle(acme.rootPem);
    const verdict = pki.verifyDeviceIdentity(evidence(other));
    expect(verdict).toEqual({
      trusted: false,
      code: 'untrusted_manufacturer',
      reason:
        'untrusted manufacturer: "O=Other Corp, CN=Other Corp Device CA" does not chain to a trusted manufacturer CA (issuer "O=Other Corp, CN=Other Corp Root CA")',
    });
  });

  it('refuses a forged chain whose names copy the trusted manufacturer', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const forged = createManufacturerPki(dir, 'forged');
    const { pki } = store(dir);
    pki.importTrustBundle(acme.rootPem);
    const verdict = pki.verifyDeviceIdentity(evidence(forged));
    expect(verdict.trusted).toBe(false);
    expect(!verdict.trusted && verdict.code).toBe('untrusted_manufacturer');
    expect(!verdict.trusted && verdict.reason).toBe(
      'untrusted manufacturer: "O=Acme Medical, CN=Acme Medical Device CA" names the issuer "O=Acme Medical, CN=Acme Medical Root CA" but is not signed by it',
    );
  });

  it('refuses a copied IDevID whose key the device does not hold', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const clone = createManufacturerPki(dir, 'clone');
    const { pki } = store(dir);
    pki.importTrustBundle(acme.rootPem);
    const challenge = randomBytes(32);
    const verdict = pki.verifyDeviceIdentity({
      ...evidence(acme),
      challenge,
      signature: sign('sha256', challenge, clone.leafKey),
    });
    expect(verdict).toMatchObject({ trusted: false, code: 'signature_invalid' });
    expect(!verdict.trusted && verdict.reason).toBe(
      'signature does not verify: the signature over the challenge does not verify with the IDevID key (ecdsa-p256-sha256)',
    );
  });

  it('refuses a device reporting another serial than its IDevID', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const { pki } = store(dir);
    pki.importTrustBundle(acme.rootPem);
    const verdict = pki.verifyDeviceIdentity(evidence(acme, { claimedSerial: 'SN-0043' }));
    expect(verdict).toEqual({
      trusted: false,
      code: 'serial_mismatch',
      reason:
        'serial mismatch: the device reports serial "SN-0043" but its IDevID is for "SN-0042"',
    });
  });

  it('refuses an expired IDevID', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const { pki, clock } = store(dir);
    pki.importTrustBundle(acme.rootPem);
    clock.advance(3651 * dayMs);
    const verdict = pki.verifyDeviceIdentity(evidence(acme));
    expect(verdict).toMatchObject({ trusted: false, code: 'expired' });
    expect(!verdict.trusted && verdict.reason).toMatch(
      /^expired: the IDevID "O=Acme Medical, CN=InfuPro 3000, serialNumber=SN-0042" expired on /,
    );
  });

  it('enforces CA flags and path lengths along the chain', () => {
    const dir = tempDir();
    const short = createManufacturerPki(dir, 'short', { rootPathLength: 0 });
    const notCa = createManufacturerPki(dir, 'notca', {
      organisation: 'NotCA Inc',
      intermediateIsCa: false,
    });
    const caLeaf = createManufacturerPki(dir, 'caleaf', {
      organisation: 'CALeaf Inc',
      leafIsCa: true,
    });
    const { pki } = store(dir);
    pki.importTrustBundle(short.rootPem + notCa.rootPem + caLeaf.rootPem);
    const tooLong = pki.verifyDeviceIdentity(evidence(short));
    expect(!tooLong.trusted && tooLong.reason).toBe(
      'untrusted manufacturer: manufacturer CA "O=Acme Medical, CN=Acme Medical Root CA" allows 0 CA(s) below it, the chain has 1',
    );
    const intermediate = pki.verifyDeviceIdentity(evidence(notCa));
    expect(intermediate).toMatchObject({ trusted: false, code: 'untrusted_manufacturer' });
    const leaf = pki.verifyDeviceIdentity(evidence(caLeaf));
    expect(leaf).toMatchObject({ trusted: false, code: 'malformed' });
  });

  it('refuses unreadable chains as malformed and a short challenge as a caller error', () => {
    const dir = tempDir();
    const acme = createManufacturerPki(dir, 'acme');
    const { pki } = store(dir);
    pki.importTrustBundle(acme.rootPem);
    const garbage = pki.verifyDeviceIdentity(derEvidence(acme, [randomBytes(200)]));
    expect(garbage).toMatchObject({ trusted: false, code: 'malformed' });
    const empty = pki.verifyDeviceIdentity(evidence(acme, { idevidChainPem: '' }));
    expect(!empty.trusted && empty.reason).toBe(
      'malformed identity: no IDevID certificate was presented',
    );
    expect(
      failure(() => pki.verifyDeviceIdentity(evidence(acme, { challenge: randomBytes(8) }))).code,
    ).toBe('input.invalid');
  });
});
