// Arithmetic of a virtualised list with fixed-height rows: which rows to render for a scroll
// position, and where to scroll to reveal a row. Pure, so it is tested without a DOM.
// Invariant: the window never reaches outside [0, rowCount) and always covers every visible row.

export interface VirtualWindowInput {
  /** Scroll offset of the list body, in pixels. */
  scrollTop: number;
  /** Height of the area in which rows are visible (the viewport minus any sticky header). */
  viewportHeight: number;
  rowHeight: number;
  rowCount: number;
  /** Extra rows rendered above and below the visible ones so fast scrolls show no gaps. */
  overscan: number;
}

export interface VirtualWindow {
  /** Index of the first row to render. */
  first: number;
  /** One past the index of the last row to render. */
  last: number;
  /** Height of the whole list body, in pixels. */
  totalHeight: number;
}

export function computeVirtualWindow(input: VirtualWindowInput): VirtualWindow {
  const { rowHeight, rowCount, overscan } = input;
  const totalHeight = rowCount * rowHeight;
  if (rowCount === 0 || rowHeight <= 0) return { first: 0, last: 0, totalHeight };
  const scrollTop = Math.max(0, input.scrollTop);
  const viewportHeight = Math.max(0, input.viewportHeight);
  const firstVisible = Math.min(rowCount - 1, Math.floor(scrollTop / rowHeight));
  const lastVisible = Math.min(rowCount, Math.ceil((scrollTop + viewportHeight) / rowHeight));
  return {
    first: Math.max(0, firstVisible - overscan),
    last: Math.min(rowCount, Math.max(lastVisible, firstVisible + 1) + overscan),
    totalHeight,
  };
}

/**
 * The scroll offset that brings row `index` fully into view while moving as little as possible;
 * the current offset when the row is already fully visible.
 */
export function scrollTopToReveal(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}

/** The number of whole rows that fit in the viewport, at least one: the step of Page Up/Down. */
export function rowsPerPage(viewportHeight: number, rowHeight: number): number {
  if (rowHeight <= 0) return 1;
  return Math.max(1, Math.floor(viewportHeight / rowHeight));
}

/** Keeps a row index within a list of `rowCount` rows; -1 when the list is empty. */
export function clampIndex(index: number, rowCount: number): number {
  if (rowCount <= 0) return -1;
  return Math.min(rowCount - 1, Math.max(0, index));
}
