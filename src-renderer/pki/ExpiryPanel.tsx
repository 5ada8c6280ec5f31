// What expires soon: unrevoked device certificates expiring within 30, 60 or 90 days, soonest
// first, with the days left on main's clock. Invariant: the tab shown is the window asked for.
import { useEffect } from 'react';
import { useMainNow } from '../shell/useSessionWatch';
import { formatUtc } from '../provisioning/outcome';
import type { ExpiryWindow } from './expiry';
import { bySoonestExpiry, expiryWindows, expiryWords } from './expiry';
import { certificateStatusLabels } from './labels';
import type { PkiOverview } from './pkiStore';
import { usePkiStore } from './pkiStore';

function countFor(overview: PkiOverview | null, window: ExpiryWindow): number | null {
  if (overview === null) return null;
  if (window === 30) return overview.expiry.within30Days;
  if (window === 60) return overview.expiry.within60Days;
  return overview.expiry.within90Days;
}

export function ExpiryPanel({ overview }: { overview: PkiOverview | null }) {
  const window = usePkiStore((state) => state.expiryWindow);
  const expiring = usePkiStore((state) => state.expiring);
  const loadExpiring = usePkiStore((state) => state.loadExpiring);
  const now = useMainNow();

  useEffect(() => {
    void loadExpiring();
  }, [loadExpiring]);

  return (
    <div className="pki-panel" data-testid="pki-expiring">
      <div className="pki-subtabs" role="tablist" aria-label="Expiring within">
        {expiryWindows.map((days) => {
          const count = countFor(overview, days);
          return (
            <button
              key={days}
              type="button"
              role="tab"
              aria-selected={window === days}
              className="pki-subtab"
              onClick={() => void loadExpiring(days)}
            >
              {days} days{count === null ? '' : ` (${count})`}
            </button>
          );
        })}
      </div>
      {expiring === null ? (
        <p className="muted">Loading…</p>
      ) : expiring.length === 0 ? (
        <p className="muted" data-testid="nothing-expiring">
          No certificate expires within {window} days.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" aria-label={`Expiring within ${window} days`}>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Device serial</th>
                <th scope="col">Certificate</th>
                <th scope="col">State</th>
                <th scope="col">Valid until</th>
                <th scope="col">Left</th>
              </tr>
            </thead>
            <tbody>
              {bySoonestExpiry(expiring).map((record) => (
                <tr key={record.serial} data-testid="expiring-row">
                  <td>{record.deviceName}</td>
                  <td className="mono">{record.deviceSerial}</td>
                  <td className="mono">{record.serial}</td>
                  <td>{certificateStatusLabels[record.status]}</td>
                  <td>{formatUtc(record.notAfter)}</td>
                  <td>{expiryWords(record.notAfter, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
