import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrationForTest } from '../../test/support/schema';
import { useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import { WardkeepFailure } from '../lib/errors';
import { openDatabase } from '../store/database';
import type { SqliteDatabase } from '../store/database';
import Database from 'better-sqlite3-multiple-ciphers';
import { migrate } from '../store/migrate';
import * as auditMigration from '../store/migrations/0003-audit';
import { openCheckpoint, parseVerifierKey } from './checkpoint';
import { createAuditLog } from './log';
import type { AuditLog } from './log';
import { CompactTree, ceilLog2, leafHash, verifyConsistency, verifyInclusion } from './merkle';
import { encodeRecord, validateEntry } from './record';
import type { AuditEntry } from './record';
import { openAuditDatabase, sampleEntry } from './test-fixture';

const tempDir = useTempDirs();
const opened: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

const startMs = Date.UTC(2026, 10, 23, 10);

function setUp(options: { trustedKeys?: string[] } = {}) {
  const dir = tempDir();
  const store = openAuditDatabase(dir);
  opened.push(store.db);
  const clock = frozenClock(startMs);
  const log = createAuditLog({ db: store.db, clock, ...options });
  return { ...store, dir, clock, log };
}

function appendMany(db: SqliteDatabase, log: AuditLog, count: number, clock = frozenClock(0)) {
  const write = db.transaction((entries: AuditEntry[]) => {
    for (const entry of entries) {
      log.append(entry);
      clock.advance(1000);
    }
  });
  const first = log.size();
  write(Array.from({ length: count }, (_, i) => sampleEntry(first + i)));
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

const b64 = (value: string): Buffer => Buffer.from(value, 'base64');

describe('audit migration 0003', () => {
  it('upgrades a version-2 store with its data to the audit schema, empty tree included', () => {
    // A store as version 2 left it, opened the way openDatabase does but migrated only to 2.
    const db = new Database(join(tempDir(), 'wardkeep.db'));
    opened.push(db);
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma(`key="x'${randomBytes(32).toString('hex')}'"`);
    expect(migrate(db, 2)).toBe(2);
    db.prepare(
      "INSERT INTO accounts (username, role, keyslot_id, created_at) VALUES ('admin', 'administrator', 'slot-1', 'x')",
    ).run();
    applyMigrationForTest(db, auditMigration);
    expect(db.prepare('SELECT username FROM accounts').pluck().all()).toEqual(['admin']);
    expect(db.prepare('SELECT size, length(stack) AS bytes FROM audit_tree_state').get()).toEqual({
      size: 0,
      bytes: 0,
    });
    const log = createAuditLog({ db, clock: frozenClock(startMs) });
    expect(log.verify()).toMatchObject({ ok: true, size: 0 });
    appendMany(db, log, 3);
    expect(log.verify()).toMatchObject({ ok: true, size: 3 });
  });

  it('refuses UPDATE and DELETE of records, checkpoints and keys, and out-of-order appends', () => {
    const { db, log } = setUp();
    appendMany(db, log, 3);
    log.checkpoint();
    const refused = (sql: string): string => {
      try {
        db.exec(sql);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(refused("UPDATE audit_records SET record = '{}' WHERE sequence = 2")).toContain(
      'append-only',
    );
    expect(refused('DELETE FROM audit_records WHERE sequence = 3')).toContain('append-only');
    expect(refused('UPDATE audit_checkpoints SET tree_size = 1')).toContain('append-only');
    expect(refused('DELETE FROM audit_checkpoints')).toContain('append-only');
    expect(refused('DELETE FROM audit_signing_keys')).toContain('append-only');
    expect(refused('UPDATE audit_tree_state SET size = 0')).toContain('one leaf per record');
    expect(refused('DELETE FROM audit_tree_state')).toContain('never deleted');
    expect(
      refused(
        "INSERT INTO audit_records (sequence, record, leaf_hash) VALUES (9, '{}', zeroblob(32))",
      ),
    ).toContain('next sequence');
    expect(log.verify()).toMatchObject({ ok: true, size: 3 });
  });
});

describe('appending', () => {
  it('numbers records 1, 2, 3… with the clock’s UTC time and stores exactly what was given', () => {
    const { db, log, clock } = setUp();
    const entry = sampleEntry(8);
    const sequences = db.transaction(() => {
      const first = log.append(entry);
      clock.advance(1500);
      return [first, log.append(sampleEntry(9))];
    })();
    expect(sequences).toEqual([1, 2]);
    expect(log.get(1)).toEqual({ ...entry, sequence: 1, time: '2026-11-23T10:00:00.000Z' });
    expect(log.get(2)?.time).toBe('2026-11-23T10:00:01.500Z');
    expect(log.get(3)).toBeNull();
    const stored = db
      .prepare('SELECT record, leaf_hash FROM audit_records WHERE sequence = 1')
      .get() as { record: string; leaf_hash: Buffer };
    expect(stored.record).toBe(
      encodeRecord(
        { ...entry, sequence: 1, time: '2026-11-23T10:00:00.000Z' },
        validateEntry(entry),
      ),
    );
    expect(stored.leaf_hash).toEqual(leafHash(stored.record));
  });

  it('refuses to append outside a transaction, so no record is written apart from its action', () => {
    const { log } = setUp();
    const error = failure(() => log.append(sampleEntry(1)));
    expect(error.code).toBe('audit.write_failed');
    expect(error.message).toContain('inside the transaction');
    expect(log.size()).toBe(0);
  });

  it('refuses details that hold a secret and rolls the action back with it', () => {
    const { db, log } = setUp();
    db.exec('CREATE TABLE actions (name TEXT) STRICT');
    const error = failure(() =>
      db.transaction(() => {
        db.prepare("INSERT INTO actions VALUES ('password change')").run();
        log.append({ ...sampleEntry(1), details: { account: 'bob', newPassword: 'x' } });
      })(),
    );
    expect(error.code).toBe('audit.invalid');
    expect(error.message).toContain('details.newPassword');
    expect(db.prepare('SELECT count(*) FROM actions').pluck().get()).toBe(0);
    expect(log.size()).toBe(0);
  });
});

describe('reading', () => {
  function filled() {
    const context = setUp();
    appendMany(context.db, context.log, 120, context.clock);
    return context;
  }

  it('filters by actor, action prefix, outcome, emergency, time and sequence, newest first', () => {
    const { log } = filled();
    const all = [...log.records()];
    expect(all).toHaveLength(120);
    const expectMatches = (
      filter: Parameters<AuditLog['list']>[0],
      predicate: (record: (typeof all)[number]) => boolean,
    ) => {
      const expected = all
        .filter(predicate)
        .map((record) => record.sequence)
        .reverse();
      const page = log.list({ ...filter, limit: 1000 });
      expect(page.records.map((record) => record.sequence)).toEqual(expected);
      expect(log.count(filter)).toBe(expected.length);
    };
    expectMatches({ actor: 'user3' }, (record) => record.actor === 'user3');
    expectMatches({ action: 'auth' }, (record) => record.action.startsWith('auth.'));
    expectMatches({ action: 'pki.certificate' }, (record) =>
      record.action.startsWith('pki.certificate.'),
    );
    expectMatches({ action: 'device.update' }, (record) => record.action === 'device.update');
    expectMatches({ outcome: 'denied' }, (record) => record.outcome === 'denied');
    expectMatches({ emergency: true }, (record) => record.emergency);
    expectMatches(
      { emergency: false, outcome: 'failure' },
      (record) => !record.emergency && record.outcome === 'failure',
    );
    expectMatches(
      { fromTime: '2026-11-23T10:00:10.000Z', toTime: '2026-11-23T10:00:20.000Z' },
      (record) =>
        record.time >= '2026-11-23T10:00:10.000Z' && record.time <= '2026-11-23T10:00:20.000Z',
    );
    expectMatches(
      { fromSequence: 30, toSequence: 40, actor: 'user1' },
      (record) => record.sequence >= 30 && record.sequence <= 40 && record.actor === 'user1',
    );
  });

  it('merges the actions under a dotted prefix in sequence order, page by page', () => {
    const { db, log, clock } = setUp();
    const verbs = ['issue', 'revoke', 'renew', 'issue', 'issue', 'renew', 'revoke', 'issue'];
    db.transaction(() => {
      verbs.forEach((verb, n) => {
        log.append({ ...sampleEntry(n), action: `pki.certificate.${verb}` });
        log.append(sampleEntry(n + 100));
        clock.advance(1000);
      });
      log.append({ ...sampleEntry(7), action: 'pki.certificate' });
      log.append({ ...sampleEntry(8), action: 'pki.certificates.issue' });
    })();
    const matching = [...log.records()].filter(
      (record) =>
        record.action === 'pki.certificate' || record.action.startsWith('pki.certificate.'),
    );
    const under = matching.map((record) => record.sequence);
    expect(under.length).toBeGreaterThan(9);
    const sequences = (filter: Parameters<AuditLog['list']>[0]) =>
      log.list(filter).records.map((record) => record.sequence);
    expect(sequences({ action: 'pki.certificate', limit: 4, offset: 2 })).toEqual(
      [...under].reverse().slice(2, 6),
    );
    expect(sequences({ action: 'pki.certificate.', descending: false, limit: 20 })).toEqual(under);
    const total = under.length;
    expect(log.list({ action: 'pki.certificate', limit: total - 1, offset: 1 }).hasMore).toBe(
      false,
    );
    expect(log.list({ action: 'pki.certificate', limit: total - 2, offset: 1 }).hasMore).toBe(true);
    expect(
      sequences({ action: 'pki.certificate', fromTime: '2026-11-23T10:00:03.000Z', limit: 20 }),
    ).toEqual(
      matching
        .filter((record) => record.time >= '2026-11-23T10:00:03.000Z')
        .map((record) => record.sequence)
        .reverse(),
    );
    expect(log.count({ action: 'pki.certificate' })).toBe(total);
    expect(sequences({ action: 'pki.nothing' })).toEqual([]);
  });

  it('pages with limit and offset and says whether more match', () => {
    const { log } = filled();
    const first = log.list({ limit: 50 });
    expect(first.records[0]!.sequence).toBe(120);
    expect(first.hasMore).toBe(true);
    const last = log.list({ limit: 50, offset: 100 });
    expect(last.records.map((record) => record.sequence)).toEqual(
      Array.from({ length: 20 }, (_, i) => 20 - i),
    );
    expect(last.hasMore).toBe(false);
    expect(log.list({ descending: false, limit: 2 }).records.map((r) => r.sequence)).toEqual([
      1, 2,
    ]);
    expect(failure(() => log.list({ limit: 5000 })).code).toBe('input.invalid');
    expect(failure(() => log.list({ action: "auth' OR 1=1" })).code).toBe('input.invalid');
  });

  it('answers every filter from an index, never a scan of the table', () => {
    const { db } = filled();
    const plan = (where: string, order = 'time DESC, sequence DESC'): string =>
      (
        db
          .prepare(
            `EXPLAIN QUERY PLAN SELECT record FROM audit_records WHERE ${where} ORDER BY ${order} LIMIT 100`,
          )
          .all() as Array<{ detail: string }>
      )
        .map((row) => row.detail)
        .join('; ');
    expect(plan("actor = 'user1'")).toContain('USING INDEX audit_records_actor');
    expect(plan("action_domain = 'auth'")).toContain('USING INDEX audit_records_action_domain');
    expect(plan("(action = 'pki.x' OR (action > 'pki.x.' AND action < 'pki.x/'))")).toContain(
      'audit_records_action',
    );
    expect(plan("outcome = 'denied'")).toContain('USING INDEX audit_records_outcome');
    expect(plan('emergency = 1')).toContain('USING INDEX audit_records_emergency');
    expect(plan("time >= '2026' AND time <= '2027'")).toContain('USING INDEX audit_records_time');
    expect(plan('sequence >= 10 AND sequence <= 20', 'sequence DESC')).toContain(
      'INTEGER PRIMARY KEY',
    );
    // Every filter, alone or with a time window, walks an index in list order: no sort.
    for (const where of [
      '1',
      "actor = 'user1'",
      "actor = 'user1' AND time >= '2026' AND time <= '2027'",
      "action = 'auth.login' AND time >= '2026'",
      "action_domain = 'auth' AND time <= '2027'",
      "outcome = 'denied' AND time >= '2026'",
      "emergency = 1 AND time >= '2026'",
    ]) {
      expect(plan(where), where).not.toContain('TEMP B-TREE');
    }
  });
});

describe('checkpoints and proofs', () => {
  it('signs checkpoints that open with the exported verifier key', () => {
    const { db, log, clock } = setUp();
    expect(log.latestCheckpoint()).toBeNull();
    appendMany(db, log, 10);
    clock.advance(60_000);
    const checkpoint = log.checkpoint();
    const key = log.signingKey();
    expect(checkpoint).toMatchObject({ treeSize: 10, rootHash: log.root(), origin: key.name });
    expect(checkpoint.time).toBe('2026-11-23T10:01:00.000Z');
    expect(
      checkpoint.note.startsWith(
        `${key.name}\n10\n${log.root()}\ntime 2026-11-23T10:01:00.000Z\n\n\u2014 ${key.name} `,
      ),
    ).toBe(true);
    const body = openCheckpoint(checkpoint.note, [parseVerifierKey(key.verifierKey)]);
    expect(body.rootHash.toString('base64')).toBe(log.root());
    expect(log.latestCheckpoint()).toEqual(checkpoint);
    expect(key.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b64(key.publicKey)).toHaveLength(32);
  });

  it('keeps its signing key across reopening the database', () => {
    const { db, file, key, log } = setUp();
    const before = log.signingKey();
    db.close();
    const again = openDatabase(file, key);
    opened.push(again);
    expect(createAuditLog({ db: again, clock: frozenClock(startMs) }).signingKey()).toEqual(before);
  });

  it('proves every record at every checkpoint size within ceil(log2 n) hashes', () => {
    const { db, log } = setUp();
    const checkpoints = [];
    for (const batch of [1, 4, 11, 17, 30]) {
      appendMany(db, log, batch);
      checkpoints.push(log.checkpoint());
    }
    for (const checkpoint of checkpoints) {
      for (let sequence = 1; sequence <= checkpoint.treeSize; sequence++) {
        const proof = log.inclusionProof(sequence, checkpoint.treeSize);
        expect(proof.hashes.length).toBeLessThanOrEqual(ceilLog2(checkpoint.treeSize));
        expect(proof.rootHash).toBe(checkpoint.rootHash);
        expect(
          verifyInclusion(
            sequence - 1,
            checkpoint.treeSize,
            b64(proof.leafHash),
            proof.hashes.map(b64),
            b64(checkpoint.rootHash),
          ),
        ).toBe(true);
      }
    }
    for (const older of checkpoints) {
      for (const newer of checkpoints.filter((c) => c.treeSize >= older.treeSize)) {
        const proof = log.consistencyProof(older.treeSize, newer.treeSize);
        expect(
          verifyConsistency(
            older.treeSize,
            newer.treeSize,
            b64(older.rootHash),
            b64(newer.rootHash),
            proof.hashes.map(b64),
          ),
        ).toBe(true);
      }
    }
    expect(failure(() => log.inclusionProof(64)).code).toBe('not_found');
    expect(failure(() => log.consistencyProof(10, 70)).code).toBe('input.invalid');
  });
});

describe('verification', () => {
  it('verifies an honest log, its checkpoints, and an exported checkpoint', () => {
    const { db, log } = setUp();
    appendMany(db, log, 40);
    const exported = log.checkpoint();
    appendMany(db, log, 25);
    log.checkpoint();
    expect(log.verify()).toEqual({
      ok: true,
      size: 65,
      root: log.root(),
      checkpointsVerified: 2,
    });
    expect(log.verifyAgainst(exported.note, log.signingKey().verifierKey)).toMatchObject({
      ok: true,
      checkpointsVerified: 3,
    });
  });

  it('refuses an external checkpoint signed by another key or for another log', () => {
    const first = setUp();
    const second = setUp();
    appendMany(first.db, first.log, 3);
    const foreign = first.log.checkpoint();
    expect(
      failure(() => second.log.verifyAgainst(foreign.note, second.log.signingKey().verifierKey))
        .code,
    ).toBe('audit.tampered');
    expect(
      failure(() => second.log.verifyAgainst(foreign.note, first.log.signingKey().verifierKey))
        .message,
    ).toContain('not this log');
  });

  it('names the first missing record when an exported checkpoint attests more than remain', () => {
    const { db, log } = setUp();
    appendMany(db, log, 30);
    const exported = log.checkpoint();
    db.exec(`
      DROP TRIGGER audit_records_no_delete; DROP TRIGGER audit_checkpoints_no_delete;
      DROP TRIGGER audit_tree_state_grows;
      DELETE FROM audit_records WHERE sequence > 25; DELETE FROM audit_checkpoints;
    `);
    // The attacker also rewinds the tree state to the 25 records that remain.
    const leaves = db
      .prepare('SELECT leaf_hash FROM audit_records ORDER BY sequence')
      .pluck()
      .all() as Buffer[];
    const tree = new CompactTree();
    leaves.forEach((leaf) => tree.append(leaf));
    db.prepare('UPDATE audit_tree_state SET size = ?, stack = ?').run(tree.size, tree.toBytes());
    expect(log.verify()).toMatchObject({ ok: true, size: 25 });
    expect(log.verifyAgainst(exported.note)).toMatchObject({
      ok: false,
      firstBadSequence: 26,
      kind: 'truncated',
    });
  });

  it('reports a database signing key that is not the pinned one', () => {
    const { db, log } = setUp();
    appendMany(db, log, 5);
    log.checkpoint();
    const pinned = createAuditLog({
      db,
      clock: frozenClock(startMs),
      trustedKeys: [log.signingKey().verifierKey],
    });
    expect(pinned.verify()).toMatchObject({ ok: true });
    const impostor = setUp();
    const misled = createAuditLog({
      db,
      clock: frozenClock(startMs),
      trustedKeys: [impostor.log.signingKey().verifierKey],
    });
    expect(misled.verify()).toMatchObject({ ok: false, firstBadSequence: null });
  });
});

describe('failing closed', () => {
  function withActionTable() {
    const context = setUp();
    context.db.exec('CREATE TABLE actions (name TEXT NOT NULL) STRICT');
    appendMany(context.db, context.log, 5);
    return context;
  }

  function attempt(db: SqliteDatabase, log: AuditLog, details: AuditEntry['details'] = {}) {
    return failure(() =>
      db.transaction(() => {
        db.prepare("INSERT INTO actions VALUES ('device update')").run();
        log.append({ ...sampleEntry(3), details });
      })(),
    );
  }

  function expectNothingCommitted(db: SqliteDatabase, log: AuditLog) {
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT count(*) FROM actions').pluck().get()).toBe(0);
    expect(log.size()).toBe(5);
    expect(log.verify()).toMatchObject({ ok: true, size: 5 });
  }

  it('rolls the action back when the database turns read-only before the record is written', () => {
    const { db, log } = withActionTable();
    const error = failure(() =>
      db.transaction(() => {
        db.prepare("INSERT INTO actions VALUES ('device update')").run();
        db.pragma('query_only = ON');
        log.append(sampleEntry(3));
      })(),
    );
    db.pragma('query_only = OFF');
    expect(error.code).toBe('audit.write_failed');
    expect(error.message).toMatch(
      /audit record for device\.update could not be written .*readonly/i,
    );
    expect(error.details).toEqual({ sqlite: 'SQLITE_READONLY' });
    expectNothingCommitted(db, log);
  });

  it('rolls the action back when the disk is full', () => {
    const { db, log } = withActionTable();
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    // Details larger than a page need new pages, which the full database cannot give.
    const error = attempt(db, log, { blob: 'x'.repeat(12_000) });
    db.pragma('max_page_count = 1073741823');
    expect(error.code).toBe('audit.write_failed');
    expect(error.details).toEqual({ sqlite: 'SQLITE_FULL' });
    expect(error.message).toContain('could not be written');
    expectNothingCommitted(db, log);
  });

  it('rolls the action back when the write fails inside SQLite', () => {
    const { db, log } = withActionTable();
    db.exec(`CREATE TEMP TRIGGER simulated_io_error BEFORE INSERT ON main.audit_records BEGIN
      SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END`);
    const error = attempt(db, log);
    db.exec('DROP TRIGGER temp.simulated_io_error');
    expect(error.code).toBe('audit.write_failed');
    expect(error.message).toContain('disk I/O error (simulated)');
    expectNothingCommitted(db, log);
  });

  it('still rolls the action back when the caller swallows the audit error', () => {
    const { db, log } = withActionTable();
    db.exec(`CREATE TEMP TRIGGER simulated_io_error BEFORE INSERT ON main.audit_records BEGIN
      SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END`);
    let swallowed: unknown = null;
    const commit = () =>
      db.transaction(() => {
        db.prepare("INSERT INTO actions VALUES ('device update')").run();
        try {
          log.append(sampleEntry(3));
        } catch (error) {
          swallowed = error;
        }
      })();
    expect(commit).toThrow();
    db.exec('DROP TRIGGER temp.simulated_io_error');
    expect((swallowed as WardkeepFailure).code).toBe('audit.write_failed');
    expectNothingCommitted(db, log);
  });

  it('refuses to append on a closed database', () => {
    const { db, log } = withActionTable();
    db.close();
    expect(failure(() => log.append(sampleEntry(1))).code).toBe('audit.write_failed');
  });
});
