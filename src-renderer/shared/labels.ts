// Words people read for the stored codes of the device record. Every vocabulary is a total map
// over its contract type, so adding a code to the contract fails the build until it has a label.
import type {
  CanonicalField,
  Criticality,
  DeviceSortField,
  LifecycleState,
  Role,
} from '../../src-preload/contract';

export { deviceClassLabels } from '../../src-preload/contract';

export const criticalityLabels: Readonly<Record<Criticality, string>> = {
  life_sustaining: 'Life-sustaining',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  unassessed: 'Unassessed',
};

export const lifecycleLabels: Readonly<Record<LifecycleState, string>> = {
  received: 'Received',
  in_service: 'In service',
  quarantined: 'Quarantined',
  decommissioned: 'Decommissioned',
};

export const roleLabels: Readonly<Record<Role, string>> = {
  technician: 'Technician',
  engineer: 'Engineer',
  manager: 'Manager',
  administrator: 'Administrator',
};

export const canonicalFieldLabels: Readonly<Record<CanonicalField, string>> = {
  asset_tag: 'Asset tag',
  manufacturer: 'Manufacturer',
  model: 'Model',
  serial_number: 'Serial number',
  udi_di: 'UDI-DI (device identifier)',
  udi_pi: 'UDI-PI (production identifier)',
  udi_issuer: 'UDI issuer',
  device_class: 'Device class',
  criticality: 'Criticality',
  site: 'Site',
  building: 'Building',
  floor: 'Floor',
  room: 'Room',
  bed: 'Bed',
  department: 'Department',
  mac_address: 'MAC address',
  ip_address: 'IP address',
  hostname: 'Hostname',
  firmware_version: 'Firmware version',
  lifecycle_state: 'Lifecycle state',
  end_of_life: 'End of life',
  notes: 'Notes',
};

export const sortFieldLabels: Readonly<Record<DeviceSortField, string>> = {
  assetTag: 'Asset tag',
  manufacturer: 'Manufacturer',
  model: 'Model',
  serialNumber: 'Serial',
  deviceClass: 'Class',
  criticality: 'Criticality',
  site: 'Location',
  lifecycleState: 'Lifecycle',
  updatedAt: 'Updated',
};
