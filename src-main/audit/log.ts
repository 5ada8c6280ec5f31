// The audit log: append-only records in the encrypted database, a Merkle tree over them kept
// current in the same transaction as each append, signed checkpoints, proofs, and a verifier that
// names the first record that no longer matches what the log committed to.
//
// Fail closed: append() runs only inside the caller's open transaction, so an action and its
// record commit together. If the record cannot be written, the whole transaction is rolled back
// at once (even if the caller catches the error, its commit then fails) and audit.write_failed is
// thrown: an action whose record is lost never happens.
//
// What each row stores: the record as canonical bytes (its leaf's input), the leaf hash, and for
// an even sequence s the left sibling's leaf hash followed by the roots of the perfect subtrees
// that leaf s completes. Those stored subtree roots make proofs O(log n) reads and give verify()
// independent evidence for every node of the tree.
//
// How verify() names the first bad record. It streams every row in sequence order and collects
// candidates (a chunk of rows is checked whole, on a worker thread for a large log, and only a
// chunk with a problem is gone through row by row); the answer is the smallest record proven bad:
// - a row whose content does not hash to its stored leaf, or holds another sequence than its own
//   (a field changed; two records swapped or renumbered): that row;
// - the first sequence that is missing (a deleted record);
// - one past the last record when the tree state or a checkpoint attests more records (the tail
//   was truncated);
// - a rewrite that kept leaf hashes and tree state consistent: every leaf matches its content, but
//   the tree over the stored leaves no longer reproduces the root of some signed checkpoint. The
//   earlier checkpoints that still match vouch for every record up to their size. From the first
//   checkpoint that does not match, verify() descends the tree: at each node whose value it
//   trusts it reads the two children's stored values, trusts them if they hash to the node, and
//   follows the child whose value the current leaves no longer reproduce, down to one leaf — the
//   rewritten record. (At the last level the left leaf's copy, stored with its right sibling,
//   tells which of the two changed.)
// When no record can be proven bad — the attacker also rewrote the stored subtree roots on the
// descent's path, or rewrote records after the last checkpoint — the answer is the first record
// nothing vouches for: where the descent stopped, or where stored subtree roots (unsigned, so
// only evidence) stop matching the leaves. A checkpoint whose signature fails, or a tree state
// that matches no records, is reported with no record. Limits: whoever holds the database key
// holds the signing key too, so they can rewrite everything, re-sign checkpoints and escape
// verify(); only a checkpoint kept outside the database (an export, the SIEM, the central store)
// catches that, through verifyAgainst().
import { hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { SqliteDatabase } from '../store/database';
import type { Clock } from '../lib/clock';
import { isoTime } from '../lib/clock';
import { fail, WardkeepFailure } from '../lib/errors';
import {
  CompactTree,
  consistencyProof as buildConsistencyProof,
  emptyTreeHash,
  hashLength,
  inclusionProof as buildInclusionProof,
  leafHash,
  nodeHash,
  popCount,
  rangeHash,
  splitPoint,
  trailingZeros,
  verifyConsistency,
  verifyInclusion,
} from './merkle';
import type { PerfectSubtreeReader } from './merkle';
import type { AuditEntry, AuditOutcome, AuditRecord } from './record';
import { auditOutcomes, encodeRecord, validateEntry } from './record';
import {
  exportPrivateKey,
  generateNoteSigningKey,
  importNoteSigningKey,
  keyIdHex,
  noteKeyId,
  openCheckpoint,
  parseVerifierKey,
  publicKeyFingerprint,
  signCheckpoint,
  verifierKeyText,
} from './checkpoint';
import type { CheckpointBody, NoteSigningKey, NoteVerifier, SignedCheckpoint } from './checkpoint';
import { inlineChunkChecker, workerChunkChecker } from './verify-chunks';

export interface AuditLogOptions {
  db: SqliteDatabase;
  clock: Clock;
  /**
   * Origin (and key name) of checkpoints when the log makes its signing key; kept with the key.
   * Default: `wardkeep.invalid/audit/` and the first 16 hex digits of the key's fingerprint.
   */
  origin?: string;
  /**
   * Verifier keys (`name+keyid+base64`) pinned outside the database. When given, verify() trusts
   * checkpoints signed by these keys only, and reports a database key that is not among them.
   */
  trustedKeys?: readonly string[];
  /**
   * How verify() works through the log, for tests and benchmarks (the defaults suit any log):
   * records per chunk, a power of two (8,192), and the size from which chunks are hashed on a
   * worker thread while this one reads the next (65,536; Infinity for never).
   */
  verifyTuning?: { chunkRecords?: number; workerFrom?: number };
}

export interface AuditFilter {
  actor?: string;
  /** `auth` or `auth.` matches `auth` and `auth.*`; `device.update` matches it and its children. */
  action?: string;
  outcome?: AuditOutcome;
  emergency?: boolean;
  /** Inclusive bounds on the record time, ISO 8601 UTC. */
  fromTime?: string;
  toTime?: string;
  /** Inclusive bounds on the sequence: the fast way to page deep into a large log. */
  fromSequence?: number;
  toSequence?: number;
  /**
   * Newest first unless false. Records come in time order, sequence breaking ties — the same
   * as sequence order unless the clock was set back — except that a sequence window without a
   * time window comes in sequence order.
   */
  descending?: boolean;
  /** 1..1000, default 100. */
  limit?: number;
  offset?: number;
}

export interface AuditPage {
  records: AuditRecord[];
  /** More records match beyond this page. */
  hasMore: boolean;
}

export interface InclusionProof {
  sequence: number;
  treeSize: number;
  /** Base64, like the hashes of checkpoints. */
  leafHash: string;
  rootHash: string;
  /** The audit path, leaf end first: at most ceil(log2 treeSize) hashes. */
  hashes: string[];
}

export interface ConsistencyProof {
  fromSize: number;
  toSize: number;
  fromRoot: string;
  toRoot: string;
  hashes: string[];
}

export interface AuditSigningKeyInfo {
  /** The key name, which is also the checkpoint origin. */
  name: string;
  /** The note key ID, 8 hex digits. */
  keyId: string;
  /** Raw Ed25519 public key, base64. */
  publicKey: string;
  /** The signed-note verifier key, `name+keyid+base64(0x01 ‖ key)`: what to pin. */
  verifierKey: string;
  /** SHA-256 of the raw public key, hex: what people compare. */
  fingerprint: string;
  createdAt: string;
}

export type AuditProblemKind =
  | 'content'
  | 'order'
  | 'missing'
  | 'truncated'
  | 'untracked'
  | 'rewritten'
  | 'subtree'
  | 'tree_state'
  | 'checkpoint'
  | 'signing_key';

export type AuditVerification =
  | { ok: true; size: number; root: string; checkpointsVerified: number }
  | {
      ok: false;
      /** The first record that does not match; null when every record does but a stored summary
       * (a checkpoint, the tree state, the signing key) does not. */
      firstBadSequence: number | null;
      kind: AuditProblemKind;
      problem: string;
    };

export interface AuditLog {
  /** Appends a record inside the caller's open transaction; returns its sequence. */
  append(entry: AuditEntry): number;
  /** Signs and stores a checkpoint of the current tree; returns it. */
  checkpoint(): SignedCheckpoint;
  latestCheckpoint(): SignedCheckpoint | null;
  /** Number of records (the tree size). */
  size(): number;
  /** The current root, base64. */
  root(): string;
  get(sequence: number): AuditRecord | null;
  list(filter?: AuditFilter): AuditPage;
  count(filter?: AuditFilter): number;
  /** Records in sequence order, read a page at a time (the connection stays free between). */
  records(fromSequence?: number, toSequence?: number): Generator<AuditRecord>;
  /** The canonical text of each record (its leaf input), in sequence order. */
  recordTexts(fromSequence?: number, toSequence?: number): Generator<string>;
  inclusionProof(sequence: number, treeSize?: number): InclusionProof;
  consistencyProof(fromSize: number, toSize?: number): ConsistencyProof;
  verify(): AuditVerification;
  /** verify() with one more trusted checkpoint, e.g. from an export or the SIEM. */
  verifyAgainst(checkpointNote: string, verifierKey?: string): AuditVerification;
  signingKey(): AuditSigningKeyInfo;
}

interface SigningKeyRow {
  key_name: string;
  key_id: string;
  public_key: Buffer;
  private_key: Buffer;
  created_at: string;
}

interface StoredRow {
  sequence: number;
  time: string;
  record: string;
}

interface CheckpointRow {
  id: number;
  tree_size: number;
  root_hash: Buffer;
  time: string;
  note: string;
}

interface Anchor {
  label: string;
  treeSize: number;
  rootHash: Buffer;
}

interface Candidate {
  sequence: number | null;
  kind: AuditProblemKind;
  problem: string;
  /** False when the sequence is only the first one nothing vouches for, not one proven bad. */
  proven?: boolean;
}

const maxPageSize = 1000;
// Local bindings for verify()'s inner loop: the CLI, tests and benchmark run under tsx, which
// turns imported bindings into getters that cost a call on every use.
const hashBytes: number = hashLength;
const hashNode = nodeHash;
const zeroBitsAtEnd = trailingZeros;
const sequencePattern = Buffer.from('"sequence":');

function writeFailed(action: string, error: unknown): never {
  const sqlite = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  fail(
    'audit.write_failed',
    `the audit record for ${action} could not be written (${reason}); the action was rolled back`,
    typeof sqlite === 'string' ? { sqlite } : undefined,
  );
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { db, clock } = options;
  const statements = {
    state: db.prepare<[], { size: number; stack: Buffer }>(
      'SELECT size, stack FROM audit_tree_state WHERE id = 1',
    ),
    insert: db.prepare<[number, string, Buffer, Buffer | null]>(
      'INSERT INTO audit_records (sequence, record, leaf_hash, subtree_hashes) VALUES (?, ?, ?, ?)',
    ),
    grow: db.prepare<[number, Buffer, number]>(
      'UPDATE audit_tree_state SET size = ?, stack = ? WHERE id = 1 AND size = ?',
    ),
    record: db.prepare<[number], { record: string }>(
      'SELECT record FROM audit_records WHERE sequence = ?',
    ),
    leaf: db
      .prepare<[number], Buffer>('SELECT leaf_hash FROM audit_records WHERE sequence = ?')
      .pluck(),
    leaves: db
      .prepare<[number, number], Buffer>(
        'SELECT leaf_hash FROM audit_records WHERE sequence BETWEEN ? AND ? ORDER BY sequence',
      )
      .pluck(),
    subtrees: db
      .prepare<[number], Buffer | null>(
        'SELECT subtree_hashes FROM audit_records WHERE sequence = ?',
      )
      .pluck(),
    actionExists: db
      .prepare<[string], number>('SELECT 1 FROM audit_records WHERE action = ? LIMIT 1')
      .pluck(),
    nextAction: db
      .prepare<[string, string], string>(
        'SELECT action FROM audit_records WHERE action > ? AND action < ? ORDER BY action LIMIT 1',
      )
      .pluck(),
    texts: db.prepare<[number, number, number], { sequence: number; record: string }>(
      'SELECT sequence, record FROM audit_records WHERE sequence BETWEEN ? AND ? ORDER BY sequence LIMIT ?',
    ),
    signingKeys: db.prepare<[], SigningKeyRow>(
      'SELECT key_name, key_id, public_key, private_key, created_at FROM audit_signing_keys ORDER BY id',
    ),
    insertKey: db.prepare<[string, string, Buffer, Buffer, string]>(
      'INSERT INTO audit_signing_keys (key_name, key_id, public_key, private_key, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    checkpoints: db.prepare<[], CheckpointRow>(
      'SELECT id, tree_size, root_hash, time, note FROM audit_checkpoints ORDER BY id',
    ),
    latestCheckpoint: db.prepare<[], CheckpointRow>(
      'SELECT id, tree_size, root_hash, time, note FROM audit_checkpoints ORDER BY id DESC LIMIT 1',
    ),
    insertCheckpoint: db.prepare<[number, Buffer, string, string, string, string]>(
      'INSERT INTO audit_checkpoints (tree_size, root_hash, time, key_name, key_id, note) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    // max() of the primary key is one seek; a count(*) here would read a whole index.
    extent: db.prepare<[], { last: number | null }>(
      'SELECT max(sequence) AS last FROM audit_records',
    ),
    chunk: db.prepare<
      [number, number],
      {
        rows: number;
        first: number | null;
        last: number | null;
        texts: Buffer | null;
        leaves: Buffer | null;
        subtrees: Buffer | null;
      }
    >(
      // Raw concatenations: records separated by a 0x00 byte (canonical JSON never holds one
      // raw), 32-byte leaves, subtree hashes. Rows come in rowid order; verify checks that anyway.
      `SELECT count(*) AS rows, min(sequence) AS first, max(sequence) AS last,
        CAST(group_concat(record, x'00') AS BLOB) AS texts,
        CAST(group_concat(leaf_hash, '') AS BLOB) AS leaves,
        CAST(group_concat(subtree_hashes, '') AS BLOB) AS subtrees
      FROM audit_records WHERE sequence BETWEEN ? AND ?`,
    ),
    rows: db
      .prepare<[number, number], [number, unknown, unknown, unknown]>(
        'SELECT sequence, record, leaf_hash, subtree_hashes FROM audit_records WHERE sequence BETWEEN ? AND ? ORDER BY sequence',
      )
      .raw(true),
  };

  const chunkRecords = options.verifyTuning?.chunkRecords ?? 8192;
  const chunkLevels = Math.log2(chunkRecords);
  if (!Number.isInteger(chunkLevels) || chunkLevels < 1 || chunkLevels > 20) {
    throw new RangeError(
      `verify chunks hold a power of two from 2 to 2^20 records, not ${chunkRecords}`,
    );
  }
  const workerFrom = options.verifyTuning?.workerFrom ?? 65_536;

  let signer: NoteSigningKey | null = null;
  // list() and count() build their SQL from which filters are set: a few dozen shapes at most.
  const filterStatements = new Map<string, Statement<unknown[], unknown>>();
  const filterStatement = (sql: string, pluck: boolean): Statement<unknown[], unknown> => {
    let statement = filterStatements.get(sql);
    if (!statement) {
      statement = db.prepare<unknown[], unknown>(sql).pluck(pluck);
      filterStatements.set(sql, statement);
    }
    return statement;
  };

  function currentSigner(): NoteSigningKey {
    const rows = statements.signingKeys.all();
    const newest = rows[rows.length - 1];
    if (newest) {
      if (signer?.name !== newest.key_name || !signer.publicKey.equals(newest.public_key)) {
        signer = importNoteSigningKey(newest.key_name, newest.private_key);
      }
      return signer;
    }
    const made = generateNoteSigningKey('wardkeep.invalid/audit');
    const name =
      options.origin ??
      `wardkeep.invalid/audit/${publicKeyFingerprint(made.publicKey).slice(0, 16)}`;
    const key: NoteSigningKey = { ...made, name };
    // Refuses a name that a signature line or checkpoint origin cannot carry.
    verifierKeyText(name, key.publicKey);
    const keyId = keyIdHex(noteKeyId(name, key.publicKey));
    const store = () =>
      statements.insertKey.run(name, keyId, key.publicKey, exportPrivateKey(key), isoTime(clock));
    if (db.inTransaction) store();
    else db.transaction(store).immediate();
    signer = key;
    return key;
  }

  // The key exists from the start, so its public half can be pinned before the first checkpoint.
  currentSigner();

  function readTree(): CompactTree {
    const state = statements.state.get();
    if (!state) fail('audit.tampered', 'the audit tree state row is missing');
    return CompactTree.fromBytes(state.size, state.stack);
  }

  /** Stored value of an aligned perfect subtree (level 0: a leaf). */
  function storedSubtree(level: number, index: number): Buffer | null {
    if (level === 0) return statements.leaf.get(index + 1) ?? null;
    const blob = statements.subtrees.get((index + 1) * 2 ** level);
    if (!blob || blob.length < hashLength * (level + 1)) return null;
    return blob.subarray(hashLength * level, hashLength * (level + 1));
  }

  const perfectFromStore: PerfectSubtreeReader = (level, index) => {
    const value = storedSubtree(level, index);
    if (!value) {
      fail('audit.tampered', `the stored audit tree lacks the subtree at level ${level}, ${index}`);
    }
    return value;
  };

  function append(entry: AuditEntry): number {
    if (!db.inTransaction) {
      fail(
        'audit.write_failed',
        'audit.append must run inside the transaction of the action it records, so both commit or neither does',
      );
    }
    let sequence = 0;
    try {
      const details = validateEntry(entry);
      const state = statements.state.get();
      if (!state) fail('audit.tampered', 'the audit tree state row is missing');
      sequence = state.size + 1;
      const record = encodeRecord(
        {
          sequence,
          time: isoTime(clock),
          actor: entry.actor,
          role: entry.role,
          sessionId: entry.sessionId,
          action: entry.action,
          target: entry.target,
          outcome: entry.outcome,
          reason: entry.reason,
          emergency: entry.emergency,
        },
        details,
      );
      const leaf = leafHash(record);
      const { size, stack } = state;
      if (stack.length !== hashLength * popCount(size)) {
        throw new RangeError(`the stored compact tree of ${size} leaves has ${stack.length} bytes`);
      }
      // The compact tree's append, on its stored bytes: the leaf merges with the subtrees at the
      // end of the stack as a binary counter carries. The row keeps its left sibling leaf (the
      // last entry, after an odd size) and each subtree it completes.
      let carries = 0;
      for (let rest = size; rest % 2 === 1; rest = Math.floor(rest / 2)) carries += 1;
      const kept = stack.length - carries * hashLength;
      const subtrees = carries > 0 ? Buffer.allocUnsafe((carries + 1) * hashLength) : null;
      let node = leaf;
      for (let carry = 0; carry < carries; carry++) {
        const end = stack.length - carry * hashLength;
        const sibling = stack.subarray(end - hashLength, end);
        if (carry === 0) sibling.copy(subtrees!, 0);
        node = nodeHash(sibling, node);
        node.copy(subtrees!, (carry + 1) * hashLength);
      }
      const grownStack = Buffer.allocUnsafe(kept + hashLength);
      stack.copy(grownStack, 0, 0, kept);
      node.copy(grownStack, kept);
      statements.insert.run(sequence, record, leaf, subtrees);
      const grown = statements.grow.run(size + 1, grownStack, size);
      if (grown.changes !== 1) throw new Error('the audit tree state changed underneath');
    } catch (error) {
      // Ends the transaction here, so a caller that swallows the error cannot commit its action.
      if (db.inTransaction) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // SQLite may already have rolled back (SQLITE_FULL, I/O errors); nothing is left to undo.
        }
      }
      if (error instanceof WardkeepFailure) throw error;
      writeFailed(String((entry as Partial<AuditEntry> | null)?.action), error);
    }
    return sequence;
  }

  function checkpointFromRow(row: CheckpointRow): SignedCheckpoint {
    const origin = row.note.slice(0, row.note.indexOf('\n'));
    return {
      origin,
      treeSize: row.tree_size,
      rootHash: row.root_hash.toString('base64'),
      time: row.time,
      note: row.note,
    };
  }

  function checkpoint(): SignedCheckpoint {
    const make = (): SignedCheckpoint => {
      const key = currentSigner();
      const tree = readTree();
      const body: CheckpointBody = {
        origin: key.name,
        treeSize: tree.size,
        rootHash: tree.root(),
        time: isoTime(clock),
      };
      const signed = signCheckpoint(body, key);
      statements.insertCheckpoint.run(
        body.treeSize,
        body.rootHash,
        body.time,
        key.name,
        keyIdHex(noteKeyId(key.name, key.publicKey)),
        signed.note,
      );
      return signed;
    };
    try {
      return db.inTransaction ? make() : db.transaction(make).immediate();
    } catch (error) {
      if (error instanceof WardkeepFailure) throw error;
      fail(
        'audit.write_failed',
        `the audit checkpoint could not be stored (${(error as Error).message})`,
      );
    }
  }

  function latestCheckpoint(): SignedCheckpoint | null {
    const row = statements.latestCheckpoint.get();
    return row ? checkpointFromRow(row) : null;
  }

  function parseStored(text: string): AuditRecord {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      fail('audit.tampered', 'a stored audit record is not valid JSON');
    }
    const record = value as AuditRecord & { version?: number };
    return {
      sequence: record.sequence,
      time: record.time,
      actor: record.actor,
      role: record.role,
      sessionId: record.sessionId,
      action: record.action,
      target: record.target,
      outcome: record.outcome,
      reason: record.reason,
      emergency: record.emergency,
      details: record.details,
    };
  }

  function get(sequence: number): AuditRecord | null {
    if (!Number.isSafeInteger(sequence) || sequence < 1) return null;
    const row = statements.record.get(sequence);
    return row ? parseStored(row.record) : null;
  }

  /** `auth.` and `auth` both mean the action `auth` and everything under `auth.`. */
  function actionPrefix(filter: AuditFilter): string | null {
    if (filter.action === undefined || filter.action === '') return null;
    const prefix = filter.action.endsWith('.') ? filter.action.slice(0, -1) : filter.action;
    if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(prefix)) {
      fail('input.invalid', `audit filter action "${filter.action}" is not a dotted prefix`);
    }
    return prefix;
  }

  /**
   * The SQL conditions of a filter. `exactAction` replaces a dotted action prefix by one action
   * under it (list() runs one query per action under the prefix, see there).
   */
  function whereClause(
    filter: AuditFilter,
    exactAction?: string,
  ): { sql: string; parameters: unknown[] } {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    if (filter.actor !== undefined) {
      conditions.push('actor = ?');
      parameters.push(filter.actor);
    }
    const prefix = actionPrefix(filter);
    if (exactAction !== undefined) {
      conditions.push('action = ?');
      parameters.push(exactAction);
    } else if (prefix !== null && !prefix.includes('.')) {
      // A whole domain: its own index walks the matches in sequence order.
      conditions.push('action_domain = ?');
      parameters.push(prefix);
    } else if (prefix !== null) {
      // `/` follows `.` in code order, so this range is exactly `prefix.*`.
      conditions.push('(action = ? OR (action > ? AND action < ?))');
      parameters.push(prefix, `${prefix}.`, `${prefix}/`);
    }
    if (filter.outcome !== undefined) {
      if (!(auditOutcomes as readonly string[]).includes(filter.outcome)) {
        fail('input.invalid', `audit filter outcome must be one of ${auditOutcomes.join(', ')}`);
      }
      conditions.push('outcome = ?');
      parameters.push(filter.outcome);
    }
    if (filter.emergency !== undefined) {
      conditions.push(filter.emergency ? 'emergency = 1' : 'emergency = 0');
    }
    if (filter.fromTime !== undefined) {
      conditions.push('time >= ?');
      parameters.push(filter.fromTime);
    }
    if (filter.toTime !== undefined) {
      conditions.push('time <= ?');
      parameters.push(filter.toTime);
    }
    if (filter.fromSequence !== undefined) {
      conditions.push('sequence >= ?');
      parameters.push(filter.fromSequence);
    }
    if (filter.toSequence !== undefined) {
      conditions.push('sequence <= ?');
      parameters.push(filter.toSequence);
    }
    return {
      sql: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`,
      parameters,
    };
  }

  /**
   * The distinct actions under a dotted prefix, found by seeking the action index once per
   * action (there are tens, not thousands); null when there are too many to merge.
   */
  function actionsUnder(prefix: string): string[] | null {
    const found: string[] = [];
    if (statements.actionExists.get(prefix) !== undefined) found.push(prefix);
    let after = `${prefix}.`;
    for (;;) {
      const next = statements.nextAction.get(after, `${prefix}/`);
      if (next === undefined) return found;
      if (found.length >= 64) return null;
      found.push(next);
      after = next;
    }
  }

  function list(filter: AuditFilter = {}): AuditPage {
    const limit = filter.limit ?? 100;
    const offset = filter.offset ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxPageSize) {
      fail('input.invalid', `audit page limit must be 1..${maxPageSize}, got ${limit}`);
    }
    if (!Number.isSafeInteger(offset) || offset < 0) {
      fail('input.invalid', `audit page offset must be a non-negative integer, got ${offset}`);
    }
    const direction = filter.descending === false ? 'ASC' : 'DESC';
    // Time order (sequence breaking ties) is what every index walks; it is sequence order unless
    // the clock was set back between records. A sequence window without a time window walks the
    // primary key instead.
    const byTime =
      (filter.fromSequence === undefined && filter.toSequence === undefined) ||
      filter.fromTime !== undefined ||
      filter.toTime !== undefined;
    const order = byTime
      ? `ORDER BY time ${direction}, sequence ${direction}`
      : `ORDER BY sequence ${direction}`;
    const page = (exactAction?: string, rows = limit + 1, skip = offset): StoredRow[] => {
      const { sql, parameters } = whereClause(filter, exactAction);
      return filterStatement(
        `SELECT sequence, time, record FROM audit_records ${sql} ${order} LIMIT ? OFFSET ?`,
        false,
      ).all(...parameters, rows, skip) as StoredRow[];
    };
    const prefix = actionPrefix(filter);
    const actions = prefix?.includes('.') ? actionsUnder(prefix) : null;
    let rows: StoredRow[];
    if (actions === null) {
      rows = page();
    } else {
      // A range of actions cannot walk one index in sequence order; each action can. Take the
      // first offset + limit + 1 of each and merge them.
      const sign = direction === 'DESC' ? -1 : 1;
      rows = actions
        .flatMap((action) => page(action, offset + limit + 1, 0))
        .sort((a, b) =>
          byTime && a.time !== b.time
            ? sign * (a.time < b.time ? -1 : 1)
            : sign * (a.sequence - b.sequence),
        )
        .slice(offset, offset + limit + 1);
    }
    return {
      records: rows.slice(0, limit).map((row) => parseStored(row.record)),
      hasMore: rows.length > limit,
    };
  }

  function count(filter: AuditFilter = {}): number {
    const { sql, parameters } = whereClause(filter);
    if (sql === '') return readTree().size;
    return filterStatement(`SELECT count(*) FROM audit_records ${sql}`, true).get(
      ...parameters,
    ) as number;
  }

  function* recordTexts(fromSequence = 1, toSequence = Number.MAX_SAFE_INTEGER): Generator<string> {
    let next = Math.max(1, fromSequence);
    for (;;) {
      const page = statements.texts.all(next, toSequence, 1000);
      for (const row of page) yield row.record;
      if (page.length < 1000) return;
      next = page[page.length - 1]!.sequence + 1;
    }
  }

  function* records(fromSequence?: number, toSequence?: number): Generator<AuditRecord> {
    for (const text of recordTexts(fromSequence, toSequence)) yield parseStored(text);
  }

  function rootAt(treeSize: number): Buffer {
    return treeSize === 0 ? emptyTreeHash : rangeHash(0, treeSize, perfectFromStore);
  }

  function inclusionProof(sequence: number, treeSize?: number): InclusionProof {
    const size = readTree().size;
    const at = treeSize ?? size;
    if (!Number.isSafeInteger(at) || at < 1 || at > size) {
      fail('input.invalid', `tree size ${at} is not between 1 and the log's ${size} records`);
    }
    if (!Number.isSafeInteger(sequence) || sequence < 1 || sequence > at) {
      fail('not_found', `record ${sequence} is not in the first ${at} records`);
    }
    const leaf = perfectFromStore(0, sequence - 1);
    const hashes = buildInclusionProof(sequence - 1, at, perfectFromStore);
    const root = at === size ? readTree().root() : rootAt(at);
    if (!verifyInclusion(sequence - 1, at, leaf, hashes, root)) {
      fail('audit.tampered', `the stored tree does not prove record ${sequence}; run verify()`);
    }
    return {
      sequence,
      treeSize: at,
      leafHash: Buffer.from(leaf).toString('base64'),
      rootHash: root.toString('base64'),
      hashes: hashes.map((value) => value.toString('base64')),
    };
  }

  function consistencyProof(fromSize: number, toSize?: number): ConsistencyProof {
    const size = readTree().size;
    const to = toSize ?? size;
    if (!Number.isSafeInteger(to) || to < 0 || to > size) {
      fail('input.invalid', `tree size ${to} is not between 0 and the log's ${size} records`);
    }
    if (!Number.isSafeInteger(fromSize) || fromSize < 0 || fromSize > to) {
      fail('input.invalid', `tree size ${fromSize} is not between 0 and ${to}`);
    }
    const hashes = buildConsistencyProof(fromSize, to, perfectFromStore);
    const fromRoot = rootAt(fromSize);
    const toRoot = to === size ? readTree().root() : rootAt(to);
    if (!verifyConsistency(fromSize, to, fromRoot, toRoot, hashes)) {
      fail('audit.tampered', `the stored tree does not prove ${fromSize} → ${to}; run verify()`);
    }
    return {
      fromSize,
      toSize: to,
      fromRoot: fromRoot.toString('base64'),
      toRoot: toRoot.toString('base64'),
      hashes: hashes.map((value) => value.toString('base64')),
    };
  }

  function signingKey(): AuditSigningKeyInfo {
    const key = currentSigner();
    const row = statements.signingKeys.all().pop()!;
    return {
      name: key.name,
      keyId: keyIdHex(noteKeyId(key.name, key.publicKey)),
      publicKey: key.publicKey.toString('base64'),
      verifierKey: verifierKeyText(key.name, key.publicKey),
      fingerprint: publicKeyFingerprint(key.publicKey),
      createdAt: row.created_at,
    };
  }

  function trustedVerifiers(): { verifiers: NoteVerifier[]; problem: Candidate | null } {
    const stored = statements.signingKeys.all().map((row) => ({
      name: row.key_name,
      keyId: noteKeyId(row.key_name, row.public_key),
      publicKey: Buffer.from(row.public_key),
    }));
    if (!options.trustedKeys) return { verifiers: stored, problem: null };
    const pinned = options.trustedKeys.map(parseVerifierKey);
    const newest = stored[stored.length - 1];
    const known =
      newest !== undefined &&
      pinned.some((key) => key.name === newest.name && key.publicKey.equals(newest.publicKey));
    return {
      verifiers: pinned,
      problem: known
        ? null
        : {
            sequence: null,
            kind: 'signing_key',
            problem: "the database's checkpoint signing key is not the pinned key",
          },
    };
  }

  function verifyWith(extra: Anchor | null): AuditVerification {
    return db.transaction(() => verifyInSnapshot(extra))();
  }

  function verifyInSnapshot(extra: Anchor | null): AuditVerification {
    const candidates: Candidate[] = [];
    const { verifiers, problem: keyProblem } = trustedVerifiers();
    if (keyProblem) candidates.push(keyProblem);

    const anchors: Anchor[] = [];
    for (const row of statements.checkpoints.all()) {
      const label = `checkpoint #${row.id} (size ${row.tree_size}, signed ${row.time})`;
      try {
        const body = openCheckpoint(row.note, verifiers);
        if (
          body.treeSize !== row.tree_size ||
          !body.rootHash.equals(row.root_hash) ||
          body.time !== row.time
        ) {
          candidates.push({
            sequence: null,
            kind: 'checkpoint',
            problem: `${label}: its columns differ from its signed note`,
          });
        }
        anchors.push({ label, treeSize: body.treeSize, rootHash: body.rootHash });
      } catch (error) {
        candidates.push({
          sequence: null,
          kind: 'checkpoint',
          problem: `${label} does not verify: ${(error as Error).message}`,
        });
      }
    }
    if (extra) anchors.push(extra);
    anchors.sort((a, b) => a.treeSize - b.treeSize);

    const stateRow = statements.state.get();
    const extent = statements.extent.get()!;
    const lastSequence = extent.last ?? 0;

    const stream = streamRecords(anchors, lastSequence);
    candidates.push(...stream.candidates);
    const contiguousEnd = stream.contiguousEnd;

    // Truncation: something signed or stored attests more records than exist.
    const attested = Math.max(stateRow?.size ?? 0, ...anchors.map((anchor) => anchor.treeSize));
    if (attested > lastSequence) {
      const witness =
        anchors.find((anchor) => anchor.treeSize === attested)?.label ?? 'the tree state';
      candidates.push({
        sequence: lastSequence + 1,
        kind: 'truncated',
        problem: `the log ends at record ${lastSequence} but ${witness} attests ${attested} records: records from ${lastSequence + 1} were removed`,
      });
    }

    const floor = stream.floor;
    if (stream.firstMismatch) {
      const anchor = stream.firstMismatch;
      const located = locate(0, anchor.treeSize, anchor.rootHash, floor, contiguousEnd, false);
      const sequence = located.index === null ? floor + 1 : located.index + 1;
      candidates.push({
        sequence,
        kind: 'rewritten',
        proven: located.exact && located.index !== null,
        problem:
          located.exact && located.index !== null
            ? `record ${sequence} differs from what ${anchor.label} commits to: it was rewritten together with its leaf hash`
            : `records ${floor + 1}..${anchor.treeSize} differ from what ${anchor.label} commits to, and the stored subtree hashes that would name the record were rewritten too; record ${sequence} is the first that no checkpoint vouches for`,
      });
    }

    if (stream.firstSubtreeMismatch !== null) {
      const row = stream.firstSubtreeMismatch;
      const level = trailingZeros(row);
      const start = row - 2 ** level;
      const claimed = storedSubtree(level, start / 2 ** level);
      const located = claimed
        ? locate(start, row, claimed, floor, contiguousEnd, true)
        : { index: null, exact: false };
      const sequence = located.index === null ? row : located.index + 1;
      candidates.push({
        sequence,
        kind: 'subtree',
        // A stored subtree hash is evidence, not a signature: it may itself have been moved.
        proven: false,
        problem:
          located.index === null
            ? `the subtree hashes stored with record ${row} do not match the records they cover`
            : `record ${sequence} no longer matches the subtree hash stored with record ${row}: it was rewritten together with its leaf hash`,
      });
    }

    let root = emptyTreeHash;
    if (!stateRow) {
      candidates.push({ sequence: null, kind: 'tree_state', problem: 'the tree state is missing' });
    } else if (stateRow.size < lastSequence) {
      candidates.push({
        sequence: stateRow.size + 1,
        kind: 'untracked',
        problem: `records from ${stateRow.size + 1} are not in the tree state (it holds ${stateRow.size})`,
      });
    } else if (stateRow.size === lastSequence && contiguousEnd === lastSequence) {
      root = stream.tree.root();
      const computed = stream.tree.subtrees();
      let stored: CompactTree | null;
      try {
        stored = CompactTree.fromBytes(stateRow.size, stateRow.stack);
      } catch {
        stored = null;
      }
      const storedStack = stored?.subtrees();
      let mismatch = storedStack === undefined ? 0 : -1;
      if (storedStack) {
        mismatch = computed.findIndex((entry, index) => !entry.equals(storedStack[index]!));
      }
      if (mismatch >= 0) {
        // Entry i of the stack is the perfect subtree of the i-th set bit of the size, high first.
        const ranges: Array<[number, number]> = [];
        let start = 0;
        let largest = 1;
        while (largest * 2 <= lastSequence) largest *= 2;
        for (let size = largest; size >= 1; size /= 2) {
          if (lastSequence - start >= size) {
            ranges.push([start, start + size]);
            start += size;
          }
        }
        const [rangeStart, rangeEnd] = ranges[mismatch]!;
        const located = storedStack
          ? locate(rangeStart, rangeEnd, storedStack[mismatch]!, floor, contiguousEnd, true)
          : { index: null, exact: false };
        candidates.push(
          located.index === null
            ? {
                sequence: null,
                kind: 'tree_state',
                problem: 'the stored tree state does not match the records',
              }
            : {
                sequence: located.index + 1,
                kind: 'rewritten',
                proven: false,
                problem: `record ${located.index + 1} no longer matches the tree state: it was rewritten together with its leaf hash`,
              },
        );
      }
    }

    // A record proven bad outranks the first record nothing vouches for; either outranks a
    // problem with a stored summary that names no record.
    const earliest = (list: Candidate[]): Candidate | undefined =>
      list.reduce<Candidate | undefined>(
        (best, candidate) =>
          best === undefined || candidate.sequence! < best.sequence! ? candidate : best,
        undefined,
      );
    const located = candidates.filter((candidate) => candidate.sequence !== null);
    const first =
      earliest(located.filter((candidate) => candidate.proven !== false)) ??
      earliest(located) ??
      candidates[0];
    if (first) {
      return {
        ok: false,
        firstBadSequence: first.sequence,
        kind: first.kind,
        problem: first.problem,
      };
    }
    return {
      ok: true,
      size: lastSequence,
      root: root.toString('base64'),
      checkpointsVerified: anchors.length,
    };
  }

  interface StreamState {
    /** The compact tree over the stored leaves so far: size and right-edge subtree roots. */
    size: number;
    stack: Buffer[];
    previousLeaf: Buffer | null;
    anchorIndex: number;
    floor: number;
    firstMismatch: Anchor | null;
    firstSubtreeMismatch: number | null;
  }

  function stackRoot(stack: readonly Buffer[]): Buffer {
    if (stack.length === 0) return emptyTreeHash;
    let root = stack[stack.length - 1]!;
    for (let i = stack.length - 2; i >= 0; i--) root = hashNode(stack[i]!, root);
    return root;
  }

  /**
   * One pass over every record in sequence order, a chunk at a time: an aligned perfect subtree of
   * `chunkRecords` leaves, read as three raw concatenations (records separated by 0x00, leaves,
   * subtree hashes) and checked whole by verify-chunks.ts — for a large log on a worker thread,
   * while this thread decrypts and reads the next chunk. A clean chunk comes back as the roots of
   * its perfect subtrees, which fold into the tree here; any other chunk goes through the
   * row-by-row path, which names exactly what is wrong.
   */
  function streamRecords(
    anchors: readonly Anchor[],
    lastSequence: number,
  ): {
    candidates: Candidate[];
    tree: CompactTree;
    contiguousEnd: number;
    floor: number;
    firstMismatch: Anchor | null;
    firstSubtreeMismatch: number | null;
  } {
    const candidates: Candidate[] = [];
    let state: StreamState = {
      size: 0,
      stack: [],
      previousLeaf: null,
      anchorIndex: 0,
      floor: 0,
      firstMismatch: null,
      firstSubtreeMismatch: null,
    };
    let stopped = false;
    let firstCandidate = Number.POSITIVE_INFINITY;

    const meetAnchor = (current: StreamState, anchor: Anchor, root: Buffer): void => {
      if (root.equals(anchor.rootHash)) {
        if (!current.firstMismatch) current.floor = anchor.treeSize;
      } else {
        current.firstMismatch ??= anchor;
      }
    };

    const compareAnchors = (current: StreamState): void => {
      while (
        current.anchorIndex < anchors.length &&
        anchors[current.anchorIndex]!.treeSize <= current.size
      ) {
        const anchor = anchors[current.anchorIndex]!;
        current.anchorIndex += 1;
        if (anchor.treeSize < current.size) continue;
        meetAnchor(current, anchor, stackRoot(current.stack));
      }
    };
    compareAnchors(state);

    /** Checks one row, `prefixed` being 0x00 ‖ its record's bytes, and names what is wrong. */
    const processRow = (
      current: StreamState,
      sequence: number,
      prefixed: Buffer,
      leaf: Buffer,
      subtrees: Buffer | null,
    ): void => {
      if (sequence !== current.size + 1) {
        candidates.push({
          sequence: current.size + 1,
          kind: 'missing',
          problem: `record ${current.size + 1} is missing: the next stored record is ${sequence}`,
        });
        stopped = true;
        return;
      }
      let clean = true;
      const validLeaf = leaf.length === hashBytes;
      if (!validLeaf || !hash('sha256', prefixed, 'buffer').equals(leaf)) {
        clean = false;
        candidates.push({
          sequence,
          kind: 'content',
          problem: `record ${sequence} does not match its stored leaf hash: its content was changed`,
        });
      } else if (embeddedSequence(prefixed) !== sequence) {
        clean = false;
        candidates.push({
          sequence,
          kind: 'order',
          problem: `record ${sequence} holds the content of record ${embeddedSequence(prefixed) ?? '?'}: records were reordered or renumbered`,
        });
      }
      // The tree is built over the stored leaves: the checkpoints committed to those.
      const stored = validLeaf ? leaf : Buffer.alloc(hashBytes);
      let subtreesMatch: boolean;
      if (sequence % 2 === 0) {
        let offset = 0;
        subtreesMatch =
          subtrees !== null &&
          subtrees.length === hashBytes * (zeroBitsAtEnd(sequence) + 1) &&
          current.previousLeaf!.compare(subtrees, 0, hashBytes) === 0;
        let node = stored;
        let carry = current.size;
        while (carry % 2 === 1) {
          node = hashNode(current.stack.pop()!, node);
          offset += hashBytes;
          if (subtreesMatch && node.compare(subtrees!, offset, offset + hashBytes) !== 0) {
            subtreesMatch = false;
          }
          carry = Math.floor(carry / 2);
        }
        current.stack.push(node);
      } else {
        subtreesMatch = subtrees === null || subtrees.length === 0;
        current.stack.push(stored);
      }
      if (!subtreesMatch) {
        clean = false;
        current.firstSubtreeMismatch ??= sequence;
      }
      current.size += 1;
      current.previousLeaf = stored;
      compareAnchors(current);
      if (!clean) firstCandidate = Math.min(firstCandidate, sequence);
    };

    const slowChunk = (from: number, to: number): void => {
      for (const [sequence, record, leafValue, subtreeValue] of statements.rows.iterate(from, to)) {
        if (stopped) break;
        const text = typeof record === 'string' ? record : String(record);
        const prefixed = Buffer.concat([Buffer.alloc(1), Buffer.from(text, 'utf8')]);
        const leaf =
          Buffer.isBuffer(leafValue) && leafValue.length === hashBytes
            ? leafValue
            : Buffer.alloc(0);
        const subtrees = Buffer.isBuffer(subtreeValue) ? subtreeValue : null;
        processRow(state, sequence, prefixed, leaf, subtrees);
      }
    };

    interface Chunk {
      from: number;
      to: number;
      rows: number;
      /** Sizes inside the chunk whose subtree roots come back: each anchor's, and the end. */
      sizes: number[];
      /** Copies kept here, as a worker takes over the chunk's buffers: the last stored leaf, and
       * the subtree hashes above the chunk stored with its last row. */
      lastLeaf: Buffer;
      aboveChunk: Buffer;
      submitted: boolean;
    }
    const queue: Chunk[] = [];
    let nextFrom = 1;
    const threaded = lastSequence >= workerFrom && availableParallelism() > 1;
    const checker = (threaded ? workerChunkChecker() : null) ?? inlineChunkChecker();

    const readChunk = (): void => {
      const from = nextFrom;
      const to = Math.min(from + chunkRecords - 1, lastSequence);
      nextFrom += chunkRecords;
      const chunk = statements.chunk.get(from, to)!;
      const rows = chunk.rows;
      const base = from - 1;
      const leaves = chunk.leaves ?? Buffer.alloc(0);
      const subtrees = chunk.subtrees ?? Buffer.alloc(0);
      const above = rows === chunkRecords ? zeroBitsAtEnd(base + rows) - chunkLevels : 0;
      const entry: Chunk = {
        from,
        to,
        rows,
        sizes: [
          ...new Set([
            ...anchors
              .map((anchor) => anchor.treeSize - base)
              .filter((size) => size >= 1 && size < rows),
            rows,
          ]),
        ],
        lastLeaf: Buffer.from(leaves.subarray(leaves.length - hashBytes)),
        aboveChunk: Buffer.from(
          subtrees.subarray(Math.max(0, subtrees.length - above * hashBytes)),
        ),
        submitted: false,
      };
      if (
        rows > 0 &&
        chunk.first === from &&
        chunk.last === base + rows &&
        chunk.texts !== null &&
        leaves.length === rows * hashBytes
      ) {
        checker.submit({
          first: from,
          rows,
          levels: chunkLevels,
          texts: chunk.texts,
          leaves,
          subtrees,
          sizes: entry.sizes,
        });
        entry.submitted = true;
      }
      queue.push(entry);
    };

    /** Folds a clean chunk into the tree; false when the tree above the chunk disagrees. */
    const mergeChunk = (entry: Chunk, stacks: Buffer[][]): boolean => {
      const base = entry.from - 1;
      if (state.size !== base) return false;
      const inside = new Map(entry.sizes.map((size, index) => [size, stacks[index]!]));
      const trial: StreamState = { ...state, stack: [...state.stack] };
      const end = base + entry.rows;
      while (trial.anchorIndex < anchors.length && anchors[trial.anchorIndex]!.treeSize <= end) {
        const anchor = anchors[trial.anchorIndex]!;
        trial.anchorIndex += 1;
        if (anchor.treeSize <= base) continue;
        meetAnchor(
          trial,
          anchor,
          stackRoot([...trial.stack, ...inside.get(anchor.treeSize - base)!]),
        );
      }
      const whole = inside.get(entry.rows)!;
      if (entry.rows === chunkRecords) {
        // The chunk's root joins the subtrees to its left as an append would; the nodes it
        // completes are the last hashes stored with the chunk's last row.
        const tail = entry.aboveChunk;
        let node = whole[0]!;
        let carry = base / chunkRecords;
        for (let level = 0; carry % 2 === 1; level++) {
          node = hashNode(trial.stack.pop()!, node);
          const offset = level * hashBytes;
          if (offset >= tail.length || node.compare(tail, offset, offset + hashBytes) !== 0) {
            return false;
          }
          carry = Math.floor(carry / 2);
        }
        trial.stack.push(node);
      } else {
        trial.stack.push(...whole);
      }
      trial.size = end;
      trial.previousLeaf = entry.lastLeaf;
      state = trial;
      return true;
    };

    try {
      // Two chunks ahead keep a worker busy while this thread reads.
      const ahead = checker.threaded ? 2 : 1;
      while (nextFrom <= lastSequence && queue.length < ahead) readChunk();
      while (queue.length > 0 && !stopped) {
        const entry = queue.shift()!;
        if (nextFrom <= lastSequence) readChunk();
        const result = entry.submitted ? checker.take() : null;
        if (entry.rows === 0) continue;
        if (!(result?.clean === true && mergeChunk(entry, result.stacks))) {
          slowChunk(entry.from, entry.to);
        }
        // Nothing later can be smaller than a row already named once a checkpoint has failed.
        if (firstCandidate !== Number.POSITIVE_INFINITY && state.firstMismatch) break;
      }
    } finally {
      checker.close();
    }
    return {
      candidates,
      tree: new CompactTree(state.size, state.stack),
      contiguousEnd: state.size,
      floor: state.floor,
      firstMismatch:
        state.firstMismatch && state.firstMismatch.treeSize <= state.size
          ? state.firstMismatch
          : null,
      firstSubtreeMismatch: state.firstSubtreeMismatch,
    };
  }

  /** The claimed (stored) value of a perfect subtree, by the evidence kept for it. */
  function claimedSubtree(level: number, index: number, end: number): Buffer | null {
    if (level === 0 && index % 2 === 0 && index + 2 <= end) {
      // A left leaf's copy is stored with its right sibling.
      const blob = statements.subtrees.get(index + 2);
      return blob && blob.length >= hashLength ? blob.subarray(0, hashLength) : null;
    }
    return storedSubtree(level, index);
  }

  function claimedRange(start: number, end: number, limit: number): Buffer | null {
    try {
      return rangeHash(start, end, (level, index) => {
        const value = claimedSubtree(level, index, limit);
        if (!value) throw new RangeError('missing');
        return value;
      });
    } catch {
      return null;
    }
  }

  /** MTH of the stored leaf hashes [start, end), or null when a row is missing. */
  function currentRange(start: number, end: number): Buffer | null {
    const leaves = statements.leaves.all(start + 1, end);
    if (leaves.length !== end - start) return null;
    const tree = new CompactTree();
    for (const leaf of leaves) {
      if (leaf.length !== hashLength) return null;
      tree.append(leaf);
    }
    return tree.root();
  }

  /**
   * Finds the first leaf in [start, end) whose stored hash differs from what `trusted` commits to
   * (see the module header). Leaves below `floor` are vouched for already; `limit` is how many
   * rows exist without a gap. A `weak` anchor is a stored value rather than a signed one: when
   * even its own children do not authenticate it, the anchor is what is wrong. Returns a 0-based
   * leaf index (null: no leaf differs), exact when stored hashes authenticated the whole way.
   */
  function locate(
    start: number,
    end: number,
    trusted: Buffer,
    floor: number,
    limit: number,
    weak: boolean,
  ): { index: number | null; exact: boolean } {
    let low = start;
    let high = end;
    let value = trusted;
    if (high > limit) return { index: Math.max(low, floor), exact: false };
    for (let top = true; ; top = false) {
      if (high - low === 1) {
        const leaf = storedSubtree(0, low);
        return leaf?.equals(value) ? { index: null, exact: true } : { index: low, exact: true };
      }
      const k = splitPoint(high - low);
      const left = claimedRange(low, low + k, limit);
      const right = claimedRange(low + k, high, limit);
      if (!left || !right || !nodeHash(left, right).equals(value)) {
        if (high - low === 2 && left) {
          // The left copy is stored with the right leaf: if the left leaf still matches it, the
          // right record is the one rewritten.
          const leftLeaf = storedSubtree(0, low);
          if (leftLeaf?.equals(left) && low + 1 >= floor) return { index: low + 1, exact: true };
        }
        if (weak && top) return { index: null, exact: false };
        const current = currentRange(low, high);
        if (current?.equals(value)) return { index: null, exact: true };
        return { index: Math.max(low, floor), exact: false };
      }
      const currentLeft = low + k <= floor ? left : currentRange(low, low + k);
      if (!currentLeft?.equals(left)) {
        high = low + k;
        value = left;
      } else {
        low += k;
        value = right;
      }
    }
  }

  return {
    append,
    checkpoint,
    latestCheckpoint,
    size: () => readTree().size,
    root: () => readTree().root().toString('base64'),
    get,
    list,
    count,
    records,
    recordTexts,
    inclusionProof,
    consistencyProof,
    verify: () => verifyWith(null),
    verifyAgainst(checkpointNote, verifierKey) {
      const verifiers = verifierKey
        ? [parseVerifierKey(verifierKey)]
        : trustedVerifiers().verifiers;
      const body = openCheckpoint(checkpointNote, verifiers);
      const origin = currentSigner().name;
      if (body.origin !== origin) {
        fail(
          'audit.invalid',
          `the checkpoint is for log "${body.origin}", not this log ("${origin}")`,
        );
      }
      return verifyWith({
        label: `the given checkpoint (size ${body.treeSize}, signed ${body.time})`,
        treeSize: body.treeSize,
        rootHash: body.rootHash,
      });
    },
    signingKey,
  };
}

/** The top-level `"sequence":N` of a canonical record (0x00-prefixed bytes), or null. */
function embeddedSequence(prefixed: Buffer): number | null {
  // Keys after "sequence" hold strings and numbers only, and a string cannot contain the
  // unescaped pattern, so the last occurrence is the record's own key.
  const at = prefixed.lastIndexOf(sequencePattern);
  if (at < 0) return null;
  let value = 0;
  let position = at + sequencePattern.length;
  const begin = position;
  while (position < prefixed.length) {
    const byte = prefixed[position]!;
    if (byte < 0x30 || byte > 0x39) break;
    value = value * 10 + (byte - 0x30);
    position += 1;
  }
  return position === begin ? null : value;
}
