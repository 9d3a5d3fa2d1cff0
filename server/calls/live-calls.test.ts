// Connected calls outlive the hub process: stored at accept, restored at start, re-attached when each
// party reconnects (kiosk with its secret, agent with its token), signaling relayed again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, createKiosk } from '../accounts';
import { openHubDb } from '../db/store';
import { migrations } from '../db/migrations';
import { createHub, type Hub } from '../hub';
import { HubTestClient } from '../test-client';
import { LiveCallStore } from './live-store';

const open: { close(): unknown }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const context = { service: 'emploi', language: 'fr' as const, kioskName: 'Kiosque 1', office: 'Bureau de Québec' };

describe('live call store', () => {
  it('keeps a call from accept to end; an unreadable row is dropped and reported, never restored', () => {
    const db = openHubDb(':memory:', migrations);
    const store = new LiveCallStore(db);
    store.saved({ callId: 'c1', kioskId: 'k1', agentId: 'a1', agentName: 'Alice', context, requestedAt: 1, acceptedAt: 2 });
    store.saved({ callId: 'c2', kioskId: 'k2', agentId: 'a2', agentName: 'Bob', context: { ...context, attempt: 2 }, requestedAt: 3, acceptedAt: 4 });
    expect(store.load().calls.map((c) => [c.callId, c.context.attempt])).toEqual([['c1', undefined], ['c2', 2]]);
    store.removed('c1');
    db.prepare("UPDATE live_calls SET context = '{\"service\":\"\"}' WHERE call_id = 'c2'").run();
    expect(store.load()).toEqual({ calls: [], skipped: [{ callId: 'c2', reason: 'unreadable context' }] });
    expect(store.count()).toBe(0);
    db.close();
  });
});

describe('hub restart mid-call', () => {
  async function agentIn(hub: Hub, token: string): Promise<HubTestClient> {
    const c = await HubTestClient.connect(hub.wsUrl);
    open.push(c);
    c.send({ type: 'agent.auth', v: 1, token });
    await c.next('welcome');
    return c;
  }
  async function kioskIn(hub: Hub, secret: string): Promise<HubTestClient> {
    const c = await HubTestClient.connect(hub.wsUrl);
    open.push(c);
    c.send({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret });
    await c.next('welcome');
    return c;
  }

  it('a restarted hub re-attaches both parties to the same call and relays their signals again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-live-'));
    dirs.push(dir);
    const dbPath = join(dir, 'hub.sqlite');
    const hub1 = await createHub({ dbPath });
    const { password } = await createAgent(hub1.db, { username: 'alice', displayName: 'Agent Alice' });
    const { secret } = await createKiosk(hub1.db, { kioskId: 'kiosk-1', name: 'Kiosque 1', office: 'Bureau de Québec' });
    const res = await fetch(`${hub1.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password }) });
    const token = String(((await res.json()) as { token: string }).token);

    const agent = await agentIn(hub1, token);
    agent.send({ type: 'agent.status', status: 'available' });
    const kiosk = await kioskIn(hub1, secret);
    kiosk.send({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    const ring = await agent.next('call.ring');
    agent.send({ type: 'call.accept', callId: ring.callId });
    await kiosk.next('call.accepted');
    await agent.next('call.connected');
    await hub1.close();

    const hub2 = await createHub({ dbPath });
    open.push(hub2);
    expect(hub2.dispatcher.snapshot().connected).toEqual([ring.callId]);
    const agent2 = await agentIn(hub2, token);
    expect(await agent2.next('call.resume')).toEqual({ type: 'call.resume', callId: ring.callId, context: expect.objectContaining({ service: 'emploi', language: 'fr' }) });
    // The agent's ICE restart offer, sent before the kiosk is back: held for it.
    agent2.send({ type: 'signal', callId: ring.callId, data: { type: 'offer', sdp: 'v=0 restart' } });
    const kiosk2 = await kioskIn(hub2, secret);
    expect(await kiosk2.next('call.resume')).toEqual({ type: 'call.resume', callId: ring.callId, agentName: 'Agent Alice' });
    expect(await kiosk2.next('signal')).toEqual({ type: 'signal', callId: ring.callId, data: { type: 'offer', sdp: 'v=0 restart' } });
    kiosk2.send({ type: 'signal', callId: ring.callId, data: { type: 'answer', sdp: 'v=0' } });
    expect(await agent2.next('signal')).toEqual({ type: 'signal', callId: ring.callId, data: { type: 'answer', sdp: 'v=0' } });
    kiosk2.send({ type: 'call.end', callId: ring.callId, reason: 'kiosk_hangup' });
    expect(await agent2.next('call.ended')).toEqual({ type: 'call.ended', callId: ring.callId, reason: 'kiosk_hangup' });
    expect(new LiveCallStore(hub2.db.db).count()).toBe(0);
  });
});
