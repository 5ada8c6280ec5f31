// The network view's state: the map, policy and findings from main, the filters, the selection,
// which large zones are open, and the what-if draft with its result.
// Invariants: an answer for an older load is dropped; any change to the draft drops the what-if
// result (it described another draft); a policy change is applied only through network:apply with
// the version it was prepared against, so a change made meanwhile by someone else is refused
// (policy.conflict) instead of overwritten; the session ending forgets everything.
import { create } from 'zustand';
import type { DeviceRecord, WardkeepError } from '../../src-preload/contract';
import type { Conduit } from '../../src-preload/network/model';
import { call } from '../api/wardkeep';
import { onSessionEnd } from '../session/sessionStore';
import type { NetworkDraft } from './draft';
import {
  emptyDraft,
  toPolicyDraft,
  withConduit,
  withMove,
  withoutConduit,
  withoutMove,
} from './draft';
import type { MapFilters } from './filters';
import { noMapFilters } from './filters';
import { clusterThreshold, deviceUidOf } from './mapGraph';
import type { MapIndex, ZonePair } from './selection';
import { indexMap } from './selection';
import type {
  CurrentPolicy,
  FindingsSummary,
  NetworkMap,
  PolicyVersionRecord,
  WhatIf,
} from './types';

/** The violations list shows up to this many findings, worst first. */
export const findingsLimit = 1000;

export type MapSelection =
  | { kind: 'device'; nodeId: string }
  | { kind: 'zone'; zoneId: string }
  | { kind: 'pair'; pair: ZonePair; flowIds: readonly number[] }
  | null;

export interface DeviceRecordState {
  deviceId: number;
  record: DeviceRecord | null;
  error: string | null;
}

interface NetworkState {
  phase: 'idle' | 'loading' | 'ready' | 'failed';
  loadError: string | null;
  map: NetworkMap | null;
  index: MapIndex | null;
  policy: CurrentPolicy | null;
  findings: FindingsSummary | null;
  filters: MapFilters;
  /** Large zones opened by the user; kept across filter changes and reloads. */
  openedZones: ReadonlySet<string>;
  selection: MapSelection;
  /** Bumped to ask the map to centre the selected device. */
  focusRequest: number;
  deviceRecord: DeviceRecordState | null;
  draft: NetworkDraft;
  whatIf: WhatIf | null;
  whatIfBusy: boolean;
  whatIfError: WardkeepError | null;
  applyBusy: boolean;
  applyError: WardkeepError | null;
  /** The version the last apply recorded, for the notice. */
  applied: PolicyVersionRecord | null;

  load: () => Promise<void>;
  setFilters: (change: Partial<MapFilters>) => void;
  clearFilters: () => void;
  openZone: (zoneId: string) => void;
  collapseZones: () => void;
  /** Selects a device; `focus` also opens its zone and centres the map on it. */
  selectDevice: (nodeId: string, focus: boolean) => void;
  selectZone: (zoneId: string) => void;
  selectPair: (pair: ZonePair, flowIds?: readonly number[]) => void;
  clearSelection: () => void;
  moveDevice: (nodeId: string, toZoneId: string) => void;
  editConduit: (conduit: Conduit, isNew: boolean) => void;
  dropMove: (deviceUid: string) => void;
  dropConduit: (conduitId: string) => void;
  discardDraft: () => void;
  runWhatIf: () => Promise<void>;
  /** True once the change is recorded; false when refused, failed or the step-up was cancelled. */
  apply: (reason: string) => Promise<boolean>;
  dismissApplied: () => void;
  reset: () => void;
}

const initial = {
  phase: 'idle' as const,
  loadError: null,
  map: null,
  index: null,
  policy: null,
  findings: null,
  filters: noMapFilters,
  openedZones: new Set<string>() as ReadonlySet<string>,
  selection: null,
  focusRequest: 0,
  deviceRecord: null,
  draft: emptyDraft,
  whatIf: null,
  whatIfBusy: false,
  whatIfError: null,
  applyBusy: false,
  applyError: null,
  applied: null,
};

export const useNetworkStore = create<NetworkState>()((set, get) => {
  let generation = 0;

  async function loadRecord(deviceId: number): Promise<void> {
    set({ deviceRecord: { deviceId, record: null, error: null } });
    const result = await call('devices:get', { id: deviceId }, ['not_found']);
    if (get().deviceRecord?.deviceId !== deviceId) return;
    set({
      deviceRecord: {
        deviceId,
        record: result.ok ? result.value : null,
        error: result.ok ? null : result.error.message,
      },
    });
  }

  function changeDraft(draft: NetworkDraft): void {
    set({ draft, whatIf: null, whatIfError: null, applyError: null });
  }

  return {
    ...initial,

    async load() {
      generation += 1;
      const mine = generation;
      set({ phase: get().map === null ? 'loading' : get().phase, loadError: null });
      const [map, policy, findings] = await Promise.all([
        call('network:map', { clusterThreshold }),
        call('network:policy', {}),
        call('network:findings', { limit: findingsLimit }),
      ]);
      if (mine !== generation) return;
      if (!map.ok || !policy.ok || !findings.ok) {
        const failed = [map, policy, findings].find((result) => !result.ok);
        set({
          phase: 'failed',
          loadError: failed && !failed.ok ? failed.error.message : 'the map could not be loaded',
        });
        return;
      }
      const index = indexMap(map.value);
      const { selection } = get();
      const stillThere =
        selection === null ||
        (selection.kind === 'device' && index.nodeById.has(selection.nodeId)) ||
        (selection.kind === 'zone' && index.zoneById.has(selection.zoneId)) ||
        selection.kind === 'pair';
      set({
        phase: 'ready',
        map: map.value,
        index,
        policy: policy.value,
        findings: findings.value,
        selection: stillThere ? selection : null,
      });
    },
    setFilters(change) {
      set({ filters: { ...get().filters, ...change } });
    },
    clearFilters() {
      set({ filters: noMapFilters });
    },
    openZone(zoneId) {
      if (get().openedZones.has(zoneId)) return;
      set({ openedZones: new Set([...get().openedZones, zoneId]) });
    },
    collapseZones() {
      set({ openedZones: new Set() });
    },
    selectDevice(nodeId, focus) {
      const node = get().index?.nodeById.get(nodeId);
      if (node === undefined) return;
      set({ selection: { kind: 'device', nodeId } });
      if (focus) {
        get().openZone(node.zoneId);
        set({ focusRequest: get().focusRequest + 1 });
      }
      if (node.deviceId === null) set({ deviceRecord: null });
      else if (get().deviceRecord?.deviceId !== node.deviceId) void loadRecord(node.deviceId);
    },
    selectZone(zoneId) {
      set({ selection: { kind: 'zone', zoneId } });
    },
    selectPair(pair, flowIds = []) {
      set({ selection: { kind: 'pair', pair, flowIds } });
    },
    clearSelection() {
      set({ selection: null });
    },
    moveDevice(nodeId, toZoneId) {
      const node = get().index?.nodeById.get(nodeId);
      const deviceUid = node === undefined ? null : deviceUidOf(node);
      if (node === undefined || deviceUid === null) return;
      changeDraft(
        withMove(get().draft, {
          deviceUid,
          nodeId,
          label: node.label,
          fromZoneId: node.zoneId,
          toZoneId,
        }),
      );
    },
    editConduit(conduit, isNew) {
      changeDraft(withConduit(get().draft, { conduit, isNew }));
    },
    dropMove(deviceUid) {
      changeDraft(withoutMove(get().draft, deviceUid));
    },
    dropConduit(conduitId) {
      changeDraft(withoutConduit(get().draft, conduitId));
    },
    discardDraft() {
      changeDraft(emptyDraft);
    },
    async runWhatIf() {
      const { draft } = get();
      set({ whatIfBusy: true, whatIfError: null });
      const result = await call('network:what-if', { draft: toPolicyDraft(draft) }, [
        'network.invalid',
        'input.invalid',
      ]);
      // The draft changed while main was answering: the answer is for another draft.
      if (get().draft !== draft) return;
      set({
        whatIfBusy: false,
        whatIf: result.ok ? result.value : null,
        whatIfError: result.ok ? null : result.error,
      });
    },
    async apply(reason) {
      const { draft, policy } = get();
      if (policy === null) return false;
      set({ applyBusy: true, applyError: null });
      const result = await call(
        'network:apply',
        { draft: toPolicyDraft(draft), reason, baseVersion: policy.version },
        ['policy.conflict', 'network.invalid', 'input.invalid', 'stepup.required'],
      );
      if (!result.ok) {
        set({ applyBusy: false, applyError: result.error });
        return false;
      }
      set({
        applyBusy: false,
        applied: result.value,
        draft: emptyDraft,
        whatIf: null,
        whatIfError: null,
      });
      await get().load();
      return true;
    },
    dismissApplied() {
      set({ applied: null });
    },
    reset() {
      generation += 1;
      set({ ...initial, openedZones: new Set() });
    },
  };
});

onSessionEnd(() => useNetworkStore.getState().reset());
