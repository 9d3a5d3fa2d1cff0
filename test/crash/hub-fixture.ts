// A real hub on loopback (createHub + the ingest plugin) with one kiosk and one agent, plus fault
// injection (5xx, slow answers, lost acks) for the outbox fault, crash and benchmark runs.
import type { FastifyInstance } from 'fastify';
import { createHub, type Hub, type HubPlugin } from '../../server/hub';
import { createAgent, createKiosk } from '../../server/accounts';
import { ingestPlugin } from '../../server/ingest/plugin';
import type { IngestStore } from '../../server/ingest/store';
import { INGEST_PATH } from '../../common/outbox';

export interface Faults {
  /** Answer the next N ingest requests with this status, without storing. */
  failNext: number;
  failStatus: number;
  /** Delay every ingest answer by this long (after storing). */
  delayMs: number;
  /** Store, then cut the connection before the ack reaches the kiosk (next N requests). */
  dropAckNext: number;
  /** Ingest requests seen. */
  requests: number;
  /** Records the hub acknowledged as `duplicate` (a resend after a lost ack or a kiosk crash). */
  duplicates: number;
}

export interface TestHub {
  hub: Hub;
  url: string;
  port: number;
  kioskId: string;
  secret: string;
  agent: { username: string; password: string };
  store: () => IngestStore;
  faults: Faults;
  /** Stops the hub (the database stays). */
  stop(): Promise<void>;
  /** Starts it again on the same port and database. */
  start(): Promise<void>;
  /** Logs the demo agent in; returns a bearer token. */
  login(username?: string, password?: string): Promise<string>;
}

function faultPlugin(faults: Faults): HubPlugin {
  return (app: FastifyInstance) => {
    app.addHook('preHandler', async (req, reply) => {
      if (req.url !== INGEST_PATH) return;
      faults.requests++;
      if (faults.failNext > 0) {
        faults.failNext--;
        await reply.code(faults.failStatus).send({ code: 'internal', message: 'injected fault' });
      }
    });
    app.addHook('onSend', async (req, _reply, payload) => {
      if (req.url !== INGEST_PATH) return payload;
      if (typeof payload === 'string') faults.duplicates += payload.split('"status":"duplicate"').length - 1;
      if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
      if (faults.dropAckNext > 0) {
        faults.dropAckNext--;
        req.raw.socket.destroy(); // stored, but the kiosk never hears the ack
      }
      return payload;
    });
  };
}

export async function startTestHub(dbPath: string, opts: { port?: number; plugins?: HubPlugin[] } = {}): Promise<TestHub> {
  const faults: Faults = { failNext: 0, failStatus: 503, delayMs: 0, dropAckNext: 0, requests: 0, duplicates: 0 };
  let store: IngestStore | undefined;
  const plugins = [faultPlugin(faults), ingestPlugin({ onStore: (s) => (store = s) }), ...(opts.plugins ?? [])];
  let hub = await createHub({ dbPath, port: opts.port ?? 0, plugins, jwtSecret: 'x'.repeat(32) });
  const port = Number(new URL(hub.url).port);
  const { secret } = await createKiosk(hub.db, { kioskId: 'kiosk-1', name: 'Kiosque 1', office: 'Bureau test' });
  const agent = { username: 'agent1', password: 'correct-horse-1' };
  await createAgent(hub.db, { username: agent.username, displayName: 'Agent Un', password: agent.password });
  await createAgent(hub.db, { username: 'agent2', displayName: 'Agent Deux', password: 'correct-horse-2' });
  let running = true;
  const t: TestHub = {
    get hub() {
      return hub;
    },
    url: hub.url,
    port,
    kioskId: 'kiosk-1',
    secret,
    agent,
    store: () => store!,
    faults,
    async stop() {
      if (!running) return;
      running = false;
      await hub.close();
    },
    async start() {
      if (running) return;
      hub = await createHub({ dbPath, port, plugins, jwtSecret: 'x'.repeat(32) });
      running = true;
    },
    async login(username = agent.username, password = agent.password) {
      const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      if (!res.ok) throw new Error(`login failed: ${res.status}`);
      return ((await res.json()) as { token: string }).token;
    },
  };
  return t;
}

/** Polls `cond` until true (no timing assertion: the test timeout is the only limit). */
export async function waitFor(cond: () => boolean | Promise<boolean>, stepMs = 10): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, stepMs));
}
