// IPC handlers for the inventory: thin adapters from the contract to the inventory service of
// the open store. Import progress goes back only to the client that asked for the import.
import { fail } from '../lib/errors';
import type { HandlerGroup } from '../ipc/handlers';

type InventoryChannel =
  | 'devices:list'
  | 'devices:get'
  | 'devices:facets'
  | 'devices:export'
  | 'imports:stage'
  | 'imports:validate'
  | 'imports:commit'
  | 'imports:discard'
  | 'mappings:list'
  | 'mappings:save';

export const inventoryHandlers: HandlerGroup<InventoryChannel> = {
  'devices:list': (query, { services, session }) => {
    const page = services.inventory().list(query);
    // An administrator reads the inventory only under audit (a new query, not every scrolled page).
    if (session?.role === 'administrator' && query.offset === 0) {
      services.record({
        action: 'inventory.read',
        details: {
          query: JSON.parse(JSON.stringify(query)) as Record<string, string>,
          total: page.total,
        },
      });
    }
    return page;
  },
  'devices:get': ({ id }, { services, session }) => {
    const device = services.inventory().get(id);
    if (session?.role === 'administrator')
      services.record({ action: 'inventory.read', target: device.uid, details: { id } });
    return device;
  },
  'devices:facets': (_request, { services }) => services.inventory().facets(),
  'devices:export': ({ format }, { services }) => {
    const inventory = services.inventory();
    services.record({ action: 'inventory.export', details: { format } });
    const day = new Date(services.clock.nowMs()).toISOString().slice(0, 10);
    switch (format) {
      case 'csv':
        return {
          fileName: `wardkeep-devices-${day}.csv`,
          mimeType: 'text/csv',
          content: inventory.exportCsv(),
        };
      case 'fhir':
        return {
          fileName: `wardkeep-devices-${day}.fhir.json`,
          mimeType: 'application/fhir+json',
          content: inventory.exportFhir(),
        };
      default:
        return fail('ipc.payload', 'unknown export format');
    }
  },
  'imports:stage': ({ fileName, content }, { services }) =>
    services.inventory().stage(fileName, content),
  'imports:validate': ({ stagingId, mapping }, { services }) =>
    services.inventory().validate(stagingId, mapping),
  'imports:commit': ({ stagingId, mapping, skipInvalid }, { clientId, services }) =>
    services
      .inventory()
      .commit(stagingId, mapping, skipInvalid, (progress) =>
        services.emit(clientId, 'imports:progress', { stagingId, ...progress }),
      ),
  'imports:discard': ({ stagingId }, { services }) => {
    services.inventory().discard(stagingId);
    return {};
  },
  'mappings:list': (_request, { services }) => services.inventory().listMappings(),
  'mappings:save': ({ name, mapping }, { services }) => {
    services.inventory().saveMapping(name, mapping);
    return {};
  },
};
