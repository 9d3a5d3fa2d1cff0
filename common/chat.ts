// Text in the call: what a chat message may be (plain text, capped, sanitized), how fast one may be
// sent, and one conversation's state (sequence numbers, "sent"/"delivered" acks, a bounded in-memory
// queue for link blips). Shared by the kiosk, the agent console and the hub; pure (no node:*, no DOM).
//
// Nothing here persists: a conversation lives in memory for one call and `close()` forgets it. The
// hub only relays frames (server/chat.ts) and never stores or logs the text either.
import { z } from 'zod';
import type { ChatAck, ChatIncoming, ChatSend, ChatStatus } from './protocol';

/** Longest message, in characters (Unicode code points): a few sentences, what a person types at once. */
export const CHAT_MAX_CHARS = 500;
/** Messages one side may send at once before the rate applies. */
export const CHAT_BURST = 8;
/** Sustained messages per second one side may send. */
export const CHAT_PER_SECOND = 1;
/** Messages waiting for the hub's "sent" (link down) before new ones are refused. */
export const CHAT_MAX_PENDING = 20;
/** Messages a conversation keeps for display; the oldest settled ones go first. */
export const CHAT_MAX_KEPT = 200;

/** Why a message was not accepted; each code has a catalog message (kiosk.chat.error.* / agent.chat.error.*). */
export type ChatErrorCode = 'empty' | 'too_long' | 'rate_limited' | 'queue_full' | 'closed';

/** A refused message (named error with a stable code, for callers that throw). */
export class ChatError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}

// Removed from any message: C0/C1 controls (except newline; tab becomes a space), DEL, bidi
// embeddings/overrides/isolates (they can make a line read backwards: "Trojan Source" spoofing),
// BOM and interlinear annotation marks. LRM/RLM, ZWJ/ZWNJ stay: Arabic, Persian and emoji need them.
// eslint-disable-next-line no-control-regex
const STRIP = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF\uFFF9-\uFFFB]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Number of Unicode code points (what a person counts as characters, near enough). */
export const charCount = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/**
 * Turns typed text into a message: plain text only (it is always displayed as text, never parsed as
 * HTML, so `<b>` shows as typed), NFC, line ends as `\n`, no invisible control or bidi-override
 * characters, at most one blank line in a row, no leading/trailing blanks. Refuses an empty result
 * or one over CHAT_MAX_CHARS (never truncates: the writer keeps their text and shortens it).
 */
export function sanitizeChatText(raw: string): { ok: true; text: string } | { ok: false; code: 'empty' | 'too_long' } {
  const text = raw
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(LONE_SURROGATE, '')
    .replace(STRIP, '')
    .normalize('NFC')
    .replace(/[ \u00A0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text.length === 0) return { ok: false, code: 'empty' };
  if (charCount(text) > CHAT_MAX_CHARS) return { ok: false, code: 'too_long' };
  return { ok: true, text };
}

/** A message's text on the wire: already sanitized (the hub refuses anything sanitizing would change). */
export const ChatText = z
  .string()
  .min(1)
  .max(CHAT_MAX_CHARS * 2) // UTF-16 units: a cheap bound before the exact check
  .refine((t) => {
    const s = sanitizeChatText(t);
    return s.ok && s.text === t;
  }, `chat text must be plain sanitized text of 1–${CHAT_MAX_CHARS} characters`);

/** Per-sender message number within one call, from 1. */
export const ChatSeq = z.number().int().min(1).max(1_000_000);

/** Token bucket for messages (clock injected): the kiosk and console check before sending, the hub again. */
export class ChatRateLimit {
  private tokens: number;
  private last: number;

  constructor(
    private readonly now: () => number,
    private readonly burst = CHAT_BURST,
    private readonly perSecond = CHAT_PER_SECOND,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one message's token; false when over the rate (nothing taken). */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Who wrote a line, from this side's point of view. */
export type ChatFrom = 'me' | 'peer';
/**
 * An own message: `queued` (not yet confirmed by the hub: link down or in flight), `sent` (the hub
 * passed it on), `delivered` (the other side has it on screen), `refused` (the hub would not relay it).
 */
export type ChatLineStatus = 'queued' | 'sent' | 'delivered' | 'refused';

/** One line of the conversation as the panels show it. */
export interface ChatLine {
  /** Stable key for lists: `me:<seq>` or `peer:<seq>`. */
  key: string;
  /** Who wrote it. */
  from: ChatFrom;
  /** Sender's sequence number. */
  seq: number;
  /** Sanitized text (display as text, never as HTML). */
  text: string;
  /** Local clock when written or received (ms). */
  at: number;
  /** Own messages' progress; peer messages are always `delivered`. */
  status: ChatLineStatus;
  /** Why the hub refused it (status `refused`). */
  refusal?: 'rate_limited' | 'not_in_call';
}

/** A frame this side sends. */
export type ChatOutgoing = z.infer<typeof ChatSend> | z.infer<typeof ChatAck>;
/** A frame from the hub for this side. */
export type ChatIncomingFrame = z.infer<typeof ChatIncoming> | z.infer<typeof ChatStatus>;

export interface ChatConversationOptions {
  /** The hub call this conversation belongs to. */
  callId: string;
  /** Hands a frame to the hub link; false (or a promise of false) when the link is down. Must not throw. */
  send(frame: ChatOutgoing): boolean | Promise<boolean>;
  /** Clock (ms). */
  now(): number;
  /** Called after every change (new line, status change, close). */
  onChange?(): void;
  /** Rate limit of own messages; default CHAT_BURST at CHAT_PER_SECOND. */
  rate?: ChatRateLimit;
}

/**
 * One call's conversation on one side. Own messages get increasing sequence numbers and stay
 * `queued` until the hub says `sent`; `resend()` (call it when the link is back) sends every queued
 * one again, in order. Incoming messages are acknowledged (the sender sees `delivered`) and shown
 * once, even when a resend duplicates them. Everything is in memory and bounded.
 */
export class ChatConversation {
  readonly callId: string;
  private readonly all: ChatLine[] = [];
  private readonly seenPeer = new Set<number>();
  private nextSeq = 1;
  private closed = false;
  private readonly rate: ChatRateLimit;

  constructor(private readonly o: ChatConversationOptions) {
    this.callId = o.callId;
    this.rate = o.rate ?? new ChatRateLimit(o.now);
  }

  /** The lines in display order (arrival order). */
  get lines(): readonly ChatLine[] {
    return this.all;
  }

  /** Own messages not yet confirmed by the hub. */
  get pending(): number {
    return this.all.filter((l) => l.from === 'me' && l.status === 'queued').length;
  }

  /**
   * Sends typed text. Refusals say why and keep nothing (the input keeps the text): `empty`,
   * `too_long`, `rate_limited`, `queue_full` (the link has been down for CHAT_MAX_PENDING messages), `closed`.
   */
  post(raw: string): { ok: true; line: ChatLine } | { ok: false; code: ChatErrorCode } {
    if (this.closed) return { ok: false, code: 'closed' };
    const clean = sanitizeChatText(raw);
    if (!clean.ok) return { ok: false, code: clean.code };
    if (this.pending >= CHAT_MAX_PENDING) return { ok: false, code: 'queue_full' };
    if (!this.rate.take()) return { ok: false, code: 'rate_limited' };
    const line: ChatLine = { key: `me:${this.nextSeq}`, from: 'me', seq: this.nextSeq++, text: clean.text, at: this.o.now(), status: 'queued' };
    this.push(line);
    this.transmit(line);
    this.changed();
    return { ok: true, line };
  }

  /** Handles a chat frame from the hub (frames of another call are ignored; returns whether it was ours). */
  receive(frame: ChatIncomingFrame): boolean {
    if (this.closed || frame.callId !== this.callId) return false;
    if (frame.type === 'chat.message') {
      // Acknowledge even a duplicate: the sender's resend means our first ack may be lost with its link.
      void this.sendSafe({ type: 'chat.ack', callId: this.callId, seq: frame.seq });
      if (this.seenPeer.has(frame.seq)) return true;
      this.seenPeer.add(frame.seq);
      this.push({ key: `peer:${frame.seq}`, from: 'peer', seq: frame.seq, text: frame.text, at: this.o.now(), status: 'delivered' });
      this.changed();
      return true;
    }
    const line = this.all.find((l) => l.from === 'me' && l.seq === frame.seq);
    if (!line) return true;
    const rank: Record<ChatLineStatus, number> = { queued: 0, sent: 1, delivered: 2, refused: 2 };
    // Statuses only move forward ("delivered" may overtake "sent" when frames race).
    if (rank[frame.status] <= rank[line.status]) return true;
    line.status = frame.status;
    if (frame.status === 'refused') line.refusal = frame.code ?? 'not_in_call';
    else delete line.refusal;
    this.changed();
    return true;
  }

  /** Sends every own message still `queued` again, oldest first (the link came back). */
  resend(): void {
    if (this.closed) return;
    for (const line of this.all) if (line.from === 'me' && line.status === 'queued') this.transmit(line);
  }

  /** Forgets every line (the call is over); later calls are refused with `closed`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.all.length = 0;
    this.seenPeer.clear();
    this.changed();
  }

  /** True once closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  private transmit(line: ChatLine): void {
    void this.sendSafe({ type: 'chat.send', callId: this.callId, seq: line.seq, text: line.text });
  }

  private async sendSafe(frame: ChatOutgoing): Promise<boolean> {
    try {
      return await this.o.send(frame);
    } catch {
      return false; // stays queued; resend() tries again
    }
  }

  private push(line: ChatLine): void {
    this.all.push(line);
    if (this.all.length <= CHAT_MAX_KEPT) return;
    // Drop the oldest settled line; queued ones are kept so they can still be sent.
    const i = this.all.findIndex((l) => !(l.from === 'me' && l.status === 'queued'));
    this.all.splice(i >= 0 ? i : 0, 1);
  }

  private changed(): void {
    this.o.onChange?.();
  }
}
