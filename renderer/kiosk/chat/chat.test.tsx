// @vitest-environment happy-dom
// The kiosk chat: the store over a fake bridge (frames in and out, early frames, resend when the link
// returns, forgetting on reset) and the panel rendered by Preact in happy-dom (agent lines large,
// typing with the on-screen keyboard, plain text only, refusals keep the draft).
import { signal } from '@preact/signals';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { CHAT_BURST } from '../../../common/chat';
import { KioskPublicConfig } from '../../../common/config';
import { t as translate, translator } from '../../../common/i18n';
import type { HubToKiosk } from '../../../common/protocol';
import type { SessionView } from '../../../common/session';
import { emptyVisit } from '../../../common/session';
import { KioskContext, type ScreenProps } from '../ui/context';
import { ChatContext, ChatPanel, TextFirstToggle, typeInto } from './ChatPanel';
import { createKioskChat, type ChatBridge, type KioskChat } from './store';

type Listener = (...args: unknown[]) => void;

/** The bridge as the chat sees it: hub.send recorded (refused while the link is down), events pushed by the test. */
function fakeBridge() {
  const sent: unknown[] = [];
  const listeners = new Map<string, Set<Listener>>();
  const link = { up: true };
  const bridge = {
    invoke: (channel: string, frame: unknown) => {
      if (channel !== 'hub.send') throw new Error(`unexpected ${channel}`);
      if (!link.up) return Promise.resolve({ ok: false, error: { code: 'hub_offline', message: 'offline' } });
      sent.push(frame);
      return Promise.resolve({ ok: true, value: null });
    },
    on: (event: string, fn: Listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(fn);
      listeners.set(event, set);
      return () => set.delete(fn);
    },
  } as unknown as ChatBridge;
  const emit = (event: string, arg: unknown) => act(() => listeners.get(event)?.forEach((fn) => fn(arg)));
  return { bridge, sent, link, emit, frame: (f: HubToKiosk) => emit('hub.message', f), count: () => [...listeners.values()].reduce((n, s) => n + s.size, 0) };
}

const flush = () => act(async () => {
  await new Promise((r) => setTimeout(r, 0));
});

describe('kiosk chat store', () => {
  it('adopts an agent message that arrived before the call id, sends and acknowledges through hub.send, tracks statuses', async () => {
    const b = fakeBridge();
    const chat = createKioskChat({ bridge: b.bridge, now: () => 0 });
    b.frame({ type: 'chat.message', callId: 'c1', seq: 1, text: 'Bonjour, je vous écris.' });
    expect(chat.lines.value).toEqual([]);
    chat.setCall('c1');
    expect(chat.lines.value.map((l) => [l.from, l.text])).toEqual([['peer', 'Bonjour, je vous écris.']]);
    expect(chat.post('Merci').ok).toBe(true);
    await flush();
    expect(b.sent).toEqual([
      { type: 'chat.ack', callId: 'c1', seq: 1 },
      { type: 'chat.send', callId: 'c1', seq: 1, text: 'Merci' },
    ]);
    b.frame({ type: 'chat.status', callId: 'c1', seq: 1, status: 'delivered' });
    expect(chat.lines.value[1]).toMatchObject({ from: 'me', status: 'delivered' });
    // Another call's frames are not shown
    b.frame({ type: 'chat.message', callId: 'c2', seq: 9, text: 'autre appel' });
    expect(chat.lines.value).toHaveLength(2);
    chat.dispose();
    expect(b.count()).toBe(0);
  });

  it('keeps messages typed during a link blip in memory and sends them, in order, when the link is back', async () => {
    const b = fakeBridge();
    const chat = createKioskChat({ bridge: b.bridge, now: () => 0 });
    chat.setCall('c1');
    b.link.up = false;
    chat.post('un');
    chat.post('deux');
    await flush();
    expect(b.sent).toEqual([]);
    expect(chat.lines.value.map((l) => l.status)).toEqual(['queued', 'queued']);
    b.link.up = true;
    b.emit('hub.status', 'online');
    await flush();
    expect(b.sent).toEqual([
      { type: 'chat.send', callId: 'c1', seq: 1, text: 'un' },
      { type: 'chat.send', callId: 'c1', seq: 2, text: 'deux' },
    ]);
    chat.dispose();
  });

  it('forgets every line when the call ends or the visit resets; posting outside a call is refused', () => {
    const b = fakeBridge();
    const chat = createKioskChat({ bridge: b.bridge, now: () => 0 });
    expect(chat.post('hors appel')).toEqual({ ok: false, code: 'closed' });
    chat.setCall('c1');
    b.frame({ type: 'chat.message', callId: 'c1', seq: 1, text: 'secret' });
    chat.setCall(null);
    expect(chat.lines.value).toEqual([]);
    chat.setCall('c1'); // the same id again is a new conversation: nothing comes back
    expect(chat.lines.value).toEqual([]);
    chat.reset();
    expect(chat.callId.value).toBeNull();
    // A message that comes after the call is not kept for later: the reset drops it
    b.frame({ type: 'chat.message', callId: 'c1', seq: 2, text: 'en retard' });
    chat.reset();
    chat.setCall('c1');
    expect(chat.lines.value).toEqual([]);
    chat.dispose();
  });

  it('adopts an early message only if its call comes within seconds', () => {
    let t = 0;
    const b = fakeBridge();
    const chat = createKioskChat({ bridge: b.bridge, now: () => t });
    b.frame({ type: 'chat.message', callId: 'c1', seq: 1, text: 'trop tôt' });
    t += 10_001;
    chat.setCall('c1');
    expect(chat.lines.value).toEqual([]);
    chat.dispose();
  });
});

// ---- panel ------------------------------------------------------------------------------------

const config = KioskPublicConfig.parse({});
let root: HTMLElement | null = null;
afterEach(() => {
  if (root) act(() => render(null, root!));
  root?.remove();
  root = null;
});

function mount(opts: { textFirst?: boolean; lang?: 'fr' | 'en'; callActive?: boolean; chat: KioskChat; screen?: 'inCall' | 'language' }) {
  const lang = opts.lang ?? 'fr';
  const sent: unknown[] = [];
  const context = {
    timers: config.timers, schedule: config.schedule, serviceIds: [], idPrefix: 't', requestSeq: 1,
    ...emptyVisit(), lang, callId: 'c1', callActive: opts.callActive ?? true, textFirst: opts.textFirst ?? false,
  };
  const view = { screen: opts.screen ?? 'inCall', sub: 'connected', idlePrompt: false, hangupPrompt: false, context } as unknown as SessionView;
  const props: ScreenProps = {
    view, lang, t: translator(lang), tIn: (l, k, p) => translate(l, k, p), config, send: (e) => void sent.push(e),
    media: { local: () => null, remote: () => null, meter: () => () => {} }, now: () => new Date(0), monotonic: () => 0,
    submitCallback: () => Promise.resolve({ ok: true as const, value: { id: 'x' } }), visit: { volume: signal(1), reference: signal(null) },
  };
  root = document.createElement('div');
  document.body.appendChild(root);
  const el = root;
  act(() =>
    render(
      <KioskContext.Provider value={props}>
        <ChatContext.Provider value={opts.chat}>{opts.screen === 'language' ? <TextFirstToggle /> : <ChatPanel />}</ChatContext.Provider>
      </KioskContext.Provider>,
      el,
    ),
  );
  const q = (id: string) => el.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  const click = (id: string) => {
    const x = q(id);
    if (!x) throw new Error(`no ${id}`);
    act(() => x.click());
  };
  const typeKeys = (s: string) => {
    for (const ch of s) click(`chat-key-${ch === ' ' ? 'space' : ch === "'" ? 'apostrophe' : ch}`);
  };
  return { el, q, click, typeKeys, sent };
}

describe('ChatPanel', () => {
  it('text first: open with the keyboard; the citizen types in sentence case and sends; the agent answers large', async () => {
    const b = fakeBridge();
    const chat = createKioskChat({ bridge: b.bridge, now: () => 0 });
    const p = mount({ textFirst: true, chat });
    expect(p.q('chat-panel')?.dataset.textFirst).toBe('true');
    expect(p.q('chat-key-A')).not.toBeNull();
    expect(p.q('chat-hide')).toBeNull(); // text first: the keyboard stays
    expect((p.q('chat-send') as HTMLButtonElement).disabled).toBe(true);
    p.typeKeys('JE SUIS SOURD. MERCI');
    expect(p.q('chat-draft')?.textContent).toContain('Je suis sourd. Merci');
    p.click('chat-send');
    await flush();
    expect(b.sent).toEqual([{ type: 'chat.send', callId: 'c1', seq: 1, text: 'Je suis sourd. Merci' }]);
    expect(p.q('chat-draft')?.textContent).not.toContain('Merci');
    expect(p.q('chat-line-me')?.dataset.status).toBe('queued');
    expect(p.q('chat-status')?.textContent).toBe('Envoi…');
    b.frame({ type: 'chat.status', callId: 'c1', seq: 1, status: 'delivered' });
    expect(p.q('chat-status')?.textContent).toBe('Reçu par l’agent');

    b.frame({ type: 'chat.message', callId: 'c1', seq: 1, text: '<b>Bienvenue</b> & bonjour' });
    const peer = p.q('chat-line-peer');
    expect(peer?.classList.contains('chat-peer')).toBe(true);
    // Plain text: markup shows as typed, no element is created from it
    expect(peer?.querySelector('.chat-text')?.textContent).toBe('<b>Bienvenue</b> & bonjour');
    expect(peer?.querySelector('b')).toBeNull();
    expect(p.q('chat-log')?.getAttribute('role')).toBe('log');
    chat.dispose();
  });

  it('not text first: the messages show, the keyboard opens on request; a refusal keeps the draft and says why', async () => {
    let t = 0;
    const b = fakeBridge();
    const chat = createKioskChat({ bridge: b.bridge, now: () => t });
    const p = mount({ textFirst: false, lang: 'en', chat });
    expect(p.q('chat-key-A')).toBeNull();
    expect(p.q('chat-empty')?.textContent).toContain('The agent’s messages will appear here');
    p.click('chat-open');
    for (let i = 0; i < CHAT_BURST; i++) {
      p.typeKeys('OK');
      p.click('chat-send');
    }
    p.typeKeys('ONE MORE');
    p.click('chat-send');
    expect(p.q('chat-draft')?.textContent).toContain('One more');
    expect(p.el.textContent).toContain('Wait a moment before sending another message.');
    t += 1000;
    p.click('chat-send');
    await flush();
    expect(b.sent.at(-1)).toEqual({ type: 'chat.send', callId: 'c1', seq: CHAT_BURST + 1, text: 'One more' });
    p.click('chat-hide');
    expect(p.q('chat-key-A')).toBeNull();
    chat.dispose();
  });

  it('leaving the in-call screen forgets the conversation (nothing of it stays in the store or the DOM)', () => {
    const b = fakeBridge();
    const chat = createKioskChat({ bridge: b.bridge, now: () => 0 });
    mount({ textFirst: true, chat });
    b.frame({ type: 'chat.message', callId: 'c1', seq: 1, text: 'MOT-UNIQUE-7' });
    expect(root?.textContent).toContain('MOT-UNIQUE-7');
    act(() => render(null, root!));
    expect(chat.lines.value).toEqual([]);
    expect(chat.callId.value).toBeNull();
    expect(root?.innerHTML).not.toContain('MOT-UNIQUE-7');
    chat.dispose();
  });

  it('the language screen toggle asks for text first, in both languages', () => {
    const b = fakeBridge();
    const chat = createKioskChat({ bridge: b.bridge, now: () => 0 });
    const p = mount({ chat, screen: 'language' });
    const btn = p.q('access-text-first');
    expect(btn?.textContent).toContain('Je suis sourd ou malentendant');
    expect(btn?.textContent).toContain('I am deaf or hard of hearing');
    expect(btn?.getAttribute('aria-pressed')).toBe('false');
    p.click('access-text-first');
    expect(p.sent).toEqual([{ type: 'access.textFirst', on: true }]);
    chat.dispose();
  });

  it('typeInto: capitals at a sentence start only; digits and punctuation as they are', () => {
    expect(['B', 'O', 'N', '.', ' ', 'O', 'K', '?', '3'].reduce(typeInto, '')).toBe('Bon. Ok?3');
    expect(typeInto('Salut\n', 'Ç')).toBe('Salut\nÇ');
    expect(typeInto('Salut ', 'É')).toBe('Salut é');
  });
});
