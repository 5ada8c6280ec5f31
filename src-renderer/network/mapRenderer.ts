// The one place that talks to vis-network: draws a MapGraph with physics off at the layout's fixed
// positions, paints the zone regions under it and turns clicks into selections of devices, zones
// and zone pairs. A new graph is applied as a difference (added, changed and removed nodes and
// edges), so opening a zone or changing a filter redraws without rebuilding the whole picture.
// Invariants: nothing here moves a node (no physics, no dragging), so the same graph is always
// drawn the same; the React tree never touches vis-network directly.
import { DataSet } from 'vis-data/peer';
import { Network } from 'vis-network/peer';
import type { Edge, IdType, Node, Options } from 'vis-network/peer';
import type { GraphEdge, GraphNode, MapGraph } from './mapGraph';
import { zoneIdOfCluster } from './mapGraph';
import type { Point, Region } from './regions';
import { drawRegions, fitView, regionAt, regionBounds } from './regions';

/** What a click on an edge chose: the flows it stands for and its two ends as drawn. */
export interface EdgeSelection {
  edgeId: string;
  flowIds: number[];
  /** A node id, or a cluster id (`zone:<id>`) when that end is a collapsed zone. */
  fromId: string;
  toId: string;
}

export interface MapRendererEvents {
  onSelectNode: (nodeId: string) => void;
  onSelectCluster: (zoneId: string) => void;
  onSelectEdge: (selection: EdgeSelection) => void;
  /** A click on empty map: the zone region under it, or null outside every region. */
  onSelectRegion: (zoneId: string | null) => void;
  /** A double-click on a collapsed zone. */
  onOpenZone: (zoneId: string) => void;
  /** The first frame of a render() was drawn, `elapsedMs` after render() was called. */
  onDrawn?: (render: number, elapsedMs: number) => void;
}

export interface MapRenderer {
  /** Shows this graph; returns the render's number (see onDrawn). */
  render: (graph: MapGraph, regions: readonly Region[], fit: boolean) => number;
  /** Zones whose region is outlined (the selected zone, or the two of a zone pair). */
  highlightZones: (zoneIds: ReadonlySet<string>) => void;
  /** Selects a drawn node; centres it when asked. False when the node is not drawn. */
  selectNode: (nodeId: string, focus: boolean) => boolean;
  selectEdges: (edgeIds: readonly string[]) => void;
  clearSelection: () => void;
  fit: () => void;
  /** Every drawn node's position, as vis-network holds it (rounded to whole canvas units). */
  positions: () => Record<string, Point>;
  /** Where a drawn node is in the page (CSS pixels), or null when it is not drawn. */
  pagePosition: (nodeId: string) => Point | null;
  /** Where the middle of a drawn edge is in the page (CSS pixels), or null. */
  edgePagePosition: (edgeId: string) => Point | null;
  drawnNodeIds: () => string[];
  drawnEdgeIds: () => string[];
  /** The verdict a drawn edge shows (a bundle's worst), or null when it is not drawn. */
  drawnVerdict: (edgeId: string) => string | null;
  destroy: () => void;
}

/** Past this many drawn flows, edges are hidden while the view moves, to keep panning smooth. */
const manyEdges = 2000;

const options: Options = {
  autoResize: true,
  width: '100%',
  height: '100%',
  physics: { enabled: false },
  layout: { improvedLayout: false, randomSeed: 1 },
  interaction: {
    dragNodes: false,
    dragView: true,
    zoomView: true,
    hover: false,
    multiselect: false,
    selectConnectedEdges: true,
    navigationButtons: false,
    keyboard: { enabled: true, bindToWindow: false },
  },
  nodes: {
    fixed: { x: true, y: true },
    font: { size: 9, face: 'system-ui, sans-serif', color: '#111821' },
    scaling: { label: { enabled: false, drawThreshold: 6 } },
  },
  edges: {
    smooth: false,
    arrows: { to: { enabled: true, scaleFactor: 0.45 } },
    selectionWidth: 1.5,
  },
};

interface ClickParams {
  nodes: IdType[];
  edges: IdType[];
  pointer: { DOM: Point; canvas: Point };
}

/** What decides whether a drawn item must be replaced. */
function signature(item: GraphNode | GraphEdge): string {
  return JSON.stringify(item);
}

export function createMapRenderer(container: HTMLElement, events: MapRendererEvents): MapRenderer {
  const nodes = new DataSet<Node>();
  const edges = new DataSet<Edge>();
  const network = new Network(container, { nodes, edges }, options);
  let regions: readonly Region[] = [];
  let highlighted: ReadonlySet<string> = new Set();
  let nodeSignatures = new Map<string, string>();
  let edgeSignatures = new Map<string, string>();
  let edgeById = new Map<string, GraphEdge>();
  let renderCount = 0;
  let drawingHeavy = false;
  let pendingDraw: { render: number; startedMs: number } | null = null;

  network.on('beforeDrawing', (context: CanvasRenderingContext2D) => {
    drawRegions(context, regions, network.getScale(), highlighted);
  });
  network.on('afterDrawing', () => {
    if (pendingDraw === null) return;
    const { render, startedMs } = pendingDraw;
    pendingDraw = null;
    events.onDrawn?.(render, performance.now() - startedMs);
  });
  network.on('click', (params: ClickParams) => {
    const nodeId = params.nodes[0];
    if (nodeId !== undefined) {
      const zoneId = zoneIdOfCluster(String(nodeId));
      if (zoneId !== null) events.onSelectCluster(zoneId);
      else events.onSelectNode(String(nodeId));
      return;
    }
    const edge = params.edges[0] === undefined ? undefined : edgeById.get(String(params.edges[0]));
    if (edge !== undefined) {
      events.onSelectEdge({
        edgeId: edge.id,
        flowIds: edge.flowIds,
        fromId: edge.from,
        toId: edge.to,
      });
      return;
    }
    events.onSelectRegion(regionAt(regions, params.pointer.canvas)?.zoneId ?? null);
  });
  network.on('doubleClick', (params: ClickParams) => {
    const nodeId = params.nodes[0];
    const zoneId = nodeId === undefined ? null : zoneIdOfCluster(String(nodeId));
    if (zoneId !== null) events.onOpenZone(zoneId);
  });

  /** What to remove, add and change to go from what is drawn to `next`. */
  function difference<T extends GraphNode | GraphEdge>(
    drawn: ReadonlyMap<string, string>,
    next: readonly T[],
  ): { signatures: Map<string, string>; remove: string[]; add: T[]; update: T[] } {
    const signatures = new Map<string, string>();
    const add: T[] = [];
    const update: T[] = [];
    for (const item of next) {
      const itemSignature = signature(item);
      signatures.set(item.id, itemSignature);
      const before = drawn.get(item.id);
      if (before === undefined) add.push(item);
      else if (before !== itemSignature) update.push(item);
    }
    const remove = [...drawn.keys()].filter((id) => !signatures.has(id));
    return { signatures, remove, add, update };
  }

  function fitToRegions(): void {
    const bounds = regionBounds(regions);
    if (bounds === null) return;
    // The page around the map may have changed its size since vis-network last looked: let it
    // catch up first, or it rescales the fitted view on its next frame.
    network.setSize('100%', '100%');
    const box = container.getBoundingClientRect();
    const view = fitView(bounds, { width: box.width, height: box.height });
    network.moveTo({ position: view.position, scale: view.scale, animation: false });
  }

  function toPage(point: Point): Point {
    const dom = network.canvasToDOM(point);
    const box = container.getBoundingClientRect();
    return { x: box.left + dom.x, y: box.top + dom.y };
  }

  return {
    render(graph, nextRegions, fit) {
      renderCount += 1;
      const startedMs = performance.now();
      regions = nextRegions;
      const heavy = graph.edges.length > manyEdges;
      if (heavy !== drawingHeavy) {
        drawingHeavy = heavy;
        // Many flows: no arrowheads (a bundle keeps its own) and no edges while the view moves.
        network.setOptions({
          interaction: { hideEdgesOnDrag: heavy, hideEdgesOnZoom: heavy },
          edges: { arrows: { to: { enabled: !heavy, scaleFactor: 0.45 } } },
        });
      }
      const nodeChanges = difference(nodeSignatures, graph.nodes);
      const edgeChanges = difference(edgeSignatures, graph.edges);
      // Edges leave before the nodes they hang on, and arrive after them. An id keeps the same
      // fields from one graph to the next, so an update replaces all of what was drawn.
      edges.remove(edgeChanges.remove);
      nodes.remove(nodeChanges.remove);
      nodes.update(nodeChanges.update);
      nodes.add(nodeChanges.add);
      edges.update(edgeChanges.update);
      edges.add(edgeChanges.add);
      nodeSignatures = nodeChanges.signatures;
      edgeSignatures = edgeChanges.signatures;
      edgeById = new Map(graph.edges.map((edge) => [edge.id, edge]));
      // One drawing, on the next animation frame: moving the view (even where it is) asks for it.
      pendingDraw = { render: renderCount, startedMs };
      if (fit) fitToRegions();
      else {
        network.moveTo({
          position: network.getViewPosition(),
          scale: network.getScale(),
          animation: false,
        });
      }
      return renderCount;
    },
    highlightZones(zoneIds) {
      highlighted = zoneIds;
      network.redraw();
    },
    selectNode(nodeId, focus) {
      if (!nodeSignatures.has(nodeId)) return false;
      network.selectNodes([nodeId], true);
      if (focus) {
        network.focus(nodeId, {
          scale: Math.max(network.getScale(), 1.2),
          animation: false,
          locked: false,
        });
      }
      network.redraw();
      return true;
    },
    selectEdges(edgeIds) {
      const drawn = edgeIds.filter((id) => edgeSignatures.has(id));
      network.setSelection({ nodes: [], edges: drawn }, { unselectAll: true });
      network.redraw();
    },
    clearSelection() {
      network.unselectAll();
    },
    fit: fitToRegions,
    positions() {
      return network.getPositions([...nodeSignatures.keys()]);
    },
    pagePosition(nodeId) {
      if (!nodeSignatures.has(nodeId)) return null;
      return toPage(network.getPosition(nodeId));
    },
    edgePagePosition(edgeId) {
      const edge = edgeById.get(edgeId);
      if (edge === undefined) return null;
      const from = network.getPosition(edge.from);
      const to = network.getPosition(edge.to);
      return toPage({ x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 });
    },
    drawnNodeIds: () => [...nodeSignatures.keys()],
    drawnEdgeIds: () => [...edgeSignatures.keys()],
    drawnVerdict: (edgeId) => edgeById.get(edgeId)?.verdict ?? null,
    destroy() {
      network.destroy();
    },
  };
}
