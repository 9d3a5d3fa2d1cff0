import { describe, expect, it } from 'vitest';
import { IdempotencyKey } from '../../common/outbox';
import { createUuidV7 } from './uuidv7';

describe('uuidv7', () => {
  it('encodes the timestamp, version and variant, and sorts in creation order within a millisecond', () => {
    let now = 0x0123456789ab;
    const next = createUuidV7(() => now, (b) => b.fill(0x11));
    const ids = Array.from({ length: 5000 }, () => next());
    expect(ids[0]).toMatch(/^01234567-89ab-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 10)) expect(IdempotencyKey.safeParse(id).success).toBe(true);
    now -= 10_000; // clock stepped back: still monotonic
    const later = next();
    expect(later > ids.at(-1)!).toBe(true);
  });

  it('with the real clock and randomness: uuid v7 ids, unique and in order', () => {
    const next = createUuidV7();
    const ids = Array.from({ length: 10_000 }, () => next());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => IdempotencyKey.safeParse(id).success)).toBe(true);
  });

  it('the same clock and random source give the same ids (what a cloned booth does)', () => {
    const a = createUuidV7(() => 5, (b) => b.fill(7));
    const b = createUuidV7(() => 5, (b2) => b2.fill(7));
    expect([a(), a()]).toEqual([b(), b()]);
  });
});
