import { describe, expect, it } from 'vitest';
import type { CameraHealth } from '../../common/bridge/hardware';
import type { FrameLike } from '../../common/frame-health';
import { cameraMissingReport, createCameraHealthSampler, lumaGrid, trackFrameGrabber, watchCameraPresence } from './camera-health';

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

/** A WebCodecs-like frame of one flat colour: planar (Y first) or RGBA/BGRA, `pad` extra bytes per row. */
function flatFrame(o: { format: string; width: number; height: number; y?: number; rgba?: [number, number, number]; pad?: number }) {
  const planar = o.format.startsWith('I4') || o.format === 'NV12';
  const stride = (planar ? o.width : o.width * 4) + (o.pad ?? 0);
  const ySize = stride * o.height;
  const size = planar ? ySize + 2 * (Math.ceil(o.width / 2) * Math.ceil(o.height / 2)) : ySize;
  let closed = false;
  return {
    format: o.format,
    codedWidth: o.width,
    codedHeight: o.height,
    visibleRect: { x: 0, y: 0, width: o.width, height: o.height },
    allocationSize: () => size,
    copyTo: async (dest: Uint8Array) => {
      for (let row = 0; row < o.height; row++) {
        for (let x = 0; x < o.width; x++) {
          if (planar) dest[row * stride + x] = o.y!;
          else for (let c = 0; c < 3; c++) dest[row * stride + x * 4 + c] = o.rgba![c]!;
        }
      }
      return [{ offset: 0, stride }];
    },
    close: () => void (closed = true),
    closed: () => closed,
  };
}

describe('track frame grabber', () => {
  it('reads luma from the Y plane, expanded from video range like a canvas draw (16 → 0, 235 → 255)', async () => {
    const black = await lumaGrid(flatFrame({ format: 'I420', width: 1280, height: 720, y: 16, pad: 64 }), {});
    const white = await lumaGrid(flatFrame({ format: 'I420', width: 1280, height: 720, y: 235 }), {});
    const mid = await lumaGrid(flatFrame({ format: 'NV12', width: 640, height: 480, y: 126 }), {});
    expect(black).toMatchObject({ width: 64, height: 36, channels: 1 });
    expect(Math.max(...black!.data as Uint8Array)).toBe(0);
    expect(Math.min(...white!.data as Uint8Array)).toBe(255);
    expect([...new Set(mid!.data as Uint8Array)]).toEqual([128]);
  });

  it('reads RGB(A) frames with BT.601 weights, and gives null for a layout it does not know', async () => {
    const red = await lumaGrid(flatFrame({ format: 'RGBA', width: 320, height: 180, rgba: [255, 0, 0] }), {});
    const blueAsBgra = await lumaGrid(flatFrame({ format: 'BGRA', width: 320, height: 180, rgba: [255, 0, 0] }), {});
    expect([...new Set(red!.data as Uint8Array)]).toEqual([76]);
    expect([...new Set(blueAsBgra!.data as Uint8Array)]).toEqual([28]);
    expect(await lumaGrid({ ...flatFrame({ format: 'RGBA', width: 8, height: 8, rgba: [0, 0, 0] }), format: 'I444P10' }, {})).toBeNull();
  });

  it('gives the latest frame read, keeps the last one when the camera stops delivering (frozen), closes every frame, and forgets on detach', async () => {
    const frames: ReturnType<typeof flatFrame>[] = [];
    let pending: ((r: { value?: unknown; done: boolean }) => void) | null = null;
    let cancelled = 0;
    class FakeProcessor {
      readable: { getReader(): unknown };
      constructor(init: { track: unknown; maxBufferSize?: number }) {
        expect(init.maxBufferSize).toBe(1);
        this.readable = {
          getReader: () => ({
            read: () => new Promise((r) => (pending = r)),
            cancel: async () => void cancelled++,
          }),
        };
      }
    }
    const deliver = async (y: number) => {
      const f = flatFrame({ format: 'I420', width: 64, height: 36, y });
      frames.push(f);
      const r = pending!;
      pending = null;
      r({ value: f, done: false });
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    const track = { kind: 'video' };
    const stream = { getVideoTracks: () => [track] } as unknown as MediaStream;
    const g = trackFrameGrabber(FakeProcessor as never)!;
    expect(g.grab()).toBeNull(); // nothing attached
    g.attach(stream);
    expect(g.grab()).toBeNull(); // first read under way
    await deliver(235);
    const first = g.grab();
    expect(first?.data[0]).toBe(255);
    expect(frames[0]!.closed()).toBe(true);
    // No new frame arrives (frozen camera): the same picture again, as a <video> would show it.
    expect(g.grab()).toBe(first);
    await deliver(16);
    expect(g.grab()?.data[0]).toBe(0);
    g.detach();
    expect(cancelled).toBe(1);
    expect(g.grab()).toBeNull();
  });

  it('is null where the browser has no MediaStreamTrackProcessor', () => {
    expect(trackFrameGrabber(undefined)).toBeNull();
  });
});
