// What makes a device genuine and current: the manufacturers' CA certificates the site trusts
// (import a PEM bundle, remove one), the key that signs firmware baselines, and the signed baseline
// itself. Invariant: after each change the trust list and the overview are read again from main.
import { useEffect, useState } from 'react';
import { call } from '../api/wardkeep';
import { Dialog } from '../shared/Dialog';
import { TextField } from '../shared/TextField';
import { formatFingerprint, formatUtc } from '../provisioning/outcome';
import { ActionFeedback } from './ActionFeedback';
import { FileUploadForm } from './FileUploadForm';
import type { PkiAccess } from './pkiAccess';
import type { PkiOverview, TrustAnchor } from './pkiStore';
import { usePkiStore } from './pkiStore';
import { pkiFailures, useAction } from './useAction';

/** The contract's limits on each file. */
const maximumTrustBytes = 4 * 1024 * 1024;
const maximumPublisherKeyBytes = 64 * 1024;
const maximumBaselineBytes = 16 * 1024 * 1024;

export function TrustPanel({
  overview,
  access,
}: {
  overview: PkiOverview | null;
  access: PkiAccess;
}) {
  const trustAnchors = usePkiStore((state) => state.trustAnchors);
  const loadTrustAnchors = usePkiStore((state) => state.loadTrustAnchors);
  const loadOverview = usePkiStore((state) => state.loadOverview);
  const removal = useAction();
  const [removing, setRemoving] = useState<TrustAnchor | null>(null);

  useEffect(() => {
    void loadTrustAnchors();
  }, [loadTrustAnchors]);

  async function reload(): Promise<void> {
    await loadTrustAnchors();
    await loadOverview();
  }

  return (
    <div className="pki-panel" data-testid="pki-trust">
      <section className="pki-section" aria-labelledby="trust-heading">
        <h2 id="trust-heading" className="pki-section__title">
          Trusted manufacturers
        </h2>
        <p className="muted">
          A device proves its factory identity (IDevID) with a certificate that must chain to one of
          these. A device from any other maker is refused as untrusted.
        </p>
        <ActionFeedback action={removal} testId="trust-remove" />
        {trustAnchors === null ? (
          <p className="muted">Loading…</p>
        ) : trustAnchors.length === 0 ? (
          <p className="state--bad" data-testid="no-trust-anchors">
            No manufacturer is trusted yet.
          </p>
        ) : (
          <div className="table-scroll">
            <table className="data-table" aria-label="Trusted manufacturers">
              <thead>
                <tr>
                  <th scope="col">Manufacturer</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Fingerprint (SHA-256)</th>
                  <th scope="col">Valid until</th>
                  <th scope="col">Imported</th>
                  {access.manageWithStepUp ? <th scope="col">Actions</th> : null}
                </tr>
              </thead>
              <tbody>
                {trustAnchors.map((anchor) => (
                  <tr key={anchor.fingerprintSha256} data-testid="trust-anchor-row">
                    <td>{anchor.manufacturer}</td>
                    <td>{anchor.subject}</td>
                    <td className="mono certificate-table__fingerprint">
                      {formatFingerprint(anchor.fingerprintSha256)}
                    </td>
                    <td>{formatUtc(anchor.notAfter)}</td>
                    <td>{formatUtc(anchor.importedAt)}</td>
                    {access.manageWithStepUp ? (
                      <td>
                        <button
                          type="button"
                          className="button button--small button--danger-outline"
                          disabled={removal.busy}
                          onClick={() => setRemoving(anchor)}
                        >
                          Remove
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {access.manageWithStepUp ? <TrustImportForm onDone={reload} /> : null}
        {removing ? (
          <Dialog
            title={`Stop trusting ${removing.manufacturer}?`}
            onClose={() => setRemoving(null)}
            tone="danger"
            testId="trust-remove-dialog"
          >
            <p className="modal__lead">
              Devices whose factory identity chains to <strong>{removing.subject}</strong> are
              refused as untrusted from now on. Devices already provisioned keep their certificates.
            </p>
            <div className="dialog-actions">
              <button type="button" className="button" onClick={() => setRemoving(null)}>
                Cancel
              </button>
              <button
                type="button"
                className="button button--danger"
                disabled={removal.busy}
                onClick={() => {
                  const anchor = removing;
                  setRemoving(null);
                  void removal
                    .run(
                      () =>
                        call(
                          'trust:remove',
                          { fingerprintSha256: anchor.fingerprintSha256 },
                          pkiFailures,
                        ),
                      () =>
                        `${anchor.manufacturer} is no longer trusted: its devices are refused from now on.`,
                    )
                    .then(reload);
                }}
              >
                Stop trusting
              </button>
            </div>
          </Dialog>
        ) : null}
      </section>

      <section className="pki-section" aria-labelledby="publisher-heading">
        <h2 id="publisher-heading" className="pki-section__title">
          Firmware baseline
        </h2>
        <dl className="field-group__list">
          <dt>Publisher key</dt>
          <dd className="mono" data-testid="publisher-key">
            {overview?.baselinePublisher
              ? `${overview.baselinePublisher.algorithm} ${formatFingerprint(overview.baselinePublisher.fingerprintSha256)} (set ${formatUtc(overview.baselinePublisher.configuredAt)})`
              : 'Not configured'}
          </dd>
          <dt>Baseline</dt>
          <dd data-testid="baseline-summary">
            {overview?.baseline
              ? `sequence ${overview.baseline.sequence} from ${overview.baseline.publisher}, issued ${formatUtc(overview.baseline.issuedAt)}, imported ${formatUtc(overview.baseline.importedAt)}: ${overview.baseline.models} models, ${overview.baseline.approvedImages} approved images`
              : 'None imported'}
          </dd>
        </dl>
        <div className="pki-forms">
          {access.manageWithStepUp ? <PublisherKeyForm onDone={reload} /> : null}
          {access.manage ? <BaselineImportForm onDone={reload} /> : null}
        </div>
      </section>
    </div>
  );
}

function TrustImportForm({ onDone }: { onDone: () => Promise<void> }) {
  const [manufacturer, setManufacturer] = useState('');
  return (
    <FileUploadForm
      formLabel="Import trust anchors"
      title="Import manufacturer CA certificates"
      inline
      fileLabel="PEM file (one or more certificates)"
      accept=".pem,.crt,.cer,application/x-pem-file"
      maximumBytes={maximumTrustBytes}
      send={(pem) =>
        call(
          'trust:import',
          {
            pem,
            ...(manufacturer.trim() === '' ? {} : { manufacturer: manufacturer.trim() }),
          },
          pkiFailures,
        )
      }
      success={(report) =>
        `${report.added.length} added${report.alreadyTrusted.length > 0 ? `, ${report.alreadyTrusted.length} already trusted` : ''}.`
      }
      testId="trust-import"
      submitLabel="Import"
      onDone={onDone}
    >
      <TextField
        label="Manufacturer (optional)"
        value={manufacturer}
        onValueChange={setManufacturer}
        hint="Without it, the name in each certificate is used."
        maxLength={200}
      />
    </FileUploadForm>
  );
}

function PublisherKeyForm({ onDone }: { onDone: () => Promise<void> }) {
  return (
    <FileUploadForm
      formLabel="Set the baseline publisher key"
      title="Set the publisher key"
      lead="Changing it changes which firmware is trusted."
      fileLabel="Public key (PEM)"
      accept=".pem,application/x-pem-file"
      maximumBytes={maximumPublisherKeyBytes}
      send={(pem) => call('baseline:publisher', { pem }, pkiFailures)}
      success={(key) =>
        `Baselines are now checked against ${key.algorithm} key ${formatFingerprint(key.fingerprintSha256)}.`
      }
      testId="publisher-key"
      submitLabel="Set publisher key"
      onDone={onDone}
    />
  );
}

function BaselineImportForm({ onDone }: { onDone: () => Promise<void> }) {
  return (
    <FileUploadForm
      formLabel="Import a firmware baseline"
      title="Import a signed baseline"
      lead="Its signature is checked against the publisher key."
      fileLabel="Baseline file (JSON)"
      accept=".json,application/json"
      maximumBytes={maximumBaselineBytes}
      send={(content) => call('baseline:import', { content }, pkiFailures)}
      success={(summary) =>
        `Baseline ${summary.sequence} imported: ${summary.models} models, ${summary.approvedImages} approved images.`
      }
      testId="baseline-import"
      submitLabel="Import baseline"
      onDone={onDone}
    />
  );
}
