// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BridgeApi } from '../../../common/bridge/contract';
import type { DeviceStates } from '../../../common/bridge/hardware';
import type { OutboxStats } from '../../../common/bridge/outbox';
import { KioskPublicConfig } from '../../../common/config';
import { translator } from '../../../common/i18n';
import type { KioskHealthSnapshot } from '../../../common/protocol';
import { render, type ComponentChild } from 'preact';
import { createTechnicianController } from './controller';
import { DEVICE_KINDS, openerView, panelView, pinView } from './view';

const connected = (product: string) => ({ status: 'connected' as const, profileId: 'p', product, path: '/dev/hidraw0', since: 1 });
const devices: DeviceStates = {
  handset: connected('Jabra Handset 450'),
  callButton: { status: 'absent' },
  statusLight: { status: 'failed', profileId: 'kuando', reason: { code: 'write_failed', message: 'EIO' }, attempts: 1, retryAt: Date.now() + 5000 },
  presence: connected('Presence'),
  scanner: connected('Scanner'),
};
const health: KioskHealthSnapshot = {
  at: 1, appVersion: '0.1.0', uptimeSeconds: 600, hubLink: 'online', phase: 'attract', ok: false, problems: ['statusLight:write_failed'],
  devices: null, camera: { verdict: 'black', ok: false, at: 1, meanLuma: 1, deviceLabel: 'Fake cam' }, screen: null, media: null, outbox: null,
};
const outbox: OutboxStats = {
  depth: 4, byKind: { callback: 1, survey: 1, visit: 2, incident: 0, health: 0 }, oldestPendingAt: 1, oldestAgeMs: 5 * 60_000, rejected: 0,
  bytes: 10, capBytes: 100, full: false, lastSync: { at: Date.UTC(2026, 0, 1, 14), ok: false, acked: 0, rejected: 0, error: 'hub_unreachable' }, recovered: null,
};

function fakeBridge(opts: { simulation: boolean; pin?: string; lockAfter?: number }) {
  const calls: [string, unknown[]][] = [];
  const listeners = new Map<string, Set<(...p: unknown[]) => void>>();
  let failures = 0;
  const answer = (channel: string, args: unknown[]): { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } } => {
    switch (channel) {
      case 'config.get':
        return { ok: true, value: KioskPublicConfig.parse({ simulation: opts.simulation }) };
      case 'technician.unlock':
        if (opts.pin === undefined) return { ok: false, error: { code: 'technician_disabled', message: '' } };
        if (opts.lockAfter !== undefined && failures >= opts.lockAfter) return { ok: false, error: { code: 'technician_locked', message: '' } };
        if (args[0] === opts.pin) return { ok: true, value: true };
        failures++;
        return { ok: true, value: false };
      case 'hardware.states':
        return { ok: true, value: devices };
      case 'health.get':
        return { ok: true, value: health };
      case 'outbox.stats':
        return { ok: true, value: outbox };
      case 'hardware.screen':
        return { ok: true, value: { on: true, brightness: 1, method: 'simulated' } };
      case 'hub.status':
        return { ok: true, value: 'online' };
      case 'hardware.sim.snapshot':
        return opts.simulation
          ? { ok: true, value: { connected: { handset: true, callButton: false, statusLight: true, presence: true, scanner: true }, light: { r: 0, g: 255, b: 0, blink: false }, leds: { offHook: true, ring: false, mute: false }, offHook: true, present: false } }
          : { ok: false, error: { code: 'not_simulated', message: '' } };
      case 'hardware.exercise':
        return { ok: true, value: null };
      case 'hardware.sim.control':
        return { ok: true, value: null };
      case 'health.audioEcho':
        return { ok: true, value: null };
      default:
        return { ok: false, error: { code: 'feature_unavailable', message: channel } };
    }
  };
  const bridge = {
    invoke: async (channel: string, ...args: unknown[]) => {
      calls.push([channel, args]);
      return answer(channel, args);
    },
    on: (event: string, l: (...p: unknown[]) => void) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(l);
      return () => listeners.get(event)!.delete(l);
    },
  } as unknown as BridgeApi;
  const emit = (event: string, ...payload: unknown[]) => listeners.get(event)?.forEach((l) => l(...payload));
  return { bridge, calls, emit, listeners };
}

const media = { start: vi.fn(), stop: vi.fn() };
/** Renders a view into a detached element (Preact, happy-dom): what the panel shows. */
const dom = (node: ComponentChild): HTMLElement => {
  const el = document.createElement('div');
  render(node, el);
  return el;
};
const byTestId = (node: ComponentChild, id: string): HTMLElement | null => dom(node).querySelector<HTMLElement>(`[data-testid="${id}"]`);
const attr = (node: ComponentChild, id: string, name: string) => byTestId(node, id)?.getAttribute(name);
const text = (el: Element | null) => el?.textContent ?? '';
/** No catalog key was left untranslated (a raw `tech.x` or `hw.x` on screen). */
const rawKeys = (node: ComponentChild) => dom(node).textContent!.match(/\b(tech|hw)\.[a-zA-Z.]+/g) ?? [];
const click = (node: ComponentChild, id: string) => {
  const n = node ? byTestId(node, id) : null;
  if (!n) throw new Error(`no ${id}`);
  n.click();
};

afterEach(() => vi.useRealTimers());

describe('technician panel (normal use: hidden, PIN checked by main)', () => {
  it('shows nothing until a long-press, takes the PIN on a keypad, and shows live diagnostics from the catalog', async () => {
    const { bridge, calls, emit } = fakeBridge({ simulation: false, pin: '2468' });
    const c = createTechnicianController({ bridge, pollMs: 60_000 });
    await c.start();
    const t = translator('fr');
    expect(openerView(c.state, c, t)).toBeNull();

    c.openRequested();
    expect(c.state.mode).toBe('pin');
    let pin = pinView(c.state, c, t);
    for (const d of '1357') click(pin, `tech-pin-key-${d}`);
    expect(attr(pinView(c.state, c, t), 'tech-pin-dots', 'data-length')).toBe('4');
    await c.pinSubmit();
    pin = pinView(c.state, c, t);
    expect(text(byTestId(pin, 'tech-pin-error'))).toBe('Code incorrect.');
    expect(c.state.pin).toBe('');

    for (const d of '2468') c.pinKey(d);
    await c.pinSubmit();
    expect(c.state.mode).toBe('open');
    expect(calls.filter(([ch]) => ch === 'technician.unlock').map(([, a]) => a[0])).toEqual(['1357', '2468']);
    await vi.waitFor(() => expect(c.state.devices).not.toBeNull());

    let panel = panelView(c.state, c, t, media, Date.now());
    for (const kind of DEVICE_KINDS) expect(byTestId(panel, `tech-device-${kind}`)).not.toBeNull();
    expect(attr(panel, 'tech-device-statusLight', 'data-status')).toBe('failed');
    expect(text(byTestId(panel, 'tech-device-statusLight'))).toContain('En panne : EIO');
    expect(text(byTestId(panel, 'tech-device-camera'))).toContain('Image noire');
    expect(text(byTestId(panel, 'tech-outbox'))).toMatch(/En attente : 4.*depuis 5 min.*échoué.*hub_unreachable/);
    expect(attr(panel, 'tech-hub', 'data-status')).toBe('online');
    expect(byTestId(panel, 'tech-sim')).toBeNull();
    // No catalog key leaks as text.
    expect(rawKeys(panel)).toEqual([]);

    // Live: a device event updates the row without waiting for the next poll.
    emit('hardware.state', 'callButton', connected('Big red button'));
    emit('hardware.input', { type: 'callButton.pressed' });
    emit('hub.status', 'offline');
    panel = panelView(c.state, c, t, media, Date.now());
    expect(text(byTestId(panel, 'tech-device-callButton'))).toContain('Big red button');
    expect(text(byTestId(panel, 'tech-inputs'))).toContain('Bouton d’appel pressé');
    expect(attr(panel, 'tech-hub', 'data-status')).toBe('offline');

    click(panel, 'tech-exercise-statusLight');
    await vi.waitFor(() => expect(calls).toContainEqual(['hardware.exercise', ['statusLight']]));

    click(panel, 'tech-close');
    expect(c.state).toMatchObject({ mode: 'closed', pin: '', health: null });
    c.dispose();
  });

  it('says when the PIN is locked or not configured, and closes by itself when left open', async () => {
    vi.useFakeTimers();
    const locked = fakeBridge({ simulation: false, pin: '2468', lockAfter: 0 });
    const c = createTechnicianController({ bridge: locked.bridge, pollMs: 60_000, idleCloseMs: 1000 });
    await c.start();
    c.openRequested();
    c.pinKey('2');
    await c.pinSubmit();
    expect(c.state.pinError).toBe('tech.pin.locked');
    await vi.advanceTimersByTimeAsync(1001);
    expect(c.state.mode).toBe('closed');
    c.dispose();

    const none = fakeBridge({ simulation: false });
    const d = createTechnicianController({ bridge: none.bridge, pollMs: 60_000 });
    await d.start();
    d.openRequested();
    d.pinKey('1');
    await d.pinSubmit();
    expect(d.state.pinError).toBe('tech.pin.disabled');
    d.dispose();
  });
});

describe('technician panel (simulation mode)', () => {
  it('opens from the corner button without a PIN and drives the twins through the hardware bridge channels', async () => {
    const { bridge, calls, listeners } = fakeBridge({ simulation: true });
    const c = createTechnicianController({ bridge, pollMs: 60_000 });
    await c.start();
    const t = translator('en');
    click(openerView(c.state, c, t), 'tech-open');
    expect(c.state.mode).toBe('open');
    expect(calls.some(([ch]) => ch === 'technician.unlock')).toBe(false);
    await vi.waitFor(() => expect(c.state.sim).not.toBeNull());

    const panel = panelView(c.state, c, t, media, Date.now());
    expect(attr(panel, 'tech-sim-light', 'data-color')).toBe('0,255,0');
    expect(text(byTestId(panel, 'tech-sim-leds'))).toContain('off hook');
    click(panel, 'tech-sim-lift');
    click(panel, 'tech-sim-press');
    click(panel, 'tech-sim-presenceOn');
    click(panel, 'tech-sim-disconnect-handset');
    click(panel, 'tech-sim-connect-callButton');
    c.setSimCode(' RDV42 ');
    click(panel, 'tech-sim-scan');
    await vi.waitFor(() =>
      expect(calls.filter(([ch]) => ch === 'hardware.sim.control').map(([, a]) => a[0])).toEqual([
        { action: 'lift' },
        { action: 'press' },
        { action: 'presence', present: true },
        { action: 'disconnect', device: 'handset' },
        { action: 'connect', device: 'callButton' },
        { action: 'scan', code: 'RDV42' },
      ]),
    );
    expect(rawKeys(panel)).toEqual([]);
    c.dispose();
    expect([...listeners.values()].every((s) => s.size === 0)).toBe(true);
  });
});

describe('technician panel: speaker → microphone echo test', () => {
  const heardResult = { heard: true, ratio: 0.93, snrDb: 11.2, level: 0.21, windows: 6, detectedWindows: 6, frequencyHz: 1500, sampleRate: 48_000, route: 'default' as const, microphone: 'USB mic' };

  it('runs the test from its button, says the verdict in plain words, and reports it to main', async () => {
    const runEcho = vi.fn(async () => heardResult);
    const { bridge, calls } = fakeBridge({ simulation: true });
    const c = createTechnicianController({ bridge, pollMs: 60_000, runEcho, now: () => 42_000 });
    await c.start();
    c.openRequested();
    const fr = translator('fr');
    let panel = panelView(c.state, c, fr, media, Date.now());
    expect(text(byTestId(panel, 'tech-echo-run'))).toBe('Tester le haut-parleur et le micro');
    expect(attr(panel, 'tech-echo-result', 'data-state')).toBe('none');

    click(panel, 'tech-echo-run');
    expect(c.state.echo.running).toBe(true);
    expect((byTestId(panelView(c.state, c, fr, media, Date.now()), 'tech-echo-run') as HTMLButtonElement).disabled).toBe(true);
    await vi.waitFor(() => expect(calls.some(([ch]) => ch === 'health.audioEcho')).toBe(true));
    expect(runEcho).toHaveBeenCalledTimes(1);
    expect(calls.find(([ch]) => ch === 'health.audioEcho')![1][0]).toEqual({ heard: true, at: 42_000, ratio: 0.93, level: 0.21, error: null, snrDb: 11.2, frequencyHz: 1500, microphone: 'USB mic' });
    panel = panelView(c.state, c, fr, media, Date.now());
    expect(attr(panel, 'tech-echo-result', 'data-state')).toBe('pass');
    expect(text(byTestId(panel, 'tech-echo-result'))).toBe('Réussi : le micro entend le haut-parleur.');
    expect(text(byTestId(panel, 'tech-echo-detail'))).toContain('93 %');
    expect(rawKeys(panel)).toEqual([]);
    c.dispose();
  });

  it('a silent microphone or a test that cannot run is a failure, reported to main as heard=false', async () => {
    const results = [{ ...heardResult, heard: false, ratio: 0, level: 0, snrDb: null, detectedWindows: 0 }];
    const runEcho = vi.fn(async () => {
      const r = results.shift();
      if (!r) throw Object.assign(new Error('denied'), { code: 'echo_mic_failed' });
      return r;
    });
    const { bridge, calls } = fakeBridge({ simulation: true });
    const c = createTechnicianController({ bridge, pollMs: 60_000, runEcho });
    await c.start();
    c.openRequested();
    const en = translator('en');
    await c.echoTest();
    let panel = panelView(c.state, c, en, media, Date.now());
    expect(attr(panel, 'tech-echo-result', 'data-state')).toBe('fail');
    expect(text(byTestId(panel, 'tech-echo-result'))).toContain('the microphone does not hear the speaker');

    await c.echoTest();
    panel = panelView(c.state, c, en, media, Date.now());
    expect(text(byTestId(panel, 'tech-echo-result'))).toBe('Failed: the test could not run (echo_mic_failed).');
    expect(byTestId(panel, 'tech-echo-detail')).toBeNull();
    const reports = calls.filter(([ch]) => ch === 'health.audioEcho').map(([, a]) => a[0] as { heard: boolean; error: string | null });
    expect(reports.map((r) => [r.heard, r.error])).toEqual([
      [false, null],
      [false, 'echo_mic_failed'],
    ]);
    c.dispose();
  });
});
