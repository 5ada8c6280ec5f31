// The selected device: its zone and findings, its flows with their verdicts (the draft's when a
// what-if changes them), its neighbours, its inventory record, and — for who may change the
// policy — moving it to another zone in the draft.
import { useState } from 'react';
import type { DeviceRecord } from '../../src-preload/contract';
import { compareZones } from '../../src-preload/network/model';
import { Alert } from '../shared/Alert';
import { CriticalityBadge } from '../shared/CriticalityBadge';
import { formatCount, formatQuantity } from '../shared/format';
import { deviceClassLabels, lifecycleLabels } from '../shared/labels';
import { draftVerdictsOf } from './draft';
import { deviceUidOf } from './mapGraph';
import { deviceFindingLabels, formatService } from './networkLabels';
import { useNetworkStore } from './networkStore';
import { DeviceLink, Fields, Section, SidePanel, zoneName } from './PanelParts';
import { Field } from '../shared/Field';
import { deviceDetails } from './selection';
import { VerdictBadge } from './VerdictBadge';

/** Flows listed in the panel; the rest are counted. */
const shownFlows = 200;

export function DevicePanel({ nodeId, canChange }: { nodeId: string; canChange: boolean }) {
  const index = useNetworkStore((state) => state.index);
  const whatIf = useNetworkStore((state) => state.whatIf);
  const record = useNetworkStore((state) => state.deviceRecord);
  if (index === null) return null;
  const draftVerdicts = draftVerdictsOf(whatIf);
  const details = deviceDetails(
    index,
    nodeId,
    (edge) => draftVerdicts.get(edge.flowId) ?? edge.verdict,
  );
  if (details === null) return null;
  const { node } = details;
  const unknown = node.kind === 'unknown';

  return (
    <SidePanel
      title={node.label}
      testId="device-panel"
      subtitle={
        <>
          {zoneName(index, node.zoneId)} ·{' '}
          {unknown ? 'not in the inventory' : <CriticalityBadge criticality={node.criticality} />}
        </>
      }
    >
      {node.findings.length > 0 ? (
        <Alert tone="warning" title="Check this device" testId="device-findings">
          <ul className="plain-list">
            {node.findings.map((finding) => (
              <li key={finding}>{deviceFindingLabels[finding]}</li>
            ))}
          </ul>
        </Alert>
      ) : null}
      {unknown ? (
        <Alert tone="notice">
          An address seen in the flows that no inventory device has: find out what it is.
        </Alert>
      ) : null}
      <Section title={`Flows (${formatCount(details.flows.length)})`} testId="device-flows">
        {details.flows.length === 0 ? (
          <p className="muted">No flow observed.</p>
        ) : (
          <table className="data-table network-table">
            <thead>
              <tr>
                <th scope="col">Verdict</th>
                <th scope="col">With</th>
                <th scope="col">Service</th>
                <th scope="col" className="numeric">
                  Conn.
                </th>
              </tr>
            </thead>
            <tbody>
              {details.flows.slice(0, shownFlows).map((flow) => (
                <tr key={flow.edge.flowId} data-flow-id={flow.edge.flowId}>
                  <td>
                    <VerdictBadge verdict={flow.verdict} />
                  </td>
                  <td>
                    <span
                      className="direction"
                      aria-label={flow.direction === 'outgoing' ? 'to' : 'from'}
                    >
                      {flow.direction === 'outgoing' ? '→' : '←'}
                    </span>{' '}
                    <DeviceLink nodeId={flow.peer.id} label={flow.peer.label} />
                  </td>
                  <td className="mono">{formatService(flow.edge.protocol, flow.edge.port)}</td>
                  <td className="numeric">{formatCount(flow.edge.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {details.flows.length > shownFlows ? (
          <p className="muted">
            and {formatQuantity(details.flows.length - shownFlows, 'more flow')}
          </p>
        ) : null}
      </Section>
      <Section title={`Neighbours (${formatCount(details.neighbours.length)})`}>
        {details.neighbours.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul className="chip-list" data-testid="device-neighbours">
            {details.neighbours.slice(0, shownFlows).map((peer) => (
              <li key={peer.id}>
                <DeviceLink nodeId={peer.id} label={peer.label} />
              </li>
            ))}
          </ul>
        )}
      </Section>
      {canChange && !unknown ? (
        <MoveToZone key={node.id} nodeId={node.id} zoneId={node.zoneId} />
      ) : null}
      {!unknown ? (
        <Section title="Record" testId="device-record">
          {record?.error ? <Alert tone="error">{record.error}</Alert> : null}
          {record?.record ? (
            <RecordFields record={record.record} />
          ) : record?.error ? null : (
            <p className="muted">Loading…</p>
          )}
        </Section>
      ) : (
        <Section title="Address">
          <Fields>
            <Field label="IP address" value={node.address} monospace />
          </Fields>
        </Section>
      )}
    </SidePanel>
  );
}

function RecordFields({ record }: { record: DeviceRecord }) {
  const location = [record.site, record.building, record.floor, record.room, record.bed]
    .filter((part) => part !== null && part !== '')
    .join(' · ');
  return (
    <Fields>
      <Field label="Asset tag" value={record.assetTag} monospace />
      <Field label="Device" value={`${record.manufacturer} ${record.model}`} />
      <Field label="Class" value={deviceClassLabels[record.deviceClass]} />
      <Field label="Serial number" value={record.serialNumber} monospace />
      <Field label="IP address" value={record.ipAddress} monospace />
      <Field label="MAC address" value={record.macAddress} monospace />
      <Field label="Hostname" value={record.hostname} monospace />
      <Field label="Location" value={location} />
      <Field label="Department" value={record.department} />
      <Field label="Firmware" value={record.firmwareVersion} monospace />
      <Field label="Lifecycle" value={lifecycleLabels[record.lifecycleState]} />
    </Fields>
  );
}

function MoveToZone({ nodeId, zoneId }: { nodeId: string; zoneId: string }) {
  const policy = useNetworkStore((state) => state.policy);
  const index = useNetworkStore((state) => state.index);
  const draft = useNetworkStore((state) => state.draft);
  const node = index?.nodeById.get(nodeId);
  const uid = node ? deviceUidOf(node) : null;
  const drafted = draft.moves.find((move) => move.deviceUid === uid);
  const [target, setTarget] = useState(drafted?.toZoneId ?? zoneId);
  if (policy === null || uid === null) return null;
  const zones = [...policy.policy.zones].sort(compareZones);

  return (
    <Section title="What-if: move to another zone" testId="move-device">
      {drafted ? (
        <p className="draft-note" data-testid="move-drafted">
          In the draft: moves to <strong>{zoneName(index, drafted.toZoneId)}</strong>.
        </p>
      ) : null}
      <div className="inline-controls">
        <label htmlFor="move-target">Zone</label>
        <select id="move-target" value={target} onChange={(event) => setTarget(event.target.value)}>
          {zones.some((zone) => zone.id === zoneId) ? null : (
            <option value={zoneId} disabled>
              {zoneName(index, zoneId)} (now)
            </option>
          )}
          {zones.map((zone) => (
            <option key={zone.id} value={zone.id}>
              {zone.name}
              {zone.id === zoneId ? ' (now)' : ''}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button"
          disabled={target === (drafted?.toZoneId ?? zoneId)}
          onClick={() => useNetworkStore.getState().moveDevice(nodeId, target)}
        >
          {target === zoneId && drafted ? 'Keep it where it is' : 'Add to draft'}
        </button>
      </div>
    </Section>
  );
}
