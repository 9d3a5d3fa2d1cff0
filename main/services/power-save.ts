// Keeps the screen awake while a citizen is in a visit, and lets it sleep (per the office's
// screen schedule) otherwise. Electron supplies powerSaveBlocker; the browser runtime a no-op.
import type { VisitPhase } from '../../common/bridge/core';

/** What Electron's powerSaveBlocker does for us, behind an interface so main/services stays plain Node. */
export interface PowerSaveBlocker {
  /** Prevents display sleep; returns an id for `stop`. */
  start(): number;
  /** Releases the block taken by `start`. */
  stop(id: number): void;
}

export const noopPowerSaveBlocker: PowerSaveBlocker = { start: () => 0, stop() {} };

/** Phases during which a citizen is in front of the screen. */
export const phasesNeedingAwake: ReadonlySet<VisitPhase> = new Set<VisitPhase>(['visit', 'call']);

/** Tracks the visit phase and holds exactly one blocker while in a visit. */
export interface VisitPhaseTracker {
  /** Phase last reported by the renderer (attract at start). */
  readonly phase: VisitPhase;
  /** Whether a power-save block is currently held. */
  readonly blocking: boolean;
  /** Records the phase and takes/releases the blocker as needed. */
  setPhase(phase: VisitPhase): void;
  /** Releases any blocker (shutdown). */
  close(): void;
}

export function createVisitPhaseTracker(blocker: PowerSaveBlocker): VisitPhaseTracker {
  let phase: VisitPhase = 'attract';
  let blockId: number | undefined;
  const release = () => {
    if (blockId === undefined) return;
    const id = blockId;
    blockId = undefined;
    blocker.stop(id);
  };
  return {
    get phase() {
      return phase;
    },
    get blocking() {
      return blockId !== undefined;
    },
    setPhase(next) {
      phase = next;
      if (phasesNeedingAwake.has(next)) {
        if (blockId === undefined) blockId = blocker.start();
      } else {
        release();
      }
    },
    close: release,
  };
}
