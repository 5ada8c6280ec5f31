// The columns of the device table, in order: what each shows and which sort field it uses.
// Invariant: the CSS grid template in styles.css (--device-columns) has one track per column here.
import type { ReactNode } from 'react';
import type { DeviceRecord, DeviceSortField } from '../../src-preload/contract';
import { CriticalityBadge } from '../shared/CriticalityBadge';
import { joinPresent } from '../shared/format';
import { deviceClassLabels, lifecycleLabels } from '../shared/labels';

export interface DeviceColumn {
  key: string;
  label: string;
  /** The field the column sorts by; null for columns main cannot sort. */
  sortField: DeviceSortField | null;
  render: (device: DeviceRecord) => ReactNode;
  /** Monospaced cells line up identifiers digit under digit. */
  monospace?: boolean;
}

export const deviceColumns: readonly DeviceColumn[] = [
  {
    key: 'assetTag',
    label: 'Asset tag',
    sortField: 'assetTag',
    render: (device) => device.assetTag,
    monospace: true,
  },
  {
    key: 'manufacturer',
    label: 'Manufacturer',
    sortField: 'manufacturer',
    render: (device) => device.manufacturer,
  },
  { key: 'model', label: 'Model', sortField: 'model', render: (device) => device.model },
  {
    key: 'serial',
    label: 'Serial',
    sortField: 'serialNumber',
    render: (device) => device.serialNumber,
    monospace: true,
  },
  {
    key: 'class',
    label: 'Class',
    sortField: 'deviceClass',
    render: (device) => deviceClassLabels[device.deviceClass],
  },
  {
    key: 'criticality',
    label: 'Criticality',
    sortField: 'criticality',
    render: (device) => <CriticalityBadge criticality={device.criticality} />,
  },
  {
    key: 'location',
    label: 'Site / building / room',
    sortField: 'site',
    render: (device) => joinPresent([device.site, device.building, device.room], ' / '),
  },
  {
    key: 'ip',
    label: 'IP address',
    sortField: null,
    render: (device) => device.ipAddress,
    monospace: true,
  },
  {
    key: 'firmware',
    label: 'Firmware',
    sortField: null,
    render: (device) => device.firmwareVersion,
    monospace: true,
  },
  {
    key: 'lifecycle',
    label: 'Lifecycle',
    sortField: 'lifecycleState',
    render: (device) => (
      <span className={`lifecycle lifecycle--${device.lifecycleState}`}>
        {lifecycleLabels[device.lifecycleState]}
      </span>
    ),
  },
];
