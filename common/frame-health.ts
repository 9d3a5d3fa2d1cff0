// Camera health proof, not liveness: frames arriving, not black, not frozen. Pure functions over
// small RGBA (or grey) frames, so the renderer can draw the <video> into a tiny canvas (e.g. 64×36)
// a few times per second and feed the pixels here; cost is a few thousand operations per frame.

/** A frame as ImageData gives it (RGBA, 4 bytes per pixel) or a grey plane (1 byte per pixel). */
export interface FrameLike {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels?: 1 | 4;
}

export interface FrameThresholds {
  /** Mean luma (0–255) below which a frame counts as dark. */
  blackMeanLuma: number;
  /** …and spatial variance below which a dark frame counts as black (a covered lens is not noisy). */
  blackVariance: number;
  /** Mean absolute luma difference between consecutive frames below which they count as identical. */
  frozenDiff: number;
  /** Minimum frames before any verdict other than `no_frames`. */
  minFrames: number;
  /** Sample every n-th pixel of each row and column (1 = all). */
  stride: number;
}

export const defaultFrameThresholds: FrameThresholds = { blackMeanLuma: 16, blackVariance: 25, frozenDiff: 0.2, minFrames: 3, stride: 2 };

/** `missing` is never computed from frames: the renderer reports it when there is no videoinput device. */
export type FrameVerdict = 'ok' | 'black' | 'frozen' | 'no_frames' | 'missing';

export interface FrameReport {
  verdict: FrameVerdict;
  meanLuma: number;
  variance: number;
  /** Mean absolute difference between consecutive frames, averaged over the window. */
  meanDiff: number;
  frames: number;
}

/** Sampled luma plane of one frame (BT.601 integer weights). */
export function sampleLuma(frame: FrameLike, stride = 1): Uint8Array {
  const channels = frame.channels ?? (frame.data.length >= frame.width * frame.height * 4 ? 4 : 1);
  const sw = Math.ceil(frame.width / stride);
  const sh = Math.ceil(frame.height / stride);
  const out = new Uint8Array(sw * sh);
  let k = 0;
  for (let y = 0; y < frame.height; y += stride) {
    for (let x = 0; x < frame.width; x += stride) {
      const i = (y * frame.width + x) * channels;
      out[k++] = channels === 4 ? (77 * (frame.data[i] ?? 0) + 150 * (frame.data[i + 1] ?? 0) + 29 * (frame.data[i + 2] ?? 0)) >> 8 : (frame.data[i] ?? 0);
    }
  }
  return out;
}

export function lumaStats(luma: Uint8Array): { mean: number; variance: number } {
  if (luma.length === 0) return { mean: 0, variance: 0 };
  let sum = 0;
  let sq = 0;
  for (const v of luma) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / luma.length;
  return { mean, variance: Math.max(0, sq / luma.length - mean * mean) };
}

export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length || a.length === 0) return Number.POSITIVE_INFINITY; // a size change is movement
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** Verdict over a window of frames (oldest first). */
export function analyzeFrames(frames: readonly FrameLike[], thresholds: Partial<FrameThresholds> = {}): FrameReport {
  const t = { ...defaultFrameThresholds, ...thresholds };
  const lumas = frames.map((f) => sampleLuma(f, t.stride));
  return verdictOf(lumas, t);
}

function verdictOf(lumas: readonly Uint8Array[], t: FrameThresholds): FrameReport {
  if (lumas.length === 0) return { verdict: 'no_frames', meanLuma: 0, variance: 0, meanDiff: 0, frames: 0 };
  let mean = 0;
  let variance = 0;
  for (const l of lumas) {
    const s = lumaStats(l);
    mean += s.mean / lumas.length;
    variance += s.variance / lumas.length;
  }
  let diff = 0;
  for (let i = 1; i < lumas.length; i++) diff += meanAbsDiff(lumas[i - 1]!, lumas[i]!) / (lumas.length - 1);
  const base = { meanLuma: round(mean), variance: round(variance), meanDiff: round(diff), frames: lumas.length };
  if (lumas.length < t.minFrames) return { verdict: 'no_frames', ...base };
  // Black is checked first: a black frame is also "frozen", but black names the likelier cause (shutter, cover).
  if (mean < t.blackMeanLuma && variance < t.blackVariance) return { verdict: 'black', ...base };
  if (diff < t.frozenDiff) return { verdict: 'frozen', ...base };
  return { verdict: 'ok', ...base };
}

const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 100) / 100 : n);

/**
 * Sliding window for continuous sampling: push a frame (a few per second), read the verdict.
 * Keeps only sampled luma planes, so memory is window × (w/stride × h/stride) bytes.
 */
export class FrameWindow {
  private readonly lumas: Uint8Array[] = [];
  private readonly t: FrameThresholds;
  constructor(private readonly size = 8, thresholds: Partial<FrameThresholds> = {}) {
    this.t = { ...defaultFrameThresholds, ...thresholds };
  }
  push(frame: FrameLike): void {
    this.lumas.push(sampleLuma(frame, this.t.stride));
    if (this.lumas.length > this.size) this.lumas.shift();
  }
  /** Forget frames (e.g. after the camera was re-acquired). */
  clear(): void {
    this.lumas.length = 0;
  }
  report(): FrameReport {
    return verdictOf(this.lumas, this.t);
  }
}
