// Main asks where the device goes: a zone of the network policy and one of its VLANs, the device's
// current zone preselected; a quarantined device (started with its release) is named as such.
// Invariant: only a VLAN of the chosen zone can be sent.
import { useId, useState } from 'react';
import { initialPlacement, placementForZone } from './setup';
import type { PlacementChoice } from './setup';
import type { PlacementQuestion } from './wizard';

export function ZoneChoice({
  question,
  sent,
  onChoose,
}: {
  question: PlacementQuestion;
  sent: boolean;
  onChoose: (choice: PlacementChoice) => void;
}) {
  const zoneId = useId();
  const vlanId = useId();
  const [choice, setChoice] = useState<PlacementChoice | null>(() =>
    initialPlacement(question.device, question.zones),
  );
  const zone = question.zones.find((candidate) => candidate.id === choice?.zoneId);
  return (
    <form
      className="provision-card zone-choice"
      aria-label="Choose the zone"
      data-testid="zone-choice"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (choice !== null && !sent) onChoose(choice);
      }}
    >
      <h2 className="provision-card__title">Choose the device&apos;s network zone</h2>
      <p className="muted">
        {question.device.currentZoneId
          ? `The device is in ${question.device.currentZoneId} now; that zone is preselected.`
          : 'The device has no zone yet.'}{' '}
        The certificate is issued after you choose.
      </p>
      {question.device.inventoryState === 'quarantined' ? (
        <p className="state--bad" data-testid="zone-choice-quarantine">
          The inventory holds this device as quarantined. It passed every check; placing it here
          releases it from quarantine and puts it back in service, recorded in the audit log.
        </p>
      ) : null}
      {question.zones.length === 0 ? (
        <p className="state--bad">
          The network policy has no zones: ask an engineer to import the zones before provisioning.
        </p>
      ) : (
        <div className="zone-choice__fields">
          <div className="field">
            <label htmlFor={zoneId}>Zone</label>
            <select
              id={zoneId}
              value={choice?.zoneId ?? ''}
              onChange={(event) => setChoice(placementForZone(question.zones, event.target.value))}
            >
              {question.zones.map((option) => (
                <option key={option.id} value={option.id}>
                  {option.name} ({option.id})
                  {option.id === question.device.currentZoneId ? ' — current' : ''}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={vlanId}>VLAN</label>
            <select
              id={vlanId}
              value={choice?.vlan === undefined ? '' : String(choice.vlan)}
              disabled={zone === undefined || zone.vlans.length === 0}
              onChange={(event) =>
                setChoice((current) =>
                  current === null
                    ? current
                    : {
                        ...current,
                        vlan: event.target.value === '' ? undefined : Number(event.target.value),
                      },
                )
              }
            >
              {zone === undefined || zone.vlans.length === 0 ? (
                <option value="">The zone&apos;s default</option>
              ) : null}
              {(zone?.vlans ?? []).map((vlan) => (
                <option key={vlan.id} value={vlan.id}>
                  {vlan.id} · {vlan.name}
                </option>
              ))}
            </select>
          </div>
          <button
            type="submit"
            className="button button--primary"
            disabled={choice === null || sent}
          >
            {sent ? 'Sent…' : 'Place the device here'}
          </button>
        </div>
      )}
    </form>
  );
}
