// The stored row of a device, apart from the repository's statements: the columns a device write
// sets, its values in their order, and the identity key. No store and no contract here, because
// the import's worker thread (import-rows.ts) builds rows with it.
import type { DeviceFields, DeviceIdentity } from './device-fields';

/** The stored form of a device: every field present, with the identity key beside it. */
export interface StoredDeviceFields extends DeviceFields {
  manufacturerKey: string;
}

/** The key under which identityIndex() files a device. */
export function identityKey(identity: DeviceIdentity): string {
  return `${identity.manufacturerKey}\u0000${identity.serialNumber}`;
}

// The columns a write sets, in the order storedValues() gives their values.
export const storedColumns = [
  'asset_tag',
  'manufacturer',
  'manufacturer_key',
  'model',
  'serial_number',
  'udi_di',
  'udi_pi',
  'udi_issuer',
  'device_class',
  'criticality',
  'site',
  'building',
  'floor',
  'room',
  'bed',
  'department',
  'mac_address',
  'ip_address',
  'hostname',
  'firmware_version',
  'lifecycle_state',
  'end_of_life',
  'notes',
] as const;

/** How many values storedValues gives: the columns a device write sets. */
export const storedColumnCount = storedColumns.length;

/** The values of a device write, in the order of its columns. */
export function storedValues(fields: StoredDeviceFields): (string | null)[] {
  // Also spelt out, argument by argument, in insertStoredValues.
  return [
    fields.assetTag,
    fields.manufacturer,
    fields.manufacturerKey,
    fields.model,
    fields.serialNumber,
    fields.udiDeviceIdentifier,
    fields.udiProductionIdentifier,
    fields.udiIssuer,
    fields.deviceClass,
    fields.criticality,
    fields.site,
    fields.building,
    fields.floor,
    fields.room,
    fields.bed,
    fields.department,
    fields.macAddress,
    fields.ipAddress,
    fields.hostname,
    fields.firmwareVersion,
    fields.lifecycleState,
    fields.endOfLife,
    fields.notes,
  ];
}
