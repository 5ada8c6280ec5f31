// The inventory's filters: free-text search (applied ~200 ms after typing stops, or at once on
// Enter), device class, criticality, site, building and lifecycle state; and the result count.
// Invariant: the store's filters change only when a value really changes, so every change is one
// new query and no keystroke queries twice.
import { useEffect, useId, useState } from 'react';
import { criticalities, deviceClasses, lifecycleStates } from '../../src-preload/contract';
import { formatCount, formatQuantity } from '../shared/format';
import { criticalityLabels, deviceClassLabels, lifecycleLabels } from '../shared/labels';
import { filtersActive, maximumSearchLength } from './deviceQuery';
import { useInventoryStore } from './inventoryStore';

const searchDelayMs = 200;

export function FilterBar() {
  const filters = useInventoryStore((state) => state.filters);
  const facets = useInventoryStore((state) => state.facets);
  const { setFilters, clearFilters } = useInventoryStore.getState();

  return (
    <div className="filter-bar" role="search" aria-label="Filter devices">
      <SearchBox committed={filters.text} />
      <FilterSelect
        label="Class"
        value={filters.deviceClass}
        options={deviceClasses.map((value) => ({ value, label: deviceClassLabels[value] }))}
        onChange={(deviceClass) => setFilters({ deviceClass })}
      />
      <FilterSelect
        label="Criticality"
        value={filters.criticality}
        options={criticalities.map((value) => ({ value, label: criticalityLabels[value] }))}
        onChange={(criticality) => setFilters({ criticality })}
      />
      <FilterSelect
        label="Site"
        value={filters.site}
        options={(facets?.sites ?? []).map((value) => ({ value, label: value }))}
        onChange={(site) => setFilters({ site })}
      />
      <FilterSelect
        label="Building"
        value={filters.building}
        options={(facets?.buildings ?? []).map((value) => ({ value, label: value }))}
        onChange={(building) => setFilters({ building })}
      />
      <FilterSelect
        label="Lifecycle"
        value={filters.lifecycleState}
        options={lifecycleStates.map((value) => ({ value, label: lifecycleLabels[value] }))}
        onChange={(lifecycleState) => setFilters({ lifecycleState })}
      />
      <button
        type="button"
        className="button"
        onClick={clearFilters}
        disabled={!filtersActive(filters)}
      >
        Clear filters
      </button>
    </div>
  );
}

function commitSearch(text: string): void {
  useInventoryStore.getState().setFilters({ text });
}

function SearchBox({ committed }: { committed: string }) {
  const id = useId();
  const [text, setText] = useState(committed);

  // Clearing the filters elsewhere empties the box too.
  useEffect(() => {
    setText(committed);
  }, [committed]);

  // Restarted when the text changes, and dropped once the text is committed (by Enter).
  useEffect(() => {
    if (text === committed) return undefined;
    const timer = setTimeout(() => commitSearch(text), searchDelayMs);
    return () => clearTimeout(timer);
  }, [text, committed]);

  return (
    <div className="filter filter--search">
      <label htmlFor={id}>Search</label>
      <input
        id={id}
        type="search"
        value={text}
        maxLength={maximumSearchLength}
        placeholder="Tag, serial, model, IP, room…"
        spellCheck={false}
        autoComplete="off"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && text !== committed) commitSearch(text);
        }}
      />
    </div>
  );
}

interface Option<Value extends string> {
  value: Value;
  label: string;
}

function FilterSelect<Value extends string>(props: {
  label: string;
  value: Value | null;
  options: readonly Option<Value>[];
  onChange: (value: Value | null) => void;
}) {
  const id = useId();
  const { label, value, options, onChange } = props;
  return (
    <div className="filter">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value ?? ''}
        className={value === null ? undefined : 'filter--set'}
        onChange={(event) => {
          const chosen = options.find((option) => option.value === event.target.value);
          onChange(chosen ? chosen.value : null);
        }}
      >
        <option value="">All</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** How many devices match, and of how many when filtered. */
export function ResultCount() {
  const total = useInventoryStore((state) => state.total);
  const totalCurrent = useInventoryStore((state) => state.totalCurrent);
  const inventorySize = useInventoryStore((state) => state.facets?.total ?? null);
  const filtered = useInventoryStore((state) => filtersActive(state.filters));
  let text: string;
  if (total === null) text = 'Loading…';
  else if (filtered && inventorySize !== null)
    text = `${formatCount(total)} of ${formatQuantity(inventorySize, 'device')}`;
  else text = formatQuantity(total, 'device');
  return (
    <output
      className={totalCurrent ? 'result-count' : 'result-count result-count--stale'}
      data-testid="result-count"
    >
      {text}
    </output>
  );
}
