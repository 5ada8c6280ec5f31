// The violations list: findings (violations and insecure flows) as rows, sorted by clinical risk so
// a life-sustaining device's exposure is read first, each with the device to show on the map.
// Invariant: a total order (risk, verdict, connections, last seen, flow id): the same findings
// always list the same way, whatever order main sent them in.
import type { Criticality } from '../../src-preload/contract';
import type { FlowProtocol, Verdict, VerdictReason } from '../../src-preload/network/model';
import { criticalityRank } from '../../src-preload/network/model';
import { verdictSeverity } from './mapStyle';
import type { MapIndex } from './selection';
import type { Finding } from './types';

export interface FlowEnd {
  address: string;
  /** The map node at this address, when there is one. */
  nodeId: string | null;
  /** The device's label, or the address. */
  label: string;
  zoneId: string;
  criticality: Criticality | null;
}

export interface ViolationRow {
  flowId: number;
  verdict: Verdict;
  reason: VerdictReason;
  /** The worst criticality of the two ends (devices and zones), as main judged it. */
  risk: Criticality;
  source: FlowEnd;
  destination: FlowEnd;
  protocol: FlowProtocol;
  port: number;
  connections: number;
  lastSeenMs: number;
  cleartext: string | null;
  conduitId: string | null;
  /** The device to select on the map: the more critical end, the source on a tie. */
  focusNodeId: string | null;
}

export function compareViolations(a: ViolationRow, b: ViolationRow): number {
  return (
    criticalityRank[a.risk] - criticalityRank[b.risk] ||
    verdictSeverity[a.verdict] - verdictSeverity[b.verdict] ||
    b.connections - a.connections ||
    b.lastSeenMs - a.lastSeenMs ||
    a.flowId - b.flowId
  );
}

function flowEnd(index: MapIndex | null, address: string, zoneId: string): FlowEnd {
  const node = index?.nodeByAddress.get(address);
  return {
    address,
    nodeId: node?.id ?? null,
    label: node?.kind === 'device' ? node.label : address,
    zoneId,
    criticality: node?.kind === 'device' ? node.criticality : null,
  };
}

function endRank(end: FlowEnd): number {
  return end.criticality === null ? Number.POSITIVE_INFINITY : criticalityRank[end.criticality];
}

export function violationRows(
  findings: readonly Finding[],
  index: MapIndex | null,
): ViolationRow[] {
  const rows = findings.map(({ flow, verdict }): ViolationRow => {
    const source = flowEnd(index, flow.source, verdict.sourceZoneId);
    const destination = flowEnd(index, flow.destination, verdict.destinationZoneId);
    const focus = endRank(destination) < endRank(source) ? destination : source;
    return {
      flowId: flow.id,
      verdict: verdict.verdict,
      reason: verdict.reason,
      risk: verdict.risk,
      source,
      destination,
      protocol: flow.protocol,
      port: flow.port,
      connections: flow.count,
      lastSeenMs: flow.lastSeenMs,
      cleartext: verdict.cleartext,
      conduitId: verdict.conduitId,
      focusNodeId: focus.nodeId ?? source.nodeId ?? destination.nodeId,
    };
  });
  return rows.sort(compareViolations);
}
