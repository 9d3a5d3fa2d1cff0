// The browser runtime: the same kiosk core as the Electron shell, with the renderer served on
// loopback and the bridge carried over a loopback WebSocket. Anything else on the machine (another
// user's process, a web page in another browser) must not drive the bridge, hence: bound to
// 127.0.0.1, Host and Origin pinned to our own origin, and a per-launch random token that only the
// page we open knows (it travels in the URL fragment, which is never sent in HTTP requests, and
// reaches Chromium through its 0700 profile, never its command line: see chromium.ts).
//
// Page watch (when this runtime launched Chromium): the page sends a heartbeat frame every 2 s from
// its own event loop (renderer/shared/bridge-client.ts). A page whose socket is gone and does not
// come back (renderer crashed: "Aw, Snap!") or whose socket stays silent (renderer hung in a loop;
// WebSocket pings would not see it, the network service answers them) gets Chromium relaunched on
// a fresh profile; the visit it held is reset by the socket's close, as for any page that goes away.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { BRIDGE_HEARTBEAT_FRAME, dispatchBridgeCall } from '../../common/bridge/dispatch';
import type { KioskCore } from '../services/core';
import type { Logger } from '../services/log';
import { silentLogger } from '../services/log';
import { defaultRendererDir, kioskCsp, readRendererFile, securityHeaders } from '../services/renderer-files';
import type { ChromiumHandle, ChromiumOptions } from './chromium';
import { launchChromium } from './chromium';
import { resetsPinchZoom } from './devtools-pipe';

/** Frame renderer → main: one bridge call. */
export interface BridgeCallFrame {
  /** Correlates the answer (renderer-chosen, number or short string). */
  id: number | string;
  /** Channel name from the bridge contract. */
  channel: string;
  /** Argument tuple. */
  args: unknown[];
}

export interface BrowserRuntimeOptions {
  /** The composed services. */
  core: Pick<KioskCore, 'handlers' | 'subscribe' | 'hubLink' | 'phase' | 'resetVisit'>;
  /** Local state directory (Chromium profile lives under it). */
  dataDir: string;
  /** Built renderer root (default dist/renderer). */
  rendererDir?: string;
  /** Loopback port (default 0 = any free port). */
  port?: number;
  /** `false` opens no window; otherwise the Chromium mode (default 'app'). */
  open?: false | 'app' | 'kiosk';
  /** Chromium launch tuning (binary path, extra flags, spawner). */
  chromium?: Partial<Omit<ChromiumOptions, 'url' | 'mode' | 'dataDir'>>;
  /** Fixed token (tests only; default: 32 random bytes per launch). */
  token?: string;
  /** Page watch limits (only when this runtime opens Chromium). */
  pageWatch?: PageWatchOptions;
  /** Logger (default silent). */
  log?: Logger;
  /**
   * Sets the page's pinch zoom back to 1 when a visit ends or a call starts (resetsPinchZoom).
   * Default: the launched Chromium's DevTools pipe; with `open: false`, whoever opened the page
   * (a test's own DevTools session), else nothing.
   */
  resetZoom?: () => Promise<unknown>;
}

export interface PageWatchOptions {
  /** A connected page silent this long is hung (ms, default 10 000; the page beats every 2 000). */
  heartbeatTimeoutMs?: number;
  /** After the last socket closed, a page that has not reconnected this long is gone (ms, default 3 000). */
  reconnectGraceMs?: number;
  /** After a (re)launch, the page must connect within this (ms, default 30 000: a cold start on a slow booth). */
  launchGraceMs?: number;
  /** How often the watch looks (ms, default 500). */
  checkMs?: number;
  /** Clock (ms, default Date.now) and timers (tests drive them by hand). */
  now?: () => number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/** A running browser runtime. */
export interface BrowserRuntime {
  /** The page to open, token included: `http://127.0.0.1:PORT/#token=…`. */
  url: string;
  /** This launch's bridge token. */
  token: string;
  /** Our own origin (`http://127.0.0.1:PORT`). */
  origin: string;
  /** How many bridge sockets are connected (diagnostics, tests). */
  readonly clients: number;
  /** How many times the page watch relaunched Chromium (diagnostics, tests). */
  readonly recoveries: number;
  /** The supervised Chromium's browser pid (undefined with `open: false` or between launches). */
  readonly chromiumPid: number | undefined;
  /** Closes Chromium, bridge sockets and the HTTP server. Idempotent. */
  close(): Promise<void>;
}

const isLoopback = (addr: string | undefined) => addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';

function sameToken(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseCallFrame(raw: string): BridgeCallFrame | { error: string; id?: number | string } {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { error: 'not JSON' };
  }
  if (typeof data !== 'object' || data === null) return { error: 'not an object' };
  const f = data as Record<string, unknown>;
  const id = f.id;
  if (!(typeof id === 'number' && Number.isSafeInteger(id)) && !(typeof id === 'string' && id.length <= 64)) return { error: 'bad id' };
  if (typeof f.channel !== 'string' || !Array.isArray(f.args)) return { error: 'channel must be a string and args an array', id };
  return { id, channel: f.channel, args: f.args };
}

export async function startBrowserRuntime(opts: BrowserRuntimeOptions): Promise<BrowserRuntime> {
  const log = opts.log ?? silentLogger;
  const root = opts.rendererDir ?? defaultRendererDir;
  const token = opts.token ?? randomBytes(32).toString('base64url');
  let port = 0;
  let origin = '';
  let csp = '';
  const sockets = new Set<WebSocket>();
  let closing = false;
  /** The page that last reported the visit phase: the visit lives and dies with it. */
  let phaseOwner: WebSocket | undefined;
  const watch = opts.pageWatch ?? {};
  const now = watch.now ?? Date.now;
  /** Last frame from any page. */
  let lastAlive = now();
  /** With no socket connected, the page must (re)connect by then. */
  let expectBy = Number.POSITIVE_INFINITY;
  let recoveries = 0;
  let chromium: ChromiumHandle | undefined;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void serveStatic(req, res);
  });
  const hostOk = (req: IncomingMessage) => req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;

  async function serveStatic(req: IncomingMessage, res: ServerResponse) {
    try {
      // Host pinning defeats DNS rebinding (a remote page resolving its name to 127.0.0.1).
      if (!isLoopback(req.socket.remoteAddress) || !hostOk(req)) {
        res.writeHead(403).end();
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      // Chromium asks for a favicon the kiosk does not have: answer quietly, not with a console 404.
      if (req.url === '/favicon.ico') {
        res.writeHead(204, securityHeaders).end();
        return;
      }
      const file = await readRendererFile(root, req.url ?? '/');
      if (file.status !== 200) {
        res.writeHead(file.status, { 'Content-Security-Policy': csp, ...securityHeaders }).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': file.body.length, 'Content-Security-Policy': csp, ...securityHeaders });
      res.end(req.method === 'HEAD' ? undefined : file.body);
    } catch (err) {
      log.error({ err: String(err) }, 'browser runtime static error');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const reject = (socket: Socket, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/bridge') return reject(socket, 404, 'Not Found');
    if (!isLoopback(req.socket.remoteAddress) || !hostOk(req)) return reject(socket, 403, 'Forbidden');
    if (req.headers.origin !== origin) {
      log.warn({ origin: req.headers.origin }, 'bridge refused: wrong origin');
      return reject(socket, 403, 'Forbidden');
    }
    if (!sameToken(url.searchParams.get('token'), token)) {
      log.warn('bridge refused: wrong token');
      return reject(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => onBridge(ws));
  });

  const send = (ws: WebSocket, frame: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };

  function onBridge(ws: WebSocket) {
    sockets.add(ws);
    lastAlive = now();
    // The page is up: the launch grace is over (a later loss gets the short reconnect grace).
    if (expectBy !== Number.POSITIVE_INFINITY) expectBy = 0;
    chromium?.healthy();
    // A (re)connected page learns the link status at once instead of waiting for the next change.
    send(ws, { event: 'hub.status', payload: [opts.core.hubLink.status] });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      lastAlive = now();
      const raw = data.toString();
      if (raw === BRIDGE_HEARTBEAT_FRAME) return;
      const frame = parseCallFrame(raw);
      if ('error' in frame) {
        log.warn({ error: frame.error }, 'bridge frame dropped');
        if (frame.id !== undefined) send(ws, { id: frame.id, result: { ok: false, error: { code: 'invalid_frame', message: frame.error } } });
        return;
      }
      if (frame.channel === 'session.phase') {
        phaseOwner = ws;
        if (resetsPinchZoom(frame.args[0])) {
          const reset = opts.resetZoom ?? (() => chromium?.resetZoom() ?? Promise.resolve(0));
          reset().catch((err: unknown) => log.warn({ err: String(err) }, 'pinch zoom not reset'));
        }
      }
      void dispatchBridgeCall(opts.core.handlers, frame.channel, frame.args).then((result) => send(ws, { id: frame.id, result }));
    });
    ws.on('error', (err) => log.warn({ err: err.message }, 'bridge socket error'));
    ws.on('close', () => {
      sockets.delete(ws);
      // A reload reconnects within moments; a crashed page never does. (Infinity = a relaunch is under way.)
      if (sockets.size === 0 && expectBy !== Number.POSITIVE_INFINITY) expectBy = now() + (watch.reconnectGraceMs ?? 3_000);
      // The page holding the visit went away (reload, crash, closed window): nothing of it may
      // linger. Keyed on the page, not on "no sockets left", because a reload's new socket may
      // connect before the old one's close is seen.
      if (ws !== phaseOwner) return;
      phaseOwner = undefined;
      if (!closing && opts.core.phase !== 'attract' && opts.core.phase !== 'closed') opts.core.resetVisit('renderer_gone');
    });
  }

  const unsubscribe = opts.core.subscribe((event, payload) => {
    for (const ws of sockets) send(ws, { event, payload });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  }).catch((err: unknown) => {
    unsubscribe();
    throw err;
  });
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  csp = kioskCsp([`ws://127.0.0.1:${port}`]);
  const url = `${origin}/#token=${token}`;
  log.info({ origin }, 'browser runtime listening');

  let watchTimer: unknown;
  const clearWatch = watch.clearInterval ?? ((h: unknown) => clearInterval(h as NodeJS.Timeout));
  if (opts.open !== false) {
    const onLaunch = () => {
      lastAlive = now();
      expectBy = now() + (watch.launchGraceMs ?? 30_000);
    };
    chromium = launchChromium({ ...opts.chromium, url, mode: opts.open ?? 'app', dataDir: opts.dataDir, log, onLaunch });
    const check = () => {
      if (closing || !chromium || chromium.pid === undefined) return;
      const t = now();
      let reason: string | undefined;
      if (sockets.size === 0 && t > expectBy) reason = 'page_gone';
      else if (sockets.size > 0 && t - lastAlive > (watch.heartbeatTimeoutMs ?? 10_000)) reason = 'page_hung';
      if (!reason) return;
      recoveries++;
      log.warn({ reason, recoveries }, 'kiosk page lost; resetting the visit and relaunching Chromium');
      // A hung page's socket is still open: drop it. The visit it held is reset here, not by the
      // socket's close (which comes later, after phaseOwner is cleared).
      for (const ws of sockets) ws.terminate();
      if (opts.core.phase !== 'attract' && opts.core.phase !== 'closed') opts.core.resetVisit('renderer_gone');
      phaseOwner = undefined;
      expectBy = Number.POSITIVE_INFINITY; // until the relaunch (onLaunch) sets the launch grace
      chromium.restart(reason);
    };
    watchTimer = (watch.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms).unref()))(check, watch.checkMs ?? 500);
  }

  let closedPromise: Promise<void> | undefined;
  return {
    url,
    token,
    origin,
    get clients() {
      return sockets.size;
    },
    get recoveries() {
      return recoveries;
    },
    get chromiumPid() {
      return chromium?.pid;
    },
    close() {
      closedPromise ??= (async () => {
        closing = true;
        if (watchTimer !== undefined) clearWatch(watchTimer);
        unsubscribe();
        await chromium?.close().catch((err: unknown) => log.warn({ err: String(err) }, 'chromium close failed'));
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      })();
      return closedPromise;
    },
  };
}
