import { describe, expect, it } from 'vitest';
import { capabilitiesOf } from './capabilities';

describe('capabilitiesOf', () => {
  it('gives an administrator the admin views and a read-only inventory', () => {
    expect(capabilitiesOf('administrator', false)).toEqual({
      views: ['inventory', 'certificates', 'audit', 'accounts', 'emergencies', 'settings'],
      writeInventory: false,
      exportInventory: false,
      administer: true,
      exportAudit: true,
      changeNetwork: false,
    });
  });

  it('lets a technician import but not export, and shows no admin view', () => {
    expect(capabilitiesOf('technician', false)).toMatchObject({
      views: ['inventory', 'provision', 'certificates'],
      writeInventory: true,
      exportInventory: false,
      administer: false,
    });
  });

  it('lets a manager export and read the audit log, but not import or export the log', () => {
    expect(capabilitiesOf('manager', false)).toMatchObject({
      views: ['inventory', 'network', 'certificates', 'audit'],
      writeInventory: false,
      exportInventory: true,
      exportAudit: false,
    });
  });

  it('offers bedside provisioning to technicians and engineers, and the certificates to every role', () => {
    expect(capabilitiesOf('engineer', false).views).toEqual(
      expect.arrayContaining(['provision', 'certificates']),
    );
    expect(capabilitiesOf('engineer', true).views).toContain('provision');
    for (const role of ['manager', 'administrator'] as const) {
      expect(capabilitiesOf(role, false).views).not.toContain('provision');
      expect(capabilitiesOf(role, false).views).toContain('certificates');
    }
  });

  it('shows the network map to managers read-only and lets an engineer change the policy', () => {
    expect(capabilitiesOf('manager', false)).toMatchObject({ changeNetwork: false });
    expect(capabilitiesOf('manager', false).views).toContain('network');
    expect(capabilitiesOf('engineer', false).changeNetwork).toBe(true);
    expect(capabilitiesOf('engineer', false).views).toContain('network');
    for (const role of ['technician', 'administrator'] as const) {
      expect(capabilitiesOf(role, false).views).not.toContain('network');
      expect(capabilitiesOf(role, false).changeNetwork).toBe(false);
    }
  });

  it('offers no policy change in an emergency session, which cannot step up, but still the map', () => {
    expect(capabilitiesOf('engineer', true).views).toContain('network');
    expect(capabilitiesOf('engineer', true).changeNetwork).toBe(false);
  });

  it('offers no export in an emergency session, which cannot step up', () => {
    expect(capabilitiesOf('engineer', false).exportInventory).toBe(true);
    expect(capabilitiesOf('engineer', true)).toMatchObject({
      writeInventory: true,
      exportInventory: false,
    });
  });
});
