// What makes a device genuine and current: the manufacturers' CA certificates the site trusts
// (import a PEM bundle, remove one), the key that signs firmware baselines, and the signed baseline
// itself. Invariant: after each change the trust list and the overview are read again from main.
import { useEffect, useId, useState } from 'react';
import { call } from '../api/wardkeep';
import { Dialog } from '../shared/Dialog';
import { TextField } from '../shared/TextField';
import { formatFingerprint, formatUtc } from '../provisioning/outcome';
import { ActionFeedback } from './ActionFeedback';
import { readFileText } from './files';
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

function FileField({
  label,
  accept,
  onFile,
  error,
}: {
  label: string;
  accept: string;
  onFile: (file: File | null) => void;
  error: string | null;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept={accept}
        onChange={(event) => onFile(event.target.files?.[0] ?? null)}
      />
      {error ? <p className="field__error">{error}</p> : null}
    </div>
  );
}

function TrustImportForm({ onDone }: { onDone: () => Promise<void> }) {
  const [file, setFile] = useState<File | null>(null);
  const [manufacturer, setManufacturer] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const action = useAction();
  return (
    <form
      className="pki-form pki-form--inline"
      aria-label="Import trust anchors"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (file === null) return;
        void action
          .run(
            async () => {
              const read = await readFileText(file, maximumTrustBytes);
              if (!read.ok) return read;
              return call(
                'trust:import',
                {
                  pem: read.value,
                  ...(manufacturer.trim() === '' ? {} : { manufacturer: manufacturer.trim() }),
                },
                pkiFailures,
              );
            },
            (report) =>
              `${report.added.length} added${report.alreadyTrusted.length > 0 ? `, ${report.alreadyTrusted.length} already trusted` : ''}.`,
          )
          .then(onDone);
      }}
    >
      <h3>Import manufacturer CA certificates</h3>
      <FileField
        label="PEM file (one or more certificates)"
        accept=".pem,.crt,.cer,application/x-pem-file"
        onFile={setFile}
        error={submitted && file === null ? 'choose the file' : null}
      />
      <TextField
        label="Manufacturer (optional)"
        value={manufacturer}
        onValueChange={setManufacturer}
        hint="Without it, the name in each certificate is used."
        maxLength={200}
      />
      <ActionFeedback action={action} testId="trust-import" />
      <button type="submit" className="button button--primary" disabled={action.busy}>
        Import
      </button>
    </form>
  );
}

function PublisherKeyForm({ onDone }: { onDone: () => Promise<void> }) {
  const [file, setFile] = useState<File | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const action = useAction();
  return (
    <form
      className="pki-form"
      aria-label="Set the baseline publisher key"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (file === null) return;
        void action
          .run(
            async () => {
              const read = await readFileText(file, maximumPublisherKeyBytes);
              if (!read.ok) return read;
              return call('baseline:publisher', { pem: read.value }, pkiFailures);
            },
            (key) =>
              `Baselines are now checked against ${key.algorithm} key ${formatFingerprint(key.fingerprintSha256)}.`,
          )
          .then(onDone);
      }}
    >
      <h3>Set the publisher key</h3>
      <p className="muted">Changing it changes which firmware is trusted.</p>
      <FileField
        label="Public key (PEM)"
        accept=".pem,application/x-pem-file"
        onFile={setFile}
        error={submitted && file === null ? 'choose the file' : null}
      />
      <ActionFeedback action={action} testId="publisher-key" />
      <button type="submit" className="button button--primary" disabled={action.busy}>
        Set publisher key
      </button>
    </form>
  );
}

function BaselineImportForm({ onDone }: { onDone: () => Promise<void> }) {
  const [file, setFile] = useState<File | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const action = useAction();
  return (
    <form
      className="pki-form"
      aria-label="Import a firmware baseline"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (file === null) return;
        void action
          .run(
            async () => {
              const read = await readFileText(file, maximumBaselineBytes);
              if (!read.ok) return read;
              return call('baseline:import', { content: read.value }, pkiFailures);
            },
            (summary) =>
              `Baseline ${summary.sequence} imported: ${summary.models} models, ${summary.approvedImages} approved images.`,
          )
          .then(onDone);
      }}
    >
      <h3>Import a signed baseline</h3>
      <p className="muted">Its signature is checked against the publisher key.</p>
      <FileField
        label="Baseline file (JSON)"
        accept=".json,application/json"
        onFile={setFile}
        error={submitted && file === null ? 'choose the file' : null}
      />
      <ActionFeedback action={action} testId="baseline-import" />
      <button type="submit" className="button button--primary" disabled={action.busy}>
        Import baseline
      </button>
    </form>
  );
}
