// The graph and regions the canvas draws, derived from the store and rebuilt only when what they
// depend on changes (map, filters, opened zones, the draft and its what-if result) — never on a
// selection, which the canvas shows without redrawing the data.
// Invariants: one graph per set of inputs, however many components ask (a 10,000-device graph is
// built once, not once per reader); the session ending forgets it with the rest of the map.
import { draftVerdictsOf } from './draft';
import type { MapGraph } from './mapGraph';
import { buildMapGraph } from './mapGraph';
import { onSessionEnd } from '../session/sessionStore';
import { useNetworkStore } from './networkStore';
import type { Region } from './regions';
import { regionsOf } from './regions';

type Inputs = readonly unknown[];

function sameInputs(a: Inputs, b: Inputs): boolean {
  return a.length === b.length && a.every((value, position) => value === b[position]);
}

let graphCache: { inputs: Inputs; graph: MapGraph | null } | null = null;
let regionCache: { inputs: Inputs; regions: readonly Region[] } | null = null;

onSessionEnd(() => {
  graphCache = null;
  regionCache = null;
});

export function useMapGraph(): { graph: MapGraph | null; regions: readonly Region[] } {
  const map = useNetworkStore((state) => state.map);
  const filters = useNetworkStore((state) => state.filters);
  const openedZones = useNetworkStore((state) => state.openedZones);
  const draft = useNetworkStore((state) => state.draft);
  const whatIf = useNetworkStore((state) => state.whatIf);

  const regionInputs = [map];
  if (regionCache === null || !sameInputs(regionCache.inputs, regionInputs)) {
    regionCache = { inputs: regionInputs, regions: map === null ? [] : regionsOf(map.zones) };
  }
  const graphInputs = [map, filters, openedZones, draft, whatIf];
  if (graphCache === null || !sameInputs(graphCache.inputs, graphInputs)) {
    graphCache = {
      inputs: graphInputs,
      graph:
        map === null
          ? null
          : buildMapGraph(map, {
              filters,
              openedZones,
              draftVerdicts: draftVerdictsOf(whatIf),
              movedDevices: new Set(draft.moves.map((move) => move.deviceUid)),
            }),
    };
  }
  return { graph: graphCache.graph, regions: regionCache.regions };
}
