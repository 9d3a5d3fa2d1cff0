import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffPolicy } from './backoff';

describe('backoffDelay', () => {
  const p = (jitter: BackoffPolicy['jitter']): BackoffPolicy => ({ initialMs: 500, maxMs: 30_000, jitter });
  it('grows as initial × 2^retry up to the cap', () => {
    expect([0, 1, 2, 3, 6, 7, 100].map((r) => backoffDelay(r, p('none')))).toEqual([500, 1000, 2000, 4000, 30_000, 30_000, 30_000]);
    expect(backoffDelay(-3, p('none'))).toBe(500);
  });
  it('equal jitter keeps half the ceiling fixed, full jitter spreads over it (never 0)', () => {
    expect(backoffDelay(0, p('equal'), () => 0)).toBe(250);
    expect(backoffDelay(0, p('equal'), () => 0.999999)).toBe(500);
    expect(backoffDelay(3, p('equal'), () => 0)).toBe(2_000);
    expect(backoffDelay(100, p('equal'), () => 0.999999)).toBe(30_000);
    expect(backoffDelay(2, p('full'), () => 0)).toBe(1);
    expect(backoffDelay(2, p('full'), () => 0.5)).toBe(1000);
    expect(backoffDelay(2, p('full'), () => 0.999999)).toBe(1999);
  });
});
