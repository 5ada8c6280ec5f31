import { describe, expect, it } from 'vitest';
import {
  conflictSentence,
  describeVersionKind,
  latestVersion,
  policyConflictOf,
  versionRows,
} from './policyVersions';
import type { PolicyVersionRecord } from './types';

function version(
  number: number,
  kind: PolicyVersionRecord['kind'],
  revertedTo: number | null = null,
): PolicyVersionRecord {
  return {
    version: number,
    at: `2026-11-2${number}T09:00:00.000Z`,
    actor: 'net.eng',
    reason: `reason ${number}`,
    kind,
    revertedTo,
    changeCount: number,
  };
}

describe('versionRows', () => {
  it('lists the newest first and offers a revert to every earlier version only', () => {
    const rows = versionRows([version(1, 'import'), version(3, 'revert', 1), version(2, 'draft')]);
    expect(rows.map((row) => [row.record.version, row.current, row.revertable])).toEqual([
      [3, true, false],
      [2, false, true],
      [1, false, true],
    ]);
  });

  it('offers no revert while there is a single version', () => {
    expect(versionRows([version(1, 'import')])).toEqual([
      { record: version(1, 'import'), current: true, revertable: false },
    ]);
    expect(versionRows([])).toEqual([]);
    expect(latestVersion([])).toBe(0);
  });
});

describe('describeVersionKind', () => {
  it('names the version a revert returned to', () => {
    expect(describeVersionKind(version(3, 'revert', 1))).toBe('Reverted to version 1');
    expect(describeVersionKind(version(2, 'draft'))).toBe('What-if draft applied');
    expect(describeVersionKind(version(1, 'import'))).toBe('Zones file imported');
  });
});

describe('policy conflicts', () => {
  it('reads the versions a policy.conflict names and says what to do', () => {
    const conflict = policyConflictOf({
      code: 'policy.conflict',
      message: 'the policy is at version 4; this change was prepared against version 3',
      details: { current: 4, base: 3 },
    });
    expect(conflict).toEqual({ current: 4, base: 3 });
    expect(conflictSentence(conflict!)).toBe(
      'Someone changed the policy meanwhile. It is at version 4 now; you were looking at version 3. Nothing was changed: reload to see their change, then decide again.',
    );
  });

  it('still explains a conflict whose details are missing, and ignores other failures', () => {
    const conflict = policyConflictOf({ code: 'policy.conflict', message: 'conflict' });
    expect(conflict).toEqual({ current: null, base: null });
    expect(conflictSentence(conflict!)).toBe(
      'Someone changed the policy meanwhile. Nothing was changed: reload to see their change, then decide again.',
    );
    expect(policyConflictOf({ code: 'not_found', message: 'no version 9' })).toBeNull();
  });
});
