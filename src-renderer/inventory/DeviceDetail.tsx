// The device detail panel: every field of one device, grouped as people look for them. Esc or
// the close button closes it and returns focus to the table.
// Invariant: the panel shows the device it was opened for; a slower answer for an earlier device
// never replaces it (the store drops it).
import { useEffect } from 'react';
import type { ReactNode } from 'react';
import type { DeviceRecord } from '../../src-preload/contract';
import { Alert } from '../shared/Alert';
import { CriticalityBadge } from '../shared/CriticalityBadge';
import { deviceClassLabels, lifecycleLabels } from '../shared/labels';
import { deviceGridId } from './DeviceTable';
import { useInventoryStore } from './inventoryStore';
import { Field } from '../shared/Field';

function returnFocusToTable(): void {
  document.getElementById(deviceGridId)?.focus({ preventScroll: true });
}

export function DeviceDetail() {
  const detailId = useInventoryStore((state) => state.detailId);
  const detail = useInventoryStore((state) => state.detail);
  const detailError = useInventoryStore((state) => state.detailError);
  const closeDetail = useInventoryStore((state) => state.closeDetail);

  useEffect(() => {
    if (detailId === null) return undefined;
    function onKeyDown(event: KeyboardEvent): void {
      // A modal dialog above the panel handles its own Esc.
      if (
        event.key !== 'Escape' ||
        event.defaultPrevented ||
        document.querySelector('dialog[open]')
      )
        return;
      event.preventDefault();
      closeDetail();
      returnFocusToTable();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [detailId, closeDetail]);

  if (detailId === null) return null;

  return (
    <aside className="detail-panel" aria-labelledby="detail-title" data-testid="device-detail">
      <header className="detail-panel__header">
        <div>
          <h2 id="detail-title">{detail ? (detail.assetTag ?? detail.serialNumber) : 'Device'}</h2>
          {detail ? (
            <p className="detail-panel__subtitle">
              {detail.manufacturer} {detail.model}
            </p>
          ) : null}
        </div>
        <button
          type="button"
          className="button button--icon"
          aria-label="Close device details"
          title="Close (Esc)"
          onClick={() => {
            closeDetail();
            returnFocusToTable();
          }}
        >
          ×
        </button>
      </header>
      <div className="detail-panel__body">
        {detailError ? <Alert tone="error">{detailError}</Alert> : null}
        {!detail && !detailError ? <p className="muted">Loading…</p> : null}
        {detail ? <DeviceFields device={detail} /> : null}
      </div>
    </aside>
  );
}

function DeviceFields({ device }: { device: DeviceRecord }) {
  return (
    <>
      <FieldGroup title="Identity">
        <Field label="Asset tag" value={device.assetTag} monospace />
        <Field label="Manufacturer" value={device.manufacturer} />
        <Field label="Model" value={device.model} />
        <Field label="Serial number" value={device.serialNumber} monospace />
        <Field label="Class" value={deviceClassLabels[device.deviceClass]} />
        <Field label="Criticality" value={<CriticalityBadge criticality={device.criticality} />} />
        <Field label="Wardkeep ID" value={device.uid} monospace />
      </FieldGroup>
      <FieldGroup title="UDI">
        <Field label="Device identifier (DI)" value={device.udiDeviceIdentifier} monospace />
        <Field
          label="Production identifier (PI)"
          value={device.udiProductionIdentifier}
          monospace
        />
        <Field label="Issuing agency" value={device.udiIssuer} />
      </FieldGroup>
      <FieldGroup title="Location">
        <Field label="Site" value={device.site} />
        <Field label="Building" value={device.building} />
        <Field label="Floor" value={device.floor} />
        <Field label="Room" value={device.room} />
        <Field label="Bed" value={device.bed} />
        <Field label="Department" value={device.department} />
      </FieldGroup>
      <FieldGroup title="Network">
        <Field label="IP address" value={device.ipAddress} monospace />
        <Field label="MAC address" value={device.macAddress} monospace />
        <Field label="Hostname" value={device.hostname} monospace />
        <Field label="Firmware version" value={device.firmwareVersion} monospace />
      </FieldGroup>
      <FieldGroup title="Lifecycle">
        <Field label="State" value={lifecycleLabels[device.lifecycleState]} />
        <Field label="End of life" value={device.endOfLife} />
        <Field label="Record revision" value={String(device.revision)} />
        <Field label="Created" value={formatTimestamp(device.createdAt)} />
        <Field label="Updated" value={formatTimestamp(device.updatedAt)} />
      </FieldGroup>
      <section className="field-group">
        <h3>Notes</h3>
        {device.notes ? (
          <p className="detail-panel__notes">{device.notes}</p>
        ) : (
          <p className="muted">No notes.</p>
        )}
      </section>
    </>
  );
}

function FieldGroup({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="field-group">
      <h3>{title}</h3>
      <dl className="field-group__list">{children}</dl>
    </section>
  );
}

/** Stored times are UTC ISO strings; people read them in local time, to the minute. */
function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
