// The kiosk app: wires the session machine to the bridge (hub, outbox, hardware inputs), the camera
// and the WebRTC peer, and renders one screen per machine state. Everything a visit leaves behind
// is removed by `wipe`, which the machine's single reset calls (and which therefore also runs on
// every page load).
import { createActor } from 'xstate';
import type { BridgeApi } from '../../common/bridge/contract';
import type { KioskPublicConfig } from '../../common/config';
import { t as translate, translator } from '../../common/i18n';
import type { MediaDeviceLike } from '../../common/media-select';
import { selectDevice } from '../../common/media-select';
import type { MediaStatus } from '../../common/media-watch';
import type { IceServer } from '../../common/protocol';
import type { AudioRoute, CallPeer, CallPeerOptions, SessionView } from '../../common/session';
import { createSessionMachine, hubFrameToEvent, hubStatusEvent, toView } from '../../common/session';
import type { CameraHealthSampler } from './camera-health';
import type { Mounted } from './dom';
import { mount } from './dom';
import type { LocalMedia } from './local-media';
import type { MediaView, ScreenProps, UiState } from './screens';
import { freshUi, hangupPrompt, idlePrompt, screens } from './screens';

export interface KioskAppOptions {
  /** Where screens render. */
  root: HTMLElement;
  /** Where the idle prompt renders (above the screen). */
  overlay: HTMLElement;
  /** Gets data-state / data-substate / data-idle / lang for tests and CSS. */
  body: HTMLElement;
  /** The typed bridge to main. */
  bridge: BridgeApi;
  /** Public configuration (office, services, hours, timers). */
  config: KioskPublicConfig;
  /** Camera + microphone of the visit. */
  media: LocalMedia;
  /** Creates the WebRTC peer (renderer/shared/peer.ts createCallPeer); `replaceAudioTrack` lets a lifted handset take the microphone mid-call. */
  createPeer(opts: CallPeerOptions<MediaStream>): CallPeer & { replaceAudioTrack?(track: MediaStreamTrack): Promise<void> };
  /** Microphone level meter (renderer/shared/media.ts levelMeter). */
  meter: MediaView['meter'];
  /** ICE servers from the hub's welcome. */
  iceServers(): IceServer[];
  /** Unique per page load (call request ids). */
  idPrefix: string;
  /** Web storage to wipe on reset (nothing of a visit may survive in it). */
  storages?: Storage[];
  /** Wall clock, ms (opening hours). */
  now?: () => number;
  /** Monotonic clock, ms (idle countdown). */
  monotonic?: () => number;
  /** The session actor crashed (a bug): the entry reloads the page, which is a reset. */
  onFatal?: (err: unknown) => void;
  /** Lists audio outputs to route the agent's voice (navigator.mediaDevices); without it the default output is kept. */
  enumerateDevices?: () => Promise<MediaDeviceLike[]>;
  /** Camera health sampling while the camera is live (camera-health.ts); optional in tests. */
  cameraHealth?: CameraHealthSampler & { attach(stream: MediaStream): void; detach(): void };
}

type SinkElement = HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };

export function startKioskApp(o: KioskAppOptions) {
  const now = o.now ?? Date.now;
  const monotonic = o.monotonic ?? (() => performance.now());
  const doc = o.root.ownerDocument;
  let ui: UiState = freshUi();
  let remote: MediaStream | null = null;
  const kept = new Map<string, Element>();
  let screenMount: Mounted | null = null;
  let overlayMount: Mounted | null = null;
  let lastKey = '';
  let recovering = false;
  let overlayKind: 'idle' | 'hangup' | null = null;
  let audioRoute: AudioRoute = 'speaker';
  let speakerId: string | null = null;
  let mediaStatus: MediaStatus['status'] = 'idle';
  /** The last acquisition found no camera at all (the video-unavailable screen says "plug one in"). */
  let cameraMissing = false;
  let lastLive: Extract<MediaStatus, { status: 'live' }> | null = null;
  // The call's peer while one exists: a microphone switch replaces its audio sender's track.
  let activePeer: ReturnType<KioskAppOptions['createPeer']> | null = null;
  let micChain: Promise<void> = Promise.resolve();

  const wipe = () => {
    screenMount?.dispose();
    overlayMount?.dispose();
    screenMount = overlayMount = null;
    for (const el of kept.values()) {
      if (el instanceof HTMLMediaElement) el.srcObject = null;
      el.remove();
    }
    kept.clear();
    o.root.replaceChildren();
    o.overlay.replaceChildren();
    overlayKind = null;
    remote = null;
    ui = freshUi();
    lastKey = '';
    for (const s of o.storages ?? []) {
      try {
        s.clear();
      } catch {
        // storage disabled: then nothing was stored either
      }
    }
  };

  const machine = createSessionMachine<MediaStream>({
    now,
    sendToHub: (frame) => o.bridge.invoke('hub.send', frame),
    acquireMedia: () => o.media.acquire(),
    stopMedia: () => o.media.stop(),
    reportPhase: (phase) => void o.bridge.invoke('session.phase', phase),
    recordSurvey: (record) => void o.bridge.invoke('outbox.put', { kind: 'survey', record }),
    wipeUi: wipe,
    recordVisit: (v) =>
      void o.bridge.invoke('outbox.put', {
        kind: 'visit',
        record: { service: v.serviceId, language: v.lang, waitMs: v.waitMs, durationMs: v.durationMs, outcome: v.outcome },
      }),
    call: {
      getLocalStream: () => o.media.current() ?? Promise.reject(new Error('no local stream')),
      createPeer: (opts) => {
        const peer = o.createPeer(opts);
        activePeer = peer;
        return {
          signal: (data) => peer.signal(data),
          setMuted: (muted) => peer.setMuted(muted),
          destroy: () => {
            if (activePeer === peer) activePeer = null;
            peer.destroy();
          },
        };
      },
      iceServers: () => o.iceServers(),
      sendSignal: (callId, data) => void o.bridge.invoke('hub.send', { type: 'signal', callId, data }),
      showRemote: (stream) => {
        remote = stream;
        render(true);
        void applyAudioRoute();
      },
    },
    // A callback is offered only when the outbox can take it (not full; reachable at all).
    callbackAvailable: async () => {
      const r = await o.bridge.invoke('outbox.stats');
      return r.ok && !r.value.full;
    },
    routeAudio: (route) => {
      audioRoute = route;
      void applyAudioRoute();
      applyMicRoute();
    },
    wake: () => void o.bridge.invoke('hardware.wake'),
  });

  /**
   * Sends the agent's voice to the handset's audio device (config.media.handset patterns) while it
   * is lifted, else to the chosen speaker. The microphone follows in applyMicRoute.
   */
  async function applyAudioRoute(): Promise<void> {
    const el = kept.get('remote-video') as SinkElement | undefined;
    if (!el?.setSinkId) return;
    let id = speakerId ?? '';
    if (audioRoute === 'handset' && o.enumerateDevices) {
      const handset = selectDevice(await o.enumerateDevices().catch(() => []), 'audiooutput', o.config.media.handset).device;
      if (handset) id = handset.deviceId;
    }
    if (el.dataset.sink === id) return;
    el.dataset.sink = id;
    await el.setSinkId(id).catch((err: unknown) => console.warn('[kiosk] audio route failed', err));
  }
  /**
   * Moves the microphone with the audio route: the handset's (config.media.handset, `audioinput`)
   * while lifted, the booth's otherwise. The local stream is changed in place, so a call that starts
   * later (lifted while waiting) is created with the handset microphone, and a call in progress gets
   * it through replaceAudioTrack on the same sender (no renegotiation). Serialised, and always
   * driven by the latest route, so lift/hang-up bursts settle on the right microphone.
   */
  function applyMicRoute(force?: 'booth'): void {
    micChain = micChain.then(async () => {
      if (!o.media.routeMicrophone) return;
      const to = force ?? (audioRoute === 'handset' ? 'handset' : 'booth');
      const result = await o.media.routeMicrophone(to, async (track) => {
        const peer = activePeer;
        if (!peer) return;
        if (!peer.replaceAudioTrack) throw new Error('this peer cannot replace its microphone');
        try {
          await peer.replaceAudioTrack(track);
        } catch (err) {
          // A call that just closed does not need the microphone any more; anything else keeps the old one.
          if ((err as { code?: unknown }).code !== 'peer_closed') throw err;
        }
      });
      if (result.switched) {
        if (lastLive) void o.bridge.invoke('hardware.mediaInUse', { camera: lastLive.camera, microphone: result.label || null, speaker: lastLive.speaker, fallback: lastLive.fallback });
        // The level meter (device check) listens to one track: rebuild it on the new one. Only there: a
        // rebuild elsewhere could lose what the citizen is typing (callback form).
        if (toView(actor.getSnapshot()).screen === 'deviceCheck') render(true);
      } else if (result.reason === 'no_device' || result.reason === 'failed') {
        console.warn(`[kiosk] microphone stays as it was (${to}: ${result.reason})`, result.message ?? '');
      }
    }).catch((err: unknown) => console.warn('[kiosk] microphone route failed', err));
  }

  const actor = createActor(machine, { input: { timers: o.config.timers, schedule: o.config.schedule, serviceIds: o.config.services.map((s) => s.id), idPrefix: o.idPrefix } });

  const mediaView: MediaView = { local: () => o.media.current(), remote: () => remote, meter: o.meter, cameraMissing: () => cameraMissing };

  const propsFor = (view: SessionView): ScreenProps => {
    const lang = view.context.lang;
    return {
      view,
      lang,
      t: translator(lang),
      tIn: (l, key, params) => translate(l, key, params),
      config: o.config,
      ui,
      send: (e) => actor.send(e),
      refresh: () => render(true),
      media: mediaView,
      now: () => new Date(now()),
      submitCallback: (record) => o.bridge.invoke('outbox.put', { kind: 'callback', record }),
    };
  };

  function render(force = false) {
    const view = toView(actor.getSnapshot());
    const c = view.context;
    o.body.dataset.state = view.screen;
    o.body.dataset.substate = view.sub ?? '';
    o.body.dataset.idle = view.idlePrompt ? 'prompt' : '';
    doc.documentElement.lang = c.lang;
    // A scanned code that was not valid prefills the keypad once (the citizen corrects it there).
    if (c.scannedCode !== ui.scannedApplied) {
      ui.scannedApplied = c.scannedCode;
      if (c.scannedCode) ui.code = c.scannedCode;
    }
    // What the current screen shows; anything else changing (e.g. a buffered signal) is no reason to rebuild.
    // The callback form keeps what the citizen typed: a late availability answer must not rebuild it.
    const offer = view.screen === 'callback' ? null : c.callbackAvailable;
    const key = JSON.stringify([view.screen, view.sub, c.lang, c.position, c.estimateSeconds, c.codeError, c.muted, c.failure, c.agentName, c.serviceId, offer, c.scannedCode]);
    if (force || key !== lastKey) {
      const focused = doc.activeElement instanceof HTMLElement && o.root.contains(doc.activeElement) ? doc.activeElement.dataset.testid : undefined;
      const sameScreen = lastKey !== '' && (JSON.parse(lastKey) as unknown[])[0] === view.screen;
      lastKey = key;
      screenMount?.dispose();
      try {
        screenMount = mount(o.root, screens[view.screen](propsFor(view)), kept);
      } catch (err) {
        // A screen that cannot render is an error way out of the visit: reset, once (attract failing too must not loop).
        console.error('[kiosk] render failed', err);
        screenMount = null;
        o.root.replaceChildren();
        if (!recovering && view.screen !== 'attract' && view.screen !== 'closed') {
          recovering = true;
          actor.send({ type: 'session.reset', reason: 'render_error' });
          recovering = false;
        }
        return;
      }
      // Keep keyboard focus on the same control across a rebuild of the same screen.
      if (sameScreen && focused) o.root.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus();
      // A new screen ignores touches for a moment (styles.css `.arming`): the second tap of a
      // double tap must not land on whatever button appeared under the finger.
      if (!sameScreen) o.root.firstElementChild?.classList.add('arming');
      // Videos kept from a screen that no longer shows them must not linger in memory.
      for (const [id, el] of kept) {
        if (!el.isConnected) {
          if (el instanceof HTMLMediaElement) el.srcObject = null;
          kept.delete(id);
        }
      }
    }
    if (view.screen === 'inCall') void applyAudioRoute();
    // One overlay at a time: the idle prompt never shows in a call, the hangup prompt only in one.
    const wanted = view.idlePrompt ? 'idle' : view.hangupPrompt ? 'hangup' : null;
    if (wanted !== overlayKind) {
      overlayMount?.dispose();
      overlayMount = null;
      o.overlay.replaceChildren();
      overlayKind = wanted;
      ui.idleShownAt = wanted === 'idle' ? monotonic() : null;
      if (wanted === 'idle') overlayMount = mount(o.overlay, idlePrompt(propsFor(view), monotonic));
      else if (wanted === 'hangup') overlayMount = mount(o.overlay, hangupPrompt(propsFor(view)));
    }
    o.body.dataset.overlay = overlayKind ?? '';
  }

  /**
   * The camera's status (media watch) as machine events: a live stream that stops is `devices.lost`
   * (the machine leaves line or call for videoUnavailable), a camera live again is `devices.returned`.
   * Also reports the devices in use and keeps the camera health sampler on the live stream.
   */
  const onMediaStatus = (st: MediaStatus) => {
    const prev = mediaStatus;
    mediaStatus = st.status;
    if (st.status === 'live') cameraMissing = false;
    else if (st.status === 'unavailable') cameraMissing = st.reason === 'no_camera';
    if (st.status === 'live') {
      speakerId = st.speakerId;
      lastLive = st;
      // A stream (re)acquired while the handset is lifted opens on the booth microphone: move it.
      if (audioRoute === 'handset') applyMicRoute();
      void o.bridge.invoke('hardware.mediaInUse', { camera: st.camera, microphone: st.microphone, speaker: st.speaker, fallback: st.fallback });
      const stream = o.media.current();
      if (stream && o.cameraHealth) {
        o.cameraHealth.attach(stream);
        o.cameraHealth.start(st.camera);
      }
      if (prev !== 'live') actor.send({ type: 'devices.returned' });
      return;
    }
    o.cameraHealth?.stop();
    o.cameraHealth?.detach();
    // A camera that cannot be had gives no frames: health must not keep its last "ok". No camera
    // at all is `missing` (a technician plugs one in), one that fails is `no_frames`.
    if (st.status === 'unavailable') {
      const verdict = st.reason === 'no_camera' ? 'missing' : 'no_frames';
      void o.bridge.invoke('hardware.cameraHealth', { verdict, meanLuma: 0, variance: 0, meanDiff: 0, frames: 0, deviceLabel: null });
    }
    // 'idle' is our own release (reset, end of call): not a loss.
    if (prev === 'live' && st.status !== 'idle') actor.send({ type: 'devices.lost', reason: st.status === 'unavailable' ? st.reason : 'reacquiring' });
  };

  const subscription = actor.subscribe({
    next: () => render(),
    error: (err) => (o.onFatal ?? ((e: unknown) => console.error('[kiosk] session actor failed', e)))(err),
  });
  const unsubscribers = [
    o.bridge.on('hub.message', (frame) => {
      const event = hubFrameToEvent(frame);
      if (event) actor.send(event);
    }),
    o.bridge.on('hub.status', (status) => actor.send(hubStatusEvent(status))),
    o.bridge.on('session.reset', (reason) => actor.send({ type: 'session.reset', reason })),
    // Peripherals (hardware/): their events are session events as they are. Any of them but a
    // presence going away means someone is at the booth, so it also counts as activity.
    o.bridge.on('hardware.input', (input) => {
      if (!(input.type === 'presence.changed' && !input.present)) actor.send({ type: 'activity' });
      actor.send(input);
    }),
    o.media.onStatus?.(onMediaStatus) ?? (() => {}),
    // The handset's microphone unplugged while in use: the booth's takes over (the output stays routed).
    o.media.onHandsetMicEnded?.(() => {
      console.warn('[kiosk] handset microphone ended; back to the booth microphone');
      applyMicRoute('booth');
    }) ?? (() => {}),
  ];
  // Activity, and outside opening hours a touch also wakes the dark screen (the machine's closed state does it).
  const onActivity = () => actor.send({ type: 'activity' });
  doc.addEventListener('pointerdown', onActivity, { capture: true });
  doc.addEventListener('keydown', onActivity, { capture: true });
  const hoursTimer = setInterval(() => actor.send({ type: 'hours.tick' }), 30_000);

  actor.start();
  render(true);

  return {
    /** The running session actor (tests, diagnostics). */
    actor,
    /** Stops everything (tests, page unload): resets the visit first so the hub forgets the call. */
    stop() {
      actor.send({ type: 'session.reset', reason: 'stop' });
      subscription.unsubscribe();
      for (const u of unsubscribers) u();
      doc.removeEventListener('pointerdown', onActivity, { capture: true });
      doc.removeEventListener('keydown', onActivity, { capture: true });
      clearInterval(hoursTimer);
      actor.stop();
      wipe();
      o.cameraHealth?.stop();
      o.cameraHealth?.detach();
    },
  };
}
