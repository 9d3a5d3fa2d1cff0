import { describe, expect, it } from 'vitest';
import { REFERENCE_ALPHABET, isReference, referenceOf } from './reference';

describe('take-away reference numbers', () => {
  it('are six unambiguous characters, stable for an id, different for different ids', () => {
    const a = referenceOf('3f2c9a1e-0b7d-4c55-9e61-2a8f0c1d4e5b');
    expect(a).toMatch(/^[A-Z0-9]{3}-[A-Z0-9]{3}$/);
    for (const ch of a.replace('-', '')) expect(REFERENCE_ALPHABET).toContain(ch);
    expect(referenceOf('3f2c9a1e-0b7d-4c55-9e61-2a8f0c1d4e5b')).toBe(a);
    const many = new Set(Array.from({ length: 2000 }, (_, i) => referenceOf(`call-${i}`)));
    // 2000 ids in 23^6 ≈ 1.5e8: a handful of collisions at most would already be suspicious.
    expect(many.size).toBeGreaterThanOrEqual(1998);
    expect(isReference(a)).toBe(true);
    expect(isReference(a.toLowerCase().replace('-', ''))).toBe(true);
  });

  it('never uses look-alike characters', () => {
    for (const bad of '0O1IL2Z5S8B6G') expect(REFERENCE_ALPHABET).not.toContain(bad);
    expect(isReference('ABO-123')).toBe(false);
  });

  it('refuses an empty id (no reference for nothing)', () => {
    expect(() => referenceOf('')).toThrow(/empty id/);
  });
});
