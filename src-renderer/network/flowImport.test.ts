import { describe, expect, it } from 'vitest';
import {
  flowFileTooLarge,
  flowImportOutcome,
  maximumFlowFileCharacters,
  unlistedIssueCount,
} from './flowImport';
import type { FlowImportReport } from './types';

function report(change: Partial<FlowImportReport>): FlowImportReport {
  return {
    committed: false,
    fileName: 'conn.log',
    format: 'zeek-tsv',
    recordLines: 10,
    rejectedLines: 0,
    issues: [],
    connections: 10,
    flows: 4,
    unknownAddresses: 1,
    ...change,
  };
}

describe('flowImportOutcome', () => {
  it('offers the valid lines of a file refused for its invalid ones', () => {
    const refused = report({
      rejectedLines: 3,
      issues: [{ line: 12, field: 'id.orig_h', message: 'not an IP address' }],
    });
    expect(flowImportOutcome(refused)).toEqual({ kind: 'invalid-lines', validLines: 7 });
  });

  it('reports an import, with the invalid lines it skipped', () => {
    expect(flowImportOutcome(report({ committed: true }))).toEqual({
      kind: 'imported',
      skippedLines: 0,
    });
    expect(flowImportOutcome(report({ committed: true, rejectedLines: 2 }))).toEqual({
      kind: 'imported',
      skippedLines: 2,
    });
  });

  it('offers nothing when no line is valid or no flow came out of them', () => {
    expect(flowImportOutcome(report({ rejectedLines: 10, flows: 0 }))).toEqual({
      kind: 'nothing-valid',
    });
    expect(flowImportOutcome(report({ rejectedLines: 0, flows: 0 }))).toEqual({
      kind: 'nothing-valid',
    });
  });
});

describe('unlistedIssueCount', () => {
  it('counts the invalid lines main counted beyond the ones it listed', () => {
    const issues = [{ line: 2, message: 'bad' }];
    expect(unlistedIssueCount(report({ rejectedLines: 1500, issues }))).toBe(1499);
    expect(unlistedIssueCount(report({ rejectedLines: 1, issues }))).toBe(0);
  });
});

describe('flowFileTooLarge', () => {
  it('accepts a file up to the channel’s limit and refuses a larger one with both sizes', () => {
    expect(flowFileTooLarge('conn.log', maximumFlowFileCharacters)).toBeNull();
    const message = flowFileTooLarge('conn.log', maximumFlowFileCharacters + 1);
    expect(message).toContain('conn.log is 257 MiB');
    expect(message).toContain('at most 256 MiB');
  });
});
