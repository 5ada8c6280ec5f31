// A small cache of fixed-size pages of one query's result, for the virtualised device table.
// Invariants: a page is requested at most once while it is loading; at most `maxPages` pages are
// kept, and eviction never drops a page the caller still needs (the `keep` range). A cache belongs
// to one query: when filters or sort change the caller makes a new cache, so an answer to an old
// query can only land in a cache nobody reads.

export interface PageCacheOptions {
  pageSize: number;
  maxPages: number;
}

export interface PageRange {
  /** First row index needed. */
  first: number;
  /** One past the last row index needed. */
  last: number;
}

export interface PageCache<Row> {
  readonly pageSize: number;
  /** The row at `index`, or undefined while its page is not loaded. */
  rowAt: (index: number) => Row | undefined;
  /** Pages covering `range` that are neither loaded nor loading, nearest to `range.first` first. */
  missingPages: (range: PageRange) => number[];
  markLoading: (page: number) => void;
  /** Forgets that a page is loading (its request failed), so it may be asked for again. */
  markFailed: (page: number) => void;
  isLoading: (page: number) => boolean;
  loadingCount: () => number;
  /** Stores a loaded page, evicting the least recently used pages outside `keep`. */
  store: (page: number, rows: readonly Row[], keep: PageRange) => void;
  loadedPageCount: () => number;
}

/** Page indexes whose rows intersect [first, last). */
export function pagesCovering(range: PageRange, pageSize: number): number[] {
  if (range.last <= range.first) return [];
  const firstPage = Math.floor(Math.max(0, range.first) / pageSize);
  const lastPage = Math.floor((range.last - 1) / pageSize);
  const pages: number[] = [];
  for (let page = firstPage; page <= lastPage; page += 1) pages.push(page);
  return pages;
}

export function createPageCache<Row>(options: PageCacheOptions): PageCache<Row> {
  const { pageSize, maxPages } = options;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new RangeError('pageSize must be a positive integer');
  if (!Number.isInteger(maxPages) || maxPages < 1)
    throw new RangeError('maxPages must be a positive integer');
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recent.
  const pages = new Map<number, readonly Row[]>();
  const loading = new Set<number>();

  function touch(page: number, rows: readonly Row[]): void {
    pages.delete(page);
    pages.set(page, rows);
  }

  function evict(keep: PageRange): void {
    const kept = new Set(pagesCovering(keep, pageSize));
    for (const page of pages.keys()) {
      if (pages.size <= maxPages) return;
      if (!kept.has(page)) pages.delete(page);
    }
  }

  return {
    pageSize,
    rowAt(index) {
      const page = Math.floor(index / pageSize);
      const rows = pages.get(page);
      if (!rows) return undefined;
      touch(page, rows);
      return rows[index - page * pageSize];
    },
    missingPages(range) {
      return pagesCovering(range, pageSize).filter(
        (page) => !pages.has(page) && !loading.has(page),
      );
    },
    markLoading(page) {
      loading.add(page);
    },
    markFailed(page) {
      loading.delete(page);
    },
    isLoading(page) {
      return loading.has(page);
    },
    loadingCount() {
      return loading.size;
    },
    store(page, rows, keep) {
      loading.delete(page);
      touch(page, rows);
      evict(keep);
    },
    loadedPageCount() {
      return pages.size;
    },
  };
}
