// "Between visits": the only moments a booth may restart into another version. The renderer's
// session phase must be attract or closed, for at least `settleMs` (a citizen who just finished is
// not cut off by a survey write, and a touch right after attract is not raced), and no citizen
// record may be in the middle of being written to the outbox.
import type { VisitPhase } from '../../common/bridge/core';

export interface SwitchGate {
  /** The renderer reported a phase. */
  phase(p: VisitPhase): void;
  /** A citizen record is being written to the outbox (pair with the returned done()). */
  writing(): () => void;
  /** True when a restart now interrupts nobody. */
  isIdle(): boolean;
  /** Why not idle (for the log), or null. */
  reason(): string | null;
  /** Called when something changed that may make the gate idle. */
  onChange(fn: () => void): () => void;
}

const IDLE: ReadonlySet<VisitPhase> = new Set(['attract', 'closed']);

export function createSwitchGate(o: { now: () => number; settleMs?: number; initialPhase?: VisitPhase }): SwitchGate {
  const settleMs = o.settleMs ?? 10_000;
  let phase: VisitPhase = o.initialPhase ?? 'attract';
  // Start settled only after settleMs: a freshly started booth has not yet seen the renderer.
  let idleSince = o.now();
  let writes = 0;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of listeners) l();
  };
  const reason = (): string | null => {
    if (!IDLE.has(phase)) return `phase ${phase}`;
    if (writes > 0) return `${writes} outbox write(s) in progress`;
    const left = idleSince + settleMs - o.now();
    return left > 0 ? `idle for less than ${settleMs} ms` : null;
  };
  return {
    phase(p) {
      if (IDLE.has(p) && !IDLE.has(phase)) idleSince = o.now();
      phase = p;
      changed();
    },
    writing() {
      writes++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        writes--;
        changed();
      };
    },
    isIdle: () => reason() === null,
    reason,
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
