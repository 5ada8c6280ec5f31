// An attacker with the database key edits the real encrypted database with raw SQL, dropping the
// append-only triggers first. Every edit must be detected, and the first bad record named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import type { SqliteDatabase } from '../store/database';
import { openDatabase } from '../store/database';
import { createAuditLog } from './log';
import type { AuditLog, AuditVerification } from './log';
import { CompactTree, leafHash } from './merkle';
import { canonicalJson, encodeRecord } from './record';
import type { AuditRecord } from './record';
import { openAuditDatabase, sampleEntry } from './test-fixture';

const tempDir = useTempDirs();
const recordCount = 300;
// Checkpoints at irregular sizes, the last at the end of the log.
const checkpointSizes = [1, 2, 37, 64, 100, 129, 200, 255, 256, 257, 299, 300];

/** Builds a log, then drops the append-only triggers for good, as the attacker's first step. */
function buildLog(count = recordCount, sizes = checkpointSizes) {
  const { db, file, key } = openAuditDatabase(tempDir());
  const clock = frozenClock(Date.UTC(2026, 10, 23, 10));
  const log = createAuditLog({ db, clock });
  for (let n = 0; n < count; n++) {
    db.transaction(() => log.append(sampleEntry(n)))();
    clock.advance(997);
    if (sizes.includes(n + 1)) log.checkpoint();
  }
  expect(log.verify()).toMatchObject({ ok: true, size: count });
  db.exec(dropTriggers);
  return { db, file, key, log };
}

const fields = [
  'actor',
  'role',
  'sessionId',
  'action',
  'target',
  'outcome',
  'reason',
  'emergency',
  'details',
  'time',
  'sequence',
] as const;
type Field = (typeof fields)[number];

/** The record with one field changed, in canonical form: a plausible forgery. */
function forged(text: string, field: Field): string {
  const record = JSON.parse(text) as AuditRecord;
  const next: AuditRecord = { ...record };
  switch (field) {
    case 'actor':
      next.actor = record.actor === 'mallory' ? 'eve' : 'mallory';
      break;
    case 'role':
      next.role = record.role === 'administrator' ? 'engineer' : 'administrator';
      break;
    case 'sessionId':
      next.sessionId = 'session-forged';
      break;
    case 'action':
      next.action = record.action === 'auth.logout' ? 'auth.login' : 'auth.logout';
      break;
    case 'target':
      next.target = record.target === null ? 'device:forged' : null;
      break;
    case 'outcome':
      next.outcome = record.outcome === 'success' ? 'denied' : 'success';
      break;
    case 'reason':
      next.reason = record.reason === null ? 'routine maintenance' : null;
      break;
    case 'emergency':
      next.emergency = !record.emergency;
      break;
    case 'details':
      next.details = { ...record.details, n: -1 };
      break;
    case 'time':
      next.time = new Date(Date.parse(record.time) - 3_600_000).toISOString();
      break;
    case 'sequence':
      next.sequence = record.sequence + 1;
      break;
  }
  const result = encodeRecord(next, canonicalJson(next.details));
  expect(result).not.toBe(text);
  return result;
}

type Tamper =
  | { kind: 'field'; sequence: number; field: Field }
  | { kind: 'leaf'; sequence: number; bit: number }
  | { kind: 'delete'; sequence: number }
  | { kind: 'swap'; first: number; second: number; withLeaves: boolean }
  | { kind: 'truncate'; keep: number }
  | { kind: 'rewrite'; sequence: number; field: Field };

const sequence = fc.integer({ min: 1, max: recordCount });
const tampers: fc.Arbitrary<Tamper> = fc.oneof(
  fc.record({ kind: fc.constant('field' as const), sequence, field: fc.constantFrom(...fields) }),
  fc.record({ kind: fc.constant('leaf' as const), sequence, bit: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), sequence }),
  fc
    .record({
      kind: fc.constant('swap' as const),
      first: sequence,
      second: sequence,
      withLeaves: fc.boolean(),
    })
    .filter((tamper) => tamper.first !== tamper.second),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat({ max: recordCount - 1 }) }),
  fc.record({
    kind: fc.constant('rewrite' as const),
    sequence,
    field: fc.constantFrom(...fields.filter((field) => field !== 'sequence')),
  }),
);

const dropTriggers = `
  DROP TRIGGER audit_records_no_update;
  DROP TRIGGER audit_records_no_delete;
  DROP TRIGGER audit_tree_state_grows;`;

function recordText(db: SqliteDatabase, at: number): string {
  return db
    .prepare('SELECT record FROM audit_records WHERE sequence = ?')
    .pluck()
    .get(at) as string;
}

/** Recomputes the tree state from the stored leaves, as an attacker covering tracks would. */
function rewriteTreeState(db: SqliteDatabase): void {
  const tree = new CompactTree();
  for (const leaf of db
    .prepare('SELECT leaf_hash FROM audit_records ORDER BY sequence')
    .pluck()
    .iterate() as IterableIterator<Buffer>) {
    tree.append(leaf);
  }
  db.prepare('UPDATE audit_tree_state SET size = ?, stack = ? WHERE id = 1').run(
    tree.size,
    tree.toBytes(),
  );
}

/** Applies the tamper with raw SQL; returns the sequence verify() must name. */
function apply(db: SqliteDatabase, tamper: Tamper): number {
  switch (tamper.kind) {
    case 'field':
      db.prepare('UPDATE audit_records SET record = ? WHERE sequence = ?').run(
        forged(recordText(db, tamper.sequence), tamper.field),
        tamper.sequence,
      );
      return tamper.sequence;
    case 'leaf': {
      const leaf = db
        .prepare('SELECT leaf_hash FROM audit_records WHERE sequence = ?')
        .pluck()
        .get(tamper.sequence) as Buffer;
      leaf[Math.floor(tamper.bit / 8)]! ^= 1 << (tamper.bit % 8);
      db.prepare('UPDATE audit_records SET leaf_hash = ? WHERE sequence = ?').run(
        leaf,
        tamper.sequence,
      );
      return tamper.sequence;
    }
    case 'delete':
      db.prepare('DELETE FROM audit_records WHERE sequence = ?').run(tamper.sequence);
      return tamper.sequence;
    case 'swap': {
      const columns = tamper.withLeaves ? 'record, leaf_hash, subtree_hashes' : 'record';
      const read = db.prepare(`SELECT ${columns} FROM audit_records WHERE sequence = ?`);
      const first = read.get(tamper.first) as Record<string, unknown>;
      const second = read.get(tamper.second) as Record<string, unknown>;
      const write = db.prepare(
        `UPDATE audit_records SET ${columns
          .split(', ')
          .map((column) => `${column} = @${column}`)
          .join(', ')} WHERE sequence = @sequence`,
      );
      write.run({ ...second, sequence: tamper.first });
      write.run({ ...first, sequence: tamper.second });
      return Math.min(tamper.first, tamper.second);
    }
    case 'truncate':
      db.prepare('DELETE FROM audit_records WHERE sequence > ?').run(tamper.keep);
      return tamper.keep + 1;
    case 'rewrite': {
      const text = forged(recordText(db, tamper.sequence), tamper.field);
      db.prepare('UPDATE audit_records SET record = ?, leaf_hash = ? WHERE sequence = ?').run(
        text,
        leafHash(text),
        tamper.sequence,
      );
      rewriteTreeState(db);
      return tamper.sequence;
    }
  }
}

/** Runs one tamper inside a transaction that is rolled back, so every case starts clean. */
function tamperAndVerify(db: SqliteDatabase, log: AuditLog, tamper: Tamper) {
  db.exec('BEGIN IMMEDIATE');
  try {
    const expected = apply(db, tamper);
    return { expected, result: log.verify() };
  } finally {
    db.exec('ROLLBACK');
  }
}

describe('tamper detection', () => {
  it('detects 1,200 random edits and names the first bad record of each', () => {
    const { db, log } = buildLog();
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(tampers, (tamper) => {
        const { expected, result } = tamperAndVerify(db, log, tamper);
        seen.set(tamper.kind, (seen.get(tamper.kind) ?? 0) + 1);
        expect(result, JSON.stringify(tamper)).toMatchObject({
          ok: false,
          firstBadSequence: expected,
        });
      }),
      { seed: 20_261_123, numRuns: 1200 },
    );
    expect([...seen.keys()].sort()).toEqual(
      ['delete', 'field', 'leaf', 'rewrite', 'swap', 'truncate'].sort(),
    );
    expect(log.verify()).toMatchObject({ ok: true, size: recordCount });
    db.close();
  }, 300_000);

  it('reaches the same verdict whatever the chunk size, and on a worker thread', () => {
    const { db, log } = buildLog();
    const clock = frozenClock(0);
    const small = createAuditLog({ db, clock, verifyTuning: { chunkRecords: 8 } });
    const threaded = createAuditLog({
      db,
      clock,
      verifyTuning: { chunkRecords: 32, workerFrom: 0 },
    });
    const honest = log.verify();
    expect(small.verify()).toEqual(honest);
    expect(threaded.verify()).toEqual(honest);
    fc.assert(
      fc.property(tampers, fc.boolean(), (tamper, onWorker) => {
        db.exec('BEGIN IMMEDIATE');
        try {
          apply(db, tamper);
          const expected = log.verify();
          expect(expected.ok).toBe(false);
          expect((onWorker ? threaded : small).verify(), JSON.stringify(tamper)).toEqual(expected);
        } finally {
          db.exec('ROLLBACK');
        }
      }),
      { seed: 20_261_124, numRuns: 200 },
    );
    db.close();
  }, 300_000);

  it('checks the subtree hashes a chunk’s last row stores above the chunk', () => {
    const { db, log } = buildLog();
    const small = createAuditLog({ db, clock: frozenClock(0), verifyTuning: { chunkRecords: 8 } });
    db.exec('BEGIN IMMEDIATE');
    try {
      // Record 256 stores its sibling leaf and 8 subtrees; those above level 3 span many chunks.
      const stored = db
        .prepare('SELECT subtree_hashes FROM audit_records WHERE sequence = 256')
        .pluck()
        .get() as Buffer;
      expect(stored.length).toBe(32 * 9);
      stored[32 * 8 + 5]! ^= 1;
      db.prepare('UPDATE audit_records SET subtree_hashes = ? WHERE sequence = 256').run(stored);
      const expected = log.verify();
      expect(expected).toMatchObject({ ok: false, kind: 'subtree', firstBadSequence: 256 });
      expect(small.verify()).toEqual(expected);
    } finally {
      db.exec('ROLLBACK');
    }
    db.close();
  });

  it('names each kind of edit the way the auditors read it', () => {
    const { db, log } = buildLog();
    const kindOf = (tamper: Tamper): AuditVerification => tamperAndVerify(db, log, tamper).result;
    expect(kindOf({ kind: 'field', sequence: 5, field: 'actor' })).toMatchObject({
      kind: 'content',
      problem: 'record 5 does not match its stored leaf hash: its content was changed',
    });
    expect(kindOf({ kind: 'delete', sequence: 17 })).toMatchObject({
      kind: 'missing',
      problem: 'record 17 is missing: the next stored record is 18',
    });
    expect(kindOf({ kind: 'swap', first: 9, second: 90, withLeaves: true })).toMatchObject({
      kind: 'order',
      firstBadSequence: 9,
    });
    expect(kindOf({ kind: 'truncate', keep: 250 })).toMatchObject({
      kind: 'truncated',
      firstBadSequence: 251,
    });
    const rewritten = kindOf({ kind: 'rewrite', sequence: 150, field: 'outcome' });
    expect(rewritten).toMatchObject({ kind: 'rewritten', firstBadSequence: 150 });
    expect(rewritten.ok === false && rewritten.problem).toContain(
      'differs from what checkpoint #7 (size 200',
    );
    db.close();
  });

  it('detects edits committed through the attacker’s own connection', () => {
    const { db, file, key, log } = buildLog(60, [30, 60]);
    const attacker = openDatabase(file, key);
    try {
      const text = forged(recordText(attacker, 42), 'actor');
      attacker
        .prepare('UPDATE audit_records SET record = ?, leaf_hash = ? WHERE sequence = ?')
        .run(text, leafHash(text), 42);
      rewriteTreeState(attacker);
    } finally {
      attacker.close();
    }
    expect(log.verify()).toMatchObject({ ok: false, firstBadSequence: 42, kind: 'rewritten' });
    db.close();
  });

  it('names a rewrite after the last checkpoint from the subtree hashes stored with later records', () => {
    const { db, log } = buildLog(120, [64]);
    for (const at of [65, 80, 97, 100, 118]) {
      const { expected, result } = tamperAndVerify(db, log, {
        kind: 'rewrite',
        sequence: at,
        field: 'actor',
      });
      expect(result).toMatchObject({ ok: false, firstBadSequence: expected, kind: 'subtree' });
    }
    db.close();
  });

  it('bounds the first bad record when the subtree hashes were rewritten too', () => {
    const { db, log } = buildLog(200, [64, 128, 200]);
    const target = 150;
    db.exec('BEGIN IMMEDIATE');
    try {
      const text = forged(recordText(db, target), 'details');
      db.prepare('UPDATE audit_records SET record = ?, leaf_hash = ? WHERE sequence = ?').run(
        text,
        leafHash(text),
        target,
      );
      // Recompute every stored subtree hash from the forged leaves as well.
      const tree = new CompactTree();
      let previous: Buffer | null = null;
      const leaves = db
        .prepare('SELECT sequence, leaf_hash FROM audit_records ORDER BY sequence')
        .all() as Array<{ sequence: number; leaf_hash: Buffer }>;
      for (const { sequence: at, leaf_hash: leaf } of leaves) {
        const completed = tree.append(leaf);
        const subtrees = at % 2 === 0 ? Buffer.concat([previous!, ...completed]) : null;
        db.prepare('UPDATE audit_records SET subtree_hashes = ? WHERE sequence = ?').run(
          subtrees,
          at,
        );
        previous = leaf;
      }
      rewriteTreeState(db);
      const result = log.verify();
      expect(result.ok).toBe(false);
      if (!result.ok) {
        // Records up to the last matching checkpoint (128) are vouched for; the named one is
        // after it and no later than the record actually changed.
        expect(result.firstBadSequence).toBeGreaterThan(128);
        expect(result.firstBadSequence).toBeLessThanOrEqual(target);
        expect(result.kind).toBe('rewritten');
      }
    } finally {
      db.exec('ROLLBACK');
    }
    db.close();
  });

  it('reports a corrupt tree state without blaming a record, and records it does not hold', () => {
    const { db, log } = buildLog(40, [20]);
    db.exec('BEGIN IMMEDIATE');
    try {
      const stack = db.prepare('SELECT stack FROM audit_tree_state').pluck().get() as Buffer;
      stack[5]! ^= 1;
      db.prepare('UPDATE audit_tree_state SET stack = ?').run(stack);
      expect(log.verify()).toMatchObject({ ok: false, firstBadSequence: null, kind: 'tree_state' });
      db.prepare('UPDATE audit_tree_state SET size = 37, stack = ?').run(Buffer.alloc(32 * 3));
      expect(log.verify()).toMatchObject({ ok: false, firstBadSequence: 38, kind: 'untracked' });
    } finally {
      db.exec('ROLLBACK');
    }
    db.close();
  });

  it('reports a forged checkpoint without blaming a record', () => {
    const { db, log } = buildLog(40, [20, 40]);
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec('DROP TRIGGER audit_checkpoints_no_update');
      db.exec("UPDATE audit_checkpoints SET note = replace(note, '\n20\n', '\n19\n') WHERE id = 1");
      expect(log.verify()).toMatchObject({
        ok: false,
        firstBadSequence: null,
        kind: 'checkpoint',
      });
    } finally {
      db.exec('ROLLBACK');
    }
    expect(log.verify()).toMatchObject({ ok: true });
    db.close();
  });
});
