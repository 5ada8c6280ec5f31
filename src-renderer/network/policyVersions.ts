// The policy's history as the versions panel shows it: newest first, the current one marked, the
// words for how each version came to be, and what a policy.conflict means in plain words.
// Invariants: pure; only an earlier version is offered for a revert (reverting to the current one
// would record a change of nothing); a revert names the newest version listed as its base, so a
// change made meanwhile by someone else is refused by main instead of overwritten.
import type { WardkeepError } from '../../src-preload/contract';
import type { PolicyVersionKind } from '../../src-preload/network/model';
import type { PolicyVersionRecord } from './types';

export const policyVersionKindLabels: Readonly<Record<PolicyVersionKind, string>> = {
  edit: 'Edited',
  import: 'Zones file imported',
  draft: 'What-if draft applied',
  revert: 'Reverted',
};

export interface VersionRow {
  record: PolicyVersionRecord;
  /** The version in force now. */
  current: boolean;
  /** An earlier version: the policy can return to it. */
  revertable: boolean;
}

/** The newest version, or 0 while no policy was ever recorded. */
export function latestVersion(versions: readonly PolicyVersionRecord[]): number {
  let latest = 0;
  for (const record of versions) latest = Math.max(latest, record.version);
  return latest;
}

export function versionRows(versions: readonly PolicyVersionRecord[]): VersionRow[] {
  const latest = latestVersion(versions);
  return [...versions]
    .sort((a, b) => b.version - a.version)
    .map((record) => ({
      record,
      current: record.version === latest,
      revertable: record.version < latest,
    }));
}

/** "Reverted to version 1", "What-if draft applied". */
export function describeVersionKind(record: PolicyVersionRecord): string {
  if (record.kind === 'revert' && record.revertedTo !== null) {
    return `Reverted to version ${record.revertedTo}`;
  }
  return policyVersionKindLabels[record.kind];
}

export interface PolicyConflict {
  /** The version main holds now. */
  current: number | null;
  /** The version the refused change was prepared against. */
  base: number | null;
}

/** The versions a policy.conflict names, or null for any other failure. */
export function policyConflictOf(error: WardkeepError): PolicyConflict | null {
  if (error.code !== 'policy.conflict') return null;
  const details = error.details;
  const read = (key: 'current' | 'base'): number | null => {
    if (typeof details !== 'object' || details === null) return null;
    const value = (details as Record<string, unknown>)[key];
    return typeof value === 'number' && Number.isInteger(value) ? value : null;
  };
  return { current: read('current'), base: read('base') };
}

/** What a conflict means for the person who met it, and what to do. */
export function conflictSentence(conflict: PolicyConflict): string {
  const versions =
    conflict.current !== null && conflict.base !== null
      ? ` It is at version ${conflict.current} now; you were looking at version ${conflict.base}.`
      : '';
  return `Someone changed the policy meanwhile.${versions} Nothing was changed: reload to see their change, then decide again.`;
}
