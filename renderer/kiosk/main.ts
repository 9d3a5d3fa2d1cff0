// Kiosk renderer entry: fetch the public config over the bridge and start the app. A page load is
// a reset (the machine starts in its reset state, which wipes storage and stops media).
import '../shared/strict-csp';
import './ui/components.css';
import './styles.css';
import { KioskPublicConfig } from '../../common/config';
import type { IceServer } from '../../common/protocol';
import { getBridge } from '../shared/bridge-client';
import { forwardRendererLogs } from '../shared/log-forward';
import { levelMeter } from '../shared/media';
import { createCallPeer } from '../shared/peer';
import type { MediaDevicesLike } from '../../common/media-watch';
import { startKioskApp } from './app';
import { enrollGate } from './enroll-gate';
import { reloadOnConfigChange } from './config-reload';
import { applyModes, resetModes } from './modes';
import { ModeToggle } from './ui/mode-toggle';
import { listenButton } from './voice/listen-button';
import { createVoicePlayer } from './voice/player';
import { attachSessionSounds } from './voice/session-sounds';
import { createCameraHealthSampler, trackFrameGrabber, videoFrameGrabber, watchCameraPresence } from './camera-health';
import { createWatchedMedia } from './local-media';
import { translator } from '../../common/i18n';
import { mountTechnician } from './technician/index';
import { selectMedia } from '../../common/media-select';

async function boot(): Promise<void> {
  const bridge = getBridge();
  // The page's own warnings and errors go to main's journal (Electron and Chromium would drop them).
  forwardRendererLogs((line) => bridge.invoke('log.report', line), window);
  // A booth without its identity at the hub shows its enrollment code instead of the visit screens.
  if (await enrollGate(bridge, document.getElementById('app')!)) return;
  const cfg = await bridge.invoke('config.get');
  // Without main's config the defaults still give a working, honest attract screen.
  const config = cfg.ok ? cfg.value : KioskPublicConfig.parse({});
  let ice: IceServer[] = [];
  const refreshIce = async () => {
    const r = await bridge.invoke('hub.iceServers');
    if (r.ok) ice = r.value;
  };
  // Not awaited: the first screen needs no ICE servers, and a call is minutes away (refreshed on every reconnect).
  void refreshIce();
  bridge.on('hub.status', (s) => {
    if (s === 'online') void refreshIce();
  });
  // Fresh TURN credentials pushed by the hub; registered before the session app so a call accepted
  // right after them already uses them.
  bridge.on('hub.message', (frame) => {
    if (frame.type === 'ice.servers') ice = frame.iceServers;
  });

  // Camera and microphone by label pattern (config.media), re-acquired on unplug/replug.
  const devices = navigator.mediaDevices as unknown as MediaDevicesLike;
  const media = createWatchedMedia({ devices, policy: config.media });
  // From the camera's track where Chromium allows it (no canvas draw on the main thread); else a hidden <video>.
  const grabber = trackFrameGrabber() ?? videoFrameGrabber(document);
  const sampler = createCameraHealthSampler({ grab: () => grabber.grab(), report: (h) => void bridge.invoke('hardware.cameraHealth', h) });

  // Display modes: classes on <body> while the visit lasts; the visit's wipe turns them off.
  applyModes(document.body);
  // The booth's voice: <audio data-testid="voice-audio"> in <body>, the Écouter button, the call and visit sounds.
  const voice = createVoicePlayer({ doc: document });
  const app = startKioskApp({
    root: document.getElementById('app')!,
    overlay: document.getElementById('overlay')!,
    body: document.body,
    slots: { modes: ModeToggle, listen: listenButton(voice) },
    onWipe: resetModes,
    bridge,
    config,
    media,
    enumerateDevices: () => devices.enumerateDevices(),
    cameraHealth: { ...sampler, attach: grabber.attach, detach: grabber.detach },
    createPeer: (opts) => createCallPeer(opts),
    meter: (stream, onLevel) => levelMeter(stream, onLevel),
    iceServers: () => ice,
    idPrefix: crypto.randomUUID().slice(0, 8),
    storages: [window.sessionStorage, window.localStorage],
    // A crashed session actor would leave the booth stuck on a screen: reloading is the reset.
    onFatal: (err) => {
      console.error('[kiosk] session actor failed; reloading', err);
      window.location.reload();
    },
  });
  // A hub configuration applied by main is taken by a reload between visits, never during one.
  reloadOnConfigChange({ onConfigChanged: (l) => bridge.on('config.changed', () => l()), actor: app.actor, reload: () => window.location.reload() });
  const stopSounds = attachSessionSounds({
    actor: app.actor,
    player: voice,
    onHardwareInput: (l) => bridge.on('hardware.input', l),
    handsetOutput: { enumerateDevices: () => devices.enumerateDevices(), preference: config.media.handset },
  });
  // A booth with no camera at all says so at once (hub: camera:missing), not at the first visit.
  const stopPresence = watchCameraPresence({
    enumerate: () => devices.enumerateDevices(),
    onDeviceChange: (l) => {
      navigator.mediaDevices.addEventListener('devicechange', l);
      return () => navigator.mediaDevices.removeEventListener('devicechange', l);
    },
    report: (h) => void bridge.invoke('hardware.cameraHealth', h),
  });
  // Leaving the page (reload, crash recovery) is a way out of the visit like any other.
  window.addEventListener('pagehide', () => {
    stopPresence();
    stopSounds();
    voice.dispose();
    app.stop();
    media.dispose?.();
  });
  // Hidden technician panel (long-press top-right corner + PIN; corner button in simulation mode).
  mountTechnician(document.body, {
    bridge,
    t: translator('fr'),
    // The echo test plays through and listens with the booth's configured devices (by label).
    echo: async () => {
      const chosen = selectMedia(await devices.enumerateDevices(), config.media);
      return {
        ...(chosen.speaker.device ? { speakerDeviceId: chosen.speaker.device.deviceId } : {}),
        ...(chosen.microphone.device ? { micDeviceId: chosen.microphone.device.deviceId } : {}),
      };
    },
  });
}

/** What a touch, a mouse or a drag must never do on a booth, installed before anything else runs. */
function lockDownPage(): void {
  // Touch kiosks: no context menu, no pinch/drag selection.
  document.addEventListener('contextmenu', (e) => e.preventDefault());
  // Nothing is dragged out of the page and nothing dropped on it: Chromium navigates to a link or
  // file dropped on a page that does not take the drop (test/e2e/lockdown.e2e.test.ts).
  for (const type of ['dragstart', 'dragover', 'drop'] as const) document.addEventListener(type, (e) => e.preventDefault());
  // The kiosk has no links: one that reaches the page anyway never opens, neither here nor in a
  // new tab (middle click, Ctrl/Shift+click are not covered by the CSP sandbox).
  for (const type of ['click', 'auxclick'] as const) {
    document.addEventListener(type, (e) => (e.target as Element | null)?.closest?.('a[href], area[href]') && e.preventDefault(), true);
  }
  // Ctrl+wheel (and a touchpad pinch, which arrives as one) would zoom the page.
  document.addEventListener('wheel', (e) => e.ctrlKey && e.preventDefault(), { passive: false });
}

lockDownPage();
void boot();
