// The inventory table's state: filters, sort, the page cache of the current query, the total,
// the facets for the filter lists, and the device open in the detail panel.
// Invariants: each query (filters + sort) has its own cache and generation, and an answer for an
// older generation is dropped; at most `maximumPagesInFlight` page requests run at once, always
// for rows the table shows now, so a fast scroll across 100,000 rows does not queue a backlog.
import { create } from 'zustand';
import type { DeviceFacets, DeviceRecord, DeviceSortField } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { buildDeviceQuery, defaultSort, nextSort, noFilters, sameFilters } from './deviceQuery';
import type { DeviceFilters, DeviceSort } from './deviceQuery';
import { createPageCache } from './pageCache';
import type { PageCache, PageRange } from './pageCache';

export const pageSize = 200;
const maximumCachedPages = 40;
const maximumPagesInFlight = 3;

function newCache(): PageCache<DeviceRecord> {
  return createPageCache<DeviceRecord>({ pageSize, maxPages: maximumCachedPages });
}

interface InventoryState {
  filters: DeviceFilters;
  sort: DeviceSort;
  /** Bumped on every change of query; the table scrolls back to the top on a new generation. */
  generation: number;
  cache: PageCache<DeviceRecord>;
  /** Bumped whenever a page lands, so the table re-reads the cache. */
  pagesVersion: number;
  /** Rows matching the current query; null until the first answer. */
  total: number | null;
  /** False from a query change until its first answer: the shown total is the previous one. */
  totalCurrent: boolean;
  /** Set when a page could not be loaded; loading stops until the next refresh. */
  loadError: string | null;
  facets: DeviceFacets | null;
  visibleRange: PageRange;
  /** The row the keyboard is on. */
  activeIndex: number;
  detailId: number | null;
  detail: DeviceRecord | null;
  detailError: string | null;

  setFilters: (change: Partial<DeviceFilters>) => void;
  clearFilters: () => void;
  toggleSort: (field: DeviceSortField) => void;
  setVisibleRange: (range: PageRange) => void;
  setActiveIndex: (index: number) => void;
  /** Reloads everything, as after an import. */
  refresh: () => void;
  loadFacets: () => Promise<void>;
  openDetail: (id: number) => Promise<void>;
  closeDetail: () => void;
  /** Forgets all loaded data, as when the session ends. */
  reset: () => void;
}

function freshQueryState(generation: number) {
  return {
    generation,
    cache: newCache(),
    pagesVersion: 0,
    totalCurrent: false,
    loadError: null,
    activeIndex: 0,
    visibleRange: { first: 0, last: 0 },
  };
}

export const useInventoryStore = create<InventoryState>()((set, get) => {
  function requestMissingPages(): void {
    const { cache, total, visibleRange, loadError } = get();
    if (loadError !== null) return;
    // Before the first answer the size is unknown: ask for the first page, which brings it.
    const range: PageRange =
      total === null || !get().totalCurrent
        ? { first: 0, last: 1 }
        : { first: Math.min(visibleRange.first, total), last: Math.min(visibleRange.last, total) };
    for (const page of cache.missingPages(range)) {
      if (cache.loadingCount() >= maximumPagesInFlight) return;
      cache.markLoading(page);
      void loadPage(page, cache);
    }
  }

  async function loadPage(page: number, cache: PageCache<DeviceRecord>): Promise<void> {
    const { filters, sort } = get();
    const result = await call(
      'devices:list',
      buildDeviceQuery(filters, sort, page * pageSize, pageSize),
    );
    if (get().cache !== cache) return;
    if (!result.ok) {
      cache.markFailed(page);
      set({ loadError: result.error.message });
      return;
    }
    cache.store(page, result.value.rows, get().visibleRange);
    set((state) => ({
      total: result.value.total,
      totalCurrent: true,
      pagesVersion: state.pagesVersion + 1,
    }));
    requestMissingPages();
  }

  function changeQuery(change: Partial<Pick<InventoryState, 'filters' | 'sort'>>): void {
    set((state) => ({ ...change, ...freshQueryState(state.generation + 1) }));
    requestMissingPages();
  }

  return {
    filters: noFilters,
    sort: defaultSort,
    total: null,
    facets: null,
    detailId: null,
    detail: null,
    detailError: null,
    ...freshQueryState(0),

    setFilters(change) {
      const filters = { ...get().filters, ...change };
      // The same question again (a search committed by Enter and then by its timer) keeps the
      // loaded rows and the scroll position.
      if (sameFilters(filters, get().filters)) {
        set({ filters });
        return;
      }
      changeQuery({ filters });
    },
    clearFilters() {
      changeQuery({ filters: noFilters });
    },
    toggleSort(field) {
      changeQuery({ sort: nextSort(get().sort, field) });
    },
    setVisibleRange(range) {
      const current = get().visibleRange;
      if (current.first === range.first && current.last === range.last) return;
      set({ visibleRange: range });
      requestMissingPages();
    },
    setActiveIndex(index) {
      set({ activeIndex: index });
    },
    refresh() {
      changeQuery({});
      void get().loadFacets();
      const { detailId } = get();
      if (detailId !== null) void get().openDetail(detailId);
    },
    async loadFacets() {
      const result = await call('devices:facets', {});
      if (result.ok) set({ facets: result.value });
    },
    async openDetail(id) {
      set({ detailId: id, detail: null, detailError: null });
      const result = await call('devices:get', { id }, ['not_found']);
      if (get().detailId !== id) return;
      if (result.ok) set({ detail: result.value });
      else set({ detailError: result.error.message });
    },
    closeDetail() {
      set({ detailId: null, detail: null, detailError: null });
    },
    reset() {
      set((state) => ({
        filters: noFilters,
        sort: defaultSort,
        total: null,
        facets: null,
        detailId: null,
        detail: null,
        detailError: null,
        ...freshQueryState(state.generation + 1),
      }));
    },
  };
});
