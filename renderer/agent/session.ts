// The agent console's protocol brain, free of DOM so it runs under vitest: login over HTTP, the
// hub WebSocket (auth, status, ring, accept/decline, signaling relay, end), reconnection, and the
// call's media lifecycle. The page (main.ts) only renders `view` and forwards clicks.
import { backoffDelay, rendererReconnect, type BackoffPolicy } from '../../common/backoff';
import type { ServiceDef } from '../../common/config';
import type { MessageKey } from '../../common/i18n';
import { type AgentToHub, type CallContext, type EndReason, HubToAgent, LoginResponse, parseFrame, PROTOCOL_VERSION } from '../../common/protocol';
import type { CallPeer, CallPeerOptions, CallPeerState } from '../shared/peer';

/** What the console shows; also the `data-agent-state` attribute on <body>. */
export type AgentPhase = 'login' | 'connecting' | 'away' | 'available' | 'ringing' | 'accepting' | 'in_call';

export interface RingInfo {
  /** Hub call id. */
  callId: string;
  /** Service, language, appointment code, kiosk and office. */
  context: CallContext;
  /** Epoch ms after which the hub moves the call to another agent. */
  deadline: number;
  /** True once Accept was sent and the hub's answer is pending. */
  accepting: boolean;
}

export interface CallInfo {
  /** Hub call id. */
  callId: string;
  /** The visit's context, still shown during the call. */
  context: CallContext;
  /** Media path state from the peer. */
  peerState: CallPeerState;
  /** Local microphone muted. */
  muted: boolean;
  /** Camera + microphone once acquired. */
  localStream?: MediaStream;
  /** The citizen's media once it arrives. */
  remoteStream?: MediaStream;
}

export interface Notice {
  /** Catalog key of the message. */
  key: MessageKey;
  /** Placeholder values. */
  params?: Record<string, string>;
}

export interface AgentView {
  /** Current screen / state. */
  phase: AgentPhase;
  /** The hub link dropped and a retry is scheduled (shown over any phase). */
  reconnecting: boolean;
  /** Name from the login answer. */
  displayName?: string;
  /** Availability as last set by the agent or reported by the hub. */
  status: 'available' | 'away';
  /** Incoming call, if any. */
  ring?: RingInfo;
  /** Current call, if any. */
  call?: CallInfo;
  /** Why the last login failed (or why the session ended). */
  loginError?: MessageKey;
  /** A login request is in flight. */
  loginBusy: boolean;
  /** Last informational message (ring cancelled, call ended, …). */
  notice?: Notice;
  /** The hub's service catalogue (names of the services in rings and callbacks); empty until it arrives. */
  services: ServiceDef[];
}

/** The slice of the browser WebSocket the session uses (the tests inject a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** The slice of fetch's Response the login uses. */
export interface HttpResponseLike {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
}

export interface AgentSessionDeps {
  /** Hub origin, e.g. `https://hub.example` (the console is served by the hub itself). */
  hubUrl: string;
  /** HTTP client for POST /api/login. */
  fetch(url: string, init: { method: string; headers: Record<string, string>; body: string }): Promise<HttpResponseLike>;
  /** WebSocket constructor. */
  WebSocket: new (url: string) => WebSocketLike;
  /** Creates the WebRTC call leg (renderer/shared/peer.ts in the browser). */
  createPeer(opts: CallPeerOptions): CallPeer;
  /** Opens camera + microphone. */
  acquireMedia(): Promise<MediaStream>;
  /** Stops every track of a stream. */
  stopStream(stream: MediaStream): void;
  /** Audible ring; optional (silent in tests). */
  ringer?: { start(): void; stop(): void };
  /** Clock (epoch ms). */
  now?: () => number;
  /** Timers, injectable for tests. */
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** Where the token survives a page reload (sessionStorage); never localStorage. */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** Protocol oddities and failures; defaults to console.warn. */
  log?: (message: string, detail?: unknown) => void;
  /** Reconnect delays (default the renderers' policy, common/backoff.ts). */
  reconnect?: BackoffPolicy;
  /** [0,1) random source for the reconnect jitter (tests). */
  random?: () => number;
  /** Keep-alive ping period (idle proxies drop silent sockets). */
  pingIntervalMs?: number;
}

const STORAGE_KEY = 'visioguichet.agent.session';
/** Extra time after a ring's deadline before the console drops it on its own (hub is authoritative). */
const RING_GRACE_MS = 5000;
/** How long a failed media path waits for the hub's call.ended before ending the call as lost. */
const PEER_FAILED_GRACE_MS = 3_000;
/**
 * After a reconnect in a call, how long to wait for the hub's call.resume (sent right after welcome)
 * before concluding the hub ended the call meanwhile (its resume window passed, or the citizen hung up).
 */
const RESUME_CONFIRM_MS = 5_000;
const WS_OPEN = 1;
/** Close codes the hub uses (server/sockets.ts CloseCode): token refused, replaced by a newer link. */
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_REPLACED = 4409;

interface Credentials {
  token: string;
  displayName: string;
  expiresAt: number;
}

export class AgentSession {
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly log: (message: string, detail?: unknown) => void;
  private readonly reconnect: BackoffPolicy;
  private readonly listeners = new Set<(view: AgentView) => void>();
  private readonly chatListeners = new Set<(frame: Extract<HubToAgent, { type: 'chat.message' | 'chat.status' }>) => void>();

  private creds: Credentials | undefined;
  private ws: WebSocketLike | undefined;
  private welcomed = false;
  private attempts = 0;
  private reconnectTimer: unknown;
  private pingTimer: unknown;
  private ringTimer: unknown;
  /** Grace after the media path failed: the hub's call.ended (citizen hung up) usually follows. */
  private dropTimer: unknown;
  /** Back online in a call: waiting for the hub's call.resume. */
  private resumeTimer: unknown;
  private iceServers: RTCIceServer[] = [];
  private peer: CallPeer | undefined;
  private pendingSignals: Record<string, unknown>[] = [];
  private warm: { callId: string; stream: Promise<MediaStream> } | undefined;
  /** Calls this console already left (declined, hung up): the hub's echoes about them are expected. */
  private readonly settled: string[] = [];
  private state: AgentView = { phase: 'login', reconnecting: false, status: 'away', loginBusy: false, services: [] };

  constructor(private readonly deps: AgentSessionDeps) {
    this.now = deps.now ?? (() => Date.now());
    this.setTimer = deps.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    this.clearTimer = deps.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));
    this.log = deps.log ?? ((m, d) => console.warn(`[agent] ${m}`, d ?? ''));
    this.reconnect = deps.reconnect ?? rendererReconnect;
  }

  /** The current view; a new object after every change. */
  get view(): AgentView {
    return this.state;
  }

  /** Calls `fn` now and after every change; returns the unsubscribe function. */
  subscribe(fn: (view: AgentView) => void): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  /** Resumes a session saved in sessionStorage (page reload), if still valid. */
  start(): void {
    const saved = this.readStorage();
    if (saved && saved.expiresAt > this.now()) {
      this.creds = saved;
      this.set({ displayName: saved.displayName });
      this.connect();
    } else if (saved) {
      this.deps.storage?.removeItem(STORAGE_KEY);
    }
  }

  /** POST /api/login, then opens the hub link; failures land in `view.loginError`. */
  async login(username: string, password: string): Promise<void> {
    if (this.state.loginBusy || this.creds) return;
    this.set({ loginBusy: true, loginError: undefined, notice: undefined });
    let res: HttpResponseLike;
    try {
      res = await this.deps.fetch(`${this.deps.hubUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
    } catch (err) {
      this.log('login request failed', err instanceof Error ? err.message : err);
      this.set({ loginBusy: false, loginError: 'agent.login.error.network' });
      return;
    }
    if (!res.ok) {
      const key: MessageKey =
        res.status === 401 || res.status === 403 || res.status === 400 ? 'agent.login.error.credentials' : res.status === 429 ? 'agent.login.error.rateLimited' : 'agent.login.error.network';
      this.set({ loginBusy: false, loginError: key });
      return;
    }
    const body = parseFrame(LoginResponse, await res.json().catch(() => undefined));
    if (!body.ok) {
      this.log('invalid login response', body.error);
      this.set({ loginBusy: false, loginError: 'error.generic' });
      return;
    }
    this.creds = { token: body.value.token, displayName: body.value.displayName, expiresAt: this.now() + body.value.expiresInSeconds * 1000 };
    this.deps.storage?.setItem(STORAGE_KEY, JSON.stringify(this.creds));
    this.set({ loginBusy: false, displayName: body.value.displayName, status: 'away' });
    this.connect();
  }

  /** The hub token while signed in (other console panels call the HTTP API with it). */
  get token(): string | undefined {
    return this.creds?.token;
  }

  /** Goes available or away; re-announced automatically after a reconnect. */
  setStatus(status: 'available' | 'away'): void {
    if (!this.creds) return;
    this.set({ status, notice: undefined });
    this.send({ type: 'agent.status', status });
  }

  /** Takes the ringing call; the hub answers with call.connected (or a cancel if someone was faster). */
  accept(): void {
    const ring = this.state.ring;
    if (!ring || ring.accepting) return;
    this.deps.ringer?.stop();
    this.set({ ring: { ...ring, accepting: true } });
    this.send({ type: 'call.accept', callId: ring.callId });
  }

  /** Declines the ringing call; the hub offers it to the next agent. */
  decline(): void {
    const ring = this.state.ring;
    if (!ring || ring.accepting) return;
    this.send({ type: 'call.decline', callId: ring.callId });
    this.settle(ring.callId);
    this.clearRing();
  }

  /** Mutes or unmutes the microphone during a call. */
  setMuted(muted: boolean): void {
    const call = this.state.call;
    if (!call) return;
    this.peer?.setMuted(muted);
    // Before the peer exists (media still opening) mute the tracks directly.
    if (!this.peer) for (const t of call.localStream?.getAudioTracks() ?? []) t.enabled = !muted;
    this.set({ call: { ...call, muted } });
  }

  /** Hangs up: tells the hub (which ends the kiosk side) and tears down at once. */
  endCall(reason: EndReason = 'agent_hangup'): void {
    const call = this.state.call;
    if (!call) return;
    this.send({ type: 'call.end', callId: call.callId, reason });
    this.settle(call.callId);
    this.teardownCall({ key: `agent.notice.ended.${reason}` });
  }

  /** Ends any call, closes the hub link and forgets the token. */
  logout(): void {
    if (this.state.call) this.endCall();
    if (this.state.ring && !this.state.ring.accepting) this.decline();
    this.clearRing();
    this.forget(undefined);
  }

  /** Chat frames from the hub (text in the call); returns the unsubscribe function. */
  onChat(fn: (frame: Extract<HubToAgent, { type: 'chat.message' | 'chat.status' }>) => void): () => void {
    this.chatListeners.add(fn);
    return () => this.chatListeners.delete(fn);
  }

  /** The current call's WebRTC statistics (the quality panel polls it); null outside a call. */
  callStats(): Promise<RTCStatsReport | null> {
    return this.peer?.getStats?.() ?? Promise.resolve(null);
  }

  /** Sends a chat frame; false when the hub link is down (the chat keeps it queued and resends after `welcome`). */
  sendChat(frame: Extract<AgentToHub, { type: 'chat.send' | 'chat.ack' }>): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WS_OPEN || !this.welcomed) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /** Releases timers and the socket (tests, page unload). */
  dispose(): void {
    this.teardownCall(undefined);
    this.clearRing();
    this.closeSocket();
    this.listeners.clear();
    this.chatListeners.clear();
  }

  // ---- hub link --------------------------------------------------------------------------

  private connect(): void {
    this.closeSocket();
    this.welcomed = false;
    const url = `${this.deps.hubUrl.replace(/^http/, 'ws')}/ws`;
    let ws: WebSocketLike;
    try {
      ws = new this.deps.WebSocket(url);
    } catch (err) {
      this.log('websocket failed to open', err instanceof Error ? err.message : err);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.set({});
    ws.onopen = () => {
      if (this.ws !== ws || !this.creds) return;
      this.send({ type: 'agent.auth', v: PROTOCOL_VERSION, token: this.creds.token });
    };
    ws.onmessage = (ev) => {
      if (this.ws === ws) this.onFrame(ev.data);
    };
    ws.onerror = () => {
      // onclose follows and carries the decision; nothing to do here.
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.welcomed = false;
      this.stopPing();
      this.log('hub link closed', `${ev.code} ${ev.reason}`);
      this.onLinkLost(ev.code);
    };
  }

  private onLinkLost(code: number): void {
    // Signaling is not the call: the media flows peer to peer, and the hub keeps the call for its
    // resume window (server/dispatcher.ts), so a connected call goes on while we reconnect.
    this.clearTimer(this.resumeTimer);
    this.resumeTimer = undefined;
    this.clearRing();
    if (!this.creds) return;
    // The same account signed in from another tab or PC: reconnecting would steal the link back
    // and the two consoles would evict each other forever.
    if (code === CLOSE_REPLACED) {
      this.forget('agent.login.error.replaced');
      return;
    }
    if (code === CLOSE_UNAUTHORIZED || this.creds.expiresAt <= this.now()) {
      this.forget('agent.login.error.expired');
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(this.attempts, this.reconnect, this.deps.random);
    this.attempts++;
    this.set({ reconnecting: true });
    this.clearTimer(this.reconnectTimer);
    this.reconnectTimer = this.setTimer(() => {
      this.reconnectTimer = undefined;
      if (this.creds) this.connect();
    }, delay);
  }

  private closeSocket(): void {
    this.clearTimer(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopPing();
    const ws = this.ws;
    this.ws = undefined;
    this.welcomed = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000, 'bye');
      } catch {
        // Already closed.
      }
    }
  }

  /** Signs out locally; `reason` is shown on the login form (e.g. session expired). */
  private forget(reason: MessageKey | undefined): void {
    this.teardownCall(undefined);
    this.clearRing();
    this.closeSocket();
    this.creds = undefined;
    this.attempts = 0;
    this.deps.storage?.removeItem(STORAGE_KEY);
    this.set({ displayName: undefined, status: 'away', reconnecting: false, loginError: reason, notice: undefined });
  }

  private send(msg: AgentToHub): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WS_OPEN) {
      this.log('hub link down, frame dropped', msg.type);
      return;
    }
    ws.send(JSON.stringify(msg));
  }

  private startPing(): void {
    this.stopPing();
    const every = this.deps.pingIntervalMs ?? 20_000;
    const tick = (): void => {
      this.send({ type: 'ping', t: this.now() });
      this.pingTimer = this.setTimer(tick, every);
    };
    this.pingTimer = this.setTimer(tick, every);
  }

  private stopPing(): void {
    this.clearTimer(this.pingTimer);
    this.pingTimer = undefined;
  }

  // ---- frames from the hub -----------------------------------------------------------------

  private onFrame(raw: unknown): void {
    const parsed = parseFrame(HubToAgent, raw);
    if (!parsed.ok) {
      this.log('invalid frame from hub ignored', parsed.error);
      return;
    }
    const msg = parsed.value;
    switch (msg.type) {
      case 'welcome': {
        this.welcomed = true;
        this.attempts = 0;
        this.iceServers = msg.iceServers as RTCIceServer[];
        this.startPing();
        this.set({ reconnecting: false });
        // After a reconnect the hub has forgotten us: say again that we take calls.
        if (this.state.status === 'available') this.send({ type: 'agent.status', status: 'available' });
        const call = this.state.call;
        if (call) {
          // The hub re-attaches a live call right after welcome; silence means it ended it meanwhile.
          this.clearTimer(this.resumeTimer);
          this.resumeTimer = this.setTimer(() => {
            this.resumeTimer = undefined;
            if (this.state.call?.callId !== call.callId) return;
            this.log('the hub did not resume the call', call.callId);
            this.settle(call.callId);
            this.teardownCall({ key: 'agent.notice.connectionLost' });
          }, RESUME_CONFIRM_MS);
        }
        return;
      }
      case 'ice.servers':
        // Fresh TURN credentials (they are short-lived): the next call's peer uses them.
        this.iceServers = msg.iceServers as RTCIceServer[];
        return;
      case 'catalog':
        this.set({ services: msg.services });
        return;
      case 'error': {
        if (msg.code === 'unauthorized') {
          this.log('hub refused the token', msg.message);
          this.forget('agent.login.error.expired');
          return;
        }
        this.log(`hub error ${msg.code}`, msg.message);
        // A lost race for an accepted call comes back as an error: stop waiting for call.connected.
        if (this.state.ring?.accepting) this.clearRing();
        this.set({ notice: { key: 'agent.notice.refused', params: { code: msg.code } } });
        return;
      }
      case 'pong':
        return;
      case 'agent.state':
        if (msg.status === 'available' || msg.status === 'away') this.set({ status: msg.status });
        return;
      case 'call.ring': {
        if (this.state.call || this.state.ring) {
          this.log('call.ring while busy ignored', msg.callId);
          return;
        }
        this.set({ ring: { callId: msg.callId, context: msg.context, deadline: this.now() + msg.timeoutMs, accepting: false }, notice: undefined });
        this.deps.ringer?.start();
        this.warmUpMedia(msg.callId);
        this.clearTimer(this.ringTimer);
        this.ringTimer = this.setTimer(() => {
          if (this.state.ring?.callId === msg.callId) {
            this.log('ring expired without word from the hub', msg.callId);
            this.clearRing();
          }
        }, msg.timeoutMs + RING_GRACE_MS);
        return;
      }
      case 'call.ring.cancelled': {
        if (this.state.ring?.callId !== msg.callId) {
          if (!this.settled.includes(msg.callId)) this.log('call.ring.cancelled for another call ignored', msg.callId);
          return;
        }
        this.clearRing();
        const key: MessageKey = msg.reason === 'timeout' ? 'agent.notice.ringTimeout' : msg.reason === 'declined' ? 'agent.notice.ringDeclined' : 'agent.notice.ringCancelled';
        this.set({ notice: { key } });
        return;
      }
      case 'call.connected':
        if (this.state.call) {
          this.log('call.connected while in a call ignored', msg.callId);
          return;
        }
        this.startCall(msg.callId, msg.context);
        return;
      case 'signal': {
        if (this.state.call?.callId !== msg.callId) {
          // Late ICE candidates after a hang-up are normal; anything else is worth a line in the log.
          if (!this.settled.includes(msg.callId)) this.log('signal for another call ignored', msg.callId);
          return;
        }
        if (this.peer) this.peer.signal(msg.data);
        else this.pendingSignals.push(msg.data);
        return;
      }
      case 'call.resume': {
        if (this.state.call?.callId === msg.callId) {
          this.clearTimer(this.resumeTimer);
          this.resumeTimer = undefined;
          this.log('call resumed after the hub link came back', msg.callId);
          return;
        }
        // A call this page does not hold (the console was reloaded mid-call): its peer is gone with the
        // old page, so the citizen is told the agent was lost and offered the head of the line.
        this.log('call.resume for a call this console does not hold: ending it', msg.callId);
        this.send({ type: 'call.end', callId: msg.callId, reason: 'peer_lost' });
        this.settle(msg.callId);
        return;
      }
      case 'call.ended': {
        if (this.state.call?.callId === msg.callId) {
          this.teardownCall({ key: `agent.notice.ended.${msg.reason}` });
        } else if (this.state.ring?.callId === msg.callId) {
          this.clearRing();
          this.set({ notice: { key: 'agent.notice.ringCancelled' } });
        }
        // Otherwise: the echo of our own hang-up, already torn down.
        return;
      }
      case 'chat.message':
      case 'chat.status':
        // Text in the call: the chat panel (renderer/agent/chat.ts) keeps the conversation.
        for (const fn of this.chatListeners) fn(msg);
        return;
      default: {
        const never: never = msg;
        this.log('unhandled frame', never);
      }
    }
  }

  // ---- call lifecycle --------------------------------------------------------------------

  private startCall(callId: string, context: CallContext): void {
    // The camera opened while the ring was showing is this call's: the citizen sees the agent sooner.
    const warm = this.warm?.callId === callId ? this.warm.stream : undefined;
    this.warm = undefined;
    this.clearRing();
    this.pendingSignals = [];
    this.set({ call: { callId, context, peerState: 'connecting', muted: false }, notice: undefined });
    (warm ?? this.deps.acquireMedia()).then(
      (stream) => {
        const call = this.state.call;
        if (call?.callId !== callId) {
          // The call ended while the camera was opening.
          this.deps.stopStream(stream);
          return;
        }
        for (const t of stream.getAudioTracks()) t.enabled = !call.muted;
        // The peer first, the screen after (below): the offer is not held up by the self-view's render.
        let peer: CallPeer;
        try {
          peer = this.deps.createPeer({
            initiator: true,
            stream,
            iceServers: this.iceServers,
            // An ICE restart an hour into a call needs the TURN credentials of now, not of the call's start.
            currentIceServers: () => this.iceServers,
            onSignal: (data) => {
              if (this.state.call?.callId === callId) this.send({ type: 'signal', callId, data });
            },
            onRemoteStream: (remote) => {
              const c = this.state.call;
              if (c?.callId === callId) this.set({ call: { ...c, remoteStream: remote } });
            },
            onState: (peerState) => {
              const c = this.state.call;
              if (c?.callId !== callId) return;
              this.set({ call: { ...c, peerState } });
              if (peerState === 'failed' && this.dropTimer === undefined) {
                // When the citizen hangs up, our connection can fail before the hub says so: wait
                // for its call.ended (and its reason) before calling it a lost connection.
                this.dropTimer = this.setTimer(() => {
                  this.dropTimer = undefined;
                  if (this.state.call?.callId === callId) this.endCall('peer_lost');
                }, PEER_FAILED_GRACE_MS);
              }
            },
          });
        } catch (err) {
          // No WebRTC in this browser (or a policy blocks it): end cleanly instead of hanging.
          this.log('peer could not be created', err instanceof Error ? err.message : err);
          this.set({ call: { ...call, localStream: stream } });
          this.send({ type: 'call.end', callId, reason: 'error' });
          this.settle(callId);
          this.teardownCall({ key: 'agent.notice.ended.error' });
          return;
        }
        this.peer = peer;
        // Queued behind simple-peer's own negotiation microtask: createOffer is under way (off the
        // main thread) while the self-view renders.
        queueMicrotask(() => {
          const current = this.state.call;
          if (current?.callId === callId) this.set({ call: { ...current, localStream: stream } });
        });
        const pending = this.pendingSignals;
        this.pendingSignals = [];
        for (const data of pending) peer.signal(data);
      },
      (err: unknown) => {
        this.log('camera/microphone unavailable', err instanceof Error ? err.message : err);
        if (this.state.call?.callId !== callId) return;
        this.send({ type: 'call.end', callId, reason: 'error' });
        this.teardownCall({ key: 'agent.notice.mediaDenied' });
      },
    );
  }

  /** Every way out of a call: destroy the peer, stop our tracks, back to the status we had. */
  private teardownCall(notice: Notice | undefined): void {
    this.clearTimer(this.dropTimer);
    this.dropTimer = undefined;
    this.clearTimer(this.resumeTimer);
    this.resumeTimer = undefined;
    const call = this.state.call;
    const peer = this.peer;
    this.peer = undefined;
    this.pendingSignals = [];
    peer?.destroy();
    if (call?.localStream) this.deps.stopStream(call.localStream);
    if (call || notice) this.set({ call: undefined, ...(notice ? { notice } : {}) });
  }

  private settle(callId: string): void {
    this.settled.push(callId);
    if (this.settled.length > 16) this.settled.shift();
  }

  private clearRing(): void {
    this.clearTimer(this.ringTimer);
    this.ringTimer = undefined;
    this.deps.ringer?.stop();
    this.releaseWarmMedia();
    if (this.state.ring) this.set({ ring: undefined });
  }

  /**
   * Opens the camera and microphone while the ring shows, so accepting does not wait for them
   * (they stay local: nothing is sent before the hub confirms the accept). Released with the ring.
   */
  private warmUpMedia(callId: string): void {
    this.releaseWarmMedia();
    const stream = this.deps.acquireMedia();
    stream.catch(() => {}); // a refusal is reported when the call starts and asks again
    this.warm = { callId, stream };
  }

  private releaseWarmMedia(): void {
    const warm = this.warm;
    this.warm = undefined;
    warm?.stream.then((s) => this.deps.stopStream(s), () => {});
  }

  // ---- view ----------------------------------------------------------------------------------

  private set(patch: Partial<AgentView>): void {
    const next = { ...this.state, ...patch };
    next.phase = this.phaseOf(next);
    this.state = next;
    for (const fn of this.listeners) fn(next);
  }

  private phaseOf(v: AgentView): AgentPhase {
    if (!this.creds) return 'login';
    if (v.call) return 'in_call';
    if (v.ring) return v.ring.accepting ? 'accepting' : 'ringing';
    if (!this.welcomed) return 'connecting';
    return v.status;
  }

  private readStorage(): Credentials | undefined {
    try {
      const raw = this.deps.storage?.getItem(STORAGE_KEY);
      if (!raw) return undefined;
      const v = JSON.parse(raw) as Partial<Credentials>;
      if (typeof v.token === 'string' && typeof v.displayName === 'string' && typeof v.expiresAt === 'number') return v as Credentials;
    } catch {
      // Corrupt entry: treat as signed out.
    }
    return undefined;
  }
}
