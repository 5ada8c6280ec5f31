import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WardkeepFailure } from '../lib/errors';
import type { AuditEntry, AuditRecord, JsonObject } from './record';
import {
  canonicalJson,
  decodeRecord,
  encodeRecord,
  secretKeyReason,
  validateEntry,
} from './record';

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    actor: 'alice',
    role: 'engineer',
    sessionId: 'session-1',
    action: 'device.update',
    target: 'device:42',
    outcome: 'success',
    reason: null,
    emergency: false,
    details: { field: 'firmwareVersion', from: '1.2.3', to: '1.2.4' },
    ...overrides,
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

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units, as the RFC 8785 example orders them', () => {
    const text = canonicalJson({
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    });
    const keys = Object.keys(JSON.parse(text) as object);
    expect(text.startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"')).toBe(true);
    expect(keys.slice(3)).toEqual(['\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('writes numbers in the ECMAScript shortest form and no whitespace', () => {
    expect(
      canonicalJson({ b: [1e21, -0, 0.1, 1e-7, 333333333.3333333], a: { z: true, y: null } }),
    ).toBe('{"a":{"y":null,"z":true},"b":[1e+21,0,0.1,1e-7,333333333.3333333]}');
  });

  it('round-trips any JSON value and gives equal values one text', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        const text = canonicalJson(value as JsonObject);
        expect(canonicalJson(JSON.parse(text) as JsonObject)).toBe(text);
      }),
      { seed: 8785, numRuns: 300 },
    );
  });

  it('refuses values JSON cannot carry exactly', () => {
    expect(failure(() => validateEntry(entry({ details: { n: Number.NaN } }))).message).toContain(
      'details.n is not a finite number',
    );
    expect(
      failure(() =>
        validateEntry(entry({ details: { when: new Date(0) } as unknown as JsonObject })),
      ).message,
    ).toContain('details.when is not a plain JSON object');
    expect(failure(() => validateEntry(entry({ details: { bad: '\ud800' } }))).message).toContain(
      'lone UTF-16 surrogate',
    );
    expect(
      failure(() => validateEntry(entry({ details: { gone: undefined } as unknown as JsonObject })))
        .message,
    ).toContain('details.gone is undefined');
  });
});

describe('secret redaction check', () => {
  it.each([
    'password',
    'newPassword',
    'PASSWORD',
    'user_password',
    'secret',
    'clientSecret',
    'seed',
    'totpSeed',
    'key',
    'privateKey',
    'private_key',
    'signingKey',
    'apiKey',
    'APIKEY',
    'token',
    'sessionToken',
    'recoveryCode',
    'recovery_code',
    'RECOVERY-CODE',
    'recoverycode',
    'totp',
    'passphrase',
  ])('refuses a details key named %s', (name) => {
    expect(secretKeyReason(name)).not.toBeNull();
    const error = failure(() => validateEntry(entry({ details: { [name]: 'x' } })));
    expect(error.code).toBe('audit.invalid');
    expect(error.message).toContain('looks like a secret');
  });

  it('refuses a secret however deep it is nested, naming its path but not its value', () => {
    const error = failure(() =>
      validateEntry(
        entry({
          details: { account: { changes: [{ field: 'role' }, { Password: 'hunter2-value' }] } },
        }),
      ),
    );
    expect(error.code).toBe('audit.invalid');
    expect(error.message).toContain('details.account.changes[1].Password');
    expect(error.message).not.toContain('hunter2-value');
  });

  it.each([
    'keyId',
    'publicKey',
    'keyFingerprint',
    'keyAlgorithm',
    'tokenType',
    'totpEnabled',
    'monkey',
    'keyboardLayout',
    'serialNumber',
    'firmwareVersion',
    'certificateSerial',
  ])('allows the public key name %s', (name) => {
    expect(secretKeyReason(name)).toBeNull();
    expect(() => validateEntry(entry({ details: { [name]: 'x' } }))).not.toThrow();
  });
});

describe('audit entries and records', () => {
  it.each<[string, Partial<AuditEntry>, string]>([
    ['an action without a dot', { action: 'login' }, 'dotted lowercase words'],
    ['an uppercase action', { action: 'Auth.Login' }, 'dotted lowercase words'],
    ['an unknown outcome', { outcome: 'maybe' as AuditEntry['outcome'] }, 'outcome must be one of'],
    ['an empty actor', { actor: '' }, 'use null for none'],
    ['a non-boolean emergency', { emergency: 1 as unknown as boolean }, 'true or false'],
    ['details that are an array', { details: [] as unknown as JsonObject }, 'JSON object'],
    ['a reason of 2001 characters', { reason: 'x'.repeat(2001) }, 'the limit is 2000'],
  ])('refuses %s', (_, overrides, message) => {
    const error = failure(() => validateEntry(entry(overrides)));
    expect(error.code).toBe('audit.invalid');
    expect(error.message).toContain(message);
  });

  it('encodes a record as the canonical JSON of all its fields and decodes it back', () => {
    const base = entry({ reason: 'line one\nline two', emergency: true, actor: null });
    const record: AuditRecord = { ...base, sequence: 7, time: '2026-11-23T10:00:00.000Z' };
    const text = encodeRecord(record, validateEntry(base));
    expect(text).toBe(canonicalJson({ ...record, version: 1 }));
    expect(text).not.toContain('\n');
    expect(decodeRecord(text)).toEqual(record);
  });

  it('refuses to decode a record that is not byte for byte canonical', () => {
    const record: AuditRecord = { ...entry(), sequence: 1, time: '2026-11-23T10:00:00.000Z' };
    const text = encodeRecord(record, validateEntry(record));
    expect(failure(() => decodeRecord(text.replace('{"action"', '{ "action"'))).code).toBe(
      'audit.tampered',
    );
    expect(failure(() => decodeRecord(text.replace('"version":1', '"version":2'))).code).toBe(
      'audit.tampered',
    );
  });
});
