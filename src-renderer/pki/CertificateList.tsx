// Every device certificate the console issued, filterable by state, with revocation for engineers:
// a reason (RFC 5280) and a step-up, then the list and the overview are read again.
// Invariant: only an active or pending certificate offers Revoke.
import { useEffect, useId, useState } from 'react';
import { certificateStatuses, revocationReasons } from '../../src-preload/provisioning/schemas';
import { call } from '../api/wardkeep';
import { Dialog } from '../shared/Dialog';
import { formatQuantity } from '../shared/format';
import { formatFingerprint, formatUtc } from '../provisioning/outcome';
import { ActionFeedback } from './ActionFeedback';
import type { CertificateRecord } from './expiry';
import type { RevocationReason } from './labels';
import { certificateStatusLabels, revocationReasonLabels } from './labels';
import type { PkiAccess } from './pkiAccess';
import type { CertificateStatus } from './pkiStore';
import { usePkiStore } from './pkiStore';
import { pkiFailures, useAction } from './useAction';

export function CertificateList({ access }: { access: PkiAccess }) {
  const filterId = useId();
  const certificates = usePkiStore((state) => state.certificates);
  const statusFilter = usePkiStore((state) => state.statusFilter);
  const loadCertificates = usePkiStore((state) => state.loadCertificates);
  const loadOverview = usePkiStore((state) => state.loadOverview);
  const [revoking, setRevoking] = useState<CertificateRecord | null>(null);
  const action = useAction();

  useEffect(() => {
    void loadCertificates();
  }, [loadCertificates]);

  return (
    <div className="pki-panel" data-testid="pki-certificates">
      <div className="pki-toolbar">
        <div className="field field--inline">
          <label htmlFor={filterId}>State</label>
          <select
            id={filterId}
            value={statusFilter ?? ''}
            onChange={(event) =>
              void loadCertificates(
                event.target.value === '' ? null : (event.target.value as CertificateStatus),
              )
            }
          >
            <option value="">All</option>
            {certificateStatuses.map((status) => (
              <option key={status} value={status}>
                {certificateStatusLabels[status]}
              </option>
            ))}
          </select>
        </div>
        <span className="muted">
          {certificates === null ? '' : formatQuantity(certificates.length, 'certificate')}
        </span>
      </div>
      <ActionFeedback action={action} testId="revoke" />
      {certificates === null ? (
        <p className="muted">Loading certificates…</p>
      ) : certificates.length === 0 ? (
        <p className="muted" data-testid="no-certificates">
          No device certificate{statusFilter === null ? '' : ' in this state'} yet.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data-table certificate-table" aria-label="Device certificates">
            <thead>
              <tr>
                <th scope="col">Serial</th>
                <th scope="col">Device</th>
                <th scope="col">Device serial</th>
                <th scope="col">State</th>
                <th scope="col">Valid until</th>
                <th scope="col">Fingerprint (SHA-256)</th>
                <th scope="col">Issued</th>
                {access.manageWithStepUp ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {certificates.map((record) => (
                <tr
                  key={record.serial}
                  data-testid="certificate-row"
                  data-serial={record.serial}
                  data-status={record.status}
                >
                  <td className="mono">{record.serial}</td>
                  <td>{record.deviceName}</td>
                  <td className="mono">{record.deviceSerial}</td>
                  <td>
                    <span className={`certificate-state certificate-state--${record.status}`}>
                      {certificateStatusLabels[record.status]}
                    </span>
                    {record.revocationReason ? (
                      <span className="muted"> ({record.revocationReason})</span>
                    ) : null}
                    {record.abandoned ? <span className="muted"> (abandoned)</span> : null}
                  </td>
                  <td>{formatUtc(record.notAfter)}</td>
                  <td className="mono certificate-table__fingerprint">
                    {formatFingerprint(record.fingerprintSha256)}
                  </td>
                  <td>{formatUtc(record.issuedAt)}</td>
                  {access.manageWithStepUp ? (
                    <td>
                      {record.status === 'active' || record.status === 'pending' ? (
                        <button
                          type="button"
                          className="button button--small button--danger-outline"
                          disabled={action.busy}
                          onClick={() => setRevoking(record)}
                        >
                          Revoke…
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking ? (
        <RevokeDialog
          record={revoking}
          busy={action.busy}
          onCancel={() => setRevoking(null)}
          onRevoke={(reason) => {
            const serial = revoking.serial;
            setRevoking(null);
            void action
              .run(
                () => call('pki:revoke', { serial, reason }, pkiFailures),
                (record) =>
                  `Certificate ${record.serial} is revoked; publish a CRL so switches and RADIUS servers learn it.`,
              )
              .then(async () => {
                await loadCertificates();
                await loadOverview();
              });
          }}
        />
      ) : null}
    </div>
  );
}

function RevokeDialog({
  record,
  busy,
  onCancel,
  onRevoke,
}: {
  record: CertificateRecord;
  busy: boolean;
  onCancel: () => void;
  onRevoke: (reason: RevocationReason) => void;
}) {
  const reasonId = useId();
  const [reason, setReason] = useState<RevocationReason>('unspecified');
  return (
    <Dialog
      title={`Revoke certificate ${record.serial}?`}
      onClose={onCancel}
      tone="danger"
      testId="revoke-dialog"
    >
      <p className="modal__lead">
        <strong>{record.deviceName}</strong> (serial {record.deviceSerial}) loses its network
        identity once the next CRL is published. This cannot be undone: the device must be
        provisioned again.
      </p>
      <div className="field">
        <label htmlFor={reasonId}>Reason</label>
        <select
          id={reasonId}
          value={reason}
          onChange={(event) => setReason(event.target.value as RevocationReason)}
        >
          {revocationReasons.map((value) => (
            <option key={value} value={value}>
              {revocationReasonLabels[value]}
            </option>
          ))}
        </select>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="button button--danger"
          disabled={busy}
          onClick={() => onRevoke(reason)}
        >
          Revoke certificate
        </button>
      </div>
    </Dialog>
  );
}
