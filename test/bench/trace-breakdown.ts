// Where a tap's time goes, from a Chromium trace (devtools.timeline): the page marks `tap:start` on
// pointerdown and `tap:end` when the next screen's frame is done (tap.bench.ts PROBE); every trace
// event of the renderer's main thread in that window gets its self time (its duration minus its
// children's), summed by name. Used by `./vg bench tap N --trace`.

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { type?: string; functionName?: string; url?: string } };
}

export const TRACE_CATEGORIES = ['devtools.timeline', 'blink.user_timing', 'v8.execute', 'disabled-by-default-devtools.timeline'];

export interface Breakdown {
  taps: number;
  /** Mean window (pointerdown → frame produced), ms. */
  wallMs: number;
  /** Mean main-thread time in events, ms (the rest is waiting: the release's round trip, vsync). */
  busyMs: number;
  /** Mean self time per event name, ms, largest first. */
  byName: [string, number][];
}

const label = (e: TraceEvent): string => {
  const t = e.args?.data?.type;
  if (e.name === 'EventDispatch' && t) return `EventDispatch(${t})`;
  return e.name;
};

/** Self time by event name on the thread that wrote the tap marks, inside each tap window. */
export function breakdown(trace: { traceEvents: TraceEvent[] } | TraceEvent[]): Breakdown {
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  const marks = events.filter((e) => e.name === 'tap:start' || e.name === 'tap:end').sort((a, b) => a.ts - b.ts);
  if (!marks.length) throw new Error('the trace holds no tap:start/tap:end marks (was window.__traceMarks set?)');
  const { pid, tid } = marks[0]!;
  const windows: [number, number][] = [];
  let open: number | null = null;
  for (const m of marks) {
    if (m.name === 'tap:start') open = m.ts;
    else if (open !== null) {
      // The pointerdown's own dispatch began just before its listener wrote the mark.
      windows.push([open - 3000, m.ts]);
      open = null;
    }
  }
  const xs = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && typeof e.dur === 'number').sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<TraceEvent, number>();
  const stack: TraceEvent[] = [];
  for (const e of xs) {
    while (stack.length && stack.at(-1)!.ts + stack.at(-1)!.dur! <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent, (self.get(parent) ?? 0) - Math.min(e.dur!, parent.ts + parent.dur! - e.ts));
    self.set(e, (self.get(e) ?? 0) + e.dur!);
    stack.push(e);
  }
  const byName = new Map<string, number>();
  let busy = 0;
  let wall = 0;
  let wi = 0;
  for (const [a, b] of windows) wall += b - a;
  for (const e of xs) {
    while (wi < windows.length && windows[wi]![1] < e.ts) wi++;
    if (wi >= windows.length) break;
    const [a, b] = windows[wi]!;
    if (e.ts < a || e.ts > b) continue;
    const s = self.get(e) ?? 0;
    byName.set(label(e), (byName.get(label(e)) ?? 0) + s);
    busy += s;
  }
  const n = windows.length;
  return {
    taps: n,
    wallMs: wall / n / 1000,
    busyMs: busy / n / 1000,
    byName: [...byName.entries()].map(([k, v]): [string, number] => [k, v / n / 1000]).sort((x, y) => y[1] - x[1]),
  };
}

export function formatBreakdown(name: string, b: Breakdown, top = 14): string {
  const lines = [`${name}: ${b.taps} taps, window ${b.wallMs.toFixed(2)} ms, main thread busy ${b.busyMs.toFixed(2)} ms (mean per tap); self time by event:`];
  for (const [k, v] of b.byName.slice(0, top)) lines.push(`  ${v.toFixed(3).padStart(7)} ms  ${k}`);
  return lines.join('\n');
}
