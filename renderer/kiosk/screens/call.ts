// Camera check, waiting in line, the call itself and its failure.
import { actions, button, icon, p, screen } from '../components';
import { h } from '../dom';
import { homeButton, tollFree } from './choose';
import { callbackOffer } from './offer';
import type { ScreenProps } from './types';

/** A <video> kept across rebuilds (so playback and frame counters survive a state change). */
function video(testid: string, label: string, stream: () => MediaStream | null, opts: { muted: boolean; volume?: number }) {
  return h('video', {
    'data-testid': testid,
    class: testid,
    autoplay: true,
    playsinline: true,
    muted: opts.muted,
    'aria-label': label,
    keep: true,
    ref: (el) => {
      const v = el as HTMLVideoElement;
      const s = stream();
      v.muted = opts.muted;
      if (opts.volume !== undefined) v.volume = opts.volume;
      if (v.srcObject !== s) {
        v.srcObject = s;
        if (s) void v.play().catch(() => {});
      }
    },
  });
}

const cancel = (props: ScreenProps) =>
  button({ testid: 'btn-cancel', label: props.t('action.cancel'), icon: 'cross', variant: 'secondary', onClick: () => props.send({ type: 'visit.cancel' }) });

export function deviceCheck(props: ScreenProps) {
  const { t, view, media, send } = props;
  const ready = view.sub === 'ready';
  return screen(
    'deviceCheck',
    t('kiosk.devices.title'),
    h(
      'div',
      { class: 'device-check' },
      ready ? video('self-video', t('kiosk.devices.selfView'), media.local, { muted: true }) : h('div', { class: 'self-placeholder', role: 'status' }, t('kiosk.devices.acquiring')),
      h(
        'div',
        { class: 'mic' },
        h('p', { class: 'text' }, icon('mic'), t('kiosk.devices.mic')),
        h(
          'div',
          {
            class: 'meter',
            role: 'meter',
            'aria-label': t('kiosk.devices.micLevel'),
            'aria-valuemin': 0,
            'aria-valuemax': 100,
            'aria-valuenow': 0,
            'data-testid': 'mic-meter',
            ref: (el) => {
              const stream = ready ? media.local() : null;
              if (!stream) return;
              const bar = el.firstElementChild as HTMLElement | null;
              return media.meter(stream, (level) => {
                // Speech RMS rarely passes 0.3: scale so a normal voice fills most of the bar.
                const pct = Math.round(Math.min(1, level * 3) * 100);
                if (bar) bar.style.transform = `scaleX(${pct / 100})`;
                el.setAttribute('aria-valuenow', String(pct));
                el.setAttribute('data-level', String(pct));
              });
            },
          },
          h('div', { class: 'meter-bar' }),
        ),
      ),
    ),
    actions(
      cancel(props),
      button({
        testid: 'devices-continue',
        label: t('action.continue'),
        icon: 'check',
        variant: 'primary',
        attrs: { disabled: !ready },
        onClick: () => send({ type: 'devices.continue' }),
      }),
    ),
  );
}

/**
 * No video for this visit: the toll-free number, a callback request, retry. When the camera comes
 * back (devicechange) the machine returns to the device check by itself.
 */
export function videoUnavailable(props: ScreenProps) {
  const { t, send } = props;
  return screen(
    'videoUnavailable',
    t('kiosk.video.title'),
    p(t('kiosk.video.body')),
    h('p', { class: 'text', 'data-testid': 'video-recover-hint' }, t(props.media.cameraMissing?.() ? 'kiosk.video.missing' : 'kiosk.video.lost')),
    tollFree(props),
    callbackOffer(props),
    actions(homeButton(props), button({ testid: 'btn-retry', label: t('action.retry'), icon: 'retry', variant: 'primary', onClick: () => send({ type: 'call.retry' }) })),
  );
}

export function waiting(props: ScreenProps) {
  const { t, view } = props;
  const { position, estimateSeconds } = view.context;
  const estimate =
    estimateSeconds === null ? null : estimateSeconds < 60 ? t('kiosk.waiting.estimateSoon') : t('kiosk.waiting.estimate', { minutes: Math.round(estimateSeconds / 60) });
  return screen(
    'waiting',
    t('kiosk.waiting.title'),
    h('div', { class: 'spinner', 'aria-hidden': 'true' }),
    h(
      'div',
      { class: 'queue', role: 'status', 'aria-live': 'polite' },
      position === null
        ? h('p', { class: 'text', 'data-testid': 'queue-position' }, t('kiosk.waiting.searching'))
        : h('p', { class: 'big', 'data-testid': 'queue-position', 'data-position': position }, position === 1 ? t('kiosk.waiting.next') : t('kiosk.waiting.position', { position })),
      estimate ? h('p', { class: 'text', 'data-testid': 'queue-estimate' }, estimate) : null,
    ),
    actions(cancel(props)),
  );
}

export function inCall(props: ScreenProps) {
  const { t, view, ui, media, send } = props;
  const sub = (view.sub ?? 'connecting') as 'connecting' | 'connected' | 'reconnecting' | 'closing';
  const muted = view.context.muted;
  return screen(
    'inCall',
    null,
    h(
      'div',
      { class: 'stage' },
      video('remote-video', t('kiosk.call.remote'), media.remote, { muted: false, volume: ui.volume }),
      video('self-video', t('kiosk.call.self'), media.local, { muted: true }),
      h(
        'p',
        { class: `call-state call-state-${sub}`, role: 'status', 'aria-live': 'polite', 'data-testid': 'call-state', 'data-call-state': sub },
        view.context.agentName && sub === 'connected' ? t('kiosk.call.with', { agent: view.context.agentName }) : t(`kiosk.call.state.${sub}`),
      ),
    ),
    h(
      'div',
      { class: 'call-controls' },
      button({
        testid: 'call-mute',
        label: muted ? t('kiosk.call.unmute') : t('kiosk.call.mute'),
        icon: muted ? 'mic-off' : 'mic',
        attrs: { 'aria-pressed': muted ? 'true' : 'false' },
        onClick: () => send({ type: 'call.mute', muted: !muted }),
      }),
      h(
        'label',
        { class: 'volume' },
        icon('volume'),
        h('span', { class: 'btn-label' }, t('kiosk.call.volume')),
        h('input', {
          type: 'range',
          min: 0,
          max: 100,
          step: 5,
          value: Math.round(ui.volume * 100),
          'data-testid': 'call-volume',
          'aria-label': t('kiosk.call.volume'),
          on: {
            input: (ev) => {
              ui.volume = Number((ev.target as HTMLInputElement).value) / 100;
              const remote = (ev.target as HTMLElement).ownerDocument.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
              if (remote) remote.volume = ui.volume;
            },
          },
        }),
      ),
      button({ testid: 'call-end', label: t('kiosk.call.end'), icon: 'hangup', variant: 'danger', onClick: () => send({ type: 'call.hangup' }) }),
    ),
  );
}

export function callFailed(props: ScreenProps) {
  const { t, view, send } = props;
  const reason = view.context.failure ?? 'error';
  return screen(
    'callFailed',
    t(`kiosk.failed.${reason}`),
    h('p', { class: 'text', 'data-testid': 'failed-reason', 'data-reason': reason }, t('kiosk.failed.body')),
    tollFree(props),
    callbackOffer(props),
    actions(homeButton(props), button({ testid: 'btn-retry', label: t('action.retry'), icon: 'retry', variant: 'primary', onClick: () => send({ type: 'call.retry' }) })),
  );
}
