import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { z } from 'zod';
import { defaultServices, type ServiceDef } from '../common/config';
import { LoginRequest, parseFrame, type IceServer, type LoginResponse } from '../common/protocol';
import { KioskVerifier, verifyAgentPassword } from './accounts';
import { AgentTokens, type AgentClaims } from './auth/tokens';
import { CallLogWriter, type CallLogOptions } from './db/call-log';
import { HubStore, type KioskRecord, type SqliteDb } from './db/store';
import { Dispatcher } from './dispatcher';
import { ChatRelay } from './chat';
import { AccountState } from './auth/account-state';
import { LoginGuard, LoginThrottledError, DEVICE_COOKIE, deviceCookieHeader, readCookie, type LoginGuardOptions } from './auth/login-guard';
import { applySecurityHeaders, originAllowed } from './auth/headers';
import { ConfigStore } from './config-store/store';
import { ConfigPusher, registerConfigRoutes } from './config-store/routes';
import { HubSockets } from './sockets';
import { serveWebSockets } from './ws-upgrade';
import { KioskHealthStore, registerHealthRoutes } from './health';
import { TurnIssuer } from './turn';
import { accountById } from './accounts';
import { LiveCallStore } from './calls/live-store';
import { registerAccountRoutes } from './accounts-routes';
import { EnrollStore } from './enroll/store';
import { registerEnrollRoutes, type EnrollLimits } from './enroll/routes';
import { createRoleGuard, type RequireRole } from './roles';

/** What a plugin (e.g. outbox ingest) gets besides the fastify instance. */
export interface HubPluginContext {
  /** Typed queries over the hub tables. */
  store: HubStore;
  /** The raw SQLite handle, for the plugin's own tables (added by appending migrations). */
  db: SqliteDb;
  /** Authenticates `Authorization: Kiosk <kioskId>:<secret>`; null when missing or wrong. */
  verifyKiosk: (authorizationHeader: string | undefined) => Promise<KioskRecord | null>;
  /** The hub clock (epoch ms). */
  now: () => number;
  /** Verifies an agent bearer token (HTTP APIs such as callbacks); throws UnauthorizedError. */
  verifyAgent: (token: string) => Promise<AgentClaims>;
  /** The role check every account route uses (server/roles.ts): the principal, or null once 401/403 was sent. */
  requireRole: RequireRole;
}

/** Extra routes registered inside createHub, before the hub listens. */
export type HubPlugin = (app: FastifyInstance, ctx: HubPluginContext) => Promise<void> | void;

/** How to start a hub. */
export interface HubOptions {
  /** SQLite file, or ':memory:'. */
  dbPath: string;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 (default) = ephemeral. */
  port?: number;
  /** HS256 key for agent tokens (≥ 32 bytes); when absent, one is generated and kept in the database. */
  jwtSecret?: Uint8Array | string;
  /** Agent token lifetime in seconds; default 8 h (one shift). The agent's socket closes at expiry (after any call in progress). */
  tokenTtlSeconds?: number;
  /** How often an agent whose token expired mid-call is checked again; default 30 s. */
  expiryRecheckMs?: number;
  /** ICE servers handed to both peers in `welcome`; default none (loopback / LAN). */
  iceServers?: IceServer[];
  /**
   * TURN relay (coturn with `use-auth-secret`): each party gets `iceServers` plus the relay URLs with
   * its own short-lived credential, renewed by an `ice.servers` frame every ttlSeconds / 3. The secret
   * is the one in coturn's `static-auth-secret` (server/turn.ts loads it from its file).
   */
  turn?: { secret: string | (() => string); urls: string[]; ttlSeconds: number };
  /** The service catalogue (agents' names for services; booths' offer is checked against it); default the built-in four. */
  services?: ServiceDef[];
  /** How long one agent rings (ms); default 20 000. */
  ringTimeoutMs?: number;
  /** How long a connected call waits for a party whose hub link dropped (ms); default RESUME_WINDOW_MS (60 s). */
  resumeWindowMs?: number;
  /** Before re-ringing an agent who declined, when nobody else is free (ms); default = ringTimeoutMs. */
  declineCooldownMs?: number;
  /** Built agent console (dist/renderer/agent), served at /agent/ when set; its sibling `console/` (the hub console) at /console/. */
  agentStaticDir?: string;
  /** Base URL booths show in their enrollment QR code (default: the URL the booth called). */
  publicUrl?: string;
  /** Enrollment guess and request limits (server/enroll/routes.ts). */
  enrollLimits?: Partial<EnrollLimits>;
  /** Configuration a newly enrolled booth receives with its identity (the config store's). */
  initialKioskConfig?: (kioskId: string) => Record<string, unknown> | undefined;
  /** fastify logger option (false by default: tests stay quiet). */
  logger?: boolean | FastifyServerOptions['logger'];
  /** Clock (epoch ms); default Date.now. */
  now?: () => number;
  /** Extra routes (outbox ingest, fleet…). */
  plugins?: HubPlugin[];
  /** Per-socket token bucket; default burst 100, 50 frames/s (ICE candidates come in bursts). */
  rateLimit?: { burst: number; perSecond: number };
  /** Largest WebSocket frame accepted (bytes); default 128 KiB (the protocol caps signals at 64 kB). */
  maxPayloadBytes?: number;
  /** Close sockets that have not authenticated after this long (ms); default 10 000. */
  authTimeoutMs?: number;
  /** Heartbeat period (ms); default 30 000. */
  heartbeatMs?: number;
  /** Calls-log writes held while the disk is full: bound and retry period. */
  callLog?: CallLogOptions;
  /** Serve HTTPS/WSS with this certificate and key (PEM text); absent = plain HTTP (loopback demo, or TLS at a reverse proxy). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or CIDRs); the
   * client address is then the first one left of them. Default none: the socket's peer is the client.
   */
  trustedProxies?: string[];
  /** Login guard tunables (server/auth/login-guard.ts). */
  loginGuard?: Partial<LoginGuardOptions>;
  /** Browser origins allowed on /ws besides the hub's own (e.g. a console served elsewhere); a socket without Origin (a booth) is not a browser. */
  allowedOrigins?: string[];
  /** Unauthenticated sockets at once: hub-wide (default 20 000) and per client address (default 256). */
  maxUnauthenticatedSockets?: number;
  maxUnauthenticatedPerAddress?: number;
  /** How often account changes made by another process (the CLI) are looked for (ms, default 1 000). */
  accountPollMs?: number;
  /** How often config versions written by another process (the CLI) are looked for and pushed (ms, default 1 000). */
  configPollMs?: number;
}

/** A running hub. */
export interface Hub {
  /** Base HTTP URL, e.g. http://127.0.0.1:41234. */
  url: string;
  /** WebSocket endpoint, e.g. ws://127.0.0.1:41234/ws. */
  wsUrl: string;
  /** The hub store (agents, kiosks, calls log). */
  db: HubStore;
  /** The fastify instance. */
  app: FastifyInstance;
  /** Call distribution state (health, tests). */
  dispatcher: Dispatcher;
  /** Whether accounts may act (disabled/deleted accounts are refused at once). */
  accounts: AccountState;
  /** Closes sockets, the HTTP server and the database. */
  close(): Promise<void>;
}

const JWT_SETTING = 'jwt_secret';
const DEVICE_KEY_SETTING = 'device_cookie_key';

/** Starts a hub: SQLite store, /api/login, /ws for kiosks and agents, optional /agent/ console. */
export async function createHub(opts: HubOptions): Promise<Hub> {
  const now = opts.now ?? Date.now;
  const turn = opts.turn ? new TurnIssuer({ ...opts.turn, now, stun: opts.iceServers ?? [] }) : undefined;
  const store = HubStore.open(opts.dbPath);
  let app: FastifyInstance | undefined;
  let sockets: HubSockets | undefined;
  let dispatcher: Dispatcher | undefined;
  let callLogWriter: CallLogWriter | undefined;
  let icePush: ReturnType<typeof setInterval> | undefined;
  let accounts: AccountState | undefined;
  let configPusher: ConfigPusher | undefined;
  try {
    const jwtSecret = opts.jwtSecret ?? loadOrCreateJwtSecret(store);
    const tokens = new AgentTokens(jwtSecret, opts.tokenTtlSeconds ?? 8 * 3600, now);
    const kiosks = new KioskVerifier(store, now);
    // Exponential per-account delays, per-address buckets, a hash budget; known devices get through.
    const loginGuard = new LoginGuard(loadOrCreateKey(store, DEVICE_KEY_SETTING), now, opts.loginGuard);

    app = Fastify({
      logger: opts.logger ?? false,
      bodyLimit: 64 * 1024,
      // X-Forwarded-* only from the configured proxies: anyone else could forge an address.
      ...(opts.trustedProxies?.length ? { trustProxy: opts.trustedProxies } : {}),
      ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    } as FastifyServerOptions);
    const log = app.log;

    // A full disk never stops routing: call records wait in memory (bounded) until it has room.
    const callLog = (callLogWriter = new CallLogWriter(store, log, opts.callLog));
    // Sockets and dispatcher reference each other's outlets; the lambdas resolve after both exist.
    const out: { sockets?: HubSockets } = {};
    // Connected calls outlive the hub process: kept in its database, resumed below when their parties reconnect.
    const liveCalls = new LiveCallStore(store.db);
    dispatcher = new Dispatcher({
      now,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      sendToKiosk: (conn, msg) => out.sockets?.sendToKiosk(conn, msg),
      sendToAgent: (conn, msg) => out.sockets?.sendToAgent(conn, msg),
      ringTimeoutMs: opts.ringTimeoutMs ?? 20_000,
      ...(opts.declineCooldownMs !== undefined ? { declineCooldownMs: opts.declineCooldownMs } : {}),
      ...(opts.resumeWindowMs !== undefined ? { resumeWindowMs: opts.resumeWindowMs } : {}),
      live: liveCalls,
      log: {
        requested: (c) => callLog.requested(c),
        accepted: (id, agentId, at) => callLog.accepted(id, agentId, at),
        ended: (id, e) => callLog.ended(id, e),
      },
    });
    {
      const { calls, skipped } = liveCalls.load();
      for (const s of skipped) log.warn({ callId: s.callId, reason: s.reason }, 'stored live call dropped');
      if (calls.length > 0) log.info({ calls: dispatcher.restore(calls) }, 'live calls restored; waiting for their parties');
    }
    const kioskHealth = new KioskHealthStore(store.db);
    const chatDispatcher = dispatcher;
    // Text in the call: relayed between the two parties of a connected call, never stored (server/chat.ts).
    const chat = new ChatRelay({
      peerOf: (conn, callId) => chatDispatcher.peerOf(conn, callId),
      sendToKiosk: (conn, msg) => out.sockets?.sendToKiosk(conn, msg),
      sendToAgent: (conn, msg) => out.sockets?.sendToAgent(conn, msg),
      now,
      log,
    });
    // Central booth configuration: versioned per office and booth, pushed live (server/config-store).
    const configs = new ConfigStore(store.db, now);
    const hubAccounts = (accounts = new AccountState(store, {
      ...(opts.accountPollMs !== undefined ? { pollMs: opts.accountPollMs } : {}),
      onChange: (ids) => {
        // A disabled or deleted account loses its socket now, not at token expiry.
        const s = out.sockets;
        if (!s) return;
        for (const id of ids === 'all' ? s.connectedAgents() : ids) if (!hubAccounts.isActive(id)) s.closeAccount('agent', id);
      },
    }));
    /** Token check for every authenticated HTTP route: signature and expiry, then the account's state now. */
    const verifyAgent = async (token: string): Promise<AgentClaims> => {
      const claims = await tokens.verify(token);
      hubAccounts.assertActive(claims.agentId);
      return claims;
    };
    sockets = new HubSockets({
      dispatcher, store, tokens, kiosks, log, now, kioskHealth, chat,
      kioskConfig: (kioskId, office) => configs.effectiveFor(kioskId, office),
      options: {
        iceServers: turn ? (role, principal) => turn.iceServers(`${role}-${principal}`) : (opts.iceServers ?? []),
        services: opts.services ?? defaultServices,
        authTimeoutMs: opts.authTimeoutMs ?? 10_000,
        heartbeatMs: opts.heartbeatMs ?? 30_000,
        rateBurst: opts.rateLimit?.burst ?? 100,
        ratePerSecond: opts.rateLimit?.perSecond ?? 50,
        expiryRecheckMs: opts.expiryRecheckMs ?? 30_000,
        ...(opts.maxUnauthenticatedSockets !== undefined ? { maxUnauthenticated: opts.maxUnauthenticatedSockets } : {}),
        ...(opts.maxUnauthenticatedPerAddress !== undefined ? { maxUnauthenticatedPerAddress: opts.maxUnauthenticatedPerAddress } : {}),
      },
    });
    out.sockets = sockets;
    if (turn) {
      icePush = setInterval(() => out.sockets?.pushIceServers(), turn.refreshMs);
      icePush.unref();
    }
    const hubSockets = sockets;
    const hubDispatcher = dispatcher;

    // HTTP errors carry a protocol error code like WebSocket errors do, never a stack trace.
    app.setErrorHandler((err: { statusCode?: number; message?: string }, req, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
      if (status >= 500) req.log.error({ err }, 'request failed');
      else req.log.warn({ status, message: err.message }, 'bad request');
      return reply.code(status).send(status >= 500 ? { code: 'internal', message: 'internal error' } : { code: status === 429 ? 'rate_limited' : 'invalid_message', message: String(err.message ?? 'bad request').slice(0, 300) });
    });
    app.setNotFoundHandler((_req, reply) => reply.code(404).send({ code: 'not_found', message: 'no such route' }));
    // CSP, frame-ancestors 'none', nosniff on every response; no-store on authentication ones.
    app.addHook('onSend', async (req, reply, payload) => {
      applySecurityHeaders(req, reply);
      return payload;
    });

    // Upgrades go straight to `ws`, ahead of fastify's router (server/ws-upgrade.ts): a restart
    // storm of booths costs no fastify request, reply or log line each.
    const upgrades = serveWebSockets(app.server, {
      path: '/ws',
      maxPayload: opts.maxPayloadBytes ?? 128 * 1024,
      ...(opts.trustedProxies?.length ? { trustedProxies: opts.trustedProxies } : {}),
      // A browser (agent, console) names its page's origin; a page elsewhere must not drive an agent's socket.
      check: (req) => {
        if (originAllowed(req.headers.origin, req.headers.host, opts.allowedOrigins ?? [])) return null;
        log.warn({ origin: req.headers.origin }, 'WebSocket from a foreign origin refused');
        return { status: 403, code: 'forbidden', message: 'origin not allowed' };
      },
      accept: (socket, host, address) => hubSockets.accept(socket, host, address),
    });
    app.decorate('websocketServer', upgrades.wss);
    app.addHook('preClose', () => upgrades.stop());

    app.post('/api/login', async (req, reply) => {
      const parsed = parseFrame(LoginRequest, req.body);
      if (!parsed.ok) return reply.code(400).send({ code: 'invalid_message', message: parsed.error });
      const { username, password } = parsed.value;
      const key = username.toLowerCase();
      let device: string | null;
      try {
        ({ device } = loginGuard.admit(key, req.ip, readCookie(req.headers.cookie, DEVICE_COOKIE)));
      } catch (err) {
        if (!(err instanceof LoginThrottledError)) throw err;
        req.log.warn({ username: key, address: req.ip, reason: err.reason }, 'login throttled');
        reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
        return reply.code(429).send({ code: 'rate_limited', message: err.message });
      }
      const agent = await verifyAgentPassword(store, username, password);
      if (!agent) {
        loginGuard.failed(key, req.ip, device);
        req.log.warn({ username: key, address: req.ip, knownDevice: device !== null }, 'login failed');
        return reply.code(401).send({ code: 'unauthorized', message: 'wrong username or password' });
      }
      const cookie = loginGuard.succeeded(key, device);
      reply.header('set-cookie', deviceCookieHeader(cookie, loginGuard.opts.deviceTtlMs, req.protocol === 'https'));
      const role = accountById(store, agent.id)?.role ?? 'agent';
      const body: z.infer<typeof LoginResponse> = { token: await tokens.sign({ agentId: agent.id, displayName: agent.displayName, role }), displayName: agent.displayName, expiresInSeconds: tokens.ttlSeconds, role };
      return body;
    });

    app.get('/api/health', async () => {
      const snap = hubDispatcher.snapshot();
      const byStatus: Record<string, number> = { available: 0, away: 0, ringing: 0, in_call: 0 };
      for (const a of snap.agents) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
      return {
        ok: true,
        connections: hubSockets.counts(),
        agents: byStatus,
        waiting: Object.values(snap.queues).reduce((n, q) => n + q.length, 0),
        inCall: snap.connected.length,
      };
    });

    const requireRole = createRoleGuard({ verifyToken: verifyAgent, store });
    registerHealthRoutes(app, { store, health: kioskHealth, online: () => hubSockets.onlineKiosks(), requireRole });
    registerAccountRoutes(app, { store, requireRole, disconnectAccount: (id) => hubSockets.closeAccount('agent', id, 'account changed; sign in again') });

    const pusher = (configPusher = new ConfigPusher(configs, (id, frame) => hubSockets.sendToKioskId(id, frame), opts.configPollMs ?? 1_000, (err) => log.error({ err }, 'config push failed')));
    // Technicians set booths up; supervisors may read what they run (administrators may do both).
    registerConfigRoutes(app, {
      configs,
      pusher,
      authorize: async (req, reply, write) => requireRole(req, reply, write ? ['technician'] : ['technician', 'supervisor']),
    });
    registerEnrollRoutes(app, {
      enroll: new EnrollStore(store, now),
      requireRole,
      now,
      disconnectKiosk: (id) => hubSockets.revokeKiosk(id),
      ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
      ...(opts.enrollLimits ? { limits: opts.enrollLimits } : {}),
      ...(opts.initialKioskConfig ? { initialConfig: opts.initialKioskConfig } : {}),
    });

    if (opts.agentStaticDir) {
      const root = resolve(opts.agentStaticDir);
      await app.register(fastifyStatic, { root, prefix: '/agent/', redirect: true });
      // Vite's multi-page build (base './') puts shared chunks in a sibling assets/ folder that the
      // page loads as ../assets/…, i.e. /assets/ here. The kiosk renderer beside it is not served.
      const assets = resolve(root, '..', 'assets');
      if (existsSync(assets)) await app.register(fastifyStatic, { root: assets, prefix: '/assets/', decorateReply: false });
      const consoleDir = resolve(root, '..', 'console');
      if (existsSync(consoleDir)) await app.register(fastifyStatic, { root: consoleDir, prefix: '/console/', redirect: true, decorateReply: false });
      app.get('/', (_req, reply) => reply.redirect('/agent/'));
    }

    const ctx: HubPluginContext = { store, db: store.db, verifyKiosk: (h) => kiosks.verifyHeader(h), now, verifyAgent, requireRole };
    for (const plugin of opts.plugins ?? []) await plugin(app, ctx);

    const host = opts.host ?? '127.0.0.1';
    // A fleet redials together after a restart: a deep accept queue (capped by net.core.somaxconn)
    // instead of Node's 511, so SYNs are not dropped into the clients' 1 s, 3 s… retransmissions.
    await app.listen({ host, port: opts.port ?? 0, backlog: 4096 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    const url = `${opts.tls ? 'https' : 'http'}://${shownHost}:${port}`;
    const runningApp = app;
    let closing: Promise<void> | undefined;
    return {
      url,
      wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
      db: store,
      app: runningApp,
      dispatcher: hubDispatcher,
      accounts: hubAccounts,
      close: () =>
        (closing ??= (async () => {
          hubDispatcher.dispose();
          clearInterval(icePush);
          hubSockets.close();
          await runningApp.close();
          callLogWriter?.close();
          hubAccounts.close();
          pusher.close();
          store.close();
        })()),
    };
  } catch (err) {
    dispatcher?.dispose();
    clearInterval(icePush);
    sockets?.close();
    await app?.close().catch(() => {});
    callLogWriter?.close();
    accounts?.close();
    configPusher?.close();
    store.close();
    throw err;
  }
}

/** Keeps the generated JWT key in the database so agents stay signed in across hub restarts. */
function loadOrCreateJwtSecret(store: HubStore): Uint8Array {
  return loadOrCreateKey(store, JWT_SETTING);
}

/** A 32-byte key kept in the settings table (generated once). */
function loadOrCreateKey(store: HubStore, setting: string): Uint8Array {
  const saved = store.getSetting(setting);
  if (saved) return Buffer.from(saved, 'base64url');
  const key = randomBytes(32);
  store.setSetting(setting, key.toString('base64url'));
  return key;
}


// Account helpers, re-exported so a starter script needs one import.
export { createAgent, createKiosk, parseKioskAuthorization, KioskVerifier } from './accounts';
