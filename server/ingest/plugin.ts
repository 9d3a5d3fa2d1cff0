import type { FastifyReply, FastifyRequest } from 'fastify';
import { CALLBACKS_PATH, INGEST_PATH, IngestRequest } from '../../common/outbox';
import { parseFrame } from '../../common/protocol';
import { CALL_ROLES } from '../../common/roles';
import type { HubPlugin } from '../hub';
import { IngestStore } from './store';

// 500 records of ~1 KB fit easily; the hub-wide 64 KiB limit is for WebSocket-sized bodies.
const INGEST_BODY_LIMIT = 8 * 1024 * 1024;

/** Agent identity behind a bearer token. */
export interface AgentIdentity {
  /** Agent id (JWT subject). */
  agentId: string;
  /** Display name. */
  displayName: string;
}

/** What the ingest plugin needs beyond the hub's plugin context. */
export interface IngestPluginOptions {
  /** Verifies an agent bearer token; throws (UnauthorizedError) when invalid. Defaults to ctx.verifyAgent. */
  verifyAgent?: (token: string) => Promise<AgentIdentity>;
  /** Called with the store once registered (tests, health). */
  onStore?: (store: IngestStore) => void;
  /** Days ingested records (and done callbacks) are kept; default 90, the figure the kiosk's consent screen states. */
  retentionDays?: number;
  /** Days a survey's free-text comment is kept before only its rating remains; default 14. */
  commentReviewDays?: number;
  /** How often retention runs (ms); default hourly. */
  pruneEveryMs?: number;
}

/**
 * Outbox ingest (kiosk → hub, per-record ack, dedupe by idempotency key) and the callbacks API
 * for agents (list, claim, done). Register with `createHub({ plugins: [ingestPlugin()] })`.
 */
export function ingestPlugin(options: IngestPluginOptions = {}): HubPlugin {
  return (app, ctx) => {
    const store = new IngestStore(ctx.db);
    options.onStore?.(store);
    const verifyAgent = options.verifyAgent ?? ctx.verifyAgent;
    const maxAgeMs = (options.retentionDays ?? 90) * 24 * 60 * 60 * 1000;
    const prune = () => {
      try {
        const n = store.prune(ctx.now(), maxAgeMs, (options.commentReviewDays ?? 14) * 24 * 60 * 60 * 1000);
        if (n > 0) app.log.info({ rows: n }, 'ingest: retention pruned');
      } catch (err) {
        app.log.error({ err }, 'ingest: retention failed');
      }
    };
    app.addHook('onReady', async () => prune());
    const pruneTimer = setInterval(prune, options.pruneEveryMs ?? 60 * 60 * 1000);
    pruneTimer.unref();
    app.addHook('onClose', async () => clearInterval(pruneTimer));

    app.post(INGEST_PATH, { bodyLimit: INGEST_BODY_LIMIT }, async (req, reply) => {
      const kiosk = await ctx.verifyKiosk(req.headers.authorization);
      if (!kiosk) return reply.code(401).send({ code: 'unauthorized', message: 'kiosk credentials required' });
      const parsed = parseFrame(IngestRequest, req.body);
      if (!parsed.ok) {
        req.log.warn({ kioskId: kiosk.kioskId, error: parsed.error.slice(0, 300) }, 'ingest: invalid request');
        return reply.code(400).send({ code: 'invalid_message', message: parsed.error.slice(0, 1000) });
      }
      const results = store.ingest(kiosk.kioskId, parsed.value.records, ctx.now());
      const rejected = results.filter((r) => r.status === 'rejected');
      if (rejected.length) req.log.warn({ kioskId: kiosk.kioskId, rejected: rejected.slice(0, 5) }, 'ingest: records rejected');
      return { results };
    });

    async function agentOf(req: FastifyRequest, reply: FastifyReply): Promise<AgentIdentity | null> {
      // Callbacks are for those who answer citizens; the role is read again on every request.
      if (!options.verifyAgent) {
        const who = await ctx.requireRole(req, reply, CALL_ROLES);
        return who && { agentId: who.id, displayName: who.displayName };
      }
      const m = /^Bearer (\S{10,4096})$/.exec(req.headers.authorization ?? '');
      if (m) {
        try {
          return await verifyAgent(m[1]!);
        } catch {
          // fall through to 401
        }
      }
      await reply.code(401).send({ code: 'unauthorized', message: 'agent token required' });
      return null;
    }

    const changed = (reply: FastifyReply, r: ReturnType<IngestStore['claim']>) =>
      r.ok ? { callback: r.callback } : reply.code(r.reason === 'not_found' ? 404 : 409).send({ code: r.reason, message: r.reason === 'not_found' ? 'no such callback' : 'callback is handled by someone else' });

    app.get(CALLBACKS_PATH, async (req, reply) => {
      const agent = await agentOf(req, reply);
      if (!agent) return reply;
      return { callbacks: store.listActive(agent.agentId) };
    });

    app.post<{ Params: { id: string } }>(`${CALLBACKS_PATH}/:id/claim`, async (req, reply) => {
      const agent = await agentOf(req, reply);
      if (!agent) return reply;
      return changed(reply, store.claim(req.params.id, agent, ctx.now()));
    });

    app.post<{ Params: { id: string } }>(`${CALLBACKS_PATH}/:id/done`, async (req, reply) => {
      const agent = await agentOf(req, reply);
      if (!agent) return reply;
      return changed(reply, store.done(req.params.id, agent.agentId, ctx.now()));
    });
  };
}
