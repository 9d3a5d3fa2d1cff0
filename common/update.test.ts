import { describe, expect, it } from 'vitest';
import { compareSemVer, ReleaseManifest, UpdateOffer, UpdateStatus } from './update';

const manifest = {
  schema: 1,
  product: 'visioguichet-kiosk',
  version: '1.2.0',
  releasedAt: '2026-11-29T09:00:00Z',
  runtime: 'browser-linux-x64',
  bundle: { url: 'visioguichet-1.2.0.tar.gz', size: 1234, sha256: 'a'.repeat(64) },
};

describe('ReleaseManifest', () => {
  it('accepts the contract shape', () => {
    expect(ReleaseManifest.safeParse(manifest).success).toBe(true);
  });
  it('refuses unknown fields, a wrong product, a non-semver version and an upper-case hash', () => {
    expect(ReleaseManifest.safeParse({ ...manifest, extra: 1 }).success).toBe(false);
    expect(ReleaseManifest.safeParse({ ...manifest, product: 'other' }).success).toBe(false);
    expect(ReleaseManifest.safeParse({ ...manifest, version: '1.2' }).success).toBe(false);
    expect(ReleaseManifest.safeParse({ ...manifest, version: '../../etc' }).success).toBe(false);
    expect(ReleaseManifest.safeParse({ ...manifest, bundle: { ...manifest.bundle, sha256: 'A'.repeat(64) } }).success).toBe(false);
  });
});

describe('UpdateStatus / UpdateOffer', () => {
  it('accepts a rollback report and refuses an unknown error code', () => {
    const s = { current: '1.1.0', target: '1.2.0', state: 'rolled_back', error: { code: 'health_timeout', message: 'x' }, at: 1 };
    expect(UpdateStatus.safeParse(s).success).toBe(true);
    expect(UpdateStatus.safeParse({ ...s, error: { code: 'nope', message: 'x' } }).success).toBe(false);
  });
  it('wants an http(s) bundle URL', () => {
    expect(UpdateOffer.safeParse({ manifest: '{}', signature: 'AA==', bundleUrl: 'https://hub/x' }).success).toBe(true);
    expect(UpdateOffer.safeParse({ manifest: '{}', signature: 'AA==', bundleUrl: 'file:///etc/passwd' }).success).toBe(false);
  });
});

describe('compareSemVer', () => {
  it('orders by semver 2.0 precedence', () => {
    const sorted = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.10.0', '2.0.0'];
    for (let i = 0; i + 1 < sorted.length; i++) {
      expect(compareSemVer(sorted[i]!, sorted[i + 1]!)).toBeLessThan(0);
      expect(compareSemVer(sorted[i + 1]!, sorted[i]!)).toBeGreaterThan(0);
    }
    expect(compareSemVer('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
    expect(() => compareSemVer('1.0', '1.0.0')).toThrow(/semantic version/);
  });
});
