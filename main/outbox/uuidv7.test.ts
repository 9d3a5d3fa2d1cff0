import { describe, expect, it } from 'vitest';
import { IdempotencyKey } from '../../common/outbox';
import { createUuidV7 } from './uuidv7';

describe('uuidv7', () => {
  it('encodes the timestamp, version and variant, and sorts in creation order within a millisecond', () => {
    let now = 0x0123456789ab;
    const next = createUuidV7(() => now, (b) => b.fill(0xff));
    const ids = Array.from({ length: 5000 }, () => next());
    expect(ids[0]).toBe('01234567-89ab-7000-bfff-ffffffffffff');
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 10)) expect(IdempotencyKey.safeParse(id).success).toBe(true);
    now -= 10_000; // clock stepped back: still monotonic
    const later = next();
    expect(later > ids.at(-1)!).toBe(true);
  });
});
