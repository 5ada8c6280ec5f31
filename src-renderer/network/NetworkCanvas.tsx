// The map itself: mounts the vis-network renderer once, hands it each new graph, and mirrors the
// store's selection onto it (outlined zones, the selected device or flows, centring on request).
// Invariants: the view is fitted to the whole map only on the first drawing and when the filters
// change, so opening a zone or previewing a draft never moves what the user is looking at; the
// read-only probe `window.__wardkeepMap` (positions and what is drawn, for browser tests) exists
// only while the map is mounted and reaches nothing but the drawing.
import { useEffect, useRef, useState } from 'react';
import type { MapFilters } from './filters';
import type { MapRenderer } from './mapRenderer';
import { createMapRenderer } from './mapRenderer';
import { useNetworkStore } from './networkStore';
import type { Point } from './regions';
import { zonePairOfEdge } from './selection';
import { useMapGraph } from './useMapGraph';

export interface MapProbe {
  /** Drawings completed so far: one per new graph (first render, filter, opened zone…). */
  drawn: () => number;
  nodeIds: () => string[];
  edgeIds: () => string[];
  /** The verdict an edge is drawn with (the draft's while a what-if is shown). */
  edgeVerdict: (edgeId: string) => string | null;
  positions: () => Record<string, Point>;
  /** Page coordinates (CSS pixels) of a drawn node or of the middle of a drawn edge. */
  pagePosition: (nodeId: string) => Point | null;
  edgePagePosition: (edgeId: string) => Point | null;
}

declare global {
  interface Window {
    __wardkeepMap?: MapProbe;
  }
}

export function NetworkCanvas() {
  const containerRef = useRef<HTMLDivElement>(null);
  const rendererRef = useRef<MapRenderer | null>(null);
  const fittedFilters = useRef<MapFilters | null>(null);
  const handledFocus = useRef(0);
  const [drawn, setDrawn] = useState(0);
  const { graph, regions } = useMapGraph();
  const filters = useNetworkStore((state) => state.filters);
  const selection = useNetworkStore((state) => state.selection);
  const focusRequest = useNetworkStore((state) => state.focusRequest);

  useEffect(() => {
    const container = containerRef.current;
    if (container === null) return undefined;
    let drawings = 0;
    const store = useNetworkStore.getState;
    const renderer = createMapRenderer(container, {
      onSelectNode: (nodeId) => store().selectDevice(nodeId, false),
      onSelectCluster: (zoneId) => store().selectZone(zoneId),
      onSelectEdge: (edge) => {
        const { index } = store();
        const pair =
          index === null ? null : zonePairOfEdge(index, edge.fromId, edge.toId, edge.flowIds);
        if (pair !== null) store().selectPair(pair, edge.flowIds);
      },
      onSelectRegion: (zoneId) => {
        if (zoneId === null) store().clearSelection();
        else store().selectZone(zoneId);
      },
      onOpenZone: (zoneId) => store().openZone(zoneId),
      onDrawn: () => {
        drawings += 1;
        setDrawn(drawings);
      },
    });
    rendererRef.current = renderer;
    window.__wardkeepMap = Object.freeze({
      drawn: () => drawings,
      nodeIds: renderer.drawnNodeIds,
      edgeIds: renderer.drawnEdgeIds,
      edgeVerdict: renderer.drawnVerdict,
      positions: renderer.positions,
      pagePosition: renderer.pagePosition,
      edgePagePosition: renderer.edgePagePosition,
    });
    return () => {
      delete window.__wardkeepMap;
      rendererRef.current = null;
      fittedFilters.current = null;
      renderer.destroy();
    };
  }, []);

  useEffect(() => {
    const renderer = rendererRef.current;
    if (renderer === null || graph === null) return;
    const fit = fittedFilters.current !== filters;
    fittedFilters.current = filters;
    renderer.render(graph, regions, fit);
  }, [graph, regions, filters]);

  useEffect(() => {
    const renderer = rendererRef.current;
    if (renderer === null || graph === null) return;
    const focus = focusRequest !== handledFocus.current;
    handledFocus.current = focusRequest;
    switch (selection?.kind) {
      case 'device':
        renderer.highlightZones(new Set());
        if (!renderer.selectNode(selection.nodeId, focus)) renderer.clearSelection();
        return;
      case 'zone':
        renderer.clearSelection();
        renderer.highlightZones(new Set([selection.zoneId]));
        return;
      case 'pair': {
        const flows = new Set(selection.flowIds);
        renderer.highlightZones(new Set([selection.pair.from, selection.pair.to]));
        renderer.selectEdges(
          graph.edges
            .filter((edge) => edge.flowIds.some((flowId) => flows.has(flowId)))
            .map((edge) => edge.id),
        );
        return;
      }
      case undefined:
        renderer.highlightZones(new Set());
        renderer.clearSelection();
        return;
    }
  }, [selection, graph, focusRequest]);

  return (
    <div
      ref={containerRef}
      className="network-map__canvas"
      role="application"
      tabIndex={0}
      aria-label="Network map: zones as regions, devices inside them, flows coloured by verdict. The side panel and the violations list give the same information as text."
      data-testid="network-canvas"
      data-drawn={drawn}
    />
  );
}
