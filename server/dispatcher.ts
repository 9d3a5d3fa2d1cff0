import { randomUUID } from 'node:crypto';
import type { Language, UiLanguage } from '../common/config';
import type { CallContext, EndReason, HubToAgent, HubToKiosk } from '../common/protocol';
import { ConflictError, ForbiddenError, NotFoundError } from './errors';

/** Opaque handle of a scheduled timer (whatever the injected timer functions return). */
export type TimerHandle = unknown;

/** Agent presence as the console shows it. */
export type AgentStatus = 'available' | 'away' | 'ringing' | 'in_call';

/** Where the dispatcher writes the calls log (the hub wires it to SQLite; failures must not throw back). */
export interface CallLogSink {
  /** A kiosk asked for a call. */
  requested(c: { callId: string; kioskId: string; service: string; language: string; hasAppointment: boolean; requestedAt: number }): void;
  /** An agent took it. */
  accepted(callId: string, agentId: string, at: number): void;
  /** The call is over, whatever the reason. */
  ended(callId: string, e: { endedAt: number; outcome: EndReason; waitMs: number; durationMs: number | null }): void;
}

/** A connected call as the hub's database keeps it, so a restarted hub resumes it (server/calls/live-store.ts). */
export interface LiveCallRecord {
  /** Hub call id. */
  callId: string;
  /** The kiosk that placed it. */
  kioskId: string;
  /** The agent who took it. */
  agentId: string;
  /** The agent's display name (sent again to the kiosk in call.resume). */
  agentName: string;
  /** The visit context the agent sees (service, language, flags, attempt). */
  context: CallContext;
  /** When the kiosk asked (epoch ms). */
  requestedAt: number;
  /** When the agent accepted (epoch ms). */
  acceptedAt: number;
}

/** Where the dispatcher keeps connected calls across a hub restart (failures must not throw back). */
export interface LiveCallSink {
  /** A call became connected. */
  saved(call: LiveCallRecord): void;
  /** A connected call ended. */
  removed(callId: string): void;
}

/**
 * 60 s: how long a connected call whose party lost its hub link (or whose hub restarted) is kept for that
 * party to come back. The media flows peer to peer meanwhile; past it, the other side is told peer_lost.
 * The kiosk's own media window (common/session/types.ts CALL_RECOVERY_MS, 65 s) is longer on purpose.
 */
export const RESUME_WINDOW_MS = 60_000;
/** How long a lost call can be taken back at the head of its line (the citizen reads, chooses, checks the camera). */
export const REQUEUE_WINDOW_MS = 10 * 60_000;
/** Signals held for a party that is reconnecting (an ICE restart's offer and candidates); the oldest go first. */
const MAX_HELD_SIGNALS = 64;

/** Everything the dispatcher touches outside itself: clock, timers, outgoing frames, log. */
export interface DispatcherDeps {
  /** Epoch ms. */
  now: () => number;
  /** Schedules `fn` after `ms`. */
  setTimer: (fn: () => void, ms: number) => TimerHandle;
  /** Cancels a timer from setTimer (idempotent). */
  clearTimer: (handle: TimerHandle) => void;
  /** Sends one frame to a kiosk connection. */
  sendToKiosk: (conn: string, msg: HubToKiosk) => void;
  /** Sends one frame to an agent connection. */
  sendToAgent: (conn: string, msg: HubToAgent) => void;
  /** Calls log; optional. */
  log?: CallLogSink;
  /** How long one agent rings before the call moves on (ms). */
  ringTimeoutMs: number;
  /** After declining, an agent is rung again for the same call only if nobody else is free and this long has passed (ms); default = ringTimeoutMs. */
  declineCooldownMs?: number;
  /** Handle-time assumption before any call has ended (ms); default 5 min. */
  defaultHandleMs?: number;
  /** Call ids; default random UUIDs (tests inject a counter). */
  newCallId?: () => string;
  /** Connected calls in the hub's database; optional. */
  live?: LiveCallSink;
  /** How long a detached party of a connected call may take to come back (ms); default RESUME_WINDOW_MS. */
  resumeWindowMs?: number;
}

/** Who an authenticated agent connection is. */
export interface AgentInfo {
  /** Account id. */
  agentId: string;
  /** Name shown to the citizen. */
  displayName: string;
  /** Services answered; null = all. */
  services: readonly string[] | null;
  /** Languages answered; null = all. */
  languages: readonly string[] | null;
}

/** Who an authenticated kiosk connection is. */
export interface KioskInfo {
  /** Kiosk id. */
  kioskId: string;
  /** Kiosk name shown to agents. */
  name: string;
  /** Office shown to agents. */
  office: string;
}

/** A kiosk's call request (already validated against the protocol). */
export interface CallRequestInput {
  /** Kiosk-chosen id echoed in call.queued. */
  requestId: string;
  /** Service id. */
  service: string;
  /** Citizen's language. */
  language: Language;
  /** Appointment code, if the citizen typed one. */
  appointmentCode?: string;
  /** The citizen asked for text first (deaf or hard of hearing); shown to the agent. */
  textFirst?: boolean;
  /** Language of the kiosk's screens; when it is not the call's, the agent is told an interpreter is needed. */
  uiLanguage?: UiLanguage;
  /** The citizen's camera is off: the agent sees "Appel audio seulement". */
  audioOnly?: boolean;
  /** Call request revision (protocol CALL_REQUEST_REVISION): 2 = the kiosk reads `noAgent` / a null estimate. */
  v?: number;
  /** The call this kiosk lost mid-call: the new one goes to the head of the same line. */
  requeueOf?: string;
}

/** Where a waiting kiosk stands: 1-based position; estimate null when no agent who serves the line is available. */
export interface LineInfo {
  /** 1-based place in its queue. */
  position: number;
  /** Seconds, or null when nobody can answer now. */
  estimateSeconds: number | null;
  /** No agent who serves this queue is staffed (all away or signed out). */
  noAgent: boolean;
}

interface AgentEntry {
  conn: string;
  info: AgentInfo;
  status: AgentStatus;
  /** When the agent last became free (went available or finished a call): longest idle rings first. */
  idleSince: number;
  /** Join order, to break idle-time ties deterministically. */
  seq: number;
  callId: string | undefined;
  /** Status to return to when the current call ends (an agent may ask to go away mid-call). */
  afterCall: 'available' | 'away';
}

interface KioskEntry {
  conn: string;
  info: KioskInfo;
  callId: string | undefined;
}

interface CallEntry {
  callId: string;
  requestId: string;
  /** Undefined while the kiosk is reconnecting (connected calls only). */
  kioskConn: string | undefined;
  kioskId: string;
  queueKey: string;
  context: CallContext;
  requestedAt: number;
  seq: number;
  state: 'waiting' | 'ringing' | 'connected';
  ringAgent: string | undefined;
  ringTimer: TimerHandle | undefined;
  retryTimer: TimerHandle | undefined;
  /** Undefined until accepted, and while the agent is reconnecting. */
  agentConn: string | undefined;
  agentId: string | undefined;
  agentName: string | undefined;
  acceptedAt: number | undefined;
  /** Runs while a party of a connected call is detached; at the end the call is lost. */
  detachTimer: TimerHandle | undefined;
  /** Signals for a detached party, delivered when it comes back. */
  heldForKiosk: Record<string, unknown>[];
  heldForAgent: Record<string, unknown>[];
  /** agentId → when they declined (or let it ring out). */
  declined: Map<string, number>;
  /** The kiosk reads null estimates and `noAgent` (call request revision 2). */
  readsNoAgent: boolean;
  lastSent: LineInfo | undefined;
}

/** A read-only view for health endpoints and tests. */
export interface DispatcherSnapshot {
  /** Connected agents, by connection. */
  agents: { conn: string; agentId: string; status: AgentStatus; idleSince: number; callId: string | undefined }[];
  /** Waiting calls per `service/language` queue, in line order. */
  queues: Record<string, string[]>;
  /** Calls in progress (connected). */
  connected: string[];
}

const HANDLE_WINDOW = 20;
/** Per-queue handle times are trusted once a queue has this many; before that the hub-wide mean is used. */
const QUEUE_HANDLE_MIN = 3;

/**
 * Call distribution, without sockets: a queue per (service, language); the longest-idle available
 * agent who serves that queue is rung, one agent at a time; a ring that times out or is declined
 * moves to the next agent; waiting kiosks hear about every change of position or estimate.
 *
 * Policies (documented in the README):
 * - Across queues, waiting calls are served in arrival order (a free agent takes the oldest call
 *   they can serve).
 * - An agent who lets a ring time out is set to `away` (contact centres' "redirect on no answer"):
 *   they are probably not at their desk, and ringing them again would only delay the citizen.
 * - An agent who declines a call is not rung again for that call while another eligible agent is
 *   free; if nobody else is, they are rung again once `declineCooldownMs` has passed.
 * - Estimate = position × rolling mean handle time of that queue (last 20 calls; the hub-wide mean
 *   until the queue has 3; 5 min before any call ended) ÷ agents who serve that queue (service and
 *   call language) and are staffed (available, ringing or in a call; not away, not signed out).
 *   With none, the kiosk is told `noAgent` (estimate null) rather than a number nobody will honour.
 *
 * Methods throw HubError subclasses (forbidden, not_found, conflict) for requests a party may not
 * make; state is unchanged when they do.
 */
export class Dispatcher {
  private readonly agents = new Map<string, AgentEntry>();
  private readonly kiosks = new Map<string, KioskEntry>();
  private readonly calls = new Map<string, CallEntry>();
  /** queueKey → call ids waiting, in arrival order. */
  private readonly queues = new Map<string, string[]>();
  private readonly handleTimes: number[] = [];
  /** queueKey → recent handle times of that queue (same window). */
  private readonly queueHandleTimes = new Map<string, number[]>();
  private seq = 0;
  private readonly declineCooldownMs: number;
  private readonly defaultHandleMs: number;
  private readonly newCallId: () => string;
  private readonly resumeWindowMs: number;
  private disposed = false;
  /**
   * Connected calls that ended while one party was reconnecting ('k:<kioskId>' / 'a:<agentId>'): that party
   * hears call.ended when it is back, instead of holding a call nobody else has.
   */
  private readonly endedWhileAway = new Map<string, { callId: string; reason: EndReason; at: number }>();
  /** Calls lost mid-call (agent gone, media lost) whose citizen may take the head of the line again. */
  private readonly lostCalls = new Map<string, { kioskId: string; queueKey: string; seq: number; attempt: number; at: number }>();

  constructor(private readonly deps: DispatcherDeps) {
    this.resumeWindowMs = deps.resumeWindowMs ?? RESUME_WINDOW_MS;
    this.declineCooldownMs = deps.declineCooldownMs ?? deps.ringTimeoutMs;
    this.defaultHandleMs = deps.defaultHandleMs ?? 5 * 60_000;
    this.newCallId = deps.newCallId ?? randomUUID;
  }

  // ---- presence ---------------------------------------------------------------------------

  /** An agent connection authenticated; it starts `away` until the agent says otherwise. */
  agentJoined(conn: string, info: AgentInfo): void {
    if (this.agents.has(conn)) throw new ConflictError('agent connection already joined');
    const agent: AgentEntry = { conn, info, status: 'away', idleSince: this.deps.now(), seq: this.seq++, callId: undefined, afterCall: 'available' };
    this.agents.set(conn, agent);
    this.deps.sendToAgent(conn, { type: 'agent.state', status: 'away' });
    // Back from a cut link or a hub restart with a call still live: re-attach it to this connection.
    const call = [...this.calls.values()].find((c) => c.state === 'connected' && c.agentId === info.agentId);
    if (call) {
      const old = call.agentConn !== undefined ? this.agents.get(call.agentConn) : undefined;
      if (old && old.callId === call.callId) old.callId = undefined; // its close will find nothing to detach
      call.agentConn = conn;
      agent.callId = call.callId;
      agent.status = 'in_call';
      this.deps.sendToAgent(conn, { type: 'agent.state', status: 'in_call' });
      this.deps.sendToAgent(conn, { type: 'call.resume', callId: call.callId, context: call.context });
      for (const data of call.heldForAgent.splice(0)) this.deps.sendToAgent(conn, { type: 'signal', callId: call.callId, data });
      this.reattached(call);
    }
    const ended = this.takeEndedWhileAway(`a:${info.agentId}`);
    if (ended) this.deps.sendToAgent(conn, { type: 'call.ended', callId: ended.callId, reason: ended.reason });
    this.refresh();
  }

  /**
   * An agent connection closed: a ring moves on; a connected call is kept for the resume window (the
   * media does not need the hub), and ends with `peer_lost` for the kiosk if the agent does not come back.
   */
  agentLeft(conn: string): void {
    const agent = this.agents.get(conn);
    if (!agent) return;
    const call = agent.callId ? this.calls.get(agent.callId) : undefined;
    this.agents.delete(conn);
    if (call?.state === 'ringing' && call.ringAgent === conn) {
      this.stopRing(call, undefined);
    } else if (call?.state === 'connected' && call.agentConn === conn) {
      call.agentConn = undefined;
      this.detached(call);
    }
    this.refresh();
  }

  /** A kiosk connection authenticated; a connected call of this kiosk (cut link, restarted hub) is re-attached to it. */
  kioskJoined(conn: string, info: KioskInfo): void {
    if (this.kiosks.has(conn)) throw new ConflictError('kiosk connection already joined');
    const kiosk: KioskEntry = { conn, info, callId: undefined };
    this.kiosks.set(conn, kiosk);
    const ended = this.takeEndedWhileAway(`k:${info.kioskId}`);
    if (ended) this.deps.sendToKiosk(conn, { type: 'call.ended', callId: ended.callId, reason: ended.reason });
    const call = [...this.calls.values()].find((c) => c.state === 'connected' && c.kioskId === info.kioskId);
    if (!call) return;
    const old = call.kioskConn !== undefined ? this.kiosks.get(call.kioskConn) : undefined;
    if (old && old.callId === call.callId) old.callId = undefined;
    call.kioskConn = conn;
    kiosk.callId = call.callId;
    this.deps.sendToKiosk(conn, { type: 'call.resume', callId: call.callId, agentName: call.agentName ?? '' });
    for (const data of call.heldForKiosk.splice(0)) this.deps.sendToKiosk(conn, { type: 'signal', callId: call.callId, data });
    this.reattached(call);
  }

  /**
   * A kiosk connection closed: a call still in line ends with `peer_lost` (the kiosk's screen already
   * said the service is unreachable); a connected call is kept for the resume window, like an agent's.
   */
  kioskLeft(conn: string): void {
    const kiosk = this.kiosks.get(conn);
    if (!kiosk) return;
    const call = kiosk.callId ? this.calls.get(kiosk.callId) : undefined;
    this.kiosks.delete(conn);
    if (!call) return;
    if (call.state === 'connected') {
      if (call.kioskConn === conn) {
        call.kioskConn = undefined;
        this.detached(call);
      }
      return;
    }
    this.finish(call, 'peer_lost');
  }

  /**
   * Connected calls from the hub's database after a restart: both parties are detached until they
   * reconnect (kiosk with its key, agent with its token), each within the resume window. Returns how many.
   */
  restore(records: readonly LiveCallRecord[]): number {
    let n = 0;
    for (const r of records) {
      if (this.calls.has(r.callId)) continue;
      const call: CallEntry = {
        callId: r.callId, requestId: r.callId, kioskConn: undefined, kioskId: r.kioskId, queueKey: `${r.context.service}/${r.context.language}`, context: r.context,
        requestedAt: r.requestedAt, seq: this.seq++, state: 'connected', ringAgent: undefined, ringTimer: undefined, retryTimer: undefined,
        agentConn: undefined, agentId: r.agentId, agentName: r.agentName, acceptedAt: r.acceptedAt, detachTimer: undefined, heldForKiosk: [], heldForAgent: [],
        declined: new Map(), readsNoAgent: true, lastSent: undefined,
      };
      this.calls.set(call.callId, call);
      this.detached(call);
      n++;
    }
    return n;
  }

  /** Available / away. While ringing, `away` declines; while in a call, it applies when the call ends. */
  setAgentStatus(conn: string, status: 'available' | 'away'): void {
    const agent = this.requireAgent(conn);
    if (agent.status === 'in_call') {
      agent.afterCall = status;
    } else if (agent.status === 'ringing') {
      const call = this.calls.get(agent.callId ?? '');
      if (status === 'away' && call) {
        this.declineRing(call, agent, 'away'); // tells the agent itself
        this.refresh();
        return;
      }
    } else if (agent.status !== status) {
      agent.status = status;
      if (status === 'available') agent.idleSince = this.deps.now();
    }
    this.deps.sendToAgent(conn, { type: 'agent.state', status: agent.status });
    this.refresh();
  }

  // ---- calls ------------------------------------------------------------------------------

  /** A kiosk asks for an agent; answers `call.queued` and returns the call id. One call per kiosk at a time. */
  requestCall(conn: string, req: CallRequestInput): string {
    const kiosk = this.kiosks.get(conn);
    if (!kiosk) throw new ForbiddenError('only a kiosk can request a call');
    if (kiosk.callId) throw new ConflictError('this kiosk already has a call in progress');
    const callId = this.newCallId();
    if (this.calls.has(callId)) throw new ConflictError('duplicate call id');
    const now = this.deps.now();
    const context: CallContext = {
      service: req.service, language: req.language, kioskName: kiosk.info.name, office: kiosk.info.office,
      ...(req.appointmentCode ? { appointmentCode: req.appointmentCode } : {}),
      ...(req.textFirst ? { textFirst: true } : {}),
    };
    // A citizen who reads another language is queued in the call's language; the agent brings an interpreter.
    if (req.uiLanguage && req.uiLanguage !== req.language) context.interpreter = req.uiLanguage;
    if (req.audioOnly) context.audioOnly = true;
    const queueKey = `${req.service}/${req.language}`;
    // A citizen whose call was lost goes back to the head of the same line (not to its end), once.
    this.pruneLost(now);
    const lost = req.requeueOf !== undefined ? this.lostCalls.get(req.requeueOf) : undefined;
    const requeue = lost !== undefined && lost.kioskId === kiosk.info.kioskId && lost.queueKey === queueKey;
    let seq = this.seq++;
    if (requeue) {
      this.lostCalls.delete(req.requeueOf!);
      context.attempt = lost.attempt + 1;
      const waiting = [...this.calls.values()].filter((c) => c.state !== 'connected').map((c) => c.seq);
      seq = Math.min(lost.seq, ...waiting) - 1;
    }
    const call: CallEntry = {
      callId, requestId: req.requestId, kioskConn: conn, kioskId: kiosk.info.kioskId, queueKey, context, requestedAt: now, seq,
      state: 'waiting', ringAgent: undefined, ringTimer: undefined, retryTimer: undefined, agentConn: undefined, agentId: undefined, agentName: undefined,
      acceptedAt: undefined, detachTimer: undefined, heldForKiosk: [], heldForAgent: [], declined: new Map(), readsNoAgent: (req.v ?? 1) >= 2, lastSent: undefined,
    };
    this.calls.set(callId, call);
    kiosk.callId = callId;
    const queue = this.queues.get(queueKey) ?? [];
    if (requeue) queue.unshift(callId);
    else queue.push(callId);
    this.queues.set(queueKey, queue);
    this.safeLog(() => this.deps.log?.requested({ callId, kioskId: kiosk.info.kioskId, service: req.service, language: req.language, hasAppointment: !!req.appointmentCode, requestedAt: now }));
    const line = this.lineOf(call);
    call.lastSent = line;
    this.deps.sendToKiosk(conn, { type: 'call.queued', callId, requestId: req.requestId, ...this.lineFrame(call, line) });
    this.refresh();
    return callId;
  }

  /** The kiosk withdraws its call (citizen pressed Annuler); answers `call.ended` (cancelled). */
  cancelCall(conn: string, callId: string): void {
    const call = this.requireCall(callId);
    if (call.kioskConn !== conn) throw new ForbiddenError('not your call');
    this.finish(call, 'cancelled');
  }

  /** The rung agent takes the call: `call.accepted` to the kiosk first, then `call.connected` to the agent (the WebRTC initiator). */
  accept(conn: string, callId: string): void {
    const agent = this.requireAgent(conn);
    const call = this.requireCall(callId);
    if (call.state !== 'ringing' || call.ringAgent !== conn) throw new ForbiddenError('this call is not ringing you');
    const now = this.deps.now();
    this.clearCallTimers(call);
    this.removeFromQueue(call);
    call.state = 'connected';
    call.ringAgent = undefined;
    call.agentConn = conn;
    call.agentId = agent.info.agentId;
    call.agentName = agent.info.displayName;
    call.acceptedAt = now;
    agent.status = 'in_call';
    agent.afterCall = 'available';
    this.safeLog(() => this.deps.log?.accepted(callId, agent.info.agentId, now));
    this.safeLog(() =>
      this.deps.live?.saved({ callId, kioskId: call.kioskId, agentId: agent.info.agentId, agentName: agent.info.displayName, context: call.context, requestedAt: call.requestedAt, acceptedAt: now }),
    );
    if (call.kioskConn !== undefined) this.deps.sendToKiosk(call.kioskConn, { type: 'call.accepted', callId, agentName: agent.info.displayName });
    this.deps.sendToAgent(conn, { type: 'call.connected', callId, context: call.context });
    this.deps.sendToAgent(conn, { type: 'agent.state', status: 'in_call' });
    this.refresh();
  }

  /** The rung agent refuses; the call rings the next agent (see the class comment for re-ringing). */
  decline(conn: string, callId: string): void {
    const agent = this.requireAgent(conn);
    const call = this.requireCall(callId);
    if (call.state !== 'ringing' || call.ringAgent !== conn) throw new ForbiddenError('this call is not ringing you');
    this.declineRing(call, agent, 'available');
    this.refresh();
  }

  /** Either party hangs up (a kiosk may also end a call still waiting): `call.ended` to both. */
  endCall(conn: string, callId: string, reason: EndReason): void {
    const call = this.requireCall(callId);
    const isKiosk = call.kioskConn === conn;
    const isAgent = call.state === 'connected' && call.agentConn === conn;
    if (!isKiosk && !isAgent) throw new ForbiddenError('not a party to this call');
    this.finish(call, reason);
  }

  /**
   * Routes a WebRTC signal to the other party of a connected call; throws if not allowed. A party that is
   * reconnecting gets it on its return (an ICE restart's offer must not be lost to a blip of the hub link).
   */
  relaySignal(conn: string, callId: string, data: Record<string, unknown>): void {
    const call = this.requireCall(callId);
    if (call.state !== 'connected') throw new ForbiddenError('signaling is only allowed in an accepted call');
    if (call.kioskConn === conn) {
      if (call.agentConn !== undefined) this.deps.sendToAgent(call.agentConn, { type: 'signal', callId, data });
      else hold(call.heldForAgent, data);
    } else if (call.agentConn === conn) {
      if (call.kioskConn !== undefined) this.deps.sendToKiosk(call.kioskConn, { type: 'signal', callId, data });
      else hold(call.heldForKiosk, data);
    } else throw new ForbiddenError('not a party to this call');
  }

  /** The other party of a connected call for `conn` (text relay, server/chat.ts); throws like relaySignal when not allowed. */
  peerOf(conn: string, callId: string): { conn: string; role: 'kiosk' | 'agent' } {
    const call = this.requireCall(callId);
    if (call.state !== 'connected') throw new ForbiddenError('text is only relayed in an accepted call');
    const isKiosk = call.kioskConn === conn;
    if (!isKiosk && call.agentConn !== conn) throw new ForbiddenError('not a party to this call');
    const other = isKiosk ? call.agentConn : call.kioskConn;
    // Text is not held like signals: the sender is told it was refused and keeps it.
    if (other === undefined) throw new ForbiddenError('the other party is reconnecting');
    return { conn: other, role: isKiosk ? 'agent' : 'kiosk' };
  }

  /** Current state, for health endpoints and tests. */
  snapshot(): DispatcherSnapshot {
    return {
      agents: [...this.agents.values()].map((a) => ({ conn: a.conn, agentId: a.info.agentId, status: a.status, idleSince: a.idleSince, callId: a.callId })),
      queues: Object.fromEntries([...this.queues].filter(([, q]) => q.length > 0).map(([k, q]) => [k, [...q]])),
      connected: [...this.calls.values()].filter((c) => c.state === 'connected').map((c) => c.callId),
    };
  }

  /**
   * How many entries each of the dispatcher's collections holds (memory tests: everything a visit
   * adds must be gone after it; per-queue handle times are bounded by the number of queues).
   */
  sizes(): { agents: number; kiosks: number; calls: number; queues: number; handleTimes: number; queueHandleTimes: number } {
    return {
      agents: this.agents.size,
      kiosks: this.kiosks.size,
      calls: this.calls.size,
      queues: this.queues.size,
      handleTimes: this.handleTimes.length,
      queueHandleTimes: this.queueHandleTimes.size,
    };
  }

  /** Stops every timer (hub shutdown); the sockets' closes that follow arm none (live calls stay stored for the next start). */
  dispose(): void {
    this.disposed = true;
    for (const call of this.calls.values()) this.clearCallTimers(call);
  }

  // ---- internals --------------------------------------------------------------------------

  private requireAgent(conn: string): AgentEntry {
    const agent = this.agents.get(conn);
    if (!agent) throw new ForbiddenError('only an agent can do this');
    return agent;
  }

  private requireCall(callId: string): CallEntry {
    const call = this.calls.get(callId);
    if (!call) throw new NotFoundError('no such call');
    return call;
  }

  private canServe(agent: AgentEntry, call: CallEntry): boolean {
    const { services, languages } = agent.info;
    return (!services || services.includes(call.context.service)) && (!languages || languages.includes(call.context.language));
  }

  /**
   * Ends a ring without the call being taken; the agent goes to `then`. `reason` undefined = the
   * agent is gone (nothing to tell them).
   */
  private stopRing(call: CallEntry, reason: 'timeout' | 'cancelled' | 'declined' | undefined, then: 'available' | 'away' = 'available'): void {
    if (call.ringTimer !== undefined) this.deps.clearTimer(call.ringTimer);
    call.ringTimer = undefined;
    const agent = call.ringAgent ? this.agents.get(call.ringAgent) : undefined;
    call.ringAgent = undefined;
    call.state = 'waiting';
    if (!agent) return;
    agent.callId = undefined;
    agent.status = then;
    if (reason) {
      this.deps.sendToAgent(agent.conn, { type: 'call.ring.cancelled', callId: call.callId, reason });
      this.deps.sendToAgent(agent.conn, { type: 'agent.state', status: then });
    }
  }

  private declineRing(call: CallEntry, agent: AgentEntry, then: 'available' | 'away'): void {
    this.stopRing(call, 'declined', then);
    call.declined.set(agent.info.agentId, this.deps.now());
    // Wake up when the cooldown ends, in case this agent is the only one left for this call.
    if (call.retryTimer !== undefined) this.deps.clearTimer(call.retryTimer);
    call.retryTimer = this.deps.setTimer(() => {
      call.retryTimer = undefined;
      this.refresh();
    }, this.declineCooldownMs);
  }

  private ringTimedOut(callId: string, conn: string): void {
    const call = this.calls.get(callId);
    if (!call || call.state !== 'ringing' || call.ringAgent !== conn) return;
    call.ringTimer = undefined;
    const agent = this.agents.get(conn);
    this.stopRing(call, 'timeout', 'away');
    if (agent) call.declined.set(agent.info.agentId, this.deps.now());
    this.refresh();
  }

  /** A party of a connected call lost its link: the call waits for it (the media goes on without the hub). */
  private detached(call: CallEntry): void {
    if (call.detachTimer !== undefined || this.disposed) return;
    call.detachTimer = this.deps.setTimer(() => {
      call.detachTimer = undefined;
      if (this.calls.get(call.callId) !== call) return;
      if (call.kioskConn !== undefined && call.agentConn !== undefined) return;
      this.finish(call, 'peer_lost');
    }, this.resumeWindowMs);
  }

  /** Both parties are back: the resume window stops. */
  private reattached(call: CallEntry): void {
    if (call.kioskConn === undefined || call.agentConn === undefined || call.detachTimer === undefined) return;
    this.deps.clearTimer(call.detachTimer);
    call.detachTimer = undefined;
  }

  private takeEndedWhileAway(key: string): { callId: string; reason: EndReason } | undefined {
    const now = this.deps.now();
    for (const [k, e] of this.endedWhileAway) if (now - e.at > this.resumeWindowMs) this.endedWhileAway.delete(k);
    const e = this.endedWhileAway.get(key);
    this.endedWhileAway.delete(key);
    return e;
  }

  private pruneLost(now: number): void {
    for (const [id, l] of this.lostCalls) if (now - l.at > REQUEUE_WINDOW_MS) this.lostCalls.delete(id);
    // Bounded whatever the clock: the oldest go first.
    while (this.lostCalls.size > 1000) this.lostCalls.delete(this.lostCalls.keys().next().value as string);
  }

  private finish(call: CallEntry, reason: EndReason): void {
    const now = this.deps.now();
    if (call.state === 'ringing') this.stopRing(call, 'cancelled');
    this.clearCallTimers(call);
    this.removeFromQueue(call);
    this.calls.delete(call.callId);
    if (call.state === 'connected') {
      this.safeLog(() => this.deps.live?.removed(call.callId));
      // A party still reconnecting is told when it comes back (within the resume window).
      if (call.kioskConn === undefined) this.endedWhileAway.set(`k:${call.kioskId}`, { callId: call.callId, reason, at: now });
      if (call.agentConn === undefined && call.agentId !== undefined) this.endedWhileAway.set(`a:${call.agentId}`, { callId: call.callId, reason, at: now });
      // Lost mid-call (agent gone, media lost, hub verdict): the citizen may take the head of the line again.
      if (reason === 'peer_lost' || reason === 'error') {
        this.pruneLost(now);
        this.lostCalls.set(call.callId, { kioskId: call.kioskId, queueKey: call.queueKey, seq: call.seq, attempt: call.context.attempt ?? 1, at: now });
      }
    }
    const kiosk = call.kioskConn !== undefined ? this.kiosks.get(call.kioskConn) : undefined;
    if (kiosk?.callId === call.callId) kiosk.callId = undefined;
    const agent = call.agentConn ? this.agents.get(call.agentConn) : undefined;
    if (agent && agent.callId === call.callId) {
      agent.callId = undefined;
      agent.status = agent.afterCall;
      agent.afterCall = 'available';
      agent.idleSince = now;
    }
    let durationMs: number | null = null;
    if (call.acceptedAt !== undefined) {
      durationMs = now - call.acceptedAt;
      this.handleTimes.push(durationMs);
      if (this.handleTimes.length > HANDLE_WINDOW) this.handleTimes.shift();
      const own = this.queueHandleTimes.get(call.queueKey) ?? [];
      own.push(durationMs);
      if (own.length > HANDLE_WINDOW) own.shift();
      this.queueHandleTimes.set(call.queueKey, own);
    }
    const waitMs = (call.acceptedAt ?? now) - call.requestedAt;
    this.safeLog(() => this.deps.log?.ended(call.callId, { endedAt: now, outcome: reason, waitMs, durationMs }));
    if (kiosk) this.deps.sendToKiosk(kiosk.conn, { type: 'call.ended', callId: call.callId, reason });
    if (agent) {
      this.deps.sendToAgent(agent.conn, { type: 'call.ended', callId: call.callId, reason });
      this.deps.sendToAgent(agent.conn, { type: 'agent.state', status: agent.status });
    }
    this.refresh();
  }

  private clearCallTimers(call: CallEntry): void {
    if (call.ringTimer !== undefined) this.deps.clearTimer(call.ringTimer);
    if (call.retryTimer !== undefined) this.deps.clearTimer(call.retryTimer);
    if (call.detachTimer !== undefined) this.deps.clearTimer(call.detachTimer);
    call.ringTimer = undefined;
    call.retryTimer = undefined;
    call.detachTimer = undefined;
  }

  private removeFromQueue(call: CallEntry): void {
    const queue = this.queues.get(call.queueKey);
    if (!queue) return;
    const i = queue.indexOf(call.callId);
    if (i >= 0) queue.splice(i, 1);
    if (queue.length === 0) this.queues.delete(call.queueKey);
  }

  /** Rings whoever can be rung, then tells waiting kiosks what changed. */
  private refresh(): void {
    this.distribute();
    this.pushQueueUpdates();
  }

  private distribute(): void {
    const waiting = [...this.calls.values()].filter((c) => c.state === 'waiting').sort((a, b) => a.seq - b.seq);
    for (const call of waiting) {
      const agent = this.pickAgent(call);
      if (agent) this.ring(call, agent);
    }
  }

  private pickAgent(call: CallEntry): AgentEntry | undefined {
    const now = this.deps.now();
    const eligible = [...this.agents.values()].filter((a) => a.status === 'available' && this.canServe(a, call));
    const fresh = eligible.filter((a) => !call.declined.has(a.info.agentId));
    const pool = fresh.length > 0 ? fresh : eligible.filter((a) => now - (call.declined.get(a.info.agentId) ?? 0) >= this.declineCooldownMs);
    return pool.sort((a, b) => a.idleSince - b.idleSince || a.seq - b.seq)[0];
  }

  private ring(call: CallEntry, agent: AgentEntry): void {
    call.state = 'ringing';
    call.ringAgent = agent.conn;
    agent.status = 'ringing';
    agent.callId = call.callId;
    const { ringTimeoutMs } = this.deps;
    call.ringTimer = this.deps.setTimer(() => this.ringTimedOut(call.callId, agent.conn), ringTimeoutMs);
    this.deps.sendToAgent(agent.conn, { type: 'call.ring', callId: call.callId, context: call.context, timeoutMs: ringTimeoutMs });
    this.deps.sendToAgent(agent.conn, { type: 'agent.state', status: 'ringing' });
  }

  /** Where a call stands in its queue, and the estimate from the agents who can answer it now. */
  private lineOf(call: CallEntry): LineInfo {
    const queue = this.queues.get(call.queueKey) ?? [];
    const position = queue.indexOf(call.callId) + 1;
    const staffed = [...this.agents.values()].filter((a) => a.status !== 'away' && this.canServe(a, call)).length;
    if (staffed === 0) return { position, estimateSeconds: null, noAgent: true };
    return { position, estimateSeconds: Math.round((position * this.handleMsOf(call.queueKey)) / staffed / 1000), noAgent: false };
  }

  /** Mean recent handle time of a queue; the hub-wide one while the queue has too few; the default before any. */
  private handleMsOf(queueKey: string): number {
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const own = this.queueHandleTimes.get(queueKey);
    if (own && own.length >= QUEUE_HANDLE_MIN) return mean(own);
    return this.handleTimes.length > 0 ? mean(this.handleTimes) : this.defaultHandleMs;
  }

  /**
   * The line as the kiosk's frame carries it. A kiosk older than call request revision 2 cannot read
   * a null estimate: it gets the old figure (as if one agent were staffed) and no `noAgent`.
   */
  private lineFrame(call: CallEntry, line: LineInfo): { position: number; estimateSeconds: number | null; noAgent?: boolean } {
    if (call.readsNoAgent) return line;
    const estimateSeconds = line.estimateSeconds ?? Math.round((line.position * this.handleMsOf(call.queueKey)) / 1000);
    return { position: line.position, estimateSeconds };
  }

  private pushQueueUpdates(): void {
    for (const call of this.calls.values()) {
      if (call.state === 'connected') continue;
      const line = this.lineOf(call);
      const last = call.lastSent;
      if (last && last.position === line.position && last.estimateSeconds === line.estimateSeconds && last.noAgent === line.noAgent) continue;
      call.lastSent = line;
      if (call.kioskConn !== undefined) this.deps.sendToKiosk(call.kioskConn, { type: 'queue.update', callId: call.callId, ...this.lineFrame(call, line) });
    }
  }

  private safeLog(fn: () => void): void {
    // The log is bookkeeping: a full disk must not stop a citizen's call.
    try {
      fn();
    } catch {
      /* reported by the sink's owner */
    }
  }
}

function hold(list: Record<string, unknown>[], data: Record<string, unknown>): void {
  list.push(data);
  if (list.length > MAX_HELD_SIGNALS) list.shift();
}
