// The filters and sort of the inventory table, and the `devices:list` request they make.
// Invariant: an empty filter is left out of the request rather than sent as "" or null, so the
// request always satisfies the contract's schema.
import type {
  Criticality,
  DeviceClass,
  DeviceQuery,
  DeviceSortField,
  LifecycleState,
} from '../../src-preload/contract';

export interface DeviceFilters {
  text: string;
  deviceClass: DeviceClass | null;
  criticality: Criticality | null;
  site: string | null;
  building: string | null;
  lifecycleState: LifecycleState | null;
}

export interface DeviceSort {
  field: DeviceSortField;
  descending: boolean;
}

export const noFilters: DeviceFilters = {
  text: '',
  deviceClass: null,
  criticality: null,
  site: null,
  building: null,
  lifecycleState: null,
};

export const defaultSort: DeviceSort = { field: 'assetTag', descending: false };

/** The longest search text the contract accepts. */
export const maximumSearchLength = 200;

export function buildDeviceQuery(
  filters: DeviceFilters,
  sort: DeviceSort,
  offset: number,
  limit: number,
): DeviceQuery {
  const query: DeviceQuery = { sort: sort.field, descending: sort.descending, offset, limit };
  const text = filters.text.trim().slice(0, maximumSearchLength);
  if (text !== '') query.text = text;
  if (filters.deviceClass !== null) query.deviceClass = filters.deviceClass;
  if (filters.criticality !== null) query.criticality = filters.criticality;
  if (filters.site !== null) query.site = filters.site;
  if (filters.building !== null) query.building = filters.building;
  if (filters.lifecycleState !== null) query.lifecycleState = filters.lifecycleState;
  return query;
}

export function filtersActive(filters: DeviceFilters): boolean {
  return (
    filters.text.trim() !== '' ||
    filters.deviceClass !== null ||
    filters.criticality !== null ||
    filters.site !== null ||
    filters.building !== null ||
    filters.lifecycleState !== null
  );
}

/**
 * True when two filter sets ask the service the same question (text compared as it is sent, so
 * "icu" and "icu " are the same search): the table keeps its rows instead of reloading them.
 */
export function sameFilters(a: DeviceFilters, b: DeviceFilters): boolean {
  const first = buildDeviceQuery(a, defaultSort, 0, 1);
  const second = buildDeviceQuery(b, defaultSort, 0, 1);
  const keys = new Set([...Object.keys(first), ...Object.keys(second)]) as Set<keyof DeviceQuery>;
  return [...keys].every((key) => first[key] === second[key]);
}

/** Clicking the sorted column reverses it; clicking another sorts by it, ascending. */
export function nextSort(current: DeviceSort, field: DeviceSortField): DeviceSort {
  if (current.field === field) return { field, descending: !current.descending };
  return { field, descending: false };
}
