import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispatchBridgeCall } from '../common/bridge/dispatch';
import { KioskPublicConfig, allDaySchedule } from '../common/config';
import { SimScreen } from '../hardware/index';
import { composeKiosk, hubHttpBase, siteProfiles } from './compose';
import { memoryLogger } from '../common/log';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('composeKiosk', () => {
  it('derives the hub HTTP base from its WebSocket endpoint', () => {
    expect(hubHttpBase('ws://127.0.0.1:8080/ws')).toBe('http://127.0.0.1:8080/');
    expect(hubHttpBase('wss://hub.example/base/ws')).toBe('https://hub.example/base/');
  });

  it('wires the outbox section into the bridge (records survive a restart) and closes everything', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-compose-'));
    dirs.push(dataDir);
    // Port 9 (discard) on loopback: nothing listens, so the link and sender stay offline.
    const config = { public: KioskPublicConfig.parse({}), hubUrl: 'ws://127.0.0.1:9/ws', kioskId: 'k1', kioskSecret: 's'.repeat(24), dataDir, devMode: false };
    const core = await composeKiosk({ config });
    const put = await dispatchBridgeCall(core.handlers, 'outbox.put', [{ kind: 'survey', record: { service: 'emploi', language: 'fr', rating: 4 } }]);
    expect(put).toMatchObject({ ok: true, value: { id: expect.any(String) } });
    expect(await dispatchBridgeCall(core.handlers, 'hardware.states', [])).toMatchObject({ ok: false, error: { code: 'feature_unavailable' } });
    await core.close();

    const again = await composeKiosk({ config });
    expect(await dispatchBridgeCall(again.handlers, 'outbox.stats', [])).toMatchObject({ ok: true, value: { depth: 1 } });
    await again.close();
  });
});

describe('composeKiosk with simulated peripherals', () => {
  it('serves the hardware section, forwards device events to the renderer, and drives the status light from the visit phase', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-compose-hw-'));
    dirs.push(dataDir);
    const config = { public: KioskPublicConfig.parse({ simulation: true }), hubUrl: 'ws://127.0.0.1:9/ws', kioskId: 'k1', kioskSecret: 's'.repeat(24), dataDir, devMode: false };
    const core = await composeKiosk({ config, hardware: 'simulated' });
    try {
      const states = await dispatchBridgeCall(core.handlers, 'hardware.states', []);
      expect(states).toMatchObject({ ok: true, value: { handset: { status: 'connected' }, statusLight: { status: 'connected' } } });
      const events: [string, unknown[]][] = [];
      core.subscribe((e, p) => events.push([e, p]));
      expect(await dispatchBridgeCall(core.handlers, 'hardware.sim.control', [{ action: 'lift' }])).toEqual({ ok: true, value: null });
      await vi.waitFor(() => expect(events).toContainEqual(['hardware.input', [{ type: 'handset.lifted' }]]));
      await dispatchBridgeCall(core.handlers, 'session.phase', ['call']);
      await vi.waitFor(async () => {
        const snap = await dispatchBridgeCall(core.handlers, 'hardware.sim.snapshot', []);
        expect(snap).toMatchObject({ ok: true, value: { leds: { offHook: true } } });
      });
    } finally {
      await core.close();
    }
  });
});

describe('composeKiosk screen schedule', () => {
  it('darkens the screen outside opening hours, lights it for a visit, a touch (hardware.wake) and presence', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-compose-screen-'));
    dirs.push(dataDir);
    const closedAllWeek = { timeZone: 'America/Toronto', days: [[], [], [], [], [], [], []] };
    const config = { public: KioskPublicConfig.parse({ simulation: true, schedule: closedAllWeek }), hubUrl: 'ws://127.0.0.1:9/ws', kioskId: 'k1', kioskSecret: 's'.repeat(24), dataDir, devMode: false };
    const screen = new SimScreen();
    let t = Date.UTC(2026, 0, 7, 15); // any instant: the office is never open
    const core = await composeKiosk({ config, hardware: 'simulated', screen, clock: { now: () => t } });
    try {
      expect(screen.on).toBe(false);
      await dispatchBridgeCall(core.handlers, 'session.phase', ['visit']);
      await vi.waitFor(() => expect(screen.on).toBe(true));
      await dispatchBridgeCall(core.handlers, 'session.phase', ['attract']);
      await vi.waitFor(() => expect(screen.on).toBe(false));

      expect(await dispatchBridgeCall(core.handlers, 'hardware.wake', [])).toEqual({ ok: true, value: null });
      expect(screen.on).toBe(true);
      t += 10 * 60_000; // the wake period (2 min) is over: the next evaluation darkens it
      await dispatchBridgeCall(core.handlers, 'session.phase', ['attract']);
      await vi.waitFor(() => expect(screen.on).toBe(false));

      await dispatchBridgeCall(core.handlers, 'hardware.sim.control', [{ action: 'presence', present: true }]);
      await vi.waitFor(() => expect(screen.on).toBe(true));
      expect(screen.history).toEqual([false, true, false, true, false, true]);

      const health = await dispatchBridgeCall(core.handlers, 'health.get', []);
      expect(health).toMatchObject({ ok: true, value: { screen: { on: true, reason: 'woken', method: 'simulated', ok: true }, devices: { presence: { status: 'connected' } } } });
    } finally {
      await core.close();
    }
  });

  it("follows opening hours the hub changed (applied between visits), not only the file's", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-compose-screen3-'));
    dirs.push(dataDir);
    const config = { public: KioskPublicConfig.parse({ simulation: true, schedule: allDaySchedule }), hubUrl: 'ws://127.0.0.1:9/ws', kioskId: 'k1', kioskSecret: 's'.repeat(24), dataDir, devMode: false };
    const screen = new SimScreen();
    const core = await composeKiosk({ config, hardware: 'simulated', screen, clock: { now: () => Date.UTC(2026, 0, 7, 15) } });
    try {
      await dispatchBridgeCall(core.handlers, 'session.phase', ['attract']);
      expect(screen.on).toBe(true);
      // The hub closes the office all week; the booth applies it at attract and the screen goes dark.
      core.config.offer('v1', { schedule: { timeZone: 'America/Toronto', days: [[], [], [], [], [], [], []] } });
      await dispatchBridgeCall(core.handlers, 'session.phase', ['attract']);
      await vi.waitFor(() => expect(screen.on).toBe(false));
    } finally {
      await core.close();
    }
  });

  it('uses a simulated screen by default in simulation mode (hardware.screen)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-compose-screen2-'));
    dirs.push(dataDir);
    const config = { public: KioskPublicConfig.parse({ simulation: true }), hubUrl: 'ws://127.0.0.1:9/ws', kioskId: 'k1', kioskSecret: 's'.repeat(24), dataDir, devMode: false };
    const core = await composeKiosk({ config, hardware: 'simulated' });
    try {
      expect(await dispatchBridgeCall(core.handlers, 'hardware.screen', [])).toMatchObject({ ok: true, value: { method: 'simulated' } });
    } finally {
      await core.close();
    }
  });
});

describe('site device profiles (profiles as data)', () => {
  it('loads extra JSON profiles first and falls back to the built-ins when a file is bad', async () => {
    const { builtinProfiles } = await import('../hardware/index');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'vg-profiles-'));
    dirs.push(dir);
    const json = JSON.parse(readFileSync(join(import.meta.dirname, '../hardware/profiles/luxafor-flag.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'site-light.json'), JSON.stringify({ ...json, id: 'site-light' }));
    const log = memoryLogger();
    const logs = { at: (i: number) => log.lines.at(i)?.msg };
    const profiles = siteProfiles(dir, log);
    expect(profiles?.[0]?.id).toBe('site-light');
    expect(profiles).toHaveLength(builtinProfiles.length + 1);
    writeFileSync(join(dir, 'zz-broken.json'), '{"id": "broken"');
    expect(siteProfiles(dir, log)).toBeUndefined();
    expect(logs.at(-1)).toMatch(/ignored/);
    expect(siteProfiles(undefined, log)).toBeUndefined();
  });
});
