// The udev rules must grant access to every USB device a built-in profile can match.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinProfiles } from './profiles';

const rules = readFileSync(new URL('../build/udev/70-visioguichet.rules', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'));
const hex = (n: number) => n.toString(16).padStart(4, '0');

describe('build/udev rules', () => {
  it.each(builtinProfiles.flatMap((p) => p.match.filter((m) => m.vendorId !== undefined).map((m) => [p.id, m] as const)))('%s is covered', (_id, m) => {
    const covered = rules.some((l) => {
      if (m.vendorId === 0x1022) return l.includes(`KERNELS=="0020:${hex(m.vendorId)}:${hex(m.productId ?? 0)}.*"`);
      if (!l.includes(`ATTRS{idVendor}=="${hex(m.vendorId!)}"`)) return false;
      return !l.includes('idProduct') || (m.productId !== undefined && l.includes(`ATTRS{idProduct}=="${hex(m.productId)}"`));
    });
    expect(covered).toBe(true);
  });
  it('every hidraw rule uses group access, never world-writable', () => {
    for (const l of rules.filter((r) => r.includes('hidraw'))) expect(l).toMatch(/MODE="0660", GROUP="visioguichet"/);
  });
});
