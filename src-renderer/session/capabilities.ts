// What the window offers each role: which views, and whether inventory writes and exports are
// shown. It mirrors the permission table in main (src-main/access/permissions.ts), which stays
// the only authority: hiding a control here is for clarity, main refuses the call regardless.
import type { Role } from '../../src-preload/contract';

export type ConsoleView = 'inventory' | 'accounts' | 'emergencies' | 'settings';

export interface Capabilities {
  views: readonly ConsoleView[];
  /** Import and anything else that changes devices (inventory.write). */
  writeInventory: boolean;
  /** Export CSV / FHIR (inventory.export, with a step-up). */
  exportInventory: boolean;
  /** Accounts, emergency reviews, settings and the emergency credential. */
  administer: boolean;
}

const byRole: Readonly<Record<Role, Capabilities>> = {
  technician: {
    views: ['inventory'],
    writeInventory: true,
    exportInventory: false,
    administer: false,
  },
  engineer: {
    views: ['inventory'],
    writeInventory: true,
    exportInventory: true,
    administer: false,
  },
  manager: {
    views: ['inventory'],
    writeInventory: false,
    exportInventory: true,
    administer: false,
  },
  administrator: {
    views: ['inventory', 'accounts', 'emergencies', 'settings'],
    writeInventory: false,
    exportInventory: false,
    administer: true,
  },
};

/**
 * An emergency session carries an engineer's rights but can never step up (it has no password or
 * code of its own), so privileged actions such as exports are not offered in it.
 */
export function capabilitiesOf(role: Role, emergency: boolean): Capabilities {
  const capabilities = byRole[role];
  return emergency ? { ...capabilities, exportInventory: false } : capabilities;
}

export const viewLabels: Readonly<Record<ConsoleView, string>> = {
  inventory: 'Inventory',
  accounts: 'Accounts',
  emergencies: 'Emergencies',
  settings: 'Settings',
};
