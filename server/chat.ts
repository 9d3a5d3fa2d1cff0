// Text in the call, hub side: relays chat frames between the two parties of a connected call and
// nothing else. The hub never stores a message (no table, no queue, no calls-log field) and never
// logs its text: log lines carry the call id, sequence number and length only. Queues for link
// blips live in the kiosk's and the console's memory (common/chat.ts), not here.
import type { ChatAck, ChatIncoming, ChatSend, ChatStatus, HubToAgent, HubToKiosk } from '../common/protocol';
import { CHAT_MAX_PENDING, CHAT_PER_SECOND, ChatRateLimit } from '../common/chat';
import type { z } from 'zod';
import { HubError } from './errors';

/** The other party of a connected call, as the dispatcher knows it. */
export interface ChatPeer {
  /** The other party's connection id. */
  conn: string;
  /** Which outlet reaches it. */
  role: 'kiosk' | 'agent';
}

/** What the relay needs from the rest of the hub. */
export interface ChatRelayDeps {
  /** The other party of `callId` for `conn`; throws a HubError when the call is not connected or `conn` is not in it. */
  peerOf(conn: string, callId: string): ChatPeer;
  /** Sends one frame to a kiosk connection. */
  sendToKiosk(conn: string, msg: HubToKiosk): void;
  /** Sends one frame to an agent connection. */
  sendToAgent(conn: string, msg: HubToAgent): void;
  /** Clock (ms). */
  now(): number;
  /** Log sink (fields first); text never reaches it. */
  log?: { info(fields: Record<string, unknown>, msg: string): void };
  /**
   * Per-connection message limit. The default is looser than the clients' own (CHAT_BURST at
   * CHAT_PER_SECOND): after a blip a client resends up to CHAT_MAX_PENDING messages at once.
   */
  rate?: { burst: number; perSecond: number };
}

type Frame = z.infer<typeof ChatSend> | z.infer<typeof ChatAck>;
type Out = z.infer<typeof ChatIncoming> | z.infer<typeof ChatStatus>;

const SWEEP_EVERY = 256;
const IDLE_FORGET_MS = 10 * 60_000;

/**
 * Chat relay. `handle` never throws for a frame about a call that ended or is not the sender's:
 * a `chat.send` is answered with `chat.status refused` (the writer sees which message failed), a
 * stray `chat.ack` is dropped. Rate limits are per connection; their state is swept when idle.
 */
export class ChatRelay {
  private readonly limits = new Map<string, { rate: ChatRateLimit; used: number }>();
  private handled = 0;
  private readonly burst: number;
  private readonly perSecond: number;

  constructor(private readonly deps: ChatRelayDeps) {
    this.burst = deps.rate?.burst ?? CHAT_MAX_PENDING + 10;
    this.perSecond = deps.rate?.perSecond ?? CHAT_PER_SECOND * 2;
  }

  /** Handles one validated chat frame from connection `conn` (a kiosk or an agent). */
  handle(conn: string, role: 'kiosk' | 'agent', frame: Frame): void {
    if (++this.handled % SWEEP_EVERY === 0) this.sweep();
    let peer: ChatPeer;
    try {
      peer = this.deps.peerOf(conn, frame.callId);
    } catch (err) {
      if (!(err instanceof HubError)) throw err;
      this.deps.log?.info({ conn, callId: frame.callId, type: frame.type, seq: frame.seq, code: err.code }, 'chat frame outside a connected call');
      if (frame.type === 'chat.send') this.reply(conn, role, { type: 'chat.status', callId: frame.callId, seq: frame.seq, status: 'refused', code: 'not_in_call' });
      return;
    }
    if (frame.type === 'chat.ack') {
      this.reply(peer.conn, peer.role, { type: 'chat.status', callId: frame.callId, seq: frame.seq, status: 'delivered' });
      return;
    }
    if (!this.limitOf(conn).take()) {
      this.deps.log?.info({ conn, callId: frame.callId, seq: frame.seq }, 'chat message over the rate limit');
      this.reply(conn, role, { type: 'chat.status', callId: frame.callId, seq: frame.seq, status: 'refused', code: 'rate_limited' });
      return;
    }
    this.reply(peer.conn, peer.role, { type: 'chat.message', callId: frame.callId, seq: frame.seq, text: frame.text });
    this.reply(conn, role, { type: 'chat.status', callId: frame.callId, seq: frame.seq, status: 'sent' });
  }

  /** Forgets a closed connection's rate state. */
  forget(conn: string): void {
    this.limits.delete(conn);
  }

  /** Connections with rate state (tests: memory stays bounded). */
  get tracked(): number {
    return this.limits.size;
  }

  private limitOf(conn: string): ChatRateLimit {
    let entry = this.limits.get(conn);
    if (!entry) {
      entry = { rate: new ChatRateLimit(this.deps.now, this.burst, this.perSecond), used: 0 };
      this.limits.set(conn, entry);
    }
    entry.used = this.deps.now();
    return entry.rate;
  }

  private sweep(): void {
    const cutoff = this.deps.now() - IDLE_FORGET_MS;
    for (const [conn, e] of this.limits) if (e.used < cutoff) this.limits.delete(conn);
  }

  private reply(conn: string, role: 'kiosk' | 'agent', msg: Out): void {
    if (role === 'kiosk') this.deps.sendToKiosk(conn, msg);
    else this.deps.sendToAgent(conn, msg);
  }
}
