import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket, RawData } from 'ws';
import { z } from 'zod';
import {
  AgentAuth, AgentToHub, KioskAuth, KioskToHub, PROTOCOL_VERSION, parseFrame,
  type HubErrorCode, type HubToAgent, type HubToKiosk, type IceServer,
} from '../common/protocol';
import type { KioskVerifier } from './accounts';
import type { AgentTokens } from './auth/tokens';
import type { HubStore } from './db/store';
import type { Dispatcher } from './dispatcher';
import type { KioskHealthSink } from './health';
import { HubError } from './errors';
import { TokenBucket } from './ratelimit';
import type { ServiceDef } from '../common/config';

/** Tunables of the socket layer. */
export interface SocketOptions {
  /** ICE servers handed out in `welcome`. */
  iceServers: IceServer[];
  /** The service catalogue sent after `welcome`; a call.request for another service is refused. */
  services: ServiceDef[];
  /** A socket that has not authenticated after this long is closed (ms). */
  authTimeoutMs: number;
  /** WebSocket ping interval; a socket that missed one pong is dropped (ms). */
  heartbeatMs: number;
  /** Frames allowed at once per socket. */
  rateBurst: number;
  /** Sustained frames per second per socket. */
  ratePerSecond: number;
  /** How often an agent whose token expired during a call is checked again (ms). */
  expiryRecheckMs: number;
}

/** WebSocket close codes the hub uses (4000–4999 are application-defined). */
export const CloseCode = { unauthorized: 4401, replaced: 4409, rateLimited: 4429, goingAway: 1001 } as const;

const AuthFrame = z.discriminatedUnion('type', [KioskAuth, AgentAuth]);
const kioskTypes = new Set(KioskToHub.options.map((o) => o.shape.type.value as string));
const agentTypes = new Set(AgentToHub.options.map((o) => o.shape.type.value as string));

type Role = 'kiosk' | 'agent';

interface Conn {
  id: string;
  socket: WebSocket;
  role: Role | undefined;
  /** kioskId or agentId once authenticated. */
  principal: string | undefined;
  authenticating: boolean;
  alive: boolean;
  closed: boolean;
  bucket: TokenBucket;
  /** Consecutive frames refused by the rate limit; a socket that keeps flooding is closed. */
  refused: number;
  authTimer: ReturnType<typeof setTimeout> | undefined;
  /** Closes an agent socket when its token expires. */
  expiryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Frames are handled one at a time, in order, even when one awaits (auth). */
  chain: Promise<void>;
}

/**
 * The /ws endpoint for both roles: authenticates the first frame, validates every frame against
 * the role's schema, rate-limits, and hands valid requests to the Dispatcher. Nothing a client
 * sends can throw out of here: every refusal becomes an `error` frame with a code.
 */
export class HubSockets {
  private readonly conns = new Map<string, Conn>();
  private nextId = 1;
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(
    private readonly deps: {
      dispatcher: Dispatcher;
      store: HubStore;
      tokens: AgentTokens;
      kiosks: KioskVerifier;
      log: FastifyBaseLogger;
      now: () => number;
      options: SocketOptions;
      /** Fleet health: kiosk presence and `kiosk.health` snapshots (optional). */
      kioskHealth?: KioskHealthSink;
    },
  ) {
    this.heartbeat = setInterval(() => this.beat(), deps.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Frames to a kiosk connection (the Dispatcher's outlet). */
  sendToKiosk = (id: string, msg: HubToKiosk): void => this.send(id, msg);
  /** Frames to an agent connection (the Dispatcher's outlet). */
  sendToAgent = (id: string, msg: HubToAgent): void => this.send(id, msg);

  /** Takes over a freshly upgraded socket. */
  accept(socket: WebSocket): void {
    const { options, now } = this.deps;
    const conn: Conn = {
      id: `c${this.nextId++}`, socket, role: undefined, principal: undefined, authenticating: false, alive: true, closed: false,
      bucket: new TokenBucket(options.rateBurst, options.ratePerSecond, now), refused: 0, authTimer: undefined, expiryTimer: undefined, chain: Promise.resolve(),
    };
    this.conns.set(conn.id, conn);
    conn.authTimer = setTimeout(() => {
      if (!conn.role) this.refuse(conn, 'unauthorized', 'authentication timeout', undefined, CloseCode.unauthorized);
    }, options.authTimeoutMs);
    socket.on('pong', () => {
      conn.alive = true;
    });
    // ws emits 'error' for protocol violations (e.g. a frame over maxPayload) and then closes.
    socket.on('error', (err) => this.deps.log.warn({ conn: conn.id, err: err.message }, 'socket error'));
    socket.on('close', () => this.closed(conn));
    socket.on('message', (data, isBinary) => this.received(conn, data, isBinary));
  }

  /** Number of open connections per role (health endpoint). */
  counts(): { kiosks: number; agents: number; unauthenticated: number } {
    let kiosks = 0, agents = 0, unauthenticated = 0;
    for (const c of this.conns.values()) {
      if (c.role === 'kiosk') kiosks++;
      else if (c.role === 'agent') agents++;
      else unauthenticated++;
    }
    return { kiosks, agents, unauthenticated };
  }

  /** Kiosk ids with an authenticated socket right now (fleet health). */
  onlineKiosks(): Set<string> {
    const ids = new Set<string>();
    for (const c of this.conns.values()) if (c.role === 'kiosk' && c.principal && !c.closed) ids.add(c.principal);
    return ids;
  }

  /** Closes every socket (hub shutdown). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const c of [...this.conns.values()]) c.socket.close(CloseCode.goingAway, 'hub shutting down');
  }

  // ---- internals --------------------------------------------------------------------------

  private received(conn: Conn, data: RawData, isBinary: boolean): void {
    conn.alive = true;
    if (!conn.bucket.take()) {
      conn.refused++;
      // Answer the first refusals so a buggy client learns why; a socket that keeps flooding is cut.
      if (conn.refused > 200) this.refuse(conn, 'rate_limited', 'too many frames', undefined, CloseCode.rateLimited);
      else this.error(conn, 'rate_limited', 'too many frames; slow down');
      return;
    }
    conn.refused = 0;
    // Binary frames are not part of the protocol; they go through the chain as `null` so that
    // an unauthenticated socket is refused in order, like any other non-auth first frame.
    const text = isBinary ? null : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
    conn.chain = conn.chain
      .then(() => this.handle(conn, text))
      .catch((err: unknown) => {
        // A bug of ours, not the client's: log it, tell the client, keep serving.
        this.deps.log.error({ conn: conn.id, err }, 'frame handler failed');
        this.error(conn, 'internal', 'internal error');
      });
  }

  private async handle(conn: Conn, text: string | null): Promise<void> {
    if (conn.closed) return;
    if (text === null) {
      if (!conn.role) this.refuse(conn, 'unauthorized', 'first frame must be kiosk.auth or agent.auth', undefined, CloseCode.unauthorized);
      else this.error(conn, 'invalid_message', 'binary frames are not part of the protocol');
      return;
    }
    if (!conn.role) {
      await this.authenticate(conn, text);
      return;
    }
    const schema = conn.role === 'kiosk' ? KioskToHub : AgentToHub;
    const parsed = parseFrame(schema, text);
    if (!parsed.ok) {
      const type = frameType(text);
      const otherRole = conn.role === 'kiosk' ? agentTypes : kioskTypes;
      const ownRole = conn.role === 'kiosk' ? kioskTypes : agentTypes;
      if (type !== undefined && otherRole.has(type) && !ownRole.has(type)) {
        this.deps.log.warn({ conn: conn.id, role: conn.role, type }, 'frame of the other role');
        this.error(conn, 'forbidden', `a ${conn.role} may not send ${type}`, type);
      } else {
        this.deps.log.warn({ conn: conn.id, role: conn.role, error: parsed.error.slice(0, 300) }, 'invalid frame');
        this.error(conn, 'invalid_message', parsed.error.slice(0, 500), type !== undefined && (kioskTypes.has(type) || agentTypes.has(type)) ? type : undefined);
      }
      return;
    }
    const msg = parsed.value;
    if (conn.role === 'kiosk' && conn.principal) this.healthSink((h) => h.seen(conn.principal!, this.deps.now()));
    try {
      this.dispatch(conn, msg);
    } catch (err) {
      if (!(err instanceof HubError)) throw err;
      this.deps.log.info({ conn: conn.id, role: conn.role, type: msg.type, code: err.code }, err.message);
      this.error(conn, err.code as HubErrorCode, err.message, msg.type);
    }
  }

  private dispatch(conn: Conn, msg: KioskToHub | AgentToHub): void {
    const d = this.deps.dispatcher;
    switch (msg.type) {
      case 'kiosk.auth':
      case 'agent.auth':
        throw new HubError('conflict', 'already authenticated');
      case 'ping':
        this.send(conn.id, { type: 'pong', t: msg.t });
        return;
      case 'call.request':
        // No agent serves a service the hub does not know: the citizen would wait for nobody.
        if (!this.deps.options.services.some((s) => s.id === msg.service)) throw new HubError('not_found', `unknown service ${msg.service}`);
        d.requestCall(conn.id, msg);
        return;
      case 'call.cancel':
        d.cancelCall(conn.id, msg.callId);
        return;
      case 'signal':
        d.relaySignal(conn.id, msg.callId, msg.data);
        return;
      case 'call.end':
        d.endCall(conn.id, msg.callId, msg.reason);
        return;
      case 'kiosk.health':
        // Only a kiosk's own schema carries it, so the principal is that kiosk.
        this.healthSink((h) => h.report(conn.principal!, msg.health, this.deps.now()));
        return;
      case 'agent.status':
        d.setAgentStatus(conn.id, msg.status);
        return;
      case 'call.accept':
        d.accept(conn.id, msg.callId);
        return;
      case 'call.decline':
        d.decline(conn.id, msg.callId);
        return;
      default: {
        const never: never = msg;
        throw new HubError('invalid_message', `unhandled ${(never as { type: string }).type}`);
      }
    }
  }

  private async authenticate(conn: Conn, text: string): Promise<void> {
    const parsed = parseFrame(AuthFrame, text);
    if (!parsed.ok) {
      this.deps.log.warn({ conn: conn.id, error: parsed.error.slice(0, 300) }, 'first frame is not a valid auth');
      this.refuse(conn, 'unauthorized', `first frame must be kiosk.auth or agent.auth (${parsed.error.slice(0, 300)})`, undefined, CloseCode.unauthorized);
      return;
    }
    const msg = parsed.value;
    if (msg.type === 'kiosk.auth') {
      const kiosk = await this.deps.kiosks.verify(msg.kioskId, msg.secret);
      if (conn.closed) return;
      if (!kiosk) {
        this.deps.log.warn({ conn: conn.id, kioskId: msg.kioskId }, 'kiosk authentication failed');
        this.refuse(conn, 'unauthorized', 'unknown kiosk or wrong secret', msg.type, CloseCode.unauthorized);
        return;
      }
      this.replaceOlder('kiosk', kiosk.kioskId);
      this.admit(conn, 'kiosk', kiosk.kioskId);
      this.send(conn.id, { type: 'welcome', v: PROTOCOL_VERSION, role: 'kiosk', name: kiosk.name, iceServers: this.deps.options.iceServers });
      this.send(conn.id, { type: 'catalog', services: this.deps.options.services });
      this.deps.dispatcher.kioskJoined(conn.id, { kioskId: kiosk.kioskId, name: kiosk.name, office: kiosk.office });
      this.healthSink((h) => h.connected(kiosk.kioskId, this.deps.now()));
      this.deps.log.info({ conn: conn.id, kioskId: kiosk.kioskId }, 'kiosk connected');
      return;
    }
    let agentId: string;
    let expiresAt: number;
    try {
      ({ agentId, expiresAt } = await this.deps.tokens.verify(msg.token));
    } catch (err) {
      if (!(err instanceof HubError)) throw err;
      this.deps.log.warn({ conn: conn.id, reason: err.message }, 'agent authentication failed');
      this.refuse(conn, 'unauthorized', err.message, msg.type, CloseCode.unauthorized);
      return;
    }
    if (conn.closed) return;
    // The token may outlive the account: check it still exists and is enabled.
    const agent = this.deps.store.agentById(agentId);
    if (!agent || agent.disabled) {
      this.refuse(conn, 'unauthorized', 'account disabled', msg.type, CloseCode.unauthorized);
      return;
    }
    this.replaceOlder('agent', agent.id);
    this.admit(conn, 'agent', agent.id);
    this.send(conn.id, { type: 'welcome', v: PROTOCOL_VERSION, role: 'agent', name: agent.displayName, iceServers: this.deps.options.iceServers });
    this.send(conn.id, { type: 'catalog', services: this.deps.options.services });
    this.deps.dispatcher.agentJoined(conn.id, { agentId: agent.id, displayName: agent.displayName, services: agent.services, languages: agent.languages });
    this.deps.log.info({ conn: conn.id, agentId: agent.id }, 'agent connected');
    this.closeAtExpiry(conn, expiresAt);
  }

  /**
   * A token is short-lived, so the socket it opened must not outlive it: at expiry the console is
   * sent back to its login (close 4401). Never mid-call: a citizen is not cut off for a clock; the
   * socket closes once that call is over.
   */
  private closeAtExpiry(conn: Conn, expiresAt: number): void {
    const check = () => {
      if (conn.closed) return;
      const inCall = this.deps.dispatcher.snapshot().agents.some((a) => a.conn === conn.id && a.callId !== undefined);
      if (inCall) {
        conn.expiryTimer = setTimeout(check, this.deps.options.expiryRecheckMs);
        return;
      }
      this.deps.log.info({ conn: conn.id, agentId: conn.principal }, 'agent token expired; closing its socket');
      this.refuse(conn, 'unauthorized', 'token expired', undefined, CloseCode.unauthorized);
    };
    // setTimeout caps at ~24.8 days; a longer token is checked again then.
    conn.expiryTimer = setTimeout(check, Math.min(Math.max(0, expiresAt - this.deps.now()), 2 ** 31 - 1));
  }

  private admit(conn: Conn, role: Role, principal: string): void {
    conn.role = role;
    conn.principal = principal;
    clearTimeout(conn.authTimer);
  }

  /** One live socket per kiosk / agent account: a reconnect (or a second tab) replaces the older one. */
  private replaceOlder(role: Role, principal: string): void {
    for (const other of this.conns.values()) {
      if (other.role === role && other.principal === principal && !other.closed) {
        this.refuse(other, 'conflict', 'signed in from another connection', undefined, CloseCode.replaced);
      }
    }
  }

  private closed(conn: Conn): void {
    if (conn.closed && !this.conns.has(conn.id)) return;
    conn.closed = true;
    clearTimeout(conn.authTimer);
    clearTimeout(conn.expiryTimer);
    this.conns.delete(conn.id);
    try {
      if (conn.role === 'kiosk') {
        this.deps.dispatcher.kioskLeft(conn.id);
        if (conn.principal) this.healthSink((h) => h.disconnected(conn.principal!, this.deps.now()));
      }
      else if (conn.role === 'agent') this.deps.dispatcher.agentLeft(conn.id);
    } catch (err) {
      this.deps.log.error({ conn: conn.id, err }, 'cleanup after close failed');
    }
  }

  /** Fleet health is bookkeeping: a failing write is logged and never refuses the kiosk's frame. */
  private healthSink(fn: (sink: KioskHealthSink) => void): void {
    if (!this.deps.kioskHealth) return;
    try {
      fn(this.deps.kioskHealth);
    } catch (err) {
      this.deps.log.error({ err }, 'kiosk health write failed');
    }
  }

  /** Sends an error then closes; the connection is treated as gone at once (no more frames handled). */
  private refuse(conn: Conn, code: HubErrorCode, message: string, ref: string | undefined, closeCode: number): void {
    if (conn.closed) return;
    this.error(conn, code, message, ref);
    conn.socket.close(closeCode, code);
    this.closed(conn);
  }

  private error(conn: Conn, code: HubErrorCode, message: string, ref?: string): void {
    this.send(conn.id, { type: 'error', code, message, ...(ref ? { ref } : {}) });
  }

  private send(id: string, msg: HubToKiosk | HubToAgent): void {
    const conn = this.conns.get(id);
    if (!conn || conn.socket.readyState !== conn.socket.OPEN) return;
    try {
      conn.socket.send(JSON.stringify(msg));
    } catch (err) {
      this.deps.log.warn({ conn: id, err }, 'send failed');
    }
  }

  private beat(): void {
    for (const conn of [...this.conns.values()]) {
      if (!conn.alive) {
        this.deps.log.warn({ conn: conn.id }, 'heartbeat missed; dropping socket');
        conn.socket.terminate();
        this.closed(conn);
        continue;
      }
      conn.alive = false;
      try {
        conn.socket.ping();
      } catch {
        /* closing already */
      }
    }
  }
}

/** The `type` of a JSON object frame, if it has a short string one (for error refs and logs). */
function frameType(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const t = (v as { type?: unknown }).type;
      if (typeof t === 'string' && t.length <= 64) return t;
    }
  } catch {
    /* not JSON */
  }
  return undefined;
}
