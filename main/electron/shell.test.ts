// The Electron shell against a mocked `electron` module (the binary cannot be downloaded here):
// asserts the window's security options, the session lockdown handlers and the self-healing.
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { callNames } from '../../common/bridge/contract';
import { KioskPublicConfig } from '../../common/config';
import { createKioskCore } from '../services/core';
import type { KioskCore } from '../services/core';
import type { HubLink } from '../services/hub-link';

type Handler = (...args: never[]) => unknown;

const h = vi.hoisted(() => {
  const state = {
    lock: true,
    windows: [] as unknown[],
    ipc: new Map<string, (...a: unknown[]) => unknown>(),
    sessions: new Map<string, unknown>(),
    app: undefined as unknown,
  };
  return state;
});

vi.mock('electron', async () => {
  const { EventEmitter: EE } = await import('node:events');
  const { vi: v } = await import('vitest');

  class FakeWebContents extends EE {
    mainFrame = { url: '' };
    windowOpenHandler: ((d: unknown) => unknown) | undefined;
    destroyed = false;
    send = v.fn();
    reload = v.fn(() => {
      this.mainFrame = { url: 'app://kiosk/' };
      this.emit('did-finish-load');
    });
    closeDevTools = v.fn();
    forcefullyCrashRenderer = v.fn();
    setVisualZoomLevelLimits = v.fn(async () => {});
    debugger = { attached: false, isAttached: v.fn(() => this.debugger.attached), attach: v.fn(() => void (this.debugger.attached = true)), detach: v.fn(() => void (this.debugger.attached = false)), sendCommand: v.fn(async () => ({})) };
    setWindowOpenHandler(fn: (d: unknown) => unknown) {
      this.windowOpenHandler = fn;
    }
    isDestroyed() {
      return this.destroyed;
    }
  }
  class FakeBrowserWindow extends EE {
    webContents = new FakeWebContents();
    destroyed = false;
    show = v.fn();
    focus = v.fn();
    restore = v.fn();
    constructor(readonly options: Record<string, unknown>) {
      super();
      h.windows.push(this);
    }
    isDestroyed() {
      return this.destroyed;
    }
    isMinimized() {
      return false;
    }
    destroy() {
      this.destroyed = true;
      this.webContents.destroyed = true;
    }
    loadURL = v.fn(async (url: string) => {
      this.webContents.mainFrame = { url };
      this.webContents.emit('did-finish-load');
    });
  }
  const app = Object.assign(new EE(), {
    requestSingleInstanceLock: v.fn(() => h.lock),
    whenReady: v.fn(async () => {}),
    quit: v.fn(),
    exit: v.fn(),
  });
  h.app = app;
  const fromPartition = v.fn((name: string) => {
    const ses = Object.assign(new EE(), {
      protocol: { handle: v.fn() },
      setPermissionRequestHandler: v.fn(),
      setPermissionCheckHandler: v.fn(),
      setDevicePermissionHandler: v.fn(),
      webRequest: { onBeforeRequest: v.fn() },
    });
    h.sessions.set(name, ses);
    return ses;
  });
  return {
    app,
    BrowserWindow: FakeBrowserWindow,
    Menu: { setApplicationMenu: v.fn() },
    protocol: { registerSchemesAsPrivileged: v.fn() },
    session: { fromPartition },
    ipcMain: {
      handle: v.fn((ch: string, fn: (...a: unknown[]) => unknown) => h.ipc.set(ch, fn)),
      removeHandler: v.fn((ch: string) => h.ipc.delete(ch)),
    },
    powerSaveBlocker: { start: v.fn(() => 42), stop: v.fn() },
  };
});

const electron = await import('electron');
const { registerAppScheme, startKioskShell, electronPowerSave, KIOSK_PARTITION } = await import('./shell');

interface FakeWC extends EventEmitter {
  mainFrame: { url: string };
  windowOpenHandler: (d: unknown) => unknown;
  send: ReturnType<typeof vi.fn>;
  reload: ReturnType<typeof vi.fn>;
  closeDevTools: ReturnType<typeof vi.fn>;
  forcefullyCrashRenderer: ReturnType<typeof vi.fn>;
  setVisualZoomLevelLimits: ReturnType<typeof vi.fn>;
  debugger: { attached: boolean; attach: ReturnType<typeof vi.fn>; detach: ReturnType<typeof vi.fn>; sendCommand: ReturnType<typeof vi.fn> };
}
interface FakeWin extends EventEmitter {
  options: { [k: string]: unknown; webPreferences: Record<string, unknown> };
  webContents: FakeWC;
  loadURL: ReturnType<typeof vi.fn>;
  show: ReturnType<typeof vi.fn>;
}
interface FakeSession extends EventEmitter {
  protocol: { handle: ReturnType<typeof vi.fn> };
  setPermissionRequestHandler: ReturnType<typeof vi.fn>;
  setPermissionCheckHandler: ReturnType<typeof vi.fn>;
  setDevicePermissionHandler: ReturnType<typeof vi.fn>;
  webRequest: { onBeforeRequest: ReturnType<typeof vi.fn> };
}

let rendererDir: string;
beforeAll(() => {
  rendererDir = mkdtempSync(join(tmpdir(), 'vg-electron-'));
  mkdirSync(join(rendererDir, 'kiosk'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'kiosk/index.html'), '<!doctype html><title>kiosk</title>');
  writeFileSync(join(rendererDir, 'assets/app.js'), 'void 0');
});
afterAll(() => rmSync(rendererDir, { recursive: true, force: true }));

const fakeLink = (): HubLink => ({ status: 'online', iceServers: [], send() {}, onStatus: () => () => {}, onMessage: () => () => {}, close: async () => {} });

let core: KioskCore;
beforeEach(() => {
  vi.clearAllMocks();
  h.lock = true;
  h.windows.length = 0;
  h.ipc.clear();
  h.sessions.clear();
  (h.app as EventEmitter).removeAllListeners();
  core = createKioskCore({
    config: { public: KioskPublicConfig.parse({}), hubUrl: 'ws://h/ws', kioskId: 'k', kioskSecret: 's'.repeat(16), dataDir: '/tmp', devMode: false },
    createHubLink: fakeLink,
    powerSave: electronPowerSave,
  });
});
afterEach(async () => {
  vi.useRealTimers();
  await core.close();
});

async function start(devMode = false) {
  const shell = await startKioskShell({ core, devMode, preloadPath: '/opt/vg/preload.cjs', rendererDir, crashReloadMs: { initial: 100, max: 400 } });
  const win = h.windows[0] as FakeWin;
  const ses = h.sessions.get(KIOSK_PARTITION) as FakeSession;
  return { shell, win, wc: win?.webContents, ses };
}
const ipcCall = (channel: string, event: unknown, ...args: unknown[]) => h.ipc.get(`kiosk:call:${channel}`)!(event, ...args);

describe('electron shell: startup', () => {
  it('privileges app:// as a standard, secure scheme before ready', () => {
    registerAppScheme();
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, bypassCSP: false }) }),
    ]);
  });

  it('quits without a window when another instance holds the lock', async () => {
    h.lock = false;
    const { shell } = await start();
    expect(shell).toBeUndefined();
    expect(electron.app.quit).toHaveBeenCalled();
    expect(h.windows).toHaveLength(0);
  });

  it('focuses the existing window when a second instance starts', async () => {
    const { win } = await start();
    (h.app as EventEmitter).emit('second-instance');
    expect((win as unknown as { focus: ReturnType<typeof vi.fn> }).focus).toHaveBeenCalled();
  });

  it('opens one fullscreen kiosk window with the locked-down web preferences and loads app://kiosk/', async () => {
    const { win } = await start();
    expect(h.windows).toHaveLength(1);
    expect(win.options).toMatchObject({ fullscreen: true, kiosk: true, frame: false, show: false });
    expect(win.options.webPreferences).toMatchObject({
      preload: '/opt/vg/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
      autoplayPolicy: 'no-user-gesture-required',
    });
    expect(win.options.webPreferences.session).toBe(h.sessions.get(KIOSK_PARTITION));
    expect(KIOSK_PARTITION.startsWith('persist:')).toBe(false);
    expect(win.loadURL).toHaveBeenCalledWith('app://kiosk/');
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalled();
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalledWith(null);
  });

  it('in dev mode keeps devtools and a normal window', async () => {
    const { win } = await start(true);
    expect(win.options.kiosk).toBe(false);
    expect(win.options.webPreferences.devTools).toBe(true);
    expect(electron.Menu.setApplicationMenu).not.toHaveBeenCalled();
  });
});

describe('electron shell: app:// protocol', () => {
  it('serves the renderer with the strict CSP; other hosts, methods and missing files are refused', async () => {
    const { ses } = await start();
    expect(ses.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    const handler = ses.protocol.handle.mock.calls[0]![1] as (r: Request) => Promise<Response>;
    const page = await handler(new Request('app://kiosk/'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>kiosk</title>');
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect((await handler(new Request('app://kiosk/assets/app.js'))).status).toBe(200);
    expect((await handler(new Request('app://evil/'))).status).toBe(404);
    expect((await handler(new Request('app://kiosk/../../etc/passwd'))).status).toBe(404);
    expect((await handler(new Request('app://kiosk/', { method: 'POST', body: 'x' }))).status).toBe(404);
  });
});

describe('electron shell: permissions and network', () => {
  it('grants only camera + microphone to the app origin main frame', async () => {
    const { ses } = await start();
    const request = ses.setPermissionRequestHandler.mock.calls[0]![0] as Handler as (wc: unknown, p: string, cb: (g: boolean) => void, d: unknown) => void;
    const ask = (permission: string, details: Record<string, unknown>) => {
      let granted: boolean | undefined;
      request({}, permission, (g) => (granted = g), { isMainFrame: true, requestingUrl: 'app://kiosk/', ...details });
      return granted;
    };
    expect(ask('media', { mediaTypes: ['video', 'audio'] })).toBe(true);
    expect(ask('media', { mediaTypes: ['audio'] })).toBe(true);
    expect(ask('media', { mediaTypes: ['video'], requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(ask('media', { mediaTypes: ['video'], requestingUrl: 'app://kiosk.evil/' })).toBe(false);
    expect(ask('media', { mediaTypes: ['video'], isMainFrame: false })).toBe(false);
    for (const p of ['geolocation', 'notifications', 'display-capture', 'clipboard-read', 'openExternal', 'fullscreen', 'midi', 'unknown']) expect(ask(p, {})).toBe(false);

    const check = ses.setPermissionCheckHandler.mock.calls[0]![0] as (wc: unknown, p: string, origin: string, d: unknown) => boolean;
    expect(check(null, 'media', 'app://kiosk', { isMainFrame: true, requestingUrl: 'app://kiosk/', mediaType: 'video' })).toBe(true);
    expect(check(null, 'media', 'https://evil.example', { isMainFrame: true, mediaType: 'video' })).toBe(false);
    expect(check(null, 'hid', 'app://kiosk', { isMainFrame: true, requestingUrl: 'app://kiosk/' })).toBe(false);
    const device = ses.setDevicePermissionHandler.mock.calls[0]![0] as () => boolean;
    expect(device()).toBe(false);
  });

  it('cancels every network request that is not app://, data: or blob:, and every download', async () => {
    const { ses } = await start();
    const onBefore = ses.webRequest.onBeforeRequest.mock.calls[0]![0] as (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void;
    const cancelled = (url: string) => {
      let r: { cancel: boolean } | undefined;
      onBefore({ url }, (x) => (r = x));
      return r!.cancel;
    };
    expect(cancelled('app://kiosk/assets/app.js')).toBe(false);
    expect(cancelled('data:image/png;base64,AA==')).toBe(false);
    expect(cancelled('blob:app://kiosk/123')).toBe(false);
    expect(cancelled('https://example.com/')).toBe(true);
    expect(cancelled('http://127.0.0.1:8080/')).toBe(true);
    expect(cancelled('file:///etc/passwd')).toBe(true);
    const dl = { preventDefault: vi.fn() };
    ses.emit('will-download', dl);
    expect(dl.preventDefault).toHaveBeenCalled();
  });
});

describe('electron shell: navigation and keyboard lockdown', () => {
  it('blocks navigation, redirects, new windows and webviews', async () => {
    const { wc } = await start();
    const nav = { preventDefault: vi.fn() };
    wc.emit('will-navigate', nav, 'https://evil.example/');
    expect(nav.preventDefault).toHaveBeenCalled();
    const redirect = { preventDefault: vi.fn() };
    wc.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.preventDefault).toHaveBeenCalled();
    expect(wc.windowOpenHandler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    const other = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    (h.app as EventEmitter).emit('web-contents-created', {}, other);
    const webview = { preventDefault: vi.fn() };
    other.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    expect((other.setWindowOpenHandler.mock.calls[0]![0] as () => unknown)()).toEqual({ action: 'deny' });
  });

  it('swallows reload, devtools, zoom and close shortcuts outside dev mode, and closes devtools if opened', async () => {
    const { wc } = await start();
    const press = (key: string, mods: Partial<Record<'control' | 'shift' | 'alt' | 'meta', boolean>> = {}) => {
      const e = { preventDefault: vi.fn() };
      wc.emit('before-input-event', e, { type: 'keyDown', key, control: false, shift: false, alt: false, meta: false, ...mods });
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(press('F5')).toBe(true);
    expect(press('r', { control: true })).toBe(true);
    expect(press('R', { control: true, shift: true })).toBe(true);
    expect(press('F12')).toBe(true);
    expect(press('I', { control: true, shift: true })).toBe(true);
    expect(press('w', { control: true })).toBe(true);
    expect(press('=', { control: true })).toBe(true);
    expect(press('ArrowLeft', { alt: true })).toBe(true);
    expect(press('a')).toBe(false);
    expect(press('Enter')).toBe(false);
    expect(press('5')).toBe(false);
    wc.emit('devtools-opened');
    expect(wc.closeDevTools).toHaveBeenCalled();
  });

  it('leaves shortcuts alone in dev mode', async () => {
    const { wc } = await start(true);
    const e = { preventDefault: vi.fn() };
    wc.emit('before-input-event', e, { type: 'keyDown', key: 'F12', control: false, shift: false, alt: false, meta: false });
    expect(e.preventDefault).not.toHaveBeenCalled();
  });
});

describe('electron shell: bridge over IPC', () => {
  it('registers one handler per contract channel and dispatches calls from our page', async () => {
    const { wc } = await start();
    expect([...h.ipc.keys()].sort()).toEqual(callNames.map((n) => `kiosk:call:${n}`).sort());
    const ours = { sender: wc, senderFrame: wc.mainFrame };
    expect(await ipcCall('hub.status', ours)).toEqual({ ok: true, value: 'online' });
    expect(await ipcCall('session.phase', ours, 'bogus')).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
  });

  it('refuses calls from another webContents, a subframe or a foreign origin', async () => {
    const { wc } = await start();
    expect(await ipcCall('hub.status', { sender: {}, senderFrame: wc.mainFrame })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await ipcCall('hub.status', { sender: wc, senderFrame: { url: 'app://kiosk/' } })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    wc.mainFrame = { url: 'https://evil.example/' };
    expect(await ipcCall('hub.status', { sender: wc, senderFrame: wc.mainFrame })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('pushes core events to the page on their IPC channels', async () => {
    const { wc } = await start();
    wc.send.mockClear();
    core.emit('hub.message', { type: 'pong', t: 1 });
    expect(wc.send).toHaveBeenCalledWith('kiosk:event:hub.message', { type: 'pong', t: 1 });
  });

  it('holds the display awake (powerSaveBlocker) while in a visit', async () => {
    const { wc } = await start();
    const ours = { sender: wc, senderFrame: wc.mainFrame };
    await ipcCall('session.phase', ours, 'visit');
    expect(electron.powerSaveBlocker.start).toHaveBeenCalledWith('prevent-display-sleep');
    await ipcCall('session.phase', ours, 'call');
    expect(electron.powerSaveBlocker.start).toHaveBeenCalledTimes(1);
    await ipcCall('session.phase', ours, 'attract');
    expect(electron.powerSaveBlocker.stop).toHaveBeenCalledWith(42);
  });
});

describe('electron shell: pinch zoom', () => {
  it('allows a pinch up to 3x on the loaded page', async () => {
    const { wc } = await start();
    expect(wc.setVisualZoomLevelLimits).toHaveBeenCalledWith(1, 3);
  });

  it('sets the zoom back to 1 at the end of every visit and when a call starts, not during the visit', async () => {
    const { wc } = await start();
    const ours = { sender: wc, senderFrame: wc.mainFrame };
    await ipcCall('session.phase', ours, 'visit');
    expect(wc.debugger.sendCommand).not.toHaveBeenCalled();
    for (const phase of ['call', 'attract', 'closed']) {
      wc.debugger.sendCommand.mockClear();
      await ipcCall('session.phase', ours, phase);
      await vi.waitFor(() => expect(wc.debugger.sendCommand).toHaveBeenCalledWith('Emulation.setPageScaleFactor', { pageScaleFactor: 1 }));
    }
    // Attached for the command only: nothing stays attached to the kiosk page.
    expect(wc.debugger.attach).toHaveBeenCalledWith('1.3');
    expect(wc.debugger.attached).toBe(false);
    // A refused call (not from our page) changes nothing.
    wc.debugger.sendCommand.mockClear();
    await ipcCall('session.phase', { sender: {}, senderFrame: wc.mainFrame }, 'attract');
    expect(wc.debugger.sendCommand).not.toHaveBeenCalled();
  });

  it('a failing reset does not fail the phase call, and the debugger is detached', async () => {
    const { wc } = await start();
    wc.debugger.sendCommand.mockRejectedValueOnce(new Error('target closed'));
    const ours = { sender: wc, senderFrame: wc.mainFrame };
    expect(await ipcCall('session.phase', ours, 'attract')).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(wc.debugger.detach).toHaveBeenCalled());
  });
});

describe('electron shell: self-healing', () => {
  it('reloads a crashed renderer with capped backoff and resets the visit once the page is back', async () => {
    const { wc } = await start();
    const ours = () => ({ sender: wc, senderFrame: wc.mainFrame });
    await ipcCall('session.phase', ours(), 'call');
    vi.useFakeTimers();
    wc.send.mockClear();
    wc.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    vi.advanceTimersByTime(99);
    expect(wc.reload).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(wc.reload).toHaveBeenCalledTimes(1);
    expect(wc.send).toHaveBeenCalledWith('kiosk:event:session.reset', 'renderer_crash');
    expect(electron.powerSaveBlocker.stop).toHaveBeenCalledWith(42);
    expect(core.phase).toBe('attract');

    // Crashing again right away doubles the delay, up to the cap.
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = wc.reload.mock.calls.length;
      wc.emit('render-process-gone', {}, { reason: 'oom', exitCode: 1 });
      let waited = 0;
      while (wc.reload.mock.calls.length === before) {
        vi.advanceTimersByTime(50);
        waited += 50;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([200, 400, 400, 400]);
  });

  it('does not send events to a dead renderer, and crashes a hung one so it gets reloaded', async () => {
    const { wc } = await start();
    vi.useFakeTimers();
    wc.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
    wc.send.mockClear();
    core.emit('hub.status', 'offline');
    expect(wc.send).not.toHaveBeenCalled();
    wc.emit('unresponsive');
    expect(wc.forcefullyCrashRenderer).toHaveBeenCalled();
  });

  it('close() removes the IPC handlers and closes the core', async () => {
    const { shell } = await start();
    const closeSpy = vi.spyOn(core, 'close');
    await shell!.close();
    expect(h.ipc.size).toBe(0);
    expect(closeSpy).toHaveBeenCalled();
  });
});

describe('electron shell: core factory', () => {
  it('builds the core only after the single-instance lock and ready', async () => {
    h.lock = false;
    const factory = vi.fn(async () => core);
    expect(await startKioskShell({ core: factory, devMode: false, preloadPath: '/p.cjs', rendererDir })).toBeUndefined();
    expect(factory).not.toHaveBeenCalled();
    h.lock = true;
    const shell = await startKioskShell({ core: factory, devMode: false, preloadPath: '/p.cjs', rendererDir });
    expect(factory).toHaveBeenCalledTimes(1);
    expect(shell?.window).toBeDefined();
  });
});
