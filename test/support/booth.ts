// Helpers for the booth-peripherals E2E: drive the simulated twins through main's bridge handlers,
// read what they show, and a media stub for the kiosk page that can pull the camera out, plug it
// back and turn it into a black one, on top of Chromium's fake devices.
import type { Page } from 'playwright-core';
import type { DeviceKind, DeviceState, SimControl, SimSnapshot } from '../../common/bridge/hardware';
import type { Stack } from './stack';

/** Label of the handset's audio output the stub adds (match it with `config.media.handset`). */
export const HANDSET_OUTPUT = { deviceId: 'vg-handset-out', label: 'USB Handset (simulated)' };

/** Drives a simulated twin exactly as the technician panel does (`hardware.sim.control`). */
export async function sim(s: Stack, control: SimControl): Promise<void> {
  await s.core.handlers['hardware.sim.control'](control);
}

/** What the twins show: decoded light colour, handset LEDs and hook, presence. */
export async function simSnapshot(s: Stack): Promise<SimSnapshot> {
  return s.core.handlers['hardware.sim.snapshot']();
}

/** The DeviceManager's live state of one peripheral (`hardware.states`). */
export async function deviceState(s: Stack, kind: DeviceKind): Promise<DeviceState> {
  return (await s.core.handlers['hardware.states']())[kind];
}

export const GREEN = { r: 0, g: 255, b: 0, blink: false };
export const RED = { r: 255, g: 0, b: 0, blink: false };

/** Polls until `probe` returns a value `accept` likes; fails with the last value seen after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T> | T, accept: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Test controls the stub puts on the page as `window.__cam`. */
export interface CameraStubControls {
  /** Pull the camera out: it leaves enumerateDevices, its live tracks end, devicechange fires. */
  unplug(): void;
  /** Plug it back in: it is listed again and devicechange fires. */
  plug(): void;
  /** From the next getUserMedia on, the camera delivers black frames. */
  black: boolean;
  /** getUserMedia calls with video so far. */
  acquisitions: number;
  /** Page-load marker: unchanged means the page was never reloaded. */
  loadId: string;
}

/**
 * Wraps navigator.mediaDevices (before the kiosk's scripts run) so the camera can disappear and
 * return like a USB webcam, or deliver black frames (a canvas stream standing in for a covered
 * lens); adds a handset audio output and lets setSinkId accept it (Chromium's fake devices have
 * none). Everything else is Chromium's fake camera and microphone.
 */
export async function installCameraStub(p: Page, opts: { black?: boolean } = {}): Promise<void> {
  await p.addInitScript(
    ({ handset, black }) => {
      const md = navigator.mediaDevices;
      const realEnumerate = md.enumerateDevices.bind(md);
      const realGum = md.getUserMedia.bind(md);
      let present = true;
      let live: MediaStreamTrack[] = [];
      const ctl = {
        black,
        acquisitions: 0,
        loadId: Math.random().toString(36).slice(2),
        unplug() {
          present = false;
          for (const t of live.splice(0)) {
            t.stop();
            // stop() fires nothing; a device that goes away does.
            t.dispatchEvent(new Event('ended'));
          }
          md.dispatchEvent(new Event('devicechange'));
        },
        plug() {
          present = true;
          md.dispatchEvent(new Event('devicechange'));
        },
      };
      (window as unknown as { __cam: typeof ctl }).__cam = ctl;
      const blackTrack = (): MediaStreamTrack => {
        const c = document.createElement('canvas');
        c.width = 320;
        c.height = 180;
        const g = c.getContext('2d')!;
        const draw = () => {
          g.fillStyle = '#000';
          g.fillRect(0, 0, 320, 180);
        };
        draw();
        // Redrawn so captureStream keeps producing (black) frames.
        const timer = setInterval(draw, 40);
        const track = c.captureStream(25).getVideoTracks()[0]!;
        track.addEventListener('ended', () => clearInterval(timer));
        return track;
      };
      md.enumerateDevices = async () => {
        const list = (await realEnumerate()).filter((d) => present || d.kind !== 'videoinput');
        return [...list, { deviceId: handset.deviceId, kind: 'audiooutput', label: handset.label, groupId: 'vg-handset', toJSON: () => ({}) } as MediaDeviceInfo];
      };
      md.getUserMedia = async (constraints?: MediaStreamConstraints) => {
        if (constraints?.video) {
          ctl.acquisitions++;
          if (!present) throw new DOMException('Requested device not found', 'NotFoundError');
        }
        let stream = await realGum(constraints);
        if (constraints?.video && ctl.black) {
          for (const t of stream.getVideoTracks()) t.stop();
          stream = new MediaStream([blackTrack(), ...stream.getAudioTracks()]);
        }
        live.push(...stream.getVideoTracks());
        live = live.filter((t) => t.readyState === 'live');
        return stream;
      };
      type Sink = HTMLMediaElement & { setSinkId(id: string): Promise<void> };
      const proto = HTMLMediaElement.prototype as Sink;
      const realSink = proto.setSinkId;
      proto.setSinkId = function (this: Sink, id: string) {
        this.dataset.sinkApplied = id;
        return id === handset.deviceId ? Promise.resolve() : realSink.call(this, id);
      };
    },
    { handset: HANDSET_OUTPUT, black: opts.black ?? false },
  );
}

/** Calls a control of the camera stub in the page. */
export function camera(p: Page, action: 'unplug' | 'plug'): Promise<void> {
  return p.evaluate((a) => (window as unknown as { __cam: CameraStubControls }).__cam[a](), action);
}

export function cameraStub(p: Page): Promise<{ acquisitions: number; loadId: string }> {
  return p.evaluate(() => {
    const c = (window as unknown as { __cam: CameraStubControls }).__cam;
    return { acquisitions: c.acquisitions, loadId: c.loadId };
  });
}

/** Decoded frames of a <video> by test id advance by more than `n` (bounded wait). */
export async function framesFlow(p: Page, testid: string, n = 5): Promise<{ width: number; frames: number }> {
  await p.waitForFunction(
    (id) => {
      const v = document.querySelector<HTMLVideoElement>(`[data-testid="${id}"]`);
      return !!v && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
    },
    testid,
    { timeout: 20_000 },
  );
  const first = await p.evaluate((id) => document.querySelector<HTMLVideoElement>(`[data-testid="${id}"]`)!.getVideoPlaybackQuality().totalVideoFrames, testid);
  await p.waitForFunction(
    ({ id, f, k }) => document.querySelector<HTMLVideoElement>(`[data-testid="${id}"]`)!.getVideoPlaybackQuality().totalVideoFrames > f + k,
    { id: testid, f: first, k: n },
    { timeout: 20_000 },
  );
  return p.evaluate((id) => {
    const v = document.querySelector<HTMLVideoElement>(`[data-testid="${id}"]`)!;
    return { width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames };
  }, testid);
}

/** Label of the handset's microphone the mic stub adds (matches `config.media.handset` labels ['Handset']). */
export const HANDSET_INPUT = { deviceId: 'vg-handset-mic', label: 'USB Handset Microphone (simulated)' };

/** What the mic/peer stub records in the page (`window.__mic`). */
export interface MicStubState {
  /** Ids of the handset microphone tracks handed out, in order. */
  handsetTracks: string[];
  /** Every track getUserMedia handed out: id, kind, whether it came from the handset, readyState now. */
  tracks: { id: string; kind: string; handset: boolean; readyState: string }[];
  /** The audio sender of the page's latest RTCPeerConnection: its track id (null if none yet) and readyState. */
  sender: { trackId: string | null; readyState: string | null; enabled: boolean | null } | null;
  /** Connection state of the latest RTCPeerConnection. */
  connectionState: string | null;
  /** The first audio track added to the latest RTCPeerConnection (what the call started with). */
  firstAudioTrackId: string | null;
  /** setRemoteDescription calls on the latest RTCPeerConnection (a renegotiation would add some). */
  remoteDescriptions: number;
}

/**
 * Adds a handset MICROPHONE to the kiosk page (install after installCameraStub, which adds the
 * handset's output): it is listed by enumerateDevices, and getUserMedia for its id returns an
 * oscillator track (Chromium's fake devices have no second, distinguishable microphone). Records
 * every track handed out and wraps RTCPeerConnection so the test can read which track the call's
 * audio sender carries, and whether the call renegotiated.
 */
export async function installHandsetMicStub(p: Page): Promise<void> {
  await p.addInitScript(
    ({ handset }) => {
      const md = navigator.mediaDevices;
      const enumerate = md.enumerateDevices.bind(md);
      const gum = md.getUserMedia.bind(md);
      const handed: { track: MediaStreamTrack; handset: boolean }[] = [];
      const handsetTracks: string[] = [];
      const pcs: { pc: RTCPeerConnection; remoteDescriptions: number; firstAudio: string | null }[] = [];
      let present = true;
      md.enumerateDevices = async () => [
        ...(await enumerate()),
        ...(present ? [{ deviceId: handset.deviceId, kind: 'audioinput', label: handset.label, groupId: 'vg-handset', toJSON: () => ({}) } as MediaDeviceInfo] : []),
      ];
      const wantsHandset = (c?: MediaStreamConstraints) => {
        const a = c?.audio;
        if (!a || typeof a !== 'object') return false;
        const id = a.deviceId;
        const exact = id && typeof id === 'object' && !Array.isArray(id) ? (id as { exact?: unknown }).exact : id;
        return exact === handset.deviceId;
      };
      md.getUserMedia = async (constraints?: MediaStreamConstraints) => {
        if (wantsHandset(constraints)) {
          if (constraints?.video) throw new DOMException('the handset has no camera', 'OverconstrainedError');
          const ctx = new AudioContext();
          const osc = ctx.createOscillator();
          osc.frequency.value = 1_000;
          const dest = ctx.createMediaStreamDestination();
          osc.connect(dest);
          osc.start();
          const track = dest.stream.getAudioTracks()[0]!;
          handsetTracks.push(track.id);
          handed.push({ track, handset: true });
          return new MediaStream([track]);
        }
        const stream = await gum(constraints);
        for (const track of stream.getTracks()) handed.push({ track, handset: false });
        return stream;
      };
      const Real = window.RTCPeerConnection;
      class Recorded extends Real {
        constructor(config?: RTCConfiguration) {
          super(config);
          const entry = { pc: this as RTCPeerConnection, remoteDescriptions: 0, firstAudio: null as string | null };
          pcs.push(entry);
          const add = this.addTrack.bind(this);
          this.addTrack = (track: MediaStreamTrack, ...streams: MediaStream[]) => {
            if (track.kind === 'audio') entry.firstAudio ??= track.id;
            return add(track, ...streams);
          };
          const set = this.setRemoteDescription.bind(this);
          this.setRemoteDescription = (d: RTCSessionDescriptionInit) => {
            entry.remoteDescriptions++;
            return set(d);
          };
        }
      }
      window.RTCPeerConnection = Recorded;
      const state = () => {
        const last = pcs.at(-1);
        const sender = last?.pc.getSenders().find((s) => s.track?.kind === 'audio');
        return {
          handsetTracks: [...handsetTracks],
          tracks: handed.map(({ track, handset: h }) => ({ id: track.id, kind: track.kind, handset: h, readyState: track.readyState })),
          sender: last ? { trackId: sender?.track?.id ?? null, readyState: sender?.track?.readyState ?? null, enabled: sender?.track?.enabled ?? null } : null,
          connectionState: last?.pc.connectionState ?? null,
          firstAudioTrackId: last?.firstAudio ?? null,
          remoteDescriptions: last?.remoteDescriptions ?? 0,
        };
      };
      // The handset's microphone pulled out: it leaves the list and its live tracks end (stop() alone fires nothing).
      const unplug = () => {
        present = false;
        for (const { track, handset: h } of handed) {
          if (!h || track.readyState !== 'live') continue;
          track.stop();
          track.dispatchEvent(new Event('ended'));
        }
        md.dispatchEvent(new Event('devicechange'));
      };
      (window as unknown as { __mic: { state: typeof state; unplug: typeof unplug } }).__mic = { state, unplug };
    },
    { handset: HANDSET_INPUT },
  );
}

/** Reads the mic/peer stub's record (installHandsetMicStub). */
export function micStub(p: Page): Promise<MicStubState> {
  return p.evaluate(() => (window as unknown as { __mic: { state(): MicStubState } }).__mic.state());
}

/** Pulls the stubbed handset microphone out (installHandsetMicStub): its live tracks end. */
export function unplugHandsetMic(p: Page): Promise<void> {
  return p.evaluate(() => (window as unknown as { __mic: { unplug(): void } }).__mic.unplug());
}

/** Records the page's RTCPeerConnections (e.g. the agent console) so inboundAudioPackets can read their stats. */
export async function installPeerRecorder(p: Page): Promise<void> {
  await p.addInitScript(() => {
    const Real = window.RTCPeerConnection;
    const pcs: RTCPeerConnection[] = [];
    class Recorded extends Real {
      constructor(config?: RTCConfiguration) {
        super(config);
        pcs.push(this);
      }
    }
    window.RTCPeerConnection = Recorded;
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = pcs;
  });
}

/** Audio RTP packets received so far on the page's latest RTCPeerConnection (installPeerRecorder). */
export function inboundAudioPackets(p: Page): Promise<number> {
  return p.evaluate(async () => {
    const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1);
    if (!pc) return 0;
    let n = 0;
    (await pc.getStats()).forEach((r: { type: string; kind?: string; packetsReceived?: number }) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') n += r.packetsReceived ?? 0;
    });
    return n;
  });
}
