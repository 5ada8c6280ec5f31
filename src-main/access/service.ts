// Signing in (password, then a TOTP code: enrolment at first sign-in), step-up, accounts and roles,
// and break-glass. Invariants: a session exists only after both factors; every success, failure,
// lock and change is an audit record written in the same transaction as the change; an account
// that is disabled has no keyslot and no session; the last active administrator cannot be removed;
// an emergency credential opens one emergency session and is spent by it.
import type {
  AccountSummary,
  ConsoleSettings,
  EmergencyReason,
  EmergencySessionRecord,
  LoginStep,
  Role,
  SessionEndReason,
  SessionUser,
} from '../../src-preload/contract';
import type { Clock } from '../lib/clock';
import { isoTime } from '../lib/clock';
import { WardkeepFailure, fail } from '../lib/errors';
import { createLogger } from '../lib/logger';
import type { AppServices, AuditRecordInput } from '../services';
import type { Vault } from '../store/vault';
import { newRecoveryCode } from '../store/keyslots';
import type { AccountRow } from './accounts';
import { createAccountStore } from './accounts';
import { runAs } from './actor';
import { checkPassword, normalizePassword } from './password-policy';
import { emergencyRole } from './permissions';
import type { Session, SessionManager } from './sessions';
import type { LoginThrottle, PendingEvent } from './throttle';
import { base32Encode, newTotpSecret, otpauthUri, verifyTotp } from './totp';

/** A sign-in that has passed the password and waits for its next step. */
interface PendingLogin {
  accountId: number;
  username: string;
  role: Role;
  tag: string;
  stage: 'password_change' | 'mfa_enrol' | 'mfa';
  enrolSecret: Buffer | null;
  expiresAtMs: number;
}

export const pendingLoginLifetimeMs = 5 * 60_000;
export const defaultEmergencyMinutes = 60;
const breakGlassTag = 'breakglass';
const issuer = 'Wardkeep';

export interface AccessDependencies {
  clock: Clock;
  vault: Vault;
  sessions: SessionManager;
  throttle: LoginThrottle;
}

export interface AccessService {
  setup(
    clientId: string,
    username: string,
    password: string,
  ): Promise<{ recoveryCode: string; emergencyCredential: string; next: LoginStep }>;
  login(clientId: string, username: string, password: string): Promise<LoginStep>;
  changeInitialPassword(clientId: string, newPassword: string): Promise<LoginStep>;
  enrol(clientId: string, code: string): LoginStep;
  verifyMfa(clientId: string, code: string): LoginStep;
  recover(
    clientId: string,
    recoveryCode: string,
    username: string,
    newPassword: string,
  ): Promise<LoginStep>;
  cancel(clientId: string): void;
  pendingCount(): number;
  stepUp(session: Session, clientId: string, password: string, code: string): Promise<number>;
  changePassword(session: Session, currentPassword: string, newPassword: string): Promise<void>;
  openBreakGlass(
    clientId: string,
    request: { credential: string; openedBy: string; reason: EmergencyReason; reasonText?: string },
  ): Promise<SessionUser>;
  listEmergencies(): EmergencySessionRecord[];
  reviewEmergency(session: Session, id: number, comment: string): void;
  rotateBreakGlass(session: Session): Promise<string>;
  unreviewedEmergencyCount(): number;
  listAccounts(): AccountSummary[];
  createAccount(
    session: Session,
    username: string,
    role: Role,
  ): Promise<{ username: string; initialPassword: string }>;
  setRole(session: Session, username: string, role: Role): void;
  disableAccount(session: Session, username: string): void;
  deleteAccount(session: Session, username: string): void;
  unlockAccount(session: Session, username: string): void;
  settings(): ConsoleSettings;
  saveSettings(settings: ConsoleSettings): void;
  /** Closes emergency sessions left open by a console that stopped without ending them. */
  closeStaleEmergencies(): void;
  /** Called by the session manager: records the end, closes an emergency. */
  sessionEnded(session: Session, reason: SessionEndReason): void;
}

const log = createLogger('access');

/** A password to hand to a new user, who must replace it at first sign-in: 100 random bits. */
function newInitialPassword(): string {
  return newRecoveryCode().slice(0, 24);
}

function looksLikeRecoveryCode(code: string): boolean {
  return /[A-Za-z]/.test(code) || code.replace(/[\s-]/g, '').length === 8;
}

export function createAccessService(
  services: AppServices,
  dependencies: AccessDependencies,
): AccessService {
  const { clock, vault, sessions, throttle } = dependencies;
  const pending = new Map<string, PendingLogin>();

  const accounts = () => createAccountStore(services.db(), clock);

  function requireStrongPassword(password: string, username: string): string {
    const verdict = checkPassword(password, { username });
    if (!verdict.ok) fail('password.weak', verdict.reason);
    return normalizePassword(password);
  }

  function checkThrottle(tag: string, what: string): void {
    const verdict = throttle.check(tag);
    if (verdict.allowed) return;
    const seconds = Math.ceil(verdict.retryAfterMs / 1000);
    if (verdict.reason === 'locked') {
      fail(
        'auth.locked',
        `${what} is locked after repeated failed sign-ins; try again in ${Math.ceil(seconds / 60)} min or ask an administrator`,
        { retryAfterMs: verdict.retryAfterMs },
      );
    }
    fail('auth.locked', `too many failed attempts: wait ${seconds} s and try again`, {
      retryAfterMs: verdict.retryAfterMs,
    });
  }

  /** Records failures kept while the store was locked, naming accounts where their tag is known. */
  function drainThrottleEvents(): void {
    const names = new Map<string, string>();
    for (const account of accounts().list())
      names.set(vault.accountTag(account.username), account.username);
    throttle.drainPending((events: Map<string, PendingEvent[]>) => {
      const entries = [...events].flatMap(([tag, list]) =>
        list.map((event) => {
          const known = names.get(tag);
          return {
            actor: tag === breakGlassTag ? 'emergency credential' : (known ?? null),
            role: null,
            sessionId: null,
            emergency: tag === breakGlassTag,
            action: event.kind === 'locked' ? 'auth.lockout' : 'auth.login',
            target: known ?? (tag === breakGlassTag ? null : 'unknown account'),
            outcome: 'failure' as const,
            reason:
              event.kind === 'locked'
                ? 'too many failed sign-ins'
                : event.kind === 'mfa'
                  ? 'wrong second factor'
                  : 'wrong username or password',
            details: { at: new Date(event.atMs).toISOString() },
          };
        }),
      );
      services.recordAll(entries);
    });
  }

  function failedAttempt(tag: string, username: string, kind: 'password' | 'mfa'): boolean {
    const locked = throttle.recordFailure(tag, kind);
    log.warn('sign-in refused', { username, kind, locked });
    if (services.isOpen()) {
      try {
        drainThrottleEvents();
      } catch (error) {
        log.error('failed sign-in kept for the audit log', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return locked;
  }

  function nextStep(login: PendingLogin): LoginStep {
    if (login.stage === 'password_change') return { step: 'password_change' };
    if (login.stage === 'mfa_enrol') {
      login.enrolSecret ??= newTotpSecret();
      return {
        step: 'mfa_enrol',
        secret: base32Encode(login.enrolSecret),
        uri: otpauthUri(issuer, login.username, login.enrolSecret),
      };
    }
    return { step: 'mfa' };
  }

  function stageFor(account: AccountRow): PendingLogin['stage'] {
    if (account.mustChangePassword) return 'password_change';
    return account.totpEnrolledAt === null ? 'mfa_enrol' : 'mfa';
  }

  function begin(clientId: string, account: AccountRow, tag: string): LoginStep {
    const login: PendingLogin = {
      accountId: account.id,
      username: account.username,
      role: account.role,
      tag,
      stage: stageFor(account),
      enrolSecret: null,
      expiresAtMs: clock.nowMs() + pendingLoginLifetimeMs,
    };
    // Pending first: ending the client's old session must not close the store under it.
    pending.set(clientId, login);
    sessions.end(clientId, 'locked');
    return nextStep(login);
  }

  function pendingFor(clientId: string, stage: PendingLogin['stage']): PendingLogin {
    const login = pending.get(clientId);
    if (!login || clock.nowMs() >= login.expiresAtMs) {
      if (login) cancel(clientId);
      fail('session.required', 'the sign-in has expired or was not started: sign in again');
    }
    if (login.stage !== stage) fail('auth.invalid', `this sign-in is waiting for ${login.stage}`);
    // Each step restarts the clock: reading and sealing codes takes longer than typing one.
    login.expiresAtMs = clock.nowMs() + pendingLoginLifetimeMs;
    return login;
  }

  function cancel(clientId: string): void {
    if (pending.delete(clientId)) services.closeStoreIfIdle();
  }

  function startSession(
    clientId: string,
    login: PendingLogin,
    extra?: { recoveryCodes?: string[] },
  ): LoginStep {
    pending.delete(clientId);
    const session = sessions.start(clientId, {
      accountId: login.accountId,
      username: login.username,
      role: login.role,
    });
    throttle.recordSuccess(login.tag);
    services.record({
      action: 'session.start',
      actor: login.username,
      role: login.role,
      sessionId: session.id,
      target: login.username,
      details: {
        idleLimitMs: sessions.idleLimitMs(session),
        expiresAt: new Date(sessions.expiresAtMs(session)).toISOString(),
      },
    });
    log.info('session started', { username: login.username, role: login.role });
    return {
      step: 'done',
      user: { username: login.username, role: login.role },
      ...(extra?.recoveryCodes ? { recoveryCodes: extra.recoveryCodes } : {}),
    };
  }

  function findActive(username: string): AccountRow {
    const account = accounts().find(username);
    if (!account || account.disabledAt !== null)
      fail('not_found', `no active account named ${username}`);
    return account;
  }

  function refuseLastAdministrator(account: AccountRow, what: string): void {
    if (account.role === 'administrator' && accounts().countActiveAdministrators(account.id) === 0)
      fail('account.last_admin', `${what} would leave no administrator: make another one first`);
  }

  function refuseSelf(session: Session, account: AccountRow, what: string): void {
    if (session.accountId === account.id)
      fail('permission.denied', `you cannot ${what} your own account: ask another administrator`);
  }

  function readSettings(): ConsoleSettings {
    const row = services
      .db()
      .prepare("SELECT value FROM settings WHERE name = 'emergencyMinutes'")
      .get() as { value: string } | undefined;
    const minutes = row ? Number(row.value) : defaultEmergencyMinutes;
    return { emergencyMinutes: Number.isInteger(minutes) ? minutes : defaultEmergencyMinutes };
  }

  function emergencyRow(raw: Record<string, unknown>): EmergencySessionRecord {
    return {
      id: raw.id as number,
      openedBy: raw.opened_by as string,
      reason: raw.reason as EmergencyReason,
      reasonText: (raw.reason_text as string | null) ?? null,
      openedAt: raw.opened_at as string,
      endsAt: raw.ends_at as string,
      closedAt: (raw.closed_at as string | null) ?? null,
      closeReason: (raw.close_reason as string | null) ?? null,
      reviewedBy: (raw.reviewed_by as string | null) ?? null,
      reviewedAt: (raw.reviewed_at as string | null) ?? null,
      reviewComment: (raw.review_comment as string | null) ?? null,
    };
  }

  return {
    async setup(clientId, username, password) {
      if (vault.isSetUp()) fail('setup.done', 'Wardkeep is already set up on this computer');
      const normalized = requireStrongPassword(password, username);
      const { store, recoveryCode, emergencyCredential } = await vault.setup(username, normalized);
      services.adoptStore(store);
      services.record({
        action: 'console.setup',
        actor: username,
        role: 'administrator',
        target: username,
        details: { issued: ['recovery code', 'emergency credential'] },
      });
      log.info('store created', { username });
      const account = findActive(username);
      // The first administrator chose this password: no change is due, only MFA enrolment.
      const next = begin(
        clientId,
        { ...account, mustChangePassword: false },
        vault.accountTag(username),
      );
      return { recoveryCode, emergencyCredential, next };
    },

    async login(clientId, username, password) {
      if (!vault.isSetUp()) fail('setup.required', 'Wardkeep is not set up yet');
      const tag = vault.accountTag(username);
      checkThrottle(tag, 'this account');
      let opened;
      try {
        opened = await vault.unlock(username, normalizePassword(password));
      } catch (error) {
        if (error instanceof WardkeepFailure && error.code === 'auth.invalid') {
          if (failedAttempt(tag, username, 'password'))
            fail('auth.locked', 'wrong username or password; the account is now locked for 30 min');
        }
        throw error;
      }
      services.adoptStore(opened);
      drainThrottleEvents();
      const account = findActive(username);
      services.record({
        action: 'auth.password',
        actor: username,
        role: account.role,
        target: username,
        details: { next: stageFor(account) },
      });
      return begin(clientId, account, tag);
    },

    async changeInitialPassword(clientId, newPassword) {
      const login = pendingFor(clientId, 'password_change');
      const normalized = requireStrongPassword(newPassword, login.username);
      await services.requireSlots().changePassword(login.username, normalized);
      services.audited(
        {
          action: 'account.password',
          actor: login.username,
          role: login.role,
          target: login.username,
          details: { initial: true },
        },
        () => accounts().setMustChangePassword(login.accountId, false),
      );
      const account = findActive(login.username);
      login.stage = stageFor(account);
      return nextStep(login);
    },

    enrol(clientId, code) {
      const login = pendingFor(clientId, 'mfa_enrol');
      checkThrottle(login.tag, 'this account');
      const secret = login.enrolSecret;
      const step = secret ? verifyTotp(secret, code, clock.nowMs(), null) : null;
      if (!secret || step === null) {
        failedAttempt(login.tag, login.username, 'mfa');
        fail(
          'auth.mfa_invalid',
          'that code does not match: check the authenticator app and the clock',
        );
      }
      const recoveryCodes = services.audited(
        { action: 'mfa.enrol', actor: login.username, role: login.role, target: login.username },
        () => {
          const store = accounts();
          store.enrolTotp(login.accountId, secret, step);
          return store.newRecoveryCodes(login.accountId);
        },
      );
      return startSession(clientId, login, { recoveryCodes });
    },

    verifyMfa(clientId, code) {
      const login = pendingFor(clientId, 'mfa');
      checkThrottle(login.tag, 'this account');
      const store = accounts();
      const account = store.get(login.accountId);
      if (!account?.totpSecret)
        fail('auth.mfa_required', 'this account has no authenticator enrolled');
      if (looksLikeRecoveryCode(code)) {
        const used = services.audited(
          (ok: boolean): AuditRecordInput => ({
            action: 'mfa.recovery_code',
            actor: login.username,
            role: login.role,
            target: login.username,
            outcome: ok ? 'success' : 'failure',
            details: ok ? { left: store.remainingRecoveryCodes(login.accountId) } : {},
          }),
          () => store.useRecoveryCode(login.accountId, code),
        );
        if (!used) {
          failedAttempt(login.tag, login.username, 'mfa');
          fail('auth.mfa_invalid', 'that recovery code is unknown or already used');
        }
        return startSession(clientId, login);
      }
      const step = verifyTotp(account.totpSecret, code, clock.nowMs(), account.totpLastStep);
      if (step === null) {
        failedAttempt(login.tag, login.username, 'mfa');
        fail(
          'auth.mfa_invalid',
          'that code does not match or was used already: wait for the next one',
        );
      }
      store.markTotpStep(login.accountId, step);
      return startSession(clientId, login);
    },

    async recover(clientId, recoveryCode, username, newPassword) {
      if (!vault.isSetUp()) fail('setup.required', 'Wardkeep is not set up yet');
      const normalized = requireStrongPassword(newPassword, username);
      checkThrottle('recovery', 'the recovery code');
      let opened;
      try {
        opened = await vault.recover(recoveryCode, username, normalized);
      } catch (error) {
        if (error instanceof WardkeepFailure && error.code === 'auth.invalid')
          failedAttempt('recovery', username, 'password');
        throw error;
      }
      services.adoptStore(opened);
      drainThrottleEvents();
      const account = findActive(username);
      // The recovery code stands in for every factor: the account enrols a new authenticator.
      services.audited(
        {
          action: 'auth.recover',
          actor: username,
          role: account.role,
          target: username,
          reason: 'password reset with the recovery code; authenticator to be enrolled again',
        },
        () => {
          services
            .db()
            .prepare(
              'UPDATE accounts SET totp_secret = NULL, totp_enrolled_at = NULL, totp_last_step = NULL, must_change_password = 0 WHERE id = ?',
            )
            .run(account.id);
        },
      );
      throttle.unlock(vault.accountTag(username));
      return begin(
        clientId,
        { ...account, mustChangePassword: false, totpEnrolledAt: null },
        vault.accountTag(username),
      );
    },

    cancel,
    pendingCount: () => pending.size,

    async stepUp(session, clientId, password, code) {
      if (session.emergency || session.accountId === null)
        fail(
          'breakglass.active',
          'an emergency session cannot step up: privileged actions wait for a named account',
        );
      const tag = vault.accountTag(session.username);
      checkThrottle(tag, 'this account');
      try {
        await vault.verifyPassword(session.username, normalizePassword(password));
      } catch (error) {
        if (error instanceof WardkeepFailure && error.code === 'auth.invalid') {
          failedAttempt(tag, session.username, 'password');
          services.record({
            action: 'session.stepup',
            outcome: 'failure',
            reason: 'wrong password',
          });
        }
        throw error;
      }
      const store = accounts();
      const account = store.get(session.accountId);
      const step = account?.totpSecret
        ? verifyTotp(account.totpSecret, code, clock.nowMs(), account.totpLastStep)
        : null;
      if (step === null) {
        failedAttempt(tag, session.username, 'mfa');
        services.record({
          action: 'session.stepup',
          outcome: 'failure',
          reason: 'wrong second factor',
        });
        fail('auth.mfa_invalid', 'that code does not match or was used already');
      }
      services.audited({ action: 'session.stepup' }, () =>
        store.markTotpStep(session.accountId as number, step),
      );
      throttle.recordSuccess(tag);
      sessions.markSteppedUp(clientId);
      return clock.nowMs() + 5 * 60_000;
    },

    async changePassword(session, currentPassword, newPassword) {
      if (session.accountId === null)
        fail('breakglass.active', 'an emergency session has no password');
      await vault
        .verifyPassword(session.username, normalizePassword(currentPassword))
        .catch((error: unknown) => {
          services.record({
            action: 'account.password',
            target: session.username,
            outcome: 'failure',
            reason: 'wrong current password',
          });
          throw error;
        });
      const normalized = requireStrongPassword(newPassword, session.username);
      await services.requireSlots().changePassword(session.username, normalized);
      services.audited({ action: 'account.password', target: session.username }, () =>
        accounts().setMustChangePassword(session.accountId as number, false),
      );
    },

    async openBreakGlass(clientId, request) {
      if (!vault.isSetUp()) fail('setup.required', 'Wardkeep is not set up yet');
      if (request.reason === 'other' && !request.reasonText?.trim())
        fail('input.invalid', 'say what the emergency is when the reason is "other"', {
          field: 'reasonText',
        });
      checkThrottle(breakGlassTag, 'the emergency credential');
      let opened;
      try {
        opened = await vault.openWithBreakGlass(request.credential);
      } catch (error) {
        if (error instanceof WardkeepFailure && error.code === 'auth.invalid')
          failedAttempt(breakGlassTag, request.openedBy, 'password');
        throw error;
      }
      services.adoptStore(opened);
      drainThrottleEvents();
      const db = services.db();
      const credential = db
        .prepare(
          'SELECT id FROM breakglass_credentials WHERE spent_at IS NULL ORDER BY id DESC LIMIT 1',
        )
        .get() as { id: number } | undefined;
      if (!credential) {
        services.closeStoreIfIdle();
        fail(
          'breakglass.unavailable',
          'the emergency credential was already used: an administrator must generate a new one',
        );
      }
      const { emergencyMinutes } = readSettings();
      const now = clock.nowMs();
      const endsAtMs = now + emergencyMinutes * 60_000;
      pending.delete(clientId);
      const sessionIdHolder: { id: number } = { id: 0 };
      const session = sessions.start(clientId, {
        accountId: null,
        username: request.openedBy,
        role: emergencyRole,
        emergency: { id: 0, openedBy: request.openedBy, reason: request.reason, endsAtMs },
      });
      try {
        runAs(
          {
            username: request.openedBy,
            role: emergencyRole,
            sessionId: session.id,
            emergency: true,
          },
          () =>
            services.audited(
              {
                action: 'breakglass.open',
                target: request.openedBy,
                reason: request.reasonText?.trim() || request.reason,
                details: {
                  reason: request.reason,
                  minutes: emergencyMinutes,
                  endsAt: new Date(endsAtMs).toISOString(),
                },
              },
              () => {
                const at = isoTime(clock);
                db.prepare('UPDATE breakglass_credentials SET spent_at = ? WHERE id = ?').run(
                  at,
                  credential.id,
                );
                const inserted = db
                  .prepare(
                    'INSERT INTO emergency_sessions (session_id, credential_id, opened_by, reason, reason_text, opened_at, ends_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
                  )
                  .run(
                    session.id,
                    credential.id,
                    request.openedBy,
                    request.reason,
                    request.reasonText?.trim() || null,
                    at,
                    new Date(endsAtMs).toISOString(),
                  );
                sessionIdHolder.id = Number(inserted.lastInsertRowid);
              },
            ),
        );
      } catch (error) {
        sessions.end(clientId, 'locked');
        throw error;
      }
      if (session.emergency) session.emergency.id = sessionIdHolder.id;
      // Spent: the sealed credential opens nothing any more.
      services.requireSlots().removeBreakGlass();
      log.warn('emergency session opened', { openedBy: request.openedBy, reason: request.reason });
      return { username: session.username, role: session.role };
    },

    listEmergencies() {
      return (
        services.db().prepare('SELECT * FROM emergency_sessions ORDER BY id DESC').all() as Record<
          string,
          unknown
        >[]
      ).map(emergencyRow);
    },

    reviewEmergency(session, id, comment) {
      const db = services.db();
      const raw = db.prepare('SELECT * FROM emergency_sessions WHERE id = ?').get(id) as
        Record<string, unknown> | undefined;
      if (!raw) fail('not_found', `no emergency session ${id}`);
      const row = emergencyRow(raw);
      if (row.closedAt === null)
        fail(
          'breakglass.active',
          'this emergency session is still open: review it when it has ended',
        );
      if (row.reviewedAt !== null)
        fail('breakglass.review', `already reviewed by ${row.reviewedBy ?? '?'}`);
      if (row.openedBy.trim().toLowerCase() === session.username.toLowerCase())
        fail(
          'breakglass.review',
          'the person who used the emergency access cannot review it: ask another administrator',
        );
      services.audited(
        {
          action: 'breakglass.review',
          target: String(id),
          reason: comment,
          details: { openedBy: row.openedBy },
        },
        () => {
          db.prepare(
            'UPDATE emergency_sessions SET reviewed_by = ?, reviewed_at = ?, review_comment = ? WHERE id = ?',
          ).run(session.username, isoTime(clock), comment, id);
        },
      );
    },

    async rotateBreakGlass(session) {
      const credential = newRecoveryCode();
      const slots = services.requireSlots();
      const slotId = await slots.setBreakGlass(credential);
      try {
        services.audited({ action: 'breakglass.rotate', target: session.username }, () => {
          const db = services.db();
          db.prepare('UPDATE breakglass_credentials SET spent_at = ? WHERE spent_at IS NULL').run(
            isoTime(clock),
          );
          db.prepare(
            'INSERT INTO breakglass_credentials (keyslot_id, created_at, created_by) VALUES (?, ?, ?)',
          ).run(slotId, isoTime(clock), session.username);
        });
      } catch (error) {
        slots.removeBreakGlass();
        throw error;
      }
      return credential;
    },

    unreviewedEmergencyCount() {
      return (
        services
          .db()
          .prepare(
            'SELECT count(*) AS n FROM emergency_sessions WHERE closed_at IS NOT NULL AND reviewed_at IS NULL',
          )
          .get() as { n: number }
      ).n;
    },

    listAccounts() {
      return accounts()
        .list()
        .map((account) => ({
          ...account,
          locked: throttle.isLocked(vault.accountTag(account.username)),
        }));
    },

    async createAccount(_session, username, role) {
      if (accounts().find(username))
        fail('account.exists', `an account named ${username} exists already`);
      const initialPassword = newInitialPassword();
      const slots = services.requireSlots();
      const slotId = await slots.addAccount(username, initialPassword);
      try {
        services.audited({ action: 'account.create', target: username, details: { role } }, () =>
          accounts().create({ username, role, keyslotId: slotId, createdBy: _session.username }),
        );
      } catch (error) {
        slots.removeAccount(username);
        throw error;
      }
      return { username, initialPassword };
    },

    setRole(session, username, role) {
      const account = findActive(username);
      if (account.role === role) return;
      refuseSelf(session, account, 'change the role of');
      if (role !== 'administrator') refuseLastAdministrator(account, 'this change');
      services.audited(
        { action: 'account.role', target: username, details: { from: account.role, to: role } },
        () => accounts().setRole(account.id, role),
      );
      sessions.endForAccount(account.id, 'role_changed');
    },

    disableAccount(session, username) {
      const account = findActive(username);
      refuseSelf(session, account, 'disable');
      refuseLastAdministrator(account, 'disabling this account');
      services.audited({ action: 'account.disable', target: username }, () =>
        accounts().disable(account.id),
      );
      services.requireSlots().removeAccount(username);
      sessions.endForAccount(account.id, 'disabled');
    },

    deleteAccount(session, username) {
      const account = accounts().find(username);
      if (!account) fail('not_found', `no account named ${username}`);
      refuseSelf(session, account, 'delete');
      if (account.disabledAt === null) refuseLastAdministrator(account, 'deleting this account');
      services.audited(
        { action: 'account.delete', target: username, details: { role: account.role } },
        () => accounts().remove(account.id),
      );
      services.requireSlots().removeAccount(username);
      sessions.endForAccount(account.id, 'disabled');
    },

    unlockAccount(_session, username) {
      findActive(username);
      services.audited({ action: 'account.unlock', target: username }, () =>
        throttle.unlock(vault.accountTag(username)),
      );
    },

    settings: readSettings,

    saveSettings(settings) {
      services.audited({ action: 'settings.change', details: { ...settings } }, () => {
        services
          .db()
          .prepare(
            "INSERT INTO settings (name, value) VALUES ('emergencyMinutes', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
          )
          .run(String(settings.emergencyMinutes));
      });
    },

    closeStaleEmergencies() {
      const db = services.db();
      const stale = db
        .prepare('SELECT id, session_id, opened_by FROM emergency_sessions WHERE closed_at IS NULL')
        .all() as { id: number; session_id: string; opened_by: string }[];
      for (const row of stale) {
        services.audited(
          {
            actor: row.opened_by,
            role: emergencyRole,
            sessionId: row.session_id,
            emergency: true,
            action: 'breakglass.close',
            target: row.opened_by,
            reason: 'console stopped before the session ended',
            details: { emergencyId: row.id },
          },
          () => {
            db.prepare(
              "UPDATE emergency_sessions SET closed_at = ?, close_reason = 'console_stopped' WHERE id = ?",
            ).run(isoTime(clock), row.id);
          },
        );
      }
    },

    sessionEnded(session, reason) {
      if (!services.isOpen()) return;
      const actor = {
        actor: session.username,
        role: session.role,
        sessionId: session.id,
        emergency: session.emergency !== null,
      };
      if (session.emergency) {
        services.audited(
          { ...actor, action: 'breakglass.close', target: session.username, reason },
          () => {
            services
              .db()
              .prepare(
                'UPDATE emergency_sessions SET closed_at = ?, close_reason = ? WHERE session_id = ? AND closed_at IS NULL',
              )
              .run(isoTime(clock), reason, session.id);
          },
        );
      }
      services.record({ ...actor, action: 'session.end', target: session.username, reason });
      // A signed checkpoint at the end of every session: what it did is pinned from then on.
      const audit = services.audit();
      services.db().transaction(() => audit.checkpoint())();
    },
  };
}
