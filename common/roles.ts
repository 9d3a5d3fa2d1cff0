import { z } from 'zod';

/**
 * Who an account is at the hub. Not a ladder: each route names the roles it admits (server/roles.ts),
 * the administrator is admitted everywhere. An agent answers calls; a technician enrolls and revokes
 * booths; a supervisor watches the fleet and the agents; an administrator manages accounts and releases.
 */
export const Role = z.enum(['agent', 'technician', 'supervisor', 'administrator']);
export type Role = z.infer<typeof Role>;

/** Roles that may open the agent console's socket and answer citizens. */
export const CALL_ROLES: readonly Role[] = ['agent', 'supervisor', 'administrator'];

/** Whether `role` is admitted where `allowed` are (the administrator always is). */
export function roleAllows(role: Role, allowed: readonly Role[]): boolean {
  return role === 'administrator' || allowed.includes(role);
}
