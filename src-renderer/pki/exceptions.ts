// Legacy-device exceptions as the certificates view lists and writes them: overdue reviews first,
// the words for a due date, and the checks of a new exception before it is sent. Pure.
// Invariant: an active overdue exception always sorts before every exception that is not overdue,
// and revoked ones come last, so nothing overdue hides below the fold.
import type { RequestOf, ResultOf } from '../../src-preload/contract';

export type ExceptionRecord = ResultOf<'provision:exceptions'>[number];
export type ExceptionInput = RequestOf<'provision:exception-create'>;

/**
 * A device a refusal suggested an exception for: the form starts from it. Each field is null when
 * the device did not report it (a legacy device cannot even identify itself).
 */
export interface ExceptionSubject {
  deviceUid: string | null;
  manufacturer: string | null;
  model: string | null;
  serialNumber: string | null;
  /** The provisioning attempt that was refused: one form per refusal. */
  attemptId: string;
}

/** "OldCo Medical Volumat 1 · serial VOL-1", or the inventory id of a device no longer listed. */
export function exceptionDeviceName(record: ExceptionRecord): string {
  const device = record.device;
  if (device === null) return record.deviceUid;
  return `${device.manufacturer} ${device.model} · serial ${device.serialNumber}`;
}

/** What the exception form says of the device a provisioning refusal was about. */
export function exceptionSubjectText(subject: ExceptionSubject): string {
  const name = [subject.manufacturer, subject.model].filter((part) => part !== null).join(' ');
  if (subject.serialNumber !== null) {
    return `For ${name === '' ? 'the device' : name}, serial ${subject.serialNumber}, refused at provisioning because it cannot hold a certificate.`;
  }
  return `For ${name === '' ? 'the device' : name} refused at provisioning because it cannot hold a certificate. It could not identify itself over the serial line: find its inventory record by the serial number or asset tag on its label.`;
}

/** Main's review limit: an exception is reviewed at least once a year. */
export const maximumReviewDays = 366;

function rank(record: ExceptionRecord): number {
  if (record.status === 'revoked') return 2;
  return record.overdue ? 0 : 1;
}

export function exceptionOrder(records: readonly ExceptionRecord[]): ExceptionRecord[] {
  return [...records].sort(
    (left, right) =>
      rank(left) - rank(right) ||
      left.reviewDate.localeCompare(right.reviewDate) ||
      left.id.localeCompare(right.id),
  );
}

/** "Overdue by 3 days", "Due today", "Due in 1 day", "Revoked". */
export function reviewWords(record: ExceptionRecord): string {
  if (record.status === 'revoked') return 'Revoked';
  const days = record.daysUntilReview;
  if (days < 0) return `Overdue by ${-days} ${days === -1 ? 'day' : 'days'}`;
  if (days === 0) return 'Due today';
  return `Due in ${days} ${days === 1 ? 'day' : 'days'}`;
}

/** Compensating controls typed one per line: trimmed, blanks dropped. */
export function controlLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** YYYY-MM-DD plus `days`, in UTC. */
export function addDays(isoDate: string, days: number): string {
  const atMs = Date.parse(`${isoDate}T00:00:00Z`);
  return new Date(atMs + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

export interface ExceptionDraft {
  deviceUid: string;
  risk: string;
  controls: string;
  zoneId: string;
  owner: string;
  reviewDate: string;
}

export type ExceptionDraftProblems = Partial<Record<keyof ExceptionDraft, string>>;

/** What is missing or out of range, by field; empty when the draft can be sent. */
export function exceptionDraftProblems(
  draft: ExceptionDraft,
  todayIso: string,
): ExceptionDraftProblems {
  const problems: ExceptionDraftProblems = {};
  if (draft.deviceUid.trim() === '') problems.deviceUid = 'choose the device from the inventory';
  if (draft.risk.trim() === '') problems.risk = 'describe the risk that is accepted';
  const controls = controlLines(draft.controls);
  if (controls.length === 0) problems.controls = 'name at least one compensating control';
  else if (controls.length > 20) problems.controls = 'at most 20 controls, one per line';
  if (draft.owner.trim() === '') problems.owner = 'name who owns the risk';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.reviewDate)) {
    problems.reviewDate = 'a date as YYYY-MM-DD';
  } else if (draft.reviewDate <= todayIso) {
    problems.reviewDate = 'the review date must be after today';
  } else if (draft.reviewDate > addDays(todayIso, maximumReviewDays)) {
    problems.reviewDate = `review at least once a year: on or before ${addDays(todayIso, maximumReviewDays)}`;
  }
  return problems;
}

/** The request for `provision:exception-create`; call only when there are no problems. */
export function exceptionRequest(draft: ExceptionDraft): ExceptionInput {
  return {
    deviceUid: draft.deviceUid.trim(),
    risk: draft.risk.trim(),
    compensatingControls: controlLines(draft.controls),
    zoneId: draft.zoneId.trim() === '' ? null : draft.zoneId.trim(),
    owner: draft.owner.trim(),
    reviewDate: draft.reviewDate,
  };
}
