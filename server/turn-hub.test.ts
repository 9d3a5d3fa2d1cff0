// The hub hands each party its own short-lived TURN credential in `welcome` and renews it with
// `ice.servers` before it expires; a real coturn accepts what the hub handed out.
import { createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKiosk } from './accounts';
import { createHub, type Hub } from './hub';
import { HubTestClient } from './test-client';
import { startCoturn, type Coturn } from '../test/support/coturn';

const open: { close?(): unknown; stop?(): unknown }[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const o of open.splice(0).reverse()) await (o.close ?? o.stop)?.call(o);
});

const SECRET = 'turn-secret-for-tests-0123456789';

async function kiosk(hub: Hub, kioskId: string, secret: string): Promise<{ c: HubTestClient; welcome: { iceServers: { urls: string | string[]; username?: string; credential?: string }[] } }> {
  const c = await HubTestClient.connect(hub.wsUrl);
  open.push(c);
  c.send({ type: 'kiosk.auth', v: 1, kioskId, secret });
  const welcome = await c.next('welcome');
  await c.next('catalog');
  return { c, welcome };
}

describe('hub: TURN credentials', () => {
  it('gives each party its own credential in welcome, after the STUN list, and never a static password', async () => {
    const now = 1_800_000_000_000;
    const hub = await createHub({ dbPath: ':memory:', now: () => now, iceServers: [{ urls: 'stun:turn.example:3478' }], turn: { secret: SECRET, urls: ['turn:turn.example:3478', 'turns:turn.example:443?transport=tcp'], ttlSeconds: 3600 } });
    open.push(hub);
    const { secret } = await createKiosk(hub.db, { kioskId: 'K1', name: 'Kiosque 1', office: 'Québec' });
    const { welcome } = await kiosk(hub, 'K1', secret);
    expect(welcome.iceServers[0]).toEqual({ urls: 'stun:turn.example:3478' });
    const relay = welcome.iceServers[1]!;
    expect(relay.urls).toEqual(['turn:turn.example:3478', 'turns:turn.example:443?transport=tcp']);
    expect(relay.username).toBe(`${now / 1000 + 3600}:kiosk-K1`);
    expect(relay.credential).toBe(createHmac('sha1', SECRET).update(relay.username!).digest('base64'));
  });

  it('pushes fresh credentials to every connected party every third of the TTL', async () => {
    // Only setInterval is faked: sockets and fastify keep real I/O; the heartbeat is pushed out of the way.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = 1_800_000_000_000;
    const hub = await createHub({ dbPath: ':memory:', now: () => now, heartbeatMs: 2_000_000_000, turn: { secret: SECRET, urls: ['turn:turn.example:3478'], ttlSeconds: 900 } });
    open.push(hub);
    const a = await createKiosk(hub.db, { kioskId: 'K1', name: 'Kiosque 1', office: 'Québec' });
    const b = await createKiosk(hub.db, { kioskId: 'K2', name: 'Kiosque 2', office: 'Lévis' });
    const k1 = await kiosk(hub, 'K1', a.secret);
    const k2 = await kiosk(hub, 'K2', b.secret);
    now += 300_000;
    vi.advanceTimersByTime(300_000);
    const f1 = await k1.c.next('ice.servers');
    const f2 = await k2.c.next('ice.servers');
    expect(f1.iceServers[0]?.username).toBe(`${now / 1000 + 900}:kiosk-K1`);
    expect(f2.iceServers[0]?.username).toBe(`${now / 1000 + 900}:kiosk-K2`);
    expect(f1.iceServers[0]?.username).not.toBe(k1.welcome.iceServers[0]?.username);
  });

  it('without a turn section, hands out the fixed list', async () => {
    const hub = await createHub({ dbPath: ':memory:', iceServers: [{ urls: 'stun:stun.example:3478' }] });
    open.push(hub);
    const a = await createKiosk(hub.db, { kioskId: 'K1', name: 'Kiosque 1', office: 'Québec' });
    const { welcome } = await kiosk(hub, 'K1', a.secret);
    expect(welcome.iceServers).toEqual([{ urls: 'stun:stun.example:3478' }]);
  });

  it('hands out a credential a real coturn accepts', async () => {
    const coturn: Coturn = await startCoturn({ allowLoopbackPeers: true });
    open.push(coturn);
    const hub = await createHub({ dbPath: ':memory:', turn: { secret: coturn.secret, urls: [`turn:${coturn.ip}:${coturn.port}`], ttlSeconds: 600 } });
    open.push(hub);
    const a = await createKiosk(hub.db, { kioskId: 'K1', name: 'Kiosque 1', office: 'Québec' });
    const { welcome } = await kiosk(hub, 'K1', a.secret);
    const relay = welcome.iceServers[0]!;
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile('turnutils_uclient', ['-y', '-n', '2', '-l', '40', '-p', String(coturn.port), '-u', relay.username!, '-w', relay.credential!, coturn.ip], { timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` }));
    });
    expect(r.code, r.out.slice(-1500)).toBe(0);
  }, 60_000);
});
