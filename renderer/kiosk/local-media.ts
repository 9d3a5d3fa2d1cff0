// The citizen's camera + microphone for one visit. The kiosk owns the stream (the peer never stops
// it): `stop()` is what turns the camera light off, and an acquisition that finishes after a stop
// (the citizen left while the camera was opening) is stopped on arrival instead of leaking.
import type { MediaPolicy } from '../../common/media-select';
import type { MediaDevicesLike, MediaStatus } from '../../common/media-watch';
import { MediaWatch } from '../../common/media-watch';
import { acquireMedia, MediaAcquireError, stopStream } from '../shared/media';

/** Constraints of the booth camera: 720p is plenty for a face and kind to office uplinks. */
export const KIOSK_CONSTRAINTS: MediaStreamConstraints = {
  video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: 'user' },
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
};

export interface LocalMedia {
  /** Opens camera + microphone (stopping any previous stream); rejects with a MediaAcquireError. */
  acquire(): Promise<void>;
  /** Stops every track, including a stream still being acquired. Idempotent. */
  stop(): void;
  /** The live stream, or null. */
  current(): MediaStream | null;
  /** Follow the device status (live with labels / unavailable + reason); returns the unsubscribe function. */
  onStatus?(listener: (status: MediaStatus) => void): () => void;
  /** Stop listening to device changes (page unload). */
  dispose?(): void;
}

export function createLocalMedia(acquire: () => Promise<MediaStream> = () => acquireMedia(KIOSK_CONSTRAINTS)): LocalMedia {
  let stream: MediaStream | null = null;
  // Bumped by every acquire/stop: a result belonging to an older generation is stale.
  let generation = 0;
  return {
    async acquire() {
      const mine = ++generation;
      stopStream(stream);
      stream = null;
      const s = await acquire();
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
export function createWatchedMedia(o: { devices: MediaDevicesLike; policy: MediaPolicy }): LocalMedia {
  const listeners = new Set<(s: MediaStatus) => void>();
  const watch = new MediaWatch({ media: o.devices, policy: o.policy, onStatus: (s) => listeners.forEach((l) => l(s)) });
  let generation = 0;
  return {
    async acquire() {
      const mine = ++generation;
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
      watch.release();
    },
    current: () => watch.stream as unknown as MediaStream | null,
    onStatus(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    dispose: () => watch.dispose(),
  };
}
