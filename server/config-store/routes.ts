// HTTP API of the central configuration (console and scripts) and the live push to booths.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HubToKiosk } from '../../common/protocol';
import { HubError } from '../errors';
import { ConfigInvalidError, type ConfigStore } from './store';

/**
 * Pushes a scope's change to the booths it reaches that are online now (offline ones compare versions
 * when they reconnect). Changes written by another process (the CLI) are found by `poll()`.
 */
export class ConfigPusher {
  private seen: number;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly configs: ConfigStore,
    /** Sends to a booth's socket if it has one; false when offline. */
    private readonly sendToKiosk: (kioskId: string, frame: HubToKiosk) => boolean,
    pollMs = 1_000,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.seen = configs.cursor();
    if (pollMs > 0) {
      this.timer = setInterval(() => {
        try {
          this.poll();
        } catch (err) {
          onError(err);
        }
      }, pollMs);
      this.timer.unref();
    }
  }

  /** Pushes every scope changed since the last look; returns the frames sent. */
  poll(): number {
    const cursor = this.configs.cursor();
    if (cursor === this.seen) return 0;
    const scopes = this.configs.changedSince(this.seen);
    this.seen = cursor;
    let sent = 0;
    for (const scope of scopes) sent += this.pushScope(scope);
    return sent;
  }

  /** Sends the current merged config to every online booth `scope` reaches; returns how many. */
  pushScope(scope: string): number {
    let sent = 0;
    for (const { kioskId, effective } of this.configs.effectiveForScope(scope)) {
      if (this.sendToKiosk(kioskId, { type: 'config.push', version: effective.version, config: effective.config })) sent++;
    }
    return sent;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** Who may read / change configuration: the principal's name for the history, or null once refused. */
export type ConfigAuthorize = (req: FastifyRequest, reply: FastifyReply, write: boolean) => Promise<{ username: string } | null>;

const SetBody = z.object({ config: z.record(z.string(), z.unknown()), comment: z.string().max(500).optional(), baseVersion: z.number().int().nonnegative().optional() }).strict();
const RollbackBody = z.object({ version: z.number().int().positive(), comment: z.string().max(500).optional() }).strict();

/**
 * GET    /api/config/:scope            current document and version
 * PUT    /api/config/:scope            { config, comment?, baseVersion? } → new version, pushed live
 * GET    /api/config/:scope/history    versions, newest first, with diffs
 * POST   /api/config/:scope/rollback   { version } → new version carrying that one's document
 * GET    /api/config-effective/:kioskId  what that booth gets (merged, its version)
 * Scopes: `office:<office name>` or `kiosk:<kiosk id>` (URL-encoded).
 */
export function registerConfigRoutes(app: FastifyInstance, deps: { configs: ConfigStore; pusher: ConfigPusher; authorize: ConfigAuthorize }): void {
  const { configs, pusher, authorize } = deps;
  const refuse = (reply: FastifyReply, err: unknown) => {
    if (err instanceof ConfigInvalidError) return reply.code(400).send({ code: err.code, message: err.message, field: err.field, issues: err.issues });
    if (err instanceof HubError) return reply.code(err.code === 'not_found' ? 404 : err.code === 'conflict' ? 409 : 400).send({ code: err.code, message: err.message });
    throw err;
  };
  const scopeOf = (req: FastifyRequest) => (req.params as { scope: string }).scope;

  app.get('/api/config/:scope', async (req, reply) => {
    if (!(await authorize(req, reply, false))) return reply;
    try {
      return configs.current(scopeOf(req));
    } catch (err) {
      return refuse(reply, err instanceof z.ZodError ? new ConfigInvalidError('scope', [err.issues[0]?.message ?? 'bad scope']) : err);
    }
  });

  app.get('/api/config/:scope/history', async (req, reply) => {
    if (!(await authorize(req, reply, false))) return reply;
    try {
      return { versions: configs.history(scopeOf(req)) };
    } catch (err) {
      return refuse(reply, err instanceof z.ZodError ? new ConfigInvalidError('scope', [err.issues[0]?.message ?? 'bad scope']) : err);
    }
  });

  app.put('/api/config/:scope', async (req, reply) => {
    const who = await authorize(req, reply, true);
    if (!who) return reply;
    const body = SetBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ code: 'invalid_message', message: body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    try {
      const v = configs.set(scopeOf(req), body.data.config, who.username, {
        ...(body.data.comment !== undefined ? { comment: body.data.comment } : {}),
        ...(body.data.baseVersion !== undefined ? { baseVersion: body.data.baseVersion } : {}),
      });
      req.log.info({ scope: v.scope, version: v.version, author: v.author, changed: v.diff.map((d) => d.path) }, 'configuration changed');
      return { ...v, pushed: pusher.poll() };
    } catch (err) {
      return refuse(reply, err);
    }
  });

  app.post('/api/config/:scope/rollback', async (req, reply) => {
    const who = await authorize(req, reply, true);
    if (!who) return reply;
    const body = RollbackBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ code: 'invalid_message', message: body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    try {
      const v = configs.rollback(scopeOf(req), body.data.version, who.username, body.data.comment);
      req.log.info({ scope: v.scope, version: v.version, author: v.author, rollbackOf: v.rollbackOf }, 'configuration rolled back');
      return { ...v, pushed: pusher.poll() };
    } catch (err) {
      return refuse(reply, err);
    }
  });

  app.get('/api/config-effective/:kioskId', async (req, reply) => {
    if (!(await authorize(req, reply, false))) return reply;
    const eff = configs.effective((req.params as { kioskId: string }).kioskId);
    if (!eff) return reply.code(404).send({ code: 'not_found', message: 'no such kiosk' });
    return eff;
  });
}
