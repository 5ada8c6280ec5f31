import { describe, expect, it } from 'vitest';
import { WardkeepFailure } from '../lib/errors';
import {
  checkpointText,
  ed25519PrivateKeyFromSeed,
  exportPrivateKey,
  generateNoteSigningKey,
  importNoteSigningKey,
  keyIdHex,
  noteKeyId,
  openCheckpoint,
  openNote,
  parseCheckpointText,
  parseVerifierKey,
  publicKeyFingerprint,
  rawEd25519PublicKey,
  signCheckpoint,
  signNote,
  verifierFromSigningKey,
  verifierKeyText,
} from './checkpoint';
import type { NoteSigningKey } from './checkpoint';
import { createPublicKey } from 'node:crypto';

// The published example of golang.org/x/mod/sumdb/note (note_test.go): a test key pair that
// exists only as a public test vector, its note text, and its signature. Ed25519 is
// deterministic, so a faithful implementation reproduces the note byte for byte.
const goSignerKey =
  'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const goVerifierKey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const goText =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const goSignatureLine =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

function goSigningKey(): NoteSigningKey {
  // The base64 part may itself hold '+': only the first four are separators.
  const parts = goSignerKey.split('+');
  const name = parts[2]!;
  const bytes = Buffer.from(parts.slice(4).join('+'), 'base64');
  expect(bytes[0]).toBe(1);
  const privateKey = ed25519PrivateKeyFromSeed(bytes.subarray(1));
  return { name, privateKey, publicKey: rawEd25519PublicKey(createPublicKey(privateKey)) };
}

function failureCode(run: () => unknown): string {
  try {
    run();
    return 'no error';
  } catch (error) {
    if (error instanceof WardkeepFailure) return error.code;
    throw error;
  }
}

describe('C2SP signed notes', () => {
  it('reproduces the Go reference note byte for byte', () => {
    const key = goSigningKey();
    expect(keyIdHex(noteKeyId(key.name, key.publicKey))).toBe('c74f20a3');
    expect(verifierKeyText(key.name, key.publicKey)).toBe(goVerifierKey);
    expect(signNote(goText, key)).toBe(`${goText}\n${goSignatureLine}`);
  });

  it('opens the Go reference note with its verifier key and rejects an altered text', () => {
    const verifier = parseVerifierKey(goVerifierKey);
    const note = `${goText}\n${goSignatureLine}`;
    expect(openNote(note, [verifier]).text).toBe(goText);
    expect(
      failureCode(() => openNote(note.replace('cryptography', 'cryptographY'), [verifier])),
    ).toBe('audit.tampered');
  });

  it('ignores signatures by unknown keys but needs one by a trusted key', () => {
    const trusted = generateNoteSigningKey('example.org/console');
    const stranger = generateNoteSigningKey('example.org/other');
    const note = signNote('hello\n', trusted);
    const cosigned = `${note}${signNote('hello\n', stranger).split('\n\n')[1]!}`;
    expect(openNote(cosigned, [verifierFromSigningKey(trusted)]).signedBy).toHaveLength(1);
    expect(
      failureCode(() => openNote(cosigned, [verifierFromSigningKey(generateNoteSigningKey('x'))])),
    ).toBe('audit.tampered');
  });

  it('refuses notes that are not signed notes', () => {
    const key = generateNoteSigningKey('example.org/console');
    const verifiers = [verifierFromSigningKey(key)];
    const note = signNote('a\nb\n', key);
    expect(failureCode(() => openNote('a\nb\n', verifiers))).toBe('audit.invalid');
    expect(failureCode(() => openNote(note.replace('\u2014', '-'), verifiers))).toBe(
      'audit.invalid',
    );
    expect(failureCode(() => openNote(`\u0001${note}`, verifiers))).toBe('audit.invalid');
    expect(failureCode(() => openNote(`${note}Unexpected line.\n`, verifiers))).toBe(
      'audit.invalid',
    );
  });

  it('keeps a generated key through PKCS#8 and gives its fingerprint', () => {
    const key = generateNoteSigningKey('example.org/console');
    const restored = importNoteSigningKey(key.name, exportPrivateKey(key));
    expect(restored.publicKey).toEqual(key.publicKey);
    expect(
      openNote(signNote('x\n', restored), [
        parseVerifierKey(verifierKeyText(key.name, key.publicKey)),
      ]).text,
    ).toBe('x\n');
    expect(publicKeyFingerprint(key.publicKey)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a verifier key whose key ID does not match', () => {
    expect(failureCode(() => parseVerifierKey(goVerifierKey.replace('c74f20a3', 'c74f20a4')))).toBe(
      'audit.invalid',
    );
    expect(failureCode(() => parseVerifierKey('PeterNeumann+c74f20a3'))).toBe('audit.invalid');
  });
});

describe('C2SP tlog checkpoints', () => {
  const body = {
    origin: 'example.org/wardkeep',
    treeSize: 20852163,
    rootHash: Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64'),
    time: '2026-11-23T10:00:00.000Z',
  };

  it('writes origin, size, base64 root and the time extension line', () => {
    expect(checkpointText(body)).toBe(
      'example.org/wardkeep\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 2026-11-23T10:00:00.000Z\n',
    );
    expect(parseCheckpointText(checkpointText(body))).toEqual(body);
  });

  it('signs with the origin as key name and opens only with the right key', () => {
    const key = generateNoteSigningKey(body.origin);
    const signed = signCheckpoint(body, key);
    expect(signed.note.split('\n\n')[1]).toMatch(
      /^\u2014 example\.org\/wardkeep [A-Za-z0-9+/]{91}=\n$/,
    );
    expect(openCheckpoint(signed.note, [verifierFromSigningKey(key)])).toEqual(body);
    const other = generateNoteSigningKey(body.origin);
    expect(failureCode(() => openCheckpoint(signed.note, [verifierFromSigningKey(other)]))).toBe(
      'audit.tampered',
    );
    const forged = signed.note.replace('20852163', '20852162');
    expect(failureCode(() => openCheckpoint(forged, [verifierFromSigningKey(key)]))).toBe(
      'audit.tampered',
    );
  });

  it.each([
    [
      'a leading zero in the size',
      'example.org/wardkeep\n020\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 2026-11-23T10:00:00.000Z\n',
    ],
    ['a short root', 'example.org/wardkeep\n20\nCsUY\ntime 2026-11-23T10:00:00.000Z\n'],
    ['no time line', 'example.org/wardkeep\n20\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['an empty line', 'example.org/wardkeep\n\n20\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
  ])('refuses a checkpoint with %s', (_, text) => {
    expect(failureCode(() => parseCheckpointText(text))).toBe('audit.invalid');
  });
});
