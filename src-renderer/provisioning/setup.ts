// What the wizard needs before it can succeed, and the choices it offers: whether the console's
// PKI is ready (a CA, trusted manufacturers, a baseline and its publisher key), the port to open,
// and the zone preselected when main asks for one. Pure.
// Invariant: the port typed by hand wins over the one picked from the list, so an adapter the
// system does not list can always be used.
import type { ResultOf } from '../../src-preload/contract';
import type { IdentifiedDevice, ZoneOption } from './wizard';

export type PkiOverview = ResultOf<'pki:overview'>;
export type SerialPortInfo = ResultOf<'provision:ports'>[number];

/** What an engineer must still set up, as the end of "ask an engineer to …". */
export function missingSetup(overview: PkiOverview): string[] {
  const missing: string[] = [];
  if (overview.authority === null) {
    missing.push("create or import the console's certificate authority");
  }
  if (overview.trustAnchors === 0) {
    missing.push("import the manufacturers' trust anchors");
  }
  if (overview.baselinePublisher === null) {
    missing.push('configure the firmware baseline publisher key');
  }
  if (overview.baseline === null) {
    missing.push('import a signed firmware baseline');
  }
  return missing;
}

/** "a, b and c". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** The port the wizard opens: the typed path when there is one, else the picked one. */
export function chosenPortPath(picked: string | null, typed: string): string | null {
  const path = typed.trim();
  if (path !== '') return path;
  return picked === null || picked === '' ? null : picked;
}

/** "/dev/ttyUSB0 · FTDI · serial A10K3" */
export function portLabel(port: SerialPortInfo): string {
  const parts = [port.path];
  if (port.manufacturer) parts.push(port.manufacturer);
  if (port.serialNumber) parts.push(`serial ${port.serialNumber}`);
  if (port.vendorId && port.productId) parts.push(`${port.vendorId}:${port.productId}`);
  if (port.resolvedPath && port.resolvedPath !== port.path) parts.push(`→ ${port.resolvedPath}`);
  return parts.join(' · ');
}

export interface PlacementChoice {
  zoneId: string;
  /** Undefined: the zone's default VLAN (main picks it). */
  vlan: number | undefined;
}

/** The device's current zone when main offers it, else the first zone; its first VLAN. */
export function initialPlacement(
  device: IdentifiedDevice,
  zones: readonly ZoneOption[],
): PlacementChoice | null {
  const zone = zones.find((candidate) => candidate.id === device.currentZoneId) ?? zones[0];
  if (zone === undefined) return null;
  return { zoneId: zone.id, vlan: zone.vlans[0]?.id };
}

/** The choice after picking another zone: its first VLAN, since VLANs belong to one zone. */
export function placementForZone(
  zones: readonly ZoneOption[],
  zoneId: string,
): PlacementChoice | null {
  const zone = zones.find((candidate) => candidate.id === zoneId);
  if (zone === undefined) return null;
  return { zoneId: zone.id, vlan: zone.vlans[0]?.id };
}
