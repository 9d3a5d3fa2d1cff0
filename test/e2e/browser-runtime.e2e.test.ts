// The browser runtime in Debian Chromium: the real bridge client (renderer/shared/bridge-client.ts,
// bundled) talks to the real loopback runtime through Chromium's WebSocket (real Origin header,
// real CSP). Proves the renderer cannot tell this runtime from Electron's preload.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { KioskPublicConfig } from '../../common/config';
import { launchChromium, testChromiumFlags } from '../../main/runtime/chromium';
import { startBrowserRuntime } from '../../main/runtime/browser-runtime';
import type { BrowserRuntime } from '../../main/runtime/browser-runtime';
import { createKioskCore } from '../../main/services/core';
import type { KioskCore } from '../../main/services/core';
import type { HubLink } from '../../main/services/hub-link';

const repo = resolve(import.meta.dirname, '../..');
let root: string;
let dataDir: string;
let browser: Browser;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vg-rt-e2e-'));
  dataDir = mkdtempSync(join(tmpdir(), 'vg-rt-data-'));
  mkdirSync(join(root, 'kiosk'));
  const entry = join(root, 'entry.ts');
  writeFileSync(
    entry,
    `import { getBridge } from ${JSON.stringify(join(repo, 'renderer/shared/bridge-client.ts'))};
     const w = window as unknown as Record<string, unknown>;
     const bridge = getBridge();
     const events: unknown[] = [];
     bridge.on('hub.message', (f) => events.push(f));
     bridge.on('session.reset', (r) => events.push({ reset: r }));
     w.bridge = bridge;
     w.events = events;`,
  );
  await build({ entryPoints: [entry], outfile: join(root, 'assets/kiosk.js'), bundle: true, format: 'esm', platform: 'browser', target: 'chrome120' });
  writeFileSync(join(root, 'kiosk/index.html'), '<!doctype html><meta charset="utf-8"><title>kiosk</title><script type="module" src="../assets/kiosk.js"></script>');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...testChromiumFlags] });
});
afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

const fakeLink = (): HubLink => ({ status: 'online', iceServers: [{ urls: 'stun:127.0.0.1:3478' }], send() {}, onStatus: () => () => {}, onMessage: () => () => {}, close: async () => {} });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(): Promise<{ rt: BrowserRuntime; core: KioskCore; page: Page; cspErrors: string[] }> {
  const core = createKioskCore({
    config: { public: KioskPublicConfig.parse({ kioskName: 'K-e2e' }), hubUrl: 'ws://h/ws', kioskId: 'k', kioskSecret: 's'.repeat(16), dataDir, devMode: false },
    createHubLink: fakeLink,
  });
  const rt = await startBrowserRuntime({ core, dataDir, rendererDir: root, open: false });
  const context = await browser.newContext();
  const page = await context.newPage();
  const cspErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && /Content Security Policy/i.test(m.text()) && cspErrors.push(m.text()));
  cleanups.push(() => core.close(), () => rt.close(), () => context.close());
  await page.goto(rt.url);
  await page.waitForFunction(() => 'bridge' in window);
  return { rt, core, page, cspErrors };
}

describe('browser runtime in Chromium', () => {
  it('the bundled bridge client calls main and receives events over the token-guarded socket, within the CSP', async () => {
    const { page, core, cspErrors } = await start();
    const cfg = await page.evaluate(() => (window as unknown as { bridge: { invoke(c: string): Promise<unknown> } }).bridge.invoke('config.get'));
    expect(cfg).toMatchObject({ ok: true, value: { kioskName: 'K-e2e' } });
    const ice = await page.evaluate(() => (window as unknown as { bridge: { invoke(c: string): Promise<unknown> } }).bridge.invoke('hub.iceServers'));
    expect(ice).toEqual({ ok: true, value: [{ urls: 'stun:127.0.0.1:3478' }] });
    core.emit('hub.message', { type: 'pong', t: 7 });
    await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length > 0);
    expect(await page.evaluate(() => (window as unknown as { events: unknown[] }).events)).toEqual([{ type: 'pong', t: 7 }]);
    expect(cspErrors).toEqual([]);
  });

  it('a page from another origin cannot open the bridge even with the token', async () => {
    const { rt, page } = await start();
    const other = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>evil</title>'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => other.close(r)));
    const evil = await page.context().newPage();
    await evil.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    const outcome = await evil.evaluate(
      (url) =>
        new Promise<string>((done) => {
          const ws = new WebSocket(url);
          ws.onopen = () => done('open');
          ws.onerror = () => done('refused');
        }),
      `${rt.origin.replace('http', 'ws')}/bridge?token=${rt.token}`,
    );
    expect(outcome).toBe('refused');
  });

  it('calls resolve to bridge_closed when main goes away, and a reload mid-visit resets the visit', async () => {
    const { page, core, rt } = await start();
    const reset = vi.spyOn(core, 'resetVisit');
    await page.evaluate(() => (window as unknown as { bridge: { invoke(c: string, a: string): Promise<unknown> } }).bridge.invoke('session.phase', 'visit'));
    await page.reload();
    await page.waitForFunction(() => 'bridge' in window);
    await vi.waitFor(() => expect(reset).toHaveBeenCalledWith('renderer_gone'));
    await rt.close();
    const r = await page.evaluate(async () => {
      const b = (window as unknown as { bridge: { invoke(c: string): Promise<unknown> } }).bridge;
      // Give the client a moment to see the close.
      await new Promise((x) => setTimeout(x, 200));
      return b.invoke('hub.status');
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'bridge_closed' } });
  });

  it('launchChromium opens the tokened URL and the page connects to the bridge by itself', async () => {
    const core = createKioskCore({
      config: { public: KioskPublicConfig.parse({}), hubUrl: 'ws://h/ws', kioskId: 'k', kioskSecret: 's'.repeat(16), dataDir, devMode: false },
      createHubLink: fakeLink,
    });
    const rt = await startBrowserRuntime({ core, dataDir, rendererDir: root, open: false });
    // Headless because test machines have no display; everything else is the production launch.
    const handle = launchChromium({ url: rt.url, mode: 'app', dataDir, extraArgs: ['--headless=new'], noSandbox: true, fakeMedia: true });
    cleanups.push(() => core.close(), () => rt.close(), () => handle.close());
    await vi.waitFor(() => expect(rt.clients).toBe(1), { timeout: 30_000, interval: 100 });
  });
});
