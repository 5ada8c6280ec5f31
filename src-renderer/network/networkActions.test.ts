import { describe, expect, it } from 'vitest';
import { networkActionsOf, noNetworkActions } from './networkActions';

describe('networkActionsOf', () => {
  it('lets an engineer import flows, triage unknown addresses and revert the policy', () => {
    expect(networkActionsOf('engineer', false)).toEqual({
      read: true,
      importFlows: true,
      triage: true,
      revert: true,
    });
  });

  it('lets a manager read, export and see versions but change nothing', () => {
    expect(networkActionsOf('manager', false)).toEqual({
      read: true,
      importFlows: false,
      triage: false,
      revert: false,
    });
  });

  it('keeps imports and triage in an emergency session but hides the revert, which needs a step-up', () => {
    expect(networkActionsOf('engineer', true)).toEqual({
      read: true,
      importFlows: true,
      triage: true,
      revert: false,
    });
  });

  it('offers nothing to roles without the network permissions, nor to nobody', () => {
    expect(networkActionsOf('technician', false)).toEqual(noNetworkActions);
    expect(networkActionsOf('administrator', false)).toEqual(noNetworkActions);
    expect(networkActionsOf(null, false)).toEqual(noNetworkActions);
  });
});
