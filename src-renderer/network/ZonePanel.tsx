// The selected zone (a click on its region or its cluster) and, with nothing selected, the map's
// overview. A zone shows its tier, addressing and traffic with every other zone, worst first; each
// line opens that zone pair.
import { criticalityOrder } from '../../src-preload/network/model';
import { CriticalityBadge } from '../shared/CriticalityBadge';
import { formatCount, formatQuantity } from '../shared/format';
import { criticalityLabels } from '../shared/labels';
import { useNetworkStore } from './networkStore';
import { Fields, Section, SidePanel, zoneName } from './PanelParts';
import { Field } from '../shared/Field';
import { zoneDetails } from './selection';
import { VerdictBadge } from './VerdictBadge';
import { verdicts } from '../../src-preload/network/model';
import { verdictStyles } from './mapStyle';

export function ZonePanel({ zoneId, collapsed }: { zoneId: string; collapsed: boolean }) {
  const index = useNetworkStore((state) => state.index);
  const policy = useNetworkStore((state) => state.policy);
  if (index === null) return null;
  const details = zoneDetails(index, zoneId);
  if (details === null) return null;
  const { zone } = details;
  const policyZone = policy?.policy.zones.find((item) => item.id === zoneId) ?? null;
  const store = useNetworkStore.getState();

  return (
    <SidePanel
      title={zone.name}
      testId="zone-panel"
      subtitle={
        <>
          {zone.tier ? <CriticalityBadge criticality={zone.tier} /> : 'Outside every zone'} ·{' '}
          {formatQuantity(zone.deviceCount, 'device')}
          {zone.unknownCount > 0
            ? ` · ${formatQuantity(zone.unknownCount, 'unknown address', 'unknown addresses')}`
            : ''}
        </>
      }
    >
      {collapsed ? (
        <div className="pair-actions">
          <button
            type="button"
            className="button button--small"
            onClick={() => store.openZone(zoneId)}
          >
            Open this zone on the map
          </button>
        </div>
      ) : null}
      {policyZone ? (
        <Section title="Zone">
          <Fields>
            <Field label="Description" value={policyZone.description} />
            <Field
              label="VLANs"
              value={policyZone.vlans.map((vlan) => `${vlan.id} ${vlan.name}`).join(', ')}
              monospace
            />
            <Field label="Subnets" value={policyZone.subnets.join(', ')} monospace />
            <Field label="Clinical" value={policyZone.clinical ? 'Yes' : 'No'} />
            <Field
              label="Isolated"
              value={policyZone.isolate ? 'Yes: devices may not talk to each other' : 'No'}
            />
          </Fields>
        </Section>
      ) : null}
      <Section title="Devices by criticality">
        <ul className="chip-list">
          {criticalityOrder
            .filter((criticality) => (details.devicesByCriticality[criticality] ?? 0) > 0)
            .map((criticality) => (
              <li key={criticality}>
                {criticalityLabels[criticality]}:{' '}
                {formatCount(details.devicesByCriticality[criticality] ?? 0)}
              </li>
            ))}
        </ul>
      </Section>
      <Section title="Traffic" testId="zone-traffic">
        {details.pairs.length === 0 ? (
          <p className="muted">No flow observed.</p>
        ) : (
          <table className="data-table network-table">
            <thead>
              <tr>
                <th scope="col">Zone pair</th>
                <th scope="col">Worst</th>
                <th scope="col" className="numeric">
                  Flows
                </th>
              </tr>
            </thead>
            <tbody>
              {details.pairs.map((pair) => (
                <tr key={pair.id} data-pair={pair.id}>
                  <td>
                    <button
                      type="button"
                      className="button--link link-button"
                      onClick={() => store.selectPair({ from: pair.from, to: pair.to })}
                    >
                      {pair.from === pair.to
                        ? 'inside the zone'
                        : pair.from === zoneId
                          ? `→ ${zoneName(index, pair.to)}`
                          : `← ${zoneName(index, pair.from)}`}
                    </button>
                  </td>
                  <td>
                    <VerdictBadge verdict={pair.verdict} />
                  </td>
                  <td className="numeric">{formatCount(pair.flows)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </SidePanel>
  );
}

export function MapOverview() {
  const map = useNetworkStore((state) => state.map);
  const policy = useNetworkStore((state) => state.policy);
  const findings = useNetworkStore((state) => state.findings);
  if (map === null) return null;
  const devices = map.nodes.filter((node) => node.kind === 'device').length;
  const unknown = map.nodes.length - devices;
  return (
    <section
      className="network-side__panel"
      aria-labelledby="map-overview-title"
      data-testid="map-overview"
    >
      <header className="detail-panel__header">
        <div>
          <h2 id="map-overview-title">Network map</h2>
          <p className="detail-panel__subtitle">Policy version {policy?.version ?? '—'}</p>
        </div>
      </header>
      <div className="network-side__body">
        <p className="network-side__help">
          Click a device for its flows and record, a zone for its traffic, a line between zones for
          its conduit. Double-click a disc to open a large zone. The violations below are sorted by
          clinical risk; click one to find it on the map.
        </p>
        <Section title="Flows by verdict">
          <dl className="stats stats--compact" data-testid="overview-counts">
            {verdicts.map((verdict) => (
              <div
                key={verdict}
                className={
                  (verdict === 'violation' || verdict === 'insecure') &&
                  (findings?.counts[verdict] ?? 0) > 0
                    ? 'stats__item stats__item--bad'
                    : 'stats__item'
                }
                data-stat={verdict}
              >
                <dt>{verdictStyles[verdict].label}</dt>
                <dd>{formatCount(findings?.counts[verdict] ?? 0)}</dd>
              </div>
            ))}
          </dl>
        </Section>
        <Section title="On the map">
          <Fields>
            <Field label="Zones" value={formatCount(map.zones.length)} />
            <Field label="Devices" value={formatCount(devices)} />
            <Field label="Unknown addresses" value={formatCount(unknown)} />
            <Field label="Flows between them" value={formatCount(map.edges.length)} />
          </Fields>
        </Section>
      </div>
    </section>
  );
}
