// What the certificates and provisioning views offer a role: derived from the contract's
// permission table, the same one main enforces, so hiding a control is for clarity only.
// Invariant: an emergency session, which can never step up, is offered no step-up action.
import type { Permission, Role } from '../../src-preload/contract';
import { rolePermissions } from '../../src-preload/contract';

export interface PkiAccess {
  /** The PKI overview, trust anchors and the CA chain (`provision`). */
  readOverview: boolean;
  /** Bedside provisioning and its history. */
  provision: boolean;
  /** Publish a CRL and import a signed baseline: pki.manage without step-up. */
  manage: boolean;
  /** Revoke, create or import the CA, trust anchors, the publisher key: pki.manage + step-up. */
  manageWithStepUp: boolean;
  /** Review an exception (network.write). */
  reviewExceptions: boolean;
  /** Create or revoke an exception (network.write + step-up). */
  writeExceptions: boolean;
}

export function pkiAccessOf(role: Role, emergency: boolean): PkiAccess {
  const granted = new Set<Permission>(rolePermissions[role]);
  return {
    readOverview: granted.has('provision'),
    provision: granted.has('provision'),
    manage: granted.has('pki.manage'),
    manageWithStepUp: granted.has('pki.manage') && !emergency,
    reviewExceptions: granted.has('network.write'),
    writeExceptions: granted.has('network.write') && !emergency,
  };
}
