// Everything main knows, wired once: the vault, the open store, sessions and the domain services.
// The Electron shell, the test transport and the CLI all build on this, so there is one
// implementation of every rule. The store is open only while at least one session is.
import type { EventName, EventPayload, SessionStatus, SessionUser } from '../src-preload/contract';
import { checkPassword, normalizePassword } from './access/password-policy';
import type { Session, SessionManager } from './access/sessions';
import { createSessionManager } from './access/sessions';
import type { Clock } from './lib/clock';
import { systemClock } from './lib/clock';
import { fail } from './lib/errors';
import type { IdGenerator } from './lib/ids';
import { randomIds } from './lib/ids';
import { createLogger } from './lib/logger';
import { createInventoryService } from './inventory/service';
import type { InventoryService } from './inventory/service';
import type { KdfCost } from './store/keyslots';
import type { OpenStore, Vault } from './store/vault';
import { createVault } from './store/vault';

export interface AppServicesOptions {
  dataDir: string;
  clock?: Clock;
  ids?: IdGenerator;
  kdfCost?: KdfCost;
}

export type EventListener = (event: EventName, payload: unknown) => void;

export interface AppServices {
  readonly clock: Clock;
  readonly vault: Vault;
  readonly sessions: SessionManager;
  status(clientId: string): SessionStatus;
  setup(
    clientId: string,
    username: string,
    password: string,
  ): Promise<{ user: SessionUser; recoveryCode: string }>;
  unlock(clientId: string, username: string, password: string): Promise<SessionUser>;
  recover(
    clientId: string,
    recoveryCode: string,
    username: string,
    newPassword: string,
  ): Promise<SessionUser>;
  lock(clientId: string): void;
  /** The inventory of the open store; fails with session.required when the store is locked. */
  inventory(): InventoryService;
  emit<E extends EventName>(clientId: string, event: E, payload: EventPayload<E>): void;
  subscribe(clientId: string, listener: EventListener): () => void;
  close(): void;
}

const log = createLogger('access');

export function createAppServices(options: AppServicesOptions): AppServices {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const vault = createVault({
    dataDir: options.dataDir,
    clock,
    ids,
    ...(options.kdfCost ? { kdfCost: options.kdfCost } : {}),
  });
  const listeners = new Map<string, Set<EventListener>>();
  let store: OpenStore | null = null;
  let inventory: InventoryService | null = null;

  function emit<E extends EventName>(clientId: string, event: E, payload: EventPayload<E>): void {
    for (const listener of listeners.get(clientId) ?? []) listener(event, payload);
  }

  function closeStoreIfIdle(): void {
    if (sessions.count() > 0 || !store) return;
    inventory?.dispose();
    inventory = null;
    store.close();
    store = null;
  }

  const sessions = createSessionManager(clock, (clientId, session: Session, reason) => {
    log.info('session ended', { username: session.username, reason });
    emit(clientId, 'session:ended', { reason });
    closeStoreIfIdle();
  });

  function adopt(clientId: string, opened: OpenStore): SessionUser {
    if (store) {
      // Another session already holds the store open: the new handle only proved the password.
      opened.close();
    } else {
      store = opened;
      inventory = createInventoryService({ db: opened.db, clock, ids });
    }
    const session = sessions.start(clientId, opened.account);
    log.info('session started', { username: session.username, role: session.role });
    return { username: session.username, role: session.role };
  }

  function requireStrongPassword(password: string, username: string): string {
    const verdict = checkPassword(password, { username });
    if (!verdict.ok) fail('password.weak', verdict.reason);
    return normalizePassword(password);
  }

  return {
    clock,
    vault,
    sessions,
    status(clientId) {
      const session = sessions.peek(clientId);
      return {
        setupRequired: !vault.isSetUp(),
        user: session ? { username: session.username, role: session.role } : null,
      };
    },
    async setup(clientId, username, password) {
      if (vault.isSetUp()) fail('setup.done', 'Wardkeep is already set up on this computer');
      const normalized = requireStrongPassword(password, username);
      const { store: opened, recoveryCode } = await vault.setup(username, normalized);
      log.info('store created', { username });
      return { user: adopt(clientId, opened), recoveryCode };
    },
    async unlock(clientId, username, password) {
      if (!vault.isSetUp()) fail('setup.required', 'Wardkeep is not set up yet');
      try {
        return adopt(clientId, await vault.unlock(username, normalizePassword(password)));
      } catch (error) {
        log.warn('unlock refused', { username });
        throw error;
      }
    },
    async recover(clientId, recoveryCode, username, newPassword) {
      if (!vault.isSetUp()) fail('setup.required', 'Wardkeep is not set up yet');
      const normalized = requireStrongPassword(newPassword, username);
      const opened = await vault.recover(recoveryCode, username, normalized);
      log.info('password reset with the recovery code', { username });
      return adopt(clientId, opened);
    },
    lock(clientId) {
      sessions.end(clientId, 'locked');
    },
    inventory() {
      if (!inventory) fail('session.required', 'the store is locked: sign in first');
      return inventory;
    },
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
      inventory?.dispose();
      inventory = null;
      store?.close();
      store = null;
      listeners.clear();
    },
  };
}
