// The exports panel: the manager's HTML report and the policy for the gear that enforces it, each
// saved as a file. Main makes every file and records the export in the audit log.
// Invariant: one download at a time; the buttons wait while one is being made.
import { FailureAlert } from '../shared/FailureAlert';
import { Alert } from '../shared/Alert';
import { networkDownloads } from './networkExports';
import { useNetworkStore } from './networkStore';
import { useNetworkToolsStore } from './networkToolsStore';
import { SidePanel } from './PanelParts';

export function ExportsPanel() {
  const downloading = useNetworkToolsStore((state) => state.downloading);
  const downloaded = useNetworkToolsStore((state) => state.downloaded);
  const downloadError = useNetworkToolsStore((state) => state.downloadError);
  const version = useNetworkStore((state) => state.policy?.version ?? null);
  const store = useNetworkToolsStore.getState();

  return (
    <SidePanel
      title="Exports and report"
      subtitle={version === null ? undefined : `From policy version ${version}`}
      testId="exports-panel"
      onClose={store.closePanel}
      closeLabel="Close the exports"
    >
      <ul className="tool-list">
        {networkDownloads.map((entry) => (
          <li key={entry.id} className="tool-item" data-export={entry.id}>
            <div className="tool-item__heading">
              <strong>{entry.label}</strong>
              <button
                type="button"
                className="button button--small"
                aria-label={`Download ${entry.label}`}
                disabled={downloading !== null}
                onClick={() => void store.download(entry.id)}
              >
                {downloading === entry.id ? 'Making…' : 'Download'}
              </button>
            </div>
            <p className="tool-item__text muted">{entry.description}</p>
            {downloaded?.id === entry.id ? (
              <p className="tool-item__saved" role="status" data-testid="export-saved">
                Saved as <span className="mono">{downloaded.fileName}</span>
              </p>
            ) : null}
            {downloadError?.id === entry.id ? (
              <FailureAlert error={downloadError.error} testId="export-error" />
            ) : null}
          </li>
        ))}
      </ul>
      <Alert tone="notice">
        Review a ruleset before loading it on a firewall: it replaces what the device enforces.
      </Alert>
    </SidePanel>
  );
}
