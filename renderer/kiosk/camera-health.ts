// Camera health proof while the camera is live (frames arrive, not black, not frozen): a few frames a second of the
// local stream are drawn into a tiny canvas and pushed into a FrameWindow (common/frame-health.ts);
// every few seconds the verdict (ok / black / frozen / no_frames) goes to main with
// `hardware.cameraHealth`. The sampling and reporting loop is plain logic with injected timers and
// a `grab` function, so it is tested in Node; `videoFrameGrabber` is the Chromium part.
import type { CameraHealth } from '../../common/bridge/hardware';
import type { FrameLike } from '../../common/frame-health';
import { FrameWindow } from '../../common/frame-health';

export interface CameraHealthOptions {
  /** One small frame of the live camera, or null when none is decodable yet. */
  grab(): FrameLike | null;
  /** Sends the report (bridge `hardware.cameraHealth`). */
  report(health: CameraHealth): void;
  /** Interval between samples, ms (default 500: 2 frames/s is enough to tell frozen from live). */
  sampleMs?: number;
  /** Samples between reports (default 10, i.e. one report every 5 s). */
  reportEvery?: number;
  /** Timers (tests pass fakes). */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

export interface CameraHealthSampler {
  /** Starts sampling the camera named `label` (restarts with a clean window if already running). */
  start(label: string | null): void;
  /** Stops sampling; nothing is reported until the next start. Idempotent. */
  stop(): void;
}

export function createCameraHealthSampler(o: CameraHealthOptions): CameraHealthSampler {
  const every = o.setInterval ?? ((fn, ms) => globalThis.setInterval(fn, ms));
  const clear = o.clearInterval ?? ((h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>));
  const reportEvery = o.reportEvery ?? 10;
  const window = new FrameWindow(8);
  let timer: unknown = null;
  let samples = 0;
  let label: string | null = null;

  const tick = () => {
    let frame: FrameLike | null = null;
    try {
      frame = o.grab();
    } catch {
      frame = null; // a frame that cannot be read counts as no frame, never as an error in the visit
    }
    if (frame) window.push(frame);
    if (++samples % reportEvery === 0) o.report({ ...window.report(), deviceLabel: label });
  };

  const stop = () => {
    if (timer !== null) clear(timer);
    timer = null;
  };
  return {
    start(next) {
      stop();
      window.clear();
      samples = 0;
      label = next;
      timer = every(tick, o.sampleMs ?? 500);
    },
    stop,
  };
}

/**
 * Grabs 64×36 frames of a stream through a hidden <video> and a canvas. The element is outside
 * the screens (so sampling goes on whatever screen shows) and removed by `detach`.
 */
export function videoFrameGrabber(doc: Document): { attach(stream: MediaStream): void; detach(): void; grab(): FrameLike | null } {
  let video: HTMLVideoElement | null = null;
  const canvas = doc.createElement('canvas');
  canvas.width = 64;
  canvas.height = 36;
  let ctx: CanvasRenderingContext2D | null = null;
  return {
    attach(stream) {
      if (!video) {
        video = doc.createElement('video');
        video.muted = true;
        video.playsInline = true;
        video.setAttribute('aria-hidden', 'true');
        video.dataset.role = 'camera-health';
        // Rendered (so Chromium keeps decoding) but invisible and untouchable.
        video.style.cssText = 'position:fixed;left:0;top:0;width:2px;height:2px;opacity:0;pointer-events:none';
        doc.body.appendChild(video);
      }
      if (video.srcObject !== stream) {
        video.srcObject = stream;
        void video.play().catch(() => {});
      }
    },
    detach() {
      if (video) {
        video.srcObject = null;
        video.remove();
      }
      video = null;
    },
    grab() {
      if (!video || video.readyState < 2) return null;
      ctx ??= canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx) return null;
      ctx.drawImage(video, 0, 0, 64, 36);
      return ctx.getImageData(0, 0, 64, 36);
    },
  };
}

/** The "no camera at all" report (verdict `missing`): no frames to measure, no device to name. */
export const cameraMissingReport: CameraHealth = { verdict: 'missing', meanLuma: 0, variance: 0, meanDiff: 0, frames: 0, deviceLabel: null };

export interface CameraPresenceOptions {
  /** `navigator.mediaDevices.enumerateDevices` (lists devices without permission, labels hidden). */
  enumerate(): Promise<Array<{ kind: string }>>;
  /** Subscribes to `devicechange`; returns the unsubscribe function. */
  onDeviceChange(listener: () => void): () => void;
  /** Sends the report (bridge `hardware.cameraHealth`). */
  report(health: CameraHealth): void;
  /** Re-check period (ms, default 10 000): main drops a `missing` older than 30 s, so it is re-asserted while true. */
  recheckMs?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/**
 * Tells main at boot, whenever devices change, and every `recheckMs` while it lasts, that the booth
 * has no camera at all (the hub sees `camera:missing` before any citizen tries). Once a camera is
 * plugged in the reports stop and main forgets the `missing` (hardware/health.ts); the sampler
 * reports frames once a visit opens the camera. Returns the unsubscribe function.
 */
export function watchCameraPresence(o: CameraPresenceOptions): () => void {
  let stopped = false;
  const check = async () => {
    let devices: Array<{ kind: string }>;
    try {
      devices = await o.enumerate();
    } catch {
      return; // cannot tell: say nothing rather than something false
    }
    if (!stopped && !devices.some((d) => d.kind === 'videoinput')) o.report(cameraMissingReport);
  };
  void check();
  const off = o.onDeviceChange(() => void check());
  const every = o.setInterval ?? ((fn, ms) => globalThis.setInterval(fn, ms));
  const clear = o.clearInterval ?? ((h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>));
  const timer = every(() => void check(), o.recheckMs ?? 10_000);
  return () => {
    stopped = true;
    clear(timer);
    off();
  };
}
