// Electron main entry (production shell). Order matters: the app:// scheme must be privileged
// before `ready`, and a bad config must stop the app with a clear message, not a blank screen.
import { app } from 'electron';
import { join, resolve } from 'node:path';
import { loadKioskConfig } from '../services/config';
import { createKioskCore } from '../services/core';
import { consoleLogger } from '../services/log';
import { electronPowerSave, registerAppScheme, startKioskShell } from './shell';

registerAppScheme();

async function main(): Promise<void> {
  const log = consoleLogger('kiosk');
  let config;
  try {
    config = loadKioskConfig();
  } catch (err) {
    log.error('kiosk configuration is invalid; fix it and restart', { err: String(err) });
    app.exit(78); // EX_CONFIG: systemd's unit does not restart-loop on it
    return;
  }
  const core = createKioskCore({ config, powerSave: electronPowerSave, log });
  // The bundle puts preload.cjs beside this file; the renderer is built into ../renderer.
  const here = import.meta.dirname;
  await startKioskShell({
    core,
    devMode: config.devMode,
    preloadPath: process.env.VG_PRELOAD ?? join(here, 'preload.cjs'),
    rendererDir: process.env.VG_RENDERER_DIR ?? resolve(here, '../renderer'),
    log,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`kiosk shell failed: ${String(err)}\n`);
  app.exit(1);
});
