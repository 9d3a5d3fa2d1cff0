// Keeps the booth's camera and microphone acquired across unplug/replug without a restart. Runs in
// the renderer (Chromium owns media) but depends only on structural types, so it is tested in
// Node with a fake `mediaDevices`. The session machine listens to its status: `unavailable`
// → the "video unavailable" state offering the toll-free number; `live` again → resume.
import { buildConstraints, reassess, selectMedia, type MediaDeviceLike, type MediaPolicy, type PlainConstraints } from './media-select';

/** The parts of MediaStreamTrack used here. */
export interface TrackLike {
  readonly kind: string;
  readonly label: string;
  stop(): void;
  addEventListener(type: 'ended', listener: () => void): void;
}
export interface StreamLike {
  getTracks(): TrackLike[];
}
/** The parts of navigator.mediaDevices used here. */
export interface MediaDevicesLike {
  enumerateDevices(): Promise<MediaDeviceLike[]>;
  getUserMedia(constraints: PlainConstraints): Promise<StreamLike>;
  addEventListener(type: 'devicechange', listener: () => void): void;
  removeEventListener(type: 'devicechange', listener: () => void): void;
}

export type MediaStatus =
  | { status: 'idle' }
  | { status: 'acquiring' }
  | { status: 'live'; camera: string | null; microphone: string | null; speakerId: string | null; speaker: string | null; fallback: boolean }
  /** Video cannot be had: the visit must degrade. `retrying` while a device change may bring it back. */
  | { status: 'unavailable'; reason: 'no_camera' | 'permission_denied' | 'device_error'; message: string };

export interface MediaWatchOptions {
  media: MediaDevicesLike;
  policy: MediaPolicy;
  onStatus?: (status: MediaStatus) => void;
}

const errorName = (err: unknown) => (typeof err === 'object' && err && 'name' in err ? String((err as { name: unknown }).name) : '');

export class MediaWatch {
  private current: MediaStatus = { status: 'idle' };
  private live: StreamLike | null = null;
  private inUse: MediaDeviceLike | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private wanted = false;
  private readonly onChange = () => void this.enqueue(() => this.deviceChanged());

  constructor(private readonly o: MediaWatchOptions) {
    o.media.addEventListener('devicechange', this.onChange);
  }

  get status(): MediaStatus {
    return this.current;
  }

  /** The current stream (null unless live). */
  get stream(): StreamLike | null {
    return this.live;
  }

  /** Acquire (or re-acquire) camera and microphone per the policy. Resolves with the stream or null. */
  acquire(): Promise<StreamLike | null> {
    this.wanted = true;
    return this.enqueue(() => this.doAcquire());
  }

  /** Stop every track (the session's reset path); devicechange no longer re-acquires. */
  release(): void {
    this.wanted = false;
    this.stopTracks();
    this.set({ status: 'idle' });
  }

  /** Release and stop listening. */
  dispose(): void {
    this.release();
    this.o.media.removeEventListener('devicechange', this.onChange);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => {});
    return p;
  }

  private set(s: MediaStatus): void {
    this.current = s;
    this.o.onStatus?.(s);
  }

  private stopTracks(): void {
    for (const t of this.live?.getTracks() ?? []) t.stop();
    this.live = null;
    this.inUse = null;
  }

  private async doAcquire(): Promise<StreamLike | null> {
    this.stopTracks();
    this.set({ status: 'acquiring' });
    try {
      let devices = await this.o.media.enumerateDevices();
      let sel = selectMedia(devices, this.o.policy);
      if (!sel.camera.device && !sel.camera.labelsHidden) return this.unavailable('no_camera', 'no camera is connected');
      let stream = await this.o.media.getUserMedia(buildConstraints(this.o.policy, sel));
      if (sel.camera.labelsHidden) {
        // Labels appear only after the first grant: choose again by label and switch if needed.
        devices = await this.o.media.enumerateDevices();
        const again = selectMedia(devices, this.o.policy);
        const videoLabel = stream.getTracks().find((t) => t.kind === 'video')?.label;
        if (again.camera.device && again.camera.device.label !== videoLabel) {
          for (const t of stream.getTracks()) t.stop();
          stream = await this.o.media.getUserMedia(buildConstraints(this.o.policy, again));
        }
        sel = again;
      }
      const video = stream.getTracks().find((t) => t.kind === 'video') ?? null;
      if (!video) {
        for (const t of stream.getTracks()) t.stop();
        return this.unavailable('no_camera', 'the stream has no video track');
      }
      this.live = stream;
      this.inUse = sel.camera.device ?? devices.find((d) => d.kind === 'videoinput' && d.label === video.label) ?? null;
      for (const t of stream.getTracks()) t.addEventListener('ended', () => void this.enqueue(() => this.trackEnded(stream)));
      this.set({
        status: 'live',
        camera: video.label || null,
        microphone: stream.getTracks().find((t) => t.kind === 'audio')?.label || null,
        speakerId: sel.speaker.device?.deviceId ?? null,
        speaker: sel.speaker.device?.label ?? null,
        fallback: sel.fallback,
      });
      return stream;
    } catch (err) {
      const name = errorName(err);
      if (name === 'NotAllowedError' || name === 'SecurityError') return this.unavailable('permission_denied', 'camera permission denied');
      if (name === 'NotFoundError' || name === 'OverconstrainedError') return this.unavailable('no_camera', `no usable camera (${name})`);
      return this.unavailable('device_error', err instanceof Error ? err.message : String(err));
    }
  }

  private unavailable(reason: 'no_camera' | 'permission_denied' | 'device_error', message: string): null {
    this.stopTracks();
    this.set({ status: 'unavailable', reason, message });
    return null;
  }

  // A track of the live stream ended (device unplugged or failed): re-acquire, maybe on a fallback device.
  private async trackEnded(stream: StreamLike): Promise<void> {
    if (stream !== this.live || !this.wanted) return;
    await this.doAcquire();
  }

  private async deviceChanged(): Promise<void> {
    if (!this.wanted) return;
    const devices = await this.o.media.enumerateDevices();
    const verdict = reassess(this.current.status === 'live' ? this.inUse : null, devices, 'videoinput', this.o.policy.camera);
    // 'better' is ignored while live: switching cameras mid-visit would disrupt it; the next acquire() picks it.
    if (verdict === 'lost' || (verdict === 'returned' && this.current.status === 'unavailable' && this.current.reason !== 'permission_denied')) {
      await this.doAcquire();
    }
  }
}
