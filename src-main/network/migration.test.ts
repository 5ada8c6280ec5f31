import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrationForTest } from '../../test/support/schema';
import { useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { createInventoryService } from '../inventory/service';
import type { SqliteDatabase } from '../store/database';
import { openDatabase } from '../store/database';
import * as migration from '../store/migrations/0006-network';

const tempDir = useTempDirs();
const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const open: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

describe('migration 0006 network', () => {
  it('adds the network tables, STRICT, beside an inventory that already holds devices', async () => {
    const file = join(tempDir(), 'wardkeep.db');
    const key = randomBytes(32);
    const db = openDatabase(file, key);
    open.push(db);
    const inventory = createInventoryService({
      db,
      clock: frozenClock(0),
      ids: sequentialIds('dev'),
      logger: quiet,
    });
    await inventory.importFile(
      'd.csv',
      'manufacturer,model,serial_number,device_class\nAcme,M,S1,ecg\n',
      { skipInvalid: false },
    );
    inventory.dispose();
    expect(migration.version).toBe(6);
    expect(migration.name).toBe('network');
    applyMigrationForTest(db, migration);
    const tables = db
      .prepare<[], { name: string; strict: number }>(
        "SELECT name, strict FROM pragma_table_list WHERE name LIKE 'network_%' ORDER BY name",
      )
      .all();
    expect(tables).toEqual(
      [
        'network_conduits',
        'network_device_zones',
        'network_flow_imports',
        'network_flows',
        'network_policy_changes',
        'network_policy_versions',
        'network_subnets',
        'network_unknown_devices',
        'network_vlans',
        'network_zones',
      ].map((name) => ({ name, strict: 1 })),
    );
    const uid = db.prepare<[], { uid: string }>('SELECT uid FROM devices').get()!.uid;
    db.prepare(
      "INSERT INTO network_zones (id, name, description, tier, clinical, isolate) VALUES ('lab', 'Lab', '', 'medium', 1, 0)",
    ).run();
    db.prepare('INSERT INTO network_device_zones (device_uid, zone_id) VALUES (?, ?)').run(
      uid,
      'lab',
    );
    expect(() =>
      db.prepare("INSERT INTO network_device_zones VALUES ('nobody', 'lab')").run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("DELETE FROM network_zones WHERE id = 'lab'").run()).toThrow(
      /FOREIGN KEY/,
    );
  });

  it('refuses values outside the vocabularies and keeps policy history append-only', () => {
    const db = openDatabase(join(tempDir(), 'wardkeep.db'), randomBytes(32));
    open.push(db);
    applyMigrationForTest(db, migration);
    const zone = db.prepare(
      'INSERT INTO network_zones (id, name, description, tier, clinical, isolate) VALUES (?, ?, ?, ?, ?, ?)',
    );
    expect(() => zone.run('external', 'X', '', 'low', 0, 0)).toThrow(/CHECK/);
    expect(() => zone.run('Upper', 'X', '', 'low', 0, 0)).toThrow(/CHECK/);
    expect(() => zone.run('ok', 'X', '', 'unassessed', 0, 0)).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare("INSERT INTO network_vlans (vlan_id, zone_id, name) VALUES (4095, 'x', 'X')")
        .run(),
    ).toThrow(/CHECK/);
    db.prepare(
      "INSERT INTO network_policy_versions (version, at, actor, reason, kind) VALUES (1, 't', 'alice', 'why', 'edit')",
    ).run();
    db.prepare(
      "INSERT INTO network_policy_changes VALUES (1, 1, 'zone', 'lab', 'create', NULL, '{}')",
    ).run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO network_policy_versions (version, at, actor, reason, kind) VALUES (2, 't', 'a', 'w', 'revert')",
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE network_policy_versions SET reason = 'other'").run()).toThrow(
      /never changed/,
    );
    expect(() => db.prepare('DELETE FROM network_policy_versions').run()).toThrow(/never deleted/);
    expect(() => db.prepare("UPDATE network_policy_changes SET entity_key = 'x'").run()).toThrow(
      /never changed/,
    );
    expect(() => db.prepare('DELETE FROM network_policy_changes').run()).toThrow(/never deleted/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO network_flows (source_address, destination_address, protocol, port, bytes, count, tls_count, services_json, first_seen_ms, last_seen_ms) VALUES ('a', 'b', 'tcp', 1, 0, 1, 2, '[]', 0, 0)",
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
