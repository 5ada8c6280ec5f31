import { describe, expect, it } from 'vitest';
import { createPageCache, pagesCovering } from './pageCache';

function rowsOf(page: number, pageSize: number): number[] {
  return Array.from({ length: pageSize }, (_, offset) => page * pageSize + offset);
}

describe('pagesCovering', () => {
  it('lists every page that intersects the range', () => {
    expect(pagesCovering({ first: 0, last: 1 }, 100)).toEqual([0]);
    expect(pagesCovering({ first: 99, last: 101 }, 100)).toEqual([0, 1]);
    expect(pagesCovering({ first: 100, last: 300 }, 100)).toEqual([1, 2]);
  });

  it('returns no page for an empty range', () => {
    expect(pagesCovering({ first: 5, last: 5 }, 100)).toEqual([]);
  });
});

describe('createPageCache', () => {
  it('returns rows of a stored page and nothing for pages not loaded', () => {
    const cache = createPageCache<number>({ pageSize: 10, maxPages: 4 });
    cache.store(2, rowsOf(2, 10), { first: 20, last: 30 });
    expect(cache.rowAt(25)).toBe(25);
    expect(cache.rowAt(5)).toBeUndefined();
  });

  it('does not ask again for a page that is loading', () => {
    const cache = createPageCache<number>({ pageSize: 10, maxPages: 4 });
    expect(cache.missingPages({ first: 0, last: 25 })).toEqual([0, 1, 2]);
    cache.markLoading(1);
    expect(cache.missingPages({ first: 0, last: 25 })).toEqual([0, 2]);
    expect(cache.loadingCount()).toBe(1);
  });

  it('asks again for a page whose request failed', () => {
    const cache = createPageCache<number>({ pageSize: 10, maxPages: 4 });
    cache.markLoading(0);
    cache.markFailed(0);
    expect(cache.missingPages({ first: 0, last: 5 })).toEqual([0]);
  });

  it('evicts the least recently used page beyond its capacity', () => {
    const cache = createPageCache<number>({ pageSize: 10, maxPages: 2 });
    cache.store(0, rowsOf(0, 10), { first: 0, last: 10 });
    cache.store(1, rowsOf(1, 10), { first: 10, last: 20 });
    cache.rowAt(3); // page 0 is now more recent than page 1
    cache.store(2, rowsOf(2, 10), { first: 20, last: 30 });
    expect(cache.rowAt(3)).toBe(3);
    expect(cache.rowAt(13)).toBeUndefined();
    expect(cache.rowAt(23)).toBe(23);
    expect(cache.loadedPageCount()).toBe(2);
  });

  it('never evicts a page inside the range still needed, even over capacity', () => {
    const cache = createPageCache<number>({ pageSize: 10, maxPages: 1 });
    const keep = { first: 5, last: 15 };
    cache.store(0, rowsOf(0, 10), keep);
    cache.store(1, rowsOf(1, 10), keep);
    expect(cache.rowAt(5)).toBe(5);
    expect(cache.rowAt(14)).toBe(14);
  });

  it('keeps a short last page', () => {
    const cache = createPageCache<number>({ pageSize: 10, maxPages: 2 });
    cache.store(3, [30, 31, 32], { first: 30, last: 33 });
    expect(cache.rowAt(32)).toBe(32);
    expect(cache.rowAt(33)).toBeUndefined();
  });

  it('refuses a page size that is not a positive integer', () => {
    expect(() => createPageCache({ pageSize: 0, maxPages: 2 })).toThrow(RangeError);
  });
});
