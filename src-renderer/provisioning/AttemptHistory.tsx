// The latest provisioning attempts at this console, newest first as main lists them: who, when,
// which device, and how each ended with its reason. Read again after every session.
import { useEffect } from 'react';
import { formatUtc } from './outcome';
import { useProvisionStore } from './provisionStore';

const outcomeWords = { provisioned: 'Provisioned', refused: 'Refused', failed: 'Not completed' };

export function AttemptHistory() {
  const history = useProvisionStore((state) => state.history);
  const loadHistory = useProvisionStore((state) => state.loadHistory);

  useEffect(() => {
    void loadHistory();
  }, [loadHistory]);

  return (
    <section className="provision-history" aria-labelledby="provision-history-heading">
      <h2 id="provision-history-heading" className="section-title">
        Recent attempts
      </h2>
      {history === null ? (
        <p className="muted">Loading the history…</p>
      ) : history.length === 0 ? (
        <p className="muted" data-testid="no-attempts">
          No device has been provisioned at this console yet.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data-table provision-history__table" aria-label="Recent attempts">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Device</th>
                <th scope="col">Serial</th>
                <th scope="col">Outcome</th>
                <th scope="col">Step and reason</th>
                <th scope="col">Certificate</th>
                <th scope="col">Zone</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {history.map((attempt) => (
                <tr key={attempt.id} data-testid="attempt-row" data-outcome={attempt.outcome}>
                  <td>{formatUtc(new Date(attempt.endedAtMs).toISOString())}</td>
                  <td>
                    {attempt.manufacturer === null
                      ? 'Unknown'
                      : `${attempt.manufacturer} ${attempt.model ?? ''}`.trim()}
                  </td>
                  <td className="mono">{attempt.serialNumber ?? '–'}</td>
                  <td>
                    <span className={`attempt-outcome attempt-outcome--${attempt.outcome}`}>
                      {outcomeWords[attempt.outcome]}
                    </span>
                  </td>
                  <td className="provision-history__reason">
                    {attempt.outcome === 'provisioned' ? (
                      '–'
                    ) : (
                      <>
                        <strong>{attempt.step}</strong>
                        {attempt.reason ? `: ${attempt.reason}` : ''}
                      </>
                    )}
                  </td>
                  <td className="mono">
                    {attempt.certificateSerial ?? '–'}
                    {attempt.certificateState && attempt.certificateState !== 'committed' ? (
                      <span className="muted"> ({attempt.certificateState.replace('_', ' ')})</span>
                    ) : null}
                  </td>
                  <td>
                    {attempt.zoneId ?? '–'}
                    {attempt.vlan !== null ? ` / ${attempt.vlan}` : ''}
                  </td>
                  <td>{attempt.actor ?? '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
