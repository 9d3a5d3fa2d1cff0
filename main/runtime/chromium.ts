// Opens the kiosk page in Debian's Chromium as an appliance window (--app or --kiosk) and keeps it
// open: if Chromium exits on its own (crash, OOM, someone closed it) it is relaunched with capped
// backoff. Each launch gets a fresh profile so nothing of a previous visit survives in it.
//
// The page's URL carries the bridge token, so it never goes on Chromium's command line (readable by
// every local user in /proc/PID/cmdline): it is written into the fresh profile, a 0700 directory
// only the kiosk user can read. --kiosk starts with no URL and opens the profile's startup URL
// (Preferences: session.restore_on_startup=4); --app needs a URL on the command line, so it points
// at a 0600 launch page in the profile that replaces itself with the tokened URL.
import { spawn as nodeSpawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rm, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { backoffDelay } from '../../common/backoff';
import { createRendererLogSink } from '../services/renderer-log';
import { devtoolsPipe, resetPageZoom, type DevtoolsPipe } from './devtools-pipe';
import type { Logger } from '../services/log';
import { silentLogger } from '../services/log';

/** Production flags: sandbox on, real devices (camera/mic permission comes from the managed policy). */
export const productionChromiumFlags: readonly string[] = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
  '--no-default-browser-check',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-translate',
  '--disable-features=Translate,MediaRouter',
  // Pinch zoom stays on (a visual zoom: the layout does not reflow); main sets it back to 1 at the
  // end of every visit through the DevTools pipe (ChromiumHandle.resetZoom).
  '--overscroll-history-navigation=0',
];

/** Demo/test opt-in: Chromium's test-pattern camera and beep microphone, granted without a prompt. */
export const fakeMediaFlags: readonly string[] = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

/** Demo/test opt-in: Chromium refuses to start sandboxed as root (the demo and CI run as root). */
export const noSandboxFlag = '--no-sandbox';

/** What tests that drive Chromium themselves (Playwright) launch with: production flags + both opt-ins. */
export const testChromiumFlags: readonly string[] = [noSandboxFlag, ...fakeMediaFlags, ...productionChromiumFlags];

/** The opt-ins only the demo and tests set; production passes none. */
export interface ChromiumDevOptions {
  /** Fake camera/mic and no permission prompt (machines without devices). */
  fakeMedia?: boolean;
  /** Run without Chromium's sandbox (only for root, which Chromium will not sandbox). */
  noSandbox?: boolean;
}

export interface ChromiumOptions extends ChromiumDevOptions {
  /** The page to open (token included: it is written into the profile, never into argv). */
  url: string;
  /** `app` = chromeless window; `kiosk` = fullscreen, no exit. */
  mode: 'app' | 'kiosk';
  /** Directory under which the fresh profile is created. */
  dataDir: string;
  /** Chromium binary (default /usr/bin/chromium). */
  executablePath?: string;
  /** Extra flags (e.g. `--headless=new` in tests). */
  extraArgs?: string[];
  /** Process spawner (tests). */
  spawn?: (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;
  /** Relaunch backoff: first delay and cap (ms, defaults 1 000 / 30 000). */
  relaunchMs?: { initial: number; max: number };
  /** Logger (default silent). */
  log?: Logger;
  /** Called after each (re)launch, with the launch count (the page watch restarts its grace period). */
  onLaunch?: (launches: number) => void;
}

/** A supervised Chromium. */
export interface ChromiumHandle {
  /** How many times Chromium was (re)launched. */
  readonly launches: number;
  /** The browser process id of the current launch (undefined between launches). */
  readonly pid: number | undefined;
  /**
   * Kills the current Chromium (its page crashed or hung) so the supervisor relaunches it with a
   * fresh profile, through the same backoff as a crash.
   */
  restart(reason: string): void;
  /** The page came up in this launch: a later exit is a fresh failure, not part of a crash loop. */
  healthy(): void;
  /** Sets the page's pinch zoom back to 1 (DevTools pipe); resolves with the pages reached (0 between launches). */
  resetZoom(): Promise<number>;
  /** The current launch's DevTools pipe (undefined between launches); tests pinch through it. */
  readonly devtools: DevtoolsPipe | undefined;
  /** Stops supervising and terminates Chromium; resolves when it exited. */
  close(): Promise<void>;
}

/** The launch page for --app mode (inside the profile, 0600). */
export const launchPageName = 'launch.html';

/** Command line for a profile prepared by `prepareProfile`: no URL with a token on it. */
export function chromiumArgs(opts: Pick<ChromiumOptions, 'mode' | 'extraArgs' | 'fakeMedia' | 'noSandbox'>, profileDir: string): string[] {
  const target = opts.mode === 'kiosk' ? ['--kiosk'] : [`--app=${pathToFileURL(join(profileDir, launchPageName)).href}`];
  return [
    ...(opts.noSandbox ? [noSandboxFlag] : []),
    ...(opts.fakeMedia ? fakeMediaFlags : []),
    ...productionChromiumFlags,
    `--user-data-dir=${profileDir}`,
    // DevTools on fds 3/4, which only main holds (the zoom reset); never a debugging port.
    '--remote-debugging-pipe',
    ...(opts.extraArgs ?? []),
    ...target,
  ];
}

/**
 * Creates a fresh profile (0700) holding the start URL: Preferences' startup URL (what --kiosk
 * opens when given no URL) and a launch page that replaces itself with the URL (what --app opens).
 */
export function prepareProfile(profileDir: string, url: string): void {
  // The previous Chromium's helpers may still be writing into its profile for a moment after it
  // died (ENOTEMPTY on removal): move it aside at once and remove it in the background, so a
  // relaunch never waits on it. Leftovers of earlier launches go the same way.
  const parent = dirname(profileDir);
  const stale = `${basename(profileDir)}.old-`;
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  if (existsSync(profileDir)) renameSync(profileDir, join(parent, `${stale}${process.pid}-${Date.now()}`));
  for (const name of readdirSync(parent)) {
    if (name.startsWith(stale)) rm(join(parent, name), { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }, () => {});
  }
  mkdirSync(join(profileDir, 'Default'), { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and not applied to existing parents: set it explicitly.
  chmodSync(profileDir, 0o700);
  chmodSync(join(profileDir, 'Default'), 0o700);
  const prefs = { session: { restore_on_startup: 4, startup_urls: [url] }, browser: { has_seen_welcome_page: true } };
  writeFileSync(join(profileDir, 'Default', 'Preferences'), JSON.stringify(prefs), { mode: 0o600 });
  // location.replace leaves no history entry to go "back" to.
  const page = `<!doctype html><meta charset="utf-8"><title>Visioguichet</title><script>location.replace(${JSON.stringify(url)})</script>\n`;
  writeFileSync(join(profileDir, launchPageName), page, { mode: 0o600 });
}

export function launchChromium(opts: ChromiumOptions): ChromiumHandle {
  const spawn = opts.spawn ?? nodeSpawn;
  const log = opts.log ?? silentLogger;
  const exe = opts.executablePath ?? '/usr/bin/chromium';
  const backoff = opts.relaunchMs ?? { initial: 1_000, max: 30_000 };
  const profileDir = join(opts.dataDir, 'chromium-profile');
  let child: ChildProcess | undefined;
  let devtools: DevtoolsPipe | undefined;
  let closed = false;
  let launches = 0;
  let failures = 0;
  let relaunchTimer: NodeJS.Timeout | undefined;

  const chromiumOutput = createRendererLogSink(log.child({ module: 'chromium' }), Date.now, 'chromium');
  const launch = () => {
    if (closed) return;
    // Fresh profile: no cookies, storage, cache or permission grants carried between launches.
    try {
      prepareProfile(profileDir, opts.url);
    } catch (err) {
      // A helper of the previous Chromium still writing into the profile (ENOTEMPTY): try again
      // shortly rather than never relaunching.
      failures++;
      const delay = backoffDelay(failures - 2, { initialMs: backoff.initial, maxMs: backoff.max, jitter: 'none' });
      log.warn({ err: String(err), delayMs: delay }, 'chromium profile not ready, retrying');
      relaunchTimer = setTimeout(launch, delay);
      return;
    }
    const startedAt = Date.now();
    launches++;
    // Chromium's own complaints (GPU, sandbox, media devices) go to the journal, rate-limited: a
    // booth that cannot open its camera says why there.
    const proc = spawn(exe, chromiumArgs(opts, profileDir), { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: false });
    child = proc;
    const [toChromium, fromChromium] = [proc.stdio?.[3], proc.stdio?.[4]];
    devtools?.close();
    devtools = toChromium && fromChromium && 'write' in toChromium && 'read' in fromChromium ? devtoolsPipe(toChromium, fromChromium) : undefined;
    if (proc.stderr) createInterface({ input: proc.stderr }).on('line', (line) => chromiumOutput.report({ level: 'warn', msg: line, source: 'chromium' }));
    opts.onLaunch?.(launches);
    proc.on('error', (err) => log.error({ exe, err: err.message }, 'chromium failed to start'));
    proc.on('exit', (code, signal) => {
      if (child === proc) child = undefined;
      if (closed) return;
      // A run that lasted a minute was healthy: start counting failures again. The first failure
      // relaunches at once (a one-off crash must not keep the citizen waiting), then backoff.
      failures = Date.now() - startedAt > 60_000 ? 1 : failures + 1;
      const delay = failures <= 1 ? 0 : backoffDelay(failures - 2, { initialMs: backoff.initial, maxMs: backoff.max, jitter: 'none' });
      log.warn({ code, signal, delayMs: delay }, 'chromium exited, relaunching');
      relaunchTimer = setTimeout(launch, delay);
    });
  };
  launch();

  return {
    get launches() {
      return launches;
    },
    get pid() {
      return child?.pid;
    },
    get devtools() {
      return child ? devtools : undefined;
    },
    healthy() {
      failures = 0;
    },
    async resetZoom() {
      return devtools && child ? resetPageZoom(devtools) : 0;
    },
    restart(reason) {
      const proc = child;
      if (closed || !proc) return;
      log.warn({ reason, pid: proc.pid }, 'chromium restarted by the page watch');
      // SIGKILL: a browser whose page hangs may not honour SIGTERM promptly; the profile is wiped anyway.
      proc.kill('SIGKILL');
    },
    async close() {
      closed = true;
      if (relaunchTimer) clearTimeout(relaunchTimer);
      devtools?.close();
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
        opts.log?.warn({ err: String(err) }, 'chromium profile not removed; the next launch wipes it');
      }
    },
  };
}
