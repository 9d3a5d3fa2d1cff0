// Central configuration end to end: a real hub (its config API and push) and a booth's real main
// services (hub link, live config, bridge handlers), on loopback. The visit phases are what the
// renderer reports over the bridge.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { KioskPublicConfig } from '../../common/config';
import { createKioskCore, type KioskCore } from '../../main/services/core';
import { createAgent, createKiosk } from '../../server/accounts';
import { createHub, type Hub } from '../../server/hub';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-cfg-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

const base = KioskPublicConfig.parse({ kioskName: 'Kiosque 7', tollFree: '1 877 644-4545', simulation: true });

describe('a change at the hub reaches a connected booth (real hub, the booth main services)', () => {
  async function setup(): Promise<{ hub: Hub; core: KioskCore; events: string[]; put: (doc: unknown) => Promise<Response>; dataDir: string; secret: string }> {
    const hub = await createHub({ dbPath: ':memory:', configPollMs: 50 });
    open.push(hub);
    const { password } = await createAgent(hub.db, { username: 'tech', displayName: 'Tech', role: 'technician' });
    const { secret } = await createKiosk(hub.db, { kioskId: 'kiosk-7', name: 'Kiosque 7', office: 'Trois-Rivières' });
    const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tech', password }) });
    const token = String(((await login.json()) as { token: string }).token);
    const dataDir = tmp();
    const core = createKioskCore({ config: { public: base, hubUrl: hub.wsUrl, kioskId: 'kiosk-7', kioskSecret: secret, dataDir, devMode: false } });
    open.push(core);
    const events: string[] = [];
    core.subscribe((event, payload) => {
      if (event === 'config.changed') events.push(String(payload[0]));
    });
    await until(() => core.hubLink.status === 'online');
    const put = (doc: unknown) =>
      fetch(`${hub.url}/api/config/${encodeURIComponent('office:Trois-Rivières')}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ config: doc }) });
    return { hub, core, events, put, dataDir, secret };
  }

  it('is applied at once when the booth is idle, after the visit when one is in progress, and a bad value never reaches it', async () => {
    const { core, events, put } = await setup();
    const config = async () => {
      const r = await core.handlers['config.get']();
      return r as KioskPublicConfig;
    };
    expect((await put({ services: [{ id: 'emploi', label: { fr: 'Emploi', en: 'Employment' } }] })).status).toBe(200);
    await until(() => events.length === 1);
    expect((await config()).services.map((s) => s.id)).toEqual(['emploi']);

    // A citizen starts a visit; the office changes its toll-free number meanwhile.
    await core.handlers['session.phase']('visit');
    await put({ services: [{ id: 'emploi', label: { fr: 'Emploi', en: 'Employment' } }], tollFree: '1 800 222-3333' });
    await until(() => core.config.pending() !== undefined);
    expect((await config()).tollFree).toBe('1 877 644-4545');
    await core.handlers['session.phase']('call');
    expect((await config()).tollFree).toBe('1 877 644-4545');
    expect(events).toHaveLength(1);
    // The visit ends: applied, and the renderer is told.
    await core.handlers['session.phase']('attract');
    expect((await config()).tollFree).toBe('1 800 222-3333');
    expect(events).toHaveLength(2);

    // A bad value is refused at the hub and never reaches the booth.
    const bad = await put({ timers: { idleMs: 0 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { field: string }).field).toBe('timers.idleMs');
    expect((await config()).timers.idleMs).toBe(base.timers.idleMs);
  });

  it('a booth that was off while the config changed gets it at reconnection, and starts from its last good config', async () => {
    const { hub, core, events, put, dataDir, secret } = await setup();
    await put({ tollFree: '1 800 444-5555' });
    await until(() => events.length === 1);
    await core.close();
    await put({ tollFree: '1 800 666-7777' });
    // Restarted booth: the config on disk first, then the hub's newer one.
    const restarted = createKioskCore({ config: { public: base, hubUrl: hub.wsUrl, kioskId: 'kiosk-7', kioskSecret: secret, dataDir, devMode: false } });
    open.push(restarted);
    expect(restarted.config.current().tollFree).toBe('1 800 444-5555');
    await until(() => restarted.config.current().tollFree === '1 800 666-7777');
  });
});

async function until(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
