import { describe, expect, it } from 'vitest';
import type { PkiOverview } from './setup';
import {
  chosenPortPath,
  initialPlacement,
  joinWords,
  missingSetup,
  placementForZone,
  portLabel,
} from './setup';
import type { IdentifiedDevice, ZoneOption } from './wizard';

const empty: PkiOverview = {
  authority: null,
  policy: { siteName: null, certificateValidityDays: 365, crlValidityDays: 7 },
  trustAnchors: 0,
  baseline: null,
  baselinePublisher: null,
  expiry: { within30Days: 0, within60Days: 0, within90Days: 0, expired: 0 },
  latestCrl: null,
};

const ready: PkiOverview = {
  ...empty,
  authority: {
    origin: 'local',
    subject: 'CN=Site Issuing CA',
    fingerprintSha256: 'ab'.repeat(32),
    keyAlgorithm: 'ecdsa-p256',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2031-01-01T00:00:00Z',
    chainSubjects: ['CN=Site Issuing CA', 'CN=Site Root CA'],
    installedAt: '2026-01-01T00:00:00Z',
  },
  trustAnchors: 2,
  baseline: {
    sequence: 1,
    publisher: 'Clinical Engineering',
    issuedAt: '2026-01-01T00:00:00Z',
    importedAt: '2026-01-01T00:00:00Z',
    models: 2,
    approvedImages: 3,
    publisherKeyFingerprintSha256: 'cd'.repeat(32),
  },
  baselinePublisher: {
    fingerprintSha256: 'cd'.repeat(32),
    algorithm: 'ed25519',
    configuredAt: '2026-01-01T00:00:00Z',
  },
};

const zones: ZoneOption[] = [
  { id: 'life-sustaining', name: 'Life-sustaining', vlans: [{ id: 110, name: 'ICU' }] },
  {
    id: 'medical-devices',
    name: 'Medical devices',
    vlans: [
      { id: 120, name: 'Wards' },
      { id: 121, name: 'Theatres' },
    ],
  },
  { id: 'guest', name: 'Guest', vlans: [] },
];

function device(currentZoneId: string | null): IdentifiedDevice {
  return {
    deviceUid: 'dev-1',
    manufacturer: 'Medica Infusion Systems',
    model: 'InfuPro 3000',
    serialNumber: 'IP3-0001',
    firmwareVersion: '4.2.1',
    inventoryState: 'in_service',
    currentZoneId,
  };
}

describe('missingSetup', () => {
  it('lists everything an engineer must set up on a new console', () => {
    expect(joinWords(missingSetup(empty))).toBe(
      "create or import the console's certificate authority, import the manufacturers' trust anchors, configure the firmware baseline publisher key and import a signed firmware baseline",
    );
  });

  it('asks nothing of a console that is set up', () => {
    expect(missingSetup(ready)).toEqual([]);
    expect(missingSetup({ ...ready, baseline: null })).toEqual([
      'import a signed firmware baseline',
    ]);
  });
});

describe('ports', () => {
  it('uses a typed path over the picked port, and neither when both are empty', () => {
    expect(chosenPortPath('/dev/ttyUSB0', ' /dev/pts/7 ')).toBe('/dev/pts/7');
    expect(chosenPortPath('/dev/ttyUSB0', '  ')).toBe('/dev/ttyUSB0');
    expect(chosenPortPath(null, '')).toBeNull();
  });

  it('labels a port with what the system knows of its adapter', () => {
    expect(
      portLabel({
        path: '/dev/ttyUSB0',
        source: 'system',
        manufacturer: 'FTDI',
        serialNumber: 'A10K3',
        vendorId: '0403',
        productId: '6001',
      }),
    ).toBe('/dev/ttyUSB0 · FTDI · serial A10K3 · 0403:6001');
    expect(portLabel({ path: '/tmp/a', source: 'given', resolvedPath: '/dev/pts/4' })).toBe(
      '/tmp/a · → /dev/pts/4',
    );
  });
});

describe('placement', () => {
  it('preselects the device’s current zone and its first VLAN', () => {
    expect(initialPlacement(device('medical-devices'), zones)).toEqual({
      zoneId: 'medical-devices',
      vlan: 120,
    });
  });

  it('falls back to the first zone for a device without a zone or with an unknown one', () => {
    expect(initialPlacement(device(null), zones)).toEqual({ zoneId: 'life-sustaining', vlan: 110 });
    expect(initialPlacement(device('gone'), zones)?.zoneId).toBe('life-sustaining');
    expect(initialPlacement(device(null), [])).toBeNull();
  });

  it('takes the new zone’s VLAN when the zone changes, none when it has none', () => {
    expect(placementForZone(zones, 'guest')).toEqual({ zoneId: 'guest', vlan: undefined });
    expect(placementForZone(zones, 'nowhere')).toBeNull();
  });
});
