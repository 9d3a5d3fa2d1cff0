// The renderer's warnings and errors reach the journal through main (Electron drops a page's console,
// and the browser runtime's Chromium output is not a place to read them): one line each, digit runs
// masked, clipped, and at most 30 a minute so a page stuck in an error loop cannot flood the disk.
import type { RendererLogLine } from '../../common/bridge/core';
import type { Logger } from '../../common/log';
import { scrubText } from '../../common/log-scrub';

/** Lines per minute kept from the renderer; the rest are counted and reported once. */
export const RENDERER_LOG_PER_MINUTE = 30;

export interface RendererLogSink {
  /** One forwarded line. */
  report(line: RendererLogLine): void;
}

/** `what` names the source in the dropped-lines line (the renderer's console, Chromium's stderr). */
export function createRendererLogSink(log: Logger, now: () => number = Date.now, what = 'renderer'): RendererLogSink {
  let windowStart = Number.NEGATIVE_INFINITY;
  let kept = 0;
  let dropped = 0;
  return {
    report(line) {
      const t = now();
      if (t - windowStart >= 60_000) {
        if (dropped > 0) log.warn({ dropped }, `${what} log lines dropped (more than ${RENDERER_LOG_PER_MINUTE} a minute)`);
        windowStart = t;
        kept = 0;
        dropped = 0;
      }
      if (kept >= RENDERER_LOG_PER_MINUTE) {
        dropped++;
        return;
      }
      kept++;
      log[line.level]({ source: line.source }, scrubText(line.msg));
    },
  };
}
