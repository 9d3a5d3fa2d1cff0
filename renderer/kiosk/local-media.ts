// The citizen's camera + microphone for one visit. The kiosk owns the stream (the peer never stops
// it): `stop()` is what turns the camera light off, and an acquisition that finishes after a stop
// (the citizen left while the camera was opening) is stopped on arrival instead of leaking.
import type { MediaPolicy, MediaPreference } from '../../common/media-select';
import { selectDevice } from '../../common/media-select';
import type { MediaDevicesLike, MediaStatus, StreamLike } from '../../common/media-watch';
import { MediaWatch } from '../../common/media-watch';
import { acquireMedia, MediaAcquireError, stopStream } from '../shared/media';

/** Constraints of the booth camera: 720p is plenty for a face and kind to office uplinks. */
export const KIOSK_CONSTRAINTS: MediaStreamConstraints = {
  video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'user' },
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
};

/** Which microphone the visit uses: the booth's (config.media.microphone) or the lifted handset's (config.media.handset). */
export type MicRoute = 'booth' | 'handset';

/** The outcome of a microphone switch; `switched: false` leaves the stream exactly as it was. */
export type MicSwitch =
  | { switched: true; track: MediaStreamTrack; label: string }
  | { switched: false; reason: 'no_stream' | 'already' | 'no_device' | 'superseded' | 'failed'; message?: string };

/** What a visit opens: camera and microphone, or the microphone only (consent "Micro seulement", or the audio call offered without a camera). */
export interface AcquireOptions {
  /** Open the microphone only; no camera is asked for (nor its light turned on). */
  audioOnly?: boolean;
}

export interface LocalMedia {
  /** Opens camera + microphone, or the microphone only (stopping any previous stream); rejects with a MediaAcquireError. */
  acquire(opts?: AcquireOptions): Promise<void>;
  /** Stops every track, including a stream still being acquired. Idempotent. */
  stop(): void;
  /** The live stream, or null. */
  current(): MediaStream | null;
  /** Follow the device status (live with labels / unavailable + reason); returns the unsubscribe function. */
  onStatus?(listener: (status: MediaStatus) => void): () => void;
  /** Stop listening to device changes (page unload). */
  dispose?(): void;
  /**
   * Moves the microphone of the live stream to `to`, in place (self-view and meter keep the same
   * MediaStream; `stop()` stops the new track too). `swap` runs once the new track is in the stream
   * (the call replaces its sender there); if it throws, the old microphone is put back. The old
   * track is stopped only after `swap` resolved, so the call never sends a stopped track.
   */
  routeMicrophone?(to: MicRoute, swap?: (track: MediaStreamTrack) => Promise<void>): Promise<MicSwitch>;
  /** Follow the handset microphone ending while in use (unplugged): the app moves back to the booth's. Returns the unsubscribe function. */
  onHandsetMicEnded?(listener: () => void): () => void;
}

export function createLocalMedia(acquire: (opts: AcquireOptions) => Promise<MediaStream> = (o) => acquireMedia(o.audioOnly ? { video: false, audio: KIOSK_CONSTRAINTS.audio ?? true } : KIOSK_CONSTRAINTS)): LocalMedia {
  let stream: MediaStream | null = null;
  // Bumped by every acquire/stop: a result belonging to an older generation is stale.
  let generation = 0;
  return {
    async acquire(opts = {}) {
      const mine = ++generation;
      stopStream(stream);
      stream = null;
      const s = await acquire(opts);
      if (mine !== generation) {
        stopStream(s);
        throw new MediaAcquireError('media_superseded', 'camera opened after the visit moved on; stopped');
      }
      stream = s;
    },
    stop() {
      generation++;
      stopStream(stream);
      stream = null;
    },
    current: () => stream,
  };
}

/**
 * Camera + microphone chosen by label pattern from the kiosk configuration and kept acquired across
 * unplug/replug (common/media-watch.ts). `acquire` rejects with a MediaAcquireError whose code is
 * the watch's reason (`no_camera`, `permission_denied`, `device_error`) when there is no video.
 */
export function createWatchedMedia(o: { devices: MediaDevicesLike; policy: MediaPolicy & { handset?: MediaPreference } }): LocalMedia {
  const listeners = new Set<(s: MediaStatus) => void>();
  const watch = new MediaWatch({ media: o.devices, policy: o.policy, onStatus: (s) => listeners.forEach((l) => l(s)) });
  let generation = 0;
  // An audio-only visit's stream: opened here, outside the watch (which follows cameras).
  let audioOnly: MediaStream | null = null;
  const live = (): MediaStream | null => audioOnly ?? (watch.stream as unknown as MediaStream | null);
  // Which stream the handset microphone was put into: a re-acquired stream starts on the booth's again.
  let handsetIn: StreamLike | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  const handsetEnded = new Set<() => void>();

  const switchMic = async (to: MicRoute, swap?: (track: MediaStreamTrack) => Promise<void>): Promise<MicSwitch> => {
    const stream = live();
    if (!stream) return { switched: false, reason: 'no_stream' };
    if ((handsetIn === (stream as unknown) ? 'handset' : 'booth') === to) return { switched: false, reason: 'already' };
    const mine = generation;
    const preference = to === 'handset' ? o.policy.handset : o.policy.microphone;
    const device = preference ? selectDevice(await o.devices.enumerateDevices(), 'audioinput', preference).device : null;
    if (!device) return { switched: false, reason: 'no_device', message: `no ${to} microphone matches the configured labels` };
    let track: MediaStreamTrack | undefined;
    try {
      const opened = await o.devices.getUserMedia({ video: false, audio: { ...(device.deviceId ? { deviceId: { exact: device.deviceId } } : {}), ...o.policy.audio } });
      track = opened.getTracks().find((t) => t.kind === 'audio') as MediaStreamTrack | undefined;
      for (const t of opened.getTracks()) if (t !== (track as unknown)) t.stop();
    } catch (err) {
      return { switched: false, reason: 'failed', message: err instanceof Error ? err.message : String(err) };
    }
    if (!track) return { switched: false, reason: 'failed', message: 'the microphone gave no audio track' };
    // The visit moved on (reset, or the watch re-acquired) while the microphone was opening.
    if (mine !== generation || live() !== stream) {
      track.stop();
      return { switched: false, reason: 'superseded' };
    }
    const old = stream.getAudioTracks();
    for (const t of old) stream.removeTrack(t);
    stream.addTrack(track);
    handsetIn = to === 'handset' ? (stream as unknown as StreamLike) : null;
    try {
      await swap?.(track);
    } catch (err) {
      // The call still sends the old microphone: keep it, drop the new one.
      if (mine === generation && live() === stream) {
        stream.removeTrack(track);
        for (const t of old) stream.addTrack(t);
        handsetIn = to === 'handset' ? null : (stream as unknown as StreamLike);
      } else for (const t of old) t.stop();
      track.stop();
      return { switched: false, reason: 'failed', message: err instanceof Error ? err.message : String(err) };
    }
    for (const t of old) t.stop();
    if (to === 'handset') {
      const mic = track;
      // The watch only follows the tracks it opened: a handset unplugged mid-call would leave the call silent.
      mic.addEventListener('ended', () => {
        if ((handsetIn as unknown) === stream && stream.getAudioTracks().includes(mic)) handsetEnded.forEach((l) => l());
      });
    }
    return { switched: true, track, label: track.label };
  };

  return {
    async acquire(opts = {}) {
      const mine = ++generation;
      stopStream(audioOnly);
      audioOnly = null;
      if (opts.audioOnly) {
        // No camera for this visit: the watch stops trying (and its light goes off); the booth's microphone by label.
        watch.release();
        const mic = o.policy.microphone ? selectDevice(await o.devices.enumerateDevices(), 'audioinput', o.policy.microphone).device : null;
        const audio = { ...(mic?.deviceId ? { deviceId: { exact: mic.deviceId } } : {}), ...o.policy.audio };
        const s = await acquireMedia({ video: false, audio }, o.devices as unknown as Pick<MediaDevices, 'getUserMedia'>);
        if (mine !== generation) {
          stopStream(s);
          throw new MediaAcquireError('media_superseded', 'microphone opened after the visit moved on; stopped');
        }
        audioOnly = s;
        return;
      }
      const stream = await watch.acquire();
      if (mine !== generation) {
        // The visit moved on while the camera was opening: the watch does not know, so release again.
        if (stream) watch.release();
        throw new MediaAcquireError('media_superseded', 'camera opened after the visit moved on; stopped');
      }
      if (!stream) {
        const st = watch.status;
        throw st.status === 'unavailable' ? new MediaAcquireError(st.reason, st.message) : new MediaAcquireError('media_failed', `camera not live (${st.status})`);
      }
    },
    stop() {
      generation++;
      stopStream(audioOnly);
      audioOnly = null;
      watch.release();
    },
    current: live,
    onStatus(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    dispose: () => watch.dispose(),
    // Serialised: a lift and a hang-up in quick succession must not interleave their swaps.
    routeMicrophone(to, swap) {
      const p = chain.then(() => switchMic(to, swap));
      chain = p.catch(() => {});
      return p;
    },
    onHandsetMicEnded(listener) {
      handsetEnded.add(listener);
      return () => void handsetEnded.delete(listener);
    },
  };
}
