// The hidden technician panel (simulated-device controls, device diagnostics, health proofs): mount once beside the kiosk app.
//   mountTechnician(document.body, { bridge, t: translator('fr') })
// Normal use: nothing visible; a 3 s long-press in the top-right corner (80 px) opens a PIN pad,
// and main checks the PIN (kiosk config `technicianPin`). Simulation mode: a small "Technicien"
// button in the bottom-right corner opens the panel without a PIN. The panel shows live device
// states, camera preview + microphone meter, a test button per output device, the simulated
// twins' controls, the speaker → microphone echo test (provisioning; result sent to main's health
// report), outbox depth / oldest age / last sync, and the hub link. It closes by itself
// after 3 min without a touch (outside simulation mode).
import './technician.css';
import type { BridgeApi } from '../../../common/bridge/contract';
import { runEchoTest, type EchoTestOptions } from '../../shared/echo-test';
import { levelMeter } from '../../shared/media';
import { render as renderInto } from 'preact';
import { createTechnicianController, type TechnicianController, type TechMode } from './controller';
import { MEDIA_IDS, openerView, panelView, pinView, type Translate } from './view';

export { createTechnicianController, type TechnicianController, type TechState } from './controller';

export interface MountTechnicianOptions {
  /** The kiosk bridge (window.kiosk or the browser runtime's WebSocket bridge). */
  bridge: BridgeApi;
  /** Translator for the technician and hardware catalogs (French by default in the booth). */
  t: Translate;
  /** Long-press duration that asks for the PIN (ms, default 3000). */
  longPressMs?: number;
  /** Size of the top-right hot corner (px, default 80). */
  cornerPx?: number;
  /** Devices and tone of the echo test (default: the system's default speaker and microphone, 1500 Hz, 1.5 s). */
  echo?: () => Promise<Pick<EchoTestOptions, 'speakerDeviceId' | 'micDeviceId' | 'frequencyHz' | 'durationMs'>>;
}

export interface MountedTechnician {
  /** The panel's state and actions (tests, diagnostics). */
  controller: TechnicianController;
  /** Stops media, timers and listeners and removes the panel. */
  dispose(): void;
}

export function mountTechnician(root: HTMLElement, o: MountTechnicianOptions): MountedTechnician {
  const doc = root.ownerDocument;
  const win = doc.defaultView ?? window;
  const container = doc.createElement('div');
  container.className = 'tech-root';
  root.appendChild(container);
  // The echo test needs the microphone without processing: the preview (processing on) is paused
  // during the test so the two captures never fight over the device, and resumed after.
  const runEcho = async () => {
    const md = win.navigator.mediaDevices;
    if (!md?.getUserMedia) throw Object.assign(new Error('navigator.mediaDevices is unavailable'), { code: 'echo_mic_failed' });
    const previewWasOn = stream !== null || starting !== null;
    media.stop();
    try {
      return await runEchoTest({ getUserMedia: (c) => md.getUserMedia(c), ...(await o.echo?.()) });
    } finally {
      if (previewWasOn && controller.state.mode === 'open') media.start();
    }
  };
  const controller = createTechnicianController({ bridge: o.bridge, runEcho });
  let stream: MediaStream | null = null;
  /** The preview's pending getUserMedia (a stop() meanwhile discards what it resolves to). */
  let starting: object | null = null;
  let stopMeter: (() => void) | null = null;
  let lastMode: TechMode = 'closed';

  const meterEl = () => container.querySelector<HTMLElement>(`[data-testid="${MEDIA_IDS.meter}"]`);
  const videoEl = () => container.querySelector<HTMLVideoElement>(`[data-testid="${MEDIA_IDS.video}"]`);

  const media = {
    start() {
      if (stream || starting) return;
      const md = win.navigator.mediaDevices;
      if (!md?.getUserMedia) {
        controller.setMedia({ running: false, error: 'no mediaDevices' });
        return;
      }
      const attempt = {};
      starting = attempt;
      md.getUserMedia({ video: true, audio: true }).then(
        (s) => {
          if (starting !== attempt || controller.state.mode !== 'open') {
            s.getTracks().forEach((tr) => tr.stop());
            return;
          }
          starting = null;
          stream = s;
          const v = videoEl();
          if (v) v.srcObject = s;
          stopMeter = levelMeter(s, (level) => {
            const m = meterEl();
            if (!m) return;
            const pct = Math.round(level * 100);
            m.dataset.level = level.toFixed(3);
            m.setAttribute('aria-valuenow', String(pct));
            const bar = m.firstElementChild as HTMLElement | null;
            // Speech RMS is small: scale so normal talking fills most of the bar.
            if (bar) bar.style.width = `${Math.min(100, pct * 4)}%`;
          });
          controller.setMedia({ running: true, error: null });
        },
        (err: unknown) => {
          if (starting !== attempt) return;
          starting = null;
          controller.setMedia({ running: false, error: err instanceof Error ? err.name : String(err) });
        },
      );
    },
    stop() {
      starting = null;
      stopMeter?.();
      stopMeter = null;
      stream?.getTracks().forEach((tr) => tr.stop());
      stream = null;
      const v = videoEl();
      if (v) v.srcObject = null;
      if (controller.state.media.running || controller.state.media.error) controller.setMedia({ running: false, error: null });
    },
  };

  const render = () => {
    const s = controller.state;
    const focused = doc.activeElement instanceof HTMLElement && container.contains(doc.activeElement) ? doc.activeElement.dataset.testid : undefined;
    // Preact diffs the panel in place: the preview <video> and the focused control stay as they are.
    const node = s.mode === 'open' ? panelView(s, controller, o.t, media, Date.now()) : s.mode === 'pin' ? pinView(s, controller, o.t) : openerView(s, controller, o.t);
    renderInto(node, container);
    const v = videoEl();
    if (v && stream && v.srcObject !== stream) v.srcObject = stream;
    if (focused && doc.activeElement !== container.querySelector(`[data-testid="${focused}"]`)) container.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus();
    if (s.mode !== lastMode) {
      if (s.mode === 'open') media.start();
      else if (lastMode === 'open') media.stop();
      lastMode = s.mode;
    }
  };
  const unsubscribe = controller.subscribe(render);

  // Hot corner long-press, listened to on the document so the corner never swallows a citizen's touch.
  const longPressMs = o.longPressMs ?? 3000;
  const corner = o.cornerPx ?? 80;
  let press: { timer: ReturnType<typeof setTimeout>; x: number; y: number } | null = null;
  const cancelPress = () => {
    if (press) clearTimeout(press.timer);
    press = null;
  };
  const onDown = (e: PointerEvent) => {
    if (container.contains(e.target as Node)) controller.touch();
    if (controller.state.mode !== 'closed') return;
    if (e.clientX < win.innerWidth - corner || e.clientY > corner) return;
    cancelPress();
    press = { x: e.clientX, y: e.clientY, timer: setTimeout(() => ((press = null), controller.openRequested()), longPressMs) };
  };
  const onMove = (e: PointerEvent) => {
    if (press && Math.hypot(e.clientX - press.x, e.clientY - press.y) > 24) cancelPress();
  };
  doc.addEventListener('pointerdown', onDown, { capture: true });
  doc.addEventListener('pointermove', onMove, { capture: true });
  doc.addEventListener('pointerup', cancelPress, { capture: true });
  doc.addEventListener('pointercancel', cancelPress, { capture: true });

  void controller.start().then(render, (err: unknown) => console.error('[technician] start failed', err));

  return {
    controller,
    dispose() {
      cancelPress();
      doc.removeEventListener('pointerdown', onDown, { capture: true });
      doc.removeEventListener('pointermove', onMove, { capture: true });
      doc.removeEventListener('pointerup', cancelPress, { capture: true });
      doc.removeEventListener('pointercancel', cancelPress, { capture: true });
      unsubscribe();
      media.stop();
      controller.dispose();
      renderInto(null, container);
      container.remove();
    },
  };
}
