// @vitest-environment happy-dom
// The app as a whole in a DOM: the session machine drives the Preact roots (no redraw key), body
// data for tests and CSS follows the machine, and the visit's reset unmounts everything a citizen
// typed at once.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeApi } from '../../common/bridge/contract';
import { KioskPublicConfig, allDaySchedule } from '../../common/config';
import { startKioskApp } from './app';
import type { LocalMedia } from './local-media';

function fakeBridge() {
  const listeners = new Map<string, Set<(...p: unknown[]) => void>>();
  const calls: string[] = [];
  const bridge = {
    invoke: async (channel: string) => {
      calls.push(channel);
      if (channel === 'outbox.stats') return { ok: true, value: { full: false } };
      return { ok: true, value: null };
    },
    on: (event: string, l: (...p: unknown[]) => void) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(l);
      return () => listeners.get(event)!.delete(l);
    },
  } as unknown as BridgeApi;
  const emit = (event: string, ...payload: unknown[]) => listeners.get(event)?.forEach((l) => l(...payload));
  return { bridge, emit, calls };
}

const media: LocalMedia = { acquire: () => new Promise(() => {}), stop: () => {}, current: () => null };
let app: ReturnType<typeof startKioskApp> | null = null;

function start() {
  document.body.innerHTML = '<main id="app"></main><div id="overlay"></div>';
  const b = fakeBridge();
  const stored = window.sessionStorage;
  app = startKioskApp({
    root: document.getElementById('app')!,
    overlay: document.getElementById('overlay')!,
    body: document.body,
    bridge: b.bridge,
    config: KioskPublicConfig.parse({ schedule: allDaySchedule }),
    media,
    createPeer: () => {
      throw new Error('no call in this test');
    },
    meter: () => () => {},
    iceServers: () => [],
    idPrefix: 't',
    storages: [stored],
    onFatal: (err) => {
      throw err;
    },
  });
  return b;
}

const tid = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const tap = async (id: string) => {
  const el = tid(id);
  if (!el) throw new Error(`no ${id} on ${document.body.dataset.state}`);
  await act(async () => el.click());
};

afterEach(() => {
  app?.stop();
  app = null;
});

describe('kiosk app (Preact roots fed by the session machine)', () => {
  it('one top bar beside the screen, the same element from screen to screen (only the screen is rebuilt)', async () => {
    start();
    const bar = document.querySelector('#app .vg-kiosk > .vg-topbar');
    expect(bar).not.toBeNull();
    expect(tid('screen-attract')!.querySelector('.vg-topbar')).toBeNull();
    const attract = tid('screen-attract');
    await tap('attract-start');
    await tap('lang-fr');
    expect(tid('screen-service')).not.toBeNull();
    expect(tid('screen-attract')).toBeNull();
    expect(attract!.isConnected).toBe(false);
    expect(document.querySelectorAll('#app .vg-topbar')).toHaveLength(1);
    expect(document.querySelector('#app .vg-kiosk > .vg-topbar')).toBe(bar);
  });

  it('renders the screen of each machine state and keeps body data and the page language in step', async () => {
    start();
    expect(document.body.dataset.state).toBe('attract');
    expect(tid('screen-attract')).not.toBeNull();
    await tap('attract-start');
    expect(document.body.dataset.state).toBe('language');
    expect(tid('screen-language')).not.toBeNull();
    await tap('lang-ar');
    expect(document.body.dataset.state).toBe('service');
    expect(document.documentElement.lang).toBe('ar');
    expect(document.documentElement.dir).toBe('rtl');
    await tap('btn-back');
    await tap('lang-fr');
    expect(document.documentElement.dir).toBe('ltr');
    expect(document.documentElement.lang).toBe('fr-CA');
  });

  it('the reset unmounts what was typed at once and leaves the start screen and empty storage', async () => {
    const b = start();
    await tap('attract-start');
    await tap('lang-fr');
    await tap('service-emploi');
    await tap('visit-appointment');
    for (const k of ['R', 'D', 'V', '7', '3']) await tap(`key-${k}`);
    expect(tid('code-display')!.textContent).toBe('RDV73');
    window.sessionStorage.setItem('leak', 'RDV73');
    // main resets the session (e.g. the booth's watchdog): the same way out as any other.
    act(() => b.emit('session.reset', 'test'));
    expect(document.body.dataset.state).toBe('attract');
    expect(document.body.innerHTML).not.toContain('RDV73');
    expect(window.sessionStorage.length).toBe(0);
    // A new visit starts with an empty field.
    await tap('attract-start');
    await tap('lang-fr');
    await tap('service-emploi');
    await tap('visit-appointment');
    expect(tid('code-display')!.textContent?.trim()).toBe('');
  });
});
