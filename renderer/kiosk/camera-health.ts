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
export function videoFrameGrabber(doc: Document): FrameGrabber {
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

/** The frame source of the sampler: follows a stream, gives its latest small frame. */
export interface FrameGrabber {
  attach(stream: MediaStream): void;
  detach(): void;
  grab(): FrameLike | null;
}

/** Side of the luma grid the track grabber samples (the same 64×36 as the canvas grabber). */
const GRID_W = 64;
const GRID_H = 36;

/** The parts of WebCodecs' VideoFrame the track grabber reads. */
interface VideoFrameLike {
  readonly format: string | null;
  readonly codedWidth: number;
  readonly codedHeight: number;
  readonly visibleRect: { x: number; y: number; width: number; height: number } | null;
  allocationSize(): number;
  copyTo(dest: Uint8Array): Promise<Array<{ offset: number; stride: number }>>;
  close(): void;
}
type TrackProcessor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => { readable: ReadableStream<VideoFrameLike> };

/**
 * The luma of a frame on a 64×36 grid, straight from its Y plane (I420, NV12 and their alpha
 * variants) or from RGB(A), expanded from video range (16–235) to 0–255 as a canvas draw would.
 * Null for a layout it does not know (the caller keeps its previous frame).
 */
export async function lumaGrid(frame: VideoFrameLike, buffer: { bytes?: Uint8Array }): Promise<FrameLike | null> {
  const size = frame.allocationSize();
  if (!buffer.bytes || buffer.bytes.length < size) buffer.bytes = new Uint8Array(size);
  const bytes = buffer.bytes;
  const layout = await frame.copyTo(bytes);
  const rect = frame.visibleRect ?? { x: 0, y: 0, width: frame.codedWidth, height: frame.codedHeight };
  const fmt = frame.format ?? '';
  // 8-bit Y first: I420, I422, I444 (with or without alpha), NV12; high bit depth layouts are not read.
  const planar = /^(I4(20|22|44)A?|NV12)$/.test(fmt);
  const rgb = /^(RGB|BGR)[AX]$/.test(fmt) ? (fmt.startsWith('RGB') ? [0, 1, 2] : [2, 1, 0]) : null;
  if (!planar && !rgb) return null;
  const plane = layout[0]!;
  const out = new Uint8Array(GRID_W * GRID_H);
  for (let gy = 0; gy < GRID_H; gy++) {
    const y = rect.y + Math.floor(((gy + 0.5) * rect.height) / GRID_H);
    for (let gx = 0; gx < GRID_W; gx++) {
      const x = rect.x + Math.floor(((gx + 0.5) * rect.width) / GRID_W);
      let v: number;
      if (planar) {
        // Video range to full range, as the YUV→RGB conversion of a canvas draw does.
        v = ((bytes[plane.offset + y * plane.stride + x]! - 16) * 255) / 219;
      } else {
        const i = plane.offset + y * plane.stride + x * 4;
        v = (77 * bytes[i + rgb![0]!]! + 150 * bytes[i + rgb![1]!]! + 29 * bytes[i + rgb![2]!]!) >> 8;
      }
      out[gy * GRID_W + gx] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { data: out, width: GRID_W, height: GRID_H, channels: 1 };
}

/**
 * Grabs the camera's frames from its track (WebCodecs MediaStreamTrackProcessor): no hidden <video>
 * playing the camera all the time, and no canvas draw of a 720p frame on the main thread (that
 * draw blocked the kiosk's main thread for tens of ms twice a second, a call's setup included).
 * `grab()` returns the latest frame read and asks for the next one; a camera that stops delivering
 * frames keeps returning its last one, as a <video> keeps showing it (so a frozen camera reads as
 * frozen). Null where the browser has no MediaStreamTrackProcessor (use videoFrameGrabber there).
 */
export function trackFrameGrabber(Processor: TrackProcessor | undefined = (globalThis as { MediaStreamTrackProcessor?: TrackProcessor }).MediaStreamTrackProcessor): FrameGrabber | null {
  if (typeof Processor !== 'function') return null;
  let track: MediaStreamTrack | null = null;
  let reader: ReadableStreamDefaultReader<VideoFrameLike> | null = null;
  let last: FrameLike | null = null;
  let reading = false;
  // Bumped by attach/detach: a read that finishes for an older track is dropped.
  let generation = 0;
  const buffer: { bytes?: Uint8Array } = {};
  const detach = () => {
    generation++;
    void reader?.cancel().catch(() => {});
    reader = null;
    track = null;
    last = null;
    reading = false;
  };
  const pull = () => {
    if (!reader || reading) return;
    reading = true;
    const mine = generation;
    reader
      .read()
      .then(async ({ value }) => {
        if (!value) return;
        try {
          if (mine !== generation) return;
          const frame = await lumaGrid(value, buffer);
          if (frame && mine === generation) last = frame;
        } finally {
          value.close();
        }
      })
      .catch(() => {})
      .finally(() => {
        if (mine === generation) reading = false;
      });
  };
  return {
    attach(stream) {
      const next = stream.getVideoTracks()[0] ?? null;
      if (next === track) return;
      detach();
      if (!next) return;
      track = next;
      // One buffered frame: the camera's frames are dropped, not queued, between two samples.
      reader = new Processor({ track: next, maxBufferSize: 1 }).readable.getReader();
    },
    detach,
    grab() {
      pull();
      return last;
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
