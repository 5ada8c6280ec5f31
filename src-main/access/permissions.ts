// The one permission table: which role may do what. Every IPC channel names one permission in the
// contract; nothing else grants rights. `public` needs no session; `session` needs any session.
import type { Permission, Role } from '../../src-preload/contract';

export const rolePermissions: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  technician: new Set(['session', 'inventory.read', 'inventory.write']),
  engineer: new Set(['session', 'inventory.read', 'inventory.write', 'inventory.export']),
  manager: new Set(['session', 'inventory.read', 'inventory.export']),
  // Until per-user accounts land, the first administrator is the only account, so it can import.
  administrator: new Set(['session', 'inventory.read', 'inventory.write', 'inventory.export']),
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return permission === 'public' || rolePermissions[role].has(permission);
}
