// Every invalid row of an import (line, column, reason), virtualised so a file with tens of
// thousands of bad rows stays responsive. Invariant: the rows appear in the order main reports.
import { useScrollViewport } from '../shared/useScrollViewport';
import type { ImportIssue } from '../../src-preload/contract';
import { canonicalFields } from '../../src-preload/contract';
import type { CanonicalField } from '../../src-preload/contract';
import { canonicalFieldLabels } from '../shared/labels';
import { computeVirtualWindow } from '../shared/virtualWindow';

const issueRowHeight = 26;
const issueHeaderHeight = 28;

function isCanonicalField(column: string): column is CanonicalField {
  return (canonicalFields as readonly string[]).includes(column);
}

function columnLabel(column: string | null): string {
  if (column === null) return 'whole row';
  return isCanonicalField(column) ? canonicalFieldLabels[column] : column;
}

export function IssueTable({ issues }: { issues: readonly ImportIssue[] }) {
  const { scrollRef, scrollTop, setScrollTop, viewportHeight } =
    useScrollViewport<HTMLDivElement>();

  const { first, last, totalHeight } = computeVirtualWindow({
    scrollTop,
    viewportHeight: Math.max(0, viewportHeight - issueHeaderHeight),
    rowHeight: issueRowHeight,
    rowCount: issues.length,
    overscan: 10,
  });

  return (
    <div
      ref={scrollRef}
      className="issue-grid"
      role="table"
      aria-label="Invalid rows"
      aria-rowcount={issues.length + 1}
      tabIndex={0}
      data-testid="issue-table"
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div className="issue-grid__header" role="row" aria-rowindex={1}>
        <span role="columnheader">Line</span>
        <span role="columnheader">Column</span>
        <span role="columnheader">Problem</span>
      </div>
      <div role="rowgroup" className="issue-grid__body" style={{ height: totalHeight }}>
        <div style={{ transform: `translateY(${first * issueRowHeight}px)` }}>
          {issues.slice(first, last).map((issue, offset) => (
            <div
              key={first + offset}
              className="issue-grid__row"
              role="row"
              aria-rowindex={first + offset + 2}
              data-line={issue.line}
              data-column={issue.column ?? ''}
            >
              <span role="cell">{issue.line}</span>
              <span role="cell">{columnLabel(issue.column)}</span>
              <span role="cell" title={issue.reason}>
                {issue.reason}
              </span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
