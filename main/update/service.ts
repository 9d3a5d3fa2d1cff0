// Wiring of the updater into a kiosk (used by main/compose.ts): layout from config/env, the switch
// gate fed by the renderer's phases and the outbox writes, the hub as the offer source.
import type { UpdateRuntime, UpdateStatus } from '../../common/update';
import { kioskAuthHeader } from '../../common/outbox';
import type { KioskConfig } from '../services/config';
import type { Timers } from '../../common/time';
import type { Logger } from '../services/log';
import type { SwitchGate } from './gate';
import { createSwitchGate } from './gate';
import { parsePublicKey } from './keys';
import type { UpdateLayout } from './layout';
import { readCurrentVersion } from './layout';
import type { Updater } from './updater';
import { createUpdater } from './updater';

/**
 * Exit status after a switch or rollback: systemd (Restart=always) starts the unit again, and the
 * launcher starts whatever `current` now points at. EX_TEMPFAIL: "try again", not a failure.
 */
export const EXIT_UPDATE_RESTART = 75;

export interface KioskUpdateOptions {
  config: KioskConfig;
  /** The booth's HTTP Authorization per request (compose builds it from the key pair or the development secret); default the secret's. */
  authorization?: () => string;
  /** The hub's HTTP base (`https://hub/`). */
  hubBase: string;
  /** Version this process runs (env VG_APP_VERSION from the launcher), used when `current` cannot be read. */
  appVersion: string;
  /** Default browser-linux-x64. */
  runtime?: UpdateRuntime;
  /** Exit so the supervisor restarts into `current` (default: SIGTERM to self with exit status 75 requested). */
  restart?: (reason: string) => void;
  env?: Record<string, string | undefined>;
  timers?: Timers;
  now?: () => number;
  fetch?: typeof fetch;
  /** Quiet time at attract before a switch (default 10 s). */
  settleMs?: number;
  /** Told after every update status change (compose sends a health frame at once). */
  onStatus?: (s: UpdateStatus) => void;
  /** Free-space probe for downloads (tests). */
  freeBytes?: (dir: string) => Promise<number>;
  log: Logger;
}

export interface KioskUpdates {
  updater: Updater;
  gate: SwitchGate;
  layout: UpdateLayout;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export const defaultRestart = (log: Logger) => (reason: string) => {
  log.info({ reason, exitCode: EXIT_UPDATE_RESTART }, 'exiting for the supervisor to restart into the switched release');
  process.exitCode = EXIT_UPDATE_RESTART;
  // The entry's SIGTERM handler closes Chromium, the hub link and the outbox cleanly.
  process.kill(process.pid, 'SIGTERM');
};

/** The updater for this kiosk, or null (logged) when updates are off or cannot work here. */
export async function createKioskUpdates(o: KioskUpdateOptions): Promise<KioskUpdates | null> {
  const u = o.config.updates;
  if (!u?.enabled) return null;
  if (process.versions.electron && !o.runtime) {
    // The launcher starts Node + entry.mjs; the Electron variant (exec the app binary) is not built yet.
    o.log.warn('signed updates are not available in the Electron shell yet (README: main/update, Electron builds): updates off');
    return null;
  }
  const env = o.env ?? process.env;
  const root = u.root ?? env.VG_ROOT;
  const stateDir = u.stateDir ?? env.VG_UPDATE_STATE_DIR;
  if (!root || !stateDir) {
    o.log.warn('updates enabled but this kiosk was not started by the launcher (no VG_ROOT / VG_UPDATE_STATE_DIR, no updates.root / stateDir): updates off');
    return null;
  }
  if (u.keys.length === 0) {
    o.log.error('updates enabled without any key (updates.keys): every release would be refused; updates off');
    return null;
  }
  u.keys.forEach((k, i) => {
    try {
      parsePublicKey(k);
    } catch (err) {
      o.log.error({ index: i, err: (err as Error).message }, 'update key unusable (it will match no release)');
    }
  });
  const layout = { root, stateDir };
  const now = o.now ?? Date.now;
  const currentVersion = (await readCurrentVersion(layout)) ?? o.appVersion;
  const gate = createSwitchGate({ now, ...(o.settleMs !== undefined ? { settleMs: o.settleMs } : {}) });
  const updater = createUpdater({
    layout,
    currentVersion,
    runtime: o.runtime ?? 'browser-linux-x64',
    keys: u.keys,
    source: u.manifestUrl ? { kind: 'static', manifestUrl: u.manifestUrl } : { kind: 'hub', base: o.hubBase, authorization: o.authorization ?? kioskAuthHeader(o.config.kioskId, o.config.kioskSecret ?? '') },
    gate,
    restart: o.restart ?? defaultRestart(o.log),
    pollMs: u.pollMs,
    probationMs: u.probationMs,
    timers: o.timers ?? realTimers,
    now,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.onStatus ? { onStatus: o.onStatus } : {}),
    ...(o.freeBytes ? { freeBytes: o.freeBytes } : {}),
    log: o.log,
  });
  return { updater, gate, layout };
}
