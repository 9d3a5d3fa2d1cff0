// Pinch zoom on the booth: a citizen may pinch the page (a visual zoom, the layout does not move),
// and main sets it back to 1 when the visit ends. Real Chromium and real touches (two touch points
// moving apart, through DevTools): first through main's own launch of Chromium and its private
// DevTools pipe, then on the kiosk page in the stack, where the end of the visit resets the zoom.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { launchChromium, type ChromiumHandle } from '../../main/runtime/chromium';
import type { DevtoolsPipe } from '../../main/runtime/devtools-pipe';
import { screen, useE2ESession } from '../support/e2e';
import { until } from '../support/booth';
import { pinchOpen, visualScale, type DevtoolsSend } from '../support/pinch';

const e2e = useE2ESession();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

/** A DevTools session on the page at `url`, through main's pipe (flat sessions). */
async function pageSession(dt: DevtoolsPipe, url: string): Promise<DevtoolsSend> {
  const target = await until(
    async () => ((await dt.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] }).targetInfos.find((t) => t.type === 'page' && t.url === url),
    (t) => t !== undefined,
    `a page at ${url}`,
    30_000,
  );
  const { sessionId } = (await dt.send('Target.attachToTarget', { targetId: target!.targetId, flatten: true })) as { sessionId: string };
  return (method, params) => dt.send(method, params, sessionId);
}

describe('pinch zoom', () => {
  it("main's Chromium takes a pinch, and resetZoom (its DevTools pipe) sets it back to 1 without locking it", async () => {
    const server: Server = createServer((_req, res) => res.end('<!doctype html><meta charset="utf-8"><title>z</title><h1 style="font-size:40px">Visioguichet</h1>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-pinch-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // The production launch (flags, fresh profile, launch page), headless here; root cannot be sandboxed.
    const chromium: ChromiumHandle = launchChromium({ url, mode: 'app', dataDir, noSandbox: process.getuid?.() === 0, extraArgs: ['--headless=new', '--window-size=1280,800'] });
    cleanups.push(() => chromium.close());
    const dt = await until(() => chromium.devtools, (d) => d !== undefined, 'the DevTools pipe');
    const page = await pageSession(dt!, url);

    expect(await visualScale(page)).toBe(1);
    await pinchOpen(page);
    await until(() => visualScale(page), (s) => s > 1.5, 'the page zoomed in by the pinch');
    expect(await chromium.resetZoom()).toBe(1);
    expect(await visualScale(page)).toBe(1);
    // Not a lock: the next citizen can pinch again.
    await pinchOpen(page);
    await until(() => visualScale(page), (s) => s > 1.5, 'a second pinch zooming in');
  }, 120_000);

  it('on the kiosk page: zoomed during the visit, moving between screens keeps it, leaving the visit sets it back to 1', async () => {
    const devtools: { cdp?: CDPSession } = {};
    // The runtime's reset, with the test's DevTools session standing in for main's pipe (Playwright opened the page).
    const s = await e2e.stack({ resetZoom: async () => devtools.cdp?.send('Emulation.setPageScaleFactor', { pageScaleFactor: 1 }) });
    const ctx = await e2e.context({ width: 1920, height: 1080 });
    const k = await ctx.newPage();
    const cdp = (devtools.cdp = await ctx.newCDPSession(k));
    const send: DevtoolsSend = (method, params) => cdp.send(method as 'Runtime.evaluate', params as never);
    await k.goto(s.kioskUrl);
    await screen(k, 'attract');
    await k.getByTestId('attract-start').click();
    await screen(k, 'language');

    await pinchOpen(send, 960, 300);
    await until(() => visualScale(send), (z) => z > 1.5, 'the language screen zoomed in');
    // The next screen of the same visit keeps the citizen's zoom (a zoomed screen may hide the button: tapped by the DOM).
    await k.getByTestId('lang-fr').dispatchEvent('click');
    await screen(k, 'service');
    expect(await visualScale(send)).toBeGreaterThan(1.5);
    // Leaving the visit (Quitter → attract): the next citizen finds the screen at 1.
    await k.getByTestId('btn-back').dispatchEvent('click');
    await screen(k, 'language');
    await k.getByTestId('btn-back').dispatchEvent('click');
    await screen(k, 'attract');
    await until(() => visualScale(send), (z) => z === 1, 'the zoom back to 1 at the end of the visit');
  }, 120_000);

  it('the idle prompt over a zoomed page is whole on the screen, and the visit it ends leaves the zoom at 1', async () => {
    const devtools: { cdp?: CDPSession } = {};
    const timers = { idleMs: 4_000, idleCountdownMs: 60_000, waitTimeoutMs: 600_000, thankYouMs: 10_000, declinedMs: 15_000 };
    const s = await e2e.stack({ publicConfig: { timers }, resetZoom: async () => devtools.cdp?.send('Emulation.setPageScaleFactor', { pageScaleFactor: 1 }) });
    const ctx = await e2e.context({ width: 1920, height: 1080 });
    const k = await ctx.newPage();
    const cdp = (devtools.cdp = await ctx.newCDPSession(k));
    const send: DevtoolsSend = (method, params) => cdp.send(method as 'Runtime.evaluate', params as never);
    await k.goto(s.kioskUrl);
    await screen(k, 'attract');
    await k.getByTestId('attract-start').click();
    await screen(k, 'language');
    // Zoomed into the top left corner, far from where the prompt's buttons sit on an unzoomed screen.
    await pinchOpen(send, 200, 150);
    await until(() => visualScale(send), (z) => z > 1.5, 'the language screen zoomed in');
    await k.getByTestId('screen-idle').waitFor({ timeout: 20_000 });
    const inView = () =>
      k.evaluate(() => {
        const vv = window.visualViewport!;
        const view = { left: vv.offsetLeft, top: vv.offsetTop, right: vv.offsetLeft + vv.width, bottom: vv.offsetTop + vv.height };
        return ['idle-stay', 'idle-leave', 'title-idle'].map((id) => {
          const el = document.querySelector(`[data-testid="${id}"]`) ?? document.getElementById(id);
          const r = el!.getBoundingClientRect();
          return { id, inside: r.left >= view.left - 1 && r.top >= view.top - 1 && r.right <= view.right + 1 && r.bottom <= view.bottom + 1 };
        });
      });
    await until(inView, (all) => all.every((x) => x.inside), 'the idle prompt inside the zoomed visual viewport');
    expect(await visualScale(send)).toBeGreaterThan(1.5);
    // "Quitter" on the prompt ends the visit: the next citizen finds the screen at 1.
    await k.getByTestId('idle-leave').dispatchEvent('click');
    await screen(k, 'attract');
    await until(() => visualScale(send), (z) => z === 1, 'the zoom back to 1 after the visit');
  }, 120_000);
});
