// Words people read for the network domain's codes: verdict reasons, device findings, conduit
// states and directions, protocols. Every vocabulary is a total map over its model type, so a new
// code fails the build until it has words.
import type {
  ConduitDirection,
  ConduitProtocol,
  ConduitState,
  DeviceFindingKind,
  FlowProtocol,
  VerdictReason,
} from '../../src-preload/network/model';

export const verdictReasonLabels: Readonly<Record<VerdictReason, string>> = {
  'intra-zone': 'inside its zone',
  'conduit-allow': 'a conduit allows it',
  'conduit-monitor': 'a conduit monitors it',
  'conduit-deny': 'a conduit denies it',
  'no-conduit': 'no conduit between the zones',
  'isolated-zone': 'devices of an isolated zone may not talk to each other',
  cleartext: 'cleartext clinical protocol across zones',
};

export const deviceFindingLabels: Readonly<Record<DeviceFindingKind, string>> = {
  'zone-mismatch': 'its address is in another zone than the one assigned',
  unzoned: 'its address is in no zone',
  'assigned-zone-missing': 'the zone assigned to it no longer exists',
  'address-invalid': 'its IP address is not valid',
  'address-shared': 'another device has the same address',
};

export const conduitStateLabels: Readonly<Record<ConduitState, string>> = {
  allow: 'Allow',
  monitor: 'Monitor',
  deny: 'Deny',
};

export const conduitDirectionLabels: Readonly<Record<ConduitDirection, string>> = {
  'one-way': 'One way',
  both: 'Both ways',
};

export const conduitProtocolLabels: Readonly<Record<ConduitProtocol, string>> = {
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMP',
  any: 'Any',
};

export const flowProtocolLabels: Readonly<Record<FlowProtocol, string>> = {
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMP',
  other: 'Other',
};

/** "TCP 2575", "ICMP" (an ICMP flow's port is a code, not worth a column of its own). */
export function formatService(protocol: FlowProtocol, port: number): string {
  return protocol === 'tcp' || protocol === 'udp'
    ? `${flowProtocolLabels[protocol]} ${port}`
    : flowProtocolLabels[protocol];
}

const momentFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** A time for people, in the window's locale and time zone; an unreadable one as it came. */
export function formatMoment(time: string | number): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? String(time) : momentFormat.format(date);
}
