import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { KioskPublicConfig } from '../../common/config';
import type { HubLinkStatus } from '../../common/bridge/core';
import { createKioskCore } from '../services/core';
import type { KioskCore } from '../services/core';
import type { HubLink } from '../services/hub-link';
import { startBrowserRuntime } from './browser-runtime';
import type { BrowserRuntime } from './browser-runtime';
import { chromiumArgs } from './chromium';

let root: string;
let dataDir: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'vg-renderer-'));
  dataDir = mkdtempSync(join(tmpdir(), 'vg-data-'));
  mkdirSync(join(root, 'kiosk'));
  mkdirSync(join(root, 'agent'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'kiosk/index.html'), '<!doctype html><script type="module" src="../assets/kiosk.js"></script>');
  writeFileSync(join(root, 'assets/kiosk.js'), 'console.log(1)');
  writeFileSync(join(root, 'agent/index.html'), 'agent console');
  writeFileSync(join(dataDir, 'secret.txt'), 'do not serve');
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

function fakeLink(): HubLink {
  return {
    status: 'online' as HubLinkStatus,
    iceServers: [],
    send() {},
    onStatus: () => () => {},
    onMessage: () => () => {},
    close: async () => {},
  };
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function start(extra: Partial<Parameters<typeof startBrowserRuntime>[0]> = {}): Promise<{ rt: BrowserRuntime; core: KioskCore }> {
  const core = createKioskCore({
    config: { public: KioskPublicConfig.parse({ kioskName: 'K-rt' }), hubUrl: 'ws://h/ws', kioskId: 'k', kioskSecret: 's'.repeat(16), dataDir, devMode: false },
    createHubLink: fakeLink,
  });
  const rt = await startBrowserRuntime({ core, dataDir, rendererDir: root, open: false, ...extra });
  open.push(core, rt);
  return { rt, core };
}

function get(rt: BrowserRuntime, path: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(rt.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: u.port, path, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a bridge socket; resolves with it once open, or with the HTTP status the server refused with. */
function connect(rt: BrowserRuntime, { token = rt.token, origin = rt.origin }: { token?: string; origin?: string | null } = {}) {
  const ws = new WebSocket(`${rt.origin.replace('http', 'ws')}/bridge?token=${encodeURIComponent(token)}`, origin === null ? {} : { origin });
  const inbox: unknown[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    inbox.push(JSON.parse(d.toString()));
    waiters.splice(0).forEach((w) => w());
  });
  const opened = new Promise<{ ok: true } | { ok: false; status: number }>((resolve) => {
    ws.on('open', () => resolve({ ok: true }));
    ws.on('unexpected-response', (_req, res) => resolve({ ok: false, status: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ ok: false, status: -1 }));
  });
  open.push({ close: async () => ws.terminate() });
  return {
    ws,
    opened,
    inbox,
    async next(pred: (f: Record<string, unknown>) => boolean) {
      for (;;) {
        const hit = inbox.find((f) => pred(f as Record<string, unknown>));
        if (hit) return hit as Record<string, unknown>;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
  };
}

describe('browser runtime: static renderer', () => {
  it('serves the kiosk page at / with a strict CSP and security headers, and its assets', async () => {
    const { rt } = await start();
    expect(rt.url).toBe(`${rt.origin}/#token=${rt.token}`);
    expect(rt.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await get(rt, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('../assets/kiosk.js');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${new URL(rt.origin).port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const js = await get(rt, '/assets/kiosk.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('text/javascript');
  });

  it('never serves the agent console, files outside the renderer, or a foreign Host', async () => {
    const { rt } = await start();
    expect((await get(rt, '/agent/index.html')).status).toBe(404);
    expect((await get(rt, '/../secret.txt')).status).toBe(404);
    expect((await get(rt, '/%2e%2e/%2e%2e/etc/passwd')).status).not.toBe(200);
    expect((await get(rt, '/nope.js')).status).toBe(404);
    expect((await get(rt, '/', 'evil.example:80')).status).toBe(403);
  });
});

describe('browser runtime: bridge socket', () => {
  it('refuses a missing or wrong token (401) and a wrong or missing Origin (403)', async () => {
    const { rt } = await start();
    expect(await connect(rt, { token: '' }).opened).toEqual({ ok: false, status: 401 });
    expect(await connect(rt, { token: `${rt.token.slice(0, -1)}x` }).opened).toEqual({ ok: false, status: 401 });
    expect(await connect(rt, { origin: 'http://evil.example' }).opened).toEqual({ ok: false, status: 403 });
    expect(await connect(rt, { origin: 'http://localhost:1' }).opened).toEqual({ ok: false, status: 403 });
    expect(await connect(rt, { origin: null }).opened).toEqual({ ok: false, status: 403 });
    expect(rt.clients).toBe(0);
  });

  it('dispatches calls to the core handlers and answers every frame with a Result', async () => {
    const { rt } = await start();
    const c = connect(rt);
    expect(await c.opened).toEqual({ ok: true });
    c.ws.send(JSON.stringify({ id: 1, channel: 'config.get', args: [] }));
    expect(await c.next((f) => f.id === 1)).toMatchObject({ id: 1, result: { ok: true, value: { kioskName: 'K-rt' } } });
    c.ws.send(JSON.stringify({ id: 2, channel: 'fs.readFile', args: ['/etc/passwd'] }));
    expect(await c.next((f) => f.id === 2)).toMatchObject({ result: { ok: false, error: { code: 'unknown_channel' } } });
    c.ws.send(JSON.stringify({ id: 'three', channel: 'session.phase', args: ['nap'] }));
    expect(await c.next((f) => f.id === 'three')).toMatchObject({ result: { ok: false, error: { code: 'invalid_args' } } });
    c.ws.send(JSON.stringify({ id: 4, channel: 'hub.status' }));
    expect(await c.next((f) => f.id === 4)).toMatchObject({ result: { ok: false, error: { code: 'invalid_frame' } } });
    c.ws.send('garbage');
    c.ws.send(JSON.stringify({ id: 5, channel: 'hub.status', args: [] }));
    expect(await c.next((f) => f.id === 5)).toEqual({ id: 5, result: { ok: true, value: 'online' } });
  });

  it('pushes the link status on connect and every core event afterwards', async () => {
    const { rt, core } = await start();
    const c = connect(rt);
    await c.opened;
    expect(await c.next((f) => f.event === 'hub.status')).toEqual({ event: 'hub.status', payload: ['online'] });
    core.emit('hub.message', { type: 'queue.update', callId: 'c1', position: 2, estimateSeconds: 60 });
    expect(await c.next((f) => f.event === 'hub.message')).toEqual({ event: 'hub.message', payload: [{ type: 'queue.update', callId: 'c1', position: 2, estimateSeconds: 60 }] });
  });

  it('resets the visit when the page goes away mid-visit', async () => {
    const { rt, core } = await start();
    const reset = vi.spyOn(core, 'resetVisit');
    const c = connect(rt);
    await c.opened;
    c.ws.send(JSON.stringify({ id: 1, channel: 'session.phase', args: ['call'] }));
    await c.next((f) => f.id === 1);
    c.ws.close();
    await vi.waitFor(() => expect(reset).toHaveBeenCalledWith('renderer_gone'));
  });
});

describe('browser runtime: Chromium', () => {
  it('launches Chromium in app mode on a 0600 launch page in a fresh 0700 profile (token not in argv), and kills it on close', async () => {
    const spawned: { cmd: string; args: string[]; proc: ChildProcess }[] = [];
    const spawn = vi.fn((cmd: string, args: string[]) => {
      const proc = Object.assign(new EventEmitter(), {
        pid: 1234,
        exitCode: null as number | null,
        signalCode: null,
        kill: vi.fn((sig: string) => {
          proc.exitCode = 0;
          queueMicrotask(() => proc.emit('exit', null, sig));
          return true;
        }),
      }) as unknown as ChildProcess & { exitCode: number | null };
      spawned.push({ cmd, args, proc });
      return proc;
    });
    const { rt } = await start({ open: 'app', chromium: { spawn, executablePath: '/usr/bin/chromium' } });
    expect(spawned).toHaveLength(1);
    const { cmd, args } = spawned[0]!;
    expect(cmd).toBe('/usr/bin/chromium');
    const profile = join(dataDir, 'chromium-profile');
    expect(args).toContain(`--app=file://${join(profile, 'launch.html')}`);
    expect(args).toContain(`--user-data-dir=${profile}`);
    expect(args.join(' ')).not.toContain(rt.token);
    expect(readFileSync(join(profile, 'launch.html'), 'utf8')).toContain(`location.replace(${JSON.stringify(rt.url)})`);
    expect(JSON.parse(readFileSync(join(profile, 'Default', 'Preferences'), 'utf8'))).toMatchObject({ session: { restore_on_startup: 4, startup_urls: [rt.url] } });
    expect(statSync(profile).mode & 0o777).toBe(0o700);
    expect(statSync(join(profile, 'launch.html')).mode & 0o777).toBe(0o600);
    expect(statSync(join(profile, 'Default', 'Preferences')).mode & 0o777).toBe(0o600);
    // Production: sandbox on, real devices; the opt-ins are absent unless asked for.
    for (const flag of ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required']) {
      expect(args).toContain(flag);
    }
    for (const flag of ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']) expect(args).not.toContain(flag);
    await rt.close();
    expect(spawned[0]!.proc.kill).toHaveBeenCalledWith('SIGTERM');
  });

  it('kiosk mode passes --kiosk and no URL (the start URL is in the profile)', () => {
    const args = chromiumArgs({ mode: 'kiosk' }, '/p');
    expect(args.at(-1)).toBe('--kiosk');
    expect(args.some((a) => a.startsWith('http'))).toBe(false);
  });
});

describe('browser runtime: visit ownership', () => {
  it('resets when the page holding the visit closes even if a new page already connected, and not for other pages', async () => {
    const { rt, core } = await start();
    const reset = vi.spyOn(core, 'resetVisit');
    const holder = connect(rt);
    const bystander = connect(rt);
    await holder.opened;
    await bystander.opened;
    holder.ws.send(JSON.stringify({ id: 1, channel: 'session.phase', args: ['visit'] }));
    await holder.next((f) => f.id === 1);
    bystander.ws.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(reset).not.toHaveBeenCalled();
    const fresh = connect(rt);
    await fresh.opened;
    holder.ws.close();
    await vi.waitFor(() => expect(reset).toHaveBeenCalledWith('renderer_gone'));
  });
});

describe('browser runtime: page watch', () => {
  function watched() {
    const procs: (ChildProcess & { exitCode: number | null })[] = [];
    const spawn = vi.fn(() => {
      const proc = Object.assign(new EventEmitter(), {
        pid: 5000 + procs.length,
        exitCode: null as number | null,
        signalCode: null,
        kill: vi.fn((sig: string) => {
          proc.exitCode = 0;
          queueMicrotask(() => proc.emit('exit', null, sig));
          return true;
        }),
      }) as unknown as ChildProcess & { exitCode: number | null };
      procs.push(proc);
      return proc;
    });
    let t = 1_000_000;
    let tick: () => void = () => {};
    const pageWatch = {
      now: () => t,
      setInterval: (fn: () => void) => ((tick = fn), 1),
      clearInterval: () => {},
      heartbeatTimeoutMs: 10_000,
      reconnectGraceMs: 3_000,
      launchGraceMs: 30_000,
    };
    const advance = (ms: number) => {
      t += ms;
      tick();
    };
    return { spawn, procs, pageWatch, advance };
  }

  it('a page that keeps beating is left alone; one that goes silent is reset and Chromium relaunched', async () => {
    const w = watched();
    const { rt, core } = await start({ open: 'kiosk', chromium: { spawn: w.spawn }, pageWatch: w.pageWatch });
    const reset = vi.spyOn(core, 'resetVisit');
    const page = connect(rt);
    await page.opened;
    page.ws.send(JSON.stringify({ id: 1, channel: 'session.phase', args: ['visit'] }));
    await page.next((f) => f.id === 1);
    for (let i = 0; i < 10; i++) {
      page.ws.send('{"heartbeat":true}');
      await new Promise((r) => setTimeout(r, 5));
      w.advance(2_000);
    }
    expect(w.procs[0]!.kill).not.toHaveBeenCalled();
    expect(rt.recoveries).toBe(0);
    // Hung: the socket stays open but nothing comes from the page's event loop.
    w.advance(10_001);
    expect(w.procs[0]!.kill).toHaveBeenCalledWith('SIGKILL');
    expect(reset).toHaveBeenCalledWith('renderer_gone');
    expect(rt.recoveries).toBe(1);
    await vi.waitFor(() => expect(w.spawn).toHaveBeenCalledTimes(2));
  });

  it('a crashed page (socket closed, never back) is relaunched after the grace; a reload that reconnects is not', async () => {
    const w = watched();
    const { rt } = await start({ open: 'kiosk', chromium: { spawn: w.spawn }, pageWatch: w.pageWatch });
    // Cold start: no page yet, within the launch grace.
    w.advance(29_000);
    expect(rt.recoveries).toBe(0);
    const first = connect(rt);
    await first.opened;
    // Reload: old socket closes, new one connects within the grace.
    first.ws.close();
    await vi.waitFor(() => expect(rt.clients).toBe(0));
    w.advance(2_000);
    const second = connect(rt);
    await second.opened;
    w.advance(5_000);
    expect(rt.recoveries).toBe(0);
    // Crash: the socket goes and nothing comes back.
    second.ws.terminate();
    await vi.waitFor(() => expect(rt.clients).toBe(0));
    w.advance(2_000);
    expect(rt.recoveries).toBe(0);
    w.advance(2_000);
    expect(rt.recoveries).toBe(1);
    await vi.waitFor(() => expect(w.spawn).toHaveBeenCalledTimes(2));
    // The relaunched Chromium gets the launch grace again, not the reconnect grace.
    w.advance(20_000);
    expect(rt.recoveries).toBe(1);
  });
});
