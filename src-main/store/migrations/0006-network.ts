// Network segmentation: zones, VLANs, subnets, conduits, device zone assignments and their version
// history (before and after values, append-only by trigger), observed flows, the imports they came
// from, and addresses seen that no device has.
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';

export const version = 6;
export const name = 'network';

// Kept here rather than imported so this migration stays as shipped when the vocabularies grow.
const oneOf = (column: string, values: readonly string[]): string =>
  values.map((value) => `${column} = '${value}'`).join(' OR ');
const tiers = ['life_sustaining', 'high', 'medium', 'low'];
const protocols = ['tcp', 'udp', 'icmp', 'any'];
const directions = ['one-way', 'both'];
const states = ['allow', 'monitor', 'deny'];
const flowProtocols = ['tcp', 'udp', 'icmp', 'other'];

export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE network_zones (
      id TEXT PRIMARY KEY CHECK (id GLOB '[a-z]*' AND id NOT GLOB '*[^a-z0-9-]*'
        AND length(id) <= 63 AND id <> 'external'),
      name TEXT NOT NULL CHECK (length(name) > 0),
      description TEXT NOT NULL,
      tier TEXT NOT NULL CHECK (${oneOf('tier', tiers)}),
      clinical INTEGER NOT NULL CHECK (clinical IN (0, 1)),
      isolate INTEGER NOT NULL CHECK (isolate IN (0, 1))
    ) STRICT;

    CREATE TABLE network_vlans (
      vlan_id INTEGER PRIMARY KEY CHECK (vlan_id BETWEEN 1 AND 4094),
      zone_id TEXT NOT NULL REFERENCES network_zones (id) ON DELETE CASCADE,
      name TEXT NOT NULL CHECK (length(name) > 0)
    ) STRICT;
    CREATE INDEX network_vlans_zone ON network_vlans (zone_id);

    -- Canonical CIDR text; overlaps between zones are refused by the policy checks before a write.
    CREATE TABLE network_subnets (
      cidr TEXT PRIMARY KEY,
      zone_id TEXT NOT NULL REFERENCES network_zones (id) ON DELETE CASCADE,
      family INTEGER NOT NULL CHECK (family IN (4, 6))
    ) STRICT;
    CREATE INDEX network_subnets_zone ON network_subnets (zone_id);

    -- from_zone / to_zone name a zone or 'external' (outside every zone), hence no foreign key.
    CREATE TABLE network_conduits (
      id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
      from_zone TEXT NOT NULL,
      to_zone TEXT NOT NULL,
      protocol TEXT NOT NULL CHECK (${oneOf('protocol', protocols)}),
      ports_json TEXT NOT NULL CHECK (json_valid(ports_json) AND json_type(ports_json) = 'array'),
      direction TEXT NOT NULL CHECK (${oneOf('direction', directions)}),
      state TEXT NOT NULL CHECK (${oneOf('state', states)}),
      purpose TEXT NOT NULL CHECK (length(purpose) > 0),
      CHECK (from_zone <> 'external' OR to_zone <> 'external')
    ) STRICT;

    CREATE TABLE network_device_zones (
      device_uid TEXT PRIMARY KEY REFERENCES devices (uid),
      zone_id TEXT NOT NULL REFERENCES network_zones (id)
    ) STRICT;
    CREATE INDEX network_device_zones_zone ON network_device_zones (zone_id);

    -- Version 0 is the empty policy before the first row.
    CREATE TABLE network_policy_versions (
      version INTEGER PRIMARY KEY CHECK (version >= 1),
      at TEXT NOT NULL,
      actor TEXT NOT NULL CHECK (length(actor) > 0),
      reason TEXT NOT NULL CHECK (length(reason) > 0),
      kind TEXT NOT NULL CHECK (${oneOf('kind', ['edit', 'import', 'draft', 'revert'])}),
      reverted_to INTEGER CHECK (reverted_to >= 0 AND reverted_to < version),
      CHECK ((kind = 'revert') = (reverted_to IS NOT NULL))
    ) STRICT;

    CREATE TABLE network_policy_changes (
      version INTEGER NOT NULL REFERENCES network_policy_versions (version),
      seq INTEGER NOT NULL CHECK (seq >= 1),
      entity TEXT NOT NULL CHECK (${oneOf('entity', ['zone', 'conduit', 'assignment'])}),
      entity_key TEXT NOT NULL,
      operation TEXT NOT NULL CHECK (${oneOf('operation', ['create', 'update', 'delete'])}),
      before_json TEXT CHECK (before_json IS NULL OR json_valid(before_json)),
      after_json TEXT CHECK (after_json IS NULL OR json_valid(after_json)),
      PRIMARY KEY (version, seq),
      CHECK ((operation = 'create') = (before_json IS NULL)),
      CHECK ((operation = 'delete') = (after_json IS NULL))
    ) STRICT;

    CREATE TRIGGER network_policy_versions_append_only BEFORE UPDATE ON network_policy_versions
    BEGIN SELECT RAISE(ABORT, 'policy versions are history: never changed'); END;
    CREATE TRIGGER network_policy_versions_kept BEFORE DELETE ON network_policy_versions
    BEGIN SELECT RAISE(ABORT, 'policy versions are history: never deleted'); END;
    CREATE TRIGGER network_policy_changes_append_only BEFORE UPDATE ON network_policy_changes
    BEGIN SELECT RAISE(ABORT, 'policy changes are history: never changed'); END;
    CREATE TRIGGER network_policy_changes_kept BEFORE DELETE ON network_policy_changes
    BEGIN SELECT RAISE(ABORT, 'policy changes are history: never deleted'); END;

    -- One row per (source, destination, transport, destination port); imports add to it.
    CREATE TABLE network_flows (
      id INTEGER PRIMARY KEY,
      source_address TEXT NOT NULL,
      destination_address TEXT NOT NULL,
      protocol TEXT NOT NULL CHECK (${oneOf('protocol', flowProtocols)}),
      port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
      bytes INTEGER NOT NULL CHECK (bytes >= 0),
      count INTEGER NOT NULL CHECK (count >= 1),
      tls_count INTEGER NOT NULL CHECK (tls_count BETWEEN 0 AND count),
      services_json TEXT NOT NULL CHECK (json_valid(services_json)),
      first_seen_ms INTEGER NOT NULL,
      last_seen_ms INTEGER NOT NULL CHECK (last_seen_ms >= first_seen_ms),
      UNIQUE (source_address, destination_address, protocol, port)
    ) STRICT;

    CREATE TABLE network_flow_imports (
      id INTEGER PRIMARY KEY,
      file_name TEXT NOT NULL,
      format TEXT NOT NULL CHECK (${oneOf('format', ['zeek-tsv', 'zeek-json', 'csv'])}),
      content_sha256 TEXT NOT NULL UNIQUE CHECK (length(content_sha256) = 64),
      imported_at TEXT NOT NULL,
      actor TEXT NOT NULL CHECK (length(actor) > 0),
      record_lines INTEGER NOT NULL CHECK (record_lines >= 0),
      rejected_lines INTEGER NOT NULL CHECK (rejected_lines >= 0),
      connections INTEGER NOT NULL CHECK (connections >= 0),
      flows INTEGER NOT NULL CHECK (flows >= 0)
    ) STRICT;

    CREATE TABLE network_unknown_devices (
      address TEXT PRIMARY KEY,
      first_seen_ms INTEGER NOT NULL,
      last_seen_ms INTEGER NOT NULL CHECK (last_seen_ms >= first_seen_ms),
      flow_count INTEGER NOT NULL CHECK (flow_count >= 1),
      inferred_zone_id TEXT,
      state TEXT NOT NULL DEFAULT 'open' CHECK (${oneOf('state', ['open', 'ignored', 'resolved'])})
    ) STRICT;
  `);
}
