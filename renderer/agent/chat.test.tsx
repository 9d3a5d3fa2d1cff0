// @vitest-environment happy-dom
// The agent console's text panel over a fake session: it follows the session's call, Enter sends
// (Shift+Enter does not), statuses show, the text-first banner shows, and a call's lines are gone
// when it ends; queued messages go again when the link is back.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { t } from '../../common/i18n';
import type { AgentToHub, CallContext, HubToAgent } from '../../common/protocol';
import { createAgentChat, type AgentChatSession } from './chat';
import { mountAgentChat } from './chat-panel';
import type { AgentView } from './session';

type ChatIn = Extract<HubToAgent, { type: 'chat.message' | 'chat.status' }>;
type ChatOut = Extract<AgentToHub, { type: 'chat.send' | 'chat.ack' }>;

const context = (over: Partial<CallContext> = {}): CallContext => ({ service: 'emploi', language: 'fr', kioskName: 'K', office: 'O', ...over });

function fakeSession() {
  const views = new Set<(v: AgentView) => void>();
  const chats = new Set<(f: ChatIn) => void>();
  const sent: ChatOut[] = [];
  const link = { up: true };
  let view: AgentView = { phase: 'available', reconnecting: false, status: 'available', loginBusy: false, services: [] };
  const session: AgentChatSession = {
    subscribe: (fn) => {
      views.add(fn);
      fn(view);
      return () => views.delete(fn);
    },
    onChat: (fn) => {
      chats.add(fn);
      return () => chats.delete(fn);
    },
    sendChat: (f) => {
      if (!link.up) return false;
      sent.push(f);
      return true;
    },
  };
  const set = (patch: Partial<AgentView>) =>
    act(() => {
      view = { ...view, ...patch };
      for (const fn of views) fn(view);
    });
  const frame = (f: ChatIn) => act(() => chats.forEach((fn) => fn(f)));
  const inCall = (callId: string, ctx: Partial<CallContext> = {}) => set({ phase: 'in_call', call: { callId, context: context(ctx), peerState: 'connected', muted: false } });
  return { session, sent, link, set, frame, inCall, listeners: () => views.size + chats.size };
}

let el: HTMLElement | null = null;
let unmount: (() => void) | null = null;
afterEach(() => {
  if (unmount) act(() => unmount!());
  unmount = null;
  el?.remove();
  el = null;
});

function mount(s: ReturnType<typeof fakeSession>) {
  el = document.createElement('section');
  document.body.appendChild(el);
  const root = el;
  act(() => {
    unmount = mountAgentChat(root, { session: s.session, tr: (k, p) => t('fr', k, p) });
  });
  const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  const type = (text: string) =>
    act(() => {
      const input = q('chat-input') as HTMLTextAreaElement;
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  const key = (init: KeyboardEventInit) =>
    act(() => {
      q('chat-input')!.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }));
    });
  return { root, q, type, key };
}

describe('agent text panel', () => {
  it('appears with a call, Enter sends, Shift+Enter does not, statuses show, the citizen line is shown', () => {
    const s = fakeSession();
    const p = mount(s);
    expect(p.q('agent-chat')).toBeNull();
    s.inCall('c1');
    expect(p.q('agent-chat')?.dataset.textFirst).toBe('false');
    expect(p.q('chat-text-first')).toBeNull();
    p.type('Bonjour, comment puis-je vous aider ?');
    p.key({ key: 'Enter', shiftKey: true });
    expect(s.sent).toEqual([]);
    p.key({ key: 'Enter' });
    expect(s.sent).toEqual([{ type: 'chat.send', callId: 'c1', seq: 1, text: 'Bonjour, comment puis-je vous aider ?' }]);
    expect((p.q('chat-input') as HTMLTextAreaElement).value).toBe('');
    expect(p.q('chat-status')?.textContent).toBe('Envoi…');
    s.frame({ type: 'chat.status', callId: 'c1', seq: 1, status: 'sent' });
    expect(p.q('chat-status')?.textContent).toBe('Envoyé');
    s.frame({ type: 'chat.status', callId: 'c1', seq: 1, status: 'delivered' });
    expect(p.q('chat-line-agent')?.dataset.status).toBe('delivered');
    s.frame({ type: 'chat.message', callId: 'c1', seq: 1, text: 'Je suis sourd, <i>merci</i>' });
    expect(p.q('chat-line-citizen')?.querySelector('.text')?.textContent).toBe('Je suis sourd, <i>merci</i>');
    expect(p.q('chat-line-citizen')?.querySelector('i')).toBeNull();
    expect(s.sent.at(-1)).toEqual({ type: 'chat.ack', callId: 'c1', seq: 1 });
  });

  it('shows the text-first banner and focuses the input when the citizen chose it', () => {
    const s = fakeSession();
    const p = mount(s);
    s.inCall('c2', { textFirst: true });
    expect(p.q('chat-text-first')?.textContent).toContain('sourd ou malentendant');
    expect(document.activeElement).toBe(p.q('chat-input'));
  });

  it('an empty message is refused with a reason and nothing is sent', () => {
    const s = fakeSession();
    const p = mount(s);
    s.inCall('c1');
    p.type('   ');
    p.key({ key: 'Enter' });
    expect(s.sent).toEqual([]);
    expect(p.q('chat-error')?.dataset.code).toBe('empty');
  });

  it('forgets the call’s lines when it ends; the next call starts empty; unmount stops listening', () => {
    const s = fakeSession();
    const p = mount(s);
    s.inCall('c1');
    s.frame({ type: 'chat.message', callId: 'c1', seq: 1, text: 'SECRET-CITOYEN' });
    expect(p.root.textContent).toContain('SECRET-CITOYEN');
    s.set({ phase: 'available', call: undefined });
    expect(p.q('agent-chat')).toBeNull();
    s.inCall('c3');
    expect(p.root.textContent).not.toContain('SECRET-CITOYEN');
    act(() => unmount!());
    unmount = null;
    expect(s.listeners()).toBe(0);
  });
});

describe('createAgentChat', () => {
  it('resends what the hub has not confirmed once the link is back; adopts a message that came before the call view', () => {
    const s = fakeSession();
    const chat = createAgentChat(s.session, () => 0);
    s.frame({ type: 'chat.message', callId: 'c1', seq: 1, text: 'tôt' });
    s.inCall('c1');
    expect(chat.lines.value.map((l) => l.text)).toEqual(['tôt']);
    s.link.up = false;
    expect(chat.post('pendant la coupure').ok).toBe(true);
    s.set({ reconnecting: true });
    s.link.up = true;
    s.set({ reconnecting: false });
    expect(s.sent.filter((f) => f.type === 'chat.send')).toEqual([{ type: 'chat.send', callId: 'c1', seq: 1, text: 'pendant la coupure' }]);
    chat.dispose();
    expect(chat.lines.value).toEqual([]);
  });
});
