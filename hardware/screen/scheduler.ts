// Screen power schedule tied to the opening hours: dark outside hours, woken by touch or presence
// for a while, and never dark during a visit. Decisions are pure (desiredPower); the scheduler
// applies them on change and on a periodic tick, and keeps the last error for health.
import type { VisitPhase } from '../../common/bridge/core';
import type { WeeklySchedule } from '../../common/config';
import { isOpen } from '../../common/hours';
import { toErrorInfo, type ErrorInfo } from '../../common/result';
import type { Timers } from '../drivers';
import type { Screen } from '../interfaces';
import type { Clock } from '../manager';
import { LiveValue, type ReadonlyValue } from '../observable';

export type PowerReason = 'visit' | 'open_hours' | 'woken' | 'closed';

/** Pure decision: should the screen be on, and why. */
export function desiredPower(input: { phase: VisitPhase; now: number; schedule: WeeklySchedule; wakeUntil: number }): { on: boolean; reason: PowerReason } {
  if (input.phase === 'visit' || input.phase === 'call') return { on: true, reason: 'visit' };
  if (isOpen(input.schedule, new Date(input.now))) return { on: true, reason: 'open_hours' };
  if (input.now < input.wakeUntil) return { on: true, reason: 'woken' };
  return { on: false, reason: 'closed' };
}

export interface ScreenPowerState {
  on: boolean;
  reason: PowerReason;
  lastError: ErrorInfo | null;
}

export interface ScreenSchedulerOptions {
  screen: Screen;
  schedule: WeeklySchedule;
  clock: Clock;
  timers: Timers;
  /** How long a touch or presence keeps the screen on outside hours (default 2 min). */
  wakeMs?: number;
  /** Re-evaluation period, so opening/closing times take effect (default 30 s). */
  tickMs?: number;
}

export class ScreenScheduler {
  private phase: VisitPhase = 'attract';
  private wakeUntil = 0;
  private applied: boolean | null = null;
  private timer: unknown = null;
  private running = false;
  private applying: Promise<void> = Promise.resolve();
  private readonly value: LiveValue<ScreenPowerState>;
  private readonly wakeMs: number;
  private readonly tickMs: number;

  constructor(private readonly o: ScreenSchedulerOptions) {
    this.wakeMs = o.wakeMs ?? 120_000;
    this.tickMs = o.tickMs ?? 30_000;
    this.value = new LiveValue<ScreenPowerState>({ on: true, reason: 'open_hours', lastError: null }, (a, b) => JSON.stringify(a) === JSON.stringify(b));
  }

  /** Live power state (for health and the technician screen). */
  get state(): ReadonlyValue<ScreenPowerState> {
    return this.value;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.evaluate();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.o.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** The session's coarse phase (from the renderer's `session.phase`). A visit forces the screen on. */
  setPhase(phase: VisitPhase): Promise<void> {
    this.phase = phase;
    return this.evaluate();
  }

  /** A touch or presence: keep the screen on for wakeMs (outside hours). */
  wake(): Promise<void> {
    this.wakeUntil = this.o.clock.now() + this.wakeMs;
    return this.evaluate();
  }

  /** Presence sensor input: arrival wakes, departure changes nothing (the wake period runs out). */
  presence(present: boolean): Promise<void> {
    return present ? this.wake() : Promise.resolve();
  }

  /** Decide and apply now; serialised so two quick calls never race on the screen. */
  evaluate(): Promise<void> {
    this.applying = this.applying.then(() => this.apply());
    return this.applying;
  }

  private async apply(): Promise<void> {
    const want = desiredPower({ phase: this.phase, now: this.o.clock.now(), schedule: this.o.schedule, wakeUntil: this.wakeUntil });
    let lastError = this.value.get().lastError;
    if (this.applied !== want.on) {
      try {
        await this.o.screen.setPower(want.on);
        this.applied = want.on;
        lastError = null;
      } catch (err) {
        lastError = toErrorInfo(err); // retried at the next tick
      }
    }
    this.value.set({ on: this.applied ?? want.on, reason: want.reason, lastError });
    this.reschedule();
  }

  private reschedule(): void {
    if (!this.running) return;
    if (this.timer !== null) this.o.timers.clearTimeout(this.timer);
    const now = this.o.clock.now();
    // Wake expiry is checked exactly; otherwise the tick picks up opening and closing times.
    const untilWakeEnd = this.wakeUntil > now ? this.wakeUntil - now : Number.POSITIVE_INFINITY;
    this.timer = this.o.timers.setTimeout(() => {
      this.timer = null;
      void this.evaluate();
    }, Math.min(this.tickMs, untilWakeEnd));
  }
}
