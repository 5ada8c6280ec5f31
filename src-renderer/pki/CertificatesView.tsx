// The certificates view: the console's PKI overview, what expires in 30/60/90 days, every device
// certificate, the trusted manufacturers and firmware baseline, and the legacy-device exceptions.
// Every role that reads the inventory sees it; engineers get the controls (see pkiAccess.ts).
// Invariant: a tab whose data the role may not read is not offered.
import { useEffect } from 'react';
import { useSessionStore } from '../session/sessionStore';
import { SetupBanner } from '../provisioning/SetupBanner';
import { CertificateList } from './CertificateList';
import { ExceptionsPanel } from './ExceptionsPanel';
import { ExpiryPanel } from './ExpiryPanel';
import { OverviewPanel } from './OverviewPanel';
import { TrustPanel } from './TrustPanel';
import type { PkiAccess } from './pkiAccess';
import { pkiAccessOf } from './pkiAccess';
import type { CertificateTab, PkiOverview } from './pkiStore';
import { certificateTabs, usePkiStore } from './pkiStore';

const tabLabels: Readonly<Record<CertificateTab, string>> = {
  overview: 'Overview',
  expiring: 'Expiring',
  certificates: 'Certificates',
  trust: 'Manufacturers and firmware',
  exceptions: 'Legacy exceptions',
};

/** Overview and trust read channels that need `provision`; the rest need `inventory.read`. */
function tabsFor(access: PkiAccess): CertificateTab[] {
  return certificateTabs.filter(
    (tab) => access.readOverview || (tab !== 'overview' && tab !== 'trust'),
  );
}

export function CertificatesView() {
  const role = useSessionStore((state) => state.user?.role ?? 'manager');
  const emergency = useSessionStore((state) => state.session?.emergency != null);
  const access = pkiAccessOf(role, emergency);
  const tab = usePkiStore((state) => state.tab);
  const setTab = usePkiStore((state) => state.setTab);
  const overview = usePkiStore((state) => state.overview);
  const loadOverview = usePkiStore((state) => state.loadOverview);
  const tabs = tabsFor(access);
  const shown: CertificateTab = tabs.includes(tab) ? tab : (tabs[0] ?? 'certificates');

  useEffect(() => {
    if (access.readOverview) void loadOverview();
  }, [access.readOverview, loadOverview]);

  return (
    <div className="admin-view certificates-view" data-testid="certificates-view">
      <div className="admin-view__header">
        <h1>Certificates</h1>
        <p className="muted">
          The console&apos;s certificate authority and the device certificates it issued, the
          manufacturers and firmware it trusts, and the legacy devices that run without a
          certificate under a documented exception.
        </p>
      </div>
      {access.readOverview ? <SetupBanner overview={overview} /> : null}
      <div className="pki-tabs" role="tablist" aria-label="Certificates">
        {tabs.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={shown === name}
            className="pki-tab"
            onClick={() => setTab(name)}
          >
            {tabLabels[name]}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={tabLabels[shown]}>
        {panelFor(shown, access, overview)}
      </div>
    </div>
  );
}

function panelFor(tab: CertificateTab, access: PkiAccess, overview: PkiOverview | null) {
  switch (tab) {
    case 'overview':
      return overview === null ? (
        <p className="muted">Loading the overview…</p>
      ) : (
        <OverviewPanel overview={overview} access={access} />
      );
    case 'expiring':
      return <ExpiryPanel overview={overview} />;
    case 'certificates':
      return <CertificateList access={access} />;
    case 'trust':
      return <TrustPanel overview={overview} access={access} />;
    case 'exceptions':
      return <ExceptionsPanel access={access} />;
  }
}
