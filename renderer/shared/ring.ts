// An audible ring synthesised with Web Audio (no sound file to ship or to fail loading): a
// double burst of 440 + 480 Hz — the North American telephone tones — repeated every 3 s.

export interface Ringer {
  /** Creates or resumes the AudioContext; call it from a click so later rings may autoplay. */
  unlock(): void;
  /** Starts ringing (no-op if already ringing). */
  start(): void;
  /** Stops ringing and silences any burst in flight; idempotent. */
  stop(): void;
  /** True between start() and stop(). */
  ringing(): boolean;
}

export interface RingerDeps {
  /** Web Audio constructor; absent in Node, where the ringer stays silent. */
  AudioContext?: typeof AudioContext;
  setInterval?: typeof setInterval;
  clearInterval?: typeof clearInterval;
}

const PERIOD_MS = 3000;
const BURSTS: ReadonlyArray<[startS: number, durationS: number]> = [
  [0, 0.4],
  [0.6, 0.4],
];

export function createRinger(deps: RingerDeps = {}): Ringer {
  const Ctx = deps.AudioContext ?? globalThis.AudioContext;
  const every = deps.setInterval ?? globalThis.setInterval;
  const clear = deps.clearInterval ?? globalThis.clearInterval;
  let ctx: AudioContext | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let live: OscillatorNode[] = [];

  const context = (): AudioContext | undefined => {
    if (!Ctx) return undefined;
    ctx ??= new Ctx();
    // Browsers suspend a context created without a user gesture; resuming is harmless otherwise.
    if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
    return ctx;
  };

  const burst = (): void => {
    const c = context();
    if (!c) return;
    const t0 = c.currentTime + 0.02;
    const gain = c.createGain();
    gain.gain.value = 0;
    gain.connect(c.destination);
    for (const [start, duration] of BURSTS) {
      // Short ramps avoid the click of a square on/off edge.
      gain.gain.setValueAtTime(0, t0 + start);
      gain.gain.linearRampToValueAtTime(0.15, t0 + start + 0.02);
      gain.gain.setValueAtTime(0.15, t0 + start + duration - 0.02);
      gain.gain.linearRampToValueAtTime(0, t0 + start + duration);
    }
    const end = t0 + Math.max(...BURSTS.map(([s, d]) => s + d));
    const oscs = [440, 480].map((hz) => {
      const osc = c.createOscillator();
      osc.frequency.value = hz;
      osc.connect(gain);
      osc.start(t0);
      osc.stop(end);
      osc.onended = () => {
        live = live.filter((o) => o !== osc);
        osc.disconnect();
      };
      return osc;
    });
    live.push(...oscs);
  };

  return {
    unlock: () => void context(),
    start() {
      if (timer !== undefined) return;
      burst();
      timer = every(burst, PERIOD_MS);
    },
    stop() {
      if (timer !== undefined) clear(timer);
      timer = undefined;
      for (const osc of live) {
        try {
          osc.stop();
        } catch {
          // Already stopped: nothing to silence.
        }
      }
      live = [];
    },
    ringing: () => timer !== undefined,
  };
}
