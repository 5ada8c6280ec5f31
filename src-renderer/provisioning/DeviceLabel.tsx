// The label of a provisioned device, on screen and on paper: Print hands only the label to the
// browser's print (the print stylesheet hides everything else while `printing-label` is set).
// Invariant: the class is removed after printing, so the next print shows the page again.
import { useEffect, useState } from 'react';
import { call } from '../api/wardkeep';
import { deviceLabel } from './label';
import type { ProvisionedOutcome } from './wizard';

const printingClass = 'printing-label';

function printLabel(): void {
  document.body.classList.add(printingClass);
  const done = () => document.body.classList.remove(printingClass);
  window.addEventListener('afterprint', done, { once: true });
  window.print();
}

/** The asset tag the inventory holds for the device, looked up by its serial number. */
function useAssetTag(outcome: ProvisionedOutcome): string | null {
  const [assetTag, setAssetTag] = useState<string | null>(null);
  const serial = outcome.device?.serialNumber ?? null;
  useEffect(() => {
    if (serial === null) return undefined;
    let current = true;
    void call('devices:list', { text: serial, limit: 20 }, ['permission.denied']).then((result) => {
      if (!current || !result.ok) return;
      const row = result.value.rows.find((candidate) => candidate.uid === outcome.deviceUid);
      setAssetTag(row?.assetTag ?? null);
    });
    return () => {
      current = false;
    };
  }, [serial, outcome.deviceUid]);
  return assetTag;
}

export function DeviceLabel({ outcome }: { outcome: ProvisionedOutcome }) {
  const assetTag = useAssetTag(outcome);
  const label = deviceLabel(outcome, { assetTag });
  return (
    <div className="device-label-block">
      <figure className="device-label" data-testid="device-label" aria-label="Device label">
        <figcaption className="device-label__title">{label.title}</figcaption>
        <dl className="device-label__lines">
          {label.lines.map((line) => (
            <div key={line.term} className="device-label__line">
              <dt>{line.term}</dt>
              <dd>{line.value}</dd>
            </div>
          ))}
        </dl>
        <div className="device-label__fingerprint">
          <span className="device-label__fingerprint-term">Certificate SHA-256</span>
          {label.fingerprintLines.map((line) => (
            <span key={line} className="device-label__fingerprint-line">
              {line}
            </span>
          ))}
        </div>
      </figure>
      <button type="button" className="button" onClick={printLabel}>
        Print label
      </button>
    </div>
  );
}
