// The network and segmentation view: filters, the map with its legend, the side panel for what is
// selected (or the open tool: exports, policy versions, unknown addresses) and the what-if draft,
// the flow import, and the violations list under the map.
// Invariants: mounting the view (after every sign-in) reloads the map, so a new session never
// shows what the previous one loaded; draft edits, Apply and Revert show only for who may change
// the policy and can confirm with a step-up, flow imports and triage for who holds network.write
// (main refuses the others regardless).
import { useEffect } from 'react';
import { Alert } from '../shared/Alert';
import { formatQuantity, joinPresent } from '../shared/format';
import { capabilitiesOf } from '../session/capabilities';
import { useSessionStore } from '../session/sessionStore';
import { DevicePanel } from './DevicePanel';
import { DraftPanel } from './DraftPanel';
import { FlowImportDialog } from './FlowImportDialog';
import { MapFilterBar } from './MapFilterBar';
import { MapLegend } from './MapLegend';
import type { MapGraph } from './mapGraph';
import type { NetworkActions } from './networkActions';
import { networkActionsOf } from './networkActions';
import { NetworkCanvas } from './NetworkCanvas';
import { useNetworkStore } from './networkStore';
import { NetworkToolButtons, NetworkToolPanelView } from './NetworkTools';
import { useNetworkToolsStore } from './networkToolsStore';
import { PairPanel } from './PairPanel';
import { ViolationsList } from './ViolationsList';
import { MapOverview, ZonePanel } from './ZonePanel';
import { useMapGraph } from './useMapGraph';

export function NetworkView() {
  const load = useNetworkStore((state) => state.load);
  const phase = useNetworkStore((state) => state.phase);
  const loadError = useNetworkStore((state) => state.loadError);
  const role = useSessionStore((state) => state.user?.role ?? null);
  const emergency = useSessionStore((state) => state.session?.emergency != null);
  const canChange = role !== null && capabilitiesOf(role, emergency).changeNetwork;
  const actions = networkActionsOf(role, emergency);
  const toolOpen = useNetworkToolsStore((state) => state.panel !== null);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="network-view">
      <div className="toolbar">
        <MapFilterBar />
      </div>
      <MapBar canChange={canChange} actions={actions} />
      {phase === 'failed' && loadError ? (
        <Alert tone="error" title="The map could not be loaded" testId="map-load-error">
          {loadError}
        </Alert>
      ) : null}
      <div className="network-view__body">
        <section className="network-map" aria-label="Network map">
          <div className="network-map__stage">
            <NetworkCanvas />
            {phase === 'loading' ? <p className="network-map__loading">Loading the map…</p> : null}
          </div>
          <MapLegend />
        </section>
        <aside className="network-side" aria-label="Selection and draft">
          <div className="network-side__selection">
            {toolOpen ? (
              <NetworkToolPanelView actions={actions} />
            ) : (
              <Selection canChange={canChange} />
            )}
          </div>
          <DraftPanel canChange={canChange} />
        </aside>
      </div>
      <ViolationsList />
      <FlowImportDialog />
    </div>
  );
}

function MapBar({ canChange, actions }: { canChange: boolean; actions: NetworkActions }) {
  const { graph } = useMapGraph();
  const openedZones = useNetworkStore((state) => state.openedZones);
  const store = useNetworkStore.getState();
  return (
    <div className="table-bar">
      <span className="result-count" data-testid="map-count">
        {graph === null ? 'Loading…' : drawnSummary(graph)}
      </span>
      <div className="table-bar__actions">
        <button
          type="button"
          className="button"
          disabled={openedZones.size === 0}
          onClick={store.collapseZones}
        >
          Collapse large zones
        </button>
        <button type="button" className="button" onClick={() => void store.load()}>
          Reload
        </button>
        <NetworkToolButtons actions={actions} />
        {canChange ? null : (
          <span className="muted" data-testid="read-only-note">
            {actions.importFlows
              ? 'Policy changes need a named account'
              : 'Read only for your role'}
          </span>
        )}
      </div>
    </div>
  );
}

function drawnSummary(graph: MapGraph): string {
  let devices = 0;
  let unknown = 0;
  for (const node of graph.nodes) {
    if (node.kind === 'device') devices += 1;
    else if (node.kind === 'unknown') unknown += 1;
  }
  const collapsed = graph.collapsedZones.length;
  return joinPresent(
    [
      `${formatQuantity(devices, 'device')} drawn`,
      unknown > 0 ? formatQuantity(unknown, 'unknown address', 'unknown addresses') : null,
      collapsed > 0 ? `${formatQuantity(collapsed, 'zone')} collapsed` : null,
    ],
    ', ',
  );
}

function Selection({ canChange }: { canChange: boolean }) {
  const selection = useNetworkStore((state) => state.selection);
  const { graph } = useMapGraph();
  switch (selection?.kind) {
    case 'device':
      return <DevicePanel nodeId={selection.nodeId} canChange={canChange} />;
    case 'zone':
      return (
        <ZonePanel
          key={selection.zoneId}
          zoneId={selection.zoneId}
          collapsed={graph?.collapsedZones.includes(selection.zoneId) ?? false}
        />
      );
    case 'pair':
      return (
        <PairPanel
          key={`${selection.pair.from}>${selection.pair.to}`}
          pair={selection.pair}
          flowIds={selection.flowIds}
          canChange={canChange}
        />
      );
    case undefined:
      return <MapOverview />;
  }
}
