// Main's side of the one permission table (declared in the contract, so the renderer hides what
// a role cannot use from the same data): every IPC channel and CLI command names one permission;
// nothing else grants rights. `public` needs no session; `session` needs any session.
import type { Permission, Role } from '../../src-preload/contract';
import { emergencyRole, rolePermissions as table } from '../../src-preload/contract';

export { emergencyRole };

export const rolePermissions: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  technician: new Set(table.technician),
  engineer: new Set(table.engineer),
  manager: new Set(table.manager),
  administrator: new Set(table.administrator),
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return permission === 'public' || rolePermissions[role].has(permission);
}
