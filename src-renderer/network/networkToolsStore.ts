// The network view's tools beside the map: which tool panel shows (exports, policy versions,
// unknown addresses), their data from main, downloads, the triage of unknown addresses and the
// revert of the policy to an earlier version.
// Invariants: every load of the map reloads the unknown addresses (their count is on the toolbar)
// and the versions once they were shown, so neither describes another policy than the map's; an
// answer for an older request is dropped; a revert names the newest version the panel listed as
// its base, so main refuses it (policy.conflict) when someone changed the policy meanwhile; a
// selection on the map closes the tool panel; the session ending forgets everything.
import { create } from 'zustand';
import type { ErrorCode, WardkeepError } from '../../src-preload/contract';
import type { UnknownDeviceState } from '../../src-preload/network/model';
import { downloadText } from '../api/download';
import { call } from '../api/wardkeep';
import { onSessionEnd } from '../session/sessionStore';
import type { NetworkDownload } from './networkExports';
import { isPolicyExport } from './networkExports';
import { useNetworkStore } from './networkStore';
import { latestVersion } from './policyVersions';
import type { PolicyVersionRecord, UnknownDevice } from './types';
import type { UnknownFilter } from './unknownDevices';

export type NetworkToolPanel = 'exports' | 'versions' | 'unknown';

interface NetworkToolsState {
  panel: NetworkToolPanel | null;
  versions: PolicyVersionRecord[] | null;
  versionsError: WardkeepError | null;
  unknown: UnknownDevice[] | null;
  unknownError: WardkeepError | null;
  unknownFilter: UnknownFilter;
  /** The address whose state is being changed. */
  triageBusy: string | null;
  triageError: { address: string; error: WardkeepError } | null;
  triaged: { address: string; state: UnknownDeviceState } | null;
  downloading: NetworkDownload | null;
  downloadError: { id: NetworkDownload; error: WardkeepError } | null;
  downloaded: { id: NetworkDownload; fileName: string } | null;
  revertBusy: boolean;
  revertError: WardkeepError | null;
  /** The version the last revert recorded, for the notice. */
  reverted: PolicyVersionRecord | null;

  togglePanel: (panel: NetworkToolPanel) => void;
  closePanel: () => void;
  loadVersions: () => Promise<void>;
  loadUnknown: () => Promise<void>;
  setUnknownFilter: (filter: UnknownFilter) => void;
  triage: (address: string, state: UnknownDeviceState) => Promise<void>;
  download: (id: NetworkDownload) => Promise<void>;
  /** True once the revert is recorded; false when refused, failed or the step-up was cancelled. */
  revert: (version: number, reason: string) => Promise<boolean>;
  clearRevertError: () => void;
  dismissReverted: () => void;
  reset: () => void;
}

const initial = {
  panel: null,
  versions: null,
  versionsError: null,
  unknown: null,
  unknownError: null,
  unknownFilter: 'open' as UnknownFilter,
  triageBusy: null,
  triageError: null,
  triaged: null,
  downloading: null,
  downloadError: null,
  downloaded: null,
  revertBusy: false,
  revertError: null,
  reverted: null,
};

const downloadFailures: readonly ErrorCode[] = ['not_found', 'network.invalid', 'input.invalid'];
const revertFailures: readonly ErrorCode[] = [
  'policy.conflict',
  'stepup.required',
  'not_found',
  'network.invalid',
  'input.invalid',
];

export const useNetworkToolsStore = create<NetworkToolsState>()((set, get) => {
  let versionsGeneration = 0;
  let unknownGeneration = 0;

  return {
    ...initial,

    togglePanel(panel) {
      const next = get().panel === panel ? null : panel;
      set({ panel: next });
      // Someone else may have changed them since the map loaded: a panel opens on fresh data.
      if (next === 'versions') void get().loadVersions();
      if (next === 'unknown') void get().loadUnknown();
    },
    closePanel() {
      set({ panel: null });
    },
    async loadVersions() {
      versionsGeneration += 1;
      const mine = versionsGeneration;
      const result = await call('network:versions', {});
      if (mine !== versionsGeneration) return;
      set(
        result.ok
          ? { versions: result.value, versionsError: null }
          : { versionsError: result.error },
      );
    },
    async loadUnknown() {
      unknownGeneration += 1;
      const mine = unknownGeneration;
      const result = await call('network:unknown', {});
      if (mine !== unknownGeneration) return;
      set(
        result.ok ? { unknown: result.value, unknownError: null } : { unknownError: result.error },
      );
    },
    setUnknownFilter(filter) {
      set({ unknownFilter: filter });
    },
    async triage(address, state) {
      if (get().triageBusy !== null) return;
      set({ triageBusy: address, triageError: null, triaged: null });
      const result = await call('network:unknown-state', { address, state }, [
        'not_found',
        'input.invalid',
      ]);
      if (!result.ok) {
        set({ triageBusy: null, triageError: { address, error: result.error } });
        return;
      }
      // Shown at once; the reload below confirms it (and brings anyone else's triage).
      unknownGeneration += 1;
      set({
        triageBusy: null,
        triaged: { address, state },
        unknown:
          get().unknown?.map((device) =>
            device.address === address ? { ...device, state } : device,
          ) ?? null,
      });
      await get().loadUnknown();
    },
    async download(id) {
      if (get().downloading !== null) return;
      set({ downloading: id, downloadError: null, downloaded: null });
      const result = isPolicyExport(id)
        ? await call('network:export', { format: id }, downloadFailures)
        : await call('network:report-html', {}, downloadFailures);
      if (!result.ok) {
        set({ downloading: null, downloadError: { id, error: result.error } });
        return;
      }
      const file = result.value;
      downloadText(file.fileName, file.mimeType, file.content);
      set({ downloading: null, downloaded: { id, fileName: file.fileName } });
    },
    async revert(version, reason) {
      const versions = get().versions;
      if (versions === null || get().revertBusy) return false;
      set({ revertBusy: true, revertError: null, reverted: null });
      const result = await call(
        'network:revert',
        { version, reason, baseVersion: latestVersion(versions) },
        revertFailures,
      );
      if (!result.ok) {
        set({ revertBusy: false, revertError: result.error });
        return false;
      }
      set({ revertBusy: false, reverted: result.value });
      const network = useNetworkStore.getState();
      // The notice of an earlier apply describes a policy no longer in force.
      network.dismissApplied();
      // The map's reload reloads the versions too (see the subscription below).
      await network.load();
      return true;
    },
    clearRevertError() {
      set({ revertError: null });
    },
    dismissReverted() {
      set({ reverted: null });
    },
    reset() {
      versionsGeneration += 1;
      unknownGeneration += 1;
      set(initial);
    },
  };
});

useNetworkStore.subscribe((state, previous) => {
  const tools = useNetworkToolsStore.getState();
  if (state.policy !== previous.policy && state.policy !== null) {
    void tools.loadUnknown();
    if (tools.versions !== null || tools.panel === 'versions') void tools.loadVersions();
  }
  if (state.selection !== previous.selection && state.selection !== null) tools.closePanel();
});

onSessionEnd(() => useNetworkToolsStore.getState().reset());
