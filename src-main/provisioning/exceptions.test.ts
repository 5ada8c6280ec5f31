import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrationForTest } from '../../test/support/schema';
import { useTempDirs } from '../../test/support/temp';
import { createAuditLog } from '../audit/log';
import type { AuditLog } from '../audit/log';
import { manufacturerKey } from '../inventory/device-fields';
import { createDeviceRepository } from '../inventory/repository';
import { frozenClock } from '../lib/clock';
import { WardkeepFailure } from '../lib/errors';
import { sequentialIds } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { createNetworkService } from '../network/service';
import { zonesTemplatePath } from '../network/template';
import type { SqliteDatabase } from '../store/database';
import { openDatabase } from '../store/database';
import * as migration from '../store/migrations/0007-provisioning';
import type { ExceptionInput } from './exceptions';
import { createExceptionRegistry } from './exceptions';
import type { AuditedRunner, ProvisioningAuditEntry } from './session';

const tempDir = useTempDirs();
const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const startMs = Date.UTC(2026, 10, 23, 10);
const open: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

function audited(db: SqliteDatabase, log: AuditLog): AuditedRunner {
  return <T>(
    entry: ProvisioningAuditEntry | ((value: T) => ProvisioningAuditEntry),
    work: () => T,
  ) =>
    db.transaction(() => {
      const value = work();
      const given = typeof entry === 'function' ? entry(value) : entry;
      log.append({
        actor: 'eng.smith',
        role: 'engineer',
        sessionId: null,
        emergency: false,
        action: given.action,
        target: given.target ?? null,
        outcome: given.outcome ?? 'success',
        reason: given.reason ?? null,
        details: given.details ?? {},
      });
      return value;
    })();
}

function setUp() {
  const db = openDatabase(join(tempDir(), 'wardkeep.db'), randomBytes(32));
  open.push(db);
  applyMigrationForTest(db, migration);
  const clock = frozenClock(startMs);
  const log = createAuditLog({ db, clock });
  const network = createNetworkService({ db, clock, logger: quiet });
  network.importPolicyFile(readFileSync(zonesTemplatePath(), 'utf8'), {
    actor: 'admin',
    reason: 'segmentation',
  });
  const devices = createDeviceRepository(db);
  for (const [uid, serial] of [
    ['dev-legacy-1', 'VOL-1'],
    ['dev-legacy-2', 'VOL-2'],
    ['dev-legacy-3', 'VOL-3'],
  ] as const) {
    devices.transaction(() =>
      devices.insertDevice(
        uid,
        {
          assetTag: `PUMP-${serial}`,
          manufacturer: 'OldCo Medical',
          manufacturerKey: manufacturerKey('OldCo Medical'),
          model: 'Volumat 1',
          serialNumber: serial,
          udiDeviceIdentifier: null,
          udiProductionIdentifier: null,
          udiIssuer: null,
          deviceClass: 'infusion_pump',
          criticality: 'high',
          site: null,
          building: null,
          floor: null,
          room: null,
          bed: null,
          department: null,
          macAddress: null,
          ipAddress: null,
          hostname: null,
          firmwareVersion: '1.3',
          lifecycleState: 'in_service',
          endOfLife: null,
          notes: null,
        },
        new Date(startMs).toISOString(),
      ),
    );
  }
  const registry = createExceptionRegistry({
    db,
    clock,
    ids: sequentialIds('exception'),
    audit: audited(db, log),
    network,
  });
  return { db, clock, log, network, registry };
}

function input(overrides: Partial<ExceptionInput> = {}): ExceptionInput {
  return {
    deviceUid: 'dev-legacy-1',
    risk: 'No device identity: anything on its VLAN could impersonate it to the pump server.',
    compensatingControls: [
      'kept in the restricted medical-devices zone',
      'flows monitored by the IDS; alerts to clinical engineering',
    ],
    zoneId: 'medical-devices',
    owner: 'Head of clinical engineering',
    reviewDate: '2027-05-01',
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

describe('legacy-device exceptions', () => {
  it('records an exception with its audit record and puts the device in the restricted zone', () => {
    const { registry, log, network } = setUp();
    const record = registry.create(input(), 'eng.smith');
    expect(record).toMatchObject({
      id: 'exception-000001',
      deviceUid: 'dev-legacy-1',
      device: { manufacturer: 'OldCo Medical', serialNumber: 'VOL-1', assetTag: 'PUMP-VOL-1' },
      zoneId: 'medical-devices',
      owner: 'Head of clinical engineering',
      reviewDate: '2027-05-01',
      createdBy: 'eng.smith',
      createdAt: '2026-11-23T10:00:00.000Z',
      status: 'active',
      overdue: false,
      daysUntilReview: 159,
    });
    expect(network.current().assignments['dev-legacy-1']).toBe('medical-devices');
    const [entry] = log.list({ action: 'provision.exception' }).records;
    expect(entry).toMatchObject({
      action: 'provision.exception.create',
      target: 'device:dev-legacy-1',
      details: { exceptionId: 'exception-000001', reviewDate: '2027-05-01' },
    });
  });

  it('lists exceptions by review date with the overdue ones first and flagged', () => {
    const { registry, clock } = setUp();
    registry.create(input({ deviceUid: 'dev-legacy-1', reviewDate: '2027-06-01' }), 'eng.smith');
    registry.create(input({ deviceUid: 'dev-legacy-2', reviewDate: '2026-12-01' }), 'eng.smith');
    registry.create(input({ deviceUid: 'dev-legacy-3', reviewDate: '2027-01-15' }), 'eng.smith');
    clock.set(Date.UTC(2027, 0, 10, 9));
    const listed = registry.list();
    expect(
      listed.map((record) => [
        record.deviceUid,
        record.reviewDate,
        record.overdue,
        record.daysUntilReview,
      ]),
    ).toEqual([
      ['dev-legacy-2', '2026-12-01', true, -40],
      ['dev-legacy-3', '2027-01-15', false, 5],
      ['dev-legacy-1', '2027-06-01', false, 142],
    ]);
  });

  it('keeps one exception in force per device; a review moves the date, a revocation ends it', () => {
    const { registry, log } = setUp();
    const first = registry.create(input(), 'eng.smith');
    expect(failure(() => registry.create(input(), 'eng.smith')).message).toMatch(
      /already has an exception in force \(exception-000001, review 2027-05-01\)/,
    );
    const reviewed = registry.review(
      first.id,
      { reviewDate: '2027-10-01', note: 'still no firmware with crypto' },
      'eng.jones',
    );
    expect(reviewed).toMatchObject({
      reviewDate: '2027-10-01',
      reviewedBy: 'eng.jones',
      reviewNote: 'still no firmware with crypto',
    });
    const revoked = registry.revoke(
      first.id,
      'replaced by a pump that holds a certificate',
      'eng.smith',
    );
    expect(revoked).toMatchObject({ status: 'revoked', overdue: false, revokedBy: 'eng.smith' });
    expect(registry.forDevice('dev-legacy-1')).toBeNull();
    expect(registry.list()).toEqual([]);
    expect(registry.list({ includeRevoked: true }).map((record) => record.id)).toEqual([first.id]);
    expect(
      failure(() => registry.review(first.id, { reviewDate: '2027-10-02', note: 'x' }, 'eng.smith'))
        .code,
    ).toBe('input.invalid');
    // A new exception for the device is possible once the old one is revoked.
    expect(registry.create(input(), 'eng.smith').id).toBe('exception-000002');
    expect(
      log
        .list({ action: 'provision.exception', descending: false })
        .records.map((entry) => entry.action),
    ).toEqual([
      'provision.exception.create',
      'provision.exception.review',
      'provision.exception.revoke',
      'provision.exception.create',
    ]);
  });

  it('refuses what an exception cannot be: no device, no control, a past or distant review, an unknown zone', () => {
    const { registry, log } = setUp();
    expect(
      failure(() => registry.create(input({ deviceUid: 'dev-missing' }), 'eng.smith')).code,
    ).toBe('not_found');
    expect(
      failure(() => registry.create(input({ compensatingControls: [] }), 'eng.smith')).message,
    ).toBe('compensatingControls must list at least one control');
    expect(
      failure(() => registry.create(input({ reviewDate: '2026-11-23' }), 'eng.smith')).message,
    ).toBe('reviewDate 2026-11-23 is not after today (2026-11-23)');
    expect(
      failure(() => registry.create(input({ reviewDate: '2028-01-01' }), 'eng.smith')).message,
    ).toMatch(/more than 366 days ahead/);
    expect(
      failure(() => registry.create(input({ reviewDate: '2027-02-30' }), 'eng.smith')).message,
    ).toBe('reviewDate 2027-02-30 is not a calendar date');
    expect(failure(() => registry.create(input({ zoneId: 'nowhere' }), 'eng.smith')).message).toBe(
      'the network policy has no zone "nowhere"',
    );
    expect(
      failure(() => registry.create(input({ owner: 'x\u202ey' }), 'eng.smith')).message,
    ).toMatch(/U\+202E/);
    expect(log.size()).toBe(0);
  });

  it('never deletes an exception and never changes a revoked one (triggers)', () => {
    const { registry, db } = setUp();
    const record = registry.create(input(), 'eng.smith');
    expect(() => db.prepare('DELETE FROM provisioning_exceptions').run()).toThrow(
      /revoked, never deleted/,
    );
    registry.revoke(record.id, 'device retired', 'eng.smith');
    expect(() => db.prepare(`UPDATE provisioning_exceptions SET owner = 'someone'`).run()).toThrow(
      /revoked exception does not change/,
    );
  });
});

describe('migration 0007 provisioning', () => {
  it('adds STRICT tables whose history cannot be rewritten', () => {
    const { db } = setUp();
    expect(migration.version).toBe(7);
    expect(migration.name).toBe('provisioning');
    const tables = db
      .prepare<[], { name: string; strict: number }>(
        "SELECT name, strict FROM pragma_table_list WHERE name LIKE 'provisioning_%' ORDER BY name",
      )
      .all();
    expect(tables).toEqual([
      { name: 'provisioning_attempts', strict: 1 },
      { name: 'provisioning_bindings', strict: 1 },
      { name: 'provisioning_exceptions', strict: 1 },
    ]);
    db.prepare(
      `INSERT INTO provisioning_attempts (uid, protocol, started_at_ms, ended_at_ms, outcome, step, code)
       VALUES ('a1', 'wardkeep-reference-v1', 1, 2, 'failed', 'connect', 'timeout')`,
    ).run();
    expect(() => db.prepare(`UPDATE provisioning_attempts SET code = 'x'`).run()).toThrow(
      /does not change/,
    );
    expect(() => db.prepare('DELETE FROM provisioning_attempts').run()).toThrow(/never deleted/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO provisioning_attempts (uid, protocol, started_at_ms, ended_at_ms, outcome, step, code)
           VALUES ('a2', 'p', 1, 2, 'provisioned', 'commit', 'timeout')`,
        )
        .run(),
    ).toThrow(/CHECK constraint/);
  });
});
