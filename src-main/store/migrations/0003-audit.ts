// The tamper-evident audit log (see src-main/audit/log.ts). A record is stored once, as the exact
// canonical bytes its Merkle leaf hashes; the columns people filter on are generated from that
// text by SQLite, so a row can never show one thing and hash another. Triggers refuse UPDATE and
// DELETE of records, checkpoints and signing keys, and any append that is not the next sequence:
// defence in depth only — the Merkle tree and the signed checkpoints are what detect tampering.
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';

export const version = 3;
export const name = 'audit';

const appendOnly = (table: string, what: string): string => `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN
      SELECT RAISE(ABORT, '${what} are append-only: they are never changed');
    END;
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} BEGIN
      SELECT RAISE(ABORT, '${what} are append-only: they are never deleted');
    END;`;

export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE audit_records (
      sequence INTEGER PRIMARY KEY CHECK (sequence >= 1),
      -- RFC 8785 canonical JSON of the whole record, sequence and time included.
      record TEXT NOT NULL,
      -- SHA-256(0x00 || record): the Merkle leaf.
      leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
      -- The roots of the perfect subtrees this leaf completes, level 1 upward, 32 bytes each
      -- (as many as the trailing zero bits of the sequence; NULL for odd sequences). Proofs read
      -- them instead of rehashing up to n leaves; verify() recomputes and compares them.
      subtree_hashes BLOB CHECK (subtree_hashes IS NULL OR length(subtree_hashes) % 32 = 0),
      time TEXT GENERATED ALWAYS AS (record ->> '$.time') VIRTUAL,
      actor TEXT GENERATED ALWAYS AS (record ->> '$.actor') VIRTUAL,
      action TEXT GENERATED ALWAYS AS (record ->> '$.action') VIRTUAL,
      action_domain TEXT GENERATED ALWAYS AS
        (substr(action, 1, instr(action || '.', '.') - 1)) VIRTUAL,
      outcome TEXT GENERATED ALWAYS AS (record ->> '$.outcome') VIRTUAL,
      emergency INTEGER GENERATED ALWAYS AS (record ->> '$.emergency') VIRTUAL
    ) STRICT;

    -- Each filter leads its own index, then the time, then (implicitly) the rowid: an equality
    -- filter, with or without a time window, walks its matches already in list order (time, then
    -- sequence) and a page needs no sort.
    CREATE INDEX audit_records_time ON audit_records (time);
    CREATE INDEX audit_records_actor ON audit_records (actor, time);
    CREATE INDEX audit_records_action ON audit_records (action, time);
    CREATE INDEX audit_records_action_domain ON audit_records (action_domain, time);
    CREATE INDEX audit_records_outcome ON audit_records (outcome, time);
    CREATE INDEX audit_records_emergency ON audit_records (emergency, time) WHERE emergency = 1;

    -- The compact Merkle tree after the last append: its size and the right-edge subtree roots.
    CREATE TABLE audit_tree_state (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      size INTEGER NOT NULL CHECK (size >= 0),
      stack BLOB NOT NULL CHECK (length(stack) % 32 = 0)
    ) STRICT;
    INSERT INTO audit_tree_state (id, size, stack) VALUES (1, 0, x'');

    CREATE TABLE audit_checkpoints (
      id INTEGER PRIMARY KEY,
      tree_size INTEGER NOT NULL CHECK (tree_size >= 0),
      root_hash BLOB NOT NULL CHECK (length(root_hash) = 32),
      time TEXT NOT NULL,
      key_name TEXT NOT NULL,
      key_id TEXT NOT NULL,
      -- The signed note itself: the authority; the columns above are a reading of it.
      note TEXT NOT NULL
    ) STRICT;
    CREATE INDEX audit_checkpoints_tree_size ON audit_checkpoints (tree_size);

    -- The console's Ed25519 checkpoint key. The private key lives only here, so only inside the
    -- encrypted database; rotation appends a row and the newest signs.
    CREATE TABLE audit_signing_keys (
      id INTEGER PRIMARY KEY,
      key_name TEXT NOT NULL,
      key_id TEXT NOT NULL,
      public_key BLOB NOT NULL CHECK (length(public_key) = 32),
      private_key BLOB NOT NULL,
      created_at TEXT NOT NULL,
      UNIQUE (key_name, key_id)
    ) STRICT;

    CREATE TRIGGER audit_records_in_sequence BEFORE INSERT ON audit_records
    WHEN NEW.sequence IS NOT (SELECT size FROM audit_tree_state WHERE id = 1) + 1 BEGIN
      SELECT RAISE(ABORT, 'an audit record takes the next sequence number, with no gap');
    END;

    CREATE TRIGGER audit_tree_state_grows BEFORE UPDATE ON audit_tree_state
    WHEN NEW.size IS NOT OLD.size + 1 OR NEW.id IS NOT OLD.id BEGIN
      SELECT RAISE(ABORT, 'the audit tree grows by one leaf per record');
    END;
    CREATE TRIGGER audit_tree_state_no_delete BEFORE DELETE ON audit_tree_state BEGIN
      SELECT RAISE(ABORT, 'the audit tree state is never deleted');
    END;
    ${appendOnly('audit_records', 'audit records')}
    ${appendOnly('audit_checkpoints', 'audit checkpoints')}
    ${appendOnly('audit_signing_keys', 'audit signing keys')}
  `);
}
