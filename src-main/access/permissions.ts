// The one permission table: which role may do what. Every IPC channel and CLI command names one
// permission; nothing else grants rights. `public` needs no session; `session` needs any session.
// An emergency (break-glass) session has the rights of an engineer.
import type { Permission, Role } from '../../src-preload/contract';

export const rolePermissions: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  technician: new Set(['session', 'inventory.read', 'inventory.write', 'provision']),
  engineer: new Set([
    'session',
    'inventory.read',
    'inventory.write',
    'inventory.export',
    'provision',
    'pki.manage',
    'network.read',
    'network.write',
  ]),
  // Read-mostly: inventory, maps and reports; no device or policy changes.
  manager: new Set(['session', 'inventory.read', 'inventory.export', 'network.read', 'audit.read']),
  // Accounts, roles and settings; reading the inventory is allowed and audited.
  administrator: new Set([
    'session',
    'inventory.read',
    'accounts.manage',
    'settings.manage',
    'audit.read',
    'audit.export',
    'breakglass.review',
  ]),
};

/** The role whose rights an emergency session carries. */
export const emergencyRole: Role = 'engineer';

export function roleAllows(role: Role, permission: Permission): boolean {
  return permission === 'public' || rolePermissions[role].has(permission);
}
