// Addresses seen in flows that no inventory device has, as the triage panel lists them: open ones
// first, then those inside the most critical zones, then the busiest; the states a person may move
// each one to; the counts per state.
// Invariants: pure; the order is total (ties end on the address), so the list never reshuffles
// between two loads of the same data.
import type { UnknownDeviceState } from '../../src-preload/network/model';
import { compareText, unknownDeviceStates } from '../../src-preload/network/model';
import type { UnknownDevice } from './types';

export const unknownStateLabels: Readonly<Record<UnknownDeviceState, string>> = {
  open: 'Open',
  ignored: 'Ignored',
  resolved: 'Resolved',
};

/** What each action does, for its button. */
export interface UnknownStateAction {
  state: UnknownDeviceState;
  label: string;
  hint: string;
}

const actions: Readonly<Record<UnknownDeviceState, UnknownStateAction>> = {
  open: { state: 'open', label: 'Reopen', hint: 'Triage this address again' },
  ignored: {
    state: 'ignored',
    label: 'Ignore',
    hint: 'Known and harmless (a printer, a switch): stop listing it as open',
  },
  resolved: {
    state: 'resolved',
    label: 'Resolved',
    hint: 'Found and dealt with (added to the inventory, or removed from the network)',
  },
};

/** The moves offered from a state: an open address is ignored or resolved; any other reopens. */
export function unknownStateActions(state: UnknownDeviceState): UnknownStateAction[] {
  return state === 'open' ? [actions.ignored, actions.resolved] : [actions.open];
}

export type UnknownFilter = UnknownDeviceState | 'all';

export function unknownCounts(
  devices: readonly UnknownDevice[],
): Readonly<Record<UnknownDeviceState, number>> {
  const counts: Record<UnknownDeviceState, number> = { open: 0, ignored: 0, resolved: 0 };
  for (const device of devices) counts[device.state] += 1;
  return counts;
}

const stateOrder = new Map(unknownDeviceStates.map((state, index) => [state, index]));

/**
 * The addresses the filter keeps, sorted. `zoneRank` ranks the inferred zone (lower is more
 * critical; outside every zone should rank last).
 */
export function unknownRows(
  devices: readonly UnknownDevice[],
  filter: UnknownFilter,
  zoneRank: (zoneId: string | null) => number,
): UnknownDevice[] {
  return devices
    .filter((device) => filter === 'all' || device.state === filter)
    .sort(
      (a, b) =>
        (stateOrder.get(a.state) ?? 0) - (stateOrder.get(b.state) ?? 0) ||
        zoneRank(a.inferredZoneId) - zoneRank(b.inferredZoneId) ||
        b.flowCount - a.flowCount ||
        b.lastSeenMs - a.lastSeenMs ||
        compareText(a.address, b.address),
    );
}
