// Which network actions the window offers a role: reading (exports, versions, unknown devices),
// importing flows and triaging unknown addresses (network.write, no step-up), and reverting the
// policy (network.write with a step-up, which an emergency session cannot give). Hiding is for
// clarity only: main refuses the call regardless.
import type { Role } from '../../src-preload/contract';
import { rolePermissions } from '../../src-preload/contract';

export interface NetworkActions {
  /** Exports, the manager's report, policy versions and the unknown devices list. */
  read: boolean;
  /** Import observed flows (flows:import). */
  importFlows: boolean;
  /** Mark an unknown address ignored, resolved or open again (network:unknown-state). */
  triage: boolean;
  /** Revert the policy to an earlier version (network:revert, with a step-up). */
  revert: boolean;
}

export const noNetworkActions: NetworkActions = {
  read: false,
  importFlows: false,
  triage: false,
  revert: false,
};

/** An emergency session carries an engineer's rights but has no password or code to step up. */
export function networkActionsOf(role: Role | null, emergency: boolean): NetworkActions {
  if (role === null) return noNetworkActions;
  const granted = rolePermissions[role];
  const write = granted.includes('network.write');
  return {
    read: granted.includes('network.read'),
    importFlows: write,
    triage: write,
    revert: write && !emergency,
  };
}
