import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import { frozenClock } from '../lib/clock';
import {
  actReasonSystem,
  auditJsonLines,
  dicomEventType,
  dicomSystem,
  fhirActionCode,
  fhirAuditBundle,
  fhirAuditEventEntry,
  verifyAuditJsonLines,
} from './export';
import type { FhirAuditEvent } from './export';
import { createAuditLog } from './log';
import { leafHash } from './merkle';
import type { AuditEntry } from './record';
import { openAuditDatabase, sampleEntry } from './test-fixture';

const tempDir = useTempDirs();

function loggedDay(extra: AuditEntry[] = []) {
  const { db } = openAuditDatabase(tempDir());
  const clock = frozenClock(Date.UTC(2026, 10, 23, 10));
  const log = createAuditLog({ db, clock });
  const entries = [...Array.from({ length: 40 }, (_, n) => sampleEntry(n)), ...extra];
  for (const entry of entries) {
    db.transaction(() => log.append(entry))();
    clock.advance(1000);
  }
  return { db, log, clock };
}

const base: AuditEntry = {
  actor: 'dr.lee',
  role: 'engineer',
  sessionId: 'bg-1',
  action: 'breakglass.open',
  target: null,
  outcome: 'success',
  reason: 'infusion pump alarm in ICU bed 4, engineer unavailable',
  emergency: true,
  details: {},
};

describe('JSON lines export', () => {
  it('writes each record as its leaf bytes and ends with the checkpoint that covers them', () => {
    const { db, log } = loggedDay();
    const checkpoint = log.checkpoint();
    const key = log.signingKey().verifierKey;
    const text = [...auditJsonLines(log, checkpoint, key)].join('');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(41);
    expect(JSON.parse(lines[40]!)).toEqual({ checkpoint: checkpoint.note, verifierKey: key });
    const stored = db
      .prepare('SELECT leaf_hash FROM audit_records WHERE sequence = 7')
      .pluck()
      .get();
    expect(leafHash(lines[6]!)).toEqual(stored);
    expect(verifyAuditJsonLines(text, key)).toEqual({
      ok: true,
      size: 40,
      root: checkpoint.rootHash,
      checkpointTime: checkpoint.time,
    });
  });

  it('exports only up to the checkpoint even when the log has grown since', () => {
    const { db, log } = loggedDay();
    const checkpoint = log.checkpoint();
    db.transaction(() => log.append(sampleEntry(99)))();
    const text = [...auditJsonLines(log, checkpoint, log.signingKey().verifierKey)].join('');
    expect(text.trimEnd().split('\n')).toHaveLength(41);
    expect(verifyAuditJsonLines(text, log.signingKey().verifierKey).ok).toBe(true);
  });

  it('names the first bad line of a doctored export', () => {
    const { log } = loggedDay();
    const key = log.signingKey().verifierKey;
    const lines = [...auditJsonLines(log, log.checkpoint(), key)];
    const edited = [...lines];
    edited[11] = edited[11]!
      .replace('"outcome":"success"', '"outcome":"failure"')
      .replace('"outcome":"denied"', '"outcome":"success"');
    expect(edited[11]).not.toBe(lines[11]);
    expect(verifyAuditJsonLines(edited.join(''), key)).toMatchObject({ ok: false, line: null });
    const dropped = [...lines.slice(0, 5), ...lines.slice(6)].join('');
    expect(verifyAuditJsonLines(dropped, key)).toMatchObject({ ok: false, line: 6 });
    const spaced = [...lines];
    spaced[2] = spaced[2]!.replace('{"action"', '{ "action"');
    expect(verifyAuditJsonLines(spaced.join(''), key)).toMatchObject({ ok: false, line: 3 });
    const other = loggedDay().log.signingKey().verifierKey;
    expect(verifyAuditJsonLines(lines.join(''), other)).toMatchObject({ ok: false, line: 41 });
  });
});

/** The R4 AuditEvent elements this export writes, checked for presence, type and cardinality. */
function expectValidAuditEvent(event: FhirAuditEvent): void {
  const isCoding = (coding: { system: string; code: string; display: string }) => {
    expect(coding.system).toMatch(/^(https?|urn):/);
    expect(coding.code).toMatch(/^\S+$/);
    expect(typeof coding.display).toBe('string');
  };
  expect(event.resourceType).toBe('AuditEvent');
  expect(event.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
  isCoding(event.type); // 1..1
  event.subtype.forEach(isCoding);
  expect(['C', 'R', 'U', 'D', 'E']).toContain(event.action);
  expect(event.recorded).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/); // instant
  expect(['0', '4', '8', '12']).toContain(event.outcome);
  expect(event.agent.length).toBeGreaterThanOrEqual(1); // 1..*
  for (const agent of event.agent) {
    expect(typeof agent.requestor).toBe('boolean'); // 1..1
    agent.type.coding.forEach(isCoding);
    expect(agent.who.display.length).toBeGreaterThan(0);
    agent.role?.forEach((role) => role.coding.forEach(isCoding));
    agent.purposeOfUse?.forEach((purpose) => purpose.coding.forEach(isCoding));
  }
  expect(event.source.observer.display.length).toBeGreaterThan(0); // source 1..1, observer 1..1
  for (const entity of event.entity) {
    expect('query' in entity).toBe(false); // sev-1: name or query, not both
    isCoding(entity.type);
    for (const detail of entity.detail) {
      expect(typeof detail.type).toBe('string'); // 1..1
      expect(
        Number(detail.valueString !== undefined) + Number(detail.valueBase64Binary !== undefined),
      ).toBe(1);
    }
  }
  // No element is an empty string, array or object: FHIR forbids empty values.
  const walk = (value: unknown): void => {
    if (typeof value === 'string') expect(value.length).toBeGreaterThan(0);
    else if (Array.isArray(value)) {
      expect(value.length).toBeGreaterThan(0);
      value.forEach(walk);
    } else if (value && typeof value === 'object') {
      expect(Object.keys(value).length).toBeGreaterThan(0);
      Object.values(value).forEach(walk);
    }
  };
  walk(event);
}

describe('FHIR R4 AuditEvent export', () => {
  it('writes a collection Bundle of valid AuditEvents, one per record, with stable ids', () => {
    const { log } = loggedDay();
    const origin = log.signingKey().name;
    const bundle = fhirAuditBundle(log.recordTexts(), origin, '2026-11-23T12:00:00.000Z');
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(bundle.entry).toHaveLength(40);
    for (const entry of bundle.entry!) {
      expect(entry.fullUrl).toBe(`urn:uuid:${entry.resource.id}`);
      expectValidAuditEvent(entry.resource);
    }
    expect(new Set(bundle.entry!.map((entry) => entry.resource.id)).size).toBe(40);
    const first = [...log.recordTexts(1, 1)][0]!;
    expect(JSON.parse(fhirAuditEventEntry(first, origin))).toEqual(bundle.entry![0]);
    expect(fhirAuditBundle([], origin, '2026-11-23T12:00:00.000Z')).not.toHaveProperty('entry');
  });

  it('codes break-glass with DICOM emergency override and ETREAT/BTG purpose of use', () => {
    const { log } = loggedDay([
      base,
      {
        ...base,
        action: 'device.update',
        target: 'device:7',
        reason: null,
        details: { field: 'room' },
      },
      { ...base, action: 'breakglass.close', reason: null },
      {
        ...base,
        action: 'breakglass.review',
        actor: 'admin',
        role: 'administrator',
        sessionId: 's-9',
        emergency: false,
        reason: null,
      },
    ]);
    const origin = log.signingKey().name;
    const events = fhirAuditBundle(
      log.recordTexts(41),
      origin,
      '2026-11-23T12:00:00.000Z',
    ).entry!.map((entry) => entry.resource);
    const [open, update, close, review] = events as [
      FhirAuditEvent,
      FhirAuditEvent,
      FhirAuditEvent,
      FhirAuditEvent,
    ];
    expect(open.type).toEqual({ system: dicomSystem, code: '110113', display: 'Security Alert' });
    expect(open.subtype[0]).toEqual({
      system: dicomSystem,
      code: '110127',
      display: 'Emergency Override Started',
    });
    expect(close.subtype[0]).toEqual({
      system: dicomSystem,
      code: '110138',
      display: 'Emergency Override Stopped',
    });
    expect(open.outcomeDesc).toBe(base.reason);
    for (const event of [open, update, close]) {
      const codes = event.purposeOfEvent![0]!.coding.map(
        (coding) => `${coding.system}|${coding.code}`,
      );
      expect(codes).toEqual([`${actReasonSystem}|ETREAT`, `${actReasonSystem}|BTG`]);
      expect(event.agent[0]!.purposeOfUse).toEqual(event.purposeOfEvent);
      expect(event.agent[0]).toMatchObject({
        who: { display: 'dr.lee' },
        requestor: true,
        altId: 'bg-1',
      });
    }
    expect(update).toMatchObject({
      action: 'U',
      type: { code: '110113' },
      subtype: [{ code: '110130' }, { code: 'device.update' }],
    });
    expect(update.entity[0]!.what).toEqual({ display: 'device:7' });
    expect(review).not.toHaveProperty('purposeOfEvent');
    expect(review.type.code).toBe('110101');
    expect(review.agent[0]!.role![0]!.text).toBe('administrator');
  });

  it('maps actions to DICOM event types, CRUDE action codes and outcomes', () => {
    expect(dicomEventType('auth.login')).toMatchObject({
      type: { code: '110114' },
      subtype: { code: '110122' },
    });
    expect(dicomEventType('session.lock')).toMatchObject({
      type: { code: '110114' },
      subtype: { code: '110123' },
    });
    expect(dicomEventType('auth.stepup')).toMatchObject({
      type: { code: '110114' },
      subtype: { code: '110122' },
    });
    expect(dicomEventType('account.role.change')).toMatchObject({ subtype: { code: '110136' } });
    expect(dicomEventType('account.disable')).toMatchObject({ subtype: { code: '110137' } });
    expect(dicomEventType('pki.certificate.revoke')).toMatchObject({ subtype: { code: '110129' } });
    expect(dicomEventType('policy.update')).toMatchObject({ subtype: { code: '110128' } });
    expect(dicomEventType('device.firmware.update')).toMatchObject({ subtype: { code: '110131' } });
    expect(dicomEventType('inventory.import')).toMatchObject({
      type: { code: '110107' },
      subtype: null,
    });
    expect(dicomEventType('audit.export')).toMatchObject({ type: { code: '110106' } });
    expect(fhirActionCode('device.create')).toBe('C');
    expect(fhirActionCode('inventory.export')).toBe('R');
    expect(fhirActionCode('pki.certificate.revoke')).toBe('U');
    expect(fhirActionCode('device.decommission')).toBe('D');
    expect(fhirActionCode('auth.login')).toBe('E');
    const { log } = loggedDay();
    const outcomes = fhirAuditBundle(
      log.recordTexts(1, 5),
      'o',
      '2026-11-23T12:00:00.000Z',
    ).entry!.map((entry) => `${entry.resource.outcome}`);
    // sampleEntry cycles success, success, success, failure, denied.
    expect(outcomes).toEqual(['0', '0', '0', '8', '4']);
  });
});
