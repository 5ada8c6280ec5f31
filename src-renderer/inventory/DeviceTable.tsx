// The virtualised device table: a fixed row height, only the visible rows (plus overscan) in the
// DOM, pages fetched on demand, placeholders for rows still loading. Keyboard: arrows, Page
// Up/Down, Home/End move the active row; Enter opens it.
// Invariant: the active row is always rendered (it is scrolled into view when it moves), so
// aria-activedescendant never points at a missing element.
import { useCallback, useEffect, useLayoutEffect } from 'react';
import type { KeyboardEvent } from 'react';
import type { DeviceRecord } from '../../src-preload/contract';
import { formatCount } from '../shared/format';
import {
  clampIndex,
  computeVirtualWindow,
  rowsPerPage,
  scrollTopToReveal,
} from '../shared/virtualWindow';
import { deviceColumns } from './columns';
import { filtersActive } from './deviceQuery';
import { useInventoryStore } from './inventoryStore';
import { useScrollViewport } from '../shared/useScrollViewport';
import { capabilitiesOf } from '../session/capabilities';
import { useSessionStore } from '../session/sessionStore';

/** Must match --row-height and --grid-header-height in styles.css. */
export const rowHeight = 28;
const headerHeight = 30;
const overscan = 12;

export const deviceGridId = 'device-grid';

function rowId(index: number): string {
  return `device-row-${index}`;
}

export function DeviceTable() {
  const total = useInventoryStore((state) => state.total);
  const totalCurrent = useInventoryStore((state) => state.totalCurrent);
  const generation = useInventoryStore((state) => state.generation);
  const cache = useInventoryStore((state) => state.cache);
  // Subscribed only to re-render when a page lands; rows are read from the cache.
  useInventoryStore((state) => state.pagesVersion);
  const activeIndex = useInventoryStore((state) => state.activeIndex);
  const detailId = useInventoryStore((state) => state.detailId);
  const sort = useInventoryStore((state) => state.sort);
  const filtered = useInventoryStore((state) => filtersActive(state.filters));
  const loadError = useInventoryStore((state) => state.loadError);
  const canImport = useSessionStore(
    (state) =>
      state.user !== null &&
      capabilitiesOf(state.user.role, state.session?.emergency != null).writeInventory,
  );
  const { setVisibleRange, setActiveIndex, openDetail, toggleSort } = useInventoryStore.getState();

  const { scrollRef, scrollTop, setScrollTop, viewportHeight } =
    useScrollViewport<HTMLDivElement>();

  // A new query starts at its first row.
  useLayoutEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
    setScrollTop(0);
  }, [generation]);

  const rowCount = total ?? 0;
  const bodyHeight = Math.max(0, viewportHeight - headerHeight);
  const { first, last, totalHeight } = computeVirtualWindow({
    scrollTop,
    viewportHeight: bodyHeight,
    rowHeight,
    rowCount,
    overscan,
  });

  useEffect(() => {
    setVisibleRange({ first, last });
  }, [first, last, generation, setVisibleRange]);

  const reveal = useCallback(
    (index: number) => {
      const element = scrollRef.current;
      if (!element) return;
      element.scrollTop = scrollTopToReveal(index, element.scrollTop, bodyHeight, rowHeight);
    },
    [bodyHeight],
  );

  function openRow(index: number): void {
    const device = cache.rowAt(index);
    if (device) void openDetail(device.id);
  }

  function handleKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    // Keys pressed on the header's sort buttons belong to those buttons.
    if (event.target !== event.currentTarget || rowCount === 0) return;
    const page = rowsPerPage(bodyHeight, rowHeight);
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = activeIndex + 1;
        break;
      case 'ArrowUp':
        next = activeIndex - 1;
        break;
      case 'PageDown':
        next = activeIndex + page;
        break;
      case 'PageUp':
        next = activeIndex - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = rowCount - 1;
        break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        openRow(activeIndex);
        return;
      default:
        return;
    }
    event.preventDefault();
    const index = clampIndex(next, rowCount);
    setActiveIndex(index);
    reveal(index);
  }

  const rows = [];
  for (let index = first; index < last; index += 1) {
    const device = cache.rowAt(index);
    rows.push(
      device ? (
        <DeviceRow
          key={`${index}-${device.id}`}
          index={index}
          device={device}
          active={index === activeIndex}
          selected={device.id === detailId}
          onOpen={() => {
            setActiveIndex(index);
            scrollRef.current?.focus({ preventScroll: true });
            void openDetail(device.id);
          }}
        />
      ) : (
        <PlaceholderRow key={`${index}-loading`} index={index} active={index === activeIndex} />
      ),
    );
  }

  const activeInWindow = activeIndex >= first && activeIndex < last && rowCount > 0;
  const empty = totalCurrent && rowCount === 0;

  return (
    <div
      id={deviceGridId}
      ref={scrollRef}
      className="device-grid"
      role="grid"
      aria-label="Devices"
      aria-rowcount={rowCount + 1}
      aria-colcount={deviceColumns.length}
      aria-busy={!totalCurrent}
      aria-activedescendant={activeInWindow ? rowId(activeIndex) : undefined}
      tabIndex={0}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      onKeyDown={handleKeyDown}
    >
      <div className="device-grid__header" role="row" aria-rowindex={1}>
        {deviceColumns.map((column) => {
          const sorted = column.sortField !== null && sort.field === column.sortField;
          return (
            <div
              key={column.key}
              className="device-grid__columnheader"
              role="columnheader"
              aria-sort={sorted ? (sort.descending ? 'descending' : 'ascending') : undefined}
            >
              {column.sortField === null ? (
                <span className="device-grid__label">{column.label}</span>
              ) : (
                <button
                  type="button"
                  className="sort-button"
                  onClick={() => column.sortField && toggleSort(column.sortField)}
                >
                  {column.label}
                  <span className="sort-button__mark" aria-hidden="true">
                    {sorted ? (sort.descending ? '▼' : '▲') : ''}
                  </span>
                </button>
              )}
            </div>
          );
        })}
      </div>
      <div className="device-grid__body" role="rowgroup" style={{ height: totalHeight }}>
        <div
          className="device-grid__rows"
          style={{ transform: `translateY(${first * rowHeight}px)` }}
        >
          {rows}
        </div>
        {empty ? (
          <p className="device-grid__empty" role="status">
            {filtered
              ? 'No device matches these filters.'
              : canImport
                ? 'The inventory is empty. Import a CSV file to add devices.'
                : 'The inventory is empty.'}
          </p>
        ) : null}
        {loadError ? (
          <p className="device-grid__empty device-grid__empty--error" role="alert">
            Rows could not be loaded: {loadError}
          </p>
        ) : null}
      </div>
      <span className="visually-hidden" aria-live="polite">
        {totalCurrent && rowCount > 0 ? `${formatCount(rowCount)} rows` : ''}
      </span>
    </div>
  );
}

interface DeviceRowProps {
  index: number;
  device: DeviceRecord;
  active: boolean;
  selected: boolean;
  onOpen: () => void;
}

function DeviceRow({ index, device, active, selected, onOpen }: DeviceRowProps) {
  const classes = ['device-row'];
  // Stripes follow the row's index, not its DOM position, so they do not flicker while scrolling.
  if (index % 2 === 1) classes.push('device-row--odd');
  if (active) classes.push('device-row--active');
  if (selected) classes.push('device-row--selected');
  if (device.criticality === 'life_sustaining') classes.push('device-row--life-sustaining');
  return (
    <div
      id={rowId(index)}
      className={classes.join(' ')}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-device-id={device.id}
      onClick={onOpen}
    >
      {deviceColumns.map((column) => (
        <div
          key={column.key}
          className={column.monospace ? 'cell cell--mono' : 'cell'}
          role="gridcell"
        >
          {column.render(device)}
        </div>
      ))}
    </div>
  );
}

function PlaceholderRow({ index, active }: { index: number; active: boolean }) {
  const classes = ['device-row', 'device-row--loading'];
  if (index % 2 === 1) classes.push('device-row--odd');
  if (active) classes.push('device-row--active');
  return (
    <div
      id={rowId(index)}
      className={classes.join(' ')}
      role="row"
      aria-rowindex={index + 2}
      aria-busy="true"
    >
      {deviceColumns.map((column) => (
        <div key={column.key} className="cell" role="gridcell">
          <span className="placeholder-bar" />
        </div>
      ))}
    </div>
  );
}
