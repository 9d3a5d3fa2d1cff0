import { describe, expect, it } from 'vitest';
import type { HubToAgent, HubToKiosk } from '../common/protocol';
import { Dispatcher, RESUME_WINDOW_MS, type AgentInfo, type CallLogSink, type LiveCallRecord } from './dispatcher';
import { HubError } from './errors';

/** A manual clock with timers, so ring timeouts run without waiting. */
class FakeClock {
  t = 1_000_000;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now = () => this.t;
  setTimer = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimer = (h: unknown) => {
    this.timers.delete(h as number);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
  pending(): number {
    return this.timers.size;
  }
}

function setup(opts: { ringTimeoutMs?: number; declineCooldownMs?: number } = {}) {
  const clock = new FakeClock();
  const kioskOut: { conn: string; msg: HubToKiosk }[] = [];
  const agentOut: { conn: string; msg: HubToAgent }[] = [];
  const logged: string[] = [];
  const log: CallLogSink = {
    requested: (c) => logged.push(`requested ${c.callId}`),
    accepted: (id, agentId) => logged.push(`accepted ${id} ${agentId}`),
    ended: (id, e) => logged.push(`ended ${id} ${e.outcome} wait=${e.waitMs} dur=${e.durationMs}`),
  };
  let n = 0;
  const d = new Dispatcher({
    now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer,
    sendToKiosk: (conn, msg) => kioskOut.push({ conn, msg }),
    sendToAgent: (conn, msg) => agentOut.push({ conn, msg }),
    ringTimeoutMs: opts.ringTimeoutMs ?? 20_000,
    ...(opts.declineCooldownMs !== undefined ? { declineCooldownMs: opts.declineCooldownMs } : {}),
    newCallId: () => `call${++n}`,
    log,
  });
  const agent = (id: string, extra: Partial<AgentInfo> = {}): AgentInfo => ({ agentId: id, displayName: `Agent ${id}`, services: null, languages: null, ...extra });
  const kiosk = (id: string) => ({ kioskId: id, name: `Kiosk ${id}`, office: 'Bureau Test' });
  const rings = () => agentOut.filter((o) => o.msg.type === 'call.ring').map((o) => `${o.conn}:${(o.msg as { callId: string }).callId}`);
  const toKiosk = (conn: string) => kioskOut.filter((o) => o.conn === conn).map((o) => o.msg);
  const toAgent = (conn: string) => agentOut.filter((o) => o.conn === conn).map((o) => o.msg);
  const request = (conn: string, service = 'emploi', language: 'fr' | 'en' = 'fr') => d.requestCall(conn, { requestId: `r-${conn}`, service, language });
  return { d, clock, kioskOut, agentOut, logged, agent, kiosk, rings, toKiosk, toAgent, request };
}

describe('Dispatcher routing', () => {
  it('rings the longest-idle available agent first', () => {
    const s = setup();
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.agentJoined('a2', s.agent('bob'));
    s.d.agentJoined('a3', s.agent('carol'));
    // Availability order: bob, then carol, then alice → bob has been idle longest.
    s.d.setAgentStatus('a2', 'available');
    s.clock.advance(1000);
    s.d.setAgentStatus('a3', 'available');
    s.clock.advance(1000);
    s.d.setAgentStatus('a1', 'available');
    s.d.kioskJoined('k1', s.kiosk('K1'));
    s.d.kioskJoined('k2', s.kiosk('K2'));
    s.request('k1');
    s.request('k2');
    expect(s.rings()).toEqual(['a2:call1', 'a3:call2']);
  });

  it('an agent who just finished a call goes to the back of the idle order', () => {
    const s = setup();
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.agentJoined('a2', s.agent('bob'));
    s.d.setAgentStatus('a1', 'available');
    s.clock.advance(10);
    s.d.setAgentStatus('a2', 'available');
    s.d.kioskJoined('k1', s.kiosk('K1'));
    const c1 = s.request('k1');
    expect(s.rings()).toEqual(['a1:call1']);
    s.d.accept('a1', c1);
    s.clock.advance(60_000);
    s.d.endCall('k1', c1, 'kiosk_hangup');
    // alice is idle since now; bob since before → bob next.
    s.request('k1');
    expect(s.rings()).toEqual(['a1:call1', 'a2:call2']);
  });

  it('keeps one queue per service and language, with positions counted per queue', () => {
    const s = setup();
    for (const k of ['k1', 'k2', 'k3', 'k4']) s.d.kioskJoined(k, s.kiosk(k));
    s.request('k1', 'emploi', 'fr');
    s.request('k2', 'emploi', 'en');
    s.request('k3', 'emploi', 'fr');
    s.request('k4', 'immigration', 'fr');
    const queued = (k: string) => s.toKiosk(k).find((m) => m.type === 'call.queued') as { position: number } | undefined;
    expect([queued('k1')?.position, queued('k2')?.position, queued('k3')?.position, queued('k4')?.position]).toEqual([1, 1, 2, 1]);
    expect(s.d.snapshot().queues).toEqual({ 'emploi/fr': ['call1', 'call3'], 'emploi/en': ['call2'], 'immigration/fr': ['call4'] });
  });

  it('serves waiting calls in arrival order across queues, only to agents with the right skills', () => {
    const s = setup();
    for (const k of ['k1', 'k2', 'k3']) s.d.kioskJoined(k, s.kiosk(k));
    s.request('k1', 'emploi', 'fr');
    s.request('k2', 'emploi', 'en');
    s.request('k3', 'immigration', 'en');
    s.d.agentJoined('en1', s.agent('english', { languages: ['en'] }));
    s.d.setAgentStatus('en1', 'available');
    expect(s.rings()).toEqual(['en1:call2']);
    s.d.agentJoined('imm', s.agent('imm', { services: ['immigration'] }));
    s.d.setAgentStatus('imm', 'available');
    expect(s.rings()).toEqual(['en1:call2', 'imm:call3']);
    s.d.agentJoined('any', s.agent('any'));
    s.d.setAgentStatus('any', 'available');
    expect(s.rings()).toEqual(['en1:call2', 'imm:call3', 'any:call1']);
  });
});

describe('Dispatcher ringing', () => {
  it('a ring timeout cancels that ring, sets the agent away and rings the next agent', () => {
    const s = setup({ ringTimeoutMs: 5000 });
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.agentJoined('a2', s.agent('bob'));
    s.d.setAgentStatus('a1', 'available');
    s.clock.advance(1);
    s.d.setAgentStatus('a2', 'available');
    s.d.kioskJoined('k1', s.kiosk('K1'));
    s.request('k1');
    expect(s.rings()).toEqual(['a1:call1']);
    s.clock.advance(4999);
    expect(s.rings()).toEqual(['a1:call1']);
    s.clock.advance(1);
    expect(s.rings()).toEqual(['a1:call1', 'a2:call1']);
    expect(s.toAgent('a1').slice(-2)).toEqual([
      { type: 'call.ring.cancelled', callId: 'call1', reason: 'timeout' },
      { type: 'agent.state', status: 'away' },
    ]);
    expect(s.d.snapshot().agents.find((a) => a.conn === 'a1')?.status).toBe('away');
  });

  it('a decline rings the next agent and does not re-ring the decliner while someone else is free', () => {
    const s = setup({ ringTimeoutMs: 5000 });
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.agentJoined('a2', s.agent('bob'));
    s.d.setAgentStatus('a1', 'available');
    s.clock.advance(1);
    s.d.setAgentStatus('a2', 'available');
    s.d.kioskJoined('k1', s.kiosk('K1'));
    const c = s.request('k1');
    s.d.decline('a1', c);
    expect(s.rings()).toEqual(['a1:call1', 'a2:call1']);
    expect(s.toAgent('a1')).toContainEqual({ type: 'call.ring.cancelled', callId: c, reason: 'declined' });
    expect(s.d.snapshot().agents.find((a) => a.conn === 'a1')?.status).toBe('available');
    // bob declines too: alice (only one free) gets it again, but only after the cooldown.
    s.d.decline('a2', c);
    expect(s.rings()).toEqual(['a1:call1', 'a2:call1']);
    s.clock.advance(5000);
    expect(s.rings().slice(2)).toHaveLength(1);
  });

  it('with no agent available the call stays queued and the kiosk hears position changes', () => {
    const s = setup();
    for (const k of ['k1', 'k2', 'k3']) s.d.kioskJoined(k, s.kiosk(k));
    const c1 = s.request('k1');
    s.request('k2');
    s.request('k3');
    expect(s.toKiosk('k3')).toEqual([{ type: 'call.queued', callId: 'call3', requestId: 'r-k3', position: 3, estimateSeconds: 900 }]);
    s.clock.advance(120_000);
    expect(s.d.snapshot().queues['emploi/fr']).toEqual(['call1', 'call2', 'call3']);
    s.d.cancelCall('k1', c1);
    expect(s.toKiosk('k1').at(-1)).toEqual({ type: 'call.ended', callId: c1, reason: 'cancelled' });
    expect(s.toKiosk('k3').at(-1)).toEqual({ type: 'queue.update', callId: 'call3', position: 2, estimateSeconds: 600 });
    // Two agents staffing the queue halve the estimate.
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.agentJoined('a2', s.agent('bob'));
    s.d.setAgentStatus('a1', 'available');
    s.d.setAgentStatus('a2', 'available');
    const updates = s.toKiosk('k3').filter((m) => m.type === 'queue.update');
    expect(updates.at(-1)).toEqual({ type: 'queue.update', callId: 'call3', position: 2, estimateSeconds: 300 });
  });

  it('rings with the visit context, relays signals between the parties, and end reaches both', () => {
    const s = setup();
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.setAgentStatus('a1', 'available');
    s.d.kioskJoined('k1', s.kiosk('K1'));
    s.clock.advance(3000);
    const c = s.d.requestCall('k1', { requestId: 'r1', service: 'emploi', language: 'en', appointmentCode: 'AB12' });
    const ring = s.toAgent('a1').find((m) => m.type === 'call.ring');
    expect(ring).toEqual({ type: 'call.ring', callId: c, timeoutMs: 20_000, context: { service: 'emploi', language: 'en', appointmentCode: 'AB12', kioskName: 'Kiosk K1', office: 'Bureau Test' } });
    s.clock.advance(2000);
    s.d.accept('a1', c);
    expect(s.toKiosk('k1').at(-1)).toEqual({ type: 'call.accepted', callId: c, agentName: 'Agent alice' });
    expect(s.toAgent('a1').slice(-2)).toEqual([{ type: 'call.connected', callId: c, context: ring?.type === 'call.ring' ? ring.context : undefined }, { type: 'agent.state', status: 'in_call' }]);
    s.d.relaySignal('a1', c, { type: 'offer', sdp: 'x' });
    s.d.relaySignal('k1', c, { type: 'answer', sdp: 'y' });
    expect(s.toKiosk('k1')).toContainEqual({ type: 'signal', callId: c, data: { type: 'offer', sdp: 'x' } });
    expect(s.toAgent('a1')).toContainEqual({ type: 'signal', callId: c, data: { type: 'answer', sdp: 'y' } });
    s.clock.advance(60_000);
    s.d.endCall('a1', c, 'agent_hangup');
    expect(s.toKiosk('k1').at(-1)).toEqual({ type: 'call.ended', callId: c, reason: 'agent_hangup' });
    expect(s.toAgent('a1').slice(-2)).toEqual([{ type: 'call.ended', callId: c, reason: 'agent_hangup' }, { type: 'agent.state', status: 'available' }]);
    expect(s.logged).toEqual([`requested ${c}`, `accepted ${c} alice`, `ended ${c} agent_hangup wait=2000 dur=60000`]);
    expect(s.clock.pending()).toBe(0);
  });

  it('emits call.accepted to the kiosk strictly before call.connected to the agent', () => {
    const seq: string[] = [];
    const clock = new FakeClock();
    const d = new Dispatcher({
      now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer, ringTimeoutMs: 1000,
      sendToKiosk: (_c, m) => seq.push(`kiosk ${m.type}`), sendToAgent: (_c, m) => seq.push(`agent ${m.type}`),
    });
    d.agentJoined('a', { agentId: 'a', displayName: 'A', services: null, languages: null });
    d.setAgentStatus('a', 'available');
    d.kioskJoined('k', { kioskId: 'k', name: 'K', office: 'O' });
    const c = d.requestCall('k', { requestId: 'r', service: 's', language: 'fr' });
    seq.length = 0;
    d.accept('a', c);
    expect(seq.slice(0, 2)).toEqual(['kiosk call.accepted', 'agent call.connected']);
  });
});

describe('Dispatcher permissions and departures', () => {
  function connected() {
    const s = setup();
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.agentJoined('a2', s.agent('bob'));
    s.d.setAgentStatus('a1', 'available');
    s.d.kioskJoined('k1', s.kiosk('K1'));
    s.d.kioskJoined('k2', s.kiosk('K2'));
    const c = s.request('k1');
    s.d.accept('a1', c);
    return { ...s, c };
  }
  const code = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      return err instanceof HubError ? err.code : 'not a HubError';
    }
    return 'no error';
  };

  it('refuses signals, accepts and ends from anyone but the two parties', () => {
    const s = connected();
    expect(code(() => s.d.relaySignal('a2', s.c, { x: 1 }))).toBe('forbidden');
    expect(code(() => s.d.relaySignal('k2', s.c, { x: 1 }))).toBe('forbidden');
    expect(code(() => s.d.accept('a2', s.c))).toBe('forbidden');
    expect(code(() => s.d.endCall('a2', s.c, 'agent_hangup'))).toBe('forbidden');
    expect(code(() => s.d.cancelCall('k2', s.c))).toBe('forbidden');
    expect(code(() => s.d.relaySignal('a1', 'nope', { x: 1 }))).toBe('not_found');
    expect(code(() => s.d.accept('k1', s.c))).toBe('forbidden');
    expect(code(() => s.d.requestCall('a1', { requestId: 'r', service: 's', language: 'fr' }))).toBe('forbidden');
    expect(code(() => s.request('k1'))).toBe('conflict');
  });

  it('refuses signaling while a call only rings, even from the rung agent', () => {
    const s = setup();
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.setAgentStatus('a1', 'available');
    s.d.kioskJoined('k1', s.kiosk('K1'));
    const c = s.request('k1');
    expect(code(() => s.d.relaySignal('a1', c, { x: 1 }))).toBe('forbidden');
    expect(code(() => s.d.relaySignal('k1', c, { x: 1 }))).toBe('forbidden');
  });

  it('a kiosk leaving mid-call keeps the call for the resume window, then ends it with peer_lost for the agent', () => {
    const s = connected();
    s.d.kioskLeft('k1');
    expect(s.toAgent('a1').at(-1)).toEqual({ type: 'agent.state', status: 'in_call' });
    expect(s.d.snapshot().connected).toEqual([s.c]);
    s.clock.advance(RESUME_WINDOW_MS - 1);
    expect(s.toAgent('a1').some((m) => m.type === 'call.ended')).toBe(false);
    s.clock.advance(1);
    expect(s.toAgent('a1').slice(-2)).toEqual([{ type: 'call.ended', callId: s.c, reason: 'peer_lost' }, { type: 'agent.state', status: 'available' }]);
    expect(s.logged.at(-1)).toMatch(/ended call1 peer_lost/);
  });

  it('a kiosk back on a new connection within the window gets call.resume, the held signals, and the call goes on', () => {
    const s = connected();
    s.d.kioskLeft('k1');
    // The agent's ICE restart while the kiosk is away: held, not lost.
    s.d.relaySignal('a1', s.c, { type: 'offer', sdp: 'restart' });
    s.clock.advance(30_000);
    s.d.kioskJoined('k1b', s.kiosk('K1'));
    expect(s.toKiosk('k1b')).toEqual([
      { type: 'call.resume', callId: s.c, agentName: 'Agent alice' },
      { type: 'signal', callId: s.c, data: { type: 'offer', sdp: 'restart' } },
    ]);
    s.d.relaySignal('k1b', s.c, { type: 'answer', sdp: 'x' });
    expect(s.toAgent('a1').at(-1)).toEqual({ type: 'signal', callId: s.c, data: { type: 'answer', sdp: 'x' } });
    s.clock.advance(5 * RESUME_WINDOW_MS);
    expect(s.d.snapshot().connected).toEqual([s.c]);
    s.d.endCall('k1b', s.c, 'kiosk_hangup');
    expect(s.toAgent('a1').at(-2)).toEqual({ type: 'call.ended', callId: s.c, reason: 'kiosk_hangup' });
  });

  it('a call the agent ends while the kiosk is reconnecting: the kiosk hears call.ended when it is back, not a resume', () => {
    const s = connected();
    s.d.kioskLeft('k1');
    s.d.endCall('a1', s.c, 'agent_hangup');
    s.d.kioskJoined('k1b', s.kiosk('K1'));
    expect(s.toKiosk('k1b')).toEqual([{ type: 'call.ended', callId: s.c, reason: 'agent_hangup' }]);
    s.d.kioskLeft('k1b');
    s.d.kioskJoined('k1c', s.kiosk('K1'));
    expect(s.toKiosk('k1c')).toEqual([]); // told once
  });

  it('a new kiosk connection before the old one is seen closing takes the call over; the old close changes nothing', () => {
    const s = connected();
    s.d.kioskJoined('k1b', s.kiosk('K1'));
    expect(s.toKiosk('k1b')[0]).toEqual({ type: 'call.resume', callId: s.c, agentName: 'Agent alice' });
    s.d.kioskLeft('k1');
    s.clock.advance(2 * RESUME_WINDOW_MS);
    expect(s.d.snapshot().connected).toEqual([s.c]);
    expect(() => s.d.relaySignal('k1', s.c, {})).toThrow();
  });

  it('an agent leaving mid-call: the kiosk hears nothing within the window; back in time, the agent gets in_call and call.resume', () => {
    const s = connected();
    s.d.agentLeft('a1');
    s.clock.advance(20_000);
    expect(s.toKiosk('k1').at(-1)).toEqual({ type: 'call.accepted', callId: s.c, agentName: 'Agent alice' });
    s.d.agentJoined('a1b', s.agent('alice'));
    expect(s.toAgent('a1b')).toEqual([
      { type: 'agent.state', status: 'away' },
      { type: 'agent.state', status: 'in_call' },
      { type: 'call.resume', callId: s.c, context: expect.objectContaining({ service: 'emploi', language: 'fr' }) },
    ]);
    expect(s.d.snapshot().agents.find((a) => a.conn === 'a1b')).toMatchObject({ status: 'in_call', callId: s.c });
    s.clock.advance(2 * RESUME_WINDOW_MS);
    expect(s.d.snapshot().connected).toEqual([s.c]);
  });

  it('an agent who does not come back: peer_lost to the kiosk, and the kiosk may take the head of the same line again (attempt 2)', () => {
    const s = connected();
    s.d.setAgentStatus('a2', 'away');
    const waitingBefore = s.request('k2'); // someone else already in line
    s.d.agentLeft('a1');
    s.clock.advance(RESUME_WINDOW_MS);
    expect(s.toKiosk('k1').at(-1)).toEqual({ type: 'call.ended', callId: s.c, reason: 'peer_lost' });
    const again = s.d.requestCall('k1', { requestId: 'r-again', service: 'emploi', language: 'fr', requeueOf: s.c });
    expect(s.toKiosk('k1').at(-1)).toMatchObject({ type: 'call.queued', callId: again, position: 1 });
    expect(s.d.snapshot().queues['emploi/fr']).toEqual([again, waitingBefore]);
    s.d.setAgentStatus('a2', 'available');
    expect(s.rings().at(-1)).toBe(`a2:${again}`);
    expect(s.agentOut.find((o) => o.msg.type === 'call.ring' && o.msg.callId === again)?.msg).toMatchObject({ context: { attempt: 2 } });
  });

  it('a head-of-line requeue is taken once, by the same kiosk, in the same line; otherwise the request queues normally', () => {
    const s = connected();
    s.d.endCall('a1', s.c, 'peer_lost');
    s.d.setAgentStatus('a1', 'away');
    const other = s.request('k2');
    // Another kiosk naming this lost call: an ordinary place at the end.
    s.d.endCall('k2', other, 'cancelled');
    const k2 = s.d.requestCall('k2', { requestId: 'r-k2', service: 'emploi', language: 'fr', requeueOf: s.c });
    const first = s.d.requestCall('k1', { requestId: 'r-1', service: 'emploi', language: 'fr', requeueOf: s.c });
    expect(s.d.snapshot().queues['emploi/fr']).toEqual([first, k2]);
    s.d.endCall('k1', first, 'cancelled');
    const second = s.d.requestCall('k1', { requestId: 'r-2', service: 'emploi', language: 'fr', requeueOf: s.c });
    expect(s.d.snapshot().queues['emploi/fr']).toEqual([k2, second]);
  });

  it('connected calls go to the live sink on accept and leave it when they end', () => {
    const saved: LiveCallRecord[] = [];
    const removed: string[] = [];
    const clock = new FakeClock();
    const d = new Dispatcher({
      now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer, sendToKiosk: () => {}, sendToAgent: () => {}, ringTimeoutMs: 20_000,
      newCallId: () => 'live1', live: { saved: (r) => saved.push(r), removed: (id) => removed.push(id) },
    });
    d.agentJoined('a1', { agentId: 'alice', displayName: 'Alice', services: null, languages: null });
    d.setAgentStatus('a1', 'available');
    d.kioskJoined('k1', { kioskId: 'K1', name: 'Kiosk', office: 'Bureau' });
    d.requestCall('k1', { requestId: 'r', service: 'emploi', language: 'fr' });
    expect(saved).toEqual([]);
    d.accept('a1', 'live1');
    expect(saved).toEqual([{ callId: 'live1', kioskId: 'K1', agentId: 'alice', agentName: 'Alice', context: expect.objectContaining({ service: 'emploi' }), requestedAt: clock.now(), acceptedAt: clock.now() }]);
    d.endCall('k1', 'live1', 'kiosk_hangup');
    expect(removed).toEqual(['live1']);
  });

  it('a restarted hub restores connected calls: each party re-attaches when it reconnects, signaling flows again', () => {
    const clock = new FakeClock();
    const toKiosk: HubToKiosk[] = [];
    const toAgent: HubToAgent[] = [];
    const d = new Dispatcher({
      now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer, sendToKiosk: (_c, m) => toKiosk.push(m), sendToAgent: (_c, m) => toAgent.push(m), ringTimeoutMs: 20_000,
    });
    const context = { service: 'emploi', language: 'fr' as const, kioskName: 'Kiosk', office: 'Bureau' };
    expect(d.restore([{ callId: 'old1', kioskId: 'K1', agentId: 'alice', agentName: 'Alice', context, requestedAt: 1, acceptedAt: 2 }])).toBe(1);
    d.agentJoined('a1', { agentId: 'alice', displayName: 'Alice', services: null, languages: null });
    d.relaySignal('a1', 'old1', { candidate: 'c' });
    d.kioskJoined('k1', { kioskId: 'K1', name: 'Kiosk', office: 'Bureau' });
    expect(toAgent).toContainEqual({ type: 'call.resume', callId: 'old1', context });
    expect(toKiosk).toEqual([{ type: 'call.resume', callId: 'old1', agentName: 'Alice' }, { type: 'signal', callId: 'old1', data: { candidate: 'c' } }]);
    clock.advance(3 * RESUME_WINDOW_MS);
    expect(d.snapshot().connected).toEqual(['old1']);

    // Only one party back within the window: the other is told peer_lost.
    const d2 = new Dispatcher({
      now: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer, sendToKiosk: (_c, m) => toKiosk.push(m), sendToAgent: () => {}, ringTimeoutMs: 20_000,
    });
    d2.restore([{ callId: 'old2', kioskId: 'K2', agentId: 'bob', agentName: 'Bob', context, requestedAt: 1, acceptedAt: 2 }]);
    d2.kioskJoined('k2', { kioskId: 'K2', name: 'Kiosk', office: 'Bureau' });
    clock.advance(RESUME_WINDOW_MS);
    expect(toKiosk.at(-1)).toEqual({ type: 'call.ended', callId: 'old2', reason: 'peer_lost' });
    expect(d2.sizes().calls).toBe(0);
  });

  it('an agent leaving while rung re-rings the next agent at once', () => {
    const s = setup();
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.agentJoined('a2', s.agent('bob'));
    s.d.setAgentStatus('a1', 'available');
    s.clock.advance(1);
    s.d.setAgentStatus('a2', 'available');
    s.d.kioskJoined('k1', s.kiosk('K1'));
    s.request('k1');
    s.d.agentLeft('a1');
    expect(s.rings()).toEqual(['a1:call1', 'a2:call1']);
  });

  it('going away while rung declines; going away in a call applies after the call', () => {
    const s = connected();
    s.d.setAgentStatus('a1', 'away');
    expect(s.toAgent('a1').at(-1)).toEqual({ type: 'agent.state', status: 'in_call' });
    s.d.endCall('k1', s.c, 'kiosk_hangup');
    expect(s.toAgent('a1').at(-1)).toEqual({ type: 'agent.state', status: 'away' });
    s.d.setAgentStatus('a2', 'available');
    const c2 = s.request('k2');
    s.d.setAgentStatus('a2', 'away');
    expect(s.toAgent('a2')).toContainEqual({ type: 'call.ring.cancelled', callId: c2, reason: 'declined' });
    expect(s.d.snapshot().queues['emploi/fr']).toEqual([c2]);
  });

  it('the kiosk cancelling a ringing call stops the ring', () => {
    const s = setup();
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.setAgentStatus('a1', 'available');
    s.d.kioskJoined('k1', s.kiosk('K1'));
    const c = s.request('k1');
    s.d.cancelCall('k1', c);
    expect(s.toAgent('a1').slice(-2)).toEqual([{ type: 'call.ring.cancelled', callId: c, reason: 'cancelled' }, { type: 'agent.state', status: 'available' }]);
    expect(s.clock.pending()).toBe(0);
  });
});
