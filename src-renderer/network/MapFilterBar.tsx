// The map's filters: zone, verdicts (any combination), protocol and device criticality, with the
// count of what is drawn. Verdict toggles are buttons with aria-pressed, so their state is read
// out, not only seen.
import { useId } from 'react';
import type { ReactNode } from 'react';
import { criticalityOrder, flowProtocols, verdicts } from '../../src-preload/network/model';
import { criticalityLabels } from '../shared/labels';
import { mapFiltersActive, toggleVerdict } from './filters';
import { verdictStyles } from './mapStyle';
import { flowProtocolLabels } from './networkLabels';
import { useNetworkStore } from './networkStore';
import { VerdictLine } from './VerdictBadge';

export function MapFilterBar() {
  const filters = useNetworkStore((state) => state.filters);
  const zones = useNetworkStore((state) => state.map?.zones ?? null);
  const { setFilters, clearFilters } = useNetworkStore.getState();

  return (
    <div className="filter-bar" role="search" aria-label="Filter the map">
      <FilterField label="Zone">
        {(id) => (
          <select
            id={id}
            className={filters.zoneId === null ? undefined : 'filter--set'}
            value={filters.zoneId ?? ''}
            onChange={(event) => setFilters({ zoneId: event.target.value || null })}
          >
            <option value="">All zones</option>
            {(zones ?? []).map((zone) => (
              <option key={zone.id} value={zone.id}>
                {zone.name}
              </option>
            ))}
          </select>
        )}
      </FilterField>
      <div className="filter">
        <span className="filter__label" id="map-verdict-filter">
          Verdict
        </span>
        <div className="button-group" role="group" aria-labelledby="map-verdict-filter">
          {verdicts.map((verdict) => {
            const pressed = filters.verdicts.includes(verdict);
            return (
              <button
                key={verdict}
                type="button"
                className={
                  pressed ? 'button button--toggle button--pressed' : 'button button--toggle'
                }
                aria-pressed={pressed}
                onClick={() => setFilters({ verdicts: toggleVerdict(filters.verdicts, verdict) })}
              >
                <VerdictLine verdict={verdict} width={18} />
                {verdictStyles[verdict].label}
              </button>
            );
          })}
        </div>
      </div>
      <FilterField label="Protocol">
        {(id) => (
          <select
            id={id}
            className={filters.protocol === null ? undefined : 'filter--set'}
            value={filters.protocol ?? ''}
            onChange={(event) =>
              setFilters({
                protocol: flowProtocols.find((protocol) => protocol === event.target.value) ?? null,
              })
            }
          >
            <option value="">All</option>
            {flowProtocols.map((protocol) => (
              <option key={protocol} value={protocol}>
                {flowProtocolLabels[protocol]}
              </option>
            ))}
          </select>
        )}
      </FilterField>
      <FilterField label="Criticality">
        {(id) => (
          <select
            id={id}
            className={filters.criticality === null ? undefined : 'filter--set'}
            value={filters.criticality ?? ''}
            onChange={(event) =>
              setFilters({
                criticality:
                  criticalityOrder.find((criticality) => criticality === event.target.value) ??
                  null,
              })
            }
          >
            <option value="">All</option>
            {criticalityOrder.map((criticality) => (
              <option key={criticality} value={criticality}>
                {criticalityLabels[criticality]}
              </option>
            ))}
          </select>
        )}
      </FilterField>
      <button
        type="button"
        className="button"
        onClick={clearFilters}
        disabled={!mapFiltersActive(filters)}
      >
        Clear filters
      </button>
    </div>
  );
}

function FilterField({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="filter">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}
