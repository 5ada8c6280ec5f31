import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src-preload/contract';
import { roles } from '../../src-preload/contract';
import {
  addAccount,
  dispatch,
  nextCode,
  setUpConsole,
  signIn,
  stepUp,
} from '../../test/support/accounts';
import type { TestClock } from '../../test/support/accounts';
import { generatedPassword, useTempDirs } from '../../test/support/temp';
import { createIpcRegistry } from '../ipc/registry';
import type { SqliteDatabase } from '../store/database';
import type { IpcRegistry } from '../ipc/registry';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import { createAppServices } from '../services';
import type { AppServices } from '../services';
import { base32Decode, totp } from './totp';
import { sessionLimits, stepUpWindowMs } from './sessions';
import { failuresBeforeLock, lockDurationMs } from './throttle';

const tempDir = useTempDirs();

function slotKinds(dataDir: string): string[] {
  const file = JSON.parse(readFileSync(join(dataDir, 'keyslots.json'), 'utf8')) as {
    slots: { kind: string }[];
  };
  return file.slots.map((slot) => slot.kind);
}
const testKdf = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

function console_(): {
  services: AppServices;
  registry: IpcRegistry;
  clock: TestClock;
  dataDir: string;
} {
  const clock = frozenClock(Date.UTC(2026, 10, 23, 8));
  const dataDir = tempDir();
  const services = createAppServices({ dataDir, clock, ids: sequentialIds('a'), kdfCost: testKdf });
  return { services, registry: createIpcRegistry(services), clock, dataDir };
}

async function code(promise: Promise<Result<unknown>>): Promise<string> {
  const result = await promise;
  return result.ok ? 'ok' : result.error.code;
}

function auditActions(
  services: AppServices,
): { action: string; outcome: string; actor: string | null; emergency: boolean }[] {
  return services
    .audit()
    .list({ limit: 1000, descending: false })
    .records.map((record) => ({
      action: record.action,
      outcome: record.outcome,
      actor: record.actor,
      emergency: record.emergency,
    }));
}

describe('signing in', () => {
  it('gives no session for a password alone: the second factor comes first', async () => {
    const { services, registry, clock } = console_();
    const { admin } = await setUpConsole(registry, clock, 'admin');
    await dispatch(registry, 'admin', 'session:lock', {});
    const step = await dispatch(registry, 'c2', 'session:login', {
      username: 'admin',
      password: admin.password,
    });
    expect(step).toEqual({ step: 'mfa' });
    expect(await code(registry.dispatch('c2', 'devices:facets', {}))).toBe('session.required');
    expect(await code(registry.dispatch('c2', 'session:mfa', { code: '000000' }))).toBe(
      'auth.mfa_invalid',
    );
    expect(
      await code(registry.dispatch('c2', 'session:mfa', { code: nextCode(clock, admin.secret) })),
    ).toBe('ok');
    expect(await code(registry.dispatch('c2', 'devices:facets', {}))).toBe('ok');
    services.close();
  });

  it('accepts a TOTP code once only, and one step either side of now', async () => {
    const { services, registry, clock } = console_();
    const { admin } = await setUpConsole(registry, clock, 'admin');
    const secret = base32Decode(admin.secret);
    clock.advance(30_000);
    const used = totp(secret, clock.nowMs());
    await dispatch(registry, 'c2', 'session:login', {
      username: 'admin',
      password: admin.password,
    });
    expect(await code(registry.dispatch('c2', 'session:mfa', { code: used }))).toBe('ok');
    await dispatch(registry, 'c3', 'session:login', {
      username: 'admin',
      password: admin.password,
    });
    expect(await code(registry.dispatch('c3', 'session:mfa', { code: used }))).toBe(
      'auth.mfa_invalid',
    );
    // The next step's code, typed 30 s early, is still accepted.
    expect(
      await code(
        registry.dispatch('c3', 'session:mfa', { code: totp(secret, clock.nowMs() + 30_000) }),
      ),
    ).toBe('ok');
    services.close();
  });

  it('accepts each MFA recovery code once', async () => {
    const { services, registry, clock } = console_();
    const { admin } = await setUpConsole(registry, clock, 'admin');
    expect(admin.recoveryCodes).toHaveLength(10);
    const [first] = admin.recoveryCodes as [string];
    await dispatch(registry, 'c2', 'session:login', {
      username: 'admin',
      password: admin.password,
    });
    expect(await code(registry.dispatch('c2', 'session:mfa', { code: first.toLowerCase() }))).toBe(
      'ok',
    );
    await dispatch(registry, 'c3', 'session:login', {
      username: 'admin',
      password: admin.password,
    });
    expect(await code(registry.dispatch('c3', 'session:mfa', { code: first }))).toBe(
      'auth.mfa_invalid',
    );
    expect(auditActions(services)).toContainEqual(
      expect.objectContaining({ action: 'mfa.recovery_code', outcome: 'success' }),
    );
    services.close();
  });

  it(`backs off, then locks an account for 30 min after ${failuresBeforeLock} failures, and audits it`, async () => {
    const { services, registry, clock } = console_();
    const { admin } = await setUpConsole(registry, clock, 'admin');
    await dispatch(registry, 'admin', 'session:lock', {});
    const codes: string[] = [];
    for (let attempt = 0; attempt < failuresBeforeLock; attempt += 1) {
      clock.advance(61_000);
      codes.push(
        await code(
          registry.dispatch('x', 'session:login', {
            username: 'admin',
            password: 'wrong password!',
          }),
        ),
      );
    }
    expect(codes.slice(0, -1).every((value) => value === 'auth.invalid')).toBe(true);
    expect(codes.at(-1)).toBe('auth.locked');
    // Locked: even the right password is refused until the lock ends.
    expect(
      await code(
        registry.dispatch('x', 'session:login', { username: 'admin', password: admin.password }),
      ),
    ).toBe('auth.locked');
    clock.advance(lockDurationMs);
    await signIn(registry, clock, 'x', admin);
    const failures = auditActions(services).filter((entry) => entry.action === 'auth.login');
    expect(failures).toHaveLength(failuresBeforeLock);
    expect(failures.every((entry) => entry.outcome === 'failure' && entry.actor === 'admin')).toBe(
      true,
    );
    expect(auditActions(services)).toContainEqual(
      expect.objectContaining({ action: 'auth.lockout' }),
    );
    services.close();
  });

  it('asks a new account for its own password, then enrolment, before any session', async () => {
    const { services, registry, clock } = console_();
    const { admin } = await setUpConsole(registry, clock, 'admin');
    const technician = await addAccount(registry, clock, admin, 'admin', 'tech1', 'technician');
    expect(await code(registry.dispatch('tech1-client', 'devices:facets', {}))).toBe('ok');
    expect(await code(registry.dispatch('tech1-client', 'accounts:list', {}))).toBe(
      'permission.denied',
    );
    const listed = await dispatch(registry, 'admin', 'accounts:list', {});
    expect(listed.find((account) => account.username === 'tech1')).toMatchObject({
      role: 'technician',
      mfaEnrolled: true,
      mustChangePassword: false,
      recoveryCodesLeft: 10,
    });
    await dispatch(registry, 'tech1-client', 'session:lock', {});
    await signIn(registry, clock, 'tech1-client', technician);
    services.close();
  });
});

describe('sessions', () => {
  it.each(roles)(
    'ends a %s session at its idle and absolute limits by the frozen clock',
    async (role) => {
      const { services, registry, clock } = console_();
      const { admin } = await setUpConsole(registry, clock, 'admin');
      const account =
        role === 'administrator'
          ? admin
          : await addAccount(registry, clock, admin, 'admin', `user-${role}`, role);
      const client = `limits-${role}`;
      await signIn(registry, clock, client, account);
      const limits = sessionLimits[role];
      clock.advance(limits.idleMs - 1000);
      expect(await code(registry.dispatch(client, 'session:status', {}))).toBe('ok');
      expect((await dispatch(registry, client, 'session:status', {})).user).not.toBeNull();
      clock.advance(1000);
      expect((await dispatch(registry, client, 'session:status', {})).user).toBeNull();

      // Kept busy, it still ends at the absolute limit.
      await signIn(registry, clock, client, account);
      const startedAt = clock.nowMs();
      while (clock.nowMs() - startedAt < limits.absoluteMs - limits.idleMs) {
        clock.advance(limits.idleMs - 1000);
        expect(await code(registry.dispatch(client, 'devices:facets', {}))).toBe('ok');
      }
      clock.set(startedAt + limits.absoluteMs);
      expect((await dispatch(registry, client, 'session:status', {})).user).toBeNull();
      services.close();
    },
  );

  it('asks for a step-up on privileged channels after 5 minutes, and a new session id on every sign-in', async () => {
    const { services, registry, clock } = console_();
    const { admin } = await setUpConsole(registry, clock, 'admin');
    const first = services.sessions.peek('admin')?.id;
    clock.advance(stepUpWindowMs);
    expect(
      await code(
        registry.dispatch('admin', 'accounts:create', { username: 'x1', role: 'manager' }),
      ),
    ).toBe('stepup.required');
    await stepUp(registry, clock, 'admin', admin);
    expect(
      await code(
        registry.dispatch('admin', 'accounts:create', { username: 'x1', role: 'manager' }),
      ),
    ).toBe('ok');
    await signIn(registry, clock, 'admin', admin);
    expect(services.sessions.peek('admin')?.id).not.toBe(first);
    expect(auditActions(services)).toContainEqual(
      expect.objectContaining({ action: 'access.denied', outcome: 'denied' }),
    );
    services.close();
  });
});

describe('accounts', () => {
  it('disabling an account ends its sessions at once and removes its keyslot', async () => {
    const { services, registry, clock, dataDir } = console_();
    const { admin } = await setUpConsole(registry, clock, 'admin');
    const engineer = await addAccount(registry, clock, admin, 'admin', 'eng1', 'engineer');
    const slotsBefore = slotKinds(dataDir).length;
    const events: unknown[] = [];
    registry.subscribe('eng1-client', (event, payload) => events.push([event, payload]));
    await stepUp(registry, clock, 'admin', admin);
    await dispatch(registry, 'admin', 'accounts:disable', { username: 'eng1' });
    expect(events).toEqual([['session:ended', { reason: 'disabled' }]]);
    expect(await code(registry.dispatch('eng1-client', 'devices:facets', {}))).toBe(
      'session.required',
    );
    const slotsAfter = slotKinds(dataDir).length;
    expect(slotsAfter).toBe(slotsBefore - 1);
    expect(
      await code(
        registry.dispatch('again', 'session:login', {
          username: 'eng1',
          password: engineer.password,
        }),
      ),
    ).toBe('auth.invalid');
    services.close();
  });

  it('keeps at least one administrator and never lets one change their own account', async () => {
    const { services, registry, clock } = console_();
    const { admin } = await setUpConsole(registry, clock, 'admin');
    await stepUp(registry, clock, 'admin', admin);
    expect(await code(registry.dispatch('admin', 'accounts:disable', { username: 'admin' }))).toBe(
      'permission.denied',
    );
    const second = await addAccount(registry, clock, admin, 'admin', 'admin2', 'administrator');
    await stepUp(registry, clock, 'admin2-client', second);
    expect(
      await code(
        registry.dispatch('admin2-client', 'accounts:role', { username: 'admin', role: 'manager' }),
      ),
    ).toBe('ok');
    // admin is now a manager; admin2 is the last administrator.
    expect(
      await code(registry.dispatch('admin2-client', 'accounts:disable', { username: 'admin2' })),
    ).toBe('permission.denied');
    expect(auditActions(services)).toContainEqual(
      expect.objectContaining({ action: 'account.role' }),
    );
    services.close();
  });

  it('changing a role ends the sessions of that account', async () => {
    const { services, registry, clock } = console_();
    const { admin } = await setUpConsole(registry, clock, 'admin');
    await addAccount(registry, clock, admin, 'admin', 'm1', 'manager');
    await stepUp(registry, clock, 'admin', admin);
    await dispatch(registry, 'admin', 'accounts:role', { username: 'm1', role: 'engineer' });
    expect(await code(registry.dispatch('m1-client', 'devices:facets', {}))).toBe(
      'session.required',
    );
    services.close();
  });
});

describe('break-glass', () => {
  it('opens an emergency session with engineer rights, tags its actions, spends the credential and waits for review', async () => {
    const { services, registry, clock, dataDir } = console_();
    const { admin, emergencyCredential } = await setUpConsole(registry, clock, 'admin');
    await dispatch(registry, 'admin', 'session:lock', {});
    expect((await dispatch(registry, 'x', 'session:status', {})).breakGlassReady).toBe(true);

    expect(
      await code(
        registry.dispatch('ward', 'session:breakglass', {
          credential: emergencyCredential,
          openedBy: 'Dr Who',
          reason: 'other',
        }),
      ),
    ).toBe('input.invalid');
    const user = await dispatch(registry, 'ward', 'session:breakglass', {
      credential: emergencyCredential.toLowerCase(),
      openedBy: 'Dr Who',
      reason: 'device_failure',
    });
    expect(user).toEqual({ username: 'Dr Who', role: 'engineer' });
    const status = await dispatch(registry, 'ward', 'session:status', {});
    expect(status.session?.emergency).toMatchObject({
      openedBy: 'Dr Who',
      reason: 'device_failure',
    });
    expect(status.session?.expiresAtMs).toBe(clock.nowMs() + 60 * 60_000);
    expect(status.breakGlassReady).toBe(false);
    expect(slotKinds(dataDir)).not.toContain('breakglass');

    await dispatch(registry, 'ward', 'devices:facets', {});
    // Privileged actions wait for a named account.
    expect(await code(registry.dispatch('ward', 'devices:export', { format: 'csv' }))).toBe(
      'permission.denied',
    );

    clock.advance(60 * 60_000);
    expect((await dispatch(registry, 'ward', 'session:status', {})).user).toBeNull();
    expect(
      await code(
        registry.dispatch('ward2', 'session:breakglass', {
          credential: emergencyCredential,
          openedBy: 'Dr Who',
          reason: 'patient_care',
        }),
      ),
    ).toBe('breakglass.unavailable');

    await signIn(registry, clock, 'admin', admin);
    const after = await dispatch(registry, 'admin', 'session:status', {});
    expect(after.unreviewedEmergencies).toBe(1);
    const [emergency] = await dispatch(registry, 'admin', 'breakglass:list', {});
    expect(emergency).toMatchObject({
      openedBy: 'Dr Who',
      closeReason: 'emergency_ended',
      reviewedBy: null,
    });
    const tagged = auditActions(services).filter((entry) => entry.emergency);
    expect(tagged.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['breakglass.open', 'breakglass.close', 'session.end']),
    );

    await dispatch(registry, 'admin', 'breakglass:review', {
      id: emergency!.id,
      comment: 'Pump failure on ward 3; actions appropriate.',
    });
    expect((await dispatch(registry, 'admin', 'session:status', {})).unreviewedEmergencies).toBe(0);
    const { credential } = await dispatch(registry, 'admin', 'breakglass:rotate', {});
    expect(credential).not.toBe(emergencyCredential);
    expect((await dispatch(registry, 'admin', 'session:status', {})).breakGlassReady).toBe(true);
    services.close();
  });

  it('closes an emergency session for review when the console stops during it, or stopped without closing it', async () => {
    const { services, registry, clock, dataDir } = console_();
    const { admin, emergencyCredential } = await setUpConsole(registry, clock, 'admin');
    await dispatch(registry, 'admin', 'session:lock', {});
    await dispatch(registry, 'ward', 'session:breakglass', {
      credential: emergencyCredential,
      openedBy: 'Dr Who',
      reason: 'patient_care',
    });
    // The console quits while the emergency session is open.
    services.close();

    const again = createAppServices({ dataDir, clock, ids: sequentialIds('b'), kdfCost: testKdf });
    const registryAgain = createIpcRegistry(again);
    await signIn(registryAgain, clock, 'admin', admin);
    const [closed] = await dispatch(registryAgain, 'admin', 'breakglass:list', {});
    expect(closed).toMatchObject({ openedBy: 'Dr Who', closeReason: 'logout', reviewedBy: null });
    expect(closed?.closedAt).not.toBeNull();
    expect(
      (await dispatch(registryAgain, 'admin', 'session:status', {})).unreviewedEmergencies,
    ).toBe(1);

    // A crash leaves the row open: the next open of the store closes it for review.
    again.db().prepare('UPDATE emergency_sessions SET closed_at = NULL, close_reason = NULL').run();
    await dispatch(registryAgain, 'admin', 'session:lock', {});
    await signIn(registryAgain, clock, 'admin', admin);
    const [reclosed] = await dispatch(registryAgain, 'admin', 'breakglass:list', {});
    expect(reclosed).toMatchObject({ closeReason: 'console_stopped' });
    again.close();
  });

  it('refuses a review by the person who used the emergency access', async () => {
    const { services, registry, clock } = console_();
    const { admin, emergencyCredential } = await setUpConsole(registry, clock, 'admin');
    await dispatch(registry, 'ward', 'session:breakglass', {
      credential: emergencyCredential,
      openedBy: 'admin',
      reason: 'patient_care',
    });
    await dispatch(registry, 'ward', 'session:lock', {});
    await stepUp(registry, clock, 'admin', admin);
    const [emergency] = await dispatch(registry, 'admin', 'breakglass:list', {});
    expect(
      await code(
        registry.dispatch('admin', 'breakglass:review', { id: emergency!.id, comment: 'fine' }),
      ),
    ).toBe('breakglass.review');
    services.close();
  });
});

describe('the data folder', () => {
  it('holds no password, code, credential or TOTP secret in plaintext', async () => {
    const { services, registry, clock, dataDir } = console_();
    const setUp = await setUpConsole(registry, clock, 'admin');
    const engineer = await addAccount(registry, clock, setUp.admin, 'admin', 'eng1', 'engineer');
    await dispatch(registry, 'nobody', 'session:login', {
      username: 'eng1',
      password: 'a wrong guess 123',
    }).catch(() => undefined);
    services.close();
    const secrets = [
      setUp.admin.password,
      setUp.recoveryCode,
      setUp.emergencyCredential,
      setUp.admin.secret,
      base32Decode(setUp.admin.secret).toString('hex'),
      ...setUp.admin.recoveryCodes,
      engineer.password,
      engineer.secret,
      'a wrong guess 123',
    ];
    for (const name of ['wardkeep.db', 'wardkeep.db-wal', 'keyslots.json', 'login-throttle.json']) {
      const path = join(dataDir, name);
      if (!existsSync(path)) continue;
      const bytes = readFileSync(path);
      for (const secret of secrets) {
        expect(bytes.includes(Buffer.from(secret)), `${name} holds a secret`).toBe(false);
        expect(
          bytes.includes(Buffer.from(secret.replace(/-/g, ''))),
          `${name} holds a secret`,
        ).toBe(false);
      }
    }
    expect(generatedPassword()).not.toBe(setUp.admin.password);
  });
});

describe('failing closed', () => {
  const injections: [string, (db: SqliteDatabase) => void][] = [
    [
      'an I/O error',
      (db) => {
        db.exec(
          "CREATE TEMP TRIGGER audit_io_error BEFORE INSERT ON main.audit_records BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
        );
      },
    ],
    [
      'a full disk',
      (db) => {
        db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      },
    ],
    ['a read-only store', (db) => db.pragma('query_only = ON')],
  ];

  it.each(injections)(
    'refuses a change whose audit record cannot be written (%s), and changes nothing',
    async (_name, inject) => {
      const { services, registry, clock } = console_();
      const { admin } = await setUpConsole(registry, clock, 'admin');
      await stepUp(registry, clock, 'admin', admin);
      const db = services.db();
      inject(db);
      // Settings changes until one fails: a full disk takes a few, the others fail at once.
      let failure = 'none';
      let saved = 0;
      for (let minutes = 5; minutes <= 240 && failure === 'none'; minutes += 1) {
        const result = await registry.dispatch('admin', 'settings:set', {
          emergencyMinutes: minutes,
        });
        if (result.ok) saved = minutes;
        else failure = result.error.code;
      }
      expect(failure).toBe('audit.write_failed');
      db.exec('DROP TRIGGER IF EXISTS temp.audit_io_error');
      db.pragma('query_only = OFF');
      db.pragma('max_page_count = 1073741823');
      // What committed before the failure is there with its record; the failed change is not.
      expect(services.access.settings().emergencyMinutes).toBe(saved === 0 ? 60 : saved);
      const changes = services.audit().list({ action: 'settings.change', limit: 1000 }).records;
      expect(changes).toHaveLength(saved === 0 ? 0 : saved - 4);
      expect(services.audit().verify()).toMatchObject({ ok: true });
      services.close();
    },
  );
});

describe('the log', () => {
  it('carries no password, code or secret from sign-ins, failures and account changes', async () => {
    const { setLogSink, stderrSink } = await import('../lib/logger');
    const lines: string[] = [];
    setLogSink((record) => lines.push(JSON.stringify(record)));
    try {
      const { services, registry, clock } = console_();
      const setUp = await setUpConsole(registry, clock, 'admin');
      const engineer = await addAccount(registry, clock, setUp.admin, 'admin', 'eng1', 'engineer');
      await registry.dispatch('x', 'session:login', {
        username: 'eng1',
        password: 'wrong but long 1',
      });
      await registry.dispatch('y', 'session:breakglass', {
        credential: setUp.emergencyCredential,
        openedBy: 'Dr Who',
        reason: 'patient_care',
      });
      const audit = [...services.audit().recordTexts()].join('\n');
      services.close();
      const secrets = [
        setUp.admin.password,
        setUp.admin.secret,
        setUp.recoveryCode,
        setUp.emergencyCredential,
        ...setUp.admin.recoveryCodes,
        engineer.password,
        engineer.secret,
        'wrong but long 1',
      ];
      expect(lines.length).toBeGreaterThan(3);
      for (const secret of secrets) {
        expect(lines.join('\n')).not.toContain(secret);
        expect(audit).not.toContain(secret);
      }
    } finally {
      setLogSink(stderrSink);
    }
  });
});
