import { z } from 'zod';
import { Language } from './config';

/**
 * Hub protocol v1: every WebSocket frame between kiosk / agent console and the hub is one JSON
 * object validated by one of these schemas. Anything that fails validation is answered with an
 * `error` frame (code `invalid_message`) and logged; it never crashes either side.
 */
export const PROTOCOL_VERSION = 1;

const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/);
export const CallId = Id;
/** Opaque simple-peer signal (SDP offer/answer or ICE candidate); size-capped, relayed as is. */
export const SignalData = z.record(z.string(), z.unknown()).refine((v) => JSON.stringify(v).length <= 64_000, 'signal too large');
export const AppointmentCode = z.string().regex(/^[A-Z0-9]{4,12}$/, 'appointment code: 4–12 letters or digits');

export const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

/** Why a call ended; the kiosk picks its message from this. */
export const EndReason = z.enum(['kiosk_hangup', 'agent_hangup', 'peer_lost', 'cancelled', 'no_agent', 'wait_timeout', 'error']);
export type EndReason = z.infer<typeof EndReason>;

/** The visit context shown to the agent when the call rings. */
export const CallContext = z.object({
  service: z.string().min(1).max(40),
  language: Language,
  appointmentCode: AppointmentCode.optional(),
  kioskName: z.string(),
  office: z.string(),
});
export type CallContext = z.infer<typeof CallContext>;

const msg = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ...shape }).strict();

// ---- kiosk → hub ---------------------------------------------------------------------------
export const KioskAuth = msg('kiosk.auth', { v: z.literal(PROTOCOL_VERSION), kioskId: Id, secret: z.string().min(16).max(256) });
export const CallRequest = msg('call.request', { requestId: Id, service: z.string().min(1).max(40), language: Language, appointmentCode: AppointmentCode.optional() });
export const CallCancel = msg('call.cancel', { callId: CallId });
export const Signal = msg('signal', { callId: CallId, data: SignalData });
export const CallEnd = msg('call.end', { callId: CallId, reason: EndReason });
export const Ping = msg('ping', { t: z.number() });

export const KioskToHub = z.discriminatedUnion('type', [KioskAuth, CallRequest, CallCancel, Signal, CallEnd, Ping]);
export type KioskToHub = z.infer<typeof KioskToHub>;

// ---- agent → hub ---------------------------------------------------------------------------
export const AgentAuth = msg('agent.auth', { v: z.literal(PROTOCOL_VERSION), token: z.string().min(10).max(4096) });
export const AgentStatus = msg('agent.status', { status: z.enum(['available', 'away']) });
export const CallAccept = msg('call.accept', { callId: CallId });
export const CallDecline = msg('call.decline', { callId: CallId });

export const AgentToHub = z.discriminatedUnion('type', [AgentAuth, AgentStatus, CallAccept, CallDecline, Signal, CallEnd, Ping]);
export type AgentToHub = z.infer<typeof AgentToHub>;

// ---- hub → either ----------------------------------------------------------------------------
export const Welcome = msg('welcome', { v: z.literal(PROTOCOL_VERSION), role: z.enum(['kiosk', 'agent']), name: z.string(), iceServers: z.array(IceServer) });
export const ErrorMsg = msg('error', { code: z.string(), message: z.string(), ref: z.string().optional() });
export const Pong = msg('pong', { t: z.number() });
export const CallEnded = msg('call.ended', { callId: CallId, reason: EndReason });

// ---- hub → kiosk -----------------------------------------------------------------------------
/** Sent on request and whenever the line moves: position is 1-based; estimate in seconds. */
export const CallQueued = msg('call.queued', { callId: CallId, requestId: Id, position: z.number().int().positive(), estimateSeconds: z.number().int().nonnegative() });
export const QueueUpdate = msg('queue.update', { callId: CallId, position: z.number().int().positive(), estimateSeconds: z.number().int().nonnegative() });
/** An agent took the call; the agent side initiates the WebRTC offer. */
export const CallAccepted = msg('call.accepted', { callId: CallId, agentName: z.string() });

export const HubToKiosk = z.discriminatedUnion('type', [Welcome, ErrorMsg, Pong, CallQueued, QueueUpdate, CallAccepted, Signal, CallEnded]);
export type HubToKiosk = z.infer<typeof HubToKiosk>;

// ---- hub → agent -----------------------------------------------------------------------------
export const CallRing = msg('call.ring', { callId: CallId, context: CallContext, timeoutMs: z.number().int().positive() });
/** The ring stopped without this agent taking it (timeout, taken elsewhere, citizen cancelled). */
export const RingCancelled = msg('call.ring.cancelled', { callId: CallId, reason: z.enum(['timeout', 'cancelled', 'declined']) });
/** This agent's accept won: start the peer as initiator. */
export const CallConnected = msg('call.connected', { callId: CallId, context: CallContext });
export const AgentState = msg('agent.state', { status: z.enum(['available', 'away', 'ringing', 'in_call']) });

export const HubToAgent = z.discriminatedUnion('type', [Welcome, ErrorMsg, Pong, CallRing, RingCancelled, CallConnected, AgentState, Signal, CallEnded]);
export type HubToAgent = z.infer<typeof HubToAgent>;

/** Stable error codes sent in `error` frames. */
export const HubErrorCode = z.enum(['invalid_message', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited', 'internal']);
export type HubErrorCode = z.infer<typeof HubErrorCode>;

/** Parses one raw frame; returns a Result-like value instead of throwing. */
export function parseFrame<S extends z.ZodType>(schema: S, raw: unknown): { ok: true; value: z.infer<S> } | { ok: false; error: string } {
  let data: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.length > 128_000) return { ok: false, error: 'frame too large' };
    try {
      data = JSON.parse(raw);
    } catch {
      return { ok: false, error: 'not JSON' };
    }
  }
  const r = schema.safeParse(data);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}

// ---- HTTP ------------------------------------------------------------------------------------
export const LoginRequest = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict();
export const LoginResponse = z.object({ token: z.string(), displayName: z.string(), expiresInSeconds: z.number() });
