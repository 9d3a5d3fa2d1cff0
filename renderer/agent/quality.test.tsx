// @vitest-environment happy-dom
// The agent's quality panel fed with recorded Chromium reports: it appears with the call, shows the
// round trip, bitrate, picture and path, warns only after three poor seconds, and starts over with the next call.
import { afterEach, describe, expect, it } from 'vitest';
import { t } from '../../common/i18n';
import type { StatEntry } from '../shared/call-stats';
import direct from '../shared/fixtures/chromium-direct.json';
import relay from '../shared/fixtures/chromium-relay.json';
import { mountCallQuality } from './quality';

const tr = (key: Parameters<typeof t>[1], params?: Record<string, string | number>) => t('fr', key, params);
const asReport = (entries: StatEntry[]) => new Map(entries.map((e) => [e.id, e])) as unknown as RTCStatsReport;
const [d0, d1] = direct as unknown as StatEntry[][];
const [r0, r1] = relay as unknown as StatEntry[][];

/** The same report `dt` seconds later with a longer round trip on every candidate pair. */
function later(entries: StatEntry[], dt: number, rttSeconds?: number): StatEntry[] {
  return entries.map((e) => ({ ...e, timestamp: Number(e.timestamp) + dt * 1000, ...(rttSeconds !== undefined && e.type === 'candidate-pair' ? { currentRoundTripTime: rttSeconds } : {}) }));
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
  document.body.innerHTML = '';
});

function harness() {
  const el = document.createElement('section');
  document.body.append(el);
  let tick: (() => void) | undefined;
  const state = { callId: null as string | null, next: [] as StatEntry[][] };
  stops.push(
    mountCallQuality(el, {
      callId: () => state.callId,
      stats: async () => {
        const n = state.next.shift();
        return n ? asReport(n) : null;
      },
      tr,
      setInterval: (fn) => ((tick = fn), 1),
      clearInterval: () => {},
    }),
  );
  const step = async () => {
    tick!();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  const text = (id: string) => el.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
  const panel = () => el.querySelector<HTMLElement>('[data-testid="call-quality"]');
  return { el, state, step, text, panel };
}

describe('agent call quality panel', () => {
  it('shows nothing outside a call, then the call’s figures once a second', async () => {
    const h = harness();
    await h.step();
    expect(h.panel()).toBeNull();
    h.state.callId = 'c1';
    h.state.next.push(d0!, d1!);
    await h.step();
    expect(h.panel()).not.toBeNull();
    expect(h.text('quality-rtt')).toMatch(/^\d+ ms$/);
    expect(h.text('quality-bitrate')).toBe('—'); // no rate from one sample
    await h.step();
    expect(h.text('quality-bitrate')).toMatch(/^\d+ \/ \d+ kbit\/s$/);
    expect(h.text('quality-loss')).toMatch(/^\d+\.\d % \/ \d+\.\d %$/);
    expect(h.text('quality-video')).toMatch(/^\d+ × \d+, \d+ im\/s$/);
    expect(h.text('quality-path')).toBe('Direct (udp)');
    expect(h.panel()!.dataset.level).toBe('good');
    expect(h.text('quality-warning')).toBeNull();
  });

  it('names a TURN relay', async () => {
    const h = harness();
    h.state.callId = 'c1';
    h.state.next.push(r0!, r1!);
    await h.step();
    await h.step();
    expect(h.text('quality-path')).toBe('Relais TURN (udp)');
    expect(h.panel()!.dataset.relay).toBe('true');
  });

  it('warns after three poor seconds, not at the first one, and starts over with the next call', async () => {
    const h = harness();
    h.state.callId = 'c1';
    h.state.next.push(d1!, later(d1!, 1, 0.8), later(d1!, 2, 0.8));
    await h.step();
    await h.step();
    await h.step();
    expect(h.panel()!.dataset.level).toBe('poor');
    expect(h.text('quality-warning')).toBeNull();
    h.state.next.push(later(d1!, 3, 0.8));
    await h.step();
    expect(h.text('quality-warning')).toBe('Qualité dégradée (délai) : parlez lentement et proposez le texte si l’image se fige.');
    expect(h.text('quality-level')).toBe('Qualité de l’appel : Mauvaise');
    // The next call: a fresh series, no warning carried over.
    h.state.callId = 'c2';
    h.state.next.push(later(d1!, 4, 0.8));
    await h.step();
    expect(h.panel()!.dataset.level).toBe('poor');
    expect(h.text('quality-warning')).toBeNull();
    h.state.callId = null;
    await h.step();
    expect(h.panel()).toBeNull();
  });
});
