// The map's legend, a strip under the map (never over it): what each line, disc and region
// means, drawn from the same style tables the map uses, so the legend cannot disagree with the
// picture.
import { criticalityOrder, verdicts } from '../../src-preload/network/model';
import { criticalityLabels } from '../shared/labels';
import { criticalityStyles, verdictStyles } from './mapStyle';
import { VerdictLine } from './VerdictBadge';

export function MapLegend() {
  return (
    <section className="map-legend" aria-label="Legend" data-testid="map-legend">
      <div className="map-legend__group">
        <h2 className="map-legend__title">Flows</h2>
        <ul className="map-legend__list">
          {verdicts.map((verdict) => (
            <li key={verdict} data-verdict={verdict} title={verdictStyles[verdict].meaning}>
              <VerdictLine verdict={verdict} width={28} />
              <span>
                <strong>{verdictStyles[verdict].label}</strong>: {verdictStyles[verdict].meaning}
              </span>
            </li>
          ))}
        </ul>
      </div>
      <div className="map-legend__group">
        <h2 className="map-legend__title">Devices</h2>
        <ul className="map-legend__list">
          {criticalityOrder.map((criticality) => (
            <li key={criticality}>
              <svg width="12" height="12" aria-hidden="true" focusable="false">
                <circle
                  cx="6"
                  cy="6"
                  r="5"
                  fill={criticalityStyles[criticality].fill}
                  stroke={criticalityStyles[criticality].border}
                  strokeWidth="1.5"
                  strokeDasharray={criticality === 'unassessed' ? '2 1.5' : undefined}
                />
              </svg>
              {criticalityLabels[criticality]}
            </li>
          ))}
          <li>
            <svg width="12" height="12" aria-hidden="true" focusable="false">
              <path
                d="M6 1 L11 6 L6 11 L1 6 Z"
                fill="#fff"
                stroke="#4d5866"
                strokeDasharray="2 1.5"
              />
            </svg>
            Unknown address
          </li>
          <li>
            <svg width="12" height="12" aria-hidden="true" focusable="false">
              <circle cx="6" cy="6" r="4" fill="#fff" stroke="#111821" strokeWidth="2.5" />
            </svg>
            Heavy ring: finding, or moved in the draft
          </li>
          <li>
            <svg width="14" height="14" aria-hidden="true" focusable="false">
              <circle cx="7" cy="7" r="6" fill="#fff" stroke="#4d5866" strokeWidth="2" />
            </svg>
            Large disc: a large zone, double-click to open
          </li>
        </ul>
      </div>
    </section>
  );
}
