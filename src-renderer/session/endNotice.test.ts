import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../src-preload/contract';
import { sessionEndReasons } from '../../src-preload/contract';
import { lockedUsernameAfter, sessionEndNotice } from './endNotice';

const minute = 60_000;
const session: SessionInfo = {
  user: { username: 'ana', role: 'administrator' },
  startedAtMs: 0,
  expiresAtMs: 480 * minute,
  idleLimitMs: 15 * minute,
  lastActivityMs: 20 * minute,
  stepUpUntilMs: null,
  emergency: null,
};
const emergency: SessionInfo = {
  ...session,
  user: { username: 'Dr. Night', role: 'engineer' },
  emergency: { id: 3, openedBy: 'Dr. Night', reason: 'patient_care', endsAtMs: 60 * minute },
};

describe('sessionEndNotice', () => {
  it('has a plain message for every reason main sends', () => {
    for (const reason of sessionEndReasons) {
      expect(sessionEndNotice(reason, session).length).toBeGreaterThan(10);
    }
  });

  it('names the idle limit when the session ended for inactivity', () => {
    expect(sessionEndNotice('expired', session)).toBe(
      'Locked after 15 min without activity. Sign in again to continue.',
    );
  });

  it('names the absolute limit when that came first', () => {
    expect(sessionEndNotice('expired', { ...session, lastActivityMs: 470 * minute })).toContain(
      'limit of 8 h',
    );
  });

  it('says an emergency session will be reviewed', () => {
    expect(sessionEndNotice('expired', emergency)).toContain('review');
  });
});

describe('lockedUsernameAfter', () => {
  it('keeps the same user for an idle lock', () => {
    expect(lockedUsernameAfter('expired', session)).toBe('ana');
  });

  it('lets anyone sign in after an emergency session or a disabled account', () => {
    expect(lockedUsernameAfter('logout', emergency)).toBeNull();
    expect(lockedUsernameAfter('disabled', session)).toBeNull();
    expect(lockedUsernameAfter('required', null)).toBeNull();
  });
});
