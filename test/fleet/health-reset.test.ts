// Kiosk main services against a real hub on loopback: the health report reaches the fleet view,
// and a visit reset in main (renderer reload / crash) never leaves a ghost call at the hub.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispatchBridgeCall } from '../../common/bridge/dispatch';
import { KioskPublicConfig } from '../../common/config';
import { KioskListResponse, type HubToKiosk } from '../../common/protocol';
import { composeKiosk } from '../../main/compose';
import type { KioskCore } from '../../main/services/core';
import { createAgent, createHub, createKiosk, type Hub } from '../../server/hub';
import { HubTestClient } from '../../server/test-client';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stack(): Promise<{ hub: Hub; core: KioskCore; token: string; password: string; frames: HubToKiosk[] }> {
  const hub = await createHub({ dbPath: ':memory:', ringTimeoutMs: 30_000 });
  cleanups.push(() => hub.close());
  const { password } = await createAgent(hub.db, { username: 'marie', displayName: 'Marie' });
  const { secret } = await createKiosk(hub.db, { kioskId: 'qc-01', name: 'Kiosque 1', office: 'Québec' });
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-fleet-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = { public: KioskPublicConfig.parse({ simulation: true }), hubUrl: hub.wsUrl, kioskId: 'qc-01', kioskSecret: secret, dataDir, devMode: false };
  const core = await composeKiosk({ config, hardware: 'simulated', health: { intervalMs: 100, appVersion: '1.2.3' } });
  cleanups.push(() => core.close());
  const frames: HubToKiosk[] = [];
  core.subscribe((event, payload) => event === 'hub.message' && frames.push(payload[0] as HubToKiosk));
  await vi.waitFor(() => expect(core.hubLink.status).toBe('online'), { timeout: 10_000 });
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'marie', password }) });
  const token = ((await res.json()) as { token: string }).token;
  return { hub, core, token, password, frames };
}

const request = (core: KioskCore, requestId: string) => dispatchBridgeCall(core.handlers, 'hub.send', [{ type: 'call.request', requestId, service: 'emploi', language: 'fr' }]);

describe('kiosk health at the hub', () => {
  it('main reports hub link, devices, screen, outbox, version and uptime; GET /api/kiosks lists it online', async () => {
    const { hub, core, token } = await stack();
    await dispatchBridgeCall(core.handlers, 'hardware.sim.control', [{ action: 'disconnect', device: 'scanner' }]);
    await vi.waitFor(
      async () => {
        const res = await fetch(`${hub.url}/api/kiosks`, { headers: { authorization: `Bearer ${token}` } });
        const [k] = KioskListResponse.parse(await res.json()).kiosks;
        expect(k).toMatchObject({
          kioskId: 'qc-01',
          online: true,
          health: {
            appVersion: '1.2.3',
            hubLink: 'online',
            devices: { handset: { status: 'connected', ok: true }, scanner: { status: 'absent' } },
            screen: { method: 'simulated', ok: true },
            outbox: { depth: expect.any(Number), lastSync: expect.anything() },
          },
        });
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});

describe('reset hygiene against a real hub', () => {
  it('a reset while queued cancels the call, so the next call.request is queued (not conflict)', async () => {
    const { hub, core, frames } = await stack();
    await dispatchBridgeCall(core.handlers, 'session.phase', ['visit']);
    expect(await request(core, 'r1')).toEqual({ ok: true, value: null });
    await vi.waitFor(() => expect(frames.some((f) => f.type === 'call.queued' && f.requestId === 'r1')).toBe(true));
    expect(Object.values(hub.dispatcher.snapshot().queues).flat()).toHaveLength(1);

    core.resetVisit('renderer_gone'); // what the browser runtime does when the page goes away mid-visit
    await vi.waitFor(() => expect(frames.some((f) => f.type === 'call.ended' && f.reason === 'cancelled')).toBe(true));
    expect(Object.values(hub.dispatcher.snapshot().queues).flat()).toHaveLength(0);

    await dispatchBridgeCall(core.handlers, 'session.phase', ['visit']);
    await request(core, 'r2');
    await vi.waitFor(() => expect(frames.some((f) => f.type === 'call.queued' && f.requestId === 'r2')).toBe(true));
    expect(frames.some((f) => f.type === 'error' && f.code === 'conflict')).toBe(false);
  });

  it('a reloaded page (phase attract) in a connected call ends it for the agent', async () => {
    const { hub, core, token, frames } = await stack();
    const agent = await HubTestClient.connect(hub.wsUrl);
    cleanups.push(() => agent.close());
    agent.send({ type: 'agent.auth', v: 1, token });
    await agent.next('welcome');
    agent.send({ type: 'agent.status', status: 'available' });
    await dispatchBridgeCall(core.handlers, 'session.phase', ['visit']);
    await request(core, 'r1');
    const ring = await agent.next('call.ring');
    agent.send({ type: 'call.accept', callId: ring.callId });
    await agent.next('call.connected');
    await vi.waitFor(() => expect(frames.some((f) => f.type === 'call.accepted')).toBe(true));
    await dispatchBridgeCall(core.handlers, 'session.phase', ['call']);

    // The page reloaded: the new page starts at attract without knowing the old call.
    await dispatchBridgeCall(core.handlers, 'session.phase', ['attract']);
    expect(await agent.next('call.ended')).toEqual({ type: 'call.ended', callId: ring.callId, reason: 'peer_lost' });
    expect(hub.dispatcher.snapshot().connected).toEqual([]);
  });
});
