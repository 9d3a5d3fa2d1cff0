import { describe, expect, it } from 'vitest';
import { acquireMedia, frameCounter, levelMeter, MediaAcquireError, stopStream } from './media';

const track = (kind: string) => ({ kind, readyState: 'live', stop(this: { readyState: string }) { this.readyState = 'ended'; } });

describe('media helpers', () => {
  it('stopStream stops every track and tolerates null', () => {
    const tracks = [track('audio'), track('video')];
    stopStream({ getTracks: () => tracks } as unknown as MediaStream);
    expect(tracks.map((t) => t.readyState)).toEqual(['ended', 'ended']);
    expect(() => stopStream(null)).not.toThrow();
  });

  it('acquireMedia maps a refusal to media_denied', async () => {
    const devices = { getUserMedia: () => Promise.reject(Object.assign(new Error('no'), { name: 'NotAllowedError' })) };
    const err = await acquireMedia({ video: true }, devices).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaAcquireError);
    expect((err as MediaAcquireError).code).toBe('media_denied');
    const missing = await acquireMedia({ video: true }, undefined).catch((e: unknown) => e);
    expect((missing as MediaAcquireError).code).toBe('media_failed');
  });

  it('frameCounter counts presented frames until stopped', () => {
    let pending: (() => void) | undefined;
    let cancelled = 0;
    const video = {
      requestVideoFrameCallback: (cb: () => void) => ((pending = cb), 1),
      cancelVideoFrameCallback: () => cancelled++,
    } as unknown as HTMLVideoElement;
    const fc = frameCounter(video);
    pending!();
    pending!();
    expect(fc.frames()).toBe(2);
    fc.stop();
    fc.stop();
    pending!();
    expect(fc.frames()).toBe(2);
    expect(cancelled).toBe(1);
  });

  it('levelMeter reports an RMS level and releases the audio context', () => {
    let tick: (() => void) | undefined;
    let closed = 0;
    class FakeCtx {
      createMediaStreamSource = () => ({ connect() {}, disconnect() {} });
      createAnalyser = () => ({ fftSize: 0, getFloatTimeDomainData: (b: Float32Array) => b.fill(0.5) });
      close = () => ((closed++), Promise.resolve());
    }
    const levels: number[] = [];
    const stop = levelMeter({ getAudioTracks: () => [track('audio')] } as unknown as MediaStream, (l) => levels.push(l), {
      AudioContext: FakeCtx as unknown as typeof AudioContext,
      setInterval: ((fn: () => void) => ((tick = fn), 0)) as unknown as typeof setInterval,
      clearInterval: (() => {}) as typeof clearInterval,
    });
    tick!();
    expect(levels[0]).toBeCloseTo(0.5);
    stop();
    stop();
    expect(closed).toBe(1);
  });
});
