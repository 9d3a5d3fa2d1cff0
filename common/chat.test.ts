import { describe, expect, it } from 'vitest';
import { CHAT_BURST, CHAT_MAX_CHARS, CHAT_MAX_KEPT, CHAT_MAX_PENDING, ChatConversation, ChatRateLimit, ChatText, charCount, sanitizeChatText, type ChatOutgoing } from './chat';
import { AgentToHub, HubToAgent, HubToKiosk, KioskToHub, parseFrame } from './protocol';

const clean = (s: string) => {
  const r = sanitizeChatText(s);
  if (!r.ok) throw new Error(`refused: ${r.code}`);
  return r.text;
};

describe('sanitizeChatText', () => {
  it('keeps plain text, accents, Arabic, Chinese and emoji as typed (NFC)', () => {
    expect(clean('Bonjour, où est le formulaire ?')).toBe('Bonjour, où est le formulaire ?');
    expect(clean('مرحبا، أحتاج مساعدة')).toBe('مرحبا، أحتاج مساعدة');
    expect(clean('你好')).toBe('你好');
    expect(clean('👩‍🦯 merci')).toBe('👩‍🦯 merci'); // ZWJ sequence kept
    expect(clean('e\u0301te\u0301')).toBe('été'); // decomposed accents composed
  });

  it('is plain text: markup is kept as characters, never interpreted or removed', () => {
    expect(clean('<b>gras</b> & <script>x()</script>')).toBe('<b>gras</b> & <script>x()</script>');
  });

  it('removes control characters, bidi overrides and lone surrogates; tabs become spaces; CRLF becomes LF', () => {
    expect(clean('a\u0000b\u0007c\u001bd\u007fe\u0085f')).toBe('abcdef');
    expect(clean('facture \u202Etxt.exe\u202C')).toBe('facture txt.exe');
    expect(clean('x\u2066y\u2069z\uFEFF')).toBe('xyz');
    expect(clean('a\uD800b\uDC00c')).toBe('abc');
    expect(clean('a\tb\r\nc\rd')).toBe('a b\nc\nd');
  });

  it('trims, drops trailing spaces on lines and keeps at most one blank line', () => {
    expect(clean('  \n\n salut  \n\n\n\n\nça va ?   \n')).toBe('salut\n\nça va ?');
  });

  it('refuses empty text and text over the cap (counted in characters, not UTF-16 units), without truncating', () => {
    expect(sanitizeChatText('  \n\t \u202E ')).toEqual({ ok: false, code: 'empty' });
    expect(sanitizeChatText('é'.repeat(CHAT_MAX_CHARS))).toEqual({ ok: true, text: 'é'.repeat(CHAT_MAX_CHARS) });
    expect(sanitizeChatText('é'.repeat(CHAT_MAX_CHARS + 1))).toEqual({ ok: false, code: 'too_long' });
    const emoji = '😀'.repeat(CHAT_MAX_CHARS); // 2 UTF-16 units each
    expect(charCount(emoji)).toBe(CHAT_MAX_CHARS);
    expect(sanitizeChatText(emoji).ok).toBe(true);
  });
});

describe('chat frames in the protocol', () => {
  it('accepts sanitized text from either role and refuses anything sanitizing would change', () => {
    const ok = { type: 'chat.send', callId: 'c1', seq: 1, text: 'Bonjour' };
    expect(parseFrame(KioskToHub, ok).ok).toBe(true);
    expect(parseFrame(AgentToHub, ok).ok).toBe(true);
    for (const text of ['', ' padded ', 'a\u202Eb', 'x'.repeat(CHAT_MAX_CHARS + 1), 'a\r\nb']) {
      const r = parseFrame(KioskToHub, { ...ok, text });
      expect(r.ok, JSON.stringify(text)).toBe(false);
    }
    expect(ChatText.safeParse('ligne 1\nligne 2').success).toBe(true);
    expect(parseFrame(KioskToHub, { ...ok, seq: 0 }).ok).toBe(false);
    expect(parseFrame(KioskToHub, { ...ok, extra: 1 }).ok).toBe(false);
    expect(parseFrame(KioskToHub, { type: 'chat.ack', callId: 'c1', seq: 3 }).ok).toBe(true);
  });

  it('the hub sends chat.message and chat.status to both roles; clients never send them', () => {
    const message = { type: 'chat.message', callId: 'c1', seq: 2, text: 'Oui' };
    const status = { type: 'chat.status', callId: 'c1', seq: 2, status: 'refused', code: 'rate_limited' };
    for (const schema of [HubToKiosk, HubToAgent]) {
      expect(parseFrame(schema, message).ok).toBe(true);
      expect(parseFrame(schema, status).ok).toBe(true);
    }
    expect(parseFrame(KioskToHub, message).ok).toBe(false);
    expect(parseFrame(AgentToHub, status).ok).toBe(false);
  });
});

describe('ChatRateLimit', () => {
  it('allows a burst, then one per refill period (injected clock)', () => {
    let t = 0;
    const rate = new ChatRateLimit(() => t, 3, 1);
    expect([rate.take(), rate.take(), rate.take(), rate.take()]).toEqual([true, true, true, false]);
    t += 999;
    expect(rate.take()).toBe(false);
    t += 1;
    expect(rate.take()).toBe(true);
    t += 60_000;
    expect([rate.take(), rate.take(), rate.take(), rate.take()]).toEqual([true, true, true, false]);
  });
});

/** A conversation with a link that can be up or down, recording what it sent. */
function rig(opts: { up?: boolean; now?: () => number } = {}) {
  const sent: ChatOutgoing[] = [];
  const link = { up: opts.up ?? true };
  let changes = 0;
  let t = 0;
  const conv = new ChatConversation({
    callId: 'call-1',
    send: (f) => {
      if (!link.up) return false;
      sent.push(f);
      return true;
    },
    now: opts.now ?? (() => t),
    onChange: () => changes++,
  });
  return { conv, sent, link, changes: () => changes, advance: (ms: number) => (t += ms) };
}

describe('ChatConversation', () => {
  it('numbers own messages, shows them queued, then sent, then delivered', () => {
    const { conv, sent } = rig();
    const a = conv.post('  Bonjour  ');
    const b = conv.post('Je suis sourd.');
    expect(a.ok && b.ok).toBe(true);
    expect(sent).toEqual([
      { type: 'chat.send', callId: 'call-1', seq: 1, text: 'Bonjour' },
      { type: 'chat.send', callId: 'call-1', seq: 2, text: 'Je suis sourd.' },
    ]);
    expect(conv.lines.map((l) => [l.key, l.status])).toEqual([['me:1', 'queued'], ['me:2', 'queued']]);
    conv.receive({ type: 'chat.status', callId: 'call-1', seq: 1, status: 'sent' });
    conv.receive({ type: 'chat.status', callId: 'call-1', seq: 2, status: 'delivered' });
    // "sent" arriving after "delivered" does not move it back
    conv.receive({ type: 'chat.status', callId: 'call-1', seq: 2, status: 'sent' });
    expect(conv.lines.map((l) => l.status)).toEqual(['sent', 'delivered']);
    conv.receive({ type: 'chat.status', callId: 'call-1', seq: 1, status: 'delivered' });
    expect(conv.lines.map((l) => l.status)).toEqual(['delivered', 'delivered']);
    expect(conv.pending).toBe(0);
  });

  it('shows a peer message once, acknowledges every copy, and ignores frames of another call', () => {
    const { conv, sent, changes } = rig();
    const before = changes();
    expect(conv.receive({ type: 'chat.message', callId: 'call-1', seq: 1, text: 'Bonjour, je suis Agent 1' })).toBe(true);
    expect(conv.receive({ type: 'chat.message', callId: 'call-1', seq: 1, text: 'Bonjour, je suis Agent 1' })).toBe(true);
    expect(conv.receive({ type: 'chat.message', callId: 'other', seq: 2, text: 'pas pour vous' })).toBe(false);
    expect(conv.lines.map((l) => [l.key, l.from, l.text])).toEqual([['peer:1', 'peer', 'Bonjour, je suis Agent 1']]);
    expect(sent).toEqual([
      { type: 'chat.ack', callId: 'call-1', seq: 1 },
      { type: 'chat.ack', callId: 'call-1', seq: 1 },
    ]);
    expect(changes() - before).toBe(1);
  });

  it('refuses bad input with a code and keeps nothing: empty, too long, over the rate', () => {
    const { conv, sent, advance } = rig();
    expect(conv.post(' \n ')).toEqual({ ok: false, code: 'empty' });
    expect(conv.post('x'.repeat(CHAT_MAX_CHARS + 1))).toEqual({ ok: false, code: 'too_long' });
    for (let i = 0; i < CHAT_BURST; i++) expect(conv.post(`m${i}`).ok).toBe(true);
    expect(conv.post('one too many')).toEqual({ ok: false, code: 'rate_limited' });
    advance(1000);
    expect(conv.post('after a second').ok).toBe(true);
    expect(conv.lines).toHaveLength(CHAT_BURST + 1);
    expect(sent).toHaveLength(CHAT_BURST + 1);
  });

  it('queues in memory while the link is down, resends in order when it returns, and bounds the queue', () => {
    const { conv, sent, link, advance } = rig({ up: false });
    for (let i = 1; i <= CHAT_MAX_PENDING; i++) {
      expect(conv.post(`message ${i}`).ok).toBe(true);
      advance(1000);
    }
    expect(conv.post('one more')).toEqual({ ok: false, code: 'queue_full' });
    expect(sent).toEqual([]);
    link.up = true;
    conv.resend();
    expect(sent.map((f) => (f.type === 'chat.send' ? f.seq : -1))).toEqual(Array.from({ length: CHAT_MAX_PENDING }, (_, i) => i + 1));
    // A resend after the hub confirmed some sends only the rest
    for (let seq = 1; seq <= 15; seq++) conv.receive({ type: 'chat.status', callId: 'call-1', seq, status: 'sent' });
    sent.length = 0;
    conv.resend();
    expect(sent.map((f) => (f.type === 'chat.send' ? f.seq : -1))).toEqual([16, 17, 18, 19, 20]);
    expect(conv.post('room again').ok).toBe(true);
  });

  it('a transport that throws leaves the message queued (no crash)', async () => {
    const conv = new ChatConversation({ callId: 'c', send: () => Promise.reject(new Error('bridge gone')), now: () => 0 });
    expect(conv.post('hello').ok).toBe(true);
    await Promise.resolve();
    expect(conv.lines[0]!.status).toBe('queued');
  });

  it('marks a refused message with the hub reason', () => {
    const { conv } = rig();
    conv.post('hello');
    conv.receive({ type: 'chat.status', callId: 'call-1', seq: 1, status: 'refused', code: 'not_in_call' });
    expect(conv.lines[0]).toMatchObject({ status: 'refused', refusal: 'not_in_call' });
  });

  it('keeps at most CHAT_MAX_KEPT lines in memory', () => {
    const { conv } = rig();
    for (let i = 1; i <= CHAT_MAX_KEPT + 30; i++) conv.receive({ type: 'chat.message', callId: 'call-1', seq: i, text: `m${i}` });
    expect(conv.lines).toHaveLength(CHAT_MAX_KEPT);
    expect(conv.lines[0]!.text).toBe('m31');
  });

  it('close() forgets every line and refuses later messages', () => {
    const { conv, sent } = rig();
    conv.post('secret words');
    conv.receive({ type: 'chat.message', callId: 'call-1', seq: 1, text: 'more secret words' });
    conv.close();
    expect(conv.lines).toEqual([]);
    expect(conv.post('after')).toEqual({ ok: false, code: 'closed' });
    const n = sent.length;
    expect(conv.receive({ type: 'chat.message', callId: 'call-1', seq: 2, text: 'late' })).toBe(false);
    expect(sent).toHaveLength(n);
    expect(conv.lines).toEqual([]);
  });
});
