import { describe, expect, it } from 'vitest';
import { EchoTestError, runEchoTest, type EchoAudioContext, type SinkAudioElement } from './echo-test';

const RATE = 48_000;

/**
 * A fake Web Audio graph with a simulated room: while the oscillator plays and reaches an output
 * (the destination or a stream played by an element), the analyser on the microphone sees that sine
 * (times `echoGain`) plus `noise`. Records what was connected, stopped and closed.
 */
function fakeAudio(room: { echoGain: number; noise?: number; sinkFails?: boolean; contextSink?: boolean }) {
  const log: string[] = [];
  let playing = false;
  let reachesOutput = false;
  let freq = 0;
  let amplitude = 0;
  let t = 0;
  const node = (name: string, extra: Record<string, unknown> = {}) => ({
    connect: (target: { name?: string }) => {
      log.push(`connect ${name}→${target.name ?? '?'}`);
      if (name === 'gain' && (target.name === 'destination' || target.name === 'streamOut')) reachesOutput = true;
    },
    disconnect: () => log.push(`disconnect ${name}`),
    name,
    ...extra,
  });
  const ctx = {
    sampleRate: RATE,
    state: 'suspended',
    destination: { name: 'destination' },
    resume: async () => void log.push('resume'),
    close: async () => void log.push('close'),
    createOscillator: () =>
      node('osc', {
        type: 'sine',
        frequency: {
          set value(v: number) {
            freq = v;
          },
        },
        start: () => ((playing = true), log.push('osc start')),
        stop: () => ((playing = false), log.push('osc stop')),
      }),
    createGain: () =>
      node('gain', {
        gain: {
          set value(v: number) {
            amplitude = v;
          },
        },
      }),
    createAnalyser: () =>
      node('analyser', {
        fftSize: 2048,
        getFloatTimeDomainData(buf: Float32Array) {
          for (let i = 0; i < buf.length; i++, t++) {
            const tone = playing && reachesOutput ? room.echoGain * amplitude * Math.sin((2 * Math.PI * freq * t) / RATE) : 0;
            // Deterministic "noise": a sum of unrelated frequencies.
            const noise = (room.noise ?? 0) * (Math.sin(t * 0.37) + Math.sin(t * 1.91) + Math.sin(t * 0.053));
            buf[i] = tone + noise;
          }
        },
      }),
    createMediaStreamSource: () => node('micSource'),
    createMediaStreamDestination: () => node('streamOut', { stream: { id: 'out' } }),
    ...(room.contextSink ? { setSinkId: async (id: string) => void log.push(`ctx sink ${id}`) } : {}),
  };
  const track = { label: 'Fake mic', readyState: 'live', stop: () => ((track.readyState = 'ended'), log.push('track stop')) };
  const constraints: MediaStreamConstraints[] = [];
  const getUserMedia = async (c: MediaStreamConstraints) => {
    constraints.push(c);
    return { getTracks: () => [track], getAudioTracks: () => [track] } as unknown as MediaStream;
  };
  const element: SinkAudioElement = {
    srcObject: null,
    play: async () => void log.push('element play'),
    pause: () => void log.push('element pause'),
    setSinkId: async (id: string) => {
      if (room.sinkFails) throw new Error('NotFoundError');
      log.push(`element sink ${id}`);
    },
  };
  return { ctx: ctx as unknown as EchoAudioContext, log, track, constraints, getUserMedia, element };
}

const noWait = async () => {};

describe('runEchoTest', () => {
  it('hears the tone through the echo path, with the microphone processing off, and releases everything', async () => {
    const f = fakeAudio({ echoGain: 0.5, noise: 0.01 });
    const r = await runEchoTest({ audioContext: f.ctx, getUserMedia: f.getUserMedia, micDeviceId: 'mic-1', sleep: noWait });
    expect(r.heard).toBe(true);
    expect(r.ratio).toBeGreaterThan(0.5);
    expect(r.snrDb).toBeGreaterThan(0);
    expect(r.level).toBeGreaterThan(0);
    expect(r.detectedWindows).toBe(r.windows);
    expect(r).toMatchObject({ frequencyHz: 1500, sampleRate: RATE, route: 'default', microphone: 'Fake mic' });
    expect(f.constraints[0]).toEqual({ audio: { deviceId: { exact: 'mic-1' }, echoCancellation: false, noiseSuppression: false, autoGainControl: false }, video: false });
    expect(f.log).toContain('resume');
    expect(f.log).not.toContain('connect micSource→destination');
    expect(f.track.readyState).toBe('ended');
    for (const n of ['micSource', 'analyser', 'osc', 'gain']) expect(f.log).toContain(`disconnect ${n}`);
    expect(f.log).toContain('osc stop');
    // An injected context belongs to the caller.
    expect(f.log).not.toContain('close');
  });

  it('a silent microphone (speaker unplugged) is not heard', async () => {
    const f = fakeAudio({ echoGain: 0 });
    const r = await runEchoTest({ audioContext: f.ctx, getUserMedia: f.getUserMedia, sleep: noWait });
    expect(r).toMatchObject({ heard: false, ratio: 0, level: 0, snrDb: null, detectedWindows: 0 });
    expect(r.windows).toBeGreaterThan(0);
    expect(f.track.readyState).toBe('ended');
  });

  it('room noise without the tone is not heard; a faint tone over the same noise is', async () => {
    const noisy = fakeAudio({ echoGain: 0, noise: 0.2 });
    const quiet = await runEchoTest({ audioContext: noisy.ctx, getUserMedia: noisy.getUserMedia, sleep: noWait });
    expect(quiet.heard).toBe(false);
    expect(quiet.level).toBeGreaterThan(0);
    const faint = fakeAudio({ echoGain: 0.5, noise: 0.05 });
    expect((await runEchoTest({ audioContext: faint.ctx, getUserMedia: faint.getUserMedia, sleep: noWait, frequencyHz: 1000 })).heard).toBe(true);
  });

  it('routes the tone to the chosen speaker: the context sink when it has one, else an <audio> element', async () => {
    const a = fakeAudio({ echoGain: 0.5, contextSink: true });
    const ra = await runEchoTest({ audioContext: a.ctx, getUserMedia: a.getUserMedia, speakerDeviceId: 'spk-9', sleep: noWait });
    expect(ra).toMatchObject({ heard: true, route: 'context' });
    expect(a.log).toContain('ctx sink spk-9');

    const b = fakeAudio({ echoGain: 0.5 });
    const rb = await runEchoTest({ audioContext: b.ctx, getUserMedia: b.getUserMedia, speakerDeviceId: 'spk-9', createAudioElement: () => b.element, sleep: noWait });
    expect(rb).toMatchObject({ heard: true, route: 'element' });
    expect(b.log).toEqual(expect.arrayContaining(['connect gain→streamOut', 'element sink spk-9', 'element play', 'element pause']));
    expect(b.element.srcObject).toBeNull();
  });

  it('fails with a named error when the speaker cannot be selected, and still releases the microphone', async () => {
    const f = fakeAudio({ echoGain: 0.5, sinkFails: true });
    const err = await runEchoTest({ audioContext: f.ctx, getUserMedia: f.getUserMedia, speakerDeviceId: 'gone', createAudioElement: () => f.element, sleep: noWait }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EchoTestError);
    expect((err as EchoTestError).code).toBe('echo_speaker_failed');
    expect(f.track.readyState).toBe('ended');
    expect(f.log).toContain('disconnect osc');
  });

  it('fails with echo_mic_failed when the microphone cannot be opened, and closes a context it created', async () => {
    const f = fakeAudio({ echoGain: 0.5 });
    const Original = globalThis.AudioContext;
    (globalThis as { AudioContext?: unknown }).AudioContext = function () {
      return f.ctx;
    };
    try {
      const err = await runEchoTest({ getUserMedia: () => Promise.reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' })), sleep: noWait }).catch((e: unknown) => e);
      expect((err as EchoTestError).code).toBe('echo_mic_failed');
      expect((err as Error).message).toContain('NotAllowedError');
      expect(f.log).toContain('close');
    } finally {
      (globalThis as { AudioContext?: unknown }).AudioContext = Original;
    }
  });
});
