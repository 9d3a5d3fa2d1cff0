// Opens the kiosk page in Debian's Chromium as an appliance window (--app or --kiosk) and keeps it
// open: if Chromium exits on its own (crash, OOM, someone closed it) it is relaunched with capped
// backoff. Each launch gets a fresh profile so nothing of a previous visit survives in it.
import { spawn as nodeSpawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../services/log';
import { silentLogger } from '../services/log';

/** Flags every launch carries (fake media devices let CI and demo machines without a camera work). */
export const chromiumFlags = [
  '--no-sandbox',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
  '--no-default-browser-check',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-translate',
  '--disable-features=Translate,MediaRouter',
  '--disable-pinch',
  '--overscroll-history-navigation=0',
];

export interface ChromiumOptions {
  /** The page to open. */
  url: string;
  /** `app` = chromeless window; `kiosk` = fullscreen, no exit. */
  mode: 'app' | 'kiosk';
  /** Directory under which the fresh profile is created. */
  dataDir: string;
  /** Chromium binary (default /usr/bin/chromium). */
  executablePath?: string;
  /** Extra flags (e.g. real devices instead of fake ones are chosen by dropping the fake flags upstream). */
  extraArgs?: string[];
  /** Process spawner (tests). */
  spawn?: (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;
  /** Relaunch backoff: first delay and cap (ms, defaults 1 000 / 30 000). */
  relaunchMs?: { initial: number; max: number };
  /** Logger (default silent). */
  log?: Logger;
}

/** A supervised Chromium. */
export interface ChromiumHandle {
  /** How many times Chromium was (re)launched. */
  readonly launches: number;
  /** Stops supervising and terminates Chromium; resolves when it exited. */
  close(): Promise<void>;
}

export function chromiumArgs(opts: Pick<ChromiumOptions, 'url' | 'mode' | 'extraArgs'>, profileDir: string): string[] {
  const target = opts.mode === 'kiosk' ? ['--kiosk', opts.url] : [`--app=${opts.url}`];
  return [...chromiumFlags, `--user-data-dir=${profileDir}`, ...(opts.extraArgs ?? []), ...target];
}

export function launchChromium(opts: ChromiumOptions): ChromiumHandle {
  const spawn = opts.spawn ?? nodeSpawn;
  const log = opts.log ?? silentLogger;
  const exe = opts.executablePath ?? '/usr/bin/chromium';
  const backoff = opts.relaunchMs ?? { initial: 1_000, max: 30_000 };
  const profileDir = join(opts.dataDir, 'chromium-profile');
  let child: ChildProcess | undefined;
  let closed = false;
  let launches = 0;
  let failures = 0;
  let relaunchTimer: NodeJS.Timeout | undefined;

  const launch = () => {
    if (closed) return;
    // Fresh profile: no cookies, storage, cache or permission grants carried between launches.
    rmSync(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    mkdirSync(profileDir, { recursive: true });
    const startedAt = Date.now();
    launches++;
    const proc = spawn(exe, chromiumArgs(opts, profileDir), { stdio: 'ignore', detached: false });
    child = proc;
    proc.on('error', (err) => log.error('chromium failed to start', { exe, err: err.message }));
    proc.on('exit', (code, signal) => {
      if (child === proc) child = undefined;
      if (closed) return;
      // A run that lasted a minute was healthy: start counting failures again.
      failures = Date.now() - startedAt > 60_000 ? 0 : failures + 1;
      const delay = Math.min(backoff.max, backoff.initial * 2 ** Math.max(0, failures - 1));
      log.warn('chromium exited, relaunching', { code, signal, delayMs: delay });
      relaunchTimer = setTimeout(launch, delay);
    });
  };
  launch();

  return {
    get launches() {
      return launches;
    },
    async close() {
      closed = true;
      if (relaunchTimer) clearTimeout(relaunchTimer);
      const proc = child;
      // A spawn that failed (ENOENT) has no pid and never emits 'exit'.
      if (proc && proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
        await new Promise<void>((done) => {
          const kill = setTimeout(() => proc.kill('SIGKILL'), 3_000);
          proc.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          proc.kill('SIGTERM');
        });
      }
      // Chromium's helper processes can outlive the browser by a moment and still write to the
      // profile (ENOTEMPTY): retry, and never let a leftover directory fail the shutdown (the next
      // launch wipes it anyway).
      try {
        rmSync(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
      } catch (err) {
        opts.log?.warn('chromium profile not removed; the next launch wipes it', { err: String(err) });
      }
    },
  };
}
