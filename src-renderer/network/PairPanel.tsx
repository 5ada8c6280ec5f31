// A zone pair: the conduits that decide flows from one zone to the other (as the draft would leave
// them), the counts by verdict, and the flows across it. Who may change the policy can edit a
// conduit or add one into the draft here.
import { useState } from 'react';
import type { Conduit } from '../../src-preload/network/model';
import { formatCount } from '../shared/format';
import { draftedConduits, draftVerdictsOf, formatPorts, newConduitId } from './draft';
import { ConduitForm } from './ConduitForm';
import {
  conduitDirectionLabels,
  conduitProtocolLabels,
  conduitStateLabels,
  formatService,
} from './networkLabels';
import { useNetworkStore } from './networkStore';
import { DeviceLink, Fields, Section, SidePanel, zoneName } from './PanelParts';
import { Field } from '../shared/Field';
import type { ZonePair } from './selection';
import { conduitsOfPair, zonePairDetails } from './selection';
import { VerdictBadge } from './VerdictBadge';
import { verdicts } from '../../src-preload/network/model';

const shownFlows = 200;

export function PairPanel({
  pair,
  flowIds,
  canChange,
}: {
  pair: ZonePair;
  flowIds: readonly number[];
  canChange: boolean;
}) {
  const index = useNetworkStore((state) => state.index);
  const policy = useNetworkStore((state) => state.policy);
  const draft = useNetworkStore((state) => state.draft);
  const whatIf = useNetworkStore((state) => state.whatIf);
  const [editing, setEditing] = useState<{ conduit: Conduit; isNew: boolean } | null>(null);
  if (index === null || policy === null) return null;
  const draftVerdicts = draftVerdictsOf(whatIf);
  const details = zonePairDetails(
    index,
    policy.policy,
    pair,
    (edge) => draftVerdicts.get(edge.flowId) ?? edge.verdict,
  );
  const conduits = conduitsOfPair(draftedConduits(policy.policy.conduits, draft), pair);
  const inDraft = new Set(draft.conduits.map((item) => item.conduit.id));
  const selected = new Set(flowIds);
  const inside = pair.from === pair.to;

  function startNew(): void {
    const taken = new Set(draftedConduits(policy?.policy.conduits ?? [], draft).map((c) => c.id));
    setEditing({
      isNew: true,
      conduit: {
        id: newConduitId(pair.from, pair.to, 'tcp', taken),
        from: pair.from,
        to: pair.to,
        protocol: 'tcp',
        ports: [],
        direction: 'one-way',
        state: 'allow',
        purpose: '',
      },
    });
  }

  return (
    <SidePanel
      title={`${zoneName(index, pair.from)} → ${zoneName(index, pair.to)}`}
      subtitle={inside ? 'Inside one zone' : 'Zone pair: flows opened from the first to the second'}
      testId="pair-panel"
    >
      <div className="pair-actions">
        {!inside ? (
          <button
            type="button"
            className="button button--small"
            onClick={() => useNetworkStore.getState().selectPair({ from: pair.to, to: pair.from })}
          >
            Reverse direction
          </button>
        ) : null}
      </div>
      <dl className="stats stats--compact" data-testid="pair-counts">
        {verdicts.map((verdict) => (
          <div
            key={verdict}
            className={
              (verdict === 'violation' || verdict === 'insecure') && details.counts[verdict] > 0
                ? 'stats__item stats__item--bad'
                : 'stats__item'
            }
            data-stat={verdict}
          >
            <dt>
              <VerdictBadge verdict={verdict} />
            </dt>
            <dd>{formatCount(details.counts[verdict])}</dd>
          </div>
        ))}
      </dl>
      <Section title={`Conduits (${conduits.length})`} testId="pair-conduits">
        {conduits.length === 0 ? (
          <p className="muted" data-testid="no-conduit">
            {inside
              ? 'No conduit: flows inside the zone are allowed, unless the zone is isolated.'
              : `No conduit: every flow from ${zoneName(index, pair.from)} to ${zoneName(index, pair.to)} is a violation (default deny).`}
          </p>
        ) : (
          <ul className="conduit-list">
            {conduits.map((conduit) => (
              <li key={conduit.id} className="conduit" data-conduit-id={conduit.id}>
                <div className="conduit__heading">
                  <code>{conduit.id}</code>
                  <span className={`conduit-state conduit-state--${conduit.state}`}>
                    {conduitStateLabels[conduit.state]}
                  </span>
                  {inDraft.has(conduit.id) ? <span className="draft-tag">in draft</span> : null}
                  {canChange && editing === null ? (
                    <button
                      type="button"
                      className="button button--small"
                      onClick={() => setEditing({ conduit, isNew: false })}
                      aria-label={`Edit conduit ${conduit.id}`}
                    >
                      Edit
                    </button>
                  ) : null}
                </div>
                <Fields>
                  <Field
                    label="Traffic"
                    value={`${conduitProtocolLabels[conduit.protocol]} ${
                      conduit.ports.length === 0
                        ? conduit.protocol === 'tcp' || conduit.protocol === 'udp'
                          ? 'every port'
                          : ''
                        : formatPorts(conduit.ports)
                    }`}
                  />
                  <Field label="Direction" value={conduitDirectionLabels[conduit.direction]} />
                  <Field label="Purpose" value={conduit.purpose} />
                </Fields>
              </li>
            ))}
          </ul>
        )}
        {canChange && editing === null ? (
          <button type="button" className="button button--small" onClick={startNew}>
            Add a conduit…
          </button>
        ) : null}
        {editing !== null ? (
          <ConduitForm
            key={editing.conduit.id}
            conduit={editing.conduit}
            isNew={
              editing.isNew ||
              draft.conduits.some((item) => item.isNew && item.conduit.id === editing.conduit.id)
            }
            onCancel={() => setEditing(null)}
            onSave={(conduit) => {
              const isNew =
                editing.isNew ||
                draft.conduits.some((item) => item.isNew && item.conduit.id === conduit.id);
              useNetworkStore.getState().editConduit(conduit, isNew);
              setEditing(null);
            }}
          />
        ) : null}
      </Section>
      <Section title={`Flows (${formatCount(details.flows.length)})`} testId="pair-flows">
        {details.flows.length === 0 ? (
          <p className="muted">No flow observed between devices of these zones.</p>
        ) : (
          <table className="data-table network-table">
            <thead>
              <tr>
                <th scope="col">Verdict</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Service</th>
              </tr>
            </thead>
            <tbody>
              {details.flows.slice(0, shownFlows).map((flow) => (
                <tr
                  key={flow.edge.flowId}
                  data-flow-id={flow.edge.flowId}
                  className={selected.has(flow.edge.flowId) ? 'row--selected' : undefined}
                >
                  <td>
                    <VerdictBadge verdict={flow.verdict} />
                    {flow.verdict !== flow.edge.verdict ? (
                      <span className="muted"> (now {flow.edge.verdict})</span>
                    ) : null}
                  </td>
                  <td>
                    <DeviceLink nodeId={flow.source.id} label={flow.source.label} />
                  </td>
                  <td>
                    <DeviceLink nodeId={flow.destination.id} label={flow.destination.label} />
                  </td>
                  <td className="mono">{formatService(flow.edge.protocol, flow.edge.port)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </SidePanel>
  );
}
