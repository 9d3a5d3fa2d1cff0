import { describe, expect, it } from 'vitest';
import { createTechnicianGate } from './technician';

describe('technician PIN gate', () => {
  it('accepts the PIN, refuses others, locks after repeated failures, then lets the right PIN in again', () => {
    let t = 1000;
    const gate = createTechnicianGate({ pin: '482913', now: () => t, maxFailures: 3, lockMs: 60_000 });
    expect(gate.unlock('482913')).toBe(true);
    expect(gate.unlock('000000')).toBe(false);
    expect(gate.unlock('48291')).toBe(false);
    expect(gate.unlock('4829130')).toBe(false);
    expect(() => gate.unlock('482913')).toThrow(expect.objectContaining({ code: 'technician_locked' }));
    t += 60_000;
    expect(gate.unlock('482913')).toBe(true);
  });

  it('is disabled when no PIN is configured', () => {
    const gate = createTechnicianGate({ pin: undefined });
    expect(() => gate.unlock('1234')).toThrow(expect.objectContaining({ code: 'technician_disabled' }));
  });
});
