// Browser media helpers shared by the kiosk and the agent console. Whoever acquires a stream owns
// it and must hand it to stopStream() on every way out (that is what turns the camera light off).
import { VisioError } from '../../common/result';

/** getUserMedia refused or no device: `code` is `media_denied`, `media_not_found` or `media_failed`. */
export class MediaAcquireError extends VisioError {}

/** Asks the browser for camera and/or microphone; rejects with a MediaAcquireError. */
export async function acquireMedia(
  constraints: MediaStreamConstraints = { video: true, audio: true },
  devices: Pick<MediaDevices, 'getUserMedia'> | undefined = globalThis.navigator?.mediaDevices,
): Promise<MediaStream> {
  if (!devices) throw new MediaAcquireError('media_failed', 'navigator.mediaDevices is unavailable (insecure origin?)');
  try {
    return await devices.getUserMedia(constraints);
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    const code = name === 'NotAllowedError' || name === 'SecurityError' ? 'media_denied' : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'media_not_found' : 'media_failed';
    throw new MediaAcquireError(code, `getUserMedia failed: ${name || String(err)}`, { cause: err });
  }
}

/** Stops every track of a stream (camera light off); accepts null so teardown paths stay short. */
export function stopStream(stream: MediaStream | null | undefined): void {
  if (!stream) return;
  for (const track of stream.getTracks()) track.stop();
}

/**
 * Reports the microphone level (0..1, RMS of the time-domain signal) about 20 times a second.
 * Returns stop(), which releases the AudioContext but not the stream's tracks.
 */
export function levelMeter(
  stream: MediaStream,
  onLevel: (level: number) => void,
  deps: { AudioContext?: typeof AudioContext; setInterval?: typeof setInterval; clearInterval?: typeof clearInterval } = {},
): () => void {
  const Ctx = deps.AudioContext ?? globalThis.AudioContext;
  const every = deps.setInterval ?? globalThis.setInterval;
  const clear = deps.clearInterval ?? globalThis.clearInterval;
  if (!Ctx || stream.getAudioTracks().length === 0) return () => {};
  const ctx = new Ctx();
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  // A timer rather than requestAnimationFrame: the meter must keep moving in a background tab
  // (agent console) and under automation.
  const timer = every(() => {
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const v of buf) sum += v * v;
    onLevel(Math.min(1, Math.sqrt(sum / buf.length)));
  }, 50);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clear(timer);
    source.disconnect();
    void ctx.close().catch(() => {});
  };
}

/** Counts decoded video frames; `frames()` is what UI health and the E2E tests read. */
export interface FrameCounter {
  /** Frames presented since the counter started. */
  frames(): number;
  /** Stops counting; idempotent. */
  stop(): void;
}

type VideoWithFrameCallback = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: () => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

/** Counts frames presented by a <video> via requestVideoFrameCallback (Chromium); 0 where unsupported. */
export function frameCounter(video: HTMLVideoElement): FrameCounter {
  const v = video as VideoWithFrameCallback;
  let count = 0;
  let handle: number | undefined;
  let stopped = false;
  const onFrame = (): void => {
    if (stopped) return;
    count++;
    handle = v.requestVideoFrameCallback?.(onFrame);
  };
  handle = v.requestVideoFrameCallback?.(onFrame);
  return {
    frames: () => count,
    stop() {
      if (stopped) return;
      stopped = true;
      if (handle !== undefined) v.cancelVideoFrameCallback?.(handle);
    },
  };
}
