import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket, RawData } from 'ws';
import { z } from 'zod';
import {
  AgentAuth, AgentToHub, KioskAuth, KioskHello, KioskProve, KioskToHub, PROTOCOL_VERSION, parseFrame,
  type HubChallenge, type HubErrorCode, type HubToAgent, type HubToKiosk, type IceServer,
} from '../common/protocol';
import { accountById, type KioskVerifier } from './accounts';
import { CALL_ROLES } from '../common/roles';
import type { AgentTokens } from './auth/tokens';
import type { HubStore } from './db/store';
import type { ChatRelay } from './chat';
import type { Dispatcher } from './dispatcher';
import type { KioskHealthSink } from './health';
import { HubError } from './errors';
import { TokenBucket } from './ratelimit';
import { SlicedQueue } from './slices';
import type { ServiceDef } from '../common/config';

/** Tunables of the socket layer. */
export interface SocketOptions {
  /**
   * ICE servers handed out in `welcome` and `ice.servers`: a fixed list, or one per party (short-lived
   * TURN credentials from server/turn.ts, named after the party).
   */
  iceServers: IceServer[] | ((role: 'kiosk' | 'agent', principal: string) => IceServer[]);
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
  /**
   * Sockets allowed to be open without having authenticated; a new one past this is closed at once
   * (1013, try again later) so a flood of idle sockets cannot exhaust file descriptors or memory.
   * Default 20 000: above a province's booths reconnecting together, below LimitNOFILE.
   */
  maxUnauthenticated?: number;
  /** Unauthenticated sockets one client address may hold (default 256: an office's booths behind one NAT fit many times over). */
  maxUnauthenticatedPerAddress?: number;
}

/** WebSocket close codes the hub uses (4000–4999 are application-defined). */
export const CloseCode = { unauthorized: 4401, revoked: 4403, replaced: 4409, rateLimited: 4429, goingAway: 1001, tryAgainLater: 1013 } as const;

const AuthFrame = z.discriminatedUnion('type', [KioskAuth, KioskHello, KioskProve, AgentAuth]);
const settled = Promise.resolve();
// The connection rides on its socket, so the four socket listeners are shared functions instead of
// four closures per booth (memory per idle connection is what limits a hub's fleet size).
const CONN = Symbol('conn');
const HUB = Symbol('hub');
type ConnSocket = WebSocket & { [CONN]?: Conn; [key: symbol]: unknown };
const kioskTypes = new Set(KioskToHub.options.map((o) => o.shape.type.value as string));
const agentTypes = new Set(AgentToHub.options.map((o) => o.shape.type.value as string));

type Role = 'kiosk' | 'agent';

interface Conn {
  id: string;
  socket: WebSocket;
  role: Role | undefined;
  /** kioskId or agentId once authenticated. */
  principal: string | undefined;
  alive: boolean;
  closed: boolean;
  bucket: TokenBucket;
  /** Consecutive frames refused by the rate limit; a socket that keeps flooding is closed. */
  refused: number;
  /** Until authenticated: when the socket is dropped (hub clock), checked by one sweep for all. */
  authDeadline: number;
  /** The Host header of the upgrade, which a booth's key proof must name; dropped after auth. */
  host: string | undefined;
  /** The one-time challenge sent in answer to `kiosk.hello`; dropped after auth. */
  nonce: string | undefined;
  /** Client address, counted against its unauthenticated cap until auth; dropped after auth. */
  address: string | undefined;
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
  /** Authenticated connections by `role:principal`: one per account, found without a scan. */
  private readonly byPrincipal = new Map<string, Conn>();
  /** Connections that have not authenticated yet (swept for the auth timeout, capped). */
  private readonly unauthenticated = new Set<Conn>();
  private nextId = 1;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly authSweep: ReturnType<typeof setInterval>;
  private readonly maxUnauthenticated: number;
  /** Booth key proofs waiting for their slice of the event loop. */
  private readonly proofs = new SlicedQueue();
  /** Unauthenticated sockets per client address. */
  private readonly pendingByAddress = new Map<string, number>();

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
      /** Text in the call (server/chat.ts); without it chat frames are refused as not found. */
      chat?: ChatRelay;
      /** The hub's config for a booth (server/config-store); pushed at connection when the booth runs another version. */
      kioskConfig?: (kioskId: string, office: string) => { version: string; config: Record<string, unknown> } | null;
    },
  ) {
    this.heartbeat = setInterval(() => this.beat(), deps.options.heartbeatMs);
    this.heartbeat.unref();
    // One timer for every pending authentication instead of one per socket: a socket is dropped
    // between authTimeoutMs and 1.25 × authTimeoutMs after it opened.
    this.authSweep = setInterval(() => this.sweepUnauthenticated(), Math.max(10, Math.min(1_000, deps.options.authTimeoutMs / 4)));
    this.authSweep.unref();
    this.maxUnauthenticated = deps.options.maxUnauthenticated ?? 20_000;
  }

  /** Frames to a kiosk connection (the Dispatcher's outlet). */
  sendToKiosk = (id: string, msg: HubToKiosk): void => this.send(id, msg);
  /** Frames to an agent connection (the Dispatcher's outlet). */
  sendToAgent = (id: string, msg: HubToAgent): void => this.send(id, msg);

  /**
   * Takes over a freshly upgraded socket. `host` is the upgrade request's Host header: a booth's key
   * proof names the host it dialled, so a proof relayed by another server does not verify here.
   */
  accept(socket: WebSocket, host?: string, address?: string): void {
    const { options, now } = this.deps;
    if (this.unauthenticated.size >= this.maxUnauthenticated) {
      this.deps.log.warn({ unauthenticated: this.unauthenticated.size }, 'too many unauthenticated sockets; refusing one');
      socket.close(CloseCode.tryAgainLater, 'try again later');
      return;
    }
    if (address !== undefined && (this.pendingByAddress.get(address) ?? 0) >= (options.maxUnauthenticatedPerAddress ?? 256)) {
      this.deps.log.warn({ address }, 'too many unauthenticated sockets from one address; refusing one');
      socket.close(CloseCode.tryAgainLater, 'try again later');
      return;
    }
    if (address !== undefined) this.pendingByAddress.set(address, (this.pendingByAddress.get(address) ?? 0) + 1);
    const conn: Conn = {
      id: `c${this.nextId++}`, socket, role: undefined, principal: undefined, alive: true, closed: false,
      bucket: new TokenBucket(options.rateBurst, options.ratePerSecond, now), refused: 0, authDeadline: now() + options.authTimeoutMs,
      host: host?.toLowerCase(), nonce: undefined, address, expiryTimer: undefined, chain: settled,
    };
    this.conns.set(conn.id, conn);
    this.unauthenticated.add(conn);
    const s = socket as ConnSocket;
    s[CONN] = conn;
    s[HUB] = this;
    socket.on('pong', onPong);
    // ws emits 'error' for protocol violations (e.g. a frame over maxPayload) and then closes. The
    // upgrade request is not kept (server/ws-upgrade.ts): this listener is the socket's only one.
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.on('message', onMessage);
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

  /** Sizes of every per-connection structure (benchmarks and leak tests count them). */
  sizes(): { conns: number; byPrincipal: number; unauthenticated: number } {
    return { conns: this.conns.size, byPrincipal: this.byPrincipal.size, unauthenticated: this.unauthenticated.size };
  }

  /** Kiosk ids with an authenticated socket right now (fleet health). */
  /** Sends a frame to a booth's socket, if it has one now; false when it is offline. */
  sendToKioskId(kioskId: string, msg: HubToKiosk): boolean {
    const conn = this.byPrincipal.get(`kiosk:${kioskId}`);
    if (!conn || conn.closed) return false;
    this.sendRaw(conn, msg);
    return true;
  }

  onlineKiosks(): Set<string> {
    const ids = new Set<string>();
    for (const c of this.conns.values()) if (c.role === 'kiosk' && c.principal && !c.closed) ids.add(c.principal);
    return ids;
  }

  /**
   * Closes the sockets of an account that was disabled or deleted (4401, `account disabled`), at once,
   * even mid-call: the account must stop now (the other party sees the call end as a lost peer).
   */
  closeAccount(role: Role, principal: string, reason = 'account disabled'): boolean {
    const conn = this.byPrincipal.get(`${role}:${principal}`);
    if (!conn || conn.closed) return false;
    this.deps.log.warn({ conn: conn.id, role, principal }, 'account disabled; closing its socket');
    this.refuse(conn, 'unauthorized', reason, undefined, CloseCode.unauthorized);
    return true;
  }

  /** Authenticated agent ids with a socket now (re-checked when accounts change). */
  connectedAgents(): string[] {
    const ids: string[] = [];
    for (const key of this.byPrincipal.keys()) if (key.startsWith('agent:')) ids.push(key.slice(6));
    return ids;
  }

  /**
   * Sends every authenticated party fresh ICE servers (`ice.servers`); the hub calls it on a timer
   * shorter than the TURN credentials' lifetime. Returns how many frames went out.
   */
  pushIceServers(): number {
    if (!(this.deps.options.iceServers instanceof Function)) return 0;
    let sent = 0;
    for (const conn of this.byPrincipal.values()) {
      if (conn.closed || conn.role === undefined || conn.principal === undefined) continue;
      this.send(conn.id, { type: 'ice.servers', iceServers: this.iceFor(conn.role, conn.principal) });
      sent++;
    }
    return sent;
  }

  private iceFor(role: 'kiosk' | 'agent', principal: string): IceServer[] {
    const ice = this.deps.options.iceServers;
    return ice instanceof Function ? ice(role, principal) : ice;
  }

  /** Closes every socket (hub shutdown). */
  close(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.authSweep);
    for (const c of [...this.conns.values()]) c.socket.close(CloseCode.goingAway, 'hub shutting down');
  }

  // ---- internals --------------------------------------------------------------------------

  /** @internal Socket listener entry points (shared functions, see CONN). */
  socketError(conn: Conn, err: Error): void {
    this.deps.log.warn({ conn: conn.id, err: err.message }, 'socket error');
  }

  /** @internal */
  socketClosed(conn: Conn): void {
    this.closed(conn);
  }

  /** @internal */
  received(conn: Conn, data: RawData, isBinary: boolean): void {
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
    const next: Promise<void> = conn.chain
      .then(() => this.handle(conn, text))
      .catch((err: unknown) => {
        // A bug of ours, not the client's: log it, tell the client, keep serving.
        this.deps.log.error({ conn: conn.id, err }, 'frame handler failed');
        this.error(conn, 'internal', 'internal error');
      })
      .finally(() => {
        // An idle connection holds the one shared settled promise, not the last of its own.
        if (conn.chain === next) conn.chain = settled;
      });
    conn.chain = next;
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
      case 'chat.send':
      case 'chat.ack':
        if (!this.deps.chat) throw new HubError('not_found', 'this hub does not relay text');
        this.deps.chat.handle(conn.id, conn.role!, msg);
        return;
      default: {
        const never: never = msg;
        throw new HubError('invalid_message', `unhandled ${(never as { type: string }).type}`);
      }
    }
  }

  /** A booth's answer to its challenge (run from the proof queue). */
  private prove(conn: Conn, msg: z.infer<typeof KioskProve>): void {
    if (conn.closed) return;
    const nonce = conn.nonce;
    conn.nonce = undefined; // one attempt per challenge
    const kiosk = nonce !== undefined && conn.host !== undefined ? this.deps.kiosks.verifyProof(msg.kioskId, conn.host, nonce, msg.signature) : null;
    if (!kiosk && this.isRevoked(msg.kioskId)) {
      // A booth revoked while it was offline hears it at its next dial and returns to enrollment.
      this.deps.log.warn({ conn: conn.id, kioskId: msg.kioskId }, 'revoked kiosk dialled');
      this.refuse(conn, 'revoked', 'this booth was revoked; enroll it again', msg.type, CloseCode.revoked);
      return;
    }
    if (!kiosk) {
      this.deps.log.warn({ conn: conn.id, kioskId: msg.kioskId, challenged: nonce !== undefined }, 'kiosk key proof refused');
      this.refuse(conn, 'unauthorized', nonce === undefined ? 'kiosk.prove needs a kiosk.hello challenge first' : 'unknown kiosk, no registered key, or a wrong signature', msg.type, CloseCode.unauthorized);
      return;
    }
    this.welcomeKiosk(conn, kiosk, msg.configVersion);
  }

  private async authenticate(conn: Conn, text: string): Promise<void> {
    const parsed = parseFrame(AuthFrame, text);
    if (!parsed.ok) {
      this.deps.log.warn({ conn: conn.id, error: parsed.error.slice(0, 300) }, 'first frame is not a valid auth');
      this.refuse(conn, 'unauthorized', `first frame must be kiosk.auth or agent.auth (${parsed.error.slice(0, 300)})`, undefined, CloseCode.unauthorized);
      return;
    }
    const msg = parsed.value;
    if (msg.type === 'kiosk.hello') {
      // One challenge per socket: a second hello would let a client farm nonces.
      if (conn.nonce !== undefined) {
        this.refuse(conn, 'unauthorized', 'one kiosk.hello per connection', msg.type, CloseCode.unauthorized);
        return;
      }
      conn.nonce = nextNonce();
      this.sendRaw(conn, { type: 'kiosk.challenge', v: PROTOCOL_VERSION, nonce: conn.nonce } satisfies HubChallenge);
      return;
    }
    if (msg.type === 'kiosk.prove') {
      // Proofs wait their turn in short slices (server/slices.ts): a fleet reconnecting at once must not
      // hold the event loop between the steps of an agent's login.
      await this.proofs.run(() => this.prove(conn, msg));
      return;
    }
    if (msg.type === 'kiosk.auth') {
      let kiosk: Awaited<ReturnType<KioskVerifier['verify']>>;
      try {
        kiosk = await this.deps.kiosks.verify(msg.kioskId, msg.secret);
      } catch (err) {
        if (!(err instanceof HubError)) throw err;
        // The scrypt limiter is full: the booth's backoff brings it back later.
        this.refuse(conn, err.code as HubErrorCode, err.message, msg.type, CloseCode.tryAgainLater);
        return;
      }
      if (conn.closed) return;
      if (!kiosk) {
        this.deps.log.warn({ conn: conn.id, kioskId: msg.kioskId }, 'kiosk authentication failed');
        this.refuse(conn, 'unauthorized', 'unknown kiosk or wrong secret', msg.type, CloseCode.unauthorized);
        return;
      }
      this.welcomeKiosk(conn, kiosk, msg.configVersion);
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
    // Technicians enroll booths; they do not answer citizens (common/roles.ts).
    const role = accountById(this.deps.store, agentId)?.role ?? 'agent';
    if (!CALL_ROLES.includes(role)) {
      this.refuse(conn, 'forbidden', `the ${role} role does not answer calls`, msg.type, CloseCode.unauthorized);
      return;
    }
    this.replaceOlder('agent', agent.id);
    this.admit(conn, 'agent', agent.id);
    this.send(conn.id, { type: 'welcome', v: PROTOCOL_VERSION, role: 'agent', name: agent.displayName, iceServers: this.iceFor('agent', agent.id) });
    this.send(conn.id, { type: 'catalog', services: this.deps.options.services });
    this.deps.dispatcher.agentJoined(conn.id, { agentId: agent.id, displayName: agent.displayName, services: agent.services, languages: agent.languages });
    this.deps.log.info({ conn: conn.id, agentId: agent.id }, 'agent connected');
    this.closeAtExpiry(conn, expiresAt);
  }

  /** Closes a revoked booth's live socket, if any (4403 `revoked`: it goes back to its enrollment screen). */
  revokeKiosk(kioskId: string): boolean {
    const conn = this.byPrincipal.get(`kiosk:${kioskId}`);
    if (!conn || conn.closed) return false;
    this.refuse(conn, 'revoked', 'this booth was revoked; enroll it again', undefined, CloseCode.revoked);
    return true;
  }

  private isRevoked(kioskId: string): boolean {
    const r = this.deps.store.db.prepare<[string], { revoked_at: number | null }>('SELECT revoked_at FROM kiosks WHERE kiosk_id = ?').get(kioskId);
    return r?.revoked_at != null;
  }

  private welcomeKiosk(conn: Conn, kiosk: { kioskId: string; name: string; office: string }, configVersion?: string): void {
    // welcome, catalog and whatever follows (a config push, a call resume) leave in one write: in a
    // reconnect storm the hub's socket writes were its largest cost after the signature checks.
    const raw = rawSocketOf(conn.socket);
    raw?.cork();
    try {
      this.admitKiosk(conn, kiosk, configVersion);
    } finally {
      raw?.uncork();
    }
  }

  private admitKiosk(conn: Conn, kiosk: { kioskId: string; name: string; office: string }, configVersion?: string): void {
    this.replaceOlder('kiosk', kiosk.kioskId);
    this.admit(conn, 'kiosk', kiosk.kioskId);
    this.send(conn.id, { type: 'welcome', v: PROTOCOL_VERSION, role: 'kiosk', name: kiosk.name, iceServers: this.iceFor('kiosk', kiosk.kioskId) });
    this.send(conn.id, { type: 'catalog', services: this.deps.options.services });
    // A booth that was offline while its config changed gets it now (it applies it between visits).
    try {
      const cfg = this.deps.kioskConfig?.(kiosk.kioskId, kiosk.office);
      if (cfg && cfg.version !== (configVersion ?? '')) this.send(conn.id, { type: 'config.push', version: cfg.version, config: cfg.config });
    } catch (err) {
      this.deps.log.error({ conn: conn.id, err }, 'kiosk config lookup failed');
    }
    this.deps.dispatcher.kioskJoined(conn.id, { kioskId: kiosk.kioskId, name: kiosk.name, office: kiosk.office });
    this.healthSink((h) => h.connected(kiosk.kioskId, this.deps.now()));
    // debug, not info: a hub restart would otherwise write one line per booth of the fleet at once.
    this.deps.log.debug({ conn: conn.id, kioskId: kiosk.kioskId }, 'kiosk connected');
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
    conn.host = undefined;
    conn.nonce = undefined;
    this.releaseAddress(conn);
    this.unauthenticated.delete(conn);
    this.byPrincipal.set(`${role}:${principal}`, conn);
  }

  /** One live socket per kiosk / agent account: a reconnect (or a second tab) replaces the older one. */
  private replaceOlder(role: Role, principal: string): void {
    const other = this.byPrincipal.get(`${role}:${principal}`);
    if (other && !other.closed) this.refuse(other, 'conflict', 'signed in from another connection', undefined, CloseCode.replaced);
  }

  private releaseAddress(conn: Conn): void {
    if (conn.address === undefined) return;
    const n = (this.pendingByAddress.get(conn.address) ?? 1) - 1;
    if (n <= 0) this.pendingByAddress.delete(conn.address);
    else this.pendingByAddress.set(conn.address, n);
    conn.address = undefined;
  }

  private sweepUnauthenticated(): void {
    const t = this.deps.now();
    for (const conn of this.unauthenticated) {
      if (conn.authDeadline <= t) this.refuse(conn, 'unauthorized', 'authentication timeout', undefined, CloseCode.unauthorized);
    }
  }

  private closed(conn: Conn): void {
    if (conn.closed && !this.conns.has(conn.id)) return;
    conn.closed = true;
    clearTimeout(conn.expiryTimer);
    this.conns.delete(conn.id);
    this.releaseAddress(conn);
    this.unauthenticated.delete(conn);
    if (conn.principal !== undefined && conn.role !== undefined) {
      const key = `${conn.role}:${conn.principal}`;
      if (this.byPrincipal.get(key) === conn) this.byPrincipal.delete(key);
    }
    this.deps.chat?.forget(conn.id);
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
    if (conn) this.sendRaw(conn, msg);
  }

  /** Any frame to one connection, including the pre-auth challenge (outside the role unions). */
  private sendRaw(conn: Conn, msg: HubToKiosk | HubToAgent | HubChallenge): void {
    if (conn.closed || conn.socket.readyState !== conn.socket.OPEN) return;
    try {
      conn.socket.send(JSON.stringify(msg));
    } catch (err) {
      this.deps.log.warn({ conn: conn.id, err }, 'send failed');
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

/** The TCP socket under a `ws` WebSocket (its `_socket`; absent once closed). */
function rawSocketOf(socket: WebSocket): { cork(): void; uncork(): void } | undefined {
  return (socket as unknown as { _socket?: { cork(): void; uncork(): void } | null })._socket ?? undefined;
}

function connOf(socket: WebSocket): { conn: Conn; hub: HubSockets } | undefined {
  const s = socket as ConnSocket;
  const conn = s[CONN];
  const hub = s[HUB] as HubSockets | undefined;
  return conn && hub ? { conn, hub } : undefined;
}
function onPong(this: WebSocket): void {
  const c = (this as ConnSocket)[CONN];
  if (c) c.alive = true;
}
function onError(this: WebSocket, err: Error): void {
  const c = connOf(this);
  c?.hub.socketError(c.conn, err);
}
function onClose(this: WebSocket): void {
  const c = connOf(this);
  c?.hub.socketClosed(c.conn);
}
function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const c = connOf(this);
  c?.hub.received(c.conn, data, isBinary);
}

// Challenges come from a pool refilled 4 KiB at a time: one call into the CSPRNG per 128 booths
// instead of one per booth (a nonce is public; it only has to be unpredictable and unique).
let noncePool = Buffer.alloc(0);
let noncePos = 0;
function nextNonce(): string {
  if (noncePos + 32 > noncePool.length) {
    noncePool = randomBytes(4096);
    noncePos = 0;
  }
  const nonce = noncePool.subarray(noncePos, noncePos + 32).toString('base64url');
  noncePos += 32;
  return nonce;
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
