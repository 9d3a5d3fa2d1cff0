import { describe, expect, it } from 'vitest';
import { createLocalMedia } from './local-media';

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
