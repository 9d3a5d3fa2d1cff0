import { describe, expect, it } from 'vitest';
import { detectTone } from './audio-health';

const rate = 48_000;
const sine = (freq: number, amp: number, n = 4800) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));

describe('echo-path tone detection', () => {
  it('hears a 1 kHz tone at any gain', () => {
    expect(detectTone(sine(1000, 0.8), rate, 1000)).toMatchObject({ detected: true });
    expect(detectTone(sine(1000, 0.01), rate, 1000).ratio).toBeGreaterThan(0.9);
  });
  it('does not hear it in silence or at another frequency', () => {
    expect(detectTone(new Float32Array(4800), rate, 1000)).toEqual({ detected: false, ratio: 0 });
    expect(detectTone(sine(440, 0.8), rate, 1000).detected).toBe(false);
  });
  it('hears a tone buried in noise when it dominates', () => {
    let s = 7;
    const noisy = sine(1000, 0.5).map((v) => v + (((s = (s * 16807) % 2147483647) / 2147483647) - 0.5) * 0.4);
    expect(detectTone(noisy, rate, 1000).detected).toBe(true);
  });
});
