// One clock and one timer interface for every process (hub link, outbox sender, renderers' reconnects,
// device manager, screen schedule): injectable, so tests and simulations drive time by hand.

/** Timer functions; a handle is opaque (a number in browsers, a Timeout in Node, an id in fakes). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** One-shot timers only (what most services need). */
export type OneShotTimers = Pick<Timers, 'setTimeout' | 'clearTimeout'>;

/** Wall clock (epoch ms). */
export interface Clock {
  now(): number;
}

type Handle = ReturnType<typeof setTimeout>;

/** The host's timers (Node or browser). */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as Handle),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as Handle),
};

/** The host's clock. */
export const systemClock: Clock = { now: () => Date.now() };
