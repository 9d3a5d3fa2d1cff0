import { describe, expect, it } from 'vitest';
import { analyzeFrames, FrameWindow, lumaStats, sampleLuma, type FrameLike } from './frame-health';

const W = 64;
const H = 36;
/** Synthetic RGBA frames: a moving gradient (ok), black with sensor noise, and a still picture. */
function frame(fill: (x: number, y: number) => [number, number, number]): FrameLike {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const [r, g, b] = fill(x, y);
      const i = (y * W + x) * 4;
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
      data[i + 3] = 255;
    }
  return { data, width: W, height: H };
}
let seed = 42;
const noise = (amp: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return (seed / 2 ** 31) * amp;
};
const moving = (t: number) => frame((x, y) => [(x * 4 + t * 10) % 256, (y * 7 + t * 5) % 256, 128]);
const black = () => frame(() => { const n = noise(6); return [n, n, n]; });
const still = frame((x, y) => [x * 4, y * 7, 90]);

describe('frame health', () => {
  it('BT.601 luma of pure colours', () => {
    const f = { data: [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255], width: 4, height: 1 };
    expect([...sampleLuma(f)]).toEqual([76, 149, 28, 255]);
    expect(lumaStats(Uint8Array.from([10, 10, 10]))).toEqual({ mean: 10, variance: 0 });
  });
  it('a moving picture is ok', () => {
    const r = analyzeFrames([0, 1, 2, 3, 4].map(moving));
    expect(r.verdict).toBe('ok');
    expect(r.meanDiff).toBeGreaterThan(1);
  });
  it('a covered lens (dark, slightly noisy) is black', () => {
    const r = analyzeFrames([black(), black(), black(), black()]);
    expect(r.verdict).toBe('black');
    expect(r.meanLuma).toBeLessThan(16);
  });
  it('identical frames are frozen', () => {
    expect(analyzeFrames([still, still, still, still]).verdict).toBe('frozen');
  });
  it('too few frames is no_frames, not a false alarm', () => {
    expect(analyzeFrames([]).verdict).toBe('no_frames');
    expect(analyzeFrames([still]).verdict).toBe('no_frames');
  });
  it('the sliding window recovers when the picture moves again', () => {
    const w = new FrameWindow(4);
    for (let i = 0; i < 4; i++) w.push(still);
    expect(w.report().verdict).toBe('frozen');
    for (let i = 0; i < 4; i++) w.push(moving(i));
    expect(w.report().verdict).toBe('ok');
    w.clear();
    expect(w.report().verdict).toBe('no_frames');
  });
  it('accepts grey planes', () => {
    const grey = (v: number): FrameLike => ({ data: new Uint8Array(W * H).fill(v), width: W, height: H, channels: 1 });
    expect(analyzeFrames([grey(0), grey(0), grey(0)]).verdict).toBe('black');
  });
});
