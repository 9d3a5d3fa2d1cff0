// Retry delays for every reconnect and relaunch loop (hub link, outbox sender, renderers' bridge and
// hub sockets, device reopen, browser and renderer relaunch): capped exponential growth with jitter,
// so a hundred booths that lost the hub together do not all knock at the same instant.

/** How delays grow and spread. */
export interface BackoffPolicy {
  /** Ceiling of the first retry (ms). */
  initialMs: number;
  /** Largest ceiling (ms). */
  maxMs: number;
  /**
   * `full`: uniform in [0, ceiling) (most spread; right for many clients after one outage);
   * `equal`: half fixed, half random (never retries at once);
   * `none`: the ceiling itself (one local process, e.g. relaunching a browser).
   */
  jitter: 'full' | 'equal' | 'none';
}

/** Delay before retry number `retry` (0-based): ceiling = min(maxMs, initialMs × 2^retry), then jitter. */
export function backoffDelay(retry: number, p: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(p.maxMs, p.initialMs * 2 ** Math.min(Math.max(0, retry), 30));
  switch (p.jitter) {
    case 'none':
      return ceiling;
    case 'equal':
      return Math.round(ceiling / 2 + (ceiling / 2) * random());
    case 'full':
      return Math.max(1, Math.floor(ceiling * random()));
  }
}

/** The renderers' reconnect policy (kiosk bridge to main, agent console to the hub). */
export const rendererReconnect: BackoffPolicy = { initialMs: 250, maxMs: 5_000, jitter: 'equal' };
