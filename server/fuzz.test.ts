import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentToHub, HubErrorCode, KioskToHub, parseFrame } from '../common/protocol';
import { createAgent, createKiosk } from './accounts';
import { createHub, type Hub } from './hub';
import { HubTestClient } from './test-client';

// Seeded so a failure reproduces: rerun with VG_FUZZ_SEED=<seed printed below>.
const SEED = Number(process.env.VG_FUZZ_SEED ?? 20_261_123);

/** mulberry32: tiny, good enough for test data, and deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const letters = (r: Rng, n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + r.int(26))).join('');
const anyChars = (r: Rng, n: number) => Array.from({ length: n }, () => String.fromCharCode(r.int(0xd7ff))).join('');

function randomValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 6 : 8)) {
    case 0: return r.int(2_000_000) - 1_000_000;
    case 1: return r.next() * 1e308 * (r.next() < 0.5 ? -1 : 1);
    case 2: return null;
    case 3: return r.next() < 0.5;
    case 4: return anyChars(r, r.int(40));
    case 5: return '';
    case 6: return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(4) }, () => [letters(r, 1 + r.int(6)), randomValue(r, depth + 1)]));
  }
}

/** One valid-looking frame per type, for mutation. */
const templates: Record<string, Record<string, unknown>> = {
  'kiosk.auth': { type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret: 'x'.repeat(32) },
  'agent.auth': { type: 'agent.auth', v: 1, token: 'x'.repeat(40) },
  'call.request': { type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr', appointmentCode: 'AB12' },
  'call.cancel': { type: 'call.cancel', callId: 'c1' },
  'call.accept': { type: 'call.accept', callId: 'c1' },
  'call.decline': { type: 'call.decline', callId: 'c1' },
  'agent.status': { type: 'agent.status', status: 'available' },
  signal: { type: 'signal', callId: 'c1', data: { sdp: 'v=0' } },
  'call.end': { type: 'call.end', callId: 'c1', reason: 'kiosk_hangup' },
  ping: { type: 'ping', t: 1 },
  'chat.send': { type: 'chat.send', callId: 'c1', seq: 1, text: 'Bonjour' },
  'chat.ack': { type: 'chat.ack', callId: 'c1', seq: 1 },
};
const kioskOnly = ['kiosk.auth', 'call.request', 'call.cancel'];
const agentOnly = ['agent.auth', 'agent.status', 'call.accept', 'call.decline'];

/** Breaks one field of a template so it cannot validate. */
function mutate(r: Rng, tpl: Record<string, unknown>): Record<string, unknown> {
  const msg: Record<string, unknown> = structuredClone(tpl);
  const fields = Object.keys(msg).filter((k) => k !== 'type');
  const field = fields.length ? r.pick(fields) : 'type';
  switch (r.int(5)) {
    case 0: // missing field
      if (fields.length) delete msg[field];
      else msg.type = 42;
      break;
    case 1: // wrong type
      msg[field] = r.pick([42, true, null, [], { nested: { deep: 1 } }, -1.5, '']);
      break;
    case 2: // huge string (under the socket's maxPayload, over every field limit)
      msg[field] = letters(r, 70_000 + r.int(50_000));
      break;
    case 3: // an extra field (schemas are strict)
      msg[`x_${letters(r, 5)}`] = randomValue(r);
      break;
    default: // random garbage in a field
      msg[field] = randomValue(r);
      msg[field === 'type' ? 'type' : 'v'] = r.pick([0, 2, '1', null]);
  }
  return msg;
}

interface Case {
  /** What to send. */
  frame: string | Buffer;
  /** The code expected back, or any protocol error code. */
  expect: HubErrorCode | 'any';
  /** For reproduction. */
  label: string;
}

/** Malformed frames for an authenticated socket of `role`; none of them is a valid request. */
function authenticatedCase(r: Rng, role: 'kiosk' | 'agent'): Case {
  const own = role === 'kiosk' ? KioskToHub : AgentToHub;
  const both = ['signal', 'call.end', 'ping', 'chat.send', 'chat.ack'];
  const ownTypes = role === 'kiosk' ? [...kioskOnly, ...both] : [...agentOnly, ...both];
  const otherOnly = role === 'kiosk' ? agentOnly.filter((t) => t !== 'agent.auth') : kioskOnly.filter((t) => t !== 'kiosk.auth');
  for (;;) {
    const kind = r.int(9);
    switch (kind) {
      case 0:
        return { frame: Buffer.from(Array.from({ length: 1 + r.int(300) }, () => r.int(256))), expect: 'invalid_message', label: 'binary' };
      case 1: {
        const text = anyChars(r, 1 + r.int(200));
        if (parseFrame(own, text).ok) continue;
        return { frame: text, expect: 'invalid_message', label: 'random text' };
      }
      case 2:
        return { frame: JSON.stringify(r.pick([randomValue(r), [templates.ping], 'ping', 12, null])), expect: 'invalid_message', label: 'non-object JSON' };
      case 3:
        return { frame: JSON.stringify({ ...(randomValue(r, 2) as object), type: r.pick([undefined, 'hello', 'call.*', '', 7, 'CALL.REQUEST']) }), expect: 'invalid_message', label: 'unknown type' };
      case 4:
      case 5: {
        const msg = mutate(r, templates[r.pick(ownTypes)] as Record<string, unknown>);
        const text = JSON.stringify(msg);
        if (parseFrame(own, text).ok) continue;
        return { frame: text, expect: 'invalid_message', label: `mutated ${String(msg.type)}` };
      }
      case 6:
        return { frame: JSON.stringify(templates[r.pick(otherOnly)]), expect: 'forbidden', label: 'other role' };
      case 7:
        return { frame: JSON.stringify(templates[role === 'kiosk' ? 'kiosk.auth' : 'agent.auth']), expect: 'conflict', label: 'auth again' };
      default: {
        // Well-formed, but about a call that does not exist.
        const type = r.pick(role === 'kiosk' ? ['call.cancel', 'signal', 'call.end'] : ['call.accept', 'call.decline', 'signal', 'call.end']);
        const msg = { ...templates[type], callId: `${letters(r, 8)}-${r.int(1e6)}` };
        return { frame: JSON.stringify(msg), expect: 'not_found', label: `unknown call ${type}` };
      }
    }
  }
}

/** Anything but a correct auth as a first frame. */
function unauthenticatedCase(r: Rng): Case {
  const c = authenticatedCase(r, r.next() < 0.5 ? 'kiosk' : 'agent');
  if (c.expect === 'conflict') {
    // A well-formed auth with wrong credentials.
    return { frame: JSON.stringify(r.next() < 0.5 ? { ...templates['kiosk.auth'], secret: letters(r, 16 + r.int(100)) } : { ...templates['agent.auth'], token: letters(r, 10 + r.int(500)) }), expect: 'unauthorized', label: 'bad credentials' };
  }
  return { ...c, expect: 'unauthorized' };
}

const errorCodes = new Set<string>(HubErrorCode.options);

describe(`hub fuzz (seed ${SEED})`, () => {
  let hub: Hub;
  let kioskSecret: string;
  let password: string;
  beforeAll(async () => {
    // The rate limit is raised so every frame reaches validation (the limiter has its own test).
    hub = await createHub({ dbPath: ':memory:', rateLimit: { burst: 100_000, perSecond: 100_000 } });
    password = (await createAgent(hub.db, { username: 'agent', displayName: 'Agent' })).password;
    kioskSecret = (await createKiosk(hub.db, { kioskId: 'kiosk-1', name: 'K', office: 'O' })).secret;
  });
  afterAll(async () => {
    await hub.close();
  });

  it('answers ≥ 1000 malformed frames with an error code each, then still serves a normal call', async () => {
    const r = rng(SEED);
    let answered = 0;

    // Unauthenticated: each bad first frame gets `unauthorized` and the socket is closed.
    for (let i = 0; i < 250; i++) {
      const c = unauthenticatedCase(r);
      const sock = await HubTestClient.connect(hub.wsUrl);
      sock.send(c.frame);
      const reply = await sock.next();
      expect(reply, `unauth #${i} ${c.label}`).toMatchObject({ type: 'error', code: 'unauthorized' });
      await sock.waitClosed();
      answered++;
    }

    const kiosk = await HubTestClient.connect(hub.wsUrl);
    kiosk.send({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret: kioskSecret });
    await kiosk.next('welcome');
    await kiosk.next('catalog');
    const login = (await (await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent', password }) })).json()) as { token: string };
    const agent = await HubTestClient.connect(hub.wsUrl);
    agent.send({ type: 'agent.auth', v: 1, token: login.token });
    await agent.next('welcome');
    await agent.next('catalog');
    expect(await agent.next()).toEqual({ type: 'agent.state', status: 'away' });

    // Authenticated: every frame gets exactly one error frame with a protocol code, and nothing else.
    const counts: Record<string, number> = {};
    for (let i = 0; i < 900; i++) {
      const role = i % 2 === 0 ? 'kiosk' : 'agent';
      const sock = role === 'kiosk' ? kiosk : agent;
      const c = authenticatedCase(r, role);
      sock.send(c.frame);
      const reply = await sock.next();
      const where = `${role} #${i} ${c.label}: ${typeof c.frame === 'string' ? c.frame.slice(0, 120) : '<binary>'}`;
      expect(reply.type, where).toBe('error');
      if (reply.type !== 'error') continue;
      expect(errorCodes.has(reply.code), where).toBe(true);
      if (c.expect !== 'any') expect(reply.code, where).toBe(c.expect);
      counts[c.label.split(' ')[0] as string] = (counts[c.label.split(' ')[0] as string] ?? 0) + 1;
      answered++;
    }
    expect(answered).toBeGreaterThanOrEqual(1000);
    expect(kiosk.closed).toBeUndefined();
    expect(agent.closed).toBeUndefined();
    // Every family of malformation was exercised.
    expect(Object.keys(counts).sort()).toEqual(['auth', 'binary', 'mutated', 'non-object', 'other', 'random', 'unknown'].sort());

    // The same sockets still make a normal call.
    agent.send({ type: 'agent.status', status: 'available' });
    expect(await agent.next()).toEqual({ type: 'agent.state', status: 'available' });
    kiosk.send({ type: 'call.request', requestId: 'after-fuzz', service: 'emploi', language: 'fr' });
    const queued = await kiosk.next('call.queued');
    const ring = await agent.next('call.ring');
    expect(ring.callId).toBe(queued.callId);
    agent.send({ type: 'call.accept', callId: ring.callId });
    await kiosk.next('call.accepted');
    await agent.next('call.connected');
    agent.send({ type: 'signal', callId: ring.callId, data: { type: 'offer', sdp: 'v=0' } });
    expect(await kiosk.next('signal')).toMatchObject({ data: { type: 'offer' } });
    agent.send({ type: 'call.end', callId: ring.callId, reason: 'agent_hangup' });
    expect(await kiosk.next('call.ended')).toMatchObject({ reason: 'agent_hangup' });
    kiosk.close();
    agent.close();
  }, 120_000); // a thousand round trips: about 5 s on a quiet machine, 20-40 s beside other work

  it('refuses deeply nested frames with one clear error frame (no stack overflow), and the socket stays usable', async () => {
    const kiosk = await HubTestClient.connect(hub.wsUrl);
    kiosk.send({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret: kioskSecret });
    await kiosk.next('welcome');
    await kiosk.next('catalog');
    for (const depth of [40, 5_000, 60_000]) {
      const nest = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      kiosk.send(`{"type":"signal","callId":"c1","data":{"type":"offer","x":${nest}}}`);
      const reply = await kiosk.next();
      expect(reply, `depth ${depth}`).toMatchObject({ type: 'error', code: 'invalid_message', ref: 'signal' });
      expect(reply.type === 'error' ? reply.message : '').toBe('frame nested deeper than 32 levels');
    }
    // Brackets inside strings are data, not nesting.
    kiosk.send({ type: 'signal', callId: 'no-such-call', data: { type: 'offer', sdp: '['.repeat(1_000) } });
    expect(await kiosk.next()).toMatchObject({ type: 'error', code: 'not_found' });
    kiosk.send({ type: 'ping', t: 1 });
    expect(await kiosk.next()).toMatchObject({ type: 'pong' });
    expect(kiosk.closed).toBeUndefined();
    kiosk.close();
  });

  it('answers malformed login requests with a 4xx and an error code', async () => {
    const r = rng(SEED + 1);
    for (let i = 0; i < 100; i++) {
      const body = r.next() < 0.3 ? anyChars(r, r.int(100)) : JSON.stringify(r.next() < 0.5 ? randomValue(r) : mutate(r, { username: 'agent', password: 'x' }));
      const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': r.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded']) }, body });
      const where = `login #${i}: ${body.slice(0, 80)}`;
      expect(res.status, where).toBeGreaterThanOrEqual(400);
      expect(res.status, where).toBeLessThan(500);
      const json = (await res.json()) as { code?: string };
      expect(errorCodes.has(json.code ?? ''), where).toBe(true);
    }
  });
});
