// Technician panel views: pure functions of the controller state, Preact elements (tested with happy-dom like the screens).
// Every visible word comes from the catalogs (tech.* here, hw.* for device names and sim buttons).
import type { DeviceKind, DeviceState, HardwareInput } from '../../../common/bridge/hardware';
import type { MessageKey } from '../../../common/i18n';
import { h, type ComponentChildren } from 'preact';
import type { TechnicianController, TechState } from './controller';

/** Translator (technician and hardware catalogs). */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export const DEVICE_KINDS: readonly DeviceKind[] = ['handset', 'callButton', 'statusLight', 'presence', 'scanner'];
/** Output devices the technician can make do something (light cycles colours, handset rings). */
const EXERCISABLE: ReadonlySet<DeviceKind> = new Set(['statusLight', 'handset']);
/** Test ids of the live media elements the DOM glue drives. */
export const MEDIA_IDS = { video: 'tech-camera-preview', meter: 'tech-mic-level' } as const;

const btn = (testid: string, label: string, onClick: () => void, cls = 'tech-btn') =>
  h('button', { type: 'button', class: cls, 'data-testid': testid, onClick: () => onClick() }, label);

const section = (testid: string, title: string, ...children: ComponentChildren[]) =>
  h('section', { class: 'tech-section', 'data-testid': testid }, h('h2', null, title), ...children);

const time = (ms: number) => new Date(ms).toLocaleTimeString('fr-CA', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const minutes = (ms: number) => Math.floor(ms / 60_000);

function stateText(s: DeviceState | undefined, t: Translate, now: number): string {
  if (!s || s.status === 'absent') return t('hw.state.absent');
  if (s.status === 'connected') return `${t('hw.state.connected')} — ${s.product}`;
  const retry = Math.max(0, Math.ceil((s.retryAt - now) / 1000));
  return `${t('hw.state.failed', { reason: s.reason.message })} · ${t('hw.state.retry', { seconds: retry })}`;
}

export function inputText(input: HardwareInput, t: Translate): string {
  switch (input.type) {
    case 'handset.lifted':
      return t('tech.input.handset.lifted');
    case 'handset.hungUp':
      return t('tech.input.handset.hungUp');
    case 'handset.muteChanged':
      return t(input.muted ? 'tech.input.handset.muteOn' : 'tech.input.handset.muteOff');
    case 'callButton.pressed':
      return t('tech.input.callButton.pressed');
    case 'presence.changed':
      return t(input.present ? 'tech.input.presence.on' : 'tech.input.presence.off');
    case 'code.scanned':
      return t('tech.input.code.scanned', { code: input.code });
    default: {
      const never: never = input;
      return String((never as { type: string }).type);
    }
  }
}

function deviceRow(kind: DeviceKind, s: TechState, c: TechnicianController, t: Translate, now: number) {
  const st = s.devices?.[kind];
  const status = st?.status ?? 'absent';
  return h(
    'li',
    { class: `tech-device tech-${status}`, 'data-testid': `tech-device-${kind}`, 'data-status': status },
    h('span', { class: 'tech-device-name' }, t(`hw.device.${kind}` as MessageKey)),
    h('span', { class: 'tech-device-state', 'data-testid': `tech-device-${kind}-state` }, stateText(st, t, now)),
    EXERCISABLE.has(kind) ? btn(`tech-exercise-${kind}`, t('hw.action.exercise'), () => void c.exercise(kind)) : null,
    s.simulation && s.sim
      ? s.sim.connected[kind]
        ? btn(`tech-sim-disconnect-${kind}`, t('hw.sim.disconnect'), () => void c.sim({ action: 'disconnect', device: kind }))
        : btn(`tech-sim-connect-${kind}`, t('hw.sim.connect'), () => void c.sim({ action: 'connect', device: kind }))
      : null,
  );
}

function healthSection(s: TechState, t: Translate) {
  const hlt = s.health;
  return section(
    'tech-health',
    t('tech.section.health'),
    h('p', { 'data-testid': 'tech-hub', 'data-status': s.hub }, `${t('tech.hub.label')} : ${t(`tech.hub.${s.hub}` as MessageKey)}`),
    hlt ? h('p', { 'data-testid': 'tech-version' }, `${t('tech.version', { version: hlt.appVersion })} · ${t('tech.uptime', { minutes: Math.floor(hlt.uptimeSeconds / 60) })}`) : null,
    hlt
      ? h('p', { 'data-testid': 'tech-problems', 'data-ok': String(hlt.ok) }, hlt.ok ? t('tech.health.ok') : t('tech.health.problems', { list: hlt.problems.join(', ') }))
      : null,
  );
}

function outboxSection(s: TechState, t: Translate, now: number) {
  const o = s.outbox;
  if (!o) return section('tech-outbox', t('tech.section.outbox'), h('p', null, t('tech.outbox.unavailable')));
  const sync = o.lastSync;
  return section(
    'tech-outbox',
    t('tech.section.outbox'),
    h('p', { 'data-testid': 'tech-outbox-depth', 'data-depth': o.depth }, o.depth === 0 ? t('tech.outbox.empty') : t('tech.outbox.depth', { count: o.depth })),
    o.oldestAgeMs !== null ? h('p', { 'data-testid': 'tech-outbox-oldest' }, t('tech.outbox.oldest', { minutes: minutes(o.oldestAgeMs) })) : null,
    h(
      'p',
      { 'data-testid': 'tech-outbox-sync', 'data-ok': sync ? String(sync.ok) : 'none' },
      !sync ? t('tech.outbox.never') : sync.ok ? t('tech.outbox.syncOk', { time: time(sync.at), acked: sync.acked }) : t('tech.outbox.syncFailed', { time: time(sync.at), error: sync.error ?? '' }),
    ),
    o.full ? h('p', { class: 'tech-warn', 'data-testid': 'tech-outbox-full' }, t('tech.outbox.full')) : null,
    // `now` keeps the age honest between polls when the panel re-renders for an event.
    o.oldestPendingAt !== null && o.oldestAgeMs === null ? h('p', null, t('tech.outbox.oldest', { minutes: minutes(now - o.oldestPendingAt) })) : null,
  );
}

function mediaSection(s: TechState, t: Translate, media: { start(): void; stop(): void }) {
  const cam = s.health?.camera;
  const scr = s.screen;
  return section(
    'tech-media',
    t('tech.section.media'),
    h('video', { 'data-testid': MEDIA_IDS.video, class: 'tech-preview', autoplay: true, muted: true, playsinline: true }),
    h(
      'div',
      { class: 'tech-meter', 'data-testid': MEDIA_IDS.meter, role: 'meter', 'aria-label': t('tech.media.level'), 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0, 'data-level': '0' },
      h('div', { class: 'tech-meter-bar' }),
    ),
    s.media.running ? btn('tech-media-stop', t('tech.media.stop'), () => media.stop()) : btn('tech-media-start', t('tech.media.start'), () => media.start()),
    s.media.error ? h('p', { class: 'tech-warn', 'data-testid': 'tech-media-error' }, t('tech.media.error', { error: s.media.error })) : null,
    h(
      'ul',
      { class: 'tech-devices' },
      h(
        'li',
        { class: 'tech-device', 'data-testid': 'tech-device-camera', 'data-status': cam?.verdict ?? 'unknown' },
        h('span', { class: 'tech-device-name' }, t('hw.device.camera')),
        h('span', { class: 'tech-device-state' }, cam ? `${t(`hw.camera.${cam.verdict}` as MessageKey)}${cam.deviceLabel ? ` — ${cam.deviceLabel}` : ''}` : t('tech.camera.none')),
      ),
      h(
        'li',
        { class: 'tech-device', 'data-testid': 'tech-device-screen', 'data-status': scr ? (scr.on ? 'on' : 'off') : 'none' },
        h('span', { class: 'tech-device-name' }, t('hw.device.screen')),
        h('span', { class: 'tech-device-state' }, scr ? `${t(scr.on ? 'hw.screen.on' : 'hw.screen.off')} · ${t('tech.screen.method', { method: scr.method })}` : t('tech.screen.none')),
      ),
    ),
  );
}

/** Provisioning check: the speaker plays a tone, the microphone must hear it (echo-path test). */
function audioSection(s: TechState, c: TechnicianController, t: Translate) {
  const r = s.echo.result;
  const verdict = !r ? null : r.error ? t('tech.echo.error', { error: r.error }) : r.heard ? t('tech.echo.pass') : t('tech.echo.fail');
  return section(
    'tech-audio',
    t('tech.section.audio'),
    h('p', null, t('tech.echo.hint')),
    h(
      'button',
      { type: 'button', class: 'tech-btn tech-btn-primary', 'data-testid': 'tech-echo-run', disabled: s.echo.running, onClick: () => void c.echoTest() },
      t('tech.echo.run'),
    ),
    h(
      'p',
      {
        class: r && !r.heard ? 'tech-warn' : 'tech-echo-result',
        'data-testid': 'tech-echo-result',
        'data-state': s.echo.running ? 'running' : r ? (r.heard ? 'pass' : 'fail') : 'none',
        'aria-live': 'polite',
      },
      s.echo.running ? t('tech.echo.running') : (verdict ?? t('tech.echo.never')),
    ),
    r && !s.echo.running && !r.error ? h('p', { 'data-testid': 'tech-echo-detail' }, t('tech.echo.detail', { time: time(r.at), ratio: Math.round(r.ratio * 100), level: Math.round(r.level * 100) })) : null,
  );
}

function simSection(s: TechState, c: TechnicianController, t: Translate) {
  if (!s.simulation) return null;
  const sim = s.sim;
  const light = sim?.light;
  const leds = sim ? (Object.entries(sim.leds) as [keyof typeof sim.leds, boolean][]).filter(([, on]) => on).map(([k]) => t(`tech.led.${k}` as MessageKey)) : [];
  return section(
    'tech-sim',
    t('hw.sim.title'),
    h(
      'div',
      { class: 'tech-row' },
      btn('tech-sim-lift', t('hw.sim.lift'), () => void c.sim({ action: 'lift' })),
      btn('tech-sim-hangUp', t('hw.sim.hangUp'), () => void c.sim({ action: 'hangUp' })),
      btn('tech-sim-toggleMute', t('hw.sim.toggleMute'), () => void c.sim({ action: 'toggleMute' })),
      btn('tech-sim-press', t('hw.sim.press'), () => void c.sim({ action: 'press' })),
      btn('tech-sim-presenceOn', t('hw.sim.presenceOn'), () => void c.sim({ action: 'presence', present: true })),
      btn('tech-sim-presenceOff', t('hw.sim.presenceOff'), () => void c.sim({ action: 'presence', present: false })),
    ),
    h(
      'div',
      { class: 'tech-row' },
      h('label', { for: 'tech-sim-code' }, t('tech.sim.code')),
      h('input', {
        id: 'tech-sim-code',
        'data-testid': 'tech-sim-code',
        value: s.simCode,
        maxlength: 500,
        autocomplete: 'off',
        onInput: (e: Event) => c.setSimCode((e.target as HTMLInputElement).value),
      }),
      btn('tech-sim-scan', t('hw.sim.scan'), () => {
        const value = c.state.simCode.trim();
        if (value) void c.sim({ action: 'scan', code: value });
      }),
    ),
    h(
      'p',
      { 'data-testid': 'tech-sim-light', 'data-color': light ? `${light.r},${light.g},${light.b}` : 'off' },
      light ? t('tech.light.label') : t('tech.light.off'),
      light ? h('span', { class: 'tech-swatch', style: `background: rgb(${light.r}, ${light.g}, ${light.b})`, 'aria-hidden': 'true' }) : null,
    ),
    h('p', { 'data-testid': 'tech-sim-leds' }, t('tech.leds.label', { list: leds.length ? leds.join(', ') : t('tech.led.none') })),
  );
}

/** The whole panel (mode open). */
export function panelView(s: TechState, c: TechnicianController, t: Translate, media: { start(): void; stop(): void }, now: number) {
  return h(
    'div',
    { class: 'tech-panel', 'data-testid': 'tech-panel', role: 'dialog', 'aria-modal': 'true', 'aria-label': t('tech.title') },
    h(
      'header',
      { class: 'tech-header' },
      h('h1', null, t('tech.title')),
      btn('tech-refresh', t('tech.refresh'), () => void c.refresh()),
      btn('tech-close', t('tech.close'), () => c.close(), 'tech-btn tech-btn-primary'),
    ),
    s.error ? h('p', { class: 'tech-warn', 'data-testid': 'tech-error' }, t('tech.error', { code: s.error })) : null,
    healthSection(s, t),
    section('tech-devices', t('tech.section.devices'), h('ul', { class: 'tech-devices' }, ...DEVICE_KINDS.map((k) => deviceRow(k, s, c, t, now)))),
    mediaSection(s, t, media),
    audioSection(s, c, t),
    simSection(s, c, t),
    section(
      'tech-inputs',
      t('tech.section.inputs'),
      s.inputs.length === 0
        ? h('p', null, t('tech.inputs.none'))
        : h('ol', { class: 'tech-inputs' }, ...s.inputs.map((i) => h('li', null, `${time(i.at)} — ${inputText(i.input, t)}`))),
    ),
    outboxSection(s, t, now),
  );
}

/** The PIN pad (mode pin): digits, erase, confirm, cancel. Typed digits are shown as dots. */
export function pinView(s: TechState, c: TechnicianController, t: Translate) {
  const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
  return h(
    'div',
    { class: 'tech-panel tech-pin', 'data-testid': 'tech-pin', role: 'dialog', 'aria-modal': 'true', 'aria-label': t('tech.pin.title') },
    h('h1', null, t('tech.pin.title')),
    h('p', null, t('tech.pin.prompt')),
    h('p', { class: 'tech-pin-dots', 'data-testid': 'tech-pin-dots', 'data-length': s.pin.length, 'aria-live': 'polite' }, '•'.repeat(s.pin.length)),
    s.pinError ? h('p', { class: 'tech-warn', 'data-testid': 'tech-pin-error', role: 'alert' }, t(s.pinError)) : null,
    h('div', { class: 'tech-keypad' }, ...digits.map((d) => btn(`tech-pin-key-${d}`, d, () => c.pinKey(d), 'tech-btn tech-key'))),
    h(
      'div',
      { class: 'tech-row' },
      btn('tech-pin-erase', t('tech.pin.erase'), () => c.pinErase()),
      btn('tech-pin-cancel', t('tech.pin.cancel'), () => c.close()),
      btn('tech-pin-submit', t('tech.pin.submit'), () => void c.pinSubmit(), 'tech-btn tech-btn-primary'),
    ),
  );
}

/** What is shown while closed: the small corner button in simulation mode, nothing otherwise. */
export function openerView(s: TechState, c: TechnicianController, t: Translate) {
  if (!s.simulation) return null;
  return h('button', { type: 'button', class: 'tech-opener', 'data-testid': 'tech-open', 'aria-label': t('tech.open'), onClick: () => c.openRequested() }, t('tech.open'));
}
