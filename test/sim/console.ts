// The console side for simulator tests and the benchmark: a real encrypted store (migrations up to
// 0006, then 0007 as the lead will list it), the real PKI with a local CA, the simulated world's
// manufacturers trusted and its baseline imported, the zones template as network policy, and an
// audited wrapper that does what AppServices.audited does: the work and its audit record in one
// transaction, rolled back if the record cannot be written.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SerialPort } from 'serialport';
import type { AuditLog } from '../../src-main/audit/log';
import { createAuditLog } from '../../src-main/audit/log';
import type { AuditEntry } from '../../src-main/audit/record';
import type { DeviceRepository } from '../../src-main/inventory/repository';
import { createDeviceRepository } from '../../src-main/inventory/repository';
import type { Clock } from '../../src-main/lib/clock';
import type { IdGenerator } from '../../src-main/lib/ids';
import { timeOrderedIds } from '../../src-main/lib/ids';
import type { Logger } from '../../src-main/lib/logger';
import type { NetworkService } from '../../src-main/network/service';
import { createNetworkService } from '../../src-main/network/service';
import { zonesTemplatePath } from '../../src-main/network/template';
import type { PreparedAuthority } from '../../src-main/pki/authority';
import type { PkiService } from '../../src-main/pki/service';
import { createPki } from '../../src-main/pki/service';
import type { ProvisioningDriver } from '../../src-main/provisioning/driver';
import type { ProvisioningRecords } from '../../src-main/provisioning/records';
import { createProvisioningRecords } from '../../src-main/provisioning/records';
import type { ReferenceDriverOptions } from '../../src-main/provisioning/reference-driver';
import { createReferenceDriver } from '../../src-main/provisioning/reference-driver';
import type {
  AuditedRunner,
  ProvisioningAuditEntry,
  ProvisioningOutcome,
  SessionDependencies,
  SessionOptions,
} from '../../src-main/provisioning/session';
import { runProvisioningSession } from '../../src-main/provisioning/session';
import type { SqliteDatabase } from '../../src-main/store/database';
import { openDatabase } from '../../src-main/store/database';
import * as provisioningMigration from '../../src-main/store/migrations/0007-provisioning';
import { applyMigrationForTest } from '../support/schema';
import type { SimulationWorld } from './world';

export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface TestConsole {
  db: SqliteDatabase;
  pki: PkiService;
  devices: DeviceRepository;
  network: NetworkService;
  records: ProvisioningRecords;
  auditLog: AuditLog;
  audit: AuditedRunner;
  dependencies: SessionDependencies;
  /** Runs a session over an open serial port with the reference driver. */
  provision(port: SerialPort, options?: ProvisionOptions): Promise<ProvisioningOutcome>;
  close(): void;
}

export type ProvisionOptions = Partial<SessionOptions> & {
  driver?: Omit<ReferenceDriverOptions, 'onEvent'>;
  /** Lets a test act between two driver calls (e.g. let the device's fail-safe run out). */
  wrapDriver?: (driver: ProvisioningDriver) => ProvisioningDriver;
};

export interface ConsoleOptions {
  dir: string;
  clock: Clock;
  authority: PreparedAuthority;
  world: SimulationWorld;
  ids?: IdGenerator;
  actor?: string;
}

/** The same completion AppServices does: the actor of the request unless the entry names one. */
export function auditedRunner(
  db: SqliteDatabase,
  auditLog: AuditLog,
  actor: string | null,
): AuditedRunner {
  const complete = (entry: ProvisioningAuditEntry): AuditEntry => ({
    actor,
    role: actor === null ? null : 'technician',
    sessionId: null,
    emergency: false,
    action: entry.action,
    target: entry.target ?? null,
    outcome: entry.outcome ?? 'success',
    reason: entry.reason ?? null,
    details: entry.details ?? {},
  });
  return <T>(
    entry: ProvisioningAuditEntry | ((value: T) => ProvisioningAuditEntry),
    work: () => T,
  ): T =>
    db.transaction(() => {
      const value = work();
      auditLog.append(complete(typeof entry === 'function' ? entry(value) : entry));
      return value;
    })();
}

export function openTestConsole(options: ConsoleOptions): TestConsole {
  const { clock, world } = options;
  const db = openDatabase(join(options.dir, 'wardkeep.db'), randomBytes(32));
  applyMigrationForTest(db, provisioningMigration);
  const pki = createPki({ db, clock, logger: quietLogger });
  pki.installAuthority(options.authority);
  pki.importTrustBundle(world.trustBundlePem);
  pki.setBaselinePublisherKey(world.baselinePublisherPem);
  pki.importBaseline(world.baselineFile);
  const network = createNetworkService({ db, clock, logger: quietLogger });
  network.importPolicyFile(readFileSync(zonesTemplatePath(), 'utf8'), {
    actor: 'admin',
    reason: 'segmentation for the simulation',
  });
  const devices = createDeviceRepository(db);
  const records = createProvisioningRecords(db);
  const auditLog = createAuditLog({ db, clock });
  const actor = options.actor ?? 'tech.jones';
  const audit = auditedRunner(db, auditLog, actor);
  const dependencies: SessionDependencies = {
    pki,
    devices,
    network,
    records,
    audit,
    clock,
    ids: options.ids ?? timeOrderedIds(clock),
    logger: quietLogger,
  };
  return {
    db,
    pki,
    devices,
    network,
    records,
    auditLog,
    audit,
    dependencies,
    provision(port, sessionOptions = {}) {
      const { driver, wrapDriver, ...rest } = sessionOptions;
      return runProvisioningSession(
        (driverOptions) => {
          const made = createReferenceDriver(port, { ...driver, ...driverOptions });
          return wrapDriver ? wrapDriver(made) : made;
        },
        dependencies,
        { actor, portPath: port.path, ...rest },
      );
    },
    close() {
      if (db.open) db.close();
    },
  };
}
