// Echo-path proof used at provisioning: the speaker plays a test tone, the microphone must hear it.
// Goertzel filter: the power at one frequency in O(n), no FFT, pure (renderer or main may call it).

/** Power of `freq` in `samples` (mono PCM, any scale). */
export function tonePower(samples: ArrayLike<number>, sampleRate: number, freq: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const k = Math.round((n * freq) / sampleRate);
  const coeff = 2 * Math.cos((2 * Math.PI * k) / n);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s = (samples[i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (n * n);
}

/** Is the tone there? Compares its power with the signal's total power (a ratio, so gain-independent). */
export function detectTone(samples: ArrayLike<number>, sampleRate: number, freq: number, minRatio = 0.2): { detected: boolean; ratio: number } {
  let total = 0;
  for (let i = 0; i < samples.length; i++) total += (samples[i] ?? 0) ** 2;
  total /= Math.max(1, samples.length);
  // A pure sine of amplitude A has mean power A²/2 and Goertzel power A²/4: normalise so a pure tone gives 1.
  const ratio = total === 0 ? 0 : (2 * tonePower(samples, sampleRate, freq)) / total;
  return { detected: ratio >= minRatio, ratio: Math.round(ratio * 1000) / 1000 };
}
