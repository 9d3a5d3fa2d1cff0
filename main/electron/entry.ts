// Electron main entry (production shell). Order matters: the app:// scheme must be privileged
// before `ready`, and a bad config must stop the app with a clear message, not a blank screen.
import { app, safeStorage } from 'electron';
import { join, resolve } from 'node:path';
import { composeKiosk, hubHttpBase } from '../compose';
import { startBooth } from '../services/booth';
import { fileKeyProvider, safeStorageKeyProvider } from '../outbox/index';
import { loadBoothConfigOrExit } from '../services/config';
import { consoleLogger } from '../services/log';
import { startSystemdNotifier } from '../services/watchdog';
import { electronPowerSave, registerAppScheme, startKioskShell } from './shell';

registerAppScheme();

async function main(): Promise<void> {
  const log = consoleLogger('kiosk');
  // Type=notify unit with WatchdogSec (build/systemd/visioguichet-electron.service): pings come from
  // this (the browser process's) event loop, so a hung main stops them and systemd restarts it.
  const systemd = startSystemdNotifier({ log });
  app.on('will-quit', () => systemd.stopping());
  const config = loadBoothConfigOrExit(log, (code) => app.exit(code));
  if (!config) return;
  // The bundle puts preload.cjs beside this file; the renderer is built into ../renderer.
  const here = import.meta.dirname;
  const shell = await startKioskShell({
    // A booth without an identity shows its enrollment code first (main/services/booth.ts).
    core: () =>
      startBooth({
        config,
        hubBase: hubHttpBase(config.hubUrl),
        log,
        compose: (enrolled) =>
          composeKiosk({
            config: enrolled,
            powerSave: electronPowerSave,
            hardware: config.public.simulation ? 'simulated' : 'real',
            log,
            // The OS keyring protects the outbox key when there is one; a kiosk without one still runs.
            keyProvider: safeStorage.isEncryptionAvailable()
              ? safeStorageKeyProvider(safeStorage, join(config.dataDir, 'outbox.key.enc'))
              : fileKeyProvider(join(config.dataDir, 'outbox.key')),
          }),
      }),
    devMode: config.devMode,
    preloadPath: process.env.VG_PRELOAD ?? join(here, 'preload.cjs'),
    rendererDir: process.env.VG_RENDERER_DIR ?? resolve(here, '../renderer'),
    log,
  });
  // undefined = another instance holds the lock and this one is quitting.
  if (shell) systemd.ready('kiosk running (Electron)');
}

main().catch((err: unknown) => {
  process.stderr.write(`kiosk shell failed: ${String(err)}\n`);
  app.exit(1);
});
