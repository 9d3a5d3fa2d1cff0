import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { HubLinkStatus } from '../../common/bridge/core';
import type { HubToKiosk } from '../../common/protocol';
import { createHubLink, HubOfflineError } from './hub-link';
import type { HubLink } from './hub-link';
import { memoryLogger } from '../../common/log';

const SECRET = 'a-very-secret-kiosk-secret';
const welcome = JSON.stringify({ type: 'welcome', v: 1, role: 'kiosk', name: 'K1', iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });

/** A tiny hub: records each connection's frames, answers kiosk.auth with welcome unless told not to. */
async function startHub(opts: { autoWelcome?: boolean; autoPong?: boolean; port?: number } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: opts.port ?? 0, path: '/ws', autoPong: opts.autoPong ?? true });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const conns: { ws: WebSocket; frames: unknown[] }[] = [];
  const waiters: (() => void)[] = [];
  wss.on('connection', (ws) => {
    const c = { ws, frames: [] as unknown[] };
    conns.push(c);
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string };
      c.frames.push(f);
      if (f.type === 'kiosk.auth' && opts.autoWelcome !== false) ws.send(welcome);
      waiters.splice(0).forEach((w) => w());
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    wss,
    conns,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    /** Resolves when `pred` holds, re-checked after every frame. */
    async until(pred: () => boolean) {
      while (!pred()) await new Promise<void>((r) => waiters.push(r));
    },
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

function waitStatus(link: HubLink, want: HubLinkStatus): Promise<void> {
  if (link.status === want) return Promise.resolve();
  return new Promise((r) => {
    const off = link.onStatus((s) => {
      if (s === want) {
        off();
        r();
      }
    });
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function link(url: string, extra: Partial<Parameters<typeof createHubLink>[0]> = {}) {
  const l = createHubLink({ url, kioskId: 'kiosk-1', secret: SECRET, initialBackoffMs: 10, maxBackoffMs: 50, reconnectSpreadMs: 20, ...extra });
  cleanups.push(() => l.close());
  return l;
}

describe('hub link', () => {
  it('sends kiosk.auth as the very first frame, goes online on welcome and keeps the ICE servers', async () => {
    const hub = await startHub();
    cleanups.push(hub.close);
    const l = link(hub.url);
    const seen: HubLinkStatus[] = [l.status];
    l.onStatus((s) => seen.push(s));
    await waitStatus(l, 'online');
    expect(hub.conns[0]!.frames[0]).toEqual({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret: SECRET });
    expect(seen).toEqual(['connecting', 'online']);
    expect(l.iceServers).toEqual([{ urls: 'stun:127.0.0.1:3478' }]);
    l.send({ type: 'ping', t: 1 });
    await hub.until(() => hub.conns[0]!.frames.length === 2);
    expect(hub.conns[0]!.frames[1]).toEqual({ type: 'ping', t: 1 });
  });

  it('drops invalid frames (not JSON, unknown type, wrong shape, binary) without crashing and delivers valid ones', async () => {
    const hub = await startHub();
    cleanups.push(hub.close);
    const log = memoryLogger();
    const l = link(hub.url, { log });
    const got: HubToKiosk[] = [];
    l.onMessage((f) => got.push(f));
    await waitStatus(l, 'online');
    const ws = hub.conns[0]!.ws;
    ws.send('not json {');
    ws.send(JSON.stringify({ type: 'agent.state', status: 'available' }));
    ws.send(JSON.stringify({ type: 'queue.update', callId: 'c1', position: -3, estimateSeconds: 0 }));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send(JSON.stringify({ type: 'pong', t: 42 }));
    await new Promise<void>((r) => l.onMessage((f) => f.type === 'pong' && r()));
    expect(got.map((f) => f.type)).toEqual(['welcome', 'pong']);
    expect(log.lines.filter((x) => x.level === 'warn')).toHaveLength(4);
    expect(l.status).toBe('online');
  });

  it('fails send with HubOfflineError (code hub_offline) before welcome and after the hub goes away', async () => {
    const hub = await startHub({ autoWelcome: false });
    const l = link(hub.url, { initialBackoffMs: 60_000, maxBackoffMs: 60_000 });
    await hub.until(() => hub.conns[0]?.frames.length === 1);
    expect(l.status).toBe('connecting');
    expect(() => l.send({ type: 'ping', t: 1 })).toThrow(HubOfflineError);
    hub.conns[0]!.ws.send(welcome);
    await waitStatus(l, 'online');
    await hub.close();
    await waitStatus(l, 'offline');
    try {
      l.send({ type: 'ping', t: 2 });
      expect.unreachable('send should throw while offline');
    } catch (err) {
      expect(err).toBeInstanceOf(HubOfflineError);
      expect((err as HubOfflineError).code).toBe('hub_offline');
    }
  });

  it('reconnects after the connection drops, authenticating first again', async () => {
    const hub = await startHub();
    cleanups.push(hub.close);
    const l = link(hub.url);
    await waitStatus(l, 'online');
    const offline = waitStatus(l, 'offline');
    hub.conns[0]!.ws.terminate();
    await offline;
    await waitStatus(l, 'online');
    expect(hub.conns.length).toBe(2);
    expect(hub.conns[1]!.frames[0]).toMatchObject({ type: 'kiosk.auth', kioskId: 'kiosk-1' });
  });

  it('keeps redialling while the hub is down and comes back online when it restarts on the same port', async () => {
    const hub = await startHub();
    const l = link(hub.url);
    await waitStatus(l, 'online');
    await hub.close();
    await waitStatus(l, 'offline');
    // A few failed dials happen here (connection refused): each must schedule another.
    await new Promise((r) => setTimeout(r, 120));
    const again = await startHub({ port: hub.port });
    cleanups.push(again.close);
    await waitStatus(l, 'online');
    expect(again.conns[0]!.frames[0]).toMatchObject({ type: 'kiosk.auth' });
  });

  it('after an established link drops, redials once within the spread window, then on the backoff from its first step', async () => {
    const hub = await startHub();
    const log = memoryLogger();
    // random 0.5: the spread's delay is half the window; the backoff's equal jitter is 3/4 of its ceiling.
    const l = link(hub.url, { log, random: () => 0.5, reconnectSpreadMs: 400, initialBackoffMs: 40, maxBackoffMs: 160 });
    await waitStatus(l, 'online');
    await hub.close();
    await vi.waitFor(() => expect(retryDelays(log).length).toBeGreaterThanOrEqual(4), { timeout: 5_000 });
    expect(retryDelays(log).slice(0, 4)).toEqual([200, 30, 60, 120]);
  });

  it('a dial that never got online (hub down from the start) uses the backoff only, never the spread', async () => {
    const hub = await startHub();
    await hub.close();
    const log = memoryLogger();
    link(hub.url, { log, random: () => 0.5, reconnectSpreadMs: 10_000, initialBackoffMs: 40, maxBackoffMs: 160 });
    await vi.waitFor(() => expect(retryDelays(log).length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    expect(retryDelays(log).slice(0, 2)).toEqual([30, 60]);
  });

  it('drops a connection whose pongs stop (dead TCP path) and redials', async () => {
    const hub = await startHub({ autoPong: false });
    cleanups.push(hub.close);
    const l = link(hub.url, { heartbeatMs: 30 });
    await waitStatus(l, 'online');
    await waitStatus(l, 'offline');
    await waitStatus(l, 'online');
    expect(hub.conns.length).toBeGreaterThanOrEqual(2);
  });

  it('redials when the hub never says welcome', async () => {
    const hub = await startHub({ autoWelcome: false });
    cleanups.push(hub.close);
    link(hub.url, { welcomeTimeoutMs: 30 });
    await hub.until(() => hub.conns.length >= 2 && hub.conns[1]!.frames.length === 1);
    expect(hub.conns[1]!.frames[0]).toMatchObject({ type: 'kiosk.auth' });
  });

  it('close() stops redialling and is idempotent', async () => {
    const hub = await startHub();
    cleanups.push(hub.close);
    const l = createHubLink({ url: hub.url, kioskId: 'kiosk-1', secret: SECRET, initialBackoffMs: 5 });
    await waitStatus(l, 'online');
    await l.close();
    await l.close();
    expect(l.status).toBe('offline');
    await new Promise((r) => setTimeout(r, 50));
    expect(hub.conns.length).toBe(1);
  });
});

/** Delays of the retries the link scheduled, in order (its 'hub-link retry scheduled' log lines). */
function retryDelays(log: ReturnType<typeof memoryLogger>): number[] {
  return log.lines.filter((x) => x.msg === 'hub-link retry scheduled').map((x) => Number((x.fields as { delayMs?: number }).delayMs));
}
