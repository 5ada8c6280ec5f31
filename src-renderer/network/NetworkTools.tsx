// The network view's tools beside the map: the toolbar buttons (import flows, exports, policy
// versions, unknown addresses) and the side panel the pressed one opens in place of the selection.
// Invariant: a button shows only for who may use it (networkActions.ts); the panels take the same
// actions, so a control hidden here is hidden inside them too.
import type { ReactNode } from 'react';
import { formatCount, formatQuantity } from '../shared/format';
import { ExportsPanel } from './ExportsPanel';
import { useFlowImportStore } from './flowImportStore';
import type { NetworkActions } from './networkActions';
import type { NetworkToolPanel } from './networkToolsStore';
import { useNetworkToolsStore } from './networkToolsStore';
import { UnknownDevicesPanel } from './UnknownDevicesPanel';
import { unknownCounts } from './unknownDevices';
import { VersionsPanel } from './VersionsPanel';

export function NetworkToolButtons({ actions }: { actions: NetworkActions }) {
  const panel = useNetworkToolsStore((state) => state.panel);
  const unknown = useNetworkToolsStore((state) => state.unknown);
  const openImport = useFlowImportStore((state) => state.openDialog);
  const open = unknown === null ? null : unknownCounts(unknown).open;
  if (!actions.read) return null;

  return (
    <div className="button-group network-tools" role="group" aria-label="Network tools">
      {actions.importFlows ? (
        <button type="button" className="button" onClick={openImport}>
          Import flows…
        </button>
      ) : null}
      <ToolToggle panel="exports" pressed={panel === 'exports'}>
        Exports
      </ToolToggle>
      <ToolToggle panel="versions" pressed={panel === 'versions'}>
        Versions
      </ToolToggle>
      <ToolToggle
        panel="unknown"
        pressed={panel === 'unknown'}
        label={
          open !== null && open > 0
            ? `Unknown addresses, ${formatQuantity(open, 'open')}`
            : 'Unknown addresses'
        }
      >
        Unknown addresses
        {open !== null && open > 0 ? (
          <span className="tool-count" data-testid="unknown-open-count">
            {formatCount(open)}
          </span>
        ) : null}
      </ToolToggle>
    </div>
  );
}

function ToolToggle({
  panel,
  pressed,
  label,
  children,
}: {
  panel: NetworkToolPanel;
  pressed: boolean;
  /** The accessible name, when the visible text alone would not say it well. */
  label?: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={pressed ? 'button button--toggle button--pressed' : 'button button--toggle'}
      aria-pressed={pressed}
      aria-label={label}
      data-tool={panel}
      onClick={() => useNetworkToolsStore.getState().togglePanel(panel)}
    >
      {children}
    </button>
  );
}

/** The open tool's panel, or null when none is open. */
export function NetworkToolPanelView({ actions }: { actions: NetworkActions }) {
  const panel = useNetworkToolsStore((state) => state.panel);
  switch (panel) {
    case 'exports':
      return <ExportsPanel />;
    case 'versions':
      return <VersionsPanel actions={actions} />;
    case 'unknown':
      return <UnknownDevicesPanel actions={actions} />;
    case null:
      return null;
  }
}
