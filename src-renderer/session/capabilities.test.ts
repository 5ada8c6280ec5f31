import { describe, expect, it } from 'vitest';
import { capabilitiesOf } from './capabilities';

describe('capabilitiesOf', () => {
  it('gives an administrator the admin views and a read-only inventory', () => {
    expect(capabilitiesOf('administrator', false)).toEqual({
      views: ['inventory', 'audit', 'accounts', 'emergencies', 'settings'],
      writeInventory: false,
      exportInventory: false,
      administer: true,
      exportAudit: true,
    });
  });

  it('lets a technician import but not export, and shows no admin view', () => {
    expect(capabilitiesOf('technician', false)).toMatchObject({
      views: ['inventory'],
      writeInventory: true,
      exportInventory: false,
      administer: false,
    });
  });

  it('lets a manager export and read the audit log, but not import or export the log', () => {
    expect(capabilitiesOf('manager', false)).toMatchObject({
      views: ['inventory', 'audit'],
      writeInventory: false,
      exportInventory: true,
      exportAudit: false,
    });
  });

  it('offers no export in an emergency session, which cannot step up', () => {
    expect(capabilitiesOf('engineer', false).exportInventory).toBe(true);
    expect(capabilitiesOf('engineer', true)).toMatchObject({
      writeInventory: true,
      exportInventory: false,
    });
  });
});
