import { z } from 'zod';
import { Role } from './roles';
import { Language, ServiceDef, UiLanguage } from './config';
import { UpdateStatus } from './update';
import { ChatSeq, ChatText } from './chat';

/**
 * Hub protocol v1: every WebSocket frame between kiosk / agent console and the hub is one JSON
 * object validated by one of these schemas. Anything that fails validation is answered with an
 * `error` frame (code `invalid_message`) and logged; it never crashes either side.
 */
export const PROTOCOL_VERSION = 1;

const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/);
export const CallId = Id;
/** Deepest JSON nesting a frame may have: real frames need 6; a deeper one is refused before parsing. */
export const MAX_FRAME_DEPTH = 32;

/**
 * True when `text` nests arrays/objects deeper than `max`: a linear scan that skips string contents,
 * so a hostile frame never reaches JSON.parse or the schema's recursion (which would overflow the stack).
 */
export function jsonTooDeep(text: string, max = MAX_FRAME_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

/** Serialised size of a value, or Infinity when it cannot be serialised (cycles, extreme nesting). */
function jsonSize(v: unknown): number {
  try {
    return JSON.stringify(v).length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Opaque simple-peer signal (SDP offer/answer or ICE candidate); size-capped, relayed as is. */
export const SignalData = z.record(z.string(), z.unknown()).refine((v) => jsonSize(v) <= 64_000, 'signal too large');
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
  /** The citizen said they are deaf or hard of hearing: the agent starts with text (optional: older kiosks omit it). */
  textFirst: z.boolean().optional(),
  /** The citizen reads the screens in a language the agent does not speak: bring an interpreter ("Interprète requis : espagnol"). */
  interpreter: UiLanguage.optional(),
  /** The citizen's camera is off (consent "microphone only", or the camera failed): "Appel audio seulement". */
  audioOnly: z.boolean().optional(),
  /** 2 or more: the citizen's earlier call was lost and they were put back at the head of the line ("Tentative 2 — reprise après coupure"). */
  attempt: z.number().int().min(2).max(99).optional(),
});
export type CallContext = z.infer<typeof CallContext>;

const msg = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ...shape }).strict();

// ---- text in the call (either party; limits and sanitizing in common/chat.ts) -----------------
// The hub relays these between the two parties of a connected call only, and never stores or logs the text.
/** A message to the other party; `seq` counts this sender's messages in the call, from 1. */
export const ChatSend = msg('chat.send', { callId: CallId, seq: ChatSeq, text: ChatText });
/** "I have shown your message `seq`": the hub passes it on as chat.status delivered. */
export const ChatAck = msg('chat.ack', { callId: CallId, seq: ChatSeq });
/** The other party's message (its own `seq`). */
export const ChatIncoming = msg('chat.message', { callId: CallId, seq: ChatSeq, text: ChatText });
/** What became of one of our messages: passed on (`sent`), on the other screen (`delivered`) or not relayed (`refused`). */
export const ChatStatus = msg('chat.status', {
  callId: CallId,
  seq: ChatSeq,
  status: z.enum(['sent', 'delivered', 'refused']),
  code: z.enum(['rate_limited', 'not_in_call']).optional(),
});

// ---- kiosk → hub ---------------------------------------------------------------------------
/** Development credential: the shared kioskSecret (scrypt-checked at the hub, memoised). */
/** `configVersion`: the hub config the booth runs (its last `config.push`); the hub pushes its own when they differ. */
const ConfigVersion = z.string().max(64);
export const KioskAuth = msg('kiosk.auth', { v: z.literal(PROTOCOL_VERSION), kioskId: Id, secret: z.string().min(16).max(256), configVersion: ConfigVersion.optional() });
/**
 * Key-pair credential (server/auth/kiosk-keys.ts): the booth asks for a challenge with `kiosk.hello`,
 * the hub answers `kiosk.challenge` (HubChallenge, sent outside HubToKiosk: only the hub link reads it),
 * and the booth answers `kiosk.prove` with an Ed25519 signature of `kioskAuthMessage(...)`. No shared
 * secret travels; a fresh nonce per socket makes a captured proof useless.
 */
export const KioskHello = msg('kiosk.hello', { v: z.literal(PROTOCOL_VERSION), kioskId: Id });
export const KioskProve = msg('kiosk.prove', { v: z.literal(PROTOCOL_VERSION), kioskId: Id, signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'signature: 64 bytes base64url'), configVersion: ConfigVersion.optional() });
/** Hub → booth, answer to `kiosk.hello`: 32 random bytes, base64url. */
export const HubChallenge = msg('kiosk.challenge', { v: z.literal(PROTOCOL_VERSION), nonce: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });
export type HubChallenge = z.infer<typeof HubChallenge>;
/**
 * What a booth signs to prove its key: bound to the kiosk id, the hub host it dialled (host[:port] as
 * in the Host header, so a proof relayed through another server fails) and the hub's one-time nonce.
 */
export const kioskAuthMessage = (kioskId: string, host: string, nonce: string): string => `visioguichet/kiosk-auth/v1\n${kioskId}\n${host.toLowerCase()}\n${nonce}`;
/** Call request revision a kiosk may announce (`v`): 2 = it reads `estimateSeconds: null` + `noAgent` in queue frames. */
export const CALL_REQUEST_REVISION = 2;
/**
 * `language` is the call's (the agents' queue); `uiLanguage` the screens' (an interpreter is flagged to
 * the agent when they differ); `audioOnly` a visit without camera. All optional: older kiosks omit them.
 */
export const CallRequest = msg('call.request', {
  requestId: Id, service: z.string().min(1).max(40), language: Language, appointmentCode: AppointmentCode.optional(), textFirst: z.boolean().optional(),
  uiLanguage: UiLanguage.optional(), audioOnly: z.boolean().optional(), v: z.literal(CALL_REQUEST_REVISION).optional(),
  /** The call this visit lost (agent gone, media lost): the hub puts the new request at the head of that line. */
  requeueOf: CallId.optional(),
});
export const CallCancel = msg('call.cancel', { callId: CallId });
export const Signal = msg('signal', { callId: CallId, data: SignalData });
export const CallEnd = msg('call.end', { callId: CallId, reason: EndReason });
export const Ping = msg('ping', { t: z.number() });


/**
 * Kiosk health snapshot: health proofs, not liveness. Sent by main as
 * `kiosk.health` over the hub link; the hub keeps the latest per kiosk for GET /api/kiosks.
 */
const ProblemCode = z.string().max(80);
const HealthDevice = z.object({
  status: z.enum(['absent', 'connected', 'failed']),
  ok: z.boolean(),
  /** Model profile in use (connected / failed). */
  profileId: z.string().max(80).optional(),
  /** Why it failed (stable code + message). */
  error: z.object({ code: z.string().max(64), message: z.string().max(500) }).optional(),
  malformedReports: z.number().int().nonnegative(),
  reopenCount: z.number().int().nonnegative(),
});
export const KioskHealthSnapshot = z
  .object({
    /** Kiosk clock when taken (epoch ms). */
    at: z.number(),
    appVersion: z.string().max(40),
    uptimeSeconds: z.number().nonnegative(),
    /** Hub link status as main saw it when the snapshot was taken. */
    hubLink: z.enum(['connecting', 'online', 'offline']),
    /** Coarse visit phase (attract, visit, call, closed, out_of_service). */
    phase: z.enum(['attract', 'visit', 'call', 'closed', 'out_of_service']),
    /** True when nothing required is failing. */
    ok: z.boolean(),
    /** Stable problem codes ("statusLight:write_failed", "camera:black", "outbox:full"). */
    problems: z.array(ProblemCode).max(50),
    /** USB peripherals by kind; null when this kiosk runs without the hardware layer. */
    devices: z.record(z.string().max(32), HealthDevice).nullable(),
    camera: z
      .object({ verdict: z.enum(['ok', 'black', 'frozen', 'no_frames', 'missing']), ok: z.boolean(), at: z.number(), meanLuma: z.number(), deviceLabel: z.string().max(200).nullable() })
      .nullable(),
    screen: z.object({ on: z.boolean(), reason: z.string().max(32), method: z.string().max(64), ok: z.boolean(), error: z.string().max(64).nullable() }).nullable(),
    media: z.object({ camera: z.string().max(200).nullable(), microphone: z.string().max(200).nullable(), speaker: z.string().max(200).nullable(), fallback: z.boolean() }).nullable(),
    /** Last echo-path test (speaker tone heard by the microphone); optional: older kiosks do not send it. */
    audio: z.object({ heard: z.boolean(), at: z.number(), ratio: z.number(), level: z.number(), error: z.string().max(64).nullable() }).nullable().optional(),
    /** Signed-update state (common/update.ts); optional: older kiosks do not send it. */
    update: UpdateStatus.optional(),
    outbox: z
      .object({
        depth: z.number().int().nonnegative(),
        oldestAgeMs: z.number().nonnegative().nullable(),
        full: z.boolean(),
        rejected: z.number().int().nonnegative(),
        lastSync: z.object({ at: z.number(), ok: z.boolean(), acked: z.number().int(), rejected: z.number().int(), error: z.string().max(64).optional() }).nullable(),
      })
      .nullable(),
  })
  .strict();
export type KioskHealthSnapshot = z.infer<typeof KioskHealthSnapshot>;
export const KioskHealth = msg('kiosk.health', { health: KioskHealthSnapshot });

export const KioskToHub = z.discriminatedUnion('type', [KioskAuth, CallRequest, CallCancel, Signal, CallEnd, Ping, KioskHealth, ChatSend, ChatAck]);
export type KioskToHub = z.infer<typeof KioskToHub>;

// ---- agent → hub ---------------------------------------------------------------------------
export const AgentAuth = msg('agent.auth', { v: z.literal(PROTOCOL_VERSION), token: z.string().min(10).max(4096) });
export const AgentStatus = msg('agent.status', { status: z.enum(['available', 'away']) });
export const CallAccept = msg('call.accept', { callId: CallId });
export const CallDecline = msg('call.decline', { callId: CallId });

export const AgentToHub = z.discriminatedUnion('type', [AgentAuth, AgentStatus, CallAccept, CallDecline, Signal, CallEnd, Ping, ChatSend, ChatAck]);
export type AgentToHub = z.infer<typeof AgentToHub>;

// ---- hub → either ----------------------------------------------------------------------------
/**
 * The hub's service catalogue, sent after `welcome` to both roles: agents name services from it, and
 * a booth checks that the services its configuration offers exist there. A client that predates it
 * drops it as an unknown frame, harmlessly.
 */
export const Catalog = msg('catalog', { services: z.array(ServiceDef).min(1).max(100) });
export const Welcome = msg('welcome', { v: z.literal(PROTOCOL_VERSION), role: z.enum(['kiosk', 'agent']), name: z.string(), iceServers: z.array(IceServer) });
/**
 * Fresh ICE servers (TURN credentials are short-lived): the hub pushes them to every party well before
 * the previous ones expire; a call started after this uses them. A client that predates it drops it.
 */
export const IceServersUpdate = msg('ice.servers', { iceServers: z.array(IceServer) });
export const ErrorMsg = msg('error', { code: z.string(), message: z.string(), ref: z.string().optional() });
export const Pong = msg('pong', { t: z.number() });
export const CallEnded = msg('call.ended', { callId: CallId, reason: EndReason });

// ---- hub → kiosk -----------------------------------------------------------------------------
/**
 * Sent on request and whenever the line moves: position is 1-based; estimate in seconds. Revision 2
 * (a call.request with `v: 2`): when no agent who serves the line is available (all away or signed
 * out), `estimateSeconds` is null and `noAgent` true instead of a number nobody will honour. A kiosk
 * that did not ask for revision 2 keeps getting a number (its schema would refuse a null).
 */
const Estimate = { position: z.number().int().positive(), estimateSeconds: z.number().int().nonnegative().nullable(), noAgent: z.boolean().optional() };
export const CallQueued = msg('call.queued', { callId: CallId, requestId: Id, ...Estimate });
export const QueueUpdate = msg('queue.update', { callId: CallId, ...Estimate });
/** An agent took the call; the agent side initiates the WebRTC offer. */
export const CallAccepted = msg('call.accepted', { callId: CallId, agentName: z.string() });
/**
 * After the hub link came back (a restarted hub, or this party's link cut): the call is still live and
 * re-attached to this connection, so signaling flows again. The media never depended on it.
 */
export const CallResumeKiosk = msg('call.resume', { callId: CallId, agentName: z.string() });

/**
 * The booth's configuration from the hub (server/config-store): the fields its office and its own
 * overrides set, merged over its file by the booth and validated there with KioskPublicConfig. Sent
 * when it changes and at connection when the booth's `configVersion` differs; applied between visits.
 */
export const ConfigPush = msg('config.push', { version: ConfigVersion, config: z.record(z.string(), z.unknown()).refine((v) => jsonSize(v) <= 100_000, 'config too large') });

export const HubToKiosk = z.discriminatedUnion('type', [Welcome, ConfigPush, IceServersUpdate, Catalog, ErrorMsg, Pong, CallQueued, QueueUpdate, CallAccepted, CallResumeKiosk, Signal, CallEnded, ChatIncoming, ChatStatus]);
export type HubToKiosk = z.infer<typeof HubToKiosk>;

// ---- hub → agent -----------------------------------------------------------------------------
export const CallRing = msg('call.ring', { callId: CallId, context: CallContext, timeoutMs: z.number().int().positive() });
/** The ring stopped without this agent taking it (timeout, taken elsewhere, citizen cancelled). */
export const RingCancelled = msg('call.ring.cancelled', { callId: CallId, reason: z.enum(['timeout', 'cancelled', 'declined']) });
/** This agent's accept won: start the peer as initiator. */
export const CallConnected = msg('call.connected', { callId: CallId, context: CallContext });
export const AgentState = msg('agent.state', { status: z.enum(['available', 'away', 'ringing', 'in_call']) });
/** The kiosk-side twin of CallResumeKiosk: this agent's call survived the hub link's loss. */
export const CallResumeAgent = msg('call.resume', { callId: CallId, context: CallContext });

export const HubToAgent = z.discriminatedUnion('type', [Welcome, IceServersUpdate, Catalog, ErrorMsg, Pong, CallRing, RingCancelled, CallConnected, AgentState, CallResumeAgent, Signal, CallEnded, ChatIncoming, ChatStatus]);
export type HubToAgent = z.infer<typeof HubToAgent>;

/** Stable error codes sent in `error` frames. */
/** `revoked`: the booth was revoked at the hub (then close 4403); it goes back to its enrollment screen. */
export const HubErrorCode = z.enum(['invalid_message', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited', 'internal', 'revoked']);
export type HubErrorCode = z.infer<typeof HubErrorCode>;

/** Parses one raw frame; returns a Result-like value instead of throwing. */
export function parseFrame<S extends z.ZodType>(schema: S, raw: unknown): { ok: true; value: z.infer<S> } | { ok: false; error: string } {
  let data: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.length > 128_000) return { ok: false, error: 'frame too large' };
    if (jsonTooDeep(raw)) return { ok: false, error: `frame nested deeper than ${MAX_FRAME_DEPTH} levels` };
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
export const LoginResponse = z.object({ token: z.string(), displayName: z.string(), expiresInSeconds: z.number(), role: Role.optional() });

/** GET /api/kiosks (agent token): every kiosk with presence and its latest health snapshot. */
export const KioskListItem = z.object({
  kioskId: z.string(),
  name: z.string(),
  office: z.string(),
  disabled: z.boolean(),
  /** Has an authenticated socket to the hub right now. */
  online: z.boolean(),
  /** Hub clock of the last frame, connection or disconnection (epoch ms); null if never seen. */
  lastSeenAt: z.number().nullable(),
  connectedAt: z.number().nullable(),
  disconnectedAt: z.number().nullable(),
  /** Hub clock when `health` arrived. */
  healthAt: z.number().nullable(),
  health: KioskHealthSnapshot.nullable(),
  /** Version the booth runs: its update report's `current`, else its appVersion; null if it never reported. */
  version: z.string().nullable(),
  /** Last signed-update status it reported, kept when later snapshots omit it; null if none. */
  update: UpdateStatus.nullable(),
  /** Online and its last snapshot reports no problem. */
  ok: z.boolean(),
});
export type KioskListItem = z.infer<typeof KioskListItem>;
export const KioskListResponse = z.object({ kiosks: z.array(KioskListItem) });
export type KioskListResponse = z.infer<typeof KioskListResponse>;
