// Small building blocks of the network view's side panel: the panel frame, a titled section, a
// field list, a zone's name, and a button that selects a device. Kept here so every panel reads
// the same way.
import type { ReactNode } from 'react';
import { externalZoneId } from '../../src-preload/network/model';
import { useNetworkStore } from './networkStore';
import type { MapIndex } from './selection';

export function zoneName(index: MapIndex | null, zoneId: string): string {
  const zone = index?.zoneById.get(zoneId);
  if (zone) return zone.name;
  return zoneId === externalZoneId ? 'Outside every zone' : zoneId;
}

export function SidePanel({
  title,
  subtitle,
  testId,
  children,
  onClose,
  closeLabel = 'Close the selection',
}: {
  title: string;
  subtitle?: ReactNode;
  testId: string;
  children: ReactNode;
  /** What the × does; clears the map's selection unless told otherwise. */
  onClose?: () => void;
  closeLabel?: string;
}) {
  const clearSelection = useNetworkStore((state) => state.clearSelection);
  return (
    <section
      className="network-side__panel"
      aria-labelledby={`${testId}-title`}
      data-testid={testId}
    >
      <header className="detail-panel__header">
        <div>
          <h2 id={`${testId}-title`}>{title}</h2>
          {subtitle ? <p className="detail-panel__subtitle">{subtitle}</p> : null}
        </div>
        <button
          type="button"
          className="button button--icon"
          aria-label={closeLabel}
          title="Close"
          onClick={onClose ?? clearSelection}
        >
          ×
        </button>
      </header>
      <div className="network-side__body">{children}</div>
    </section>
  );
}

export function Section({
  title,
  children,
  testId,
}: {
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className="field-group" data-testid={testId}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

export function Fields({ children }: { children: ReactNode }) {
  return <dl className="field-group__list field-group__list--narrow">{children}</dl>;
}

/** A device name that selects the device and centres the map on it. */
export function DeviceLink({ nodeId, label }: { nodeId: string | null; label: string }) {
  if (nodeId === null) return <span className="mono">{label}</span>;
  return (
    <button
      type="button"
      className="button--link link-button"
      onClick={() => useNetworkStore.getState().selectDevice(nodeId, true)}
    >
      {label}
    </button>
  );
}
