// Accounts in the console: the signed-in account (`/api/me`, any role) and, for administrators,
// list, create, change role, disable/enable and reset password. The CLI does the same (server/cli.ts).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { parseFrame } from '../common/protocol';
import { Role } from '../common/roles';
import { createAgent, listAccounts, resetAccountPassword, setAccountDisabled, setAccountRole } from './accounts';
import type { HubStore } from './db/store';
import { HubError } from './errors';
import type { RequireRole } from './roles';

const ALL: readonly Role[] = Role.options;
const ADMIN: readonly Role[] = ['administrator'];

const CreateAccount = z.object({
  username: z.string().min(1).max(64),
  displayName: z.string().min(1).max(80),
  role: Role,
  password: z.string().min(8).max(256).optional(),
}).strict();
const ChangeAccount = z.object({ role: Role.optional(), disabled: z.boolean().optional() }).strict();
const ResetPassword = z.object({ password: z.string().min(8).max(256).optional() }).strict();

const status = (code: string) => (code === 'not_found' ? 404 : code === 'conflict' ? 409 : code === 'forbidden' ? 403 : 400);

export function registerAccountRoutes(app: FastifyInstance, deps: { store: HubStore; requireRole: RequireRole; disconnectAccount: (id: string) => void }): void {
  const refuse = (reply: FastifyReply, err: unknown) => {
    if (err instanceof HubError) return reply.code(status(err.code)).send({ code: err.code, message: err.message });
    throw err;
  };

  app.get('/api/me', async (req, reply) => {
    const who = await deps.requireRole(req, reply, ALL);
    return who ?? reply;
  });

  app.get('/api/accounts', async (req, reply) => {
    if (!(await deps.requireRole(req, reply, ADMIN))) return reply;
    return { accounts: listAccounts(deps.store) };
  });

  app.post('/api/accounts', async (req, reply) => {
    const who = await deps.requireRole(req, reply, ADMIN);
    if (!who) return reply;
    const parsed = parseFrame(CreateAccount, req.body);
    if (!parsed.ok) return reply.code(400).send({ code: 'invalid_message', message: parsed.error });
    try {
      const { agent, password } = await createAgent(deps.store, parsed.value);
      req.log.info({ actor: who.username, username: agent.username, role: parsed.value.role }, 'account created');
      // The password is shown once to the administrator, who hands it over; only its hash is kept.
      return reply.code(201).header('cache-control', 'no-store').send({ id: agent.id, username: agent.username, role: parsed.value.role, password });
    } catch (err) {
      return refuse(reply, err);
    }
  });

  app.patch<{ Params: { username: string } }>('/api/accounts/:username', async (req, reply) => {
    const who = await deps.requireRole(req, reply, ADMIN);
    if (!who) return reply;
    const parsed = parseFrame(ChangeAccount, req.body);
    if (!parsed.ok) return reply.code(400).send({ code: 'invalid_message', message: parsed.error });
    try {
      let account;
      if (parsed.value.role !== undefined) account = setAccountRole(deps.store, req.params.username, parsed.value.role);
      if (parsed.value.disabled !== undefined) account = setAccountDisabled(deps.store, req.params.username, parsed.value.disabled);
      if (!account) return reply.code(400).send({ code: 'invalid_message', message: 'nothing to change (role, disabled)' });
      // A disabled account or a changed role must not keep a socket opened under the old one.
      if (parsed.value.disabled || parsed.value.role !== undefined) deps.disconnectAccount(account.id);
      req.log.info({ actor: who.username, username: account.username, ...parsed.value }, 'account changed');
      return { account };
    } catch (err) {
      return refuse(reply, err);
    }
  });

  app.post<{ Params: { username: string } }>('/api/accounts/:username/password', async (req, reply) => {
    const who = await deps.requireRole(req, reply, ADMIN);
    if (!who) return reply;
    const parsed = parseFrame(ResetPassword, req.body ?? {});
    if (!parsed.ok) return reply.code(400).send({ code: 'invalid_message', message: parsed.error });
    try {
      const r = await resetAccountPassword(deps.store, req.params.username, parsed.value.password);
      req.log.info({ actor: who.username, username: r.account.username }, 'account password reset');
      return reply.header('cache-control', 'no-store').send({ username: r.account.username, password: r.password });
    } catch (err) {
      return refuse(reply, err);
    }
  });
}
