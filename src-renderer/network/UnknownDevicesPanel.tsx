// Unknown addresses to triage: addresses seen in observed flows that no inventory device has,
// open ones first and the most critical zones first, with when they were seen, how much they
// talked and the zone their address falls in. An engineer marks each ignored or resolved (or
// reopens it); anyone who reads the map sees the list.
// Invariant: the state buttons show only for who may change it; main records every change.
import { useId } from 'react';
import type { UnknownDeviceState } from '../../src-preload/network/model';
import { criticalityRank, unknownDeviceStates } from '../../src-preload/network/model';
import { FailureAlert } from '../shared/FailureAlert';
import { formatCount, formatQuantity } from '../shared/format';
import type { NetworkActions } from './networkActions';
import { formatMoment } from './networkLabels';
import { useNetworkStore } from './networkStore';
import { useNetworkToolsStore } from './networkToolsStore';
import { DeviceLink, SidePanel, zoneName } from './PanelParts';
import type { MapIndex } from './selection';
import type { UnknownDevice } from './types';
import type { UnknownFilter } from './unknownDevices';
import {
  unknownCounts,
  unknownRows,
  unknownStateActions,
  unknownStateLabels,
} from './unknownDevices';

/** Outside every zone ranks after the least critical zone. */
const outsideRank = Object.keys(criticalityRank).length;

function zoneRanker(index: MapIndex | null): (zoneId: string | null) => number {
  return (zoneId) => {
    const tier = zoneId === null ? null : (index?.zoneById.get(zoneId)?.tier ?? null);
    return tier === null ? outsideRank : criticalityRank[tier];
  };
}

export function UnknownDevicesPanel({ actions }: { actions: NetworkActions }) {
  const filterId = useId();
  const unknown = useNetworkToolsStore((state) => state.unknown);
  const unknownError = useNetworkToolsStore((state) => state.unknownError);
  const filter = useNetworkToolsStore((state) => state.unknownFilter);
  const triaged = useNetworkToolsStore((state) => state.triaged);
  const index = useNetworkStore((state) => state.index);
  const store = useNetworkToolsStore.getState();
  const counts = unknownCounts(unknown ?? []);
  const rows = unknownRows(unknown ?? [], filter, zoneRanker(index));

  return (
    <SidePanel
      title="Unknown addresses"
      subtitle="Seen in observed flows; no device in the inventory has them"
      testId="unknown-panel"
      onClose={store.closePanel}
      closeLabel="Close the unknown addresses"
    >
      <div className="inline-controls tool-filter">
        <label htmlFor={filterId}>Show</label>
        <select
          id={filterId}
          value={filter}
          onChange={(event) => store.setUnknownFilter(event.target.value as UnknownFilter)}
        >
          {unknownDeviceStates.map((state) => (
            <option key={state} value={state}>
              {unknownStateLabels[state]} ({formatCount(counts[state])})
            </option>
          ))}
          <option value="all">All ({formatCount(unknown?.length ?? 0)})</option>
        </select>
      </div>
      {triaged ? (
        <p className="tool-item__saved" role="status" data-testid="unknown-triaged">
          <span className="mono">{triaged.address}</span> is now{' '}
          {unknownStateLabels[triaged.state].toLowerCase()}.
        </p>
      ) : null}
      {unknownError ? <FailureAlert error={unknownError} testId="unknown-error" /> : null}
      {unknown === null ? <p className="muted">Loading…</p> : null}
      {unknown !== null && rows.length === 0 ? (
        <p className="muted" data-testid="unknown-empty">
          {filter === 'open'
            ? 'Nothing to triage: every address seen belongs to a device, or was dealt with.'
            : 'No address in this state.'}
        </p>
      ) : null}
      <ul className="tool-list" data-testid="unknown-list">
        {rows.map((device) => (
          <UnknownRow key={device.address} device={device} index={index} actions={actions} />
        ))}
      </ul>
    </SidePanel>
  );
}

function UnknownRow({
  device,
  index,
  actions,
}: {
  device: UnknownDevice;
  index: MapIndex | null;
  actions: NetworkActions;
}) {
  const busy = useNetworkToolsStore((state) => state.triageBusy);
  const triageError = useNetworkToolsStore((state) =>
    state.triageError?.address === device.address ? state.triageError.error : null,
  );
  const nodeId = `unknown:${device.address}`;
  const onMap = index?.nodeById.has(nodeId) ?? false;

  return (
    <li className="tool-item" data-address={device.address} data-state={device.state}>
      <div className="tool-item__heading">
        <DeviceLink nodeId={onMap ? nodeId : null} label={device.address} />
        <span className={`tool-tag tool-tag--${device.state}`}>
          {unknownStateLabels[device.state]}
        </span>
        {actions.triage ? (
          <span className="tool-item__actions">
            {unknownStateActions(device.state).map((action) => (
              <button
                key={action.state}
                type="button"
                className="button button--small"
                title={action.hint}
                aria-label={`${action.label}: ${device.address}`}
                disabled={busy !== null}
                onClick={() => void triage(device.address, action.state)}
              >
                {action.label}
              </button>
            ))}
          </span>
        ) : null}
      </div>
      <p className="tool-item__text">
        {device.inferredZoneId === null
          ? 'Outside every zone'
          : `In ${zoneName(index, device.inferredZoneId)}`}{' '}
        · {formatQuantity(device.flowCount, 'connection')}
      </p>
      <p className="tool-item__text muted">
        First seen {formatMoment(device.firstSeenMs)}, last seen {formatMoment(device.lastSeenMs)}
      </p>
      {triageError ? <FailureAlert error={triageError} testId="triage-error" /> : null}
    </li>
  );
}

function triage(address: string, state: UnknownDeviceState): Promise<void> {
  return useNetworkToolsStore.getState().triage(address, state);
}
