import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWsBridge, tokenFromHash } from './bridge-client';
import type { SocketLike, WsBridge } from './bridge-client';

/** An in-memory socket the test opens, answers and closes by hand. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: { id: number; channel: string; args: unknown[] }[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as FakeSocket['sent'][number]);
  }
  close() {
    this.drop();
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({});
  }
  push(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  answer(result: unknown) {
    const last = this.sent.at(-1)!;
    this.push({ id: last.id, result });
  }
}

let bridge: WsBridge | undefined;
afterEach(() => {
  bridge?.close();
  bridge = undefined;
  vi.useRealTimers();
});

function make(opts: { callTimeoutMs?: number; heartbeatMs?: number } = {}) {
  const sockets: FakeSocket[] = [];
  bridge = createWsBridge({
    url: 'ws://127.0.0.1:9/bridge?token=t',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    reconnect: { initialMs: 1, maxMs: 4, jitter: 'none' },
    heartbeatMs: 0,
    ...opts,
  });
  return { bridge, sockets };
}

describe('WebSocket bridge client', () => {
  it('beats every heartbeatMs while the socket is open, and stops when closed', () => {
    vi.useFakeTimers();
    const { bridge, sockets } = make({ heartbeatMs: 2_000 });
    vi.advanceTimersByTime(2_000);
    expect(sockets[0]!.sent).toEqual([]); // still connecting: nothing to beat on
    sockets[0]!.open();
    vi.advanceTimersByTime(4_000);
    expect(sockets[0]!.sent).toEqual([{ heartbeat: true }, { heartbeat: true }]);
    bridge.close();
    vi.advanceTimersByTime(4_000);
    expect(sockets[0]!.sent).toHaveLength(2);
  });

  it('queues calls made while connecting, sends them on open and resolves with the answer', async () => {
    const { bridge, sockets } = make();
    const p = bridge.invoke('hub.status');
    sockets[0]!.open();
    expect(sockets[0]!.sent).toEqual([{ id: 1, channel: 'hub.status', args: [] }]);
    sockets[0]!.answer({ ok: true, value: 'online' });
    expect(await p).toEqual({ ok: true, value: 'online' });
  });

  it('passes error Results through and ignores garbage and unknown ids', async () => {
    const { bridge, sockets } = make();
    sockets[0]!.open();
    const p = bridge.invoke('session.phase', 'call');
    sockets[0]!.onmessage?.({ data: 'garbage' });
    sockets[0]!.push({ id: 999, result: { ok: true, value: 1 } });
    sockets[0]!.answer({ ok: false, error: { code: 'invalid_args', message: 'x' } });
    expect(await p).toEqual({ ok: false, error: { code: 'invalid_args', message: 'x' } });
  });

  it('resolves pending calls to bridge_closed when the socket drops, fails fast while down, and reconnects', async () => {
    const { bridge, sockets } = make();
    sockets[0]!.open();
    const pending = bridge.invoke('config.get');
    sockets[0]!.drop();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'bridge_closed' } });
    expect(await bridge.invoke('hub.status')).toMatchObject({ ok: false, error: { code: 'bridge_closed' } });
    await vi.waitFor(() => expect(sockets.length).toBe(2));
    sockets[1]!.open();
    const p = bridge.invoke('hub.status');
    sockets[1]!.answer({ ok: true, value: 'offline' });
    expect(await p).toEqual({ ok: true, value: 'offline' });
  });

  it('delivers events to subscribers until they unsubscribe, surviving a throwing listener', () => {
    const { bridge, sockets } = make();
    sockets[0]!.open();
    const got: unknown[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    bridge.on('hub.status', () => {
      throw new Error('screen bug');
    });
    const off = bridge.on('hub.status', (s) => got.push(s));
    sockets[0]!.push({ event: 'hub.status', payload: ['online'] });
    off();
    sockets[0]!.push({ event: 'hub.status', payload: ['offline'] });
    expect(got).toEqual(['online']);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('times out a call main never answers', async () => {
    vi.useFakeTimers();
    const { bridge, sockets } = make({ callTimeoutMs: 1_000 });
    sockets[0]!.open();
    const p = bridge.invoke('config.get');
    vi.advanceTimersByTime(1_000);
    expect(await p).toMatchObject({ ok: false, error: { code: 'bridge_timeout' } });
  });

  it('close() fails pending calls and stops reconnecting', async () => {
    const { bridge: b, sockets } = make();
    sockets[0]!.open();
    const p = b.invoke('config.get');
    b.close();
    expect(await p).toMatchObject({ ok: false, error: { code: 'bridge_closed' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(sockets.length).toBe(1);
  });
});

describe('tokenFromHash', () => {
  it('reads the token from the fragment', () => {
    expect(tokenFromHash('#token=abc-_1')).toBe('abc-_1');
    expect(tokenFromHash('#x=1&token=t2')).toBe('t2');
    expect(tokenFromHash('')).toBeUndefined();
  });
});
