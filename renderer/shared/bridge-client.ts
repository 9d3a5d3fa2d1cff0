// The renderer's only way to main. Under Electron the preload exposes `window.kiosk`; under the
// browser runtime the same BridgeApi is carried over a loopback WebSocket whose per-launch token
// arrives in the URL fragment. Screens cannot tell the two apart, and no call ever throws: every
// failure (socket closed, timeout, handler error) is a Result value.
import type { BridgeApi, CallArgs, CallName, CallResult, EventName, EventPayload } from '../../common/bridge/contract';
import { BRIDGE_HEARTBEAT_FRAME } from '../../common/bridge/dispatch';
import type { Result } from '../../common/result';
import { backoffDelay, rendererReconnect, type BackoffPolicy } from '../../common/backoff';

declare global {
  interface Window {
    /** The bridge exposed by the Electron preload (absent in the browser runtime). */
    kiosk?: BridgeApi;
  }
}

/** The subset of the DOM WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface WsBridgeOptions {
  /** Full socket URL including the token (`ws://127.0.0.1:PORT/bridge?token=…`). */
  url: string;
  /** Socket factory (default: the browser's WebSocket). */
  createSocket?: (url: string) => SocketLike;
  /** Reconnect delays (default the renderers' policy, common/backoff.ts). */
  reconnect?: BackoffPolicy;
  /** [0,1) random source for jitter (tests). */
  random?: () => number;
  /** A call unanswered this long resolves to `bridge_timeout` (ms, default 30 000). */
  callTimeoutMs?: number;
  /** Heartbeat period (ms, default 2 000; 0 = none): main relaunches a page that stops beating. */
  heartbeatMs?: number;
  /** Timers (tests pass fakes). */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/** A BridgeApi over a WebSocket, plus `close()` for tests and page teardown. */
export interface WsBridge extends BridgeApi {
  /** Stops reconnecting and fails pending calls with `bridge_closed`. */
  close(): void;
}

const OPEN = 1;
const CONNECTING = 0;

const failure = (code: string, message: string): Result<never> => ({ ok: false, error: { code, message } });

export function createWsBridge(opts: WsBridgeOptions): WsBridge {
  const createSocket = opts.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const backoff = opts.reconnect ?? rendererReconnect;
  const callTimeoutMs = opts.callTimeoutMs ?? 30_000;
  const listeners = new Map<string, Set<(...payload: unknown[]) => void>>();
  const pending = new Map<number, { resolve: (r: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> }>();
  /** Frames written while the socket was still connecting. */
  let queued: string[] = [];
  let nextId = 1;
  let socket: SocketLike | undefined;
  let attempt = 0;
  let closed = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  const settle = (id: number, result: Result<unknown>) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(result);
  };
  const failAll = (code: string, message: string) => {
    for (const id of [...pending.keys()]) settle(id, failure(code, message));
    queued = [];
  };

  const onMessage = (data: unknown) => {
    if (typeof data !== 'string') return;
    let frame: { id?: unknown; result?: unknown; event?: unknown; payload?: unknown };
    try {
      frame = JSON.parse(data) as typeof frame;
    } catch {
      return;
    }
    if (typeof frame.event === 'string' && Array.isArray(frame.payload)) {
      for (const l of listeners.get(frame.event) ?? []) {
        try {
          l(...(frame.payload as unknown[]));
        } catch (err) {
          console.error('bridge listener failed', frame.event, err);
        }
      }
    } else if (typeof frame.id === 'number' && typeof frame.result === 'object' && frame.result !== null && 'ok' in frame.result) {
      settle(frame.id, frame.result as Result<unknown>);
    }
  };

  const connect = () => {
    if (closed) return;
    let s: SocketLike;
    try {
      s = createSocket(opts.url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = s;
    s.onopen = () => {
      attempt = 0;
      const frames = queued;
      queued = [];
      for (const f of frames) s.send(f);
    };
    s.onmessage = (ev) => onMessage(ev.data);
    s.onerror = () => {
      // 'close' follows and does the work.
    };
    s.onclose = () => {
      if (socket !== s) return;
      socket = undefined;
      failAll('bridge_closed', 'The bridge to main closed');
      scheduleReconnect();
    };
  };

  function scheduleReconnect() {
    if (closed || reconnectTimer !== undefined) return;
    const delay = backoffDelay(attempt++, backoff, opts.random);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect();
    }, delay);
  }

  connect();
  // Sent from this page's event loop: a renderer stuck in a loop stops beating (a WebSocket ping
  // would still be answered by the browser's network service).
  const heartbeatMs = opts.heartbeatMs ?? 2_000;
  const clearBeat = opts.clearInterval ?? ((h: unknown) => clearInterval(h as ReturnType<typeof setInterval>));
  const beat =
    heartbeatMs > 0
      ? (opts.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms)))(() => {
          if (socket?.readyState === OPEN) socket.send(BRIDGE_HEARTBEAT_FRAME);
        }, heartbeatMs)
      : undefined;

  return {
    invoke<K extends CallName>(channel: K, ...args: CallArgs<K>): Promise<Result<CallResult<K>>> {
      const s = socket;
      if (closed || !s || (s.readyState !== OPEN && s.readyState !== CONNECTING)) {
        return Promise.resolve(failure('bridge_closed', 'The bridge to main is not connected'));
      }
      const id = nextId++;
      return new Promise<Result<CallResult<K>>>((resolve) => {
        const timer = setTimeout(() => settle(id, failure('bridge_timeout', `No answer on ${channel}`)), callTimeoutMs);
        pending.set(id, { resolve: resolve as (r: Result<unknown>) => void, timer });
        const frame = JSON.stringify({ id, channel, args });
        try {
          if (s.readyState === OPEN) s.send(frame);
          else queued.push(frame);
        } catch (err) {
          settle(id, failure('bridge_closed', String(err)));
        }
      });
    },
    on<K extends EventName>(event: K, listener: (...payload: EventPayload<K>) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as unknown as (...payload: unknown[]) => void;
      set.add(l);
      return () => {
        set.delete(l);
      };
    },
    close() {
      closed = true;
      if (beat !== undefined) clearBeat(beat);
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      const s = socket;
      socket = undefined;
      failAll('bridge_closed', 'The bridge was closed');
      s?.close();
    },
  };
}

/** A bridge that answers every call with `code` (no transport available). */
function unavailableBridge(code: string, message: string): BridgeApi {
  return {
    invoke: () => Promise.resolve(failure(code, message)),
    on: () => () => {},
  };
}

/** Reads the per-launch token from a location hash like `#token=abc`. */
export function tokenFromHash(hash: string): string | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return params.get('token') ?? undefined;
}

let cached: BridgeApi | undefined;

/**
 * The renderer's bridge: `window.kiosk` under Electron, else a WebSocket client to the browser
 * runtime's `/bridge` (token from `location.hash`). One instance per page.
 */
export function getBridge(): BridgeApi {
  if (cached) return cached;
  if (window.kiosk) return (cached = window.kiosk);
  const token = tokenFromHash(window.location.hash);
  if (!token) return (cached = unavailableBridge('bridge_unavailable', 'No preload bridge and no #token in the URL'));
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  cached = createWsBridge({ url: `${scheme}//${window.location.host}/bridge?token=${encodeURIComponent(token)}` });
  return cached;
}
