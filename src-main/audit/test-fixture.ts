// For the audit tests only: a real encrypted database with the audit migration applied, and
// varied entries. Keys are generated per run; nothing here is shipped code's business.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { applyMigrationForTest } from '../../test/support/schema';
import type { SqliteDatabase } from '../store/database';
import { openDatabase } from '../store/database';
import * as auditMigration from '../store/migrations/0003-audit';
import type { AuditEntry } from './record';

export interface AuditDatabase {
  db: SqliteDatabase;
  file: string;
  key: Buffer;
}

export function openAuditDatabase(dir: string, name = 'wardkeep.db'): AuditDatabase {
  const file = join(dir, name);
  const key = randomBytes(32);
  const db = openDatabase(file, key);
  applyMigrationForTest(db, auditMigration);
  return { db, file, key };
}

const actions = [
  'auth.login',
  'auth.login',
  'session.start',
  'device.update',
  'device.create',
  'pki.certificate.issue',
  'policy.update',
  'account.role.change',
  'breakglass.open',
  'session.end',
];
const outcomes = ['success', 'success', 'success', 'failure', 'denied'] as const;

/** A deterministic, varied entry: the n-th of a plausible day at the console. */
export function sampleEntry(n: number): AuditEntry {
  const action = actions[n % actions.length]!;
  const anonymous = action === 'auth.login' && n % 4 === 1;
  return {
    actor: anonymous ? null : `user${n % 7}`,
    role: anonymous ? null : n % 3 === 0 ? 'administrator' : 'engineer',
    sessionId: anonymous ? null : `session-${Math.floor(n / 5)}`,
    action,
    target: action.startsWith('device') ? `device:${1000 + (n % 97)}` : null,
    outcome: outcomes[n % outcomes.length]!,
    reason: action === 'breakglass.open' ? `patient deteriorating, bed ${n % 12}` : null,
    emergency: n % 11 === 0,
    details: action.startsWith('device')
      ? { field: 'firmwareVersion', from: `1.${n % 5}.0`, to: `1.${(n % 5) + 1}.0`, n }
      : { n, note: n % 13 === 0 ? 'Ünïcode — 患者 🩺' : 'plain' },
  };
}
