// The agent console's side of the text conversation, free of DOM so it runs under vitest: one
// ChatConversation (common/chat.ts) per call the session is in, frames through the session's hub
// socket. In memory only; a call's lines are dropped when it ends. The panel is chat-panel.tsx.
import { signal, type ReadonlySignal } from '@preact/signals';
import { CHAT_MAX_PENDING, ChatConversation, type ChatErrorCode, type ChatIncomingFrame, type ChatLine } from '../../common/chat';
import type { AgentToHub, HubToAgent } from '../../common/protocol';
import type { AgentView } from './session';

/** What the chat needs from AgentSession (its hub link and its view). */
export interface AgentChatSession {
  /** Calls `fn` now and after every change of the console's view. */
  subscribe(fn: (view: AgentView) => void): () => void;
  /** Chat frames from the hub. */
  onChat(fn: (frame: Extract<HubToAgent, { type: 'chat.message' | 'chat.status' }>) => void): () => void;
  /** Sends a chat frame; false when the link is down. */
  sendChat(frame: Extract<AgentToHub, { type: 'chat.send' | 'chat.ack' }>): boolean;
}

export interface AgentChat {
  /** The current call's lines (a new array after every change; empty outside a call). */
  readonly lines: ReadonlySignal<readonly ChatLine[]>;
  /** The call being chatted in, or null. */
  readonly callId: ReadonlySignal<string | null>;
  /** The citizen chose "deaf or hard of hearing" at the booth. */
  readonly textFirst: ReadonlySignal<boolean>;
  /** Sends typed text; refusals carry a code (agent.chat.error.<code>). */
  post(text: string): { ok: true } | { ok: false; code: ChatErrorCode };
  /** Stops following the session. */
  dispose(): void;
}

/** How long a message for a call not shown yet is kept. */
const EARLY_MS = 10_000;

/** Follows `session`: a conversation opens with each call and is forgotten when the call ends. */
export function createAgentChat(session: AgentChatSession, now: () => number = Date.now): AgentChat {
  const lines = signal<readonly ChatLine[]>([]);
  const callId = signal<string | null>(null);
  const textFirst = signal(false);
  let conv: ChatConversation | null = null;
  // Messages for a call the console has not shown yet (call.connected and the first text race), kept EARLY_MS at most.
  let early: { frame: ChatIncomingFrame; at: number }[] = [];
  let wasReconnecting = false;

  const publish = () => {
    lines.value = conv ? [...conv.lines] : [];
  };

  const follow = (view: AgentView) => {
    const id = view.call?.callId ?? null;
    textFirst.value = view.call?.context.textFirst === true;
    if (id !== (conv?.callId ?? null)) {
      conv?.close();
      conv = id ? new ChatConversation({ callId: id, now, send: (f) => session.sendChat(f), onChange: publish }) : null;
      callId.value = id;
      const fresh = now() - EARLY_MS;
      const mine = id ? early.filter((e) => e.frame.callId === id && e.at >= fresh) : [];
      early = [];
      for (const e of mine) conv?.receive(e.frame);
      publish();
    } else if (!id) {
      early = []; // out of a call: nothing that arrived late is kept
    }
    // Back online: what the hub has not confirmed goes again (the kiosk drops duplicates).
    if (wasReconnecting && !view.reconnecting) conv?.resend();
    wasReconnecting = view.reconnecting;
  };

  const offs = [
    session.onChat((frame) => {
      if (conv?.receive(frame)) return;
      if (frame.type === 'chat.message' && early.length < CHAT_MAX_PENDING) early.push({ frame, at: now() });
    }),
    session.subscribe(follow),
  ];

  return {
    lines,
    callId,
    textFirst,
    post(text) {
      if (!conv) return { ok: false, code: 'closed' };
      const r = conv.post(text);
      return r.ok ? { ok: true } : r;
    },
    dispose() {
      for (const off of offs) off();
      conv?.close();
      conv = null;
      early = [];
      publish();
    },
  };
}
