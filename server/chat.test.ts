import { afterEach, describe, expect, it } from 'vitest';
import type { HubToAgent, HubToKiosk } from '../common/protocol';
import { createAgent, createKiosk } from './accounts';
import { ChatRelay } from './chat';
import { Dispatcher } from './dispatcher';
import { createHub, type Hub } from './hub';
import { HubTestClient } from './test-client';

/** A dispatcher with one kiosk and one agent, the call accepted (or only queued), and a relay on top. */
function relayRig(opts: { accept?: boolean; rate?: { burst: number; perSecond: number } } = {}) {
  let t = 1_000;
  const toKiosk: [string, HubToKiosk][] = [];
  const toAgent: [string, HubToAgent][] = [];
  const logged: Record<string, unknown>[] = [];
  const d = new Dispatcher({
    now: () => t,
    setTimer: () => 0,
    clearTimer: () => {},
    sendToKiosk: (c, m) => toKiosk.push([c, m]),
    sendToAgent: (c, m) => toAgent.push([c, m]),
    ringTimeoutMs: 20_000,
    newCallId: () => 'call-1',
  });
  d.kioskJoined('k1', { kioskId: 'kiosk-1', name: 'Kiosque 1', office: 'Québec' });
  d.kioskJoined('k2', { kioskId: 'kiosk-2', name: 'Kiosque 2', office: 'Lévis' });
  d.agentJoined('a1', { agentId: 'alice', displayName: 'Alice', services: null, languages: null });
  d.setAgentStatus('a1', 'available');
  d.requestCall('k1', { requestId: 'r1', service: 'emploi', language: 'fr', textFirst: true });
  if (opts.accept !== false) d.accept('a1', 'call-1');
  toKiosk.length = toAgent.length = 0;
  const relay = new ChatRelay({
    peerOf: (c, id) => d.peerOf(c, id),
    sendToKiosk: (c, m) => toKiosk.push([c, m]),
    sendToAgent: (c, m) => toAgent.push([c, m]),
    now: () => t,
    log: { info: (fields, msg) => logged.push({ ...fields, msg }) },
    ...(opts.rate ? { rate: opts.rate } : {}),
  });
  return { d, relay, toKiosk, toAgent, logged, advance: (ms: number) => (t += ms) };
}

describe('ChatRelay (with the real dispatcher)', () => {
  it('passes a message to the other party and tells the sender "sent"; an ack becomes "delivered" for the sender', () => {
    const { relay, toKiosk, toAgent } = relayRig();
    relay.handle('a1', 'agent', { type: 'chat.send', callId: 'call-1', seq: 1, text: 'Bonjour, écrivez-moi ici.' });
    expect(toKiosk).toEqual([['k1', { type: 'chat.message', callId: 'call-1', seq: 1, text: 'Bonjour, écrivez-moi ici.' }]]);
    expect(toAgent).toEqual([['a1', { type: 'chat.status', callId: 'call-1', seq: 1, status: 'sent' }]]);
    relay.handle('k1', 'kiosk', { type: 'chat.ack', callId: 'call-1', seq: 1 });
    expect(toAgent.at(-1)).toEqual(['a1', { type: 'chat.status', callId: 'call-1', seq: 1, status: 'delivered' }]);

    relay.handle('k1', 'kiosk', { type: 'chat.send', callId: 'call-1', seq: 1, text: 'Je suis sourde.' });
    expect(toAgent.at(-1)).toEqual(['a1', { type: 'chat.message', callId: 'call-1', seq: 1, text: 'Je suis sourde.' }]);
    expect(toKiosk.at(-1)).toEqual(['k1', { type: 'chat.status', callId: 'call-1', seq: 1, status: 'sent' }]);
  });

  it('relays only inside a connected call, between its two parties: others get "refused", stray acks are dropped', () => {
    const queued = relayRig({ accept: false });
    queued.relay.handle('k1', 'kiosk', { type: 'chat.send', callId: 'call-1', seq: 1, text: 'allo ?' });
    expect(queued.toAgent).toEqual([]);
    expect(queued.toKiosk).toEqual([['k1', { type: 'chat.status', callId: 'call-1', seq: 1, status: 'refused', code: 'not_in_call' }]]);

    const { relay, toKiosk, toAgent } = relayRig();
    relay.handle('k2', 'kiosk', { type: 'chat.send', callId: 'call-1', seq: 1, text: 'intrus' });
    relay.handle('k2', 'kiosk', { type: 'chat.send', callId: 'no-such-call', seq: 1, text: 'intrus' });
    relay.handle('k2', 'kiosk', { type: 'chat.ack', callId: 'call-1', seq: 1 });
    expect(toAgent).toEqual([]);
    expect(toKiosk.filter(([c]) => c === 'k1')).toEqual([]);
    expect(toKiosk.map(([c, m]) => [c, m.type, (m as { code?: string }).code])).toEqual([
      ['k2', 'chat.status', 'not_in_call'],
      ['k2', 'chat.status', 'not_in_call'],
    ]);
  });

  it('after the call ends, nothing more is relayed', () => {
    const { d, relay, toKiosk, toAgent } = relayRig();
    d.endCall('a1', 'call-1', 'agent_hangup');
    toKiosk.length = toAgent.length = 0;
    relay.handle('k1', 'kiosk', { type: 'chat.send', callId: 'call-1', seq: 5, text: 'trop tard' });
    expect(toAgent).toEqual([]);
    expect(toKiosk).toEqual([['k1', { type: 'chat.status', callId: 'call-1', seq: 5, status: 'refused', code: 'not_in_call' }]]);
  });

  it('rate-limits each connection and says which message was refused', () => {
    const { relay, toKiosk, toAgent, advance } = relayRig({ rate: { burst: 2, perSecond: 1 } });
    for (let seq = 1; seq <= 3; seq++) relay.handle('k1', 'kiosk', { type: 'chat.send', callId: 'call-1', seq, text: `m${seq}` });
    expect(toAgent.map(([, m]) => m.type === 'chat.message' && m.seq)).toEqual([1, 2]);
    expect(toKiosk.at(-1)).toEqual(['k1', { type: 'chat.status', callId: 'call-1', seq: 3, status: 'refused', code: 'rate_limited' }]);
    // The agent has its own budget
    relay.handle('a1', 'agent', { type: 'chat.send', callId: 'call-1', seq: 1, text: 'ok' });
    expect(toKiosk.at(-1)).toEqual(['k1', { type: 'chat.message', callId: 'call-1', seq: 1, text: 'ok' }]);
    advance(1000);
    relay.handle('k1', 'kiosk', { type: 'chat.send', callId: 'call-1', seq: 3, text: 'm3' });
    expect(toAgent.at(-1)).toEqual(['a1', { type: 'chat.message', callId: 'call-1', seq: 3, text: 'm3' }]);
    expect(relay.tracked).toBe(2);
    relay.forget('k1');
    expect(relay.tracked).toBe(1);
  });

  it('never logs the text', () => {
    const { relay, logged } = relayRig({ rate: { burst: 1, perSecond: 1 } });
    relay.handle('k1', 'kiosk', { type: 'chat.send', callId: 'call-1', seq: 1, text: 'MOT-SECRET-1' });
    relay.handle('k1', 'kiosk', { type: 'chat.send', callId: 'call-1', seq: 2, text: 'MOT-SECRET-2' });
    relay.handle('k2', 'kiosk', { type: 'chat.send', callId: 'call-1', seq: 1, text: 'MOT-SECRET-3' });
    expect(logged.length).toBe(2);
    expect(JSON.stringify(logged)).not.toContain('MOT-SECRET');
  });

  it('the agent sees that the citizen asked for text first (call context)', () => {
    const toAgent: HubToAgent[] = [];
    const d2 = new Dispatcher({ now: () => 0, setTimer: () => 0, clearTimer: () => {}, sendToKiosk: () => {}, sendToAgent: (_c, m) => toAgent.push(m), ringTimeoutMs: 1000, newCallId: () => 'c2' });
    d2.kioskJoined('k', { kioskId: 'k', name: 'K', office: 'O' });
    d2.agentJoined('a', { agentId: 'a', displayName: 'A', services: null, languages: null });
    d2.setAgentStatus('a', 'available');
    d2.requestCall('k', { requestId: 'r', service: 'emploi', language: 'fr', textFirst: true });
    const ring = toAgent.find((m) => m.type === 'call.ring');
    expect(ring?.type === 'call.ring' && ring.context.textFirst).toBe(true);
    d2.accept('a', 'c2');
    const connected = toAgent.find((m) => m.type === 'call.connected');
    expect(connected?.type === 'call.connected' && connected.context.textFirst).toBe(true);
  });
});

describe('text in the call through a real hub (sockets, validation, relay)', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  async function callOnHub(): Promise<{ hub: Hub; kiosk: HubTestClient; agent: HubTestClient; callId: string; hubLog: string[] }> {
    const hubLog: string[] = [];
    const hub = await createHub({ dbPath: ':memory:', logger: { level: 'info', stream: { write: (l: string) => void hubLog.push(l) } } });
    open.push(hub);
    const { password } = await createAgent(hub.db, { username: 'alice', displayName: 'Agent Alice' });
    const { secret } = await createKiosk(hub.db, { kioskId: 'kiosk-1', name: 'Kiosque 1', office: 'Québec' });
    const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password }) });
    const { token } = (await res.json()) as { token: string };
    const agent = await HubTestClient.connect(hub.wsUrl);
    open.push(agent);
    agent.send({ type: 'agent.auth', v: 1, token });
    await agent.next('welcome');
    agent.send({ type: 'agent.status', status: 'available' });
    const kiosk = await HubTestClient.connect(hub.wsUrl);
    open.push(kiosk);
    kiosk.send({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret });
    await kiosk.next('welcome');
    kiosk.send({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr', textFirst: true });
    const { callId } = await kiosk.next('call.queued');
    const ring = await agent.next('call.ring');
    expect(ring.context.textFirst).toBe(true);
    agent.send({ type: 'call.accept', callId });
    await kiosk.next('call.accepted');
    await agent.next('call.connected');
    return { hub, kiosk, agent, callId, hubLog };
  }

  it('both ways with sent/delivered, refused after the call ends, nothing of the text in the hub database or log', async () => {
    const { hub, kiosk, agent, callId, hubLog } = await callOnHub();
    agent.send({ type: 'chat.send', callId, seq: 1, text: 'Bonjour ! Écrivez votre question ici.' });
    expect(await kiosk.next('chat.message')).toEqual({ type: 'chat.message', callId, seq: 1, text: 'Bonjour ! Écrivez votre question ici.' });
    expect(await agent.next('chat.status')).toEqual({ type: 'chat.status', callId, seq: 1, status: 'sent' });
    kiosk.send({ type: 'chat.ack', callId, seq: 1 });
    expect(await agent.next('chat.status')).toEqual({ type: 'chat.status', callId, seq: 1, status: 'delivered' });

    kiosk.send({ type: 'chat.send', callId, seq: 1, text: 'Je veux renouveler ma carte PLUMEAU-42.' });
    expect((await agent.next('chat.message')).text).toBe('Je veux renouveler ma carte PLUMEAU-42.');
    expect(await kiosk.next('chat.status')).toMatchObject({ seq: 1, status: 'sent' });

    // Unsanitized text is refused by validation, as any bad frame is (the clients sanitize first)
    kiosk.send({ type: 'chat.send', callId, seq: 2, text: 'a\u202Eb' });
    expect(await kiosk.next('error')).toMatchObject({ code: 'invalid_message', ref: 'chat.send' });

    agent.send({ type: 'call.end', callId, reason: 'agent_hangup' });
    await kiosk.next('call.ended');
    kiosk.send({ type: 'chat.send', callId, seq: 3, text: 'encore PLUMEAU-42 ?' });
    expect(await kiosk.next('chat.status')).toEqual({ type: 'chat.status', callId, seq: 3, status: 'refused', code: 'not_in_call' });

    // The hub keeps no trace of the words: not in any table, not in its log.
    const db = hub.db.db;
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    for (const { name } of tables) {
      const rows = db.prepare(`SELECT * FROM "${name}"`).all();
      expect(JSON.stringify(rows), name).not.toContain('PLUMEAU');
      expect(JSON.stringify(rows), name).not.toContain('Écrivez');
    }
    expect(hubLog.join('\n')).not.toContain('PLUMEAU');
    expect(hubLog.join('\n')).not.toContain('Écrivez');
  });
});
