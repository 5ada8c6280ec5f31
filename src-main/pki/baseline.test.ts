import type { KeyObject } from 'node:crypto';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import { WardkeepFailure } from '../lib/errors';
import type { BaselineDocument } from './baseline';
import { baselineFormat, signBaseline } from './baseline';
import type { TestPki } from './testing';
import { openTestPki, opensslOk, writeIn } from './testing';

const tempDir = useTempDirs();
const startMs = Date.UTC(2026, 10, 23, 10);

const open: TestPki[] = [];
afterEach(() => {
  for (const store of open.splice(0)) if (store.db.open) store.db.close();
});

const image = (text: string): string => createHash('sha256').update(text).digest('hex');

function documentWith(sequence: number, extra: BaselineDocument['models'] = []): BaselineDocument {
  return {
    sequence,
    publisher: 'Clinical Engineering, Regional Health',
    issuedAt: '2026-11-20T09:00:00Z',
    models: [
      {
        manufacturer: 'Acme Medical',
        model: 'InfuPro 3000',
        approved: [
          { version: '4.2.0', sha256: image('infupro 4.2.0') },
          { version: '4.2.1', sha256: image('infupro 4.2.1') },
        ],
      },
      ...extra,
    ],
  };
}

function publisher(kind: 'ed25519' | 'ec' | 'rsa' = 'ed25519') {
  const pair =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : kind === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 3072 });
  return {
    privateKey: pair.privateKey,
    publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

function setUp() {
  const dir = tempDir();
  const store = openTestPki(dir, frozenClock(startMs));
  open.push(store);
  return { dir, ...store };
}

/** A file signed over any payload bytes: for documents the import must refuse. */
function signedPayload(payload: string, privateKey: KeyObject): string {
  const bytes = Buffer.from(payload, 'utf8');
  return JSON.stringify({
    format: baselineFormat,
    version: 1,
    payload: bytes.toString('base64'),
    signature: { algorithm: 'ed25519', value: sign(null, bytes, privateKey).toString('base64') },
  });
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

describe('firmware baselines', () => {
  it('approves only the listed version with its exact image hash', () => {
    const { pki } = setUp();
    const key = publisher();
    const report = {
      manufacturer: 'Acme Medical',
      model: 'InfuPro 3000',
      version: '4.2.1',
      sha256: image('infupro 4.2.1'),
    };
    expect(pki.checkFirmware(report)).toMatchObject({ approved: false, code: 'no_baseline' });
    pki.setBaselinePublisherKey(key.publicPem);
    const summary = pki.importBaseline(signBaseline(documentWith(1), key.privateKey));
    expect(summary).toMatchObject({ sequence: 1, models: 1, approvedImages: 2 });
    expect(pki.checkFirmware(report)).toEqual({ approved: true, baselineSequence: 1 });
    // Manufacturer and model compare as the inventory does; the hash may come as bytes.
    expect(
      pki.checkFirmware({
        ...report,
        manufacturer: ' acme  MEDICAL',
        sha256: Buffer.from(report.sha256, 'hex'),
      }).approved,
    ).toBe(true);
    expect(pki.checkFirmware({ ...report, model: 'InfuPro 4000' })).toEqual({
      approved: false,
      code: 'unknown_model',
      reason: 'unknown model: baseline 1 lists no Acme Medical InfuPro 4000',
      approvedVersions: [],
      baselineSequence: 1,
    });
    expect(pki.checkFirmware({ ...report, version: '4.1.9' })).toMatchObject({
      approved: false,
      code: 'version_not_approved',
      approvedVersions: ['4.2.0', '4.2.1'],
    });
    const tampered = pki.checkFirmware({ ...report, sha256: image('infupro 4.2.1 + implant') });
    expect(tampered).toMatchObject({ approved: false, code: 'hash_mismatch' });
    expect(!tampered.approved && tampered.reason).toContain('possible tampering');
  });

  it('refuses to import before the publisher key is configured', () => {
    const { pki } = setUp();
    const key = publisher();
    const error = failure(() => pki.importBaseline(signBaseline(documentWith(1), key.privateKey)));
    expect(error.code).toBe('pki.not_initialised');
  });

  it('refuses a baseline signed by another key, or changed after signing', () => {
    const { pki } = setUp();
    const key = publisher();
    pki.setBaselinePublisherKey(key.publicPem);
    const stranger = failure(() =>
      pki.importBaseline(signBaseline(documentWith(1), publisher().privateKey)),
    );
    expect(stranger.code).toBe('baseline.signature');
    const file = JSON.parse(signBaseline(documentWith(1), key.privateKey)) as {
      payload: string;
    };
    const payload = Buffer.from(file.payload, 'base64').toString('utf8').replace('4.2.1', '4.2.9');
    file.payload = Buffer.from(payload).toString('base64');
    const changed = failure(() => pki.importBaseline(JSON.stringify(file)));
    expect(changed.code).toBe('baseline.signature');
    expect(changed.message).toMatch(/^the baseline signature does not verify with the configured/);
    const ecdsa = failure(() =>
      pki.importBaseline(signBaseline(documentWith(1), publisher('ec').privateKey)),
    );
    expect(ecdsa.message).toBe(
      'the baseline is signed with ecdsa-p256-sha256 but the configured publisher key is for ed25519',
    );
    expect(pki.baselineSummary()).toBeNull();
  });

  it('names the JSON path of what is malformed', () => {
    const { pki } = setUp();
    const key = publisher();
    pki.setBaselinePublisherKey(key.publicPem);
    const noSignature = failure(() =>
      pki.importBaseline(JSON.stringify({ format: baselineFormat, version: 1, payload: 'AAAA' })),
    );
    expect(noSignature.code).toBe('baseline.invalid');
    expect(noSignature.details).toEqual({ path: '$.signature' });
    const badHash = documentWith(1);
    badHash.models[0]!.approved[1]!.sha256 = 'not-a-hash';
    const error = failure(() =>
      pki.importBaseline(signedPayload(JSON.stringify(badHash), key.privateKey)),
    );
    expect(error.message).toBe('payload $.models[0].approved[1].sha256: must be 64 hex digits');
    expect(error.details).toEqual({ path: '$.models[0].approved[1].sha256' });
    const repeated = documentWith(1, [documentWith(1).models[0]!]);
    expect(
      failure(() => pki.importBaseline(signedPayload(JSON.stringify(repeated), key.privateKey)))
        .message,
    ).toBe('payload $.models[1]: repeats the model of $.models[0]');
    expect(failure(() => pki.importBaseline('{ not json')).details).toEqual({ path: '$' });
  });

  it('never goes back to an older baseline, and a second import of the same one is a no-op', () => {
    const { pki } = setUp();
    const key = publisher();
    pki.setBaselinePublisherKey(key.publicPem);
    const second = signBaseline(documentWith(2), key.privateKey);
    pki.importBaseline(second);
    expect(pki.importBaseline(second).sequence).toBe(2);
    const older = failure(() => pki.importBaseline(signBaseline(documentWith(1), key.privateKey)));
    expect(older.code).toBe('baseline.invalid');
    expect(older.details).toEqual({ path: '$.sequence' });
    const newer = documentWith(3, [
      {
        manufacturer: 'Acme Medical',
        model: 'VitalView',
        approved: [{ version: '1.0', sha256: image('vitalview 1.0') }],
      },
    ]);
    expect(pki.importBaseline(signBaseline(newer, key.privateKey))).toMatchObject({
      sequence: 3,
      models: 2,
      approvedImages: 3,
    });
  });

  it('accepts ECDSA P-256 and RSA-PSS publishers', () => {
    for (const kind of ['ec', 'rsa'] as const) {
      const { pki } = setUp();
      const key = publisher(kind);
      expect(pki.setBaselinePublisherKey(key.publicPem).algorithm).toBe(
        kind === 'ec' ? 'ecdsa-p256-sha256' : 'rsa-pss-sha256',
      );
      expect(pki.importBaseline(signBaseline(documentWith(1), key.privateKey)).sequence).toBe(1);
    }
  });

  it('imports a baseline signed with the openssl command line', () => {
    const { dir, pki } = setUp();
    opensslOk(dir, ['genpkey', '-algorithm', 'ed25519', '-out', 'publisher.key']);
    opensslOk(dir, ['pkey', '-in', 'publisher.key', '-pubout', '-out', 'publisher.pub']);
    const payload = Buffer.from(JSON.stringify(documentWith(1)), 'utf8');
    writeIn(dir, 'payload.json', payload);
    opensslOk(dir, [
      'pkeyutl',
      '-sign',
      '-rawin',
      '-inkey',
      'publisher.key',
      '-in',
      'payload.json',
      '-out',
      'payload.sig',
    ]);
    pki.setBaselinePublisherKey(readFileSync(`${dir}/publisher.pub`, 'utf8'));
    const file = JSON.stringify({
      format: baselineFormat,
      version: 1,
      payload: payload.toString('base64'),
      signature: {
        algorithm: 'ed25519',
        value: readFileSync(`${dir}/payload.sig`).toString('base64'),
      },
    });
    expect(pki.importBaseline(file).approvedImages).toBe(2);
  });

  it('refuses any malformed file with a coded error, never another exception', () => {
    const { pki } = setUp();
    pki.setBaselinePublisherKey(publisher().publicPem);
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), fc.uint8Array({ maxLength: 300 })), (file) => {
        const error = failure(() => pki.importBaseline(file));
        expect(['baseline.invalid', 'baseline.signature']).toContain(error.code);
      }),
      { numRuns: 200 },
    );
    expect(failure(() => pki.setBaselinePublisherKey(randomBytes(10).toString('hex'))).code).toBe(
      'input.invalid',
    );
  });
});
