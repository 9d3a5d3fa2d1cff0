// Echo-path proof (a device health proof, used by the provisioning check): the chosen speaker plays a self-test
// tone and the chosen microphone must hear it. The capture has echo cancellation, noise
// suppression and auto gain OFF: all three exist to remove exactly this tone from the signal.
// The analysis is common/audio-health.ts (Goertzel ratio, gain-independent), run on several short
// windows of the capture so one glitch (a door slam, a click) does not decide the verdict.
import { detectTone } from '../../common/audio-health';
import { VisioError } from '../../common/result';

/** The echo test could not run (no microphone, the speaker could not be selected, no Web Audio). */
export class EchoTestError extends VisioError {}

/** The parts of an AudioContext the test uses (injectable; Chromium's has them all). */
export type EchoAudioContext = Pick<
  AudioContext,
  'sampleRate' | 'state' | 'destination' | 'resume' | 'close' | 'createOscillator' | 'createGain' | 'createAnalyser' | 'createMediaStreamSource' | 'createMediaStreamDestination'
> & {
  /** Chromium ≥ 110: route the whole context to an output device. */
  setSinkId?: (id: string) => Promise<void>;
};

/** An <audio> element that can be routed to an output device (Chromium). */
export type SinkAudioElement = Pick<HTMLAudioElement, 'play' | 'pause'> & {
  srcObject: MediaProvider | null;
  setSinkId?: (id: string) => Promise<void>;
};

export interface EchoTestOptions {
  /** Audio context to use (default: a new one, closed at the end; an injected one is left open). */
  audioContext?: EchoAudioContext;
  /** navigator.mediaDevices.getUserMedia (bound). */
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** Output device for the tone (default: the system's default output). */
  speakerDeviceId?: string;
  /** Input device that must hear it (default: the system's default input). */
  micDeviceId?: string;
  /** Tone frequency (Hz, default 1500: above most room hum, well inside any speaker's range). */
  frequencyHz?: number;
  /** How long the tone plays (ms, default 1500). */
  durationMs?: number;
  /** Tone amplitude 0–1 (default 0.3: clearly audible, not startling in a booth). */
  gain?: number;
  /** Minimum tone/total power ratio for a window to count as heard (default 0.2, detectTone's). */
  minRatio?: number;
  /** Creates the <audio> element used to route to a speaker when the context cannot (default: document). */
  createAudioElement?: () => SinkAudioElement;
  /** Wait (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

/** What the test measured. */
export interface EchoTestResult {
  /** The microphone heard the tone in at least half of the windows. */
  heard: boolean;
  /** Median tone/total power ratio over the windows (1 = only the tone). */
  ratio: number;
  /** Tone-to-rest ratio in dB from the median ratio (null when nothing was captured). */
  snrDb: number | null;
  /** RMS level of the capture (0–1), to tell "silent microphone" from "noisy room". */
  level: number;
  /** Windows analysed / windows where the tone was detected. */
  windows: number;
  detectedWindows: number;
  frequencyHz: number;
  sampleRate: number;
  /** How the tone reached the speaker: the context's own sink, an <audio> element, or the default output. */
  route: 'context' | 'element' | 'default';
  /** Label of the microphone track that was captured. */
  microphone: string | null;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? 0 : s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

/** Plays the tone, listens, and always releases the microphone, the nodes and an owned context. */
export async function runEchoTest(o: EchoTestOptions): Promise<EchoTestResult> {
  const frequencyHz = o.frequencyHz ?? 1500;
  const durationMs = o.durationMs ?? 1500;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const owned = !o.audioContext;
  let ctx: EchoAudioContext;
  if (o.audioContext) ctx = o.audioContext;
  else {
    const Ctx = globalThis.AudioContext as (new () => AudioContext) | undefined;
    if (!Ctx) throw new EchoTestError('echo_no_webaudio', 'Web Audio is not available in this renderer');
    ctx = new Ctx() as EchoAudioContext;
  }
  const cleanups: (() => unknown)[] = [];
  const safe = (fn: () => unknown) => () => {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch(() => {});
    } catch {
      // Already stopped/disconnected: nothing left to release.
    }
  };
  try {
    let mic: MediaStream;
    try {
      mic = await o.getUserMedia({
        audio: { ...(o.micDeviceId ? { deviceId: { exact: o.micDeviceId } } : {}), echoCancellation: false, noiseSuppression: false, autoGainControl: false },
        video: false,
      });
    } catch (err) {
      throw new EchoTestError('echo_mic_failed', `Microphone could not be opened: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { cause: err });
    }
    cleanups.push(() => mic.getTracks().forEach((t) => safe(() => t.stop())()));
    const micTrack = mic.getAudioTracks()[0];
    if (!micTrack) throw new EchoTestError('echo_mic_failed', 'The microphone stream has no audio track');
    // The click that started the test is the user gesture that lets a fresh context run.
    if (ctx.state === 'suspended') await ctx.resume().catch(() => {});

    const source = ctx.createMediaStreamSource(mic);
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192; // ≈ 170 ms at 48 kHz: many periods of the tone, short enough for several windows
    source.connect(analyser); // never to the destination: that would feed the microphone back to the speaker
    cleanups.push(safe(() => source.disconnect()), safe(() => analyser.disconnect()));

    const osc = ctx.createOscillator();
    osc.type = 'sine';
    osc.frequency.value = frequencyHz;
    const gain = ctx.createGain();
    gain.gain.value = o.gain ?? 0.3;
    osc.connect(gain);
    cleanups.push(safe(() => osc.stop()), safe(() => osc.disconnect()), safe(() => gain.disconnect()));

    let route: EchoTestResult['route'] = 'default';
    if (o.speakerDeviceId && ctx.setSinkId) {
      await ctx.setSinkId(o.speakerDeviceId).catch((err: unknown) => {
        throw new EchoTestError('echo_speaker_failed', `The speaker could not be selected: ${String(err)}`, { cause: err });
      });
      gain.connect(ctx.destination);
      route = 'context';
    } else if (o.speakerDeviceId) {
      // Older Chromium: only media elements can choose their output device.
      const el = o.createAudioElement ? o.createAudioElement() : (globalThis.document.createElement('audio') as SinkAudioElement);
      if (!el.setSinkId) throw new EchoTestError('echo_speaker_failed', 'This renderer cannot choose an audio output device');
      const out = ctx.createMediaStreamDestination();
      gain.connect(out);
      el.srcObject = out.stream;
      cleanups.push(safe(() => el.pause()), () => (el.srcObject = null));
      try {
        await el.setSinkId(o.speakerDeviceId);
        await el.play();
      } catch (err) {
        throw new EchoTestError('echo_speaker_failed', `The speaker could not be selected: ${String(err)}`, { cause: err });
      }
      route = 'element';
    } else gain.connect(ctx.destination);

    osc.start();
    // Lead-in: the tone needs to cross the output and input buffers (tens of ms, more over Bluetooth).
    const leadMs = Math.min(300, Math.round(durationMs / 4));
    const windowMs = Math.max(50, Math.round((analyser.fftSize / ctx.sampleRate) * 1000));
    await sleep(leadMs);
    const buf = new Float32Array(analyser.fftSize);
    const ratios: number[] = [];
    let detectedWindows = 0;
    let energy = 0;
    let samples = 0;
    for (let elapsed = leadMs; elapsed + windowMs <= durationMs || ratios.length === 0; elapsed += windowMs) {
      await sleep(windowMs);
      analyser.getFloatTimeDomainData(buf);
      const d = detectTone(buf, ctx.sampleRate, frequencyHz, o.minRatio);
      ratios.push(d.ratio);
      if (d.detected) detectedWindows++;
      for (const v of buf) energy += v * v;
      samples += buf.length;
    }
    const ratio = median(ratios);
    const level = samples === 0 ? 0 : Math.sqrt(energy / samples);
    return {
      heard: detectedWindows * 2 >= ratios.length && detectedWindows > 0,
      ratio: Math.round(ratio * 1000) / 1000,
      snrDb: level === 0 ? null : Math.round(10 * Math.log10(Math.max(ratio, 1e-6) / Math.max(1 - ratio, 1e-6)) * 10) / 10,
      level: Math.round(level * 10_000) / 10_000,
      windows: ratios.length,
      detectedWindows,
      frequencyHz,
      sampleRate: ctx.sampleRate,
      route,
      microphone: micTrack.label || null,
    };
  } finally {
    for (const c of cleanups.reverse()) c();
    if (owned) await ctx.close().catch(() => {});
  }
}
