import { describe, expect, it } from 'vitest';
import { clampIndex, computeVirtualWindow, rowsPerPage, scrollTopToReveal } from './virtualWindow';

describe('computeVirtualWindow', () => {
  const base = { rowHeight: 28, viewportHeight: 280, overscan: 5 };

  it('renders the visible rows plus overscan below at the top of the list', () => {
    const window = computeVirtualWindow({ ...base, scrollTop: 0, rowCount: 100_000 });
    expect(window).toEqual({ first: 0, last: 15, totalHeight: 2_800_000 });
  });

  it('renders overscan on both sides in the middle of the list', () => {
    const window = computeVirtualWindow({ ...base, scrollTop: 28 * 500 + 10, rowCount: 100_000 });
    expect(window.first).toBe(495);
    // Rows 500..510 are (partly) visible: 500 is cut at the top, 510 at the bottom.
    expect(window.last).toBe(516);
  });

  it('stops at the last row when scrolled to the end', () => {
    const rowCount = 100_000;
    const scrollTop = rowCount * 28 - base.viewportHeight;
    const window = computeVirtualWindow({ ...base, scrollTop, rowCount });
    expect(window.last).toBe(rowCount);
    expect(window.first).toBe(rowCount - 10 - 5);
  });

  it('stays inside the list when the scroll offset overshoots, as during elastic scrolling', () => {
    const window = computeVirtualWindow({ ...base, scrollTop: 1e9, rowCount: 50 });
    expect(window.first).toBeGreaterThanOrEqual(0);
    expect(window.last).toBe(50);
    expect(window.first).toBeLessThan(window.last);
  });

  it('renders nothing for an empty list', () => {
    expect(computeVirtualWindow({ ...base, scrollTop: 0, rowCount: 0 })).toEqual({
      first: 0,
      last: 0,
      totalHeight: 0,
    });
  });

  it('renders all rows of a list shorter than the viewport', () => {
    const window = computeVirtualWindow({ ...base, scrollTop: 0, rowCount: 3 });
    expect(window).toEqual({ first: 0, last: 3, totalHeight: 84 });
  });

  it('renders at least one row before layout has measured the viewport', () => {
    const window = computeVirtualWindow({
      ...base,
      viewportHeight: 0,
      overscan: 0,
      scrollTop: 0,
      rowCount: 10,
    });
    expect(window.last - window.first).toBe(1);
  });
});

describe('scrollTopToReveal', () => {
  it('keeps the offset when the row is already fully visible', () => {
    expect(scrollTopToReveal(3, 0, 280, 28)).toBe(0);
  });

  it('scrolls up just enough for a row above the viewport', () => {
    expect(scrollTopToReveal(10, 500, 280, 28)).toBe(280);
  });

  it('scrolls down just enough for a row below the viewport', () => {
    expect(scrollTopToReveal(20, 0, 280, 28)).toBe(21 * 28 - 280);
  });

  it('reveals a row cut by the bottom edge', () => {
    expect(scrollTopToReveal(9, 10, 280, 28)).toBe(10);
    expect(scrollTopToReveal(10, 10, 280, 28)).toBe(28);
  });
});

describe('rowsPerPage', () => {
  it('counts whole rows and never returns zero', () => {
    expect(rowsPerPage(280, 28)).toBe(10);
    expect(rowsPerPage(290, 28)).toBe(10);
    expect(rowsPerPage(0, 28)).toBe(1);
  });
});

describe('clampIndex', () => {
  it('keeps an index inside the list, or -1 when the list is empty', () => {
    expect(clampIndex(-4, 10)).toBe(0);
    expect(clampIndex(12, 10)).toBe(9);
    expect(clampIndex(5, 10)).toBe(5);
    expect(clampIndex(0, 0)).toBe(-1);
  });
});
