// Benchmark harness only (bundled by test/bench/map.ts, never imported by the app): draws a map
// with the view's own graph builder and renderer in a bare page, and reports the time from the
// data in hand to the first drawn frame, the time to open every collapsed zone, and the positions
// vis-network holds. Invariant: each run starts from a fresh container and renderer.
import { noMapFilters } from './filters';
import { buildMapGraph } from './mapGraph';
import { createMapRenderer } from './mapRenderer';
import type { Point } from './regions';
import { regionsOf } from './regions';
import type { NetworkMap } from './types';

export interface MapBenchInput {
  map: NetworkMap;
}

export interface MapBenchRun {
  /** From the map in hand to vis-network's first afterDrawing. */
  firstDrawMs: number;
  /** To the next animation frame after it: the drawing has reached the screen. */
  firstFrameMs: number;
  /** Of which building the graph (filters, styles, collapsed zones) took. */
  graphMs: number;
  nodes: number;
  edges: number;
  collapsedZones: number;
  /** Positions of what the first render drew (devices of small zones, clusters). */
  firstPositions: Record<string, Point>;
  /** Opening every collapsed zone at once, to its first drawn frame. */
  openAllMs: number;
  /** Positions with every zone open: every device. */
  openPositions: Record<string, Point>;
}

declare global {
  interface Window {
    wardkeepMapBench?: { run: (input: MapBenchInput) => Promise<MapBenchRun> };
  }
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

async function run({ map }: MapBenchInput): Promise<MapBenchRun> {
  const container = document.createElement('div');
  container.style.width = '1440px';
  container.style.height = '900px';
  document.body.replaceChildren(container);
  let drawn: (elapsedMs: number) => void = () => undefined;
  const nextDraw = () =>
    new Promise<number>((resolve) => {
      drawn = resolve;
    });

  let firstDraw = nextDraw();
  const startedMs = performance.now();
  const graph = buildMapGraph(map, { filters: noMapFilters });
  const graphMs = performance.now() - startedMs;
  const renderer = createMapRenderer(container, {
    onSelectNode: () => undefined,
    onSelectCluster: () => undefined,
    onSelectEdge: () => undefined,
    onSelectRegion: () => undefined,
    onOpenZone: () => undefined,
    onDrawn: () => drawn(performance.now()),
  });
  const regions = regionsOf(map.zones);
  renderer.render(graph, regions, true);
  const firstDrawMs = (await firstDraw) - startedMs;
  await nextFrame();
  const firstFrameMs = performance.now() - startedMs;
  const firstPositions = renderer.positions();

  firstDraw = nextDraw();
  const openStartedMs = performance.now();
  const open = buildMapGraph(map, {
    filters: noMapFilters,
    openedZones: new Set(graph.largeZones),
  });
  renderer.render(open, regions, false);
  const openAllMs = (await firstDraw) - openStartedMs;
  const openPositions = renderer.positions();
  renderer.destroy();
  container.remove();
  return {
    firstDrawMs,
    firstFrameMs,
    graphMs,
    nodes: graph.nodes.length,
    edges: graph.edges.length,
    collapsedZones: graph.collapsedZones.length,
    firstPositions,
    openAllMs,
    openPositions,
  };
}

window.wardkeepMapBench = { run };
