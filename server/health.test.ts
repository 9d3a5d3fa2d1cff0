import { afterEach, describe, expect, it, vi } from 'vitest';
import { migrate } from '../common/db/migrate';
import { KioskListResponse, type KioskHealthSnapshot } from '../common/protocol';
import { createAgent, createKiosk } from './accounts';
import { migrations } from './db/migrations';
import { HubStore, openHubDb } from './db/store';
import { KioskHealthStore } from './health';
import { createHub, type Hub } from './hub';
import { HubTestClient } from './test-client';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

const snapshot = (over: Partial<KioskHealthSnapshot> = {}): KioskHealthSnapshot => ({
  at: 1_700_000_000_000,
  appVersion: '0.1.0',
  uptimeSeconds: 42,
  hubLink: 'online',
  phase: 'attract',
  ok: false,
  problems: ['statusLight:write_failed'],
  devices: { statusLight: { status: 'failed', ok: false, profileId: 'kuando-busylight', error: { code: 'write_failed', message: 'EIO' }, malformedReports: 0, reopenCount: 2 } },
  camera: { verdict: 'ok', ok: true, at: 1_699_999_999_000, meanLuma: 110, deviceLabel: 'Logitech C920' },
  screen: { on: true, reason: 'open_hours', method: 'simulated', ok: true, error: null },
  media: null,
  outbox: { depth: 3, oldestAgeMs: 5000, full: false, rejected: 0, lastSync: { at: 1_699_999_998_000, ok: false, acked: 0, rejected: 0, error: 'hub_unreachable' } },
  ...over,
});

async function startHub(): Promise<{ hub: Hub; token: string; secret: string }> {
  const hub = await createHub({ dbPath: ':memory:' });
  open.push(hub);
  const { password } = await createAgent(hub.db, { username: 'tech', displayName: 'Technicien' });
  const { secret } = await createKiosk(hub.db, { kioskId: 'kiosk-1', name: 'Kiosque 1', office: 'Bureau de Québec' });
  await createKiosk(hub.db, { kioskId: 'kiosk-2', name: 'Kiosque 2', office: 'Bureau de Lévis' });
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tech', password }) });
  const token = String(((await res.json()) as { token: string }).token);
  return { hub, token, secret };
}

async function kiosks(hub: Hub, token: string) {
  const res = await fetch(`${hub.url}/api/kiosks`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return KioskListResponse.parse(await res.json()).kiosks;
}

describe('hub fleet health', () => {
  it('keeps the latest kiosk.health per kiosk and lists kiosks with online / last seen / health', async () => {
    const { hub, token, secret } = await startHub();
    const before = await kiosks(hub, token);
    expect(before.map((k) => [k.kioskId, k.online, k.lastSeenAt, k.health])).toEqual([
      ['kiosk-1', false, null, null],
      ['kiosk-2', false, null, null],
    ]);

    const kiosk = await HubTestClient.connect(hub.wsUrl);
    open.push(kiosk);
    kiosk.send({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret });
    await kiosk.next('welcome');
    kiosk.send({ type: 'kiosk.health', health: snapshot() });
    kiosk.send({ type: 'kiosk.health', health: snapshot({ uptimeSeconds: 102, ok: true, problems: [] }) });
    kiosk.send({ type: 'ping', t: 1 });
    await kiosk.next('pong'); // frames are handled in order: both reports are stored

    const [k1, k2] = await kiosks(hub, token);
    expect(k1).toMatchObject({ kioskId: 'kiosk-1', name: 'Kiosque 1', online: true, ok: true, health: { uptimeSeconds: 102, problems: [] } });
    expect(k1!.lastSeenAt).toEqual(expect.any(Number));
    expect(k1!.healthAt).toEqual(expect.any(Number));
    expect(k2).toMatchObject({ online: false, health: null, ok: false });

    kiosk.socket.close();
    await vi.waitFor(async () => expect((await kiosks(hub, token))[0]).toMatchObject({ online: false, ok: false, health: { uptimeSeconds: 102 } }));
    const after = (await kiosks(hub, token))[0]!;
    expect(after.disconnectedAt).toEqual(expect.any(Number));
  });

  it('refuses an invalid health frame with invalid_message and keeps the previous one', async () => {
    const { hub, token, secret } = await startHub();
    const kiosk = await HubTestClient.connect(hub.wsUrl);
    open.push(kiosk);
    kiosk.send({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret });
    await kiosk.next('welcome');
    kiosk.send({ type: 'kiosk.health', health: snapshot() });
    kiosk.send({ type: 'kiosk.health', health: { ...snapshot(), problems: 'all good' } } as Record<string, unknown>);
    expect(await kiosk.next('error')).toMatchObject({ code: 'invalid_message', ref: 'kiosk.health' });
    expect((await kiosks(hub, token))[0]).toMatchObject({ online: true, ok: false, health: { problems: ['statusLight:write_failed'] } });
  });

  it('an agent cannot send kiosk.health (forbidden) and GET /api/kiosks needs an agent token', async () => {
    const { hub, token } = await startHub();
    const agent = await HubTestClient.connect(hub.wsUrl);
    open.push(agent);
    agent.send({ type: 'agent.auth', v: 1, token });
    await agent.next('welcome');
    agent.send({ type: 'kiosk.health', health: snapshot() });
    expect(await agent.next('error')).toMatchObject({ code: 'forbidden' });

    expect((await fetch(`${hub.url}/api/kiosks`)).status).toBe(401);
    const bad = await fetch(`${hub.url}/api/kiosks`, { headers: { authorization: 'Bearer not-a-valid-token' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ code: 'unauthorized', message: 'agent token required' });
  });
});

describe('kiosk_health migration and store', () => {
  it('migrates an existing v2 hub database and survives a snapshot the current schema refuses', () => {
    const db = openHubDb(':memory:', migrations.slice(0, 2));
    expect(migrate(db, migrations)).toEqual({ from: 2, to: migrations.length });
    const store = new HubStore(db);
    store.insertKiosk({ kioskId: 'k', name: 'K', office: 'O', secretHash: 'x', disabled: false, createdAt: 1 });
    const health = new KioskHealthStore(db);
    health.connected('k', 10);
    health.seen('k', 20);
    health.report('k', snapshot(), 30);
    db.prepare("UPDATE kiosk_health SET health = '{\"from\":\"an older build\"}'").run();
    const [item] = health.list(store, new Set(['k'])).kiosks;
    expect(item).toMatchObject({ kioskId: 'k', online: true, lastSeenAt: 30, connectedAt: 10, health: null, healthAt: null, ok: false });
    health.disconnected('k', 40);
    expect(health.list(store, new Set()).kiosks[0]).toMatchObject({ online: false, lastSeenAt: 40, disconnectedAt: 40 });
    db.close();
  });
});
