// The waiting estimate from the agents who can actually answer, "no agent available" instead of a
// number, the interpreter flag and the audio-only flag in the agent's ring.
import { describe, expect, it } from 'vitest';
import { HubToKiosk, parseFrame, type HubToAgent } from '../common/protocol';
import { Dispatcher, type AgentInfo, type CallRequestInput } from './dispatcher';

function setup() {
  let t = 1_000_000;
  const kioskOut: { conn: string; msg: HubToKiosk }[] = [];
  const agentOut: { conn: string; msg: HubToAgent }[] = [];
  let n = 0;
  const d = new Dispatcher({
    now: () => t,
    // Ring timeouts never fire here: these tests are about estimates and ring contents.
    setTimer: () => 0,
    clearTimer: () => {},
    sendToKiosk: (conn, msg) => kioskOut.push({ conn, msg }),
    sendToAgent: (conn, msg) => agentOut.push({ conn, msg }),
    ringTimeoutMs: 20_000,
    newCallId: () => `call${++n}`,
  });
  const agent = (id: string, extra: Partial<AgentInfo> = {}): AgentInfo => ({ agentId: id, displayName: `Agent ${id}`, services: null, languages: null, ...extra });
  const kiosks = (...ids: string[]) => ids.forEach((k) => d.kioskJoined(k, { kioskId: k, name: `Kiosk ${k}`, office: 'Bureau' }));
  /** A revision-2 request (what today's kiosks send). */
  const request = (conn: string, extra: Partial<CallRequestInput> = {}) => d.requestCall(conn, { requestId: `r-${conn}`, service: 'emploi', language: 'fr', v: 2, ...extra });
  /** The last line frame (call.queued or queue.update) a kiosk got. */
  const line = (conn: string) => {
    const m = kioskOut.filter((o) => o.conn === conn && (o.msg.type === 'call.queued' || o.msg.type === 'queue.update')).at(-1)?.msg;
    return m && 'position' in m ? { position: m.position, estimateSeconds: m.estimateSeconds, noAgent: m.noAgent } : undefined;
  };
  const ring = (conn: string) => agentOut.filter((o) => o.conn === conn && o.msg.type === 'call.ring').at(-1)?.msg as Extract<HubToAgent, { type: 'call.ring' }> | undefined;
  return { d, kioskOut, agentOut, agent, kiosks, request, line, ring, advance: (ms: number) => (t += ms) };
}

describe('waiting estimate', () => {
  it('says no agent is available while the only agent is away, and gives an estimate once they are back', () => {
    const s = setup();
    s.kiosks('k1', 'k2');
    s.request('k1');
    expect(s.line('k1')).toEqual({ position: 1, estimateSeconds: null, noAgent: true });
    // Signed in but away: still nobody to answer.
    s.d.agentJoined('a1', s.agent('alice'));
    s.request('k2');
    expect(s.line('k2')).toEqual({ position: 2, estimateSeconds: null, noAgent: true });
    s.d.setAgentStatus('a1', 'available');
    // k1 rings alice; k2 waits behind it: 2 × 5 min (no call ended yet) ÷ 1 agent.
    expect(s.line('k2')).toEqual({ position: 2, estimateSeconds: 600, noAgent: false });
    // Alice steps away (her ring is declined): back to "no agent".
    s.d.setAgentStatus('a1', 'away');
    expect(s.line('k2')).toEqual({ position: 2, estimateSeconds: null, noAgent: true });
    expect(s.line('k1')).toEqual({ position: 1, estimateSeconds: null, noAgent: true });
  });

  it('counts only agents who serve that service and call language; an agent in a call counts', () => {
    const s = setup();
    s.kiosks('k1', 'k2', 'k3');
    s.d.agentJoined('en', s.agent('english', { languages: ['en'] }));
    s.d.agentJoined('imm', s.agent('immigration', { services: ['immigration'] }));
    s.d.setAgentStatus('en', 'available');
    s.d.setAgentStatus('imm', 'available');
    s.request('k1');
    expect(s.line('k1')).toEqual({ position: 1, estimateSeconds: null, noAgent: true });
    s.d.agentJoined('fr', s.agent('french', { languages: ['fr'], services: ['emploi'] }));
    s.d.setAgentStatus('fr', 'available');
    const c1 = s.kioskOut.find((o) => o.conn === 'k1' && o.msg.type === 'call.queued')!.msg as { callId: string };
    s.d.accept('fr', c1.callId);
    // The only French agent is busy with k1: k2 and k3 wait for them, not for "nobody".
    s.request('k2');
    s.request('k3');
    expect(s.line('k3')).toEqual({ position: 2, estimateSeconds: 600, noAgent: false });
  });

  it('uses the queue\'s own recent handle times once it has a few, the hub-wide mean before', () => {
    const s = setup();
    s.kiosks('k1', 'k2', 'k3');
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.setAgentStatus('a1', 'available');
    const call = (conn: string, service: string, ms: number) => {
      const id = s.request(conn, { service });
      s.d.accept('a1', id);
      s.advance(ms);
      s.d.endCall('a1', id, 'agent_hangup');
    };
    // Three 2-minute calls for emploi, one 10-minute call for immigration.
    for (let i = 0; i < 3; i++) call('k1', 'emploi', 120_000);
    call('k1', 'immigration', 600_000);
    s.d.setAgentStatus('a1', 'away');
    s.d.agentJoined('a2', s.agent('bob'));
    s.d.setAgentStatus('a2', 'available');
    s.d.setAgentStatus('a2', 'away');
    s.d.setAgentStatus('a1', 'available'); // alice staffed; the first request of each queue rings her, the second waits
    s.request('k2', { service: 'emploi' });
    s.request('k3', { service: 'emploi' });
    expect(s.line('k3')).toEqual({ position: 2, estimateSeconds: 240, noAgent: false });
    s.kiosks('k4', 'k5');
    s.request('k4', { service: 'immigration' });
    s.request('k5', { service: 'immigration' });
    // immigration has one call: the hub-wide mean of the four (3×2 + 10) / 4 = 4 min, × position 2.
    expect(s.line('k5')).toEqual({ position: 2, estimateSeconds: 480, noAgent: false });
  });

  it('a kiosk older than revision 2 keeps getting a number it can parse (and no noAgent)', () => {
    const s = setup();
    s.kiosks('old');
    s.d.requestCall('old', { requestId: 'r-old', service: 'emploi', language: 'fr' });
    const frame = s.kioskOut.find((o) => o.conn === 'old')!.msg;
    expect(frame).toEqual({ type: 'call.queued', callId: 'call1', requestId: 'r-old', position: 1, estimateSeconds: 300 });
    expect(parseFrame(HubToKiosk, JSON.stringify(frame)).ok).toBe(true);
  });

  it('today\'s frames pass the protocol schema (null estimate and noAgent)', () => {
    const s = setup();
    s.kiosks('k1');
    s.request('k1');
    const frame = s.kioskOut.find((o) => o.conn === 'k1')!.msg;
    expect(frame).toMatchObject({ estimateSeconds: null, noAgent: true });
    expect(parseFrame(HubToKiosk, JSON.stringify(frame))).toMatchObject({ ok: true, value: frame });
  });
});

describe('ring context', () => {
  it('a citizen reading Arabic is queued in French and the agent is told an interpreter is needed', () => {
    const s = setup();
    s.kiosks('k1', 'k2');
    s.d.agentJoined('a1', s.agent('alice', { languages: ['fr'] }));
    s.d.setAgentStatus('a1', 'available');
    s.request('k1', { uiLanguage: 'ar' });
    expect(s.d.snapshot().queues).toEqual({ 'emploi/fr': ['call1'] });
    expect(s.ring('a1')?.context).toEqual({ service: 'emploi', language: 'fr', interpreter: 'ar', kioskName: 'Kiosk k1', office: 'Bureau' });
  });

  it('no interpreter when the screens are in the call language; audio only is passed on', () => {
    const s = setup();
    s.kiosks('k1');
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.setAgentStatus('a1', 'available');
    s.request('k1', { language: 'en', uiLanguage: 'en', audioOnly: true });
    expect(s.ring('a1')?.context).toEqual({ service: 'emploi', language: 'en', audioOnly: true, kioskName: 'Kiosk k1', office: 'Bureau' });
  });
});

describe('dispatcher sizes', () => {
  it('a finished visit leaves no call, queue or kiosk entry behind; handle times stay per queue', () => {
    const s = setup();
    s.kiosks('k1');
    s.d.agentJoined('a1', s.agent('alice'));
    s.d.setAgentStatus('a1', 'available');
    for (let i = 0; i < 30; i++) {
      const id = s.request('k1', { service: i % 2 ? 'emploi' : 'immigration' });
      s.d.accept('a1', id);
      s.advance(60_000);
      s.d.endCall('k1', id, 'kiosk_hangup');
    }
    s.d.kioskLeft('k1');
    expect(s.d.sizes()).toEqual({ agents: 1, kiosks: 0, calls: 0, queues: 0, handleTimes: 20, queueHandleTimes: 2 });
  });
});
