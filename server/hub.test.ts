import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, createKiosk, parseKioskAuthorization } from './accounts';
import { createHub, type Hub, type HubOptions } from './hub';
import { HubTestClient } from './test-client';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function startHub(extra: Partial<HubOptions> = {}) {
  const hub = await createHub({ dbPath: ':memory:', ...extra });
  open.push(hub);
  const agents: Record<string, string> = {};
  for (const name of ['alice', 'bob']) agents[name] = (await createAgent(hub.db, { username: name, displayName: `Agent ${name}` })).password;
  const { secret } = await createKiosk(hub.db, { kioskId: 'kiosk-1', name: 'Kiosque 1', office: 'Bureau de Québec' });
  const { secret: secret2 } = await createKiosk(hub.db, { kioskId: 'kiosk-2', name: 'Kiosque 2', office: 'Bureau de Lévis' });
  return { hub, agents, kioskSecrets: { 'kiosk-1': secret, 'kiosk-2': secret2 } as Record<string, string> };
}

async function login(hub: Hub, username: string, password: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function client(hub: Hub): Promise<HubTestClient> {
  const c = await HubTestClient.connect(hub.wsUrl);
  open.push(c);
  return c;
}

async function agentClient(hub: Hub, username: string, password: string, available = true): Promise<HubTestClient> {
  const { body } = await login(hub, username, password);
  const c = await client(hub);
  c.send({ type: 'agent.auth', v: 1, token: String(body.token) });
  await c.next('welcome');
  await c.next('catalog');
  await c.next('agent.state');
  if (available) {
    c.send({ type: 'agent.status', status: 'available' });
    expect(await c.next('agent.state')).toEqual({ type: 'agent.state', status: 'available' });
  }
  return c;
}

async function kioskClient(hub: Hub, kioskId: string, secret: string): Promise<HubTestClient> {
  const c = await client(hub);
  c.send({ type: 'kiosk.auth', v: 1, kioskId, secret });
  await c.next('welcome');
  await c.next('catalog');
  return c;
}

describe('hub: service catalogue', () => {
  it('sends its catalogue after welcome to both roles, and refuses a call for a service it does not know', async () => {
    const services = [{ id: 'permis', label: { fr: 'Permis', en: 'Permits' }, icon: 'info' }];
    const { hub, agents, kioskSecrets } = await startHub({ services });
    const { body } = await login(hub, 'alice', agents.alice as string);
    const agent = await client(hub);
    agent.send({ type: 'agent.auth', v: 1, token: String(body.token) });
    await agent.next('welcome');
    expect(await agent.next()).toEqual({ type: 'catalog', services });
    const kiosk = await client(hub);
    kiosk.send({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret: kioskSecrets['kiosk-1'] as string });
    await kiosk.next('welcome');
    expect(await kiosk.next()).toEqual({ type: 'catalog', services });
    kiosk.send({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    expect(await kiosk.next()).toMatchObject({ type: 'error', code: 'not_found', message: 'unknown service emploi', ref: 'call.request' });
    kiosk.send({ type: 'call.request', requestId: 'r2', service: 'permis', language: 'fr' });
    expect(await kiosk.next()).toMatchObject({ type: 'call.queued', requestId: 'r2' });
  });
});

describe('hub: a call end to end over real sockets', () => {
  it('logs in, rings with context, accepts, relays signals, ends on both sides and logs the call', async () => {
    const { hub, agents, kioskSecrets } = await startHub({ iceServers: [{ urls: 'stun:stun.example.org' }] });
    const res = await login(hub, 'alice', agents.alice as string);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Agent alice', expiresInSeconds: 8 * 3600 });

    const kiosk = await client(hub);
    kiosk.send({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret: kioskSecrets['kiosk-1'] as string });
    expect(await kiosk.next()).toEqual({ type: 'welcome', v: 1, role: 'kiosk', name: 'Kiosque 1', iceServers: [{ urls: 'stun:stun.example.org' }] });
    const agent = await agentClient(hub, 'alice', agents.alice as string);

    kiosk.send({ type: 'call.request', requestId: 'req-1', service: 'emploi', language: 'fr', appointmentCode: 'ABC123' });
    const queued = await kiosk.next('call.queued');
    expect(queued).toMatchObject({ requestId: 'req-1', position: 1 });
    const ring = await agent.next('call.ring');
    expect(ring).toEqual({ type: 'call.ring', callId: queued.callId, timeoutMs: 20_000, context: { service: 'emploi', language: 'fr', appointmentCode: 'ABC123', kioskName: 'Kiosque 1', office: 'Bureau de Québec' } });

    agent.send({ type: 'call.accept', callId: ring.callId });
    expect(await kiosk.next('call.accepted')).toEqual({ type: 'call.accepted', callId: ring.callId, agentName: 'Agent alice' });
    expect(await agent.next('call.connected')).toMatchObject({ callId: ring.callId });

    agent.send({ type: 'signal', callId: ring.callId, data: { type: 'offer', sdp: 'v=0' } });
    expect(await kiosk.next('signal')).toEqual({ type: 'signal', callId: ring.callId, data: { type: 'offer', sdp: 'v=0' } });
    kiosk.send({ type: 'signal', callId: ring.callId, data: { type: 'answer', sdp: 'v=0' } });
    expect(await agent.next('signal')).toEqual({ type: 'signal', callId: ring.callId, data: { type: 'answer', sdp: 'v=0' } });

    kiosk.send({ type: 'call.end', callId: ring.callId, reason: 'kiosk_hangup' });
    expect(await kiosk.next('call.ended')).toEqual({ type: 'call.ended', callId: ring.callId, reason: 'kiosk_hangup' });
    expect(await agent.next('call.ended')).toEqual({ type: 'call.ended', callId: ring.callId, reason: 'kiosk_hangup' });
    expect(await agent.next('agent.state')).toEqual({ type: 'agent.state', status: 'available' });

    const row = hub.db.call(ring.callId);
    expect(row).toMatchObject({ kioskId: 'kiosk-1', service: 'emploi', language: 'fr', hasAppointment: true, outcome: 'kiosk_hangup' });
    expect(row?.agentId).toBe(hub.db.agentByUsername('alice')?.id);
    expect(row?.waitMs).toBeGreaterThanOrEqual(0);
    expect(row?.durationMs).toBeGreaterThanOrEqual(0);
    const health = (await (await fetch(`${hub.url}/api/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, waiting: 0, inCall: 0, agents: { available: 1 } });
  });

  it('a ring that times out moves to the next agent', async () => {
    const { hub, agents, kioskSecrets } = await startHub({ ringTimeoutMs: 150 });
    const alice = await agentClient(hub, 'alice', agents.alice as string);
    const bob = await agentClient(hub, 'bob', agents.bob as string);
    const kiosk = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    kiosk.send({ type: 'call.request', requestId: 'r', service: 'emploi', language: 'fr' });
    const ring = await alice.next('call.ring'); // alice went available first → idle longest
    expect(await alice.next('call.ring.cancelled', 5000)).toEqual({ type: 'call.ring.cancelled', callId: ring.callId, reason: 'timeout' });
    expect(await bob.next('call.ring')).toMatchObject({ callId: ring.callId });
  });

  it('a decline moves to the next agent; a kiosk socket gone past the resume window ends the call with peer_lost', async () => {
    // A party that drops gets a resume window before the call ends; a short one here (the resume itself is tested in the dispatcher).
    const { hub, agents, kioskSecrets } = await startHub({ resumeWindowMs: 200 });
    const alice = await agentClient(hub, 'alice', agents.alice as string);
    const bob = await agentClient(hub, 'bob', agents.bob as string);
    const kiosk = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    kiosk.send({ type: 'call.request', requestId: 'r', service: 'emploi', language: 'fr' });
    const ring = await alice.next('call.ring');
    alice.send({ type: 'call.decline', callId: ring.callId });
    expect(await alice.next('call.ring.cancelled')).toMatchObject({ reason: 'declined' });
    await bob.next('call.ring');
    bob.send({ type: 'call.accept', callId: ring.callId });
    await bob.next('call.connected');
    kiosk.close();
    expect(await bob.next('call.ended')).toEqual({ type: 'call.ended', callId: ring.callId, reason: 'peer_lost' });
  });

  it('an agent socket dropping while rung rings the next agent; gone mid-call past the resume window ends it with peer_lost', async () => {
    const { hub, agents, kioskSecrets } = await startHub({ resumeWindowMs: 200 });
    const alice = await agentClient(hub, 'alice', agents.alice as string);
    const bob = await agentClient(hub, 'bob', agents.bob as string);
    const kiosk = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    kiosk.send({ type: 'call.request', requestId: 'r', service: 'emploi', language: 'fr' });
    const ring = await alice.next('call.ring');
    alice.socket.terminate();
    expect(await bob.next('call.ring')).toMatchObject({ callId: ring.callId });
    bob.send({ type: 'call.accept', callId: ring.callId });
    await kiosk.next('call.accepted');
    bob.close();
    expect(await kiosk.next('call.ended')).toEqual({ type: 'call.ended', callId: ring.callId, reason: 'peer_lost' });
    // The kiosk can call again at once; nobody is left to answer, so it waits.
    kiosk.send({ type: 'call.request', requestId: 'r2', service: 'emploi', language: 'fr' });
    expect(await kiosk.next('call.queued')).toMatchObject({ requestId: 'r2', position: 1 });
    expect(hub.db.call(ring.callId)).toMatchObject({ outcome: 'peer_lost', agentId: hub.db.agentByUsername('bob')?.id });
  });

  it('with no agent the call stays queued and kiosks hear their position move', async () => {
    const { hub, agents, kioskSecrets } = await startHub();
    const k1 = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    const k2 = await kioskClient(hub, 'kiosk-2', kioskSecrets['kiosk-2'] as string);
    k1.send({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    const q1 = await k1.next('call.queued');
    k2.send({ type: 'call.request', requestId: 'r2', service: 'emploi', language: 'fr' });
    expect(await k2.next('call.queued')).toMatchObject({ position: 2, estimateSeconds: 600 });
    k1.send({ type: 'call.cancel', callId: q1.callId });
    expect(await k2.next('queue.update')).toMatchObject({ position: 1, estimateSeconds: 300 });
    // An agent arriving takes it.
    const alice = await agentClient(hub, 'alice', agents.alice as string);
    await alice.next('call.ring');
  });

  it('revision 2: "no agent" instead of an estimate while nobody is staffed; an Arabic request rings with the interpreter flag', async () => {
    const { hub, agents, kioskSecrets } = await startHub();
    const k1 = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    k1.send({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr', uiLanguage: 'ar', audioOnly: true, v: 2 });
    expect(await k1.next('call.queued')).toMatchObject({ position: 1, estimateSeconds: null, noAgent: true });
    const alice = await agentClient(hub, 'alice', agents.alice as string);
    const ring = await alice.next('call.ring');
    expect(ring.context).toMatchObject({ service: 'emploi', language: 'fr', interpreter: 'ar', audioOnly: true });
    expect(await k1.next('queue.update')).toMatchObject({ position: 1, estimateSeconds: 300, noAgent: false });
  });
});

describe('hub: authentication and authorisation', () => {
  it('refuses a wrong password, an unknown user and a malformed login', async () => {
    const { hub } = await startHub();
    expect(await login(hub, 'alice', 'wrong-password')).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    expect(await login(hub, 'nobody', 'whatever-pass')).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice' }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_message' });
  });

  it('delays a username after a few failed logins (server/auth/security.test.ts: the real user still gets in)', async () => {
    const { hub, agents } = await startHub();
    for (let i = 0; i < 4; i++) expect((await login(hub, 'bob', 'bad-password')).status).toBe(401);
    expect(await login(hub, 'bob', agents.bob as string)).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
  });

  it('refuses a bad kiosk secret, an unknown kiosk and a first frame that is not auth', async () => {
    const { hub } = await startHub();
    for (const first of [
      { type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret: 'x'.repeat(32) },
      { type: 'kiosk.auth', v: 1, kioskId: 'ghost', secret: 'x'.repeat(32) },
      { type: 'call.request', requestId: 'r', service: 'emploi', language: 'fr' },
      { type: 'ping', t: 1 },
    ]) {
      const c = await client(hub);
      c.send(first);
      expect(await c.next()).toMatchObject({ type: 'error', code: 'unauthorized' });
      expect((await c.waitClosed()).code).toBe(4401);
    }
  });

  it('refuses a forged, garbage or expired agent token', async () => {
    let now = Date.parse('2026-01-05T13:00:00Z');
    const { hub, agents } = await startHub({ now: () => now });
    const forged = await createHub({ dbPath: ':memory:', jwtSecret: 'another-secret-that-is-long-enough-0123456789' });
    open.push(forged);
    await createAgent(forged.db, { username: 'alice', displayName: 'Mallory', password: 'password123' });
    const forgedToken = String((await login(forged, 'alice', 'password123')).body.token);
    const realToken = String((await login(hub, 'alice', agents.alice as string)).body.token);
    now += 8 * 3600 * 1000 + 1000; // past the shift-long lifetime
    for (const token of [forgedToken, 'not.a.jwt-at-all', realToken]) {
      const c = await client(hub);
      c.send({ type: 'agent.auth', v: 1, token });
      const err = await c.next('error');
      expect(err.code).toBe('unauthorized');
      if (token === realToken) expect(err.message).toMatch(/expired/);
      await c.waitClosed();
    }
  });

  it("closes an agent's socket when its token expires, but never in the middle of a call", async () => {
    const { hub, agents, kioskSecrets } = await startHub({ tokenTtlSeconds: 2, expiryRecheckMs: 200 });
    const alice = await agentClient(hub, 'alice', agents.alice as string);
    const bob = await agentClient(hub, 'bob', agents.bob as string, false);
    const kiosk = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    kiosk.send({ type: 'call.request', requestId: 'r', service: 'emploi', language: 'fr' });
    const ring = await alice.next('call.ring');
    alice.send({ type: 'call.accept', callId: ring.callId });
    await alice.next('call.connected');
    // Bob, idle, is sent back to his login at expiry; Alice, in a call, keeps her socket.
    expect(await bob.waitClosed(10_000)).toMatchObject({ code: 4401 });
    expect(alice.closed).toBeUndefined();
    kiosk.send({ type: 'call.end', callId: ring.callId, reason: 'kiosk_hangup' });
    await alice.next('call.ended');
    expect(await alice.waitClosed(10_000)).toMatchObject({ code: 4401 });
  });

  it('a kiosk cannot send agent messages; an agent cannot signal in a call it did not accept', async () => {
    const { hub, agents, kioskSecrets } = await startHub();
    const alice = await agentClient(hub, 'alice', agents.alice as string);
    const bob = await agentClient(hub, 'bob', agents.bob as string, false);
    const kiosk = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    const kiosk2 = await kioskClient(hub, 'kiosk-2', kioskSecrets['kiosk-2'] as string);
    kiosk.send({ type: 'call.request', requestId: 'r', service: 'emploi', language: 'fr' });
    const ring = await alice.next('call.ring');
    // A kiosk tries to take its own call, set agent status, or accept/decline.
    kiosk.send({ type: 'call.accept', callId: ring.callId });
    expect(await kiosk.next('error')).toMatchObject({ code: 'forbidden', ref: 'call.accept' });
    kiosk.send({ type: 'agent.status', status: 'available' });
    expect(await kiosk.next('error')).toMatchObject({ code: 'forbidden' });
    kiosk.send({ type: 'agent.auth', v: 1, token: 'x'.repeat(20) });
    expect(await kiosk.next('error')).toMatchObject({ code: 'forbidden' });
    // Bob (not rung) tries to accept, and both agents try to signal before/without accepting.
    bob.send({ type: 'call.accept', callId: ring.callId });
    expect(await bob.next('error')).toMatchObject({ code: 'forbidden' });
    alice.send({ type: 'signal', callId: ring.callId, data: { sdp: 'early' } });
    expect(await alice.next('error')).toMatchObject({ code: 'forbidden' });
    alice.send({ type: 'call.accept', callId: ring.callId });
    await alice.next('call.connected');
    bob.send({ type: 'signal', callId: ring.callId, data: { sdp: 'intruder' } });
    expect(await bob.next('error')).toMatchObject({ code: 'forbidden', ref: 'signal' });
    bob.send({ type: 'call.end', callId: ring.callId, reason: 'agent_hangup' });
    expect(await bob.next('error')).toMatchObject({ code: 'forbidden' });
    kiosk2.send({ type: 'signal', callId: ring.callId, data: { sdp: 'intruder' } });
    expect(await kiosk2.next('error')).toMatchObject({ code: 'forbidden' });
    // Agents cannot request calls either.
    bob.send({ type: 'call.request', requestId: 'r', service: 'emploi', language: 'fr' });
    expect(await bob.next('error')).toMatchObject({ code: 'forbidden' });
    // The kiosk saw its own call being accepted and nothing else.
    expect(await kiosk.next()).toMatchObject({ type: 'call.accepted', callId: ring.callId });
    kiosk.send({ type: 'ping', t: 7 });
    expect(await kiosk.next()).toEqual({ type: 'pong', t: 7 });
    expect(kiosk.pending()).toEqual([]);
  });

  it('a second connection with the same kiosk credentials replaces the first', async () => {
    const { hub, kioskSecrets } = await startHub();
    const first = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    expect(await first.next('error')).toMatchObject({ code: 'conflict' });
    expect((await first.waitClosed()).code).toBe(4409);
  });

  it('authenticates kiosks over HTTP for plugins (Authorization: Kiosk id:secret)', async () => {
    const { hub, kioskSecrets } = await startHub({
      plugins: [
        (app, ctx) => {
          app.get('/api/whoami', async (req, reply) => {
            const kiosk = await ctx.verifyKiosk(req.headers.authorization);
            return kiosk ? { kioskId: kiosk.kioskId } : reply.code(401).send({ code: 'unauthorized' });
          });
        },
      ],
    });
    const ask = (auth: string) => fetch(`${hub.url}/api/whoami`, { headers: { authorization: auth } }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await ask(`Kiosk kiosk-1:${kioskSecrets['kiosk-1']}`)).toEqual({ status: 200, body: { kioskId: 'kiosk-1' } });
    expect(await ask(`Kiosk kiosk-1:${kioskSecrets['kiosk-2']}`)).toMatchObject({ status: 401 });
    expect(await ask('Bearer abc')).toMatchObject({ status: 401 });
    expect(parseKioskAuthorization('Kiosk a:b:c')).toEqual({ kioskId: 'a:b', secret: 'c' });
    expect(parseKioskAuthorization('Kiosk nocolon')).toBeNull();
  });
});

describe('hub: agent console', () => {
  it('serves the built console at /agent/ with its shared assets, and redirects / there', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'vg-hub-static-'));
    open.push({ close: () => rmSync(dist, { recursive: true, force: true }) });
    mkdirSync(join(dist, 'agent'));
    mkdirSync(join(dist, 'assets'));
    mkdirSync(join(dist, 'kiosk'));
    writeFileSync(join(dist, 'agent', 'index.html'), '<!doctype html><script src="../assets/agent.js"></script>');
    writeFileSync(join(dist, 'assets', 'agent.js'), 'console.log(1)');
    writeFileSync(join(dist, 'kiosk', 'index.html'), 'kiosk');
    const { hub } = await startHub({ agentStaticDir: join(dist, 'agent') });
    const page = await fetch(`${hub.url}/agent/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('../assets/agent.js');
    expect((await fetch(`${hub.url}/assets/agent.js`)).status).toBe(200);
    expect((await fetch(`${hub.url}/kiosk/index.html`)).status).toBe(404);
    const root = await fetch(`${hub.url}/`, { redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/agent/');
  });
});

describe('hub: robustness', () => {
  it('closes a socket that sends a frame larger than maxPayload', async () => {
    const { hub, kioskSecrets } = await startHub({ maxPayloadBytes: 4096 });
    const kiosk = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    kiosk.send(JSON.stringify({ type: 'ping', t: 1, pad: 'x'.repeat(10_000) }));
    expect((await kiosk.waitClosed()).code).toBe(1009);
    // The hub still serves others.
    const again = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string);
    again.send({ type: 'ping', t: 2 });
    expect(await again.next('pong')).toEqual({ type: 'pong', t: 2 });
  });

  it('answers a flood with rate_limited errors', async () => {
    const { hub, kioskSecrets } = await startHub({ rateLimit: { burst: 5, perSecond: 0.001 } });
    const kiosk = await kioskClient(hub, 'kiosk-1', kioskSecrets['kiosk-1'] as string); // the auth frame used 1 token
    for (let i = 0; i < 10; i++) kiosk.send({ type: 'ping', t: i });
    const replies = [];
    for (let i = 0; i < 10; i++) replies.push(await kiosk.next());
    expect(replies.filter((r) => r.type === 'pong')).toHaveLength(4);
    expect(replies.filter((r) => r.type === 'error' && r.code === 'rate_limited')).toHaveLength(6);
  });

  it('drops a socket that stops answering heartbeats', async () => {
    // Long enough for the kiosk's scrypt check on a loaded machine (a frozen socket is dropped
    // whether or not it authenticated; the test wants it to get in first).
    const { hub, kioskSecrets } = await startHub({ heartbeatMs: 500 });
    // A frozen peer: connected, authenticated, but never answering pings.
    const kiosk = await HubTestClient.connect(hub.wsUrl, { autoPong: false });
    open.push(kiosk);
    kiosk.send({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret: kioskSecrets['kiosk-1'] as string });
    await kiosk.next('welcome');
    expect((await kiosk.waitClosed(5000)).code).toBe(1006);
  });

  it('closes sockets that never authenticate', async () => {
    const { hub } = await startHub({ authTimeoutMs: 50 });
    const c = await client(hub);
    expect(await c.next('error')).toMatchObject({ code: 'unauthorized' });
    await c.waitClosed();
  });
});
