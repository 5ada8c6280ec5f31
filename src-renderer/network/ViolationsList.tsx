// The violations list under the map: violations and insecure flows, life-sustaining risk first,
// each row a link to the device at risk on the map (its zone opens and the map centres on it).
// Invariant: the order is compareViolations' (violations.ts), not the order main sent.
import { useMemo } from 'react';
import { CriticalityBadge } from '../shared/CriticalityBadge';
import { formatCount, formatQuantity } from '../shared/format';
import { useNetworkStore } from './networkStore';
import { verdictReasonLabels, formatService } from './networkLabels';
import { zoneName } from './PanelParts';
import { violationRows } from './violations';
import { VerdictBadge } from './VerdictBadge';

export function ViolationsList() {
  const findings = useNetworkStore((state) => state.findings);
  const index = useNetworkStore((state) => state.index);
  const selection = useNetworkStore((state) => state.selection);
  const rows = useMemo(
    () => (findings === null ? [] : violationRows(findings.findings, index)),
    [findings, index],
  );
  if (findings === null) return null;
  const selectedNode = selection?.kind === 'device' ? selection.nodeId : null;

  return (
    <section className="violations" aria-labelledby="violations-title" data-testid="violations">
      <header className="violations__header">
        <h2 id="violations-title">Violations and insecure flows</h2>
        <span className="muted">
          {formatQuantity(findings.total, 'finding')}, most critical first
          {findings.total > rows.length ? ` (the first ${formatCount(rows.length)} shown)` : ''}
        </span>
      </header>
      {rows.length === 0 ? (
        <p className="violations__empty">
          No violation and no insecure flow: every flow is allowed or monitored.
        </p>
      ) : (
        <div className="violations__scroll">
          <table className="data-table network-table violations__table">
            <thead>
              <tr>
                <th scope="col">Risk</th>
                <th scope="col">Verdict</th>
                <th scope="col">Device at risk</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Service</th>
                <th scope="col">Why</th>
                <th scope="col" className="numeric">
                  Conn.
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const focus = row.focusNodeId;
                const focusLabel =
                  focus === row.destination.nodeId && focus !== row.source.nodeId
                    ? row.destination.label
                    : row.source.label;
                return (
                  <tr
                    key={row.flowId}
                    data-flow-id={row.flowId}
                    data-risk={row.risk}
                    className={
                      focus !== null && focus === selectedNode
                        ? 'violations__row row--selected'
                        : 'violations__row'
                    }
                    onClick={() => {
                      if (focus !== null) useNetworkStore.getState().selectDevice(focus, true);
                    }}
                  >
                    <td>
                      <CriticalityBadge criticality={row.risk} />
                    </td>
                    <td>
                      <VerdictBadge verdict={row.verdict} />
                    </td>
                    <td>
                      {focus === null ? (
                        <span className="muted">not on the map</span>
                      ) : (
                        <button
                          type="button"
                          className="button--link link-button"
                          onClick={(event) => {
                            event.stopPropagation();
                            useNetworkStore.getState().selectDevice(focus, true);
                          }}
                        >
                          {focusLabel}
                        </button>
                      )}
                    </td>
                    <td>
                      {row.source.label}
                      <span className="muted"> · {zoneName(index, row.source.zoneId)}</span>
                    </td>
                    <td>
                      {row.destination.label}
                      <span className="muted"> · {zoneName(index, row.destination.zoneId)}</span>
                    </td>
                    <td className="mono">{formatService(row.protocol, row.port)}</td>
                    <td>{row.cleartext ?? verdictReasonLabels[row.reason]}</td>
                    <td className="numeric">{formatCount(row.connections)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
