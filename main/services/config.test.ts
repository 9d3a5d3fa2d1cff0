import { describe, expect, it } from 'vitest';
import { KioskConfigError, loadKioskConfig } from './config';

const good = { hubUrl: 'http://127.0.0.1:8080', kioskId: 'kiosk-1', kioskSecret: 'x'.repeat(32) };
const files = (map: Record<string, string>) => (p: string) => {
  const v = map[p];
  if (v === undefined) throw new Error(`ENOENT: ${p}`);
  return v;
};

describe('loadKioskConfig', () => {
  it('reads the file, normalises the hub URL to its /ws endpoint, fills public defaults and resolves dataDir beside the file', () => {
    const c = loadKioskConfig({ file: '/etc/vg/kiosk.json', env: {}, readFile: files({ '/etc/vg/kiosk.json': JSON.stringify(good) }) });
    expect(c.hubUrl).toBe('ws://127.0.0.1:8080/ws');
    expect(c.kioskId).toBe('kiosk-1');
    expect(c.dataDir).toBe('/etc/vg/.data');
    expect(c.devMode).toBe(false);
    expect(c.public.services.length).toBeGreaterThan(0);
    expect(c.public.timers.idleMs).toBe(60_000);
    expect(JSON.stringify(c.public)).not.toContain(good.kioskSecret);
  });

  it('lets the environment override the file', () => {
    const c = loadKioskConfig({
      file: '/k.json',
      env: { VG_HUB_URL: 'https://hub.example/base/', VG_KIOSK_ID: 'k2', VG_DATA_DIR: '/var/lib/vg', VG_DEV: '1' },
      readFile: files({ '/k.json': JSON.stringify(good) }),
    });
    expect(c.hubUrl).toBe('wss://hub.example/base/ws');
    expect(c.kioskId).toBe('k2');
    expect(c.dataDir).toBe('/var/lib/vg');
    expect(c.devMode).toBe(true);
  });

  it('works from the environment alone', () => {
    const c = loadKioskConfig({ env: { VG_HUB_URL: 'ws://h:1/ws', VG_KIOSK_ID: 'k', VG_KIOSK_SECRET: 's'.repeat(16) }, cwd: '/srv' });
    expect(c.hubUrl).toBe('ws://h:1/ws');
    expect(c.dataDir).toBe('/srv/.data');
  });

  it('names every bad field in one KioskConfigError (code config_invalid)', () => {
    const bad = { ...good, hubUrl: 'ftp://x', kioskSecret: 'short', public: { timers: { idleMs: -1 } } };
    try {
      loadKioskConfig({ file: '/k.json', env: {}, readFile: files({ '/k.json': JSON.stringify(bad) }) });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(KioskConfigError);
      const e = err as KioskConfigError;
      expect(e.code).toBe('config_invalid');
      expect(e.message).toContain('hubUrl');
      expect(e.message).toContain('kioskSecret');
      expect(e.message).toContain('public.timers.idleMs');
    }
  });

  it('rejects unknown top-level keys (a typo must not silently fall back to a default)', () => {
    expect(() => loadKioskConfig({ file: '/k.json', env: {}, readFile: files({ '/k.json': JSON.stringify({ ...good, devmode: true }) }) })).toThrow(/devmode/);
  });

  it('reports an unreadable file, broken JSON, a non-object and a missing config clearly', () => {
    expect(() => loadKioskConfig({ file: '/nope.json', env: {}, readFile: files({}) })).toThrow(/Cannot read kiosk config \/nope.json/);
    expect(() => loadKioskConfig({ file: '/k.json', env: {}, readFile: files({ '/k.json': '{ "hubUrl": ' }) })).toThrow(/not valid JSON/);
    expect(() => loadKioskConfig({ file: '/k.json', env: {}, readFile: files({ '/k.json': '[]' }) })).toThrow(/top level must be an object/);
    expect(() => loadKioskConfig({ env: {} })).toThrow(KioskConfigError);
    expect(() => loadKioskConfig({ env: {} })).toThrow(/VG_KIOSK_CONFIG/);
  });
});
