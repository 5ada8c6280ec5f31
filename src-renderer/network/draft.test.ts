import { describe, expect, it } from 'vitest';
import { ConduitIdSchema, PolicyDraftSchema } from '../../src-preload/network/schemas';
import type { DraftMove } from './draft';
import {
  draftSize,
  draftVerdictsOf,
  draftedConduits,
  emptyDraft,
  formatPorts,
  newConduitId,
  parsePorts,
  toPolicyDraft,
  withConduit,
  withMove,
  withoutConduit,
  withoutMove,
} from './draft';
import { testPolicy } from './testMap';
import type { WhatIf } from './types';

function move(deviceUid: string, fromZoneId: string, toZoneId: string): DraftMove {
  return { deviceUid, nodeId: `device:${deviceUid}`, label: deviceUid, fromZoneId, toZoneId };
}

describe('the draft', () => {
  it('keeps one move per device, the latest, sorted by device', () => {
    let draft = withMove(emptyDraft, move('b', 'med', 'it'));
    draft = withMove(draft, move('a', 'life', 'med'));
    draft = withMove(draft, move('b', 'med', 'life'));
    expect(draft.moves.map((item) => [item.deviceUid, item.toZoneId])).toEqual([
      ['a', 'med'],
      ['b', 'life'],
    ]);
    expect(draftSize(draft)).toBe(2);
    expect(withoutMove(draft, 'a').moves.map((item) => item.deviceUid)).toEqual(['b']);
  });

  it('forgets a move back to where the device is', () => {
    const draft = withMove(
      withMove(emptyDraft, move('a', 'life', 'med')),
      move('a', 'life', 'life'),
    );
    expect(draft.moves).toEqual([]);
  });

  it('sends main a schema-valid request: moves, changed conduits and added conduits by id', () => {
    const [hl7] = testPolicy().conduits;
    let draft = withConduit(emptyDraft, { conduit: { ...hl7!, state: 'deny' }, isNew: false });
    draft = withConduit(draft, {
      conduit: { ...hl7!, id: 'med-to-it-udp', protocol: 'udp', ports: [] },
      isNew: true,
    });
    draft = withMove(draft, move('a', 'life', 'med'));
    const request = toPolicyDraft(draft);
    expect(request).toEqual({
      moves: [{ deviceUid: 'a', zoneId: 'med' }],
      updateConduits: [{ ...hl7!, state: 'deny' }],
      addConduits: [{ ...hl7!, id: 'med-to-it-udp', protocol: 'udp', ports: [] }],
    });
    expect(PolicyDraftSchema.safeParse(request).success).toBe(true);
    expect(withoutConduit(draft, 'med-hl7').conduits.map((item) => item.conduit.id)).toEqual([
      'med-to-it-udp',
    ]);
  });

  it('shows the policy’s conduits as the draft would leave them', () => {
    const policy = testPolicy();
    const draft = withConduit(emptyDraft, {
      conduit: { ...policy.conduits[0]!, state: 'monitor' },
      isNew: false,
    });
    const conduits = draftedConduits(policy.conduits, draft);
    expect(conduits.map((conduit) => [conduit.id, conduit.state])).toEqual([
      ['life-hl7', 'allow'],
      ['med-hl7', 'monitor'],
      ['pump-server', 'monitor'],
    ]);
  });

  it('reads the draft verdict of every flow a what-if changes', () => {
    const change = (id: number, after: 'allowed' | 'violation') =>
      ({ flow: { id }, before: { verdict: 'monitored' }, after: { verdict: after } }) as never;
    const whatIf = { changes: [change(3, 'allowed'), change(7, 'violation')] } as unknown as WhatIf;
    expect([...draftVerdictsOf(whatIf)]).toEqual([
      [3, 'allowed'],
      [7, 'violation'],
    ]);
    expect(draftVerdictsOf(null).size).toBe(0);
  });
});

describe('parsePorts', () => {
  it('reads single ports, lists and ranges, sorted, without repeats', () => {
    expect(parsePorts('8443, 443 8000-8100 443', 'tcp')).toEqual({
      ok: true,
      ports: [
        { from: 443, to: 443 },
        { from: 8000, to: 8100 },
        { from: 8443, to: 8443 },
      ],
    });
    expect(parsePorts('  ', 'udp')).toEqual({ ok: true, ports: [] });
  });

  it('says what is wrong with a port it cannot take', () => {
    const failure = (text: string, protocol: 'tcp' | 'icmp') => {
      const parsed = parsePorts(text, protocol);
      return parsed.ok ? null : parsed.message;
    };
    expect(failure('http', 'tcp')).toContain('"http"');
    expect(failure('70000', 'tcp')).toContain('1–65535');
    expect(failure('0', 'tcp')).toContain('1–65535');
    expect(failure('9000-8000', 'tcp')).toContain('go up');
    expect(failure('53', 'icmp')).toContain('ICMP');
  });

  it('writes ports back as it reads them', () => {
    const parsed = parsePorts('104, 2760-2762', 'tcp');
    expect(parsed.ok && formatPorts(parsed.ports)).toBe('104, 2760-2762');
  });
});

describe('newConduitId', () => {
  it('makes a valid, unused id from the zones and protocol', () => {
    expect(newConduitId('med', 'it', 'tcp', new Set())).toBe('med-to-it-tcp');
    expect(newConduitId('med', 'it', 'tcp', new Set(['med-to-it-tcp']))).toBe('med-to-it-tcp-2');
  });

  it('stays within the 64 characters of a conduit id for long zone ids', () => {
    const long = 'a'.repeat(60);
    const id = newConduitId(long, long, 'udp', new Set());
    const again = newConduitId(long, long, 'udp', new Set([id]));
    expect(id.length).toBeLessThanOrEqual(64);
    expect(again).not.toBe(id);
    expect(ConduitIdSchema.safeParse(id).success).toBe(true);
    expect(ConduitIdSchema.safeParse(again).success).toBe(true);
  });
});
