import { describe, expect, it } from 'vitest';
import { channels, contract, roles } from '../../src-preload/contract';
import type { Channel } from '../../src-preload/contract';
import { useTempDirs } from '../../test/support/temp';
import type { Role } from '../../src-preload/contract';
import { setUpConsole } from '../../test/support/accounts';
import { emergencyRole, roleAllows } from '../access/permissions';
import { sessionLimits, stepUpWindowMs } from '../access/sessions';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import { createAppServices } from '../services';
import { createHandlers } from './handlers';
import { createIpcRegistry } from './registry';

const tempDir = useTempDirs();

function setUpRegistry() {
  const clock = frozenClock(Date.UTC(2026, 10, 23, 10));
  const services = createAppServices({ dataDir: tempDir(), clock, ids: sequentialIds('r') });
  return { services, clock, registry: createIpcRegistry(services) };
}

// Payloads no channel accepts: wrong types, unknown keys, hostile shapes.
const malformed: unknown[] = [
  null,
  42,
  'devices',
  [],
  [{}],
  { __proto__: { polluted: true }, unexpected: 1 },
  { constructor: { prototype: { polluted: true } } },
  {
    limit: -1,
    offset: 'x',
    id: 'one',
    username: 7,
    password: {},
    format: 'xml',
    stagingId: 5,
    mapping: [],
  },
];

describe('IPC registry', () => {
  it('answers a malformed payload on every channel with ipc.payload and keeps working', async () => {
    const { services, registry, clock } = setUpRegistry();
    await setUpConsole(registry, clock, 'c1');
    for (const channel of channels) {
      for (const payload of malformed) {
        const result = await registry.dispatch('c1', channel, payload);
        expect(result.ok, `${channel} accepted ${JSON.stringify(payload)}`).toBe(false);
        if (!result.ok)
          expect(result.error.code, `${channel} with ${JSON.stringify(payload)}`).toBe(
            'ipc.payload',
          );
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const status = await registry.dispatch('c1', 'session:status', {});
    expect(status).toMatchObject({
      ok: true,
      value: {
        setupRequired: false,
        user: { username: 'admin', role: 'administrator' },
        breakGlassReady: true,
        unreviewedEmergencies: 0,
      },
    });
    services.close();
  });

  it('names the path of the first bad field', async () => {
    const { services, registry } = setUpRegistry();
    const result = await registry.dispatch('c1', 'devices:list', { limit: 5000 });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toMatch(/devices:list at limit/);
      expect(result.error.details).toEqual([expect.objectContaining({ path: ['limit'] })]);
    }
    services.close();
  });

  it('refuses channels the contract does not have', async () => {
    const { services, registry } = setUpRegistry();
    for (const name of ['devices:drop', '__proto__', 'constructor', 'toString', '']) {
      const result = await registry.dispatch('c1', name, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'ipc.channel' } });
    }
    services.close();
  });

  it('refuses every non-public channel without a session, before looking at the store', async () => {
    const { services, registry } = setUpRegistry();
    for (const channel of channels.filter((name) => contract[name].permission !== 'public')) {
      const result = await registry.dispatch('stranger', channel, validRequest(channel));
      expect(result, channel).toMatchObject({ ok: false, error: { code: 'session.required' } });
    }
    services.close();
  });

  it('keeps sessions per client: one window signing in does not sign in another', async () => {
    const { services, registry, clock } = setUpRegistry();
    await setUpConsole(registry, clock, 'c1');
    expect(await registry.dispatch('c1', 'devices:facets', {})).toMatchObject({ ok: true });
    expect(await registry.dispatch('c2', 'devices:facets', {})).toMatchObject({
      ok: false,
      error: { code: 'session.required' },
    });
    services.close();
  });

  it('ends an administrator session after 15 idle minutes by the clock', async () => {
    const { services, clock, registry } = setUpRegistry();
    await setUpConsole(registry, clock, 'c1');
    clock.advance(14 * 60_000);
    expect(await registry.dispatch('c1', 'devices:facets', {})).toMatchObject({ ok: true });
    clock.advance(15 * 60_000);
    expect(await registry.dispatch('c1', 'devices:facets', {})).toMatchObject({
      ok: false,
      error: { code: 'session.required' },
    });
    services.close();
  });

  it('gives every channel × every role, no session, an expired and an emergency session exactly what the permission table says', async () => {
    const { services, registry, clock } = setUpRegistry();
    await setUpConsole(registry, clock, 'admin');
    type Caller = { name: string; role: Role | null; start: () => void; steppedUp: boolean };
    const callers: Caller[] = [];
    for (const role of roles) {
      for (const steppedUp of [true, false]) {
        const clientId = `as-${role}-${steppedUp}`;
        callers.push({
          name: clientId,
          role,
          steppedUp,
          start: () => {
            services.sessions.start(clientId, {
              accountId: 999,
              username: `someone-${role}`,
              role,
            });
            if (!steppedUp) clock.advance(stepUpWindowMs);
          },
        });
      }
    }
    callers.push({ name: 'nobody', role: null, steppedUp: false, start: () => undefined });
    callers.push({
      name: 'expired',
      role: null,
      steppedUp: false,
      start: () => {
        services.sessions.start('expired', { accountId: 999, username: 'gone', role: 'engineer' });
        clock.advance(sessionLimits.engineer.idleMs);
      },
    });
    callers.push({
      name: 'emergency',
      role: emergencyRole,
      steppedUp: false,
      start: () => {
        services.sessions.start('emergency', {
          accountId: null,
          username: 'nurse on call',
          role: emergencyRole,
          emergency: {
            id: 1,
            openedBy: 'nurse on call',
            reason: 'device_failure',
            endsAtMs: clock.nowMs() + 3_600_000,
          },
        });
      },
    });
    let checked = 0;
    for (const channel of channels.filter(
      (name) => contract[name].permission !== 'public' && name !== 'session:lock',
    )) {
      const spec = contract[channel];
      for (const caller of callers) {
        caller.start();
        const result = await registry.dispatch(caller.name, channel, validRequest(channel));
        const label = `${caller.name} → ${channel}`;
        if (caller.role === null) {
          expect(result, label).toMatchObject({ ok: false, error: { code: 'session.required' } });
        } else if (
          !roleAllows(caller.role, spec.permission) ||
          (caller.name === 'emergency' && 'stepUp' in spec && spec.stepUp)
        ) {
          expect(result, label).toMatchObject({ ok: false, error: { code: 'permission.denied' } });
        } else if ('stepUp' in spec && spec.stepUp && !caller.steppedUp) {
          expect(result, label).toMatchObject({ ok: false, error: { code: 'stepup.required' } });
        } else if (!result.ok) {
          expect(
            ['session.required', 'permission.denied', 'stepup.required', 'ipc.payload', 'internal'],
            `${label}: ${result.error.code} ${result.error.message}`,
          ).not.toContain(result.error.code);
        }
        services.sessions.end(caller.name, 'locked');
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(200);
    services.close();
  });

  it('locks: the session ends, its client is told, and the store closes when no session is left', async () => {
    const { services, registry, clock } = setUpRegistry();
    await setUpConsole(registry, clock, 'c1');
    const events: unknown[] = [];
    registry.subscribe('c1', (event, payload) => events.push([event, payload]));
    expect(await registry.dispatch('c1', 'session:lock', {})).toEqual({ ok: true, value: {} });
    expect(events).toEqual([['session:ended', { reason: 'logout' }]]);
    expect(() => services.inventory()).toThrow(/locked/);
    expect(await registry.dispatch('c1', 'devices:facets', {})).toMatchObject({
      ok: false,
      error: { code: 'session.required' },
    });
    services.close();
  });

  it('reports an unexpected handler error as internal without its details', async () => {
    const { services } = setUpRegistry();
    const handlers = createHandlers();
    handlers['session:status'] = () => {
      throw new Error('secret internal path /etc/shadow');
    };
    const registry = createIpcRegistry(services, handlers);
    const result = await registry.dispatch('c1', 'session:status', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('shadow');
    services.close();
  });
});

function validRequest(channel: Channel): unknown {
  const samples: Partial<Record<Channel, unknown>> = {
    'devices:get': { id: 1 },
    'devices:export': { format: 'csv' },
    'imports:stage': { fileName: 'a.csv', content: 'manufacturer\n' },
    'imports:validate': { stagingId: 'none', mapping: {} },
    'imports:commit': { stagingId: 'none', mapping: {}, skipInvalid: false },
    'imports:discard': { stagingId: 'none' },
    'mappings:save': { name: 'm', mapping: {} },
    'session:stepup': { password: 'not the password', code: '000000' },
    'session:change-password': { currentPassword: 'not it', newPassword: 'not it either' },
    'accounts:create': { username: 'matrix-new', role: 'technician' },
    'accounts:role': { username: 'nobody-here', role: 'technician' },
    'accounts:disable': { username: 'nobody-here' },
    'accounts:delete': { username: 'nobody-here' },
    'accounts:unlock': { username: 'nobody-here' },
    'breakglass:review': { id: 424242, comment: 'checked' },
    'settings:set': { emergencyMinutes: 60 },
    'audit:export': { format: 'jsonl' },
    'network:changes': { sinceVersion: 0 },
    'network:map': { clusterThreshold: 150 },
    'network:findings': { include: ['violation'], limit: 10 },
    'network:what-if': { draft: { moves: [{ deviceUid: 'nobody-here', zoneId: null }] } },
    'network:report': { sinceVersion: 0 },
    'network:report-html': { sinceVersion: 0 },
    'network:export': { format: 'nftables' },
    'network:import-zones': {
      content: '{"format":"wardkeep-network-policy","version":1,"zones":[],"conduits":[]}',
      reason: 'matrix',
    },
    'network:apply': { draft: {}, reason: 'matrix' },
    'network:revert': { version: 0, reason: 'matrix' },
    'network:assign': { deviceUid: 'nobody-here', zoneId: null, reason: 'matrix' },
    'flows:import': {
      fileName: 'matrix.csv',
      content: 'src,dst,proto,port\n10.0.0.1,10.0.0.2,tcp,443\n',
      importValidLines: false,
    },
    'network:unknown-state': { address: '10.0.0.9', state: 'ignored' },
    'provision:start': { portPath: '/dev/wardkeep-matrix-no-such-port' },
    'provision:choose-zone': { sessionId: 'none', zoneId: 'clinical' },
    'provision:cancel': { sessionId: 'none' },
    'provision:exception-create': {
      deviceUid: 'nobody-here',
      risk: 'no certificate',
      compensatingControls: ['restricted zone'],
      owner: 'biomed lead',
      reviewDate: '2026-12-01',
    },
    'provision:exception-review': { id: 'none', reviewDate: '2026-12-01', note: 'checked' },
    'provision:exception-revoke': { id: 'none', reason: 'replaced' },
    'pki:create-authority': { siteName: 'Matrix Hospital', keyAlgorithm: 'ecdsa-p256' },
    'pki:import-authority': { siteName: 'Matrix Hospital', pkcs12Base64: 'AAAA', password: 'x' },
    'pki:expiring': { withinDays: 30 },
    'pki:revoke': { serial: '00', reason: 'unspecified' },
    'pki:issue': { deviceUid: 'nobody-here', csrPem: 'not a request' },
    'trust:import': { pem: 'not a certificate' },
    'trust:remove': { fingerprintSha256: 'a'.repeat(64) },
    'baseline:publisher': { pem: 'not a key' },
    'baseline:import': { content: '{}' },
  };
  return samples[channel] ?? {};
}
