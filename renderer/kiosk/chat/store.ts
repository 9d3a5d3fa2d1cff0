// The kiosk's side of the text conversation: one ChatConversation (common/chat.ts) per accepted
// call, fed by the hub frames main forwards (bridge `hub.message`) and sent through `hub.send`.
// Everything is in this page's memory only: the lines, the queue for a link blip and the draft
// are dropped when the call ends or the visit is reset (nothing goes to storage, logs or outbox).
import { signal, type ReadonlySignal } from '@preact/signals';
import type { BridgeApi } from '../../../common/bridge/contract';
import { CHAT_MAX_PENDING, ChatConversation, type ChatErrorCode, type ChatIncomingFrame, type ChatLine, type ChatOutgoing } from '../../../common/chat';
import type { HubToKiosk } from '../../../common/protocol';

/** The slice of the bridge the chat uses. */
export type ChatBridge = Pick<BridgeApi, 'invoke' | 'on'>;

export interface KioskChat {
  /** The current call's lines (a new array after every change; empty outside a call). */
  readonly lines: ReadonlySignal<readonly ChatLine[]>;
  /** The call the conversation belongs to, or null. */
  readonly callId: ReadonlySignal<string | null>;
  /** Sends typed text in the current call; refusals carry a code (kiosk.chat.error.<code>). */
  post(text: string): { ok: true } | { ok: false; code: ChatErrorCode };
  /** Follows the visit: the accepted call's id, or null (which forgets every line). */
  setCall(callId: string | null): void;
  /** Forgets everything (the visit's reset). */
  reset(): void;
  /** Stops listening to the bridge (page unload, tests). */
  dispose(): void;
}

/** How long a message for a call not adopted yet is kept (the accept and the panel are milliseconds apart). */
const EARLY_MS = 10_000;

const isChat = (f: HubToKiosk): f is Extract<HubToKiosk, ChatIncomingFrame> => f.type === 'chat.message' || f.type === 'chat.status';

/** Creates the kiosk chat over the bridge; `now` is the clock of the rate limit. */
export function createKioskChat(o: { bridge: ChatBridge; now?: () => number }): KioskChat {
  const now = o.now ?? Date.now;
  const lines = signal<readonly ChatLine[]>([]);
  const callId = signal<string | null>(null);
  let conv: ChatConversation | null = null;
  // Frames for a call the visit has not adopted yet (the agent may write the moment they accept,
  // before the panel has the call id): kept EARLY_MS at most, bounded, dropped on reset.
  let early: { frame: ChatIncomingFrame; at: number }[] = [];

  const publish = () => {
    lines.value = conv ? [...conv.lines] : [];
  };

  const send = async (frame: ChatOutgoing): Promise<boolean> => {
    try {
      const r = await o.bridge.invoke('hub.send', frame);
      return r.ok;
    } catch {
      return false;
    }
  };

  const setCall = (id: string | null) => {
    if (id === (conv?.callId ?? null)) {
      if (id === null) early = []; // a reset outside a call still forgets late frames
      return;
    }
    conv?.close();
    conv = null;
    callId.value = id;
    if (id) {
      conv = new ChatConversation({ callId: id, send, now, onChange: publish });
      const fresh = now() - EARLY_MS;
      const mine = early.filter((e) => e.frame.callId === id && e.at >= fresh);
      early = [];
      for (const e of mine) conv.receive(e.frame);
    } else {
      early = [];
    }
    publish();
  };

  const offs = [
    o.bridge.on('hub.message', (frame) => {
      if (!isChat(frame)) return;
      if (conv && conv.receive(frame)) return;
      if (frame.type === 'chat.message' && early.length < CHAT_MAX_PENDING) early.push({ frame, at: now() });
    }),
    // The link is back: whatever the hub has not confirmed goes again (the other side drops duplicates).
    o.bridge.on('hub.status', (status) => {
      if (status === 'online') conv?.resend();
    }),
  ];

  return {
    lines,
    callId,
    post(text) {
      if (!conv) return { ok: false, code: 'closed' };
      const r = conv.post(text);
      return r.ok ? { ok: true } : r;
    },
    setCall,
    reset: () => setCall(null),
    dispose() {
      setCall(null);
      for (const off of offs) off();
    },
  };
}
