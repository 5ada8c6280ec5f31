// The device as it identified itself: maker, model, serial, firmware, and what the inventory
// already knows of it (its state and zone). Before the device proved it is genuine only its claim
// is known; the heading says which.
import { lifecycleLabels } from '../shared/labels';
import type { IdentifiedDevice, ProvisioningOutcome } from './wizard';

type Identity = Pick<IdentifiedDevice, 'manufacturer' | 'model' | 'serialNumber'> & {
  firmwareVersion: string | null;
  inventoryState?: IdentifiedDevice['inventoryState'];
  currentZoneId?: string | null;
  deviceUid: string | null;
};

/** The identified device, or what the outcome says of a device refused before that. */
export function identityOf(
  device: IdentifiedDevice | null,
  outcome: ProvisioningOutcome | null,
): { identity: Identity; verified: boolean } | null {
  if (device !== null) return { identity: device, verified: true };
  if (outcome?.device) return { identity: outcome.device, verified: false };
  return null;
}

export function DeviceIdentity({ identity, verified }: { identity: Identity; verified: boolean }) {
  return (
    <section className="provision-card device-identity" data-testid="device-identity">
      <h2 className="provision-card__title">
        {verified ? 'The device' : 'The device (as it claims to be)'}
      </h2>
      <dl className="field-group__list">
        <dt>Manufacturer</dt>
        <dd data-testid="identity-manufacturer">{identity.manufacturer}</dd>
        <dt>Model</dt>
        <dd>{identity.model}</dd>
        <dt>Serial number</dt>
        <dd className="mono" data-testid="identity-serial">
          {identity.serialNumber}
        </dd>
        <dt>Firmware</dt>
        <dd className="mono">{identity.firmwareVersion ?? 'Not reported yet'}</dd>
        {identity.inventoryState !== undefined ? (
          <>
            <dt>Inventory</dt>
            <dd>
              {identity.inventoryState === null
                ? 'New: not in the inventory yet'
                : lifecycleLabels[identity.inventoryState]}
            </dd>
          </>
        ) : null}
        {identity.currentZoneId !== undefined ? (
          <>
            <dt>Current zone</dt>
            <dd>{identity.currentZoneId ?? 'None'}</dd>
          </>
        ) : null}
        {identity.deviceUid !== null ? (
          <>
            <dt>Inventory id</dt>
            <dd className="mono">{identity.deviceUid}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
