// Documented exceptions for legacy devices that cannot hold a certificate: the risk accepted, the
// compensating controls (a restricted zone, monitoring, ...), who owns the risk and when it is
// reviewed next. At most one exception is in force per device; every change is written with its
// audit record in one transaction, and an exception is revoked, never deleted. The list is sorted
// by review date so the overdue ones come first.
import type { DeviceRecord } from '../../src-preload/contract';
import type { Clock } from '../lib/clock';
import { fail } from '../lib/errors';
import type { IdGenerator } from '../lib/ids';
import type { SqliteDatabase } from '../store/database';
import type { AuditedRunner, SessionNetwork } from './session';

/** An exception is reviewed at least once a year. */
export const maxReviewIntervalDays = 366;
export const maxControls = 20;

const dayMs = 24 * 60 * 60 * 1000;

export interface ExceptionInput {
  deviceUid: string;
  /** The risk accepted, in words: what could happen because the device has no certificate. */
  risk: string;
  /** What limits that risk: segmentation, monitoring, physical access, ... (at least one). */
  compensatingControls: string[];
  /** The restricted zone the device is kept in; assigned in the network policy when given. */
  zoneId?: string | null;
  /** The person or role who owns the risk. */
  owner: string;
  /** YYYY-MM-DD: after today, at most a year ahead. */
  reviewDate: string;
}

export interface ExceptionRecord {
  id: string;
  deviceUid: string;
  /** The device as the inventory holds it now (null if it cannot be read). */
  device: Pick<
    DeviceRecord,
    'manufacturer' | 'model' | 'serialNumber' | 'assetTag' | 'lifecycleState'
  > | null;
  risk: string;
  compensatingControls: string[];
  zoneId: string | null;
  owner: string;
  reviewDate: string;
  createdBy: string;
  createdAt: string;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
  status: 'active' | 'revoked';
  revokedBy: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
  /** Active and its review date has passed. */
  overdue: boolean;
  /** Days from today (UTC) to the review date; negative when overdue. */
  daysUntilReview: number;
}

export interface ExceptionFilter {
  /** Revoked exceptions too (after the active ones). Default false. */
  includeRevoked?: boolean;
  deviceUid?: string;
}

export interface ExceptionRegistry {
  /** Refuses (input.invalid) a second active exception for the device; not_found for no device. */
  create(input: ExceptionInput, actor: string): ExceptionRecord;
  /** Records a review: the next review date and what was found. */
  review(id: string, input: { reviewDate: string; note: string }, actor: string): ExceptionRecord;
  revoke(id: string, reason: string, actor: string): ExceptionRecord;
  get(id: string): ExceptionRecord;
  /** The active exception of a device, if any. */
  forDevice(deviceUid: string): ExceptionRecord | null;
  /** Active ones by review date (soonest, so overdue, first), then revoked ones if asked. */
  list(filter?: ExceptionFilter): ExceptionRecord[];
}

export interface ExceptionDependencies {
  db: SqliteDatabase;
  clock: Clock;
  ids: IdGenerator;
  audit: AuditedRunner;
  /** When given, a zone must exist in the policy and the device is assigned to it. */
  network?: SessionNetwork;
}

interface ExceptionRow {
  uid: string;
  device_uid: string;
  risk: string;
  controls_json: string;
  zone_id: string | null;
  owner: string;
  review_date: string;
  created_by: string;
  created_at_ms: number;
  reviewed_by: string | null;
  reviewed_at_ms: number | null;
  review_note: string | null;
  revoked_by: string | null;
  revoked_at_ms: number | null;
  revocation_reason: string | null;
  manufacturer: string | null;
  model: string | null;
  serial_number: string | null;
  asset_tag: string | null;
  lifecycle_state: DeviceRecord['lifecycleState'] | null;
}

const controlCharacter = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

function text(value: unknown, field: string, maxLength: number, multiline = false): string {
  if (typeof value !== 'string') fail('input.invalid', `${field} must be text`, { field });
  const trimmed = value.normalize('NFC').trim();
  if (trimmed.length === 0) fail('input.invalid', `${field} is empty`, { field });
  if (trimmed.length > maxLength) {
    fail('input.invalid', `${field} is longer than ${maxLength} characters`, { field });
  }
  const checked = multiline ? trimmed.replace(/\r?\n/g, ' ') : trimmed;
  const found = controlCharacter.exec(checked);
  if (found) {
    fail(
      'input.invalid',
      `${field} contains the control or direction character U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at position ${found.index + 1}`,
      { field },
    );
  }
  return trimmed;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / dayMs);
}

/** A real calendar date, after today and at most maxReviewIntervalDays ahead. */
function reviewDate(value: unknown, nowMs: number): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    fail('input.invalid', 'reviewDate must be a date YYYY-MM-DD', { field: 'reviewDate' });
  }
  const parsed = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed) || utcDay(parsed) !== value) {
    fail('input.invalid', `reviewDate ${value} is not a calendar date`, { field: 'reviewDate' });
  }
  const ahead = dayNumber(value) - dayNumber(utcDay(nowMs));
  if (ahead < 1) {
    fail('input.invalid', `reviewDate ${value} is not after today (${utcDay(nowMs)})`, {
      field: 'reviewDate',
    });
  }
  if (ahead > maxReviewIntervalDays) {
    fail(
      'input.invalid',
      `reviewDate ${value} is more than ${maxReviewIntervalDays} days ahead: an exception is reviewed at least once a year`,
      { field: 'reviewDate' },
    );
  }
  return value;
}

function controls(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail('input.invalid', 'compensatingControls must list at least one control', {
      field: 'compensatingControls',
    });
  }
  if (value.length > maxControls) {
    fail('input.invalid', `compensatingControls lists more than ${maxControls} controls`, {
      field: 'compensatingControls',
    });
  }
  return value.map((entry, index) => text(entry, `compensatingControls[${index}]`, 500));
}

export function createExceptionRegistry(dependencies: ExceptionDependencies): ExceptionRegistry {
  const { db, clock, ids, audit, network } = dependencies;
  const columns = `e.*, d.manufacturer, d.model, d.serial_number, d.asset_tag, d.lifecycle_state`;
  const from = 'provisioning_exceptions e LEFT JOIN devices d ON d.uid = e.device_uid';
  const statements = {
    byUid: db.prepare<[string], ExceptionRow>(`SELECT ${columns} FROM ${from} WHERE e.uid = ?`),
    activeOfDevice: db.prepare<[string], ExceptionRow>(
      `SELECT ${columns} FROM ${from} WHERE e.device_uid = ? AND e.revoked_at_ms IS NULL`,
    ),
    active: db.prepare<[], ExceptionRow>(
      `SELECT ${columns} FROM ${from} WHERE e.revoked_at_ms IS NULL ORDER BY e.review_date, e.id`,
    ),
    revoked: db.prepare<[], ExceptionRow>(
      `SELECT ${columns} FROM ${from} WHERE e.revoked_at_ms IS NOT NULL
       ORDER BY e.revoked_at_ms DESC, e.id DESC`,
    ),
    deviceExists: db.prepare<[string], { uid: string }>('SELECT uid FROM devices WHERE uid = ?'),
    insert: db.prepare(
      `INSERT INTO provisioning_exceptions (uid, device_uid, risk, controls_json, zone_id, owner,
         review_date, created_by, created_at_ms)
       VALUES (@uid, @device_uid, @risk, @controls_json, @zone_id, @owner, @review_date,
         @created_by, @created_at_ms)`,
    ),
    review: db.prepare(
      `UPDATE provisioning_exceptions SET review_date = ?, reviewed_by = ?, reviewed_at_ms = ?,
         review_note = ? WHERE uid = ?`,
    ),
    revoke: db.prepare(
      `UPDATE provisioning_exceptions SET revoked_by = ?, revoked_at_ms = ?, revocation_reason = ?
       WHERE uid = ?`,
    ),
  };

  function toRecord(row: ExceptionRow): ExceptionRecord {
    const revoked = row.revoked_at_ms !== null;
    const days = dayNumber(row.review_date) - dayNumber(utcDay(clock.nowMs()));
    return {
      id: row.uid,
      deviceUid: row.device_uid,
      device:
        row.manufacturer === null
          ? null
          : {
              manufacturer: row.manufacturer,
              model: row.model ?? '',
              serialNumber: row.serial_number ?? '',
              assetTag: row.asset_tag,
              lifecycleState: row.lifecycle_state ?? 'received',
            },
      risk: row.risk,
      compensatingControls: JSON.parse(row.controls_json) as string[],
      zoneId: row.zone_id,
      owner: row.owner,
      reviewDate: row.review_date,
      createdBy: row.created_by,
      createdAt: new Date(row.created_at_ms).toISOString(),
      reviewedBy: row.reviewed_by,
      reviewedAt: row.reviewed_at_ms === null ? null : new Date(row.reviewed_at_ms).toISOString(),
      reviewNote: row.review_note,
      status: revoked ? 'revoked' : 'active',
      revokedBy: row.revoked_by,
      revokedAt: row.revoked_at_ms === null ? null : new Date(row.revoked_at_ms).toISOString(),
      revocationReason: row.revocation_reason,
      overdue: !revoked && days < 0,
      daysUntilReview: days,
    };
  }

  function requireRow(id: string): ExceptionRow {
    const row = statements.byUid.get(String(id));
    if (!row) fail('not_found', `no exception has id ${String(id)}`, { id });
    return row;
  }

  function requireActive(id: string): ExceptionRow {
    const row = requireRow(id);
    if (row.revoked_at_ms !== null) {
      fail('input.invalid', `exception ${row.uid} was revoked; make a new one`, { id: row.uid });
    }
    return row;
  }

  function checkZone(zoneId: unknown): string | null {
    if (zoneId === undefined || zoneId === null) return null;
    const id = text(zoneId, 'zoneId', 63);
    if (network && !network.current().policy.zones.some((zone) => zone.id === id)) {
      fail('input.invalid', `the network policy has no zone "${id}"`, { field: 'zoneId' });
    }
    return id;
  }

  return {
    create(input, actor) {
      const nowMs = clock.nowMs();
      const deviceUid = text(input?.deviceUid, 'deviceUid', 200);
      const checked = {
        risk: text(input.risk, 'risk', 2000, true),
        controls: controls(input.compensatingControls),
        zoneId: checkZone(input.zoneId),
        owner: text(input.owner, 'owner', 200),
        reviewDate: reviewDate(input.reviewDate, nowMs),
        actor: text(actor, 'actor', 200),
      };
      let id = '';
      return audit(
        (record: ExceptionRecord) => ({
          action: 'provision.exception.create',
          target: `device:${record.deviceUid}`,
          outcome: 'success',
          reason: record.risk,
          details: {
            exceptionId: record.id,
            owner: record.owner,
            reviewDate: record.reviewDate,
            compensatingControls: record.compensatingControls,
            zoneId: record.zoneId,
          },
        }),
        () => {
          if (!statements.deviceExists.get(deviceUid)) {
            fail('not_found', `no device has uid ${deviceUid}`, { field: 'deviceUid' });
          }
          const current = statements.activeOfDevice.get(deviceUid);
          if (current) {
            fail(
              'input.invalid',
              `device ${deviceUid} already has an exception in force (${current.uid}, review ${current.review_date}); review or revoke it`,
              { field: 'deviceUid', exceptionId: current.uid },
            );
          }
          id = ids.next();
          statements.insert.run({
            uid: id,
            device_uid: deviceUid,
            risk: checked.risk,
            controls_json: JSON.stringify(checked.controls),
            zone_id: checked.zoneId,
            owner: checked.owner,
            review_date: checked.reviewDate,
            created_by: checked.actor,
            created_at_ms: nowMs,
          });
          if (network && checked.zoneId !== null) {
            if (network.current().assignments[deviceUid] !== checked.zoneId) {
              network.assignDevice(deviceUid, checked.zoneId, {
                actor: checked.actor,
                reason: `documented exception ${id}: a device that cannot hold a certificate is kept in a restricted zone`,
              });
            }
          }
          return toRecord(requireRow(id));
        },
      );
    },

    review(id, input, actor) {
      const nowMs = clock.nowMs();
      const next = reviewDate(input?.reviewDate, nowMs);
      const note = text(input.note, 'note', 2000, true);
      const who = text(actor, 'actor', 200);
      return audit(
        (record: ExceptionRecord) => ({
          action: 'provision.exception.review',
          target: `device:${record.deviceUid}`,
          outcome: 'success',
          reason: note,
          details: { exceptionId: record.id, reviewDate: record.reviewDate },
        }),
        () => {
          const row = requireActive(id);
          statements.review.run(next, who, nowMs, note, row.uid);
          return toRecord(requireRow(row.uid));
        },
      );
    },

    revoke(id, reason, actor) {
      const nowMs = clock.nowMs();
      const why = text(reason, 'reason', 2000, true);
      const who = text(actor, 'actor', 200);
      return audit(
        (record: ExceptionRecord) => ({
          action: 'provision.exception.revoke',
          target: `device:${record.deviceUid}`,
          outcome: 'success',
          reason: why,
          details: { exceptionId: record.id },
        }),
        () => {
          const row = requireActive(id);
          statements.revoke.run(who, nowMs, why, row.uid);
          return toRecord(requireRow(row.uid));
        },
      );
    },

    get: (id) => toRecord(requireRow(id)),

    forDevice(deviceUid) {
      const row = statements.activeOfDevice.get(String(deviceUid));
      return row ? toRecord(row) : null;
    },

    list(filter = {}) {
      const rows = [
        ...statements.active.all(),
        ...(filter.includeRevoked ? statements.revoked.all() : []),
      ];
      return rows
        .filter((row) => filter.deviceUid === undefined || row.device_uid === filter.deviceUid)
        .map(toRecord);
    },
  };
}
