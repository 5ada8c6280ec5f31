// The printable label of a provisioned device: asset tag when the inventory has one, the device,
// its serial number, its certificate's fingerprint and the date. Pure.
// Invariant: the fingerprint on the label is the whole SHA-256 (32 bytes), in lines short enough
// for a label printer, so a technician can compare it with the console digit for digit.
import { formatFingerprint } from './outcome';
import type { ProvisionedOutcome } from './wizard';

export interface LabelLine {
  term: string;
  value: string;
}

export interface DeviceLabel {
  /** The biggest text: the asset tag, or the device's name when it has none. */
  title: string;
  lines: LabelLine[];
  /** The fingerprint in lines of eight bytes. */
  fingerprintLines: string[];
}

/** Splits "AA:BB:…" into lines of `bytesPerLine` bytes. */
export function fingerprintLines(fingerprint: string, bytesPerLine = 8): string[] {
  const bytes = formatFingerprint(fingerprint).split(':').filter(Boolean);
  const lines: string[] = [];
  for (let start = 0; start < bytes.length; start += bytesPerLine) {
    lines.push(bytes.slice(start, start + bytesPerLine).join(':'));
  }
  return lines;
}

/** YYYY-MM-DD in UTC. */
export function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function deviceLabel(
  outcome: ProvisionedOutcome,
  options: { assetTag: string | null },
): DeviceLabel {
  const device = outcome.device;
  const name = device ? `${device.manufacturer} ${device.model}` : outcome.deviceUid;
  const assetTag = options.assetTag?.trim() ? options.assetTag.trim() : null;
  const lines: LabelLine[] = [];
  if (assetTag !== null) lines.push({ term: 'Device', value: name });
  if (device) lines.push({ term: 'Serial', value: device.serialNumber });
  lines.push({ term: 'Zone', value: `${outcome.zoneId} / VLAN ${outcome.vlan}` });
  lines.push({ term: 'Certificate', value: outcome.certificate.serial });
  lines.push({ term: 'Valid until', value: outcome.certificate.notAfter.slice(0, 10) });
  lines.push({ term: 'Provisioned', value: isoDate(outcome.endedAtMs) });
  return {
    title: assetTag ?? name,
    lines,
    fingerprintLines: fingerprintLines(outcome.certificate.fingerprintSha256),
  };
}
