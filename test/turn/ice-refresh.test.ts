// The booth's side of short-lived TURN credentials: its hub link (main/services/hub-link.ts) keeps
// the credential from `welcome`, then each fresher one the hub pushes in `ice.servers`, so the next
// call's peer (the renderer asks `hub.iceServers`) never starts with an expired one.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHubLink, type HubLink } from '../../main/services/hub-link';
import { createKiosk } from '../../server/accounts';
import { createHub, type Hub } from '../../server/hub';

const SECRET = 'turn-secret-for-tests-0123456789';
// The booth's own timers stay real (captured before any faking): its heartbeat must not fire 13 times
// in one advance and drop the socket.
const realInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;
const boothTimers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn: () => void, ms: number) => realInterval(fn, ms),
  clearInterval: (h: unknown) => realClearInterval(h as ReturnType<typeof setInterval>),
};
const open: (Hub | HubLink)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const o of open.splice(0).reverse()) await o.close();
});

const online = (l: HubLink) =>
  new Promise<void>((resolve) => {
    if (l.status === 'online') return resolve();
    const off = l.onStatus((s) => {
      if (s === 'online') {
        off();
        resolve();
      }
    });
  });

describe('booth hub link and TURN credentials', () => {
  it('holds the welcome credential, then the one each ice.servers frame brings', async () => {
    // Only the hub's refresh interval is faked; sockets keep real I/O, the heartbeat is pushed out of the way.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = 1_800_000_000_000;
    const hub = await createHub({ dbPath: ':memory:', now: () => now, heartbeatMs: 2_000_000_000, turn: { secret: SECRET, urls: ['turn:turn.example:3478'], ttlSeconds: 600 } });
    open.push(hub);
    const { secret } = await createKiosk(hub.db, { kioskId: 'K1', name: 'Kiosque 1', office: 'Québec' });
    const link = createHubLink({ url: hub.wsUrl, kioskId: 'K1', secret, timers: boothTimers });
    open.push(link);
    await online(link);
    const first = link.iceServers[0]?.username;
    expect(first).toBe(`${now / 1000 + 600}:kiosk-K1`);
    const pushed = new Promise<void>((resolve) => {
      const off = link.onMessage((f) => {
        if (f.type === 'ice.servers') {
          off();
          resolve();
        }
      });
    });
    now += 200_000;
    vi.advanceTimersByTime(200_000);
    await pushed;
    expect(link.iceServers[0]?.username).toBe(`${now / 1000 + 600}:kiosk-K1`);
    expect(link.status).toBe('online');
  });
});
