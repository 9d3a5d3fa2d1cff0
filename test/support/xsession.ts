// A real X session for lockdown tests and benchmarks: Xvfb on a free display (it picks one itself:
// -displayfd), openbox with a given configuration (the booth's build/session/openbox/rc.xml, or a
// variant), and the X tools a prankster's keyboard and a test's eyes need: xdotool (XTEST input,
// exactly what a USB keyboard or mouse produces, so window-manager grabs apply) and xprop/xwininfo
// (what windows exist, their state and geometry).
import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startBrowserRuntime, type BrowserRuntime } from '../../main/runtime/browser-runtime';
import { boothPolicy, kioskOrigin } from '../../main/runtime/policy';
import { ensureKioskUser, kioskOwnedDir, spawnWithPolicy, type PolicyProcess } from './production-chromium';
import type { KioskCore } from '../../main/services/core';
import { repoRoot, startStack, type Stack, type StackOptions } from './stack';

const run = promisify(execFile);

/** The booth's openbox configuration. */
export const BOOTH_OPENBOX_RC = resolve(import.meta.dirname, '../../build/session/openbox/rc.xml');

/** A top-level window as the window manager lists it (_NET_CLIENT_LIST). */
export interface XClient {
  id: number;
  /** _NET_WM_PID (Chromium sets it to its browser process). */
  pid: number | undefined;
  /** _NET_WM_NAME: for Chromium, "<page title> - Chromium". */
  name: string;
  /** _NET_WM_STATE atoms. */
  state: string[];
  /** Absolute geometry. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A mapped override-redirect window bigger than a pixel: a menu, a tooltip, a popup. */
export interface XPopup {
  id: number;
  width: number;
  height: number;
}

export interface XSession {
  /** e.g. ":7" */
  display: string;
  width: number;
  height: number;
  /** process.env with DISPLAY set (for children that must draw here). */
  env: NodeJS.ProcessEnv;
  /** Top-level client windows, in the window manager's order. */
  clients(): Promise<XClient[]>;
  /** The window that has the input focus according to the window manager. */
  activeWindow(): Promise<number | undefined>;
  /** Menus and popups on screen (override-redirect, mapped, larger than 1×1). */
  popups(): Promise<XPopup[]>;
  /** Runs xdotool with these arguments on this display. */
  xdotool(...args: string[]): Promise<string>;
  /** Presses and releases a key combination (xdotool syntax, e.g. "ctrl+shift+i"). */
  key(combo: string): Promise<void>;
  /** Waits until `probe` holds (polling), or throws with `what` and the last value. */
  until<T>(probe: () => Promise<T>, accept: (v: T) => boolean, what: string, timeoutMs?: number): Promise<T>;
  /** Stops openbox and Xvfb. */
  close(): Promise<void>;
}

export interface XSessionOptions {
  width?: number;
  height?: number;
  /** Openbox configuration file (default: the booth's). */
  openboxConfig?: string;
  /** Start openbox (default true); false leaves the display bare for a session script to start its own. */
  windowManager?: boolean;
}

function waitExit(p: ChildProcess, ms: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      done();
    }, ms);
    p.once('exit', () => {
      clearTimeout(t);
      done();
    });
  });
}

async function until<T>(probe: () => Promise<T>, accept: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}${lastErr ? `; last error: ${String(lastErr)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const hexIds = (s: string) => [...s.matchAll(/0x[0-9a-f]+/gi)].map((m) => parseInt(m[0], 16));

export async function startXSession(opts: XSessionOptions = {}): Promise<XSession> {
  const width = opts.width ?? 1280;
  const height = opts.height ?? 800;
  const home = mkdtempSync(join(tmpdir(), 'vg-xsession-'));
  const children: ChildProcess[] = [];
  const cleanup = async () => {
    for (const c of children.reverse()) {
      c.kill('SIGTERM');
      await waitExit(c, 3_000);
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    // -displayfd: Xvfb picks a free display number and writes it on fd 3 once it accepts clients.
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    children.push(xvfb);
    let xvfbErr = '';
    xvfb.stderr!.on('data', (d: Buffer) => (xvfbErr = (xvfbErr + d.toString()).slice(-2_000)));
    const displayNumber = await new Promise<string>((res, rej) => {
      let buf = '';
      const fd3 = xvfb.stdio[3] as NodeJS.ReadableStream;
      fd3.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) res(buf.trim());
      });
      xvfb.once('exit', (code) => rej(new Error(`Xvfb exited (${code}) before opening a display: ${xvfbErr}`)));
      setTimeout(() => rej(new Error(`Xvfb gave no display number in 15 s: ${xvfbErr}`)), 15_000);
    });
    const display = `:${displayNumber}`;
    // HOME and XDG dirs of our own: openbox must read only the configuration we give it.
    const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: display, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache') };
    delete env.WAYLAND_DISPLAY;
    const x = async (cmd: string, args: string[]) => (await run(cmd, args, { env, timeout: 10_000 })).stdout;

    if (opts.windowManager ?? true) {
      const wm = spawn('openbox', ['--config-file', opts.openboxConfig ?? BOOTH_OPENBOX_RC], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(wm);
      let wmErr = '';
      wm.stderr!.on('data', (d: Buffer) => (wmErr = (wmErr + d.toString()).slice(-4_000)));
      // The window manager is up when it has published its check window on the root.
      await until(() => x('xprop', ['-root', '_NET_SUPPORTING_WM_CHECK']), (s) => /window id # 0x/.test(s), `openbox on ${display} (${wmErr})`);
    }

    const session: XSession = {
      display,
      width,
      height,
      env,
      async clients() {
        const ids = hexIds((await x('xprop', ['-root', '_NET_CLIENT_LIST'])).split(':')[1] ?? '');
        const out: XClient[] = [];
        for (const id of ids) {
          try {
            const props = await x('xprop', ['-id', String(id), '_NET_WM_PID', '_NET_WM_NAME', '_NET_WM_STATE']);
            const info = await x('xwininfo', ['-id', String(id)]);
            const num = (re: RegExp) => Number(re.exec(info)?.[1]);
            out.push({
              id,
              pid: Number(/_NET_WM_PID\(CARDINAL\) = (\d+)/.exec(props)?.[1]) || undefined,
              name: /_NET_WM_NAME\(UTF8_STRING\) = "(.*)"/.exec(props)?.[1] ?? '',
              state: /_NET_WM_STATE\(ATOM\) = (.*)/.exec(props)?.[1]?.split(/,\s*/) ?? [],
              x: num(/Absolute upper-left X:\s+(-?\d+)/),
              y: num(/Absolute upper-left Y:\s+(-?\d+)/),
              width: num(/Width:\s+(\d+)/),
              height: num(/Height:\s+(\d+)/),
            });
          } catch {
            // The window went away between the list and the query: it is not a client any more.
          }
        }
        return out;
      },
      async activeWindow() {
        return hexIds((await x('xprop', ['-root', '_NET_ACTIVE_WINDOW'])).split(':')[1] ?? '')[0] || undefined;
      },
      async popups() {
        const tree = await x('xwininfo', ['-root', '-children']);
        const out: XPopup[] = [];
        for (const id of hexIds(tree.split('children:')[1] ?? '')) {
          try {
            const info = await x('xwininfo', ['-id', String(id)]);
            if (!/Map State: IsViewable/.test(info) || !/Override Redirect State: yes/.test(info)) continue;
            const w = Number(/Width:\s+(\d+)/.exec(info)?.[1]);
            const h = Number(/Height:\s+(\d+)/.exec(info)?.[1]);
            if (w > 1 && h > 1) out.push({ id, width: w, height: h });
          } catch {
            // gone already
          }
        }
        return out;
      },
      xdotool: (...args) => x('xdotool', args),
      async key(combo) {
        await x('xdotool', ['key', '--clearmodifiers', combo]);
      },
      until,
      close: cleanup,
    };
    return session;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

// --- The kiosk in that session -------------------------------------------------------------------

/** The kiosk opened the way the production entry opens it (`startBrowserRuntime`, Chromium --kiosk), on this display. */
export interface KioskWindow {
  stack: Stack;
  runtime: BrowserRuntime;
  /** Chromium processes spawned by the runtime's supervisor, in launch order. */
  launches: { pid: number | undefined; at: number }[];
  /**
   * Every phase the page reported to main (`session.phase`), in order, with performance.now().
   * The session machine reports `attract` when it starts, so each page load (or visit reset) adds one.
   */
  phases: { phase: string; at: number }[];
  /** The DevTools endpoint (only with `cdp: true`): http://127.0.0.1:PORT */
  cdpUrl(): Promise<string>;
  close(): Promise<void>;
}

export interface KioskWindowOptions {
  /**
   * Test launch with a remote-debugging port, to observe tabs and to inject script into the page.
   * Differences from the production launch: that flag, and the policy's DeveloperToolsAvailability=1
   * + RemoteDebuggingAllowed=true (without them the page cannot be inspected). Keys are tested without it.
   */
  cdp?: boolean;
  /**
   * Chromium as on a booth (default): as the unprivileged kiosk user, sandbox on, no fake media,
   * the booth's managed policy for this runtime's origin in a private mount namespace
   * (test/support/production-chromium.ts). `false`: as the test's user with --no-sandbox, no policy.
   */
  production?: boolean;
  /** Stack options (hub, agents, public config). */
  stack?: StackOptions;
}

export async function startKioskWindow(x: XSession, opts: KioskWindowOptions = {}): Promise<KioskWindow> {
  const production = opts.production ?? true;
  const user = production ? ensureKioskUser() : undefined;
  const stack = await startStack(opts.stack);
  const dataDir = user ? kioskOwnedDir(user, 'vg-kiosk-x-') : mkdtempSync(join(tmpdir(), 'vg-kiosk-x-'));
  // The policy names the kiosk origin, so the port is chosen before the runtime listens.
  const port = await freePort();
  // The CDP test launch needs DevTools on the page (the booth policy makes every page "not
  // inspectable") and its debugging port allowed; the rest of the policy is the booth's.
  const policy = { ...boothPolicy({ kioskOrigin: kioskOrigin(port), hubUrl: stack.hub.url }), ...(opts.cdp ? { DeveloperToolsAvailability: 1, RemoteDebuggingAllowed: true } : {}) };
  const launches: KioskWindow['launches'] = [];
  const policyProcs: PolicyProcess[] = [];
  const phases: KioskWindow['phases'] = [];
  const core = stack.core;
  const handlers = {
    ...core.handlers,
    'session.phase': (...a: Parameters<KioskCore['handlers']['session.phase']>) => {
      phases.push({ phase: String(a[0]), at: performance.now() });
      return core.handlers['session.phase'](...a);
    },
  } as KioskCore['handlers'];
  let runtime: BrowserRuntime | undefined;
  try {
    runtime = await startBrowserRuntime({
      core: {
        handlers,
        subscribe: core.subscribe.bind(core),
        hubLink: core.hubLink,
        get phase() {
          return core.phase;
        },
        resetVisit: core.resetVisit.bind(core),
      },
      dataDir,
      port,
      rendererDir: join(repoRoot, 'dist/renderer'),
      open: 'kiosk',
      chromium: {
        executablePath: process.env.VG_CHROMIUM ?? '/usr/bin/chromium',
        // Not production: root cannot run Chromium's sandbox, an explicit opt-in as the demo's.
        noSandbox: !production,
        extraArgs: opts.cdp ? ['--remote-debugging-port=0'] : [],
        spawn: (cmd, args, spawnOpts) => {
          let child: ChildProcess;
          if (user) {
            // On a booth main and Chromium are the same user; here main is the test (root), so the
            // profile it just prepared is handed to the kiosk user first.
            spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, dataDir]);
            // Keep the runtime's DevTools pipe (fds 3 and 4) when it asks for one, as a booth's launch has it.
            const extraPipes = Array.isArray(spawnOpts.stdio) ? Math.max(0, spawnOpts.stdio.length - 3) : 0;
            const launched = spawnWithPolicy({ policy, user, command: [cmd, ...args], env: { DISPLAY: x.display, HOME: dataDir, PATH: '/usr/bin:/bin' }, extraPipes });
            policyProcs.push(launched);
            child = launched.proc;
          } else {
            child = spawn(cmd, args, { ...spawnOpts, env: { ...x.env, ...(spawnOpts.env ?? {}), DISPLAY: x.display } });
          }
          launches.push({ pid: child.pid, at: performance.now() });
          return child;
        },
      },
    });
  } catch (err) {
    for (const p of policyProcs) await p.close(2_000).catch(() => {});
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const rt = runtime;
  return {
    stack,
    runtime: rt,
    launches,
    phases,
    async cdpUrl() {
      if (!opts.cdp) throw new Error('this kiosk window was launched without a DevTools port (cdp: true)');
      const file = join(dataDir, 'chromium-profile', 'DevToolsActivePort');
      const port = await until(async () => Number(readFileSync(file, 'utf8').split('\n')[0]), (p) => p > 0, 'DevToolsActivePort');
      return `http://127.0.0.1:${port}`;
    },
    async close() {
      await rt.close().catch(() => {});
      // Chromium's helpers (zygote, renderers) in the launch's process group, and the policy dirs.
      for (const p of policyProcs) await p.close(2_000).catch(() => {});
      await stack.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A loopback port free right now (the runtime binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => res(port));
    });
  });
}
