// The vocabularies of the device record, apart from the contract's schemas: the import's worker
// thread checks rows against them without loading zod and every channel. Stored values are the
// snake_case codes; labels are for people. Pure TypeScript.

export const deviceClasses = [
  'infusion_pump',
  'syringe_pump',
  'patient_monitor',
  'ventilator',
  'anesthesia_machine',
  'defibrillator',
  'dialysis_machine',
  'imaging',
  'ultrasound',
  'lab_analyzer',
  'ecg',
  'telemetry',
  'nurse_call',
  'medication_cabinet',
  'sterilizer',
  'workstation',
  'network_gateway',
  'other',
] as const;
export type DeviceClass = (typeof deviceClasses)[number];

/** What people read for each device class: the UI, FHIR `type.text`, and accepted on import. */
export const deviceClassLabels: Readonly<Record<DeviceClass, string>> = {
  infusion_pump: 'Infusion pump',
  syringe_pump: 'Syringe pump',
  patient_monitor: 'Patient monitor',
  ventilator: 'Ventilator',
  anesthesia_machine: 'Anesthesia machine',
  defibrillator: 'Defibrillator',
  dialysis_machine: 'Dialysis machine',
  imaging: 'Imaging',
  ultrasound: 'Ultrasound',
  lab_analyzer: 'Lab analyzer',
  ecg: 'ECG',
  telemetry: 'Telemetry',
  nurse_call: 'Nurse call',
  medication_cabinet: 'Medication cabinet',
  sterilizer: 'Sterilizer',
  workstation: 'Workstation',
  network_gateway: 'Network gateway',
  other: 'Other',
};

export const criticalities = ['life_sustaining', 'high', 'medium', 'low', 'unassessed'] as const;
export type Criticality = (typeof criticalities)[number];

export const lifecycleStates = ['received', 'in_service', 'quarantined', 'decommissioned'] as const;
export type LifecycleState = (typeof lifecycleStates)[number];

export const udiIssuers = ['GS1', 'HIBCC', 'ICCBBA'] as const;
export type UdiIssuer = (typeof udiIssuers)[number];

/** The CSV columns Wardkeep reads and writes, in export order. */
export const canonicalFields = [
  'asset_tag',
  'manufacturer',
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
export type CanonicalField = (typeof canonicalFields)[number];

/** The name people read for each canonical import column: in the UI and in import reasons. */
export const canonicalFieldLabels: Readonly<Record<CanonicalField, string>> = {
  asset_tag: 'Asset tag',
  manufacturer: 'Manufacturer',
  model: 'Model',
  serial_number: 'Serial number',
  udi_di: 'UDI device identifier',
  udi_pi: 'UDI production identifier',
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
