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

/** Follows `session`: a conversation opens with each call and is forgotten when the call ends. */
export function createAgentChat(session: AgentChatSession, now: () => number = Date.now): AgentChat {
  const lines = signal<readonly ChatLine[]>([]);
  const callId = signal<string | null>(null);
  const textFirst = signal(false);
  let conv: ChatConversation | null = null;
  let early: ChatIncomingFrame[] = [];
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
      const mine = id ? early.filter((f) => f.callId === id) : [];
      early = [];
      for (const f of mine) conv?.receive(f);
      publish();
    }
    // Back online: what the hub has not confirmed goes again (the kiosk drops duplicates).
    if (wasReconnecting && !view.reconnecting) conv?.resend();
    wasReconnecting = view.reconnecting;
  };

  const offs = [
    session.onChat((frame) => {
      if (conv?.receive(frame)) return;
      if (frame.type === 'chat.message' && early.length < CHAT_MAX_PENDING) early.push(frame);
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
