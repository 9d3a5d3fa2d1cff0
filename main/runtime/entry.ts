// Browser-runtime entry: the fallback shell for booth PCs without Electron (started by
// build/systemd/visioguichet.service in the kiosk user's graphical session). Same services as the
// Electron entry; the renderer opens in Chromium --kiosk on loopback. Exit codes: 78 (EX_CONFIG)
// for a bad configuration so systemd does not restart-loop on it (and for running as root), 1 for
// anything else. Production: Chromium sandboxed, real devices (permission from the managed policy
// build/chromium/policies), loopback port fixed by config `runtimePort` (default 47100) so the policy
// can name the origin. Chromium will not sandbox as root, so root is refused unless VG_ALLOW_ROOT=1
// (development only: Chromium then runs with --no-sandbox, and says so in the log).
import module from 'node:module';
import { composeKiosk, hubHttpBase } from '../compose';
import { startBooth } from '../services/booth';
import { EXIT_CONFIG, loadBoothConfigOrExit } from '../services/config';
import type { KioskCore } from '../services/core';
import { consoleLogger } from '../services/log';
import { startSystemdNotifier } from '../services/watchdog';
import type { BrowserRuntime } from './browser-runtime';
import { startBrowserRuntime } from './browser-runtime';

async function main(): Promise<void> {
  // Startup phases in ms since the process started (Node's performance clock starts with the process):
  // the ready line carries them, so a slow boot says where its time went.
  const loadedAt = performance.now();
  const log = consoleLogger('kiosk');
  // Before anything spawns Chromium: the notifier takes NOTIFY_SOCKET/WATCHDOG_* out of the env
  // children inherit, and pings systemd's watchdog from this event loop (Type=notify unit).
  const systemd = startSystemdNotifier({ log });
  const config = loadBoothConfigOrExit(log, (code) => process.exit(code));
  if (!config) return;
  const asRoot = process.getuid?.() === 0;
  const allowRoot = process.env.VG_ALLOW_ROOT === '1';
  if (asRoot && !allowRoot) {
    log.error(
      { uid: 0 },
      'Le kiosque refuse de tourner en root : Chromium ne peut pas y activer son bac à sable. Lancez-le avec l’utilisateur du kiosque. / ' +
        'The kiosk refuses to run as root: Chromium cannot sandbox itself there. Run it as the kiosk user (development only: VG_ALLOW_ROOT=1).',
    );
    process.exit(EXIT_CONFIG);
    return;
  }
  if (asRoot) log.warn('running as root with VG_ALLOW_ROOT=1: Chromium runs WITHOUT its sandbox (development only, never on a booth)');
  const running: { core?: KioskCore; runtime?: BrowserRuntime } = {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    systemd.stopping();
    await running.runtime?.close().catch(() => {});
    await running.core?.close().catch(() => {});
    // An exit status set before the signal (the updater's 75 = restart for an update) tells the journal why.
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const configAt = performance.now();
  // A booth without an identity shows its enrollment code first (main/services/booth.ts).
  const core = (running.core = await startBooth({
    config,
    hubBase: hubHttpBase(config.hubUrl),
    log,
    compose: (enrolled) =>
      composeKiosk({
        config: enrolled,
        hardware: config.public.simulation ? 'simulated' : 'real',
        log,
        ...(config.healthIntervalMs !== undefined ? { health: { intervalMs: config.healthIntervalMs } } : {}),
      }),
  }));
  const composedAt = performance.now();
  const runtime = (running.runtime = await startBrowserRuntime({
    core,
    dataDir: config.dataDir,
    // VG_NO_OPEN=1 runs the services headless (a remote Chromium or a test opens the printed URL).
    open: process.env.VG_NO_OPEN === '1' ? false : 'kiosk',
    ...(config.runtimePort !== undefined ? { port: config.runtimePort } : {}),
    ...(process.env.VG_RENDERER_DIR ? { rendererDir: process.env.VG_RENDERER_DIR } : {}),
    chromium: { ...(process.env.VG_CHROMIUM ? { executablePath: process.env.VG_CHROMIUM } : {}), ...(asRoot ? { noSandbox: true } : {}) },
    log,
  }));
  // With no window of its own, whoever opens the page (a remote Chromium, a test) needs the full URL,
  // token included: printed only in that mode, never when main opens Chromium itself.
  const headless = process.env.VG_NO_OPEN === '1';
  systemd.ready('kiosk running (browser runtime)');
  const readyAt = performance.now();
  // CPU time too: on a loaded machine the wall clock mostly measures the wait for a core.
  const cpu = process.cpuUsage();
  const startupMs = {
    load: Math.round(loadedAt),
    config: Math.round(configAt - loadedAt),
    compose: Math.round(composedAt - configAt),
    runtime: Math.round(readyAt - composedAt),
    ready: Math.round(readyAt),
    cpu: Math.round((cpu.user + cpu.system) / 1000),
  };
  log.info({ origin: runtime.origin, simulation: config.public.simulation, startupMs, ...(headless ? { url: runtime.url } : {}) }, 'kiosk running (browser runtime)');
  // Node writes V8's compile cache (NODE_COMPILE_CACHE, set by the launcher) only at a clean exit; a
  // booth is mostly stopped by power-off or a crash, so write it once the kiosk is up.
  module.flushCompileCache?.();
}

main().catch((err: unknown) => {
  process.stderr.write(`kiosk (browser runtime) failed: ${String(err)}\n`);
  process.exit(1);
});
