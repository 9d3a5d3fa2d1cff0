// The technician PIN lives in main (kiosk config `technicianPin` / env VG_TECH_PIN) and never
// reaches the renderer: the panel asks main to check what was typed. Repeated failures lock the
// check for a while, so a citizen cannot try every PIN on a public touchscreen.
import { createHash, timingSafeEqual } from 'node:crypto';
import { VisioError } from '../../common/result';

/** No PIN is configured: the hidden technician panel cannot be unlocked on this kiosk. */
export class TechnicianDisabledError extends VisioError {
  constructor() {
    super('technician_disabled', 'No technician PIN is configured on this kiosk (set "technicianPin" in the kiosk config or VG_TECH_PIN).');
  }
}

/** Too many wrong PINs in a row: further attempts are refused until retryAt. */
export class TechnicianLockedError extends VisioError {
  constructor(readonly retryAt: number) {
    super('technician_locked', `Too many wrong PINs; try again after ${new Date(retryAt).toISOString()}`);
  }
}

export interface TechnicianGateOptions {
  /** The configured PIN (digits); undefined disables unlocking. */
  pin: string | undefined;
  /** Clock (epoch ms). */
  now?: () => number;
  /** Wrong attempts before a lock (default 5). */
  maxFailures?: number;
  /** Lock duration (ms, default 5 min). */
  lockMs?: number;
}

export interface TechnicianGate {
  /** True when `pin` is right; false when wrong; throws TechnicianDisabledError / TechnicianLockedError. */
  unlock(pin: string): boolean;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function createTechnicianGate(o: TechnicianGateOptions): TechnicianGate {
  const now = o.now ?? Date.now;
  const maxFailures = o.maxFailures ?? 5;
  const lockMs = o.lockMs ?? 5 * 60_000;
  const expected = o.pin === undefined ? null : digest(o.pin);
  let failures = 0;
  let lockedUntil = 0;
  return {
    unlock(pin) {
      if (!expected) throw new TechnicianDisabledError();
      if (now() < lockedUntil) throw new TechnicianLockedError(lockedUntil);
      // Compare digests: constant time and equal lengths whatever was typed.
      if (timingSafeEqual(digest(pin), expected)) {
        failures = 0;
        return true;
      }
      failures++;
      if (failures >= maxFailures) {
        failures = 0;
        lockedUntil = now() + lockMs;
      }
      return false;
    },
  };
}
