// The what-if draft: device moves and conduit edits kept in the window until they are tried
// (network:what-if) and applied as one recorded policy version (network:apply). Pure values.
// Invariants: at most one move per device and one edit per conduit (a later one replaces it); a
// move back to where the device is now is no move; the draft sent to main lists entries by id, so
// the same edits always make the same request.
import type { PolicyDraft } from '../../src-preload/network/schemas';
import type { Conduit, ConduitProtocol, PortRange, Verdict } from '../../src-preload/network/model';
import { compareText } from '../../src-preload/network/model';
import type { WhatIf } from './types';

export interface DraftMove {
  deviceUid: string;
  nodeId: string;
  label: string;
  /** Where the device is now (its zone on the map). */
  fromZoneId: string;
  toZoneId: string;
}

export interface DraftConduit {
  conduit: Conduit;
  /** Added by the draft; otherwise it replaces the conduit of the same id. */
  isNew: boolean;
}

export interface NetworkDraft {
  /** By device uid. */
  moves: DraftMove[];
  /** By conduit id. */
  conduits: DraftConduit[];
}

export const emptyDraft: NetworkDraft = { moves: [], conduits: [] };

export function draftSize(draft: NetworkDraft): number {
  return draft.moves.length + draft.conduits.length;
}

export function withMove(draft: NetworkDraft, move: DraftMove): NetworkDraft {
  const others = draft.moves.filter((item) => item.deviceUid !== move.deviceUid);
  const moves = move.toZoneId === move.fromZoneId ? others : [...others, move];
  return { ...draft, moves: moves.sort((a, b) => compareText(a.deviceUid, b.deviceUid)) };
}

export function withoutMove(draft: NetworkDraft, deviceUid: string): NetworkDraft {
  return { ...draft, moves: draft.moves.filter((item) => item.deviceUid !== deviceUid) };
}

export function withConduit(draft: NetworkDraft, edit: DraftConduit): NetworkDraft {
  const conduits = [
    ...draft.conduits.filter((item) => item.conduit.id !== edit.conduit.id),
    edit,
  ].sort((a, b) => compareText(a.conduit.id, b.conduit.id));
  return { ...draft, conduits };
}

export function withoutConduit(draft: NetworkDraft, conduitId: string): NetworkDraft {
  return { ...draft, conduits: draft.conduits.filter((item) => item.conduit.id !== conduitId) };
}

/** The request body main takes for network:what-if and network:apply. */
export function toPolicyDraft(draft: NetworkDraft): PolicyDraft {
  return {
    moves: draft.moves.map((move) => ({ deviceUid: move.deviceUid, zoneId: move.toZoneId })),
    updateConduits: draft.conduits.filter((item) => !item.isNew).map((item) => item.conduit),
    addConduits: draft.conduits.filter((item) => item.isNew).map((item) => item.conduit),
  };
}

/** The policy's conduits as the draft would leave them, by id. */
export function draftedConduits(conduits: readonly Conduit[], draft: NetworkDraft): Conduit[] {
  const byId = new Map(conduits.map((conduit) => [conduit.id, conduit]));
  for (const item of draft.conduits) byId.set(item.conduit.id, item.conduit);
  return [...byId.values()].sort((a, b) => compareText(a.id, b.id));
}

/** Flow id → its verdict under the draft, for the flows a what-if says would change. */
export function draftVerdictsOf(whatIf: WhatIf | null): Map<number, Verdict> {
  const verdicts = new Map<number, Verdict>();
  for (const change of whatIf?.changes ?? []) verdicts.set(change.flow.id, change.after.verdict);
  return verdicts;
}

export type PortsParse = { ok: true; ports: PortRange[] } | { ok: false; message: string };

/**
 * Ports as people write them: "2575", "443, 8443", "8000-8100". Empty means every port. Only TCP
 * and UDP conduits name ports.
 */
export function parsePorts(text: string, protocol: ConduitProtocol): PortsParse {
  const parts = text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) return { ok: true, ports: [] };
  if (protocol !== 'tcp' && protocol !== 'udp') {
    return {
      ok: false,
      message: `a ${protocol.toUpperCase()} conduit has no ports: leave it empty`,
    };
  }
  const ports: PortRange[] = [];
  for (const part of parts) {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (match === null) {
      return { ok: false, message: `"${part}" is not a port or a range such as 8000-8100` };
    }
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 1 || to > 65535) {
      return { ok: false, message: `"${part}": a port is 1–65535` };
    }
    if (from > to) return { ok: false, message: `"${part}": the range must go up` };
    ports.push({ from, to });
  }
  ports.sort((a, b) => a.from - b.from || a.to - b.to);
  const unique = ports.filter(
    (port, index) =>
      index === 0 || port.from !== ports[index - 1]!.from || port.to !== ports[index - 1]!.to,
  );
  return { ok: true, ports: unique };
}

export function formatPorts(ports: readonly PortRange[]): string {
  return ports
    .map((port) => (port.from === port.to ? `${port.from}` : `${port.from}-${port.to}`))
    .join(', ');
}

const maximumConduitIdLength = 64;

/** A new conduit's id from its zones and protocol, unused by `taken`, within the id's 64 characters. */
export function newConduitId(
  from: string,
  to: string,
  protocol: ConduitProtocol,
  taken: ReadonlySet<string>,
): string {
  const base = `${from}-to-${to}-${protocol}`;
  for (let attempt = 1; ; attempt += 1) {
    const suffix = attempt === 1 ? '' : `-${attempt}`;
    const id = `${base.slice(0, maximumConduitIdLength - suffix.length)}${suffix}`;
    if (!taken.has(id)) return id;
  }
}
