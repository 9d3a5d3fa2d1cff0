import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { kioskAuthMessage, type HubChallenge } from '../common/protocol';
import { registerKioskKey } from './accounts';
import { createHub, type Hub } from './hub';
import type { HubSockets } from './sockets';
import { HubTestClient } from './test-client';

// What the socket layer keeps per connection decides how many booths one hub holds: these tests
// count it, so a change that keeps something alive per booth (or after a booth leaves) fails here.
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function boothOnline(hub: Hub, kioskId: string, key: ReturnType<typeof generateKeyPairSync>['privateKey']): Promise<HubTestClient> {
  const c = await HubTestClient.connect(hub.wsUrl);
  open.push(c);
  c.send({ type: 'kiosk.hello', v: 1, kioskId });
  const { nonce } = (await c.next()) as unknown as HubChallenge;
  c.send({ type: 'kiosk.prove', v: 1, kioskId, signature: sign(null, Buffer.from(kioskAuthMessage(kioskId, new URL(hub.url).host, nonce)), key).toString('base64url') });
  await c.next('welcome');
  return c;
}

/** Sizes of every per-connection structure of the socket layer and the dispatcher. */
function counted(hub: Hub, sockets: HubSockets): Record<string, number> {
  const wss = (hub.app as unknown as { websocketServer: { clients: Set<unknown> } }).websocketServer;
  return { wsClients: wss.clients.size, ...sockets.sizes(), dispatcherKiosks: collections(hub.dispatcher).kiosks ?? NaN };
}

/** Size of every Map, Set and array an object holds directly (private fields included). */
function collections(o: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v instanceof Map || v instanceof Set) out[k] = v.size;
    else if (Array.isArray(v)) out[k] = v.length;
  }
  return out;
}

/** The socket layer behind a hub, found through one of its accepted sockets (createHub does not expose it). */
function socketLayerOf(hub: Hub): HubSockets {
  const [ws] = [...(hub.app as unknown as { websocketServer: { clients: Set<object> } }).websocketServer.clients];
  const sym = Object.getOwnPropertySymbols(ws).find((s) => s.description === 'hub');
  return (ws as Record<symbol, HubSockets>)[sym!]!;
}

describe('socket layer: what a connection costs and leaves behind', () => {
  it('keeps nothing of the upgrade request per booth: one error listener (ours), no HTTP response on the TCP socket', async () => {
    const hub = await createHub({ dbPath: ':memory:' });
    open.push(hub);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    registerKioskKey(hub.db, { kioskId: 'qc-01', publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    await boothOnline(hub, 'qc-01', privateKey);
    const [server] = [...(hub.app as unknown as { websocketServer: { clients: Set<{ listenerCount(e: string): number; _socket: { _httpMessage: unknown } }> } }).websocketServer.clients];
    expect(server).toBeDefined();
    // Upgrades bypass fastify (server/ws-upgrade.ts): no listener closing over a request or reply,
    // no HTTP response left attached to the TCP socket.
    expect(server!.listenerCount('error')).toBe(1);
    expect(server!._socket._httpMessage ?? null).toBeNull();
  });

  it('answers an upgrade on any other path with 404 and a protocol error code, and keeps serving /ws', async () => {
    const hub = await createHub({ dbPath: ':memory:' });
    open.push(hub);
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(hub.wsUrl.replace(/\/ws$/, '/elsewhere'));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => reject(new Error('upgraded on /elsewhere')));
      ws.on('error', () => {});
    });
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'not_found' });
    const c = await HubTestClient.connect(hub.wsUrl);
    open.push(c);
    c.send({ type: 'ping', t: 1 });
    expect((await c.next('error')).code).toBe('unauthorized');
  });

  it('after 30 booths connect, reconnect and leave, every per-connection structure is empty again', async () => {
    const hub = await createHub({ dbPath: ':memory:' });
    open.push(hub);
    const booths = Array.from({ length: 30 }, (_, i) => ({ id: `qc-${i}`, ...generateKeyPairSync('ed25519') }));
    for (const b of booths) registerKioskKey(hub.db, { kioskId: b.id, publicKey: b.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const first = await Promise.all(booths.map((b) => boothOnline(hub, b.id, b.privateKey)));
    const layer = socketLayerOf(hub);
    // Each booth reconnects: the newer socket replaces the older one.
    const second = await Promise.all(booths.map((b) => boothOnline(hub, b.id, b.privateKey)));
    await Promise.all(first.map((c) => c.waitClosed()));
    expect(counted(hub, layer)).toMatchObject({ conns: 30, byPrincipal: 30, unauthenticated: 0, dispatcherKiosks: 30 });
    for (const c of second) c.close();
    // A socket that never authenticates leaves nothing either once it goes.
    const idle = await HubTestClient.connect(hub.wsUrl);
    idle.close();
    await vi.waitFor(() => expect(counted(hub, layer)).toEqual({ wsClients: 0, conns: 0, byPrincipal: 0, unauthenticated: 0, dispatcherKiosks: 0 }), { timeout: 5_000 });
  });
});
