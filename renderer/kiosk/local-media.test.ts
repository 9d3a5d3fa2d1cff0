import { describe, expect, it } from 'vitest';
import { MediaPolicy } from '../../common/media-select';
import { createLocalMedia, createWatchedMedia } from './local-media';

function fakeStream() {
  const tracks = [{ readyState: 'live', stop() { this.readyState = 'ended'; } }, { readyState: 'live', stop() { this.readyState = 'ended'; } }];
  return { getTracks: () => tracks, tracks } as unknown as MediaStream & { tracks: { readyState: string }[] };
}

describe('local media', () => {
  it('stop ends every track and forgets the stream', async () => {
    const s = fakeStream();
    const media = createLocalMedia(async () => s);
    await media.acquire();
    expect(media.current()).toBe(s);
    media.stop();
    media.stop();
    expect(media.current()).toBeNull();
    expect(s.tracks.map((t) => t.readyState)).toEqual(['ended', 'ended']);
  });

  it('a camera that opens after the visit moved on is stopped on arrival', async () => {
    const s = fakeStream();
    let resolve!: (v: MediaStream) => void;
    const media = createLocalMedia(() => new Promise((r) => (resolve = r)));
    const pending = media.acquire();
    media.stop();
    resolve(s);
    await expect(pending).rejects.toMatchObject({ code: 'media_superseded' });
    expect(media.current()).toBeNull();
    expect(s.tracks.map((t) => t.readyState)).toEqual(['ended', 'ended']);
  });

  it('a second acquisition stops the first stream', async () => {
    const a = fakeStream();
    const b = fakeStream();
    const queue = [a, b];
    const media = createLocalMedia(async () => queue.shift()!);
    await media.acquire();
    await media.acquire();
    expect(media.current()).toBe(b);
    expect(a.tracks.map((t) => t.readyState)).toEqual(['ended', 'ended']);
  });
});

describe('watched media (label patterns, unplug/replug)', () => {
  function fakeDevices(labels: string[]) {
    let devices = labels.map((label, i) => ({ deviceId: `cam${i}`, kind: 'videoinput' as const, label, groupId: 'g' }));
    const listeners = new Set<() => void>();
    const live: { kind: string; label: string; stopped: boolean; ended?: () => void }[] = [];
    const asked: unknown[] = [];
    return {
      live,
      asked,
      api: {
        enumerateDevices: async () => devices.map((d) => ({ ...d })),
        getUserMedia: async (c: { video: false | { deviceId?: { exact: string } } }) => {
          asked.push(c);
          const id = c.video && c.video.deviceId?.exact;
          const dev = devices.find((d) => !id || d.deviceId === id);
          if (!dev) throw Object.assign(new Error('not found'), { name: 'NotFoundError' });
          const track = { kind: 'video', label: dev.label, stopped: false, ended: undefined as undefined | (() => void), stop() { this.stopped = true; }, addEventListener(_: 'ended', fn: () => void) { this.ended = fn; } };
          live.push(track);
          return { getTracks: () => [track] };
        },
        addEventListener: (_: 'devicechange', fn: () => void) => void listeners.add(fn),
        removeEventListener: (_: 'devicechange', fn: () => void) => void listeners.delete(fn),
      },
      unplug() {
        devices = [];
        for (const t of live) t.ended?.();
        listeners.forEach((f) => f());
      },
      plug() {
        devices = labels.map((label, i) => ({ deviceId: `cam${i}`, kind: 'videoinput' as const, label, groupId: 'g' }));
        listeners.forEach((f) => f());
      },
    };
  }
  const settle = () => new Promise((r) => setTimeout(r, 5));

  it('acquires the camera whose label matches the configured pattern and reports it live', async () => {
    const d = fakeDevices(['Integrated IR Camera', 'Logitech BRIO']);
    const policy = MediaPolicy.parse({ camera: { labels: ['brio'], exclude: ['IR'] } });
    const media = createWatchedMedia({ devices: d.api, policy });
    const statuses: string[] = [];
    media.onStatus!((s) => void statuses.push(s.status === 'live' ? `live:${s.camera}` : s.status));
    await media.acquire();
    expect(statuses).toEqual(['acquiring', 'live:Logitech BRIO']);
    expect(d.asked[0]).toMatchObject({ video: { deviceId: { exact: 'cam1' }, width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } } });
    media.stop();
    expect(d.live.every((t) => t.stopped)).toBe(true);
    expect(media.current()).toBeNull();
  });

  it('no camera: acquire rejects with the reason; unplug mid-visit → unavailable, replug → live again', async () => {
    const none = fakeDevices([]);
    const m0 = createWatchedMedia({ devices: none.api, policy: MediaPolicy.parse({}) });
    await expect(m0.acquire()).rejects.toMatchObject({ code: 'no_camera' });
    const d = fakeDevices(['Booth Camera']);
    const media = createWatchedMedia({ devices: d.api, policy: MediaPolicy.parse({}) });
    const statuses: string[] = [];
    media.onStatus!((s) => void statuses.push(s.status));
    await media.acquire();
    d.unplug();
    await settle();
    expect(statuses.at(-1)).toBe('unavailable');
    d.plug();
    await settle();
    expect(statuses.at(-1)).toBe('live');
    expect(media.current()).not.toBeNull();
    media.dispose!();
  });

  it('a camera that opens after the visit moved on is released on arrival', async () => {
    const d = fakeDevices(['Booth Camera']);
    const media = createWatchedMedia({ devices: d.api, policy: MediaPolicy.parse({}) });
    const pending = media.acquire();
    media.stop();
    await expect(pending).rejects.toMatchObject({ code: 'media_superseded' });
    expect(media.current()).toBeNull();
    expect(d.live.every((t) => t.stopped)).toBe(true);
  });
});
