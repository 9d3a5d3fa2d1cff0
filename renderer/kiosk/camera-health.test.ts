import { describe, expect, it } from 'vitest';
import type { CameraHealth } from '../../common/bridge/hardware';
import type { FrameLike } from '../../common/frame-health';
import { cameraMissingReport, createCameraHealthSampler, watchCameraPresence } from './camera-health';

/** Fake timers: `tick(n)` runs the interval callback n times. */
function fakeTimers() {
  let fn: (() => void) | null = null;
  return {
    setInterval: (f: () => void) => ((fn = f), 1),
    clearInterval: () => void (fn = null),
    tick: (n: number) => {
      for (let i = 0; i < n; i++) fn?.();
    },
    running: () => fn !== null,
  };
}
const grey = (v: number, noise = 0): FrameLike => {
  const data = new Uint8ClampedArray(64 * 36 * 4);
  for (let i = 0; i < data.length; i += 4) {
    const x = Math.max(0, Math.min(255, v + (noise ? ((i * 7919) % noise) : 0)));
    data[i] = data[i + 1] = data[i + 2] = x;
    data[i + 3] = 255;
  }
  return { data, width: 64, height: 36 };
};

describe('camera health sampler', () => {
  it('reports ok for moving frames, black for a covered lens, frozen for a stuck picture, with the device label', () => {
    const timers = fakeTimers();
    const reports: CameraHealth[] = [];
    let n = 0;
    let mode: 'moving' | 'black' | 'still' = 'moving';
    const sampler = createCameraHealthSampler({
      grab: () => (mode === 'black' ? grey(2) : mode === 'still' ? grey(120, 50) : grey(40 + ((n++ * 37) % 150), 50)),
      report: (h) => void reports.push(h),
      reportEvery: 8,
      ...timers,
    });
    sampler.start('Booth Camera');
    timers.tick(8);
    expect(reports.at(-1)).toMatchObject({ verdict: 'ok', deviceLabel: 'Booth Camera', frames: 8 });
    mode = 'black';
    sampler.start('Booth Camera'); // a restart forgets the previous frames
    timers.tick(8);
    expect(reports.at(-1)!.verdict).toBe('black');
    mode = 'still';
    sampler.start('Booth Camera');
    timers.tick(8);
    expect(reports.at(-1)!.verdict).toBe('frozen');
    sampler.stop();
    expect(timers.running()).toBe(false);
  });

  it('a camera with no decodable frame reports no_frames; a throwing grab is no frame, not an error', () => {
    const timers = fakeTimers();
    const reports: CameraHealth[] = [];
    let calls = 0;
    const sampler = createCameraHealthSampler({
      grab: () => {
        if (++calls % 2) throw new Error('canvas tainted');
        return null;
      },
      report: (h) => void reports.push(h),
      reportEvery: 4,
      ...timers,
    });
    sampler.start(null);
    timers.tick(8);
    expect(reports.map((r) => r.verdict)).toEqual(['no_frames', 'no_frames']);
    expect(reports[0]!.deviceLabel).toBeNull();
  });
});

describe('watchCameraPresence', () => {
  it('reports missing at boot and on a device change that leaves no camera; says nothing while one is there', async () => {
    let list: Array<{ kind: string }> = [{ kind: 'audioinput' }];
    let changed: (() => void) | null = null;
    const reports: CameraHealth[] = [];
    let recheck: (() => void) | null = null;
    const stop = watchCameraPresence({
      enumerate: () => Promise.resolve(list),
      onDeviceChange: (l) => ((changed = l), () => void (changed = null)),
      report: (h) => reports.push(h),
      setInterval: (fn) => ((recheck = fn), 1),
      clearInterval: () => void (recheck = null),
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(reports).toEqual([cameraMissingReport]);
    list = [{ kind: 'audioinput' }, { kind: 'videoinput' }];
    changed!();
    await new Promise((r) => setTimeout(r, 0));
    expect(reports).toHaveLength(1);
    list = [];
    changed!();
    await new Promise((r) => setTimeout(r, 0));
    expect(reports.map((r) => r.verdict)).toEqual(['missing', 'missing']);
    // Re-asserted while it lasts (main drops an old `missing`), silent once a camera is there.
    recheck!();
    await new Promise((r) => setTimeout(r, 0));
    expect(reports).toHaveLength(3);
    list = [{ kind: 'videoinput' }];
    recheck!();
    await new Promise((r) => setTimeout(r, 0));
    expect(reports).toHaveLength(3);
    stop();
    expect(changed).toBeNull();
    expect(recheck).toBeNull();
  });

  it('a failing enumeration reports nothing', async () => {
    const reports: CameraHealth[] = [];
    const stop = watchCameraPresence({ enumerate: () => Promise.reject(new Error('no')), onDeviceChange: () => () => {}, report: (h) => reports.push(h) });
    await new Promise((r) => setTimeout(r, 0));
    expect(reports).toEqual([]);
    stop();
  });
});
