// The kiosk's one connection to the hub. Offices have poor networks: the link redials forever with
// capped exponential backoff + jitter (so a hub restart is not hit by every kiosk at the same
// instant), detects dead TCP paths with WebSocket pings, and never lets a bad frame crash main.
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import type { HubLinkStatus } from '../../common/bridge/core';
import type { HubToKiosk, IceServer, KioskToHub } from '../../common/protocol';
import { HubChallenge, HubToKiosk as HubToKioskSchema, PROTOCOL_VERSION, kioskAuthMessage, parseFrame } from '../../common/protocol';
import { VisioError } from '../../common/result';
import type { Logger } from './log';
import { silentLogger } from './log';
import { backoffDelay } from '../../common/backoff';
import { realTimers, type Timers } from '../../common/time';

/** `send` was called while the link is not online (not connected or not yet welcomed). */
export class HubOfflineError extends VisioError {
  constructor(message = 'The hub link is offline') {
    super('hub_offline', message);
  }
}

/** Frames main forwards for the renderer (authentication is main's job only). */
export type OutgoingFrame = Exclude<KioskToHub, { type: 'kiosk.auth' }>;

/** The one timer interface (common/time.ts), re-exported for main's services. */
export type { Timers };

export interface HubLinkOptions {
  /** The hub's WebSocket endpoint (`ws(s)://host/ws`). */
  url: string;
  /** This kiosk's id. */
  kioskId: string;
  /**
   * Development credential: the shared kiosk secret, sent in the first frame. When absent, `key`
   * proves the booth's identity instead (the production path: nothing secret travels).
   */
  secret?: string;
  /** The booth's key pair (main/services/kiosk-key.ts): signs the hub's challenge. */
  key?: { sign(message: string): string };
  /** Version of the hub config the booth runs (main/services/config-live.ts), told at each connection so the hub pushes a newer one. */
  configVersion?: () => string;
  /** First retry delay (ms, default 500). */
  initialBackoffMs?: number;
  /** Retry delay cap (ms, default 30 000). */
  maxBackoffMs?: number;
  /**
   * After an established link drops, the first redial waits a uniform random time in [0, this) (ms,
   * default 5 000; 0 = the backoff's first step). A hub restart drops the whole fleet at once: spread
   * over 5 s, 10,000 booths arrive at 2,000 a second instead of all within the backoff's first 0.5 s,
   * each paying for a handshake the hub cannot finish before the booth's welcome timeout.
   */
  reconnectSpreadMs?: number;
  /** WebSocket ping period; two missed pongs drop the connection (ms, default 15 000). */
  heartbeatMs?: number;
  /** How long to wait for `welcome` after opening before redialling (ms, default 10 000). */
  welcomeTimeoutMs?: number;
  /** Source of jitter in [0, 1) (tests pin it). */
  random?: () => number;
  /** Local address to dial from (a booth on two networks: the office LAN, not the camera's); default the system's choice. */
  localAddress?: string;
  /** Timer functions (default: Node's). */
  timers?: Timers;
  /** Logger (default silent). */
  log?: Logger;
}

/** A self-healing authenticated connection to the hub. */
export interface HubLink {
  /** Current status: connecting (dialling or authenticating), online (welcomed), offline (waiting to retry or closed). */
  readonly status: HubLinkStatus;
  /** ICE servers from the last `welcome` (empty before the first). */
  readonly iceServers: IceServer[];
  /** Sends one frame; throws HubOfflineError unless online. */
  send(frame: OutgoingFrame): void;
  /** Subscribes to status changes; returns the unsubscribe function. */
  onStatus(listener: (status: HubLinkStatus) => void): () => void;
  /** Subscribes to validated frames from the hub (including `welcome`); returns the unsubscribe function. */
  onMessage(listener: (frame: HubToKiosk) => void): () => void;
  /** Stops redialling and closes the socket; resolves once closed. Idempotent. */
  close(): Promise<void>;
}


/** Creates the link and starts dialling immediately. */
export function createHubLink(opts: HubLinkOptions): HubLink {
  if (opts.secret === undefined && !opts.key) throw new VisioError('config_invalid', 'the hub link needs the booth key (or a development kioskSecret)');
  // The key proof names the host the booth dialled, as its Host header carries it.
  const dialledHost = new URL(opts.url).host;
  const configVersionField = (): { configVersion?: string } => {
    const v = opts.configVersion?.();
    return v ? { configVersion: v } : {};
  };
  const initialMs = opts.initialBackoffMs ?? 500;
  const maxMs = opts.maxBackoffMs ?? 30_000;
  const spreadMs = opts.reconnectSpreadMs ?? 5_000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const welcomeTimeoutMs = opts.welcomeTimeoutMs ?? 10_000;
  const random = opts.random ?? Math.random;
  const timers = opts.timers ?? realTimers;
  const log = opts.log ?? silentLogger;

  const statusListeners = new Set<(s: HubLinkStatus) => void>();
  const messageListeners = new Set<(f: HubToKiosk) => void>();
  let status: HubLinkStatus = 'offline';
  let iceServers: IceServer[] = [];
  let ws: WebSocket | undefined;
  let attempt = 0;
  let closed = false;
  let retryTimer: unknown;
  let heartbeatTimer: unknown;
  let welcomeTimer: unknown;

  const setStatus = (next: HubLinkStatus) => {
    if (next === status) return;
    status = next;
    for (const l of statusListeners) {
      try {
        l(next);
      } catch (err) {
        log.error({ err: String(err) }, 'hub-link status listener threw');
      }
    }
  };

  const stopSocketTimers = () => {
    if (heartbeatTimer !== undefined) timers.clearInterval(heartbeatTimer);
    if (welcomeTimer !== undefined) timers.clearTimeout(welcomeTimer);
    heartbeatTimer = welcomeTimer = undefined;
  };

  /** `dropped`: an established link was lost (the hub may be restarting under the whole fleet). */
  const scheduleRetry = (dropped = false) => {
    if (closed || retryTimer !== undefined) return;
    // Equal jitter: never an instant redial, still spread across a fleet. After a drop, full jitter
    // over the spread window first (the next failures continue on the backoff from its first step).
    const delay = dropped && spreadMs > 0 ? Math.floor(spreadMs * random()) : backoffDelay(attempt++, { initialMs, maxMs, jitter: 'equal' }, random);
    log.info({ delayMs: delay, attempt }, 'hub-link retry scheduled');
    retryTimer = timers.setTimeout(() => {
      retryTimer = undefined;
      dial();
    }, delay);
  };

  const handleFrame = (socket: WebSocket, data: RawData, isBinary: boolean) => {
    if (isBinary) {
      log.warn('hub-link dropped a binary frame');
      return;
    }
    const text = data.toString();
    // The challenge is part of authentication, not of the visit: answered here, never forwarded.
    if (status !== 'online' && opts.key && text.includes('"kiosk.challenge"')) {
      const challenge = parseFrame(HubChallenge, text);
      if (challenge.ok) {
        const signature = opts.key.sign(kioskAuthMessage(opts.kioskId, dialledHost, challenge.value.nonce));
        socket.send(JSON.stringify({ type: 'kiosk.prove', v: PROTOCOL_VERSION, kioskId: opts.kioskId, signature, ...configVersionField() }));
        return;
      }
    }
    const parsed = parseFrame(HubToKioskSchema, text);
    if (!parsed.ok) {
      log.warn({ error: parsed.error.slice(0, 300) }, 'hub-link dropped an invalid frame');
      return;
    }
    const frame = parsed.value;
    if (frame.type === 'welcome') {
      if (welcomeTimer !== undefined) timers.clearTimeout(welcomeTimer);
      welcomeTimer = undefined;
      iceServers = frame.iceServers;
      attempt = 0;
      log.info({ name: frame.name, iceServers: frame.iceServers.length }, 'hub-link online');
      setStatus('online');
    } else if (frame.type === 'ice.servers') {
      // Fresh TURN credentials (short-lived): `hub.iceServers` answers with them from now on.
      iceServers = frame.iceServers;
    } else if (frame.type === 'error' && status !== 'online') {
      // Before welcome, an error is the hub refusing us (bad secret, unknown kiosk): keep retrying, loudly.
      log.error({ code: frame.code, message: frame.message }, 'hub-link refused by hub');
    }
    for (const l of messageListeners) {
      try {
        l(frame);
      } catch (err) {
        log.error({ err: String(err), type: frame.type }, 'hub-link message listener threw');
      }
    }
  };

  function dial() {
    if (closed) return;
    setStatus('connecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(opts.url, { handshakeTimeout: welcomeTimeoutMs, maxPayload: 256 * 1024, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    } catch (err) {
      log.error({ url: opts.url, err: String(err) }, 'hub-link cannot dial');
      setStatus('offline');
      scheduleRetry();
      return;
    }
    ws = socket;
    let alive = true;
    socket.on('open', () => {
      if (opts.secret !== undefined) socket.send(JSON.stringify({ type: 'kiosk.auth', v: PROTOCOL_VERSION, kioskId: opts.kioskId, secret: opts.secret, ...configVersionField() } satisfies KioskToHub));
      else socket.send(JSON.stringify({ type: 'kiosk.hello', v: PROTOCOL_VERSION, kioskId: opts.kioskId }));
      welcomeTimer = timers.setTimeout(() => {
        log.warn({ timeoutMs: welcomeTimeoutMs }, 'hub-link no welcome in time, redialling');
        socket.terminate();
      }, welcomeTimeoutMs);
      heartbeatTimer = timers.setInterval(() => {
        if (!alive) {
          log.warn('hub-link heartbeat lost, redialling');
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, heartbeatMs);
    });
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('message', (data, isBinary) => {
      alive = true;
      handleFrame(socket, data, isBinary);
    });
    socket.on('error', (err) => {
      // 'close' always follows; this is only for the log.
      log.warn({ err: err.message }, 'hub-link socket error');
    });
    socket.on('close', (code) => {
      if (ws !== socket) return;
      ws = undefined;
      stopSocketTimers();
      const dropped = status === 'online';
      setStatus('offline');
      if (!closed) {
        log.info({ code }, 'hub-link closed');
        scheduleRetry(dropped);
      }
    });
  }

  dial();

  return {
    get status() {
      return status;
    },
    get iceServers() {
      return iceServers;
    },
    send(frame) {
      if (status !== 'online' || !ws || ws.readyState !== WebSocket.OPEN) throw new HubOfflineError();
      ws.send(JSON.stringify(frame));
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (retryTimer !== undefined) timers.clearTimeout(retryTimer);
      retryTimer = undefined;
      stopSocketTimers();
      const socket = ws;
      if (socket && socket.readyState !== WebSocket.CLOSED) {
        await new Promise<void>((done) => {
          const force = setTimeout(() => {
            socket.terminate();
            done();
          }, 2_000);
          socket.once('close', () => {
            clearTimeout(force);
            done();
          });
          if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
          else socket.close(1000, 'kiosk closing');
        });
      }
      ws = undefined;
      setStatus('offline');
      statusListeners.clear();
      messageListeners.clear();
    },
  };
}
