// What the window offers each role: which views, and whether inventory writes and exports are
// shown. Derived from the contract's permission table, the same data main enforces: hiding a
// control here is for clarity, main refuses the call regardless.
import type { Permission, Role } from '../../src-preload/contract';
import { rolePermissions } from '../../src-preload/contract';

export type ConsoleView =
  | 'inventory'
  | 'network'
  | 'provision'
  | 'certificates'
  | 'audit'
  | 'accounts'
  | 'emergencies'
  | 'settings';

export interface Capabilities {
  views: readonly ConsoleView[];
  /** Import and anything else that changes devices (inventory.write). */
  writeInventory: boolean;
  /** Export CSV / FHIR (inventory.export, with a step-up). */
  exportInventory: boolean;
  /** Accounts, emergency reviews, settings and the emergency credential. */
  administer: boolean;
  /** Export the audit log (audit.export, with a step-up). */
  exportAudit: boolean;
  /** Draft and apply network policy changes (network.write, with a step-up). */
  changeNetwork: boolean;
}

/** The permission that opens each view. */
const viewPermission: Readonly<Record<ConsoleView, Permission>> = {
  inventory: 'inventory.read',
  network: 'network.read',
  provision: 'provision',
  certificates: 'inventory.read',
  audit: 'audit.read',
  accounts: 'accounts.manage',
  emergencies: 'breakglass.review',
  settings: 'settings.manage',
};

const viewOrder: readonly ConsoleView[] = [
  'inventory',
  'network',
  'provision',
  'certificates',
  'audit',
  'accounts',
  'emergencies',
  'settings',
];

/**
 * An emergency session carries an engineer's rights but can never step up (it has no password or
 * code of its own), so privileged actions such as exports are not offered in it.
 */
export function capabilitiesOf(role: Role, emergency: boolean): Capabilities {
  const granted = new Set<Permission>(rolePermissions[role]);
  return {
    views: viewOrder.filter((view) => granted.has(viewPermission[view])),
    writeInventory: granted.has('inventory.write'),
    exportInventory: granted.has('inventory.export') && !emergency,
    administer: granted.has('accounts.manage'),
    exportAudit: granted.has('audit.export') && !emergency,
    changeNetwork: granted.has('network.write') && !emergency,
  };
}

export const viewLabels: Readonly<Record<ConsoleView, string>> = {
  inventory: 'Inventory',
  network: 'Network',
  provision: 'Provision',
  certificates: 'Certificates',
  audit: 'Audit log',
  accounts: 'Accounts',
  emergencies: 'Emergencies',
  settings: 'Settings',
};
