// The one role check of the hub's HTTP routes. A route names the roles it admits; the guard verifies
// the bearer token, then reads the account again (role, disabled) so a role change or a disabled
// account applies on the next request, not when the 8-hour token expires.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows, type Role } from '../common/roles';
import { accountById } from './accounts';
import type { HubStore } from './db/store';

/** The signed-in account behind a request. */
export interface Principal {
  /** Account id (token subject). */
  id: string;
  /** Login name (the audit's actor). */
  username: string;
  /** Name shown in the console. */
  displayName: string;
  /** Role as stored now (not as it was at sign-in). */
  role: Role;
}

/**
 * Checks the request's bearer token and the account's current role: the principal, or null once
 * 401 (no valid token, account gone or disabled) or 403 (role not admitted) was sent.
 */
export type RequireRole = (req: FastifyRequest, reply: FastifyReply, allowed: readonly Role[]) => Promise<Principal | null>;

/** Builds the guard over the hub's token verifier and store. */
export function createRoleGuard(deps: { verifyToken: (token: string) => Promise<{ agentId: string }>; store: HubStore }): RequireRole {
  return async (req, reply, allowed) => {
    const m = /^Bearer (\S{10,4096})$/.exec(req.headers.authorization ?? '');
    let id: string | undefined;
    if (m) {
      try {
        id = (await deps.verifyToken(m[1]!)).agentId;
      } catch {
        // answered below
      }
    }
    const account = id === undefined ? undefined : accountById(deps.store, id);
    if (!account || account.disabled) {
      await reply.code(401).send({ code: 'unauthorized', message: 'agent token required' });
      return null;
    }
    if (!roleAllows(account.role, allowed)) {
      req.log.warn({ username: account.username, role: account.role, url: req.url }, 'route refused to this role');
      await reply.code(403).send({ code: 'forbidden', message: `the ${account.role} role may not do this` });
      return null;
    }
    return { id: account.id, username: account.username, displayName: account.displayName, role: account.role };
  };
}
