// The Electron kiosk shell: one locked-down fullscreen window on the app:// origin, the bridge over
// IPC, and self-healing after renderer crashes. All policy lives in ./policy; everything else in
// main/ is plain Node and shared with the browser runtime.
import { BrowserWindow, Menu, app, ipcMain, powerSaveBlocker, protocol, session } from 'electron';
import type { IpcMainInvokeEvent, Session, WebContents } from 'electron';
import { callNames } from '../../common/bridge/contract';
import { dispatchBridgeCall } from '../../common/bridge/dispatch';
import type { Result } from '../../common/result';
import { ipcCallChannel, ipcEventChannel } from '../../preload/channels';
import type { KioskCore } from '../services/core';
import type { Logger } from '../services/log';
import { silentLogger } from '../services/log';
import type { PowerSaveBlocker } from '../services/power-save';
import { defaultRendererDir, kioskCsp, readRendererFile, securityHeaders } from '../services/renderer-files';
import { APP_HOST, APP_SCHEME, APP_URL, allowPermission, crashReloadDelay, isAppUrl, isBlockedShortcut } from './policy';
import { MAX_PINCH_ZOOM, resetsPinchZoom } from '../runtime/devtools-pipe';

/**
 * Must run before `app` is ready: app:// becomes a standard, secure origin (so the page gets a
 * real origin, secure-context APIs like getUserMedia, and a CSP that means something).
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: false, bypassCSP: false } },
  ]);
}

/** Electron's powerSaveBlocker behind the core's interface. */
export const electronPowerSave: PowerSaveBlocker = {
  start: () => powerSaveBlocker.start('prevent-display-sleep'),
  stop: (id) => powerSaveBlocker.stop(id),
};

export interface KioskShellOptions {
  /** The composed services (with `electronPowerSave`), or a factory run after the single-instance lock and `ready` (so a second instance never opens the outbox). */
  core: KioskCore | (() => Promise<KioskCore>);
  /** Dev mode keeps devtools, reload keys and a non-kiosk window. */
  devMode: boolean;
  /** Absolute path of the bundled preload script. */
  preloadPath: string;
  /** Built renderer root (default dist/renderer). */
  rendererDir?: string;
  /** Renderer crash reload backoff (ms). */
  crashReloadMs?: { initial: number; max: number };
  /** Logger (default silent). */
  log?: Logger;
}

/** The running shell. */
export interface KioskShell {
  /** The kiosk window. */
  window: BrowserWindow;
  /** Closes the window and the core. */
  close(): Promise<void>;
}

/**
 * The page's pinch zoom back to 1, through Electron's in-process DevTools: the same command the
 * browser runtime sends over its pipe (Emulation.setPageScaleFactor, a one-off set, not a lock).
 */
export async function resetPinchZoom(wc: WebContents): Promise<void> {
  const dbg = wc.debugger;
  const attachedHere = !dbg.isAttached();
  if (attachedHere) dbg.attach('1.3');
  try {
    await dbg.sendCommand('Emulation.setPageScaleFactor', { pageScaleFactor: 1 });
  } finally {
    if (attachedHere) dbg.detach();
  }
}

/** Session partition without `persist:`: storage lives in memory only and dies with the process. */
export const KIOSK_PARTITION = 'kiosk';

function lockDownSession(ses: Session, rendererDir: string, log: Logger): void {
  const csp = kioskCsp();
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return new Response(null, { status: 404 });
    const file = await readRendererFile(rendererDir, url.pathname);
    const headers = { 'Content-Security-Policy': csp, ...securityHeaders };
    if (file.status !== 200) return new Response(null, { status: file.status, headers });
    return new Response(new Uint8Array(file.body), { status: 200, headers: { ...headers, 'Content-Type': file.contentType } });
  });
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    const granted = allowPermission(permission, details.requestingUrl, details.isMainFrame, mediaTypes);
    if (!granted) log.warn({ permission, url: details.requestingUrl }, 'permission denied');
    callback(granted);
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    allowPermission(permission, details.requestingUrl ?? requestingOrigin, details.isMainFrame, details.mediaType && details.mediaType !== 'unknown' ? [details.mediaType] : []),
  );
  // WebHID/WebUSB/serial from the page: never (hardware is main's job, through hardware/).
  ses.setDevicePermissionHandler(() => false);
  // The page talks to the hub through main; it has no business fetching the network itself.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const scheme = details.url.slice(0, details.url.indexOf(':'));
    const allowed = isAppUrl(details.url) || ['data', 'blob', 'devtools', 'chrome-extension'].includes(scheme);
    if (!allowed) log.warn({ url: details.url.slice(0, 200) }, 'request blocked');
    callback({ cancel: !allowed });
  });
  ses.on('will-download', (event) => event.preventDefault());
}

/** Starts the shell: returns undefined when another instance already runs (this one quits). */
export async function startKioskShell(opts: KioskShellOptions): Promise<KioskShell | undefined> {
  const log = opts.log ?? silentLogger;
  const { devMode } = opts;
  const backoff = opts.crashReloadMs ?? { initial: 500, max: 30_000 };

  if (!app.requestSingleInstanceLock()) {
    log.warn('another kiosk instance is running; quitting');
    app.quit();
    if (typeof opts.core !== 'function') await opts.core.close();
    return undefined;
  }
  let win: BrowserWindow | undefined;
  app.on('second-instance', () => {
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => app.quit());
  // Every webContents (including any the page might try to create) gets the same navigation lock.
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  await app.whenReady();
  const core = typeof opts.core === 'function' ? await opts.core() : opts.core;
  // The default menu carries reload/devtools accelerators.
  if (!devMode) Menu.setApplicationMenu(null);

  const ses = session.fromPartition(KIOSK_PARTITION);
  lockDownSession(ses, opts.rendererDir ?? defaultRendererDir, log);

  const window = new BrowserWindow({
    fullscreen: true,
    kiosk: !devMode,
    frame: false,
    autoHideMenuBar: true,
    backgroundColor: '#000000',
    show: false,
    webPreferences: {
      preload: opts.preloadPath,
      session: ses,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: devMode,
      // The ring and spoken prompts must play on a screen nobody touched yet.
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  win = window;
  const wc: WebContents = window.webContents;
  window.once('ready-to-show', () => window.show());

  wc.on('will-navigate', (event, url) => {
    log.warn({ url: String(url).slice(0, 200) }, 'navigation blocked');
    event.preventDefault();
  });
  wc.on('will-redirect', (event) => event.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  wc.on('before-input-event', (event, input) => {
    if (!devMode && isBlockedShortcut(input)) event.preventDefault();
  });
  if (!devMode) wc.on('devtools-opened', () => wc.closeDevTools());

  // --- bridge: calls in (sender-checked), events out ------------------------------------------
  const fromOurPage = (event: IpcMainInvokeEvent) =>
    !window.isDestroyed() && event.sender === wc && event.senderFrame != null && event.senderFrame === wc.mainFrame && isAppUrl(event.senderFrame.url);
  for (const name of callNames) {
    ipcMain.handle(ipcCallChannel(name), async (event, ...args: unknown[]): Promise<Result<unknown>> => {
      if (!fromOurPage(event)) {
        log.warn({ channel: name, url: event.senderFrame?.url }, 'bridge call refused: foreign sender');
        return { ok: false, error: { code: 'forbidden', message: 'Bridge calls are only accepted from the kiosk page' } };
      }
      const result = await dispatchBridgeCall(core.handlers, name, args);
      if (name === 'session.phase' && result.ok && resetsPinchZoom(args[0])) {
        resetPinchZoom(wc).catch((err: unknown) => log.warn({ err: String(err) }, 'pinch zoom not reset'));
      }
      return result;
    });
  }
  let rendererAlive = true;
  const unsubscribe = core.subscribe((event, payload) => {
    if (!rendererAlive || window.isDestroyed() || wc.isDestroyed()) return;
    wc.send(ipcEventChannel(event), ...payload);
  });

  // --- self-healing ----------------------------------------------------------------------------
  let crashes = 0;
  let lastCrashAt = 0;
  let reloadTimer: NodeJS.Timeout | undefined;
  let resetPending = false;
  wc.on('render-process-gone', (_event, details) => {
    rendererAlive = false;
    const now = Date.now();
    crashes = now - lastCrashAt > 60_000 ? 1 : crashes + 1;
    lastCrashAt = now;
    const delay = crashReloadDelay(crashes, backoff.initial, backoff.max);
    log.error({ reason: details.reason, exitCode: details.exitCode, crashes, delayMs: delay }, 'renderer gone, reloading');
    resetPending = true;
    if (reloadTimer) clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => {
      reloadTimer = undefined;
      if (!window.isDestroyed()) wc.reload();
    }, delay);
  });
  // A hung page (infinite loop) never crashes by itself: crash it so the path above heals it.
  wc.on('unresponsive', () => {
    log.error('renderer unresponsive, restarting it');
    wc.forcefullyCrashRenderer();
  });
  wc.on('did-finish-load', () => {
    rendererAlive = true;
    // Electron allows no pinch by default; the page may be zoomed by a pinch (a visual zoom: no
    // reflow), up to MAX_PINCH_ZOOM, and is set back to 1 between visits (resetPinchZoom).
    wc.setVisualZoomLevelLimits(1, MAX_PINCH_ZOOM).catch((err: unknown) => log.warn({ err: String(err) }, 'pinch zoom limits not set'));
    core.emit('hub.status', core.hubLink.status);
    if (resetPending) {
      resetPending = false;
      // Whatever the crashed page held is gone; main's side of the visit must follow.
      core.resetVisit('renderer_crash');
    }
  });

  window.on('closed', () => {
    win = undefined;
  });
  app.on('before-quit', () => {
    void core.close();
  });

  // A failed load (renderer not built) leaves a black window rather than killing the shell; it is logged.
  await window.loadURL(APP_URL).catch((err: unknown) => log.error({ err: String(err) }, 'kiosk page failed to load'));
  return {
    window,
    async close() {
      if (reloadTimer) clearTimeout(reloadTimer);
      unsubscribe();
      for (const name of callNames) ipcMain.removeHandler(ipcCallChannel(name));
      if (!window.isDestroyed()) window.destroy();
      await core.close();
    },
  };
}
