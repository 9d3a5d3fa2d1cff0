// The agent console's protocol handling against a fake hub socket, fake fetch and a fake peer.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CallPeerOptions } from '../shared/peer';
import { AgentSession, type AgentSessionDeps, type HttpResponseLike, type WebSocketLike } from './session';

class FakeWS implements WebSocketLike {
  static all: FakeWS[] = [];
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  closed = false;
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  constructor(readonly url: string) {
    FakeWS.all.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
  }
  // test controls
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
  types(): unknown[] {
    return this.sent.map((f) => f.type);
  }
}

const context = { service: 'emploi', language: 'en' as const, appointmentCode: 'AB12CD', kioskName: 'Borne 1', office: 'Québec' };
const welcome = { type: 'welcome', v: 1, role: 'agent', name: 'Agent Demo', iceServers: [{ urls: 'stun:stun.example' }] };

function harness(opts: { loginStatus?: number; loginBody?: unknown; fetchThrows?: boolean; mediaFails?: boolean; peerThrows?: boolean } = {}) {
  FakeWS.all = [];
  let clock = 1_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  const logs: string[] = [];
  const peers: Array<{ opts: CallPeerOptions; signals: unknown[]; destroyed: number; muted?: boolean }> = [];
  const stopped: MediaStream[] = [];
  const ringer = { ringing: false, start() { this.ringing = true; }, stop() { this.ringing = false; } };
  const storage = new Map<string, string>();
  let resolveMedia: ((s: MediaStream) => void) | undefined;
  let acquires = 0;
  const audio = { enabled: true };
  const stream = { id: 'local', getAudioTracks: () => [audio], getTracks: () => [audio] } as unknown as MediaStream;
  const requests: Array<{ url: string; body: string }> = [];

  const deps: AgentSessionDeps = {
    hubUrl: 'https://hub.test',
    fetch: async (url, init) => {
      requests.push({ url, body: init.body });
      if (opts.fetchThrows) throw new TypeError('Failed to fetch');
      const status = opts.loginStatus ?? 200;
      const res: HttpResponseLike = {
        ok: status >= 200 && status < 300,
        status,
        json: async () => opts.loginBody ?? { token: 'token-0123456789', displayName: 'Agent Demo', expiresInSeconds: 600 },
      };
      return res;
    },
    WebSocket: FakeWS,
    createPeer: (o) => {
      if (opts.peerThrows) throw new Error('No WebRTC support');
      const p = { opts: o, signals: [] as unknown[], destroyed: 0, muted: undefined as boolean | undefined };
      peers.push(p);
      return { signal: (d) => p.signals.push(d), setMuted: (m) => (p.muted = m), destroy: () => p.destroyed++, replaceAudioTrack: async () => {} };
    },
    acquireMedia: () =>
      ++acquires && opts.mediaFails
        ? Promise.reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' }))
        : new Promise<MediaStream>((r) => (resolveMedia = r)),
    stopStream: (s) => stopped.push(s),
    ringer,
    now: () => clock,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.set(id, { at: clock + ms, fn });
      return id;
    },
    clearTimeout: (h) => timers.delete(h as number),
    storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v), removeItem: (k) => storage.delete(k) },
    log: (m) => logs.push(m),
  };
  const session = new AgentSession(deps);
  return {
    session,
    acquires: () => acquires,
    logs,
    peers,
    stopped,
    ringer,
    storage,
    requests,
    stream,
    audio,
    ws: () => FakeWS.all.at(-1)!,
    media: async () => {
      resolveMedia!(stream);
      await Promise.resolve();
      await Promise.resolve();
    },
    advance(ms: number) {
      clock += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= clock && timers.has(id)) {
          timers.delete(id);
          t.fn();
        }
      }
    },
  };
}

async function signedIn(h: ReturnType<typeof harness>) {
  await h.session.login('agent', 'secret');
  h.ws().open();
  h.ws().receive(welcome);
  return h.ws();
}

describe('AgentSession', () => {
  beforeEach(() => {
    FakeWS.all = [];
  });

  it('logs in, authenticates the socket with the token, and goes available', async () => {
    const h = harness();
    await h.session.login('agent', 'secret');
    expect(h.requests[0]).toEqual({ url: 'https://hub.test/api/login', body: JSON.stringify({ username: 'agent', password: 'secret' }) });
    expect(h.session.view.phase).toBe('connecting');
    const ws = h.ws();
    expect(ws.url).toBe('wss://hub.test/ws');
    ws.open();
    expect(ws.sent[0]).toEqual({ type: 'agent.auth', v: 1, token: 'token-0123456789' });
    ws.receive(welcome);
    expect(h.session.view.phase).toBe('away');
    expect(h.session.view.displayName).toBe('Agent Demo');
    h.session.setStatus('available');
    expect(ws.sent.at(-1)).toEqual({ type: 'agent.status', status: 'available' });
    expect(h.session.view.phase).toBe('available');
  });

  it("keeps the hub's service catalogue in the view (services named by the hub, not by a kiosk default)", async () => {
    const h = harness();
    const ws = await signedIn(h);
    expect(h.session.view.services).toEqual([]);
    const services = [{ id: 'permis', label: { fr: 'Permis de conduire', en: "Driver's licence" }, icon: 'info' }];
    ws.receive({ type: 'catalog', services });
    expect(h.session.view.services).toEqual(services);
  });

  it('shows a credentials message on 401 and a network message when the hub is unreachable', async () => {
    const bad = harness({ loginStatus: 401, loginBody: { error: { code: 'unauthorized' } } });
    await bad.session.login('agent', 'wrong');
    expect(bad.session.view).toMatchObject({ phase: 'login', loginError: 'agent.login.error.credentials', loginBusy: false });
    expect(FakeWS.all).toHaveLength(0);

    const down = harness({ fetchThrows: true });
    await down.session.login('agent', 'secret');
    expect(down.session.view.loginError).toBe('agent.login.error.network');

    const limited = harness({ loginStatus: 429 });
    await limited.session.login('agent', 'secret');
    expect(limited.session.view.loginError).toBe('agent.login.error.rateLimited');
  });

  it('shows the ring with its context, rings, and stops on call.ring.cancelled', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.ring', callId: 'c1', context, timeoutMs: 20_000 });
    expect(h.session.view.phase).toBe('ringing');
    expect(h.session.view.ring).toMatchObject({ callId: 'c1', context, accepting: false, deadline: 1_000_000 + 20_000 });
    expect(h.ringer.ringing).toBe(true);
    ws.receive({ type: 'call.ring.cancelled', callId: 'c1', reason: 'cancelled' });
    expect(h.session.view.ring).toBeUndefined();
    expect(h.ringer.ringing).toBe(false);
    expect(h.session.view.notice).toEqual({ key: 'agent.notice.ringCancelled' });
  });

  it('declines a ring', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.ring', callId: 'c1', context, timeoutMs: 20_000 });
    h.session.decline();
    expect(ws.sent.at(-1)).toEqual({ type: 'call.decline', callId: 'c1' });
    expect(h.session.view.ring).toBeUndefined();
    expect(h.ringer.ringing).toBe(false);
    // The hub's echo about the call we just declined is expected, not an oddity.
    ws.receive({ type: 'call.ring.cancelled', callId: 'c1', reason: 'declined' });
    expect(h.logs).toEqual([]);
    expect(h.session.view.notice).toBeUndefined();
  });

  it('opens the camera while ringing: accepting reuses it, declining releases it', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.ring', callId: 'c1', context, timeoutMs: 20_000 });
    expect(h.acquires()).toBe(1);
    h.session.decline();
    await h.media();
    expect(h.stopped).toEqual([h.stream]);
    ws.receive({ type: 'call.ring', callId: 'c2', context, timeoutMs: 20_000 });
    h.session.accept();
    ws.receive({ type: 'call.connected', callId: 'c2', context });
    await h.media();
    expect(h.acquires()).toBe(2);
    expect(h.peers[0]!.opts.stream).toBe(h.stream);
    expect(h.stopped).toHaveLength(1);
  });

  it('drops a ring the hub forgot to cancel shortly after its deadline', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.ring', callId: 'c1', context, timeoutMs: 20_000 });
    h.advance(20_000);
    expect(h.session.view.ring).toBeDefined();
    h.advance(5_000);
    expect(h.session.view.ring).toBeUndefined();
    expect(h.ringer.ringing).toBe(false);
  });

  it('accept -> call.connected creates the peer as initiator and relays signals both ways', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.ring', callId: 'c1', context, timeoutMs: 20_000 });
    h.session.accept();
    expect(ws.sent.at(-1)).toEqual({ type: 'call.accept', callId: 'c1' });
    expect(h.session.view.phase).toBe('accepting');
    expect(h.ringer.ringing).toBe(false);
    ws.receive({ type: 'call.connected', callId: 'c1', context });
    expect(h.session.view.phase).toBe('in_call');
    // A signal that arrives before the camera is open is kept for the peer.
    ws.receive({ type: 'signal', callId: 'c1', data: { candidate: { candidate: 'early' } } });
    await h.media();
    expect(h.peers).toHaveLength(1);
    const peer = h.peers[0]!;
    expect(peer.opts.initiator).toBe(true);
    expect(peer.opts.stream).toBe(h.stream);
    expect(peer.opts.iceServers).toEqual([{ urls: 'stun:stun.example' }]);
    expect(peer.signals).toEqual([{ candidate: { candidate: 'early' } }]);
    peer.opts.onSignal({ type: 'offer', sdp: 'v=0' });
    expect(ws.sent.at(-1)).toEqual({ type: 'signal', callId: 'c1', data: { type: 'offer', sdp: 'v=0' } });
    ws.receive({ type: 'signal', callId: 'c1', data: { type: 'answer', sdp: 'v=0' } });
    expect(peer.signals.at(-1)).toEqual({ type: 'answer', sdp: 'v=0' });
    ws.receive({ type: 'signal', callId: 'other', data: { type: 'answer', sdp: 'x' } });
    expect(peer.signals).toHaveLength(2);
    expect(h.logs).toContain('signal for another call ignored');
    peer.opts.onState('connected');
    expect(h.session.view.call?.peerState).toBe('connected');
    h.session.setMuted(true);
    expect(peer.muted).toBe(true);
    expect(h.session.view.call?.muted).toBe(true);
  });

  it('end call: sends call.end agent_hangup, destroys the peer, stops tracks, returns to available', async () => {
    const h = harness();
    const ws = await signedIn(h);
    h.session.setStatus('available');
    ws.receive({ type: 'call.ring', callId: 'c1', context, timeoutMs: 20_000 });
    h.session.accept();
    ws.receive({ type: 'call.connected', callId: 'c1', context });
    await h.media();
    h.session.endCall();
    expect(ws.sent.at(-1)).toEqual({ type: 'call.end', callId: 'c1', reason: 'agent_hangup' });
    expect(h.peers[0]!.destroyed).toBe(1);
    expect(h.stopped).toEqual([h.stream]);
    expect(h.session.view.call).toBeUndefined();
    expect(h.session.view.phase).toBe('available');
    // The hub's echo of our own hang-up changes nothing.
    ws.receive({ type: 'call.ended', callId: 'c1', reason: 'agent_hangup' });
    expect(h.peers[0]!.destroyed).toBe(1);
    expect(h.stopped).toHaveLength(1);
  });

  it('call.ended from the hub tears down with the reason', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.connected', callId: 'c2', context });
    await h.media();
    ws.receive({ type: 'call.ended', callId: 'c2', reason: 'kiosk_hangup' });
    expect(h.peers[0]!.destroyed).toBe(1);
    expect(h.stopped).toEqual([h.stream]);
    expect(h.session.view).toMatchObject({ phase: 'away', notice: { key: 'agent.notice.ended.kiosk_hangup' } });
  });

  it('stops the camera that opens after the call already ended', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.connected', callId: 'c3', context });
    ws.receive({ type: 'call.ended', callId: 'c3', reason: 'kiosk_hangup' });
    await h.media();
    expect(h.peers).toHaveLength(0);
    expect(h.stopped).toEqual([h.stream]);
  });

  it('ends the call with reason error when the camera is refused', async () => {
    const h = harness({ mediaFails: true });
    const ws = await signedIn(h);
    ws.receive({ type: 'call.connected', callId: 'c4', context });
    await new Promise((r) => setTimeout(r, 0));
    expect(ws.sent.at(-1)).toEqual({ type: 'call.end', callId: 'c4', reason: 'error' });
    expect(h.session.view).toMatchObject({ phase: 'away', notice: { key: 'agent.notice.mediaDenied' } });
  });

  it('ends the call with reason error when WebRTC is unavailable, and stops the camera', async () => {
    const h = harness({ peerThrows: true });
    const ws = await signedIn(h);
    ws.receive({ type: 'call.connected', callId: 'c6', context });
    await h.media();
    expect(ws.sent.at(-1)).toEqual({ type: 'call.end', callId: 'c6', reason: 'error' });
    expect(h.stopped).toEqual([h.stream]);
    expect(h.session.view).toMatchObject({ phase: 'away', notice: { key: 'agent.notice.ended.error' } });
    expect(h.logs).toContain('peer could not be created');
  });

  it('a failed media path ends the call as peer_lost', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.connected', callId: 'c5', context });
    await h.media();
    h.peers[0]!.opts.onState('failed');
    // The hub gets a moment to say the citizen hung up; silence means the connection was lost.
    expect(h.session.view.call).toBeDefined();
    h.advance(3_000);
    expect(ws.sent.at(-1)).toEqual({ type: 'call.end', callId: 'c5', reason: 'peer_lost' });
    expect(h.session.view.call).toBeUndefined();
  });

  it('a media path that fails as the citizen hangs up shows the hang-up, not a lost connection', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.connected', callId: 'c6', context });
    await h.media();
    h.peers[0]!.opts.onState('failed');
    ws.receive({ type: 'call.ended', callId: 'c6', reason: 'kiosk_hangup' });
    expect(h.session.view.call).toBeUndefined();
    expect(h.session.view.notice).toEqual({ key: 'agent.notice.ended.kiosk_hangup' });
    h.advance(3_000);
    expect(ws.sent.filter((f) => (f as { type: string }).type === 'call.end')).toEqual([]);
  });

  it('ignores invalid and unexpected frames with a log', async () => {
    const h = harness();
    const ws = await signedIn(h);
    const before = h.session.view;
    ws.receive('not json{');
    ws.receive({ type: 'call.ring', callId: 'c1' });
    ws.receive({ type: 'kiosk.auth', v: 1, kioskId: 'k', secret: 'x'.repeat(20) });
    ws.receive({ type: 'call.ring.cancelled', callId: 'nope', reason: 'timeout' });
    ws.receive({ type: 'signal', callId: 'nope', data: {} });
    expect(h.session.view).toBe(before);
    expect(h.logs.filter((l) => l === 'invalid frame from hub ignored')).toHaveLength(3);
    expect(h.logs).toContain('call.ring.cancelled for another call ignored');
    expect(h.logs).toContain('signal for another call ignored');
    ws.receive({ type: 'call.ring', callId: 'c1', context, timeoutMs: 20_000 });
    ws.receive({ type: 'call.ring', callId: 'c9', context, timeoutMs: 20_000 });
    expect(h.session.view.ring?.callId).toBe('c1');
    expect(h.logs).toContain('call.ring while busy ignored');
  });

  it('reconnects after a drop, re-authenticates and re-announces availability', async () => {
    const h = harness();
    const ws = await signedIn(h);
    h.session.setStatus('available');
    ws.receive({ type: 'call.ring', callId: 'c1', context, timeoutMs: 20_000 });
    ws.drop();
    expect(h.session.view).toMatchObject({ reconnecting: true, phase: 'connecting' });
    expect(h.session.view.ring).toBeUndefined();
    expect(h.ringer.ringing).toBe(false);
    h.advance(500);
    const ws2 = h.ws();
    expect(ws2).not.toBe(ws);
    ws2.open();
    expect(ws2.sent[0]).toEqual({ type: 'agent.auth', v: 1, token: 'token-0123456789' });
    ws2.receive(welcome);
    expect(ws2.sent.at(-1)).toEqual({ type: 'agent.status', status: 'available' });
    expect(h.session.view).toMatchObject({ reconnecting: false, phase: 'available' });
  });

  it('keeps a live call when the hub link drops: the peer stays up and the hub re-attaches it after the reconnect', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.connected', callId: 'c1', context });
    await h.media();
    ws.drop();
    expect(h.peers[0]!.destroyed).toBe(0);
    expect(h.stopped).toEqual([]);
    expect(h.session.view).toMatchObject({ phase: 'in_call', reconnecting: true, call: { callId: 'c1' } });
    h.advance(2_000);
    const ws2 = h.ws();
    expect(ws2).not.toBe(ws);
    ws2.open();
    ws2.receive(welcome);
    ws2.receive({ type: 'call.resume', callId: 'c1', context });
    expect(h.session.view).toMatchObject({ phase: 'in_call', reconnecting: false });
    // The call.resume settled it: no teardown later, and signaling flows on the new socket.
    h.advance(10_000);
    expect(h.peers[0]!.destroyed).toBe(0);
    h.peers[0]!.opts.onSignal({ type: 'offer', sdp: 'v=0 restart' });
    expect(ws2.sent.at(-1)).toEqual({ type: 'signal', callId: 'c1', data: { type: 'offer', sdp: 'v=0 restart' } });
  });

  it('tears the call down when the hub, back online, does not resume it (it ended meanwhile)', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.connected', callId: 'c1', context });
    await h.media();
    ws.drop();
    h.advance(2_000);
    h.ws().open();
    h.ws().receive(welcome);
    h.advance(4_900);
    expect(h.peers[0]!.destroyed).toBe(0);
    h.advance(200);
    expect(h.peers[0]!.destroyed).toBe(1);
    expect(h.stopped).toEqual([h.stream]);
    expect(h.session.view.notice).toEqual({ key: 'agent.notice.connectionLost' });
  });

  it('a call.resume for a call this console does not hold (reloaded page) ends it as lost', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'call.resume', callId: 'c9', context });
    expect(ws.sent.at(-1)).toEqual({ type: 'call.end', callId: 'c9', reason: 'peer_lost' });
    expect(h.session.view.phase).toBe('away');
  });

  it('goes back to login with an expiry message when the token is refused or expired', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'error', code: 'unauthorized', message: 'token expired' });
    expect(h.session.view).toMatchObject({ phase: 'login', loginError: 'agent.login.error.expired' });
    expect(h.storage.size).toBe(0);
    expect(ws.closed).toBe(true);

    const h2 = harness();
    const ws2 = await signedIn(h2);
    h2.advance(601_000);
    ws2.drop();
    expect(h2.session.view).toMatchObject({ phase: 'login', loginError: 'agent.login.error.expired' });
    const sockets = FakeWS.all.length;
    h2.advance(60_000);
    expect(FakeWS.all.length).toBe(sockets);
  });

  it('stops reconnecting when another tab takes over the account (close 4409) or the hub refuses the token (4401)', async () => {
    const h = harness();
    const ws = await signedIn(h);
    ws.receive({ type: 'error', code: 'conflict', message: 'signed in from another connection' });
    ws.drop(4409);
    expect(h.session.view).toMatchObject({ phase: 'login', loginError: 'agent.login.error.replaced', reconnecting: false });
    const sockets = FakeWS.all.length;
    h.advance(60_000);
    expect(FakeWS.all.length).toBe(sockets);

    const h2 = harness();
    const ws2 = await signedIn(h2);
    ws2.drop(4401);
    expect(h2.session.view).toMatchObject({ phase: 'login', loginError: 'agent.login.error.expired' });
  });

  it('resumes from sessionStorage after a reload; logout forgets the token', async () => {
    const h = harness();
    await signedIn(h);
    const saved = [...h.storage.values()][0]!;
    expect(JSON.parse(saved)).toMatchObject({ token: 'token-0123456789' });
    h.session.logout();
    expect(h.session.view.phase).toBe('login');
    expect(h.storage.size).toBe(0);

    const h2 = harness();
    h2.storage.set('visioguichet.agent.session', saved);
    h2.session.start();
    expect(h2.session.view.phase).toBe('connecting');
    h2.ws().open();
    expect(h2.ws().sent[0]).toMatchObject({ type: 'agent.auth', token: 'token-0123456789' });
  });

  it('sends keep-alive pings while connected', async () => {
    const h = harness();
    const ws = await signedIn(h);
    h.advance(20_000);
    expect(ws.types().at(-1)).toBe('ping');
  });
});
