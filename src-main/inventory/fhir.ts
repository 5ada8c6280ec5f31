// Devices as FHIR R4 `Device` resources in a `collection` Bundle. Only elements R4 defines are
// written, each with its R4 type and cardinality; empty values are left out rather than written
// as empty strings (FHIR forbids those). The bundle is assembled one entry at a time.
import type { DeviceRecord, LifecycleState, UdiIssuer } from '../../src-preload/contract';
import { deviceClassLabels } from '../../src-preload/contract';

/** The code system of Wardkeep's device classes (the codes are the stored device_class values). */
export const deviceClassCodeSystem = 'https://wardkeep.org/fhir/CodeSystem/device-class';

/** UDI issuing agencies as R4 names them in Device.udiCarrier.issuer. */
export const udiIssuerSystems: Record<UdiIssuer, string> = {
  GS1: 'http://hl7.org/fhir/NamingSystem/gs1-di',
  HIBCC: 'http://hl7.org/fhir/NamingSystem/hibcc-dI',
  ICCBBA: 'http://hl7.org/fhir/NamingSystem/iccbba-other-di',
};

const deviceStatuses: Record<LifecycleState, 'active' | 'inactive'> = {
  received: 'active',
  in_service: 'active',
  quarantined: 'inactive',
  decommissioned: 'inactive',
};

export interface FhirCodeableConcept {
  coding?: Array<{ system: string; code: string; display: string }>;
  text: string;
}

export interface FhirDevice {
  resourceType: 'Device';
  id: string;
  meta: { versionId: string; lastUpdated: string };
  identifier?: Array<{ type: FhirCodeableConcept; value: string }>;
  udiCarrier?: Array<{ deviceIdentifier: string; issuer: string; carrierHRF?: string }>;
  status: 'active' | 'inactive';
  manufacturer: string;
  serialNumber: string;
  deviceName: Array<{ name: string; type: 'model-name' }>;
  modelNumber: string;
  type: FhirCodeableConcept;
  version?: Array<{ type: FhirCodeableConcept; value: string }>;
  owner?: { display: string };
  location?: { display: string };
  note?: Array<{ text: string }>;
}

/**
 * The UDI as printed on the label (human-readable form), from the device identifier and the
 * production identifier. GS1: `(01)` + DI, then the PI as its application identifiers — a PI
 * without them is taken as a serial number `(21)`. HIBCC: primary and secondary data joined by
 * `/`. ICCBBA: the data structures concatenated.
 */
export function udiHumanReadableForm(
  issuer: UdiIssuer,
  deviceIdentifier: string,
  productionIdentifier: string,
): string {
  switch (issuer) {
    case 'GS1':
      return `(01)${deviceIdentifier}${productionIdentifier.startsWith('(') ? '' : '(21)'}${productionIdentifier}`;
    case 'HIBCC':
      return `${deviceIdentifier}${productionIdentifier.startsWith('/') ? '' : '/'}${productionIdentifier}`;
    case 'ICCBBA':
      return `${deviceIdentifier}${productionIdentifier}`;
  }
}

function locationDisplay(device: DeviceRecord): string | null {
  const parts = [
    device.site,
    device.building,
    device.floor === null ? null : `floor ${device.floor}`,
    device.room === null ? null : `room ${device.room}`,
    device.bed === null ? null : `bed ${device.bed}`,
  ].filter((part): part is string => part !== null);
  return parts.length === 0 ? null : parts.join(', ');
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The entry's fullUrl: the device's uid as a URN (a UUID in every real store). */
export function deviceFullUrl(uid: string): string {
  return uuidPattern.test(uid)
    ? `urn:uuid:${uid.toLowerCase()}`
    : `urn:wardkeep:device:${encodeURIComponent(uid)}`;
}

export function toFhirDevice(device: DeviceRecord): FhirDevice {
  const label = deviceClassLabels[device.deviceClass];
  const resource: FhirDevice = {
    resourceType: 'Device',
    id: device.uid,
    meta: { versionId: String(device.revision), lastUpdated: device.updatedAt },
    status: deviceStatuses[device.lifecycleState],
    manufacturer: device.manufacturer,
    serialNumber: device.serialNumber,
    deviceName: [{ name: device.model, type: 'model-name' }],
    modelNumber: device.model,
    type: {
      coding: [{ system: deviceClassCodeSystem, code: device.deviceClass, display: label }],
      text: label,
    },
  };
  const identifiers: NonNullable<FhirDevice['identifier']> = [];
  if (device.assetTag !== null)
    identifiers.push({ type: { text: 'Asset tag' }, value: device.assetTag });
  if (device.macAddress !== null)
    identifiers.push({ type: { text: 'MAC address' }, value: device.macAddress });
  if (identifiers.length > 0) resource.identifier = identifiers;
  if (device.udiDeviceIdentifier !== null && device.udiIssuer !== null) {
    resource.udiCarrier = [
      {
        deviceIdentifier: device.udiDeviceIdentifier,
        issuer: udiIssuerSystems[device.udiIssuer],
        ...(device.udiProductionIdentifier === null
          ? {}
          : {
              carrierHRF: udiHumanReadableForm(
                device.udiIssuer,
                device.udiDeviceIdentifier,
                device.udiProductionIdentifier,
              ),
            }),
      },
    ];
  }
  if (device.firmwareVersion !== null) {
    resource.version = [{ type: { text: 'firmware' }, value: device.firmwareVersion }];
  }
  if (device.department !== null) resource.owner = { display: device.department };
  const location = locationDisplay(device);
  if (location !== null) resource.location = { display: location };
  if (device.notes !== null) resource.note = [{ text: device.notes }];
  return resource;
}

/** One Bundle.entry as JSON text. */
export function fhirDeviceEntry(device: DeviceRecord): string {
  return JSON.stringify({ fullUrl: deviceFullUrl(device.uid), resource: toFhirDevice(device) });
}

/** The Bundle around entries made by fhirDeviceEntry; no `entry` at all when there are none. */
export function fhirBundleJson(timestampIso: string, entries: readonly string[]): string {
  const head = `{"resourceType":"Bundle","type":"collection","timestamp":${JSON.stringify(timestampIso)}`;
  return entries.length === 0 ? `${head}}` : `${head},"entry":[${entries.join(',')}]}`;
}
