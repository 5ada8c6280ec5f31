// The console's PKI at a glance: its certificate authority (or the forms to create or import one),
// the site policy, trusted manufacturers, the firmware baseline and its publisher key, the latest
// CRL; with the CA chain to download and a CRL to publish.
// Invariant: a control shows only to a role main would let use it (see pkiAccess.ts).
import { useId, useState } from 'react';
import { authorityKeyAlgorithms } from '../../src-preload/provisioning/schemas';
import { call } from '../api/wardkeep';
import { downloadText } from '../api/download';
import { FileField } from '../shared/FileField';
import { TextField } from '../shared/TextField';
import { formatFingerprint, formatUtc } from '../provisioning/outcome';
import { ActionFeedback } from './ActionFeedback';
import { readFileBase64 } from './files';
import { authorityOriginLabels } from './labels';
import type { PkiAccess } from './pkiAccess';
import type { PkiOverview } from './pkiStore';
import { usePkiStore } from './pkiStore';
import { pkiFailures, useAction } from './useAction';

type KeyAlgorithm = (typeof authorityKeyAlgorithms)[number];

const keyAlgorithmLabels: Readonly<Record<KeyAlgorithm, string>> = {
  'rsa-2048': 'RSA 2048',
  'rsa-3072': 'RSA 3072 (default)',
  'rsa-4096': 'RSA 4096',
  'ecdsa-p256': 'ECDSA P-256',
  'ecdsa-p384': 'ECDSA P-384',
};

/** PKCS#12 bundles are small; the contract takes up to 8 MiB of base64. */
const maximumPkcs12Bytes = 6 * 1024 * 1024;

export function OverviewPanel({ overview, access }: { overview: PkiOverview; access: PkiAccess }) {
  const loadOverview = usePkiStore((state) => state.loadOverview);
  const downloads = useAction();
  const authority = overview.authority;

  return (
    <div className="pki-panel" data-testid="pki-overview">
      <section className="pki-section" aria-labelledby="pki-authority-heading">
        <h2 id="pki-authority-heading" className="pki-section__title">
          Certificate authority
        </h2>
        {authority === null ? (
          <>
            <p className="state--bad" data-testid="no-authority">
              No certificate authority yet: devices cannot be given certificates.
            </p>
            {access.manageWithStepUp ? (
              <div className="pki-forms">
                <CreateAuthorityForm onDone={() => void loadOverview()} />
                <ImportAuthorityForm onDone={() => void loadOverview()} />
              </div>
            ) : (
              <p className="muted">Ask an engineer to create or import it.</p>
            )}
          </>
        ) : (
          <dl className="field-group__list" data-testid="authority-summary">
            <dt>Subject</dt>
            <dd>{authority.subject}</dd>
            <dt>Origin</dt>
            <dd>{authorityOriginLabels[authority.origin]}</dd>
            <dt>Key</dt>
            <dd>{authority.keyAlgorithm}</dd>
            <dt>Fingerprint (SHA-256)</dt>
            <dd className="mono">{formatFingerprint(authority.fingerprintSha256)}</dd>
            <dt>Valid</dt>
            <dd>
              {formatUtc(authority.notBefore)} to {formatUtc(authority.notAfter)}
            </dd>
            <dt>Chain</dt>
            <dd>{authority.chainSubjects.join(' → ')}</dd>
            <dt>Installed</dt>
            <dd>{formatUtc(authority.installedAt)}</dd>
          </dl>
        )}
        <div className="pki-section__actions">
          {authority !== null ? (
            <button
              type="button"
              className="button"
              disabled={downloads.busy}
              onClick={() =>
                void downloads.run(
                  () => call('pki:chain', {}, pkiFailures),
                  (file) => {
                    downloadText(file.fileName, file.mimeType, file.content);
                    return `Saved ${file.fileName}.`;
                  },
                )
              }
            >
              Download CA chain (PEM)
            </button>
          ) : null}
          {authority !== null && access.manage ? (
            <button
              type="button"
              className="button"
              disabled={downloads.busy}
              onClick={() =>
                void downloads
                  .run(
                    () => call('pki:crl', {}, pkiFailures),
                    (file) => {
                      downloadText(file.fileName, file.mimeType, file.content);
                      return `Published and saved ${file.fileName}.`;
                    },
                  )
                  .then(() => loadOverview())
              }
            >
              Publish CRL
            </button>
          ) : null}
        </div>
        <ActionFeedback action={downloads} testId="pki-download" />
      </section>

      <section className="pki-section" aria-labelledby="pki-policy-heading">
        <h2 id="pki-policy-heading" className="pki-section__title">
          Site and policy
        </h2>
        <dl className="field-group__list">
          <dt>Site</dt>
          <dd>{overview.policy.siteName ?? 'Not named yet'}</dd>
          <dt>Device certificates</dt>
          <dd>valid {overview.policy.certificateValidityDays} days</dd>
          <dt>CRL</dt>
          <dd>valid {overview.policy.crlValidityDays} days</dd>
          <dt>Latest CRL</dt>
          <dd data-testid="latest-crl">
            {overview.latestCrl === null
              ? 'None published yet'
              : `number ${overview.latestCrl.crlNumber}, ${overview.latestCrl.revokedCount} revoked, published ${formatUtc(overview.latestCrl.thisUpdate)}, next by ${formatUtc(overview.latestCrl.nextUpdate)}`}
          </dd>
        </dl>
      </section>

      <section className="pki-section" aria-labelledby="pki-devices-heading">
        <h2 id="pki-devices-heading" className="pki-section__title">
          What makes a device genuine and current
        </h2>
        <dl className="field-group__list">
          <dt>Trusted manufacturers</dt>
          <dd className={overview.trustAnchors === 0 ? 'state--bad' : undefined}>
            {overview.trustAnchors === 0
              ? 'None: every device is refused as untrusted'
              : `${overview.trustAnchors} trust ${overview.trustAnchors === 1 ? 'anchor' : 'anchors'}`}
          </dd>
          <dt>Baseline publisher key</dt>
          <dd className={overview.baselinePublisher === null ? 'state--bad' : 'mono'}>
            {overview.baselinePublisher === null
              ? 'Not configured'
              : `${overview.baselinePublisher.algorithm} ${formatFingerprint(overview.baselinePublisher.fingerprintSha256)}`}
          </dd>
          <dt>Firmware baseline</dt>
          <dd className={overview.baseline === null ? 'state--bad' : undefined}>
            {overview.baseline === null
              ? 'None imported: every device is refused'
              : `sequence ${overview.baseline.sequence} from ${overview.baseline.publisher}, issued ${formatUtc(overview.baseline.issuedAt)}: ${overview.baseline.models} models, ${overview.baseline.approvedImages} approved images`}
          </dd>
          <dt>Expiring</dt>
          <dd>
            {overview.expiry.within30Days} within 30 days, {overview.expiry.within60Days} within 60,{' '}
            {overview.expiry.within90Days} within 90; {overview.expiry.expired} expired
          </dd>
        </dl>
      </section>
    </div>
  );
}

function CreateAuthorityForm({ onDone }: { onDone: () => void }) {
  const algorithmId = useId();
  const [siteName, setSiteName] = useState('');
  const [keyAlgorithm, setKeyAlgorithm] = useState<KeyAlgorithm>('rsa-3072');
  const [submitted, setSubmitted] = useState(false);
  const action = useAction();
  const problem = submitted && siteName.trim() === '' ? 'name the site' : null;
  return (
    <form
      className="pki-form"
      aria-label="Create a local certificate authority"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (siteName.trim() === '') return;
        void action
          .run(
            () =>
              call(
                'pki:create-authority',
                { siteName: siteName.trim(), keyAlgorithm },
                pkiFailures,
              ),
            (summary) => `Created ${summary.subject}.`,
          )
          .then((summary) => {
            if (summary !== null) onDone();
          });
      }}
    >
      <h3>Create a local CA (stand-alone site)</h3>
      <TextField
        label="Site name"
        value={siteName}
        onValueChange={setSiteName}
        maxLength={64}
        error={problem}
      />
      <div className="field">
        <label htmlFor={algorithmId}>Key</label>
        <select
          id={algorithmId}
          value={keyAlgorithm}
          onChange={(event) => setKeyAlgorithm(event.target.value as KeyAlgorithm)}
        >
          {authorityKeyAlgorithms.map((value) => (
            <option key={value} value={value}>
              {keyAlgorithmLabels[value]}
            </option>
          ))}
        </select>
      </div>
      <ActionFeedback action={action} testId="create-authority" />
      <button type="submit" className="button button--primary" disabled={action.busy}>
        {action.busy ? 'Creating…' : 'Create CA'}
      </button>
    </form>
  );
}

function ImportAuthorityForm({ onDone }: { onDone: () => void }) {
  const [siteName, setSiteName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const action = useAction();
  const ready = siteName.trim() !== '' && file !== null && password !== '';
  return (
    <form
      className="pki-form"
      aria-label="Import a sub-CA from PKCS#12"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (!ready || file === null) return;
        void action
          .run(
            async () => {
              const read = await readFileBase64(file, maximumPkcs12Bytes);
              if (!read.ok) return read;
              return call(
                'pki:import-authority',
                { siteName: siteName.trim(), pkcs12Base64: read.value, password },
                pkiFailures,
              );
            },
            (summary) => `Imported ${summary.subject}.`,
          )
          .then((summary) => {
            setPassword('');
            if (summary !== null) onDone();
          });
      }}
    >
      <h3>Import a sub-CA from the enterprise PKI</h3>
      <TextField
        label="Site name"
        value={siteName}
        onValueChange={setSiteName}
        maxLength={64}
        error={submitted && siteName.trim() === '' ? 'name the site' : null}
      />
      <FileField
        label="PKCS#12 file (.p12, .pfx)"
        accept=".p12,.pfx,application/x-pkcs12"
        onFile={setFile}
        error={submitted && file === null ? 'choose the file' : null}
      />
      <TextField
        label="PKCS#12 password"
        type="password"
        value={password}
        onValueChange={setPassword}
        autoComplete="off"
        error={submitted && password === '' ? 'enter the password of the file' : null}
      />
      <ActionFeedback action={action} testId="import-authority" />
      <button type="submit" className="button button--primary" disabled={action.busy}>
        {action.busy ? 'Importing…' : 'Import sub-CA'}
      </button>
    </form>
  );
}
