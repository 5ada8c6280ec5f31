import { describe, expect, it } from 'vitest';
import type { ExceptionDraft, ExceptionRecord } from './exceptions';
import {
  addDays,
  controlLines,
  exceptionDeviceName,
  exceptionDraftProblems,
  exceptionOrder,
  exceptionRequest,
  exceptionSubjectText,
  reviewWords,
} from './exceptions';

function exception(id: string, change: Partial<ExceptionRecord> = {}): ExceptionRecord {
  return {
    id,
    deviceUid: `dev-${id}`,
    device: null,
    risk: 'no device identity on the network',
    compensatingControls: ['restricted zone'],
    zoneId: 'legacy',
    owner: 'Head of clinical engineering',
    reviewDate: '2027-01-01',
    createdBy: 'eng.smith',
    createdAt: '2026-11-01T10:00:00Z',
    reviewedBy: null,
    reviewedAt: null,
    reviewNote: null,
    status: 'active',
    revokedBy: null,
    revokedAt: null,
    revocationReason: null,
    overdue: false,
    daysUntilReview: 39,
    ...change,
  };
}

const today = '2026-11-23';
const draft: ExceptionDraft = {
  deviceUid: 'dev-1',
  risk: ' Cannot authenticate to the network ',
  controls: 'Restricted zone\n\n  Flows monitored  \r\n',
  zoneId: '',
  owner: 'Head of clinical engineering',
  reviewDate: '2027-05-01',
};

describe('exceptionOrder', () => {
  it('lists overdue reviews first, then the others by review date, revoked last', () => {
    const ordered = exceptionOrder([
      exception('a', { reviewDate: '2027-02-01' }),
      exception('b', { status: 'revoked', reviewDate: '2026-01-01' }),
      exception('c', { overdue: true, reviewDate: '2026-11-01', daysUntilReview: -22 }),
      exception('d', { reviewDate: '2026-12-01' }),
      exception('e', { overdue: true, reviewDate: '2026-10-01', daysUntilReview: -53 }),
    ]);
    expect(ordered.map((record) => record.id)).toEqual(['e', 'c', 'd', 'a', 'b']);
  });

  it('words the due date', () => {
    expect(reviewWords(exception('a', { daysUntilReview: -1, overdue: true }))).toBe(
      'Overdue by 1 day',
    );
    expect(reviewWords(exception('a', { daysUntilReview: -9, overdue: true }))).toBe(
      'Overdue by 9 days',
    );
    expect(reviewWords(exception('a', { daysUntilReview: 0 }))).toBe('Due today');
    expect(reviewWords(exception('a', { daysUntilReview: 1 }))).toBe('Due in 1 day');
    expect(reviewWords(exception('a', { status: 'revoked' }))).toBe('Revoked');
  });
});

describe('a new exception', () => {
  it('sends trimmed fields, one control per non-blank line, and no zone when none is named', () => {
    expect(exceptionDraftProblems(draft, today)).toEqual({});
    expect(exceptionRequest(draft)).toEqual({
      deviceUid: 'dev-1',
      risk: 'Cannot authenticate to the network',
      compensatingControls: ['Restricted zone', 'Flows monitored'],
      zoneId: null,
      owner: 'Head of clinical engineering',
      reviewDate: '2027-05-01',
    });
    expect(controlLines(' \n ')).toEqual([]);
  });

  it('names every missing field', () => {
    const problems = exceptionDraftProblems(
      { deviceUid: '', risk: ' ', controls: '', zoneId: '', owner: '', reviewDate: '1.5.2027' },
      today,
    );
    expect(Object.keys(problems).sort()).toEqual([
      'controls',
      'deviceUid',
      'owner',
      'reviewDate',
      'risk',
    ]);
  });

  it('wants a review date after today and at most a year ahead, as main does', () => {
    expect(exceptionDraftProblems({ ...draft, reviewDate: today }, today).reviewDate).toBe(
      'the review date must be after today',
    );
    expect(addDays(today, 366)).toBe('2027-11-24');
    expect(exceptionDraftProblems({ ...draft, reviewDate: '2027-11-24' }, today)).toEqual({});
    expect(
      exceptionDraftProblems({ ...draft, reviewDate: '2027-11-25' }, today).reviewDate,
    ).toContain('on or before 2027-11-24');
  });

  it('refuses more than twenty controls', () => {
    const controls = Array.from({ length: 21 }, (_, index) => `control ${index}`).join('\n');
    expect(exceptionDraftProblems({ ...draft, controls }, today).controls).toBe(
      'at most 20 controls, one per line',
    );
  });
});

describe('naming the device', () => {
  it('names the device of an exception, or its inventory id when the record is gone', () => {
    const device = {
      manufacturer: 'OldCo Medical',
      model: 'Volumat 1',
      serialNumber: 'VOL-1',
      assetTag: null,
      lifecycleState: 'in_service' as const,
    };
    expect(exceptionDeviceName(exception('1', { device }))).toBe(
      'OldCo Medical Volumat 1 · serial VOL-1',
    );
    expect(exceptionDeviceName(exception('2'))).toBe('dev-2');
  });

  it('says which refused device the form is for, and how to find one that could not identify itself', () => {
    expect(
      exceptionSubjectText({
        deviceUid: null,
        manufacturer: 'OldCo Medical',
        model: 'Volumat 1',
        serialNumber: 'VOL-1',
        attemptId: 'attempt-1',
      }),
    ).toBe(
      'For OldCo Medical Volumat 1, serial VOL-1, refused at provisioning because it cannot hold a certificate.',
    );
    const unknown = exceptionSubjectText({
      deviceUid: null,
      manufacturer: null,
      model: null,
      serialNumber: null,
      attemptId: 'attempt-2',
    });
    expect(unknown).toMatch(/^For the device refused at provisioning because it cannot hold/);
    expect(unknown).toContain('find its inventory record by the serial number or asset tag');
  });
});
