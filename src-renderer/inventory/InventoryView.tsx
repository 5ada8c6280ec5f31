// The console's main view: header, filters, the device table and the detail panel, and the
// import dialog. Invariant: mounting the view (after every sign-in) reloads the inventory, so a
// new session never shows rows fetched under the previous one.
import { useEffect } from 'react';
import { ImportDialog } from '../import/ImportDialog';
import { useImportStore } from '../import/importStore';
import { HeaderBar } from '../shell/HeaderBar';
import { DeviceDetail } from './DeviceDetail';
import { DeviceTable } from './DeviceTable';
import { ExportButtons } from './ExportButtons';
import { FilterBar, ResultCount } from './FilterBar';
import { useInventoryStore } from './inventoryStore';

export function InventoryView() {
  const refresh = useInventoryStore((state) => state.refresh);
  const openImport = useImportStore((state) => state.openDialog);
  const importOpen = useImportStore((state) => state.open);

  useEffect(() => {
    refresh();
  }, [refresh]);

  return (
    <div className="console">
      <HeaderBar title="Inventory" />
      <div className="toolbar">
        <FilterBar />
      </div>
      <div className="table-bar">
        <ResultCount />
        <div className="table-bar__actions">
          <button type="button" className="button button--primary" onClick={openImport}>
            Import CSV…
          </button>
          <ExportButtons />
        </div>
      </div>
      <div className="console__body">
        <section className="console__table" aria-label="Device inventory">
          <DeviceTable />
        </section>
        <DeviceDetail />
      </div>
      {importOpen ? <ImportDialog /> : null}
    </div>
  );
}
