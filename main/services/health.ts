// The kiosk's health report: one snapshot built from the hub link, the hardware
// layer's health proofs, the outbox figures and the visit phase. It goes to the hub live as a
// `kiosk.health` frame (latest per kiosk, for the fleet view) and, less often, into the outbox as
// a `health` record (history that survives the network being down), and to the technician panel.
import type { AudioEchoReport } from '../../common/bridge/hardware';
import type { OutboxStats } from '../../common/bridge/outbox';
import type { HubLinkStatus, VisitPhase } from '../../common/bridge/core';
import type { KioskHealthSnapshot } from '../../common/protocol';
import type { UpdateStatus } from '../../common/update';
import { KioskHealthSnapshot as KioskHealthSchema } from '../../common/protocol';
import type { HardwareHealth } from '../../hardware/index';
import type { HubLink, Timers } from './hub-link';
import type { Logger } from './log';
import { silentLogger } from './log';

/** Everything a snapshot is built from; missing parts (no hardware layer, no outbox) are null. */
export interface HealthInputs {
  /** Kiosk clock (epoch ms). */
  now: number;
  /** When main started (epoch ms). */
  startedAt: number;
  appVersion: string;
  hubLink: HubLinkStatus;
  phase: VisitPhase;
  hardware: HardwareHealth | null;
  outbox: OutboxStats | null;
  /** Last echo-path test from the technician panel (null/absent: never run since main started). */
  audio?: AudioEchoReport | null;
  /** Signed-update status (main/update); absent when updates are off. */
  update?: UpdateStatus | null;
  /** Services in the booth's configuration that the hub's catalogue lacks. */
  unknownServices?: readonly string[];
}

/** An outbox that was never delivered for this long is a problem worth a technician's look. */
export const OUTBOX_STALE_MS = 60 * 60_000;

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

/** Pure: the snapshot for these inputs (strings clipped to the protocol's limits). */
export function buildKioskHealth(i: HealthInputs): KioskHealthSnapshot {
  const problems = [...(i.hardware?.problems ?? [])];
  if (i.outbox?.full) problems.push('outbox:full');
  if (i.outbox?.lastSync && !i.outbox.lastSync.ok) problems.push(`outbox:${i.outbox.lastSync.error ?? 'sync_failed'}`);
  if (i.outbox && (i.outbox.oldestAgeMs ?? 0) > OUTBOX_STALE_MS) problems.push('outbox:stale');
  if (i.outbox?.recovered) problems.push(`outbox:recovered_${i.outbox.recovered.reason}`);
  // A failed echo test stays a problem until a later test passes: the booth cannot be heard/hear.
  if (i.audio && !i.audio.heard) problems.push('audio:echo_failed');
  for (const id of i.unknownServices ?? []) problems.push(`config:unknown_service:${id}`);

  const hw = i.hardware;
  const devices: KioskHealthSnapshot['devices'] = hw
    ? Object.fromEntries(
        Object.entries(hw.devices).map(([kind, d]) => {
          const s = d.state;
          const entry: NonNullable<KioskHealthSnapshot['devices']>[string] = {
            status: s.status,
            ok: d.ok,
            malformedReports: d.malformedReports,
            reopenCount: d.reopenCount,
          };
          if (s.status !== 'absent') entry.profileId = clip(s.profileId, 80);
          if (s.status === 'failed') entry.error = { code: clip(s.reason.code, 64), message: clip(s.reason.message, 500) };
          return [kind, entry];
        }),
      )
    : null;
  const camera = hw?.camera
    ? { verdict: hw.camera.verdict, ok: hw.camera.ok, at: hw.camera.at, meanLuma: hw.camera.meanLuma, deviceLabel: hw.camera.deviceLabel === null ? null : clip(hw.camera.deviceLabel, 200) }
    : null;
  const screen = hw?.screen
    ? { on: hw.screen.on, reason: hw.screen.reason, method: clip(hw.screen.method, 64), ok: hw.screen.ok, error: hw.screen.lastError ? clip(hw.screen.lastError.code, 64) : null }
    : null;
  const media = hw?.media
    ? {
        camera: hw.media.camera === null ? null : clip(hw.media.camera, 200),
        microphone: hw.media.microphone === null ? null : clip(hw.media.microphone, 200),
        speaker: hw.media.speaker === null ? null : clip(hw.media.speaker, 200),
        fallback: hw.media.fallback,
      }
    : null;
  const o = i.outbox;
  const outbox: KioskHealthSnapshot['outbox'] = o
    ? {
        depth: o.depth,
        oldestAgeMs: o.oldestAgeMs === null ? null : Math.max(0, o.oldestAgeMs),
        full: o.full,
        rejected: o.rejected,
        lastSync: o.lastSync
          ? { at: o.lastSync.at, ok: o.lastSync.ok, acked: o.lastSync.acked, rejected: o.lastSync.rejected, ...(o.lastSync.error ? { error: clip(o.lastSync.error, 64) } : {}) }
          : null,
      }
    : null;
  return {
    at: i.now,
    appVersion: clip(i.appVersion, 40),
    uptimeSeconds: Math.max(0, Math.round((i.now - i.startedAt) / 1000)),
    hubLink: i.hubLink,
    phase: i.phase,
    ok: problems.length === 0,
    problems: problems.slice(0, 50).map((p) => clip(p, 80)),
    devices,
    camera,
    screen,
    media,
    outbox,
    audio: i.audio ? { heard: i.audio.heard, at: i.audio.at, ratio: i.audio.ratio, level: i.audio.level, error: i.audio.error === null ? null : clip(i.audio.error, 64) } : null,
    ...(i.update ? { update: { ...i.update, error: i.update.error ? { code: i.update.error.code, message: clip(i.update.error.message, 500) } : null } } : {}),
  };
}

/** Flat metrics for the outbox `health` record (≤ 100 scalar entries, strings ≤ 200). */
export function healthMetrics(s: KioskHealthSnapshot): Record<string, number | string | boolean | null> {
  const m: Record<string, number | string | boolean | null> = {
    appVersion: s.appVersion,
    uptimeSeconds: s.uptimeSeconds,
    hubLink: s.hubLink,
    phase: s.phase,
    ok: s.ok,
    problems: clip(s.problems.join(','), 200),
  };
  for (const [kind, d] of Object.entries(s.devices ?? {})) m[`device.${kind}`] = d.error ? `${d.status}:${d.error.code}` : d.status;
  if (s.camera) m['camera.verdict'] = s.camera.verdict;
  if (s.screen) m['screen.on'] = s.screen.on;
  if (s.audio) m['audio.heard'] = s.audio.heard;
  if (s.outbox) {
    m['outbox.depth'] = s.outbox.depth;
    m['outbox.oldestAgeMs'] = s.outbox.oldestAgeMs;
    m['outbox.lastSyncOk'] = s.outbox.lastSync?.ok ?? null;
  }
  return m;
}

/** Main's memory of the last echo-path test (the renderer runs it; main reports it). */
export interface AudioHealthStore {
  /** Keeps a report, replacing the previous one. */
  record(report: AudioEchoReport): void;
  /** The last report, null until the first. */
  last(): AudioEchoReport | null;
}

export function createAudioHealthStore(): AudioHealthStore {
  let last: AudioEchoReport | null = null;
  return {
    record(report) {
      last = report;
    },
    last: () => last,
  };
}

export interface HealthReporterOptions {
  /** Takes a snapshot now. */
  snapshot: () => KioskHealthSnapshot;
  /** The hub link the `kiosk.health` frame goes through. */
  hubLink: Pick<HubLink, 'status' | 'send' | 'onStatus'>;
  /** Stores a `health` outbox record (default: none). */
  putRecord?: (metrics: Record<string, number | string | boolean | null>) => Promise<unknown>;
  /** Period of the live frame (ms, default 60 000). */
  intervalMs?: number;
  /** An outbox record every this many frames' worth of time (ms, default 15 min). */
  recordEveryMs?: number;
  /** Clock (epoch ms, default Date.now). */
  now?: () => number;
  timers: Timers;
  log?: Logger;
}

/** Periodic sender of the health report. */
export interface HealthReporter {
  /** Sends a snapshot now if the link is online; returns whether it went out. */
  sendNow(): boolean;
  /** Stops the timers and the status subscription. Idempotent. */
  stop(): void;
}

/** Starts reporting: a frame every intervalMs while online and at once when the link comes back. */
export function startHealthReporter(o: HealthReporterOptions): HealthReporter {
  const log = o.log ?? silentLogger;
  const now = o.now ?? Date.now;
  const intervalMs = o.intervalMs ?? 60_000;
  const recordEveryMs = o.recordEveryMs ?? 15 * 60_000;
  let lastRecordAt = Number.NEGATIVE_INFINITY;
  let stopped = false;

  const take = (): KioskHealthSnapshot | null => {
    // Validate before sending: an invalid frame would be refused by the hub and only logged there.
    const r = KioskHealthSchema.safeParse(o.snapshot());
    if (r.success) return r.data;
    log.error({ error: r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'health snapshot does not validate; not sent');
    return null;
  };

  const sendNow = (): boolean => {
    if (stopped || o.hubLink.status !== 'online') return false;
    const health = take();
    if (!health) return false;
    try {
      o.hubLink.send({ type: 'kiosk.health', health });
      return true;
    } catch (err) {
      log.warn({ err: String(err) }, 'health frame not sent');
      return false;
    }
  };

  const tick = () => {
    sendNow();
    const t = now();
    if (o.putRecord && t - lastRecordAt >= recordEveryMs) {
      lastRecordAt = t;
      const health = take();
      if (health) void o.putRecord(healthMetrics(health)).catch((err: unknown) => log.warn({ err: String(err) }, 'health record not stored'));
    }
  };

  const timer = o.timers.setInterval(tick, intervalMs);
  const offStatus = o.hubLink.onStatus((s) => {
    if (s === 'online') sendNow();
  });
  return {
    sendNow,
    stop() {
      if (stopped) return;
      stopped = true;
      o.timers.clearInterval(timer);
      offStatus();
    },
  };
}
