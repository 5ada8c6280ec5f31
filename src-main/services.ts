// Everything main knows, wired once: the vault, the open store, sessions, the audit log and the
// domain services. The Electron shell, the test transport and the CLI all build on this, so there
// is one implementation of every rule. The store is open only while a session or a sign-in in
// progress needs it. Every decision about access is written to the audit log; a failed sign-in
// while the store is locked is kept beside it (see access/throttle.ts) and recorded at next open.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  EventName,
  EventPayload,
  SessionEndReason,
  SessionInfo,
  SessionStatus,
} from '../src-preload/contract';
import type { AccessService } from './access/service';
import { createAccessService } from './access/service';
import type { Actor } from './access/actor';
import { currentActor } from './access/actor';
import type { Session, SessionManager } from './access/sessions';
import { createSessionManager } from './access/sessions';
import type { LoginThrottle } from './access/throttle';
import { createLoginThrottle } from './access/throttle';
import type { AuditLog } from './audit/log';
import type { AuditEntry } from './audit/record';
import { createAuditLog } from './audit/log';
import type { Clock } from './lib/clock';
import { systemClock } from './lib/clock';
import { WardkeepFailure, fail } from './lib/errors';
import type { IdGenerator } from './lib/ids';
import { randomIds } from './lib/ids';
import { writeFileAtomic } from './lib/files';
import { createLogger } from './lib/logger';
import { createInventoryService } from './inventory/service';
import type { InventoryService } from './inventory/service';
import { createNetworkService } from './network/service';
import type { NetworkService } from './network/service';
import { createPki } from './pki/service';
import type { PkiService } from './pki/service';
import { createDeviceRepository } from './inventory/repository';
import { createProvisioningRecords } from './provisioning/records';
import { createProvisioningService } from './provisioning/service';
import type { ProvisioningService } from './provisioning/service';
import type { KdfCost } from './store/keyslots';
import type { OpenStore, SlotKeeper, Vault } from './store/vault';
import { createVault } from './store/vault';
import type { SqliteDatabase } from './store/database';

export interface AppServicesOptions {
  dataDir: string;
  clock?: Clock;
  ids?: IdGenerator;
  kdfCost?: KdfCost;
}

export type EventListener = (event: EventName, payload: unknown) => void;

/** An audit entry as callers give it: the actor comes from the request unless named. */
export type AuditRecordInput = Omit<
  AuditEntry,
  'actor' | 'role' | 'sessionId' | 'emergency' | 'target' | 'reason' | 'details' | 'outcome'
> &
  Partial<AuditEntry>;

export interface AppServices {
  readonly clock: Clock;
  readonly vault: Vault;
  readonly sessions: SessionManager;
  readonly throttle: LoginThrottle;
  readonly access: AccessService;
  status(clientId: string): SessionStatus;
  lock(clientId: string, reason?: SessionEndReason): void;
  /** The inventory of the open store; fails with session.required when the store is locked. */
  inventory(): InventoryService;
  /** Zones, conduits and flows of the open store; fails with session.required when it is locked. */
  network(): NetworkService;
  /** The console's PKI, trust anchors and firmware baseline; session.required when locked. */
  pki(): PkiService;
  /** Bedside provisioning over serial; session.required when the store is locked. */
  provisioning(): ProvisioningService;
  /** The audit log of the open store; fails with session.required when the store is locked. */
  audit(): AuditLog;
  /** The open store's database; fails with session.required when the store is locked. */
  db(): SqliteDatabase;
  /**
   * Runs `work` and its audit record in one transaction: if the record cannot be written the
   * work is rolled back and `audit.write_failed` says so (fail closed).
   */
  audited<T>(entry: AuditRecordInput | ((value: T) => AuditRecordInput), work: () => T): T;
  /** Writes one audit record now, in its own transaction. */
  record(entry: AuditRecordInput): void;
  /** Writes several audit records in one transaction. */
  recordAll(entries: AuditRecordInput[]): void;
  /** Keyslot changes through the open store (which holds the key). */
  requireSlots(): SlotKeeper;
  /** Writes a record if the store is open; otherwise there is nowhere to write it yet. */
  recordIfOpen(entry: AuditRecordInput): void;
  isOpen(): boolean;
  /** Takes a freshly opened store handle: keeps it, or closes it when one is open already. */
  adoptStore(opened: OpenStore): void;
  /** Closes the store when no session or sign-in needs it. */
  closeStoreIfIdle(): void;
  emit<E extends EventName>(clientId: string, event: E, payload: EventPayload<E>): void;
  subscribe(clientId: string, listener: EventListener): () => void;
  close(): void;
}

const log = createLogger('access');

export function sessionInfo(sessions: SessionManager, session: Session): SessionInfo {
  return {
    user: { username: session.username, role: session.role },
    startedAtMs: session.startedAtMs,
    expiresAtMs: sessions.expiresAtMs(session),
    idleLimitMs: sessions.idleLimitMs(session),
    lastActivityMs: session.lastActivityMs,
    stepUpUntilMs:
      session.stepUpAtMs === null || !sessions.steppedUp(session)
        ? null
        : session.stepUpAtMs + 5 * 60_000,
    emergency: session.emergency,
  };
}

export function actorOf(session: Session): Actor {
  return {
    username: session.username,
    role: session.role,
    sessionId: session.id,
    emergency: session.emergency !== null,
  };
}

export function createAppServices(options: AppServicesOptions): AppServices {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const vault = createVault({
    dataDir: options.dataDir,
    clock,
    ids,
    ...(options.kdfCost ? { kdfCost: options.kdfCost } : {}),
  });
  const throttle = createLoginThrottle(join(options.dataDir, 'login-throttle.json'), clock);
  const listeners = new Map<string, Set<EventListener>>();
  let store: OpenStore | null = null;
  let inventory: InventoryService | null = null;
  let network: NetworkService | null = null;
  let pki: PkiService | null = null;
  let provisioning: ProvisioningService | null = null;
  let auditLog: AuditLog | null = null;

  function emit<E extends EventName>(clientId: string, event: E, payload: EventPayload<E>): void {
    for (const listener of listeners.get(clientId) ?? []) listener(event, payload);
  }

  function requireStore(): OpenStore {
    if (!store) fail('session.required', 'the store is locked: sign in first');
    return store;
  }

  function requireAudit(): AuditLog {
    requireStore();
    if (!auditLog) fail('session.required', 'the store is locked: sign in first');
    return auditLog;
  }

  function completeEntry(entry: AuditRecordInput): AuditEntry {
    const actor = currentActor();
    return {
      actor: entry.actor !== undefined ? entry.actor : (actor?.username ?? null),
      role: entry.role !== undefined ? entry.role : (actor?.role ?? null),
      sessionId: entry.sessionId !== undefined ? entry.sessionId : (actor?.sessionId ?? null),
      emergency: entry.emergency ?? actor?.emergency ?? false,
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome ?? 'success',
      reason: entry.reason ?? null,
      details: entry.details ?? {},
    };
  }

  function appendOrFail(audit: AuditLog, entry: AuditEntry): void {
    try {
      audit.append(entry);
    } catch (error) {
      if (error instanceof WardkeepFailure && error.code === 'audit.write_failed') throw error;
      fail(
        'audit.write_failed',
        `the audit record for ${entry.action} could not be written, so the action did not happen: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  function audited<T>(
    entry: AuditRecordInput | ((value: T) => AuditRecordInput),
    work: () => T,
  ): T {
    const { db } = requireStore();
    const audit = requireAudit();
    try {
      return db.transaction(() => {
        const value = work();
        appendOrFail(audit, completeEntry(typeof entry === 'function' ? entry(value) : entry));
        return value;
      })();
    } catch (error) {
      // A store that cannot be written (read-only, full, failing disk) fails the action and its
      // record together: say so plainly rather than as an unexpected error.
      const sqlite = (error as { code?: unknown }).code;
      if (typeof sqlite === 'string' && /^SQLITE_(READONLY|FULL|IOERR|CANTOPEN)/.test(sqlite)) {
        fail(
          'audit.write_failed',
          `the store could not be written (${sqlite}), so the action and its audit record did not happen`,
        );
      }
      throw error;
    }
  }

  function record(entry: AuditRecordInput): void {
    audited(entry, () => undefined);
  }

  function recordAll(entries: AuditRecordInput[]): void {
    const { db } = requireStore();
    const audit = requireAudit();
    db.transaction(() => {
      for (const entry of entries) appendOrFail(audit, completeEntry(entry));
    })();
  }

  function recordIfOpen(entry: AuditRecordInput): void {
    if (store && auditLog) record(entry);
  }

  function dropDomains(): void {
    // A provisioning session still running is told to stop: the device's fail-safe keeps it as it
    // was, and an issued certificate stays pending until the next session settles it.
    for (const sessionId of provisioning?.running() ?? []) {
      try {
        provisioning?.cancel(sessionId);
      } catch {
        // It ended between the listing and the cancel.
      }
    }
    inventory?.dispose();
    inventory = null;
    network = null;
    pki = null;
    provisioning = null;
    auditLog = null;
  }

  function closeStoreIfIdle(): void {
    if (!store || sessions.count() > 0 || access.pendingCount() > 0) return;
    // A session on a serial port writes its outcome when it ends: the store stays open until then.
    if (provisioning && provisioning.running().length > 0) return;
    dropDomains();
    store.close();
    store = null;
  }

  // The checkpoint key's public half is pinned in a file beside the database: a key swapped inside
  // the database (by someone holding the database key) then fails verify(). The first open of a
  // store pins its key.
  const pinnedKeyPath = join(options.dataDir, 'audit-verifier-key.txt');
  function openAuditLog(db: SqliteDatabase): AuditLog {
    if (existsSync(pinnedKeyPath)) {
      const pinned = readFileSync(pinnedKeyPath, 'utf8').trim();
      if (pinned) return createAuditLog({ db, clock, trustedKeys: [pinned] });
    }
    const log = createAuditLog({ db, clock });
    writeFileAtomic(pinnedKeyPath, `${log.signingKey().verifierKey}\n`);
    return log;
  }

  function adoptStore(opened: OpenStore): void {
    if (store) {
      // Another session already holds the store open: the new handle only proved the secret.
      opened.close();
      return;
    }
    store = opened;
    auditLog = openAuditLog(opened.db);
    // No session is live yet: an emergency still marked open was cut short by a crash.
    access.closeStaleEmergencies();
    inventory = createInventoryService({
      db: opened.db,
      clock,
      ids,
      onImport: (summary) => {
        if (!auditLog) return;
        appendOrFail(auditLog, completeEntry({ action: 'inventory.import', ...summary }));
        // A device decommissioned by the import loses its certificates in the same transaction.
        for (const revoked of pki?.revokeForDecommissioned() ?? []) {
          appendOrFail(
            auditLog,
            completeEntry({
              action: 'certificate.revoke',
              target: revoked.serial,
              reason: 'device decommissioned',
              details: { deviceUid: revoked.deviceUid, reason: 'cessationOfOperation' },
            }),
          );
        }
      },
    });
    network = createNetworkService({ db: opened.db, clock });
    pki = createPki({ db: opened.db, clock });
    provisioning = createProvisioningService({
      db: opened.db,
      records: createProvisioningRecords(opened.db),
      pki,
      devices: createDeviceRepository(opened.db),
      network,
      audit: audited,
      clock,
      ids,
    });
  }

  const sessions = createSessionManager(clock, (clientId, session: Session, reason) => {
    log.info('session ended', { username: session.username, reason });
    try {
      access.sessionEnded(session, reason);
    } catch (error) {
      // The session is over whether or not its end could be recorded; say so in the log.
      log.error('could not record the end of a session', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    emit(clientId, 'session:ended', { reason });
    // Whoever signed out cannot answer a wizard any more: its sessions stop at their next step.
    provisioning?.cancelOwnedBy(clientId);
    closeStoreIfIdle();
  });

  const services: AppServices = {
    clock,
    vault,
    sessions,
    throttle,
    get access() {
      return access;
    },
    status(clientId) {
      const session = sessions.peek(clientId);
      const setUp = vault.isSetUp();
      return {
        nowMs: clock.nowMs(),
        setupRequired: !setUp,
        user: session ? { username: session.username, role: session.role } : null,
        session: session ? sessionInfo(sessions, session) : null,
        breakGlassReady: setUp && vault.hasBreakGlass(),
        unreviewedEmergencies: store ? access.unreviewedEmergencyCount() : 0,
      };
    },
    lock(clientId, reason = 'locked') {
      access.cancel(clientId);
      sessions.end(clientId, reason);
    },
    inventory() {
      requireStore();
      if (!inventory) fail('session.required', 'the store is locked: sign in first');
      return inventory;
    },
    network() {
      requireStore();
      if (!network) fail('session.required', 'the store is locked: sign in first');
      return network;
    },
    pki() {
      requireStore();
      if (!pki) fail('session.required', 'the store is locked: sign in first');
      return pki;
    },
    provisioning() {
      requireStore();
      if (!provisioning) fail('session.required', 'the store is locked: sign in first');
      return provisioning;
    },
    audit: requireAudit,
    db: () => requireStore().db,
    audited,
    record,
    recordAll,
    requireSlots: () => requireStore().slots,
    recordIfOpen,
    isOpen: () => store !== null,
    adoptStore,
    closeStoreIfIdle,
    emit,
    subscribe(clientId, listener) {
      let set = listeners.get(clientId);
      if (!set) listeners.set(clientId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(clientId);
      };
    },
    close() {
      // Each session's end is recorded (an emergency one is closed for review) while the store
      // is still open.
      sessions.endAll('logout');
      dropDomains();
      store?.close();
      store = null;
      listeners.clear();
    },
  };

  const access = createAccessService(services, { clock, vault, sessions, throttle });
  return services;
}
