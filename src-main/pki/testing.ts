// Test-only helpers for the PKI tests: the real openssl binary in a temporary directory, a real
// encrypted store with the PKI migration applied, and device keys and CSRs made at test time.
// Never imported by shipped code; nothing here holds a fixed key or password.
import type { KeyObject } from 'node:crypto';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrationForTest } from '../../test/support/schema';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { SqliteDatabase } from '../store/database';
import { openDatabase } from '../store/database';
import * as pkiMigration from '../store/migrations/0004-pki';
import { createCertificationRequest } from './csr';
import { oids } from './der';
import type { PkiService } from './service';
import { createPki } from './service';

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface OpensslResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs openssl in `cwd`; never throws on a non-zero exit (tests assert on it). Passwords go in
 * `env` (`-passout env:NAME`), not on the command line where other processes could read them.
 */
export function openssl(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): OpensslResult {
  const result = spawnSync('openssl', args, {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs openssl and throws with its stderr when it fails: for setting fixtures up. */
export function opensslOk(cwd: string, args: string[], env: Record<string, string> = {}): string {
  const result = openssl(cwd, args, env);
  if (result.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

export function writeIn(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export interface TestPki {
  db: SqliteDatabase;
  pki: PkiService;
}

/**
 * Applies migration 0005 to a store that does not have its tables yet. applyMigrationForTest goes
 * by user_version, which a later migration listed before this one (0006) has already passed; once
 * 0005 is listed, openDatabase has applied it and this does nothing.
 */
export function applyPkiMigration(db: SqliteDatabase): void {
  const present = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pki_settings'`)
    .get();
  if (present) return;
  applyMigrationForTest(db, pkiMigration);
  if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'pki_settings'`).get()) {
    db.transaction(() => pkiMigration.up(db)).immediate();
  }
}

/** A real encrypted store (random key) in `dir` with the PKI migration applied. */
export function openTestPki(dir: string, clock: Clock): TestPki {
  const db = openDatabase(join(dir, 'wardkeep.db'), randomBytes(32));
  applyPkiMigration(db);
  return { db, pki: createPki({ db, clock, logger: silentLogger }) };
}

export type DeviceKeyKind = 'rsa-2048' | 'ec-p256' | 'ed25519';

export function deviceKey(kind: DeviceKeyKind): KeyObject {
  switch (kind) {
    case 'rsa-2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    case 'ec-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey;
  }
}

export function csrFor(privateKey: KeyObject, commonName = 'device'): Buffer {
  return createCertificationRequest(privateKey, [{ oid: oids.commonName, value: commonName }]);
}

/** openssl verify at the clock's time (seconds), optionally against a CRL. */
export function verifyWithOpenssl(
  dir: string,
  input: {
    trustedPem: string;
    untrustedPem?: string;
    certificatePem: string;
    atMs: number;
    crlPem?: string;
    purpose?: string;
  },
): OpensslResult {
  const tag = randomBytes(4).toString('hex');
  const args = ['verify', '-attime', String(Math.floor(input.atMs / 1000))];
  args.push('-CAfile', writeIn(dir, `trusted-${tag}.pem`, input.trustedPem));
  if (input.untrustedPem) {
    args.push('-untrusted', writeIn(dir, `untrusted-${tag}.pem`, input.untrustedPem));
  }
  if (input.crlPem)
    args.push('-crl_check', '-CRLfile', writeIn(dir, `crl-${tag}.pem`, input.crlPem));
  if (input.purpose) args.push('-purpose', input.purpose);
  args.push(writeIn(dir, `certificate-${tag}.pem`, input.certificatePem));
  return openssl(dir, args);
}

export interface ManufacturerOptions {
  organisation?: string;
  rootPathLength?: number;
  intermediateIsCa?: boolean;
  leafKey?: 'ec' | 'rsa';
  leafIsCa?: boolean;
  serial?: string;
  model?: string;
}

export interface Manufacturer {
  rootPem: string;
  intermediatePem: string;
  leafPem: string;
  leafKey: KeyObject;
}

function opensslKey(dir: string, name: string, type: 'ec' | 'rsa'): string {
  opensslOk(dir, [
    'genpkey',
    ...(type === 'rsa'
      ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
      : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
    '-out',
    `${name}.key`,
  ]);
  return `${name}.key`;
}

function signWithOpenssl(
  dir: string,
  name: string,
  subject: string,
  issuer: string,
  extensions: string,
) {
  opensslOk(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
  writeIn(dir, `${name}.ext`, extensions);
  opensslOk(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${issuer}.pem`,
    '-CAkey',
    `${issuer}.key`,
    '-CAcreateserial',
    '-days',
    '3650',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
}

/**
 * A manufacturer's PKI made by openssl at test time: root → intermediate → the IDevID of one
 * device (subject O=<organisation>, CN=<model>, serialNumber=<serial>), with the IDevID's key.
 */
export function createManufacturerPki(
  dir: string,
  prefix: string,
  options: ManufacturerOptions = {},
): Manufacturer {
  const organisation = options.organisation ?? 'Acme Medical';
  const root = `${prefix}-root`;
  const intermediate = `${prefix}-intermediate`;
  const leaf = `${prefix}-leaf`;
  opensslKey(dir, root, 'ec');
  const pathLength =
    options.rootPathLength === undefined ? '' : `,pathlen:${options.rootPathLength}`;
  opensslOk(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    `${root}.key`,
    '-subj',
    `/O=${organisation}/CN=${organisation} Root CA`,
    '-days',
    '7300',
    '-addext',
    `basicConstraints=critical,CA:true${pathLength}`,
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    `${root}.pem`,
  ]);
  opensslKey(dir, intermediate, 'ec');
  signWithOpenssl(
    dir,
    intermediate,
    `/O=${organisation}/CN=${organisation} Device CA`,
    root,
    (options.intermediateIsCa ?? true)
      ? 'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign\n'
      : 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,keyCertSign\n',
  );
  opensslKey(dir, leaf, options.leafKey ?? 'ec');
  signWithOpenssl(
    dir,
    leaf,
    `/O=${organisation}/CN=${options.model ?? 'InfuPro 3000'}/serialNumber=${options.serial ?? 'SN-0042'}`,
    intermediate,
    options.leafIsCa
      ? 'basicConstraints=critical,CA:true\nkeyUsage=critical,digitalSignature,keyCertSign\n'
      : 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\n',
  );
  const read = (name: string) => readFileSync(`${dir}/${name}.pem`, 'utf8');
  return {
    rootPem: read(root),
    intermediatePem: read(intermediate),
    leafPem: read(leaf),
    leafKey: createPrivateKey(readFileSync(`${dir}/${leaf}.key`, 'utf8')),
  };
}
