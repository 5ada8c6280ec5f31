// The signed-in console: the header and the open view, limited to the views the role may use.
// Invariant: a view the role may not open is never rendered, whatever the navigation store says.
import type { ReactNode } from 'react';
import { AccountsView } from '../accounts/AccountsView';
import { AuditView } from '../audit/AuditView';
import { EmergenciesView } from '../emergencies/EmergenciesView';
import { InventoryView } from '../inventory/InventoryView';
import { NetworkView } from '../network/NetworkView';
import { CertificatesView } from '../pki/CertificatesView';
import { ProvisionView } from '../provisioning/ProvisionView';
import { SettingsView } from '../settings/SettingsView';
import type { ConsoleView } from '../session/capabilities';
import { capabilitiesOf } from '../session/capabilities';
import { useSessionStore } from '../session/sessionStore';
import { HeaderBar } from './HeaderBar';
import { useNavigationStore } from './navigationStore';
import { useSessionWatch } from './useSessionWatch';

export function ConsoleShell() {
  useSessionWatch();
  const role = useSessionStore((state) => state.user?.role ?? null);
  const emergency = useSessionStore((state) => state.session?.emergency != null);
  const view = useNavigationStore((state) => state.view);
  const allowed = role === null ? ['inventory'] : capabilitiesOf(role, emergency).views;
  const shown: ConsoleView = allowed.includes(view) ? view : 'inventory';
  return (
    <div className="console">
      <HeaderBar />
      {contentFor(shown, role !== null && capabilitiesOf(role, emergency).exportAudit)}
    </div>
  );
}

function contentFor(view: ConsoleView, exportAudit: boolean): ReactNode {
  switch (view) {
    case 'inventory':
      return <InventoryView />;
    case 'network':
      return <NetworkView />;
    case 'provision':
      return <ProvisionView />;
    case 'certificates':
      return <CertificatesView />;
    case 'audit':
      return <AuditView canExport={exportAudit} />;
    case 'accounts':
      return <AccountsView />;
    case 'emergencies':
      return <EmergenciesView />;
    case 'settings':
      return <SettingsView />;
  }
}
