// Words people read for the stored codes of the device record. Every vocabulary is a total map
// over its contract type, so adding a code to the contract fails the build until it has a label.
import type {
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

export { canonicalFieldLabels } from '../../src-preload/contract';

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
