// The citizen's camera + microphone for one visit. The kiosk owns the stream (the peer never stops
// it): `stop()` is what turns the camera light off, and an acquisition that finishes after a stop
// (the citizen left while the camera was opening) is stopped on arrival instead of leaking.
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
