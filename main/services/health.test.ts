import { describe, expect, it } from 'vitest';
import type { OutboxStats } from '../../common/bridge/outbox';
import type { HubLinkStatus } from '../../common/bridge/core';
import { KioskHealthSnapshot, type KioskToHub } from '../../common/protocol';
import { buildHardwareHealth } from '../../hardware/index';
import { buildKioskHealth, createAudioHealthStore, healthMetrics, startHealthReporter } from './health';
import type { Timers } from './hub-link';
import { HubOfflineError } from './hub-link';

const stats = (over: Partial<OutboxStats> = {}): OutboxStats => ({
  depth: 2,
  byKind: { callback: 1, survey: 0, visit: 1, incident: 0, health: 0 },
  oldestPendingAt: 1000,
  oldestAgeMs: 9000,
  rejected: 0,
  bytes: 400,
  capBytes: 1_000_000,
  full: false,
  lastSync: { at: 5000, ok: false, acked: 0, rejected: 0, error: 'hub_unreachable' },
  recovered: null,
  ...over,
});

const hardware = () =>
  buildHardwareHealth({
    devices: {
      handset: { state: { status: 'connected', profileId: 'jabra', product: 'Jabra', path: '/dev/hidraw1', since: 1 }, malformedReports: 1, lastMalformed: 'short', reopenCount: 0 },
      callButton: { state: { status: 'absent' }, malformedReports: 0, lastMalformed: null, reopenCount: 0 },
      statusLight: { state: { status: 'failed', profileId: 'busylight', reason: { code: 'write_failed', message: 'x'.repeat(900) }, attempts: 2, retryAt: 99 }, malformedReports: 0, lastMalformed: null, reopenCount: 3 },
      presence: { state: { status: 'absent' }, malformedReports: 0, lastMalformed: null, reopenCount: 0 },
      scanner: { state: { status: 'absent' }, malformedReports: 0, lastMalformed: null, reopenCount: 0 },
    },
    screen: { state: { on: false, reason: 'closed', lastError: null }, method: 'xset' },
    camera: { report: { verdict: 'black', meanLuma: 2, variance: 0, meanDiff: 0, frames: 20, deviceLabel: 'C920' }, at: 9000 },
    media: { camera: 'C920', microphone: 'Jabra', speaker: null, fallback: false },
    now: 10_000,
  });

describe('echo-path test in the health snapshot', () => {
  const base = { now: 10_000, startedAt: 4_000, appVersion: '0.1.0', hubLink: 'online' as const, phase: 'attract' as const, hardware: null, outbox: null };
  const report = (heard: boolean, error: string | null = null) => ({ heard, at: 9_000, ratio: heard ? 0.9 : 0, level: heard ? 0.2 : 0, snrDb: heard ? 9.5 : null, frequencyHz: 1500, error, microphone: 'Fake mic' });

  it('never tested: audio is null and no problem; a failed test is `audio:echo_failed` until a later one passes', () => {
    const store = createAudioHealthStore();
    expect(buildKioskHealth({ ...base, audio: store.last() })).toMatchObject({ ok: true, audio: null, problems: [] });
    store.record(report(false, 'x'.repeat(100)));
    const failed = buildKioskHealth({ ...base, audio: store.last() });
    expect(KioskHealthSnapshot.parse(failed)).toEqual(failed);
    expect(failed).toMatchObject({ ok: false, problems: ['audio:echo_failed'], audio: { heard: false, at: 9_000, ratio: 0, level: 0 } });
    expect(failed.audio?.error).toHaveLength(64);
    expect(healthMetrics(failed)['audio.heard']).toBe(false);
    store.record(report(true));
    expect(buildKioskHealth({ ...base, audio: store.last() })).toMatchObject({ ok: true, problems: [], audio: { heard: true, ratio: 0.9, error: null } });
  });

  it('a snapshot from a kiosk that predates the field still validates', () => {
    const { audio: _omitted, ...older } = buildKioskHealth(base);
    expect(KioskHealthSnapshot.safeParse(older).success).toBe(true);
  });
});

describe('kiosk health snapshot', () => {
  it('combines hub link, device states, camera, screen, outbox, version and uptime into a valid snapshot', () => {
    const snap = buildKioskHealth({ now: 10_000, startedAt: 4_000, appVersion: '0.1.0', hubLink: 'online', phase: 'visit', hardware: hardware(), outbox: stats() });
    expect(KioskHealthSnapshot.parse(snap)).toEqual(snap);
    expect(snap).toMatchObject({
      uptimeSeconds: 6,
      hubLink: 'online',
      phase: 'visit',
      ok: false,
      problems: ['statusLight:write_failed', 'camera:black', 'outbox:hub_unreachable'],
      camera: { verdict: 'black', ok: false, deviceLabel: 'C920' },
      screen: { on: false, reason: 'closed', method: 'xset', ok: true, error: null },
      outbox: { depth: 2, oldestAgeMs: 9000, lastSync: { ok: false, error: 'hub_unreachable' } },
    });
    expect(snap.devices?.handset).toEqual({ status: 'connected', ok: true, profileId: 'jabra', malformedReports: 1, reopenCount: 0 });
    expect(snap.devices?.statusLight?.error?.message).toHaveLength(500);
    expect(Object.keys(healthMetrics(snap)).length).toBeLessThanOrEqual(100);
  });

  it('reports a kiosk with no hardware layer and an empty outbox as healthy', () => {
    const snap = buildKioskHealth({ now: 1, startedAt: 1, appVersion: 'dev', hubLink: 'connecting', phase: 'attract', hardware: null, outbox: stats({ depth: 0, oldestAgeMs: null, oldestPendingAt: null, lastSync: null }) });
    expect(snap).toMatchObject({ ok: true, problems: [], devices: null, camera: null, screen: null });
    expect(buildKioskHealth({ now: 1, startedAt: 1, appVersion: 'dev', hubLink: 'online', phase: 'attract', hardware: null, outbox: stats({ full: true, lastSync: null, oldestAgeMs: 2 * 3600_000 }) }).problems).toEqual(['outbox:full', 'outbox:stale']);
  });
});

function manualTimers() {
  const intervals = new Map<number, () => void>();
  let next = 1;
  const timers: Timers = {
    setTimeout: () => 0,
    clearTimeout: () => {},
    setInterval: (fn) => (intervals.set(next, fn), next++),
    clearInterval: (h) => intervals.delete(h as number),
  };
  return { timers, tick: () => [...intervals.values()].forEach((f) => f()), count: () => intervals.size };
}

describe('health reporter', () => {
  it('sends kiosk.health periodically while online and at once when the link comes back, and an outbox record less often', async () => {
    let status: HubLinkStatus = 'connecting';
    const listeners = new Set<(s: HubLinkStatus) => void>();
    const sent: KioskToHub[] = [];
    const records: unknown[] = [];
    let t = 0;
    const { timers, tick, count } = manualTimers();
    const reporter = startHealthReporter({
      snapshot: () => buildKioskHealth({ now: t, startedAt: 0, appVersion: '1', hubLink: status, phase: 'attract', hardware: null, outbox: null }),
      hubLink: {
        get status() {
          return status;
        },
        send: (f) => {
          if (status !== 'online') throw new HubOfflineError();
          sent.push(f);
        },
        onStatus: (l) => (listeners.add(l), () => listeners.delete(l)),
      },
      putRecord: async (m) => records.push(m),
      intervalMs: 60_000,
      recordEveryMs: 180_000,
      now: () => t,
      timers,
    });
    tick(); // offline: no frame, but the record (history) is stored
    expect(sent).toEqual([]);
    expect(records).toHaveLength(1);
    status = 'online';
    listeners.forEach((l) => l('online'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'kiosk.health', health: { hubLink: 'online' } });
    for (let i = 1; i <= 3; i++) {
      t = i * 60_000;
      tick();
    }
    expect(sent).toHaveLength(4);
    expect(records).toHaveLength(2); // t=0 and t=180 000
    expect(records[1]).toMatchObject({ hubLink: 'online', uptimeSeconds: 180 });
    reporter.stop();
    expect(count()).toBe(0);
    expect(listeners.size).toBe(0);
    expect(reporter.sendNow()).toBe(false);
  });
});

describe('camera missing in the health snapshot', () => {
  const devices = { handset: { state: { status: 'absent' as const }, malformedReports: 0, lastMalformed: null, reopenCount: 0 } } as unknown as Parameters<typeof buildHardwareHealth>[0]['devices'];
  const camera = (verdict: 'missing' | 'ok', at: number) => ({ report: { verdict, meanLuma: 0, variance: 0, meanDiff: 0, frames: 0, deviceLabel: null }, at });

  it('is the problem camera:missing while re-asserted, forgotten once the reports stop (a camera was plugged in), and validates', () => {
    const hw = buildHardwareHealth({ devices, camera: camera('missing', 1_000), now: 1_000 + 10_000 });
    expect(buildHardwareHealth({ devices, camera: camera('missing', 1_000), now: 1_000 + 60_000 })).toMatchObject({ camera: null, problems: [] });
    const snap = buildKioskHealth({ now: 1, startedAt: 1, appVersion: 'dev', hubLink: 'online', phase: 'attract', hardware: hw, outbox: null });
    expect(snap.problems).toEqual(['camera:missing']);
    expect(snap.camera).toMatchObject({ verdict: 'missing', ok: false });
    expect(KioskHealthSnapshot.safeParse(snap).success).toBe(true);
    // A stale sampled verdict still ages into no_frames as before.
    expect(buildHardwareHealth({ devices, camera: camera('ok', 1_000), now: 1_000 + 60_000 }).problems).toEqual(['camera:no_frames']);
  });
});

describe('update status in the health snapshot', () => {
  const base = { now: 10_000, startedAt: 4_000, appVersion: '1.2.0', hubLink: 'online' as const, phase: 'attract' as const, hardware: null, outbox: null };
  it('carries the update state (long messages clipped) and still validates; absent when updates are off', () => {
    const update = { current: '1.1.0', target: '1.2.0', state: 'rolled_back' as const, error: { code: 'health_timeout' as const, message: 'm'.repeat(900) }, at: 9_000 };
    const s = buildKioskHealth({ ...base, update });
    expect(s.update).toMatchObject({ state: 'rolled_back', target: '1.2.0', error: { code: 'health_timeout' } });
    expect(s.update?.error?.message).toHaveLength(500);
    expect(KioskHealthSnapshot.safeParse(s).success).toBe(true);
    expect('update' in buildKioskHealth(base)).toBe(false);
  });
});
