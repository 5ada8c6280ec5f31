// The inventory view: filters, the device table and the detail panel, and the import dialog.
// Invariants: mounting the view (after every sign-in) reloads the inventory, so a new session
// never shows rows fetched under the previous one; import and export show only for roles that
// may use them (main refuses the others regardless).
import { useEffect } from 'react';
import { ImportDialog } from '../import/ImportDialog';
import { useImportStore } from '../import/importStore';
import { capabilitiesOf } from '../session/capabilities';
import { useSessionStore } from '../session/sessionStore';
import { DeviceDetail } from './DeviceDetail';
import { DeviceTable } from './DeviceTable';
import { ExportButtons } from './ExportButtons';
import { FilterBar, ResultCount } from './FilterBar';
import { useInventoryStore } from './inventoryStore';

export function InventoryView() {
  const refresh = useInventoryStore((state) => state.refresh);
  const openImport = useImportStore((state) => state.openDialog);
  const importOpen = useImportStore((state) => state.open);
  const role = useSessionStore((state) => state.user?.role ?? null);
  const emergency = useSessionStore((state) => state.session?.emergency != null);
  const { writeInventory, exportInventory } =
    role === null
      ? { writeInventory: false, exportInventory: false }
      : capabilitiesOf(role, emergency);

  useEffect(() => {
    refresh();
  }, [refresh]);

  return (
    <>
      <div className="toolbar">
        <FilterBar />
      </div>
      <div className="table-bar">
        <ResultCount />
        <div className="table-bar__actions">
          {writeInventory ? (
            <button type="button" className="button button--primary" onClick={openImport}>
              Import CSV…
            </button>
          ) : null}
          {exportInventory ? <ExportButtons /> : null}
          {writeInventory || exportInventory ? null : (
            <span className="muted" data-testid="read-only-note">
              Read only for your role
            </span>
          )}
        </div>
      </div>
      <div className="console__body">
        <section className="console__table" aria-label="Device inventory">
          <DeviceTable />
        </section>
        <DeviceDetail />
      </div>
      {importOpen && writeInventory ? <ImportDialog /> : null}
    </>
  );
}
