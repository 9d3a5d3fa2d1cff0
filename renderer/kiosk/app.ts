// The kiosk app: wires the session machine to the bridge (hub, outbox, hardware inputs), the camera
// and the WebRTC peer, and renders the screens with Preact: the machine's view is a signal, each
// screen a component of it, so nothing decides by hand what redraws. Everything a visit leaves behind
// is removed by `wipe`, which the machine's single reset calls (and which therefore also runs on
// every page load).
import { createActor } from 'xstate';
import type { BridgeApi } from '../../common/bridge/contract';
import type { KioskPublicConfig } from '../../common/config';
import { t as translate, translator, uiLanguage } from '../../common/i18n';
import type { MediaDeviceLike } from '../../common/media-select';
import { selectDevice } from '../../common/media-select';
import type { MediaStatus } from '../../common/media-watch';
import type { IceServer } from '../../common/protocol';
import type { AudioRoute, CallPeer, CallPeerOptions, SessionView } from '../../common/session';
import { createSessionMachine, hubFrameToEvent, hubStatusEvent, toView } from '../../common/session';
import { signal } from '@preact/signals';
import { h, render as renderInto } from 'preact';
import { referenceOf } from '../../common/reference';
import type { CameraHealthSampler } from './camera-health';
import { KioskRoot, OverlayRoot } from './kiosk';
import { ChatContext } from './chat/ChatPanel';
import { createKioskChat } from './chat/store';
import type { LocalMedia } from './local-media';
import type { MediaView, ScreenProps, TopBarSlots, VisitUi } from './ui/context';

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
  /** Components for every screen's top bar (listen button, mode toggle). */
  slots?: TopBarSlots;
  /** Called by the visit's reset, after the UI is cleared (modes back to normal, player stopped…). */
  onWipe?: () => void;
}

type SinkElement = HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };

export function startKioskApp(o: KioskAppOptions) {
  const now = o.now ?? Date.now;
  const monotonic = o.monotonic ?? (() => performance.now());
  const doc = o.root.ownerDocument;
  const freshVisit = (): VisitUi => ({ volume: signal(0.8), reference: signal(null) });
  let visit = freshVisit();
  /** The agent's stream: a signal, so the call screen attaches it when it arrives. */
  const remote = signal<MediaStream | null>(null);
  /** Bumped when the local stream or its microphone changes (the device check's meter follows). */
  const localEpoch = signal(0);
  let remoteEl: HTMLVideoElement | null = null;
  /** Text in the call (renderer/kiosk/chat): in memory only, forgotten with the call and in `wipe`. */
  const chat = createKioskChat({ bridge: o.bridge, now });
  let mounted = false;
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

  /**
   * Removes everything of the visit from the page, synchronously: both Preact trees are unmounted
   * (every component's state — what was typed, the volume — goes with them; the videos release
   * their streams), storage is cleared. The next snapshot mounts fresh trees.
   */
  const wipe = () => {
    renderInto(null, o.root);
    renderInto(null, o.overlay);
    o.root.replaceChildren();
    o.overlay.replaceChildren();
    mounted = false;
    overlayKind = null;
    remote.value = null;
    remoteEl = null;
    visit = freshVisit();
    chat.reset();
    for (const s of o.storages ?? []) {
      try {
        s.clear();
      } catch {
        // storage disabled: then nothing was stored either
      }
    }
    o.onWipe?.();
  };

  const machine = createSessionMachine<MediaStream>({
    now,
    sendToHub: (frame) => o.bridge.invoke('hub.send', frame),
    acquireMedia: (opts) => o.media.acquire(opts),
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
        remote.value = stream;
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
    const el = remoteEl as SinkElement | null;
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
        // The level meter (device check) listens to one track: it rebuilds on the new one.
        localEpoch.value++;
      } else if (result.reason === 'no_device' || result.reason === 'failed') {
        console.warn(`[kiosk] microphone stays as it was (${to}: ${result.reason})`, result.message ?? '');
      }
    }).catch((err: unknown) => console.warn('[kiosk] microphone route failed', err));
  }

  const actor = createActor(machine, { input: { timers: o.config.timers, schedule: o.config.schedule, serviceIds: o.config.services.map((s) => s.id), idPrefix: o.idPrefix } });

  const mediaView: MediaView = {
    // Reading the epoch subscribes the reading component to stream changes.
    local: () => (localEpoch.value, o.media.current()),
    remote: () => remote.value,
    meter: o.meter,
    cameraMissing: () => cameraMissing,
    remoteElement: (el) => {
      remoteEl = el;
      if (el) void applyAudioRoute();
    },
  };

  const propsFor = (view: SessionView): ScreenProps => {
    const lang = view.context.lang;
    return {
      view,
      lang,
      t: translator(lang),
      tIn: (l, key, params) => translate(l, key, params),
      config: o.config,
      send: (e) => actor.send(e),
      media: mediaView,
      now: () => new Date(now()),
      monotonic,
      submitCallback: (record) => o.bridge.invoke('outbox.put', { kind: 'callback', record }),
      visit,
    };
  };
  const props = signal<ScreenProps>(propsFor(toView(actor.getSnapshot())));

  /**
   * A screen that throws while rendering is an error way out of the visit: reset, once (attract
   * failing too must not loop).
   */
  const onRenderError = (err: unknown, screen: string) => {
    console.error('[kiosk] render failed', err);
    if (recovering || screen === 'attract' || screen === 'closed') return;
    recovering = true;
    try {
      actor.send({ type: 'session.reset', reason: 'render_error' });
    } finally {
      recovering = false;
    }
  };

  const mountUi = () => {
    mounted = true;
    const slots = o.slots ?? {};
    renderInto(h(ChatContext.Provider, { value: chat }, h(KioskRoot, { props, slots, onError: onRenderError })), o.root);
    renderInto(h(OverlayRoot, { props, slots }), o.overlay);
  };

  let last: { context: unknown; value: string } | null = null;
  /** Every snapshot: the view signal (components re-render what changed), body data for tests and CSS. */
  function update() {
    const snapshot = actor.getSnapshot();
    // A snapshot with the same state and the same context object (e.g. `activity` restarting the
    // idle delay on every touch) shows nothing new: no render. A generic equality, not a list of fields.
    const value = JSON.stringify(snapshot.value);
    if (mounted && last && last.context === snapshot.context && last.value === value) return;
    last = { context: snapshot.context, value };
    const view = toView(snapshot);
    const c = view.context;
    o.body.dataset.state = view.screen;
    o.body.dataset.substate = view.sub ?? '';
    o.body.dataset.idle = view.idlePrompt ? 'prompt' : '';
    // The page speaks the visit's language (screen readers, hyphenation) in its direction (Arabic: rtl).
    const info = uiLanguage(c.lang);
    doc.documentElement.lang = info.tag;
    doc.documentElement.dir = info.dir;
    // After a call, the reference the citizen takes away is derived from the hub's call id.
    if (c.callId && c.callActive && visit.reference.peek() === null) visit.reference.value = referenceOf(c.callId);
    props.value = propsFor(view);
    // One overlay at a time: the idle prompt never shows in a call, the hangup prompt only in one.
    overlayKind = view.idlePrompt ? 'idle' : view.hangupPrompt ? 'hangup' : null;
    o.body.dataset.overlay = overlayKind ?? '';
    if (!mounted) mountUi();
    if (view.screen === 'inCall') void applyAudioRoute();
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
      localEpoch.value++;
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
    next: () => update(),
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
  update();

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
      chat.dispose();
      o.cameraHealth?.stop();
      o.cameraHealth?.detach();
    },
  };
}
