// The hub's /ws upgrades, taken straight from the HTTP server's 'upgrade' event by `ws` (noServer),
// ahead of fastify's router. Through @fastify/websocket every upgrade built a fastify request, a
// reply, a ServerResponse and a child logger, and ran the route's hooks: the largest per-connection
// CPU cost in a profile of a reconnect storm, and objects that outlived the upgrade. Here an upgrade
// costs what a bare `ws` server's does, plus the Origin check and the client address.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import proxyAddr from '@fastify/proxy-addr';
import { WebSocketServer, type WebSocket } from 'ws';

/** How the hub takes its WebSockets. */
export interface WsUpgradeOptions {
  /** The one path upgrades are served on ('/ws'); any other path is answered 404. */
  path: string;
  /** Largest frame accepted (bytes). */
  maxPayload: number;
  /** Reverse proxies whose X-Forwarded-For is believed (as fastify's trustProxy): the client address is then the first one left of them. */
  trustedProxies?: string[];
  /** May this upgrade go on? Null = yes; otherwise the HTTP status and protocol error sent instead. */
  check: (req: IncomingMessage) => { status: number; code: string; message: string } | null;
  /** Takes over an upgraded socket (HubSockets.accept). */
  accept: (socket: WebSocket, host: string | undefined, address: string | undefined) => void;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' };

/** Serves WebSocket upgrades on `server` until `stop()`; `wss` is the `ws` server (tests count its clients). */
export function serveWebSockets(server: HttpServer | HttpsServer, opts: WsUpgradeOptions): { wss: WebSocketServer; stop(): Promise<void> } {
  // clientTracking stays on, as on a bare `ws` server: shutdown reaches what is left.
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload });
  const trust = opts.trustedProxies?.length ? proxyAddr.compile(opts.trustedProxies) : undefined;
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q < 0 ? url : url.slice(0, q)) !== opts.path) {
      refuse(socket, 404, { code: 'not_found', message: 'no such route' });
      return;
    }
    const refused = opts.check(req);
    if (refused) {
      refuse(socket, refused.status, { code: refused.code, message: refused.message });
      return;
    }
    const address = trust ? proxyAddr(req, trust) : req.socket.remoteAddress;
    const host = req.headers.host;
    // The request is not kept: only its Host header and the client address ride on into the socket layer.
    wss.handleUpgrade(req, socket, head, (ws) => opts.accept(ws, host, address));
  };
  server.on('upgrade', onUpgrade);
  return {
    wss,
    // Before the HTTP server closes (it waits for every socket, upgraded ones included): no new
    // upgrades, a closing handshake for any socket the hub has not closed itself.
    stop: () =>
      new Promise<void>((resolve) => {
        server.removeListener('upgrade', onUpgrade);
        for (const ws of wss.clients) ws.close(1001, 'hub shutting down');
        wss.close(() => resolve());
      }),
  };
}

/** An HTTP answer instead of the upgrade (JSON body with a protocol error code, like every hub error). */
function refuse(socket: Duplex, status: number, body: { code: string; message: string }): void {
  const json = JSON.stringify(body);
  socket.on('error', () => {});
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  );
}
