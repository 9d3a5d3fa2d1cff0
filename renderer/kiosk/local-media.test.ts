import { describe, expect, it } from 'vitest';
import { MediaPolicy } from '../../common/media-select';
import { type AcquireOptions, createLocalMedia, createWatchedMedia } from './local-media';

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

describe('watched media: the handset microphone (routeMicrophone)', () => {
  type FakeTrack = { kind: string; label: string; stopped: boolean; enabled: boolean; ended?: () => void; stop(): void; addEventListener(type: 'ended', fn: () => void): void };
  function booth(opts: { handsetMic?: boolean } = {}) {
    const devices = [
      { deviceId: 'cam0', kind: 'videoinput' as const, label: 'Booth Camera', groupId: 'g' },
      { deviceId: 'mic0', kind: 'audioinput' as const, label: 'Booth Microphone', groupId: 'g' },
      ...(opts.handsetMic === false ? [] : [{ deviceId: 'hs0', kind: 'audioinput' as const, label: 'USB Handset Microphone', groupId: 'h' }]),
    ];
    const opened: FakeTrack[] = [];
    const track = (kind: string, label: string): FakeTrack => {
      const t: FakeTrack = { kind, label, stopped: false, enabled: true, stop() { this.stopped = true; }, addEventListener(_type, fn) { this.ended = fn; } };
      opened.push(t);
      return t;
    };
    let gate: Promise<void> = Promise.resolve();
    const api = {
      enumerateDevices: async () => devices.map((d) => ({ ...d })),
      getUserMedia: async (c: { video: false | object; audio: false | { deviceId?: { exact: string } } }) => {
        await gate;
        const tracks: FakeTrack[] = [];
        if (c.video) tracks.push(track('video', 'Booth Camera'));
        if (c.audio) tracks.push(track('audio', devices.find((d) => d.deviceId === ((c.audio && c.audio.deviceId?.exact) ?? 'mic0'))!.label));
        return {
          getTracks: () => [...tracks],
          getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
          addTrack: (t: FakeTrack) => void tracks.push(t),
          removeTrack: (t: FakeTrack) => void tracks.splice(tracks.indexOf(t), 1),
        };
      },
      addEventListener: () => {},
      removeEventListener: () => {},
    };
    const policy = { ...MediaPolicy.parse({ microphone: { labels: ['Booth Microphone'] } }), handset: { labels: ['Handset'], exclude: [], fallback: 'none' as const } };
    return { api, policy, opened, hold: (p: Promise<void>) => void (gate = p) };
  }
  const labels = (s: MediaStream | null) => s!.getTracks().map((t) => `${t.kind}:${t.label}`);

  it('swaps the microphone in place, hands the new track to the call before stopping the old, and back', async () => {
    const b = booth();
    const media = createWatchedMedia({ devices: b.api, policy: b.policy });
    await media.acquire();
    const stream = media.current();
    const boothMic = stream!.getAudioTracks()[0]! as unknown as FakeTrack;
    const seen: string[] = [];
    const r = await media.routeMicrophone!('handset', async (t) => void seen.push(`${t.label} old stopped=${boothMic.stopped}`));
    expect(r).toMatchObject({ switched: true, label: 'USB Handset Microphone' });
    expect(seen).toEqual(['USB Handset Microphone old stopped=false']);
    expect(boothMic.stopped).toBe(true);
    expect(media.current()).toBe(stream);
    expect(labels(stream)).toEqual(['video:Booth Camera', 'audio:USB Handset Microphone']);
    expect(await media.routeMicrophone!('handset')).toMatchObject({ switched: false, reason: 'already' });

    expect(await media.routeMicrophone!('booth')).toMatchObject({ switched: true, label: 'Booth Microphone' });
    expect(labels(stream)).toEqual(['video:Booth Camera', 'audio:Booth Microphone']);
    // Reset stops everything ever put in the stream, the handset microphone included.
    await media.routeMicrophone!('handset');
    media.stop();
    expect(b.opened.every((t) => t.stopped)).toBe(true);
  });

  it('no handset microphone: keeps the booth microphone; no stream yet: nothing to do', async () => {
    const b = booth({ handsetMic: false });
    const media = createWatchedMedia({ devices: b.api, policy: b.policy });
    expect(await media.routeMicrophone!('handset')).toMatchObject({ switched: false, reason: 'no_stream' });
    await media.acquire();
    expect(await media.routeMicrophone!('handset')).toMatchObject({ switched: false, reason: 'no_device' });
    expect(labels(media.current())).toEqual(['video:Booth Camera', 'audio:Booth Microphone']);
    media.stop();
  });

  it('the call refusing the new track puts the old microphone back and stops the new one', async () => {
    const b = booth();
    const media = createWatchedMedia({ devices: b.api, policy: b.policy });
    await media.acquire();
    const r = await media.routeMicrophone!('handset', () => Promise.reject(new Error('sender gone')));
    expect(r).toMatchObject({ switched: false, reason: 'failed', message: 'sender gone' });
    expect(labels(media.current())).toEqual(['video:Booth Camera', 'audio:Booth Microphone']);
    expect(b.opened.find((t) => t.label === 'USB Handset Microphone')!.stopped).toBe(true);
    expect(b.opened.find((t) => t.label === 'Booth Microphone')!.stopped).toBe(false);
    // Still on the booth microphone, so a later lift tries again.
    expect(await media.routeMicrophone!('handset')).toMatchObject({ switched: true });
    media.stop();
  });

  it('a handset microphone that opens after the visit was reset is stopped on arrival', async () => {
    const b = booth();
    const media = createWatchedMedia({ devices: b.api, policy: b.policy });
    await media.acquire();
    let open!: () => void;
    b.hold(new Promise<void>((r) => (open = r)));
    const pending = media.routeMicrophone!('handset');
    await new Promise((r) => setTimeout(r, 0));
    media.stop();
    open();
    expect(await pending).toMatchObject({ switched: false, reason: 'superseded' });
    expect(b.opened.every((t) => t.stopped)).toBe(true);
  });

  it('reports the handset microphone ending while in use, and not once it was replaced', async () => {
    const b = booth();
    const media = createWatchedMedia({ devices: b.api, policy: b.policy });
    await media.acquire();
    let ended = 0;
    const off = media.onHandsetMicEnded!(() => ended++);
    await media.routeMicrophone!('handset');
    const first = b.opened.find((t) => t.label === 'USB Handset Microphone')!;
    first.ended!();
    expect(ended).toBe(1);
    await media.routeMicrophone!('booth');
    first.ended!();
    expect(ended).toBe(1);
    off();
    media.stop();
  });
});

describe('audio-only visits', () => {
  /** A booth with a camera and two microphones; `denyCamera` refuses any request with video (a camera refused or broken). */
  function booth(o: { denyCamera?: boolean; noMic?: boolean } = {}) {
    const devices = [
      { deviceId: 'cam', kind: 'videoinput' as const, label: 'Booth Camera', groupId: 'g1' },
      ...(o.noMic ? [] : [{ deviceId: 'mic-usb', kind: 'audioinput' as const, label: 'USB Conference Mic', groupId: 'g2' }, { deviceId: 'mic-web', kind: 'audioinput' as const, label: 'Webcam Mic', groupId: 'g1' }]),
    ];
    const asked: { video: unknown; audio: unknown }[] = [];
    const tracks: { kind: string; stopped: boolean }[] = [];
    const api = {
      enumerateDevices: async () => devices.map((d) => ({ ...d })),
      getUserMedia: async (c: { video: unknown; audio: unknown }) => {
        asked.push(c);
        if (c.video && o.denyCamera) throw Object.assign(new Error('denied'), { name: 'NotAllowedError' });
        if (!c.video && o.noMic) throw Object.assign(new Error('none'), { name: 'NotFoundError' });
        const made = [...(c.video ? ['video'] : []), ...(c.audio ? ['audio'] : [])].map((kind) => {
          const t = { kind, label: kind, stopped: false, stop() { this.stopped = true; }, addEventListener() {} };
          tracks.push(t);
          return t;
        });
        return { getTracks: () => made, getAudioTracks: () => made.filter((t) => t.kind === 'audio'), getVideoTracks: () => made.filter((t) => t.kind === 'video') };
      },
      addEventListener: () => {},
      removeEventListener: () => {},
    };
    return { api, asked, tracks };
  }

  it('opens the configured microphone alone (no video asked), and stop ends it', async () => {
    const b = booth();
    const media = createWatchedMedia({ devices: b.api, policy: MediaPolicy.parse({ microphone: { labels: ['usb'] } }) });
    await media.acquire({ audioOnly: true });
    expect(b.asked).toHaveLength(1);
    expect(b.asked[0]).toMatchObject({ video: false, audio: { deviceId: { exact: 'mic-usb' }, echoCancellation: true } });
    const stream = media.current() as unknown as { getVideoTracks(): unknown[]; getAudioTracks(): unknown[] };
    expect([stream.getVideoTracks().length, stream.getAudioTracks().length]).toEqual([0, 1]);
    media.stop();
    expect(b.tracks.every((t) => t.stopped)).toBe(true);
    expect(media.current()).toBeNull();
  });

  it('a camera refused: the video acquisition fails, the audio-only one then succeeds', async () => {
    const b = booth({ denyCamera: true });
    const media = createWatchedMedia({ devices: b.api, policy: MediaPolicy.parse({}) });
    await expect(media.acquire()).rejects.toMatchObject({ code: expect.any(String) });
    await media.acquire({ audioOnly: true });
    expect(b.asked.at(-1)).toMatchObject({ video: false });
    expect(media.current()).not.toBeNull();
  });

  it('no microphone: the audio-only acquisition rejects with a MediaAcquireError (media_not_found)', async () => {
    const b = booth({ noMic: true });
    const media = createWatchedMedia({ devices: b.api, policy: MediaPolicy.parse({}) });
    await expect(media.acquire({ audioOnly: true })).rejects.toMatchObject({ code: 'media_not_found' });
    expect(media.current()).toBeNull();
  });

  it('a microphone that opens after the visit moved on is stopped on arrival', async () => {
    const b = booth();
    const media = createWatchedMedia({ devices: b.api, policy: MediaPolicy.parse({}) });
    const pending = media.acquire({ audioOnly: true });
    media.stop();
    await expect(pending).rejects.toMatchObject({ code: 'media_superseded' });
    expect(b.tracks.every((t) => t.stopped)).toBe(true);
    expect(media.current()).toBeNull();
  });

  it('the plain local media asks for audio only too', async () => {
    const asked: AcquireOptions[] = [];
    const media = createLocalMedia(async (o) => {
      asked.push(o);
      return { getTracks: () => [] } as unknown as MediaStream;
    });
    await media.acquire({ audioOnly: true });
    expect(asked).toEqual([{ audioOnly: true }]);
  });
});
