import { describe, expect, it } from 'vitest';
import { WardkeepFailure } from '../lib/errors';
import type { NetworkDevice, ObservedFlow, PolicyState } from '../../src-preload/network/model';
import { readPolicyFile, zonesTemplatePath } from './template';
import { applyDraft, whatIf } from './whatif';

const policy = readPolicyFile(zonesTemplatePath());

function device(id: number, ipAddress: string): NetworkDevice {
  return {
    id,
    uid: `uid-${id}`,
    label: `device ${id}`,
    ipAddress,
    zoneId: null,
    criticality: 'high',
    deviceClass: 'patient_monitor',
  };
}

function flow(
  id: number,
  source: string,
  destination: string,
  port: number,
  extra: Partial<ObservedFlow> = {},
): ObservedFlow {
  return {
    id,
    source,
    destination,
    protocol: 'tcp',
    port,
    bytes: 1,
    count: 1,
    tlsCount: 1,
    services: ['ssl'],
    firstSeenMs: 0,
    lastSeenMs: 0,
    ...extra,
  };
}

function thrown(work: () => unknown): WardkeepFailure {
  try {
    work();
  } catch (error) {
    if (error instanceof WardkeepFailure) return error;
    throw error;
  }
  throw new Error('expected a WardkeepFailure');
}

const devices = [device(1, '10.20.1.15'), device(2, '10.100.0.20'), device(3, '10.40.0.7')];
const flows = [
  flow(1, '10.20.1.15', '10.100.0.20', 2575),
  flow(2, '10.40.0.7', '10.100.0.20', 2575),
  flow(3, '10.40.0.7', '10.20.1.15', 443),
  flow(4, '10.120.1.1', '10.100.0.20', 443),
];
const state: PolicyState = { policy, assignments: {} };

describe('what-if drafts', () => {
  it('lists the flows whose verdict or deciding conduit a device move changes, worst outcome first', () => {
    const result = whatIf({
      state,
      draft: { moves: [{ deviceUid: 'uid-3', zoneId: 'medical-devices' }] },
      devices,
      flows,
    });
    expect(
      result.changes.map((change) => [change.flow.id, change.before.verdict, change.after.verdict]),
    ).toEqual([
      [2, 'allowed', 'allowed'],
      [3, 'violation', 'allowed'],
    ]);
    expect(result.changes[0]!.before.conduitId).toBe('lab-results-hl7');
    expect(result.changes[0]!.after.conduitId).toBe('medical-devices-hl7');
    expect(result.before).toEqual({ allowed: 3, monitored: 0, violation: 1, insecure: 0 });
    expect(result.after).toEqual({ allowed: 4, monitored: 0, violation: 0, insecure: 0 });
    expect(result.state.assignments).toEqual({ 'uid-3': 'medical-devices' });
  });

  it('tries added, edited and removed conduits without touching the state it started from', () => {
    const before = JSON.stringify(state);
    const corporate = policy.conduits.find((conduit) => conduit.id === 'corporate-clinical-apps')!;
    const result = whatIf({
      state,
      draft: {
        removeConduits: ['medical-devices-hl7'],
        updateConduits: [{ ...corporate, state: 'monitor' }],
        addConduits: [
          {
            id: 'lab-to-monitors',
            from: 'lab',
            to: 'medical-devices',
            protocol: 'tcp',
            ports: [{ from: 443, to: 443 }],
            direction: 'one-way',
            state: 'deny',
            purpose: 'never',
          },
        ],
      },
      devices,
      flows,
    });
    expect(
      result.changes.map((change) => [
        change.flow.id,
        change.before.verdict,
        change.after.verdict,
        change.after.conduitId,
      ]),
    ).toEqual([
      [1, 'allowed', 'violation', null],
      [3, 'violation', 'violation', 'lab-to-monitors'],
      [4, 'allowed', 'monitored', 'corporate-clinical-apps'],
    ]);
    expect(JSON.stringify(state)).toBe(before);
  });

  it('drops the assignments of a removed zone and refuses one still named by a conduit', () => {
    const next = applyDraft(
      { policy, assignments: { 'uid-1': 'lab' } },
      { removeZones: ['lab'], removeConduits: ['lab-results-hl7'] },
    );
    expect(next.assignments).toEqual({});
    expect(next.policy.zones.some((zone) => zone.id === 'lab')).toBe(false);
    const failure = thrown(() => applyDraft(state, { removeZones: ['lab'] }));
    expect(failure.code).toBe('network.invalid');
    expect(failure.message).toContain('the policy this draft produces');
    expect(failure.message).toContain('no zone has the id "lab"');
  });

  it('names the draft path of every id that does not exist or already does', () => {
    const failure = thrown(() =>
      applyDraft(
        state,
        {
          moves: [{ deviceUid: 'uid-9', zoneId: 'nowhere' }],
          removeConduits: ['missing'],
          addZones: [{ ...policy.zones[0]! }],
        },
        new Set(['uid-1']),
      ),
    );
    expect(
      (failure.details as { issues: { path: string }[] }).issues.map((issue) => issue.path),
    ).toEqual([
      '$.removeConduits[0]',
      '$.addZones[0].id',
      '$.moves[0].deviceUid',
      '$.moves[0].zoneId',
    ]);
  });

  it('refuses a draft that is not the documented shape, naming the path', () => {
    const failure = thrown(() =>
      applyDraft(state, { moves: [{ deviceUid: 'x', zone: 'lab' }] } as never),
    );
    expect(failure.code).toBe('network.invalid');
    expect(failure.message).toContain('$.moves[0]');
  });
});
