// The technician panel in Debian Chromium over the real browser runtime and kiosk main services
// with simulated peripherals: corner button (simulation) / long-press + PIN (normal use), live
// device states and inputs from the twins, camera preview and microphone meter from the fake
// media devices, and media released when the panel closes.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KioskPublicConfig } from '../../common/config';
import { composeKiosk } from '../../main/compose';
import { testChromiumFlags } from '../../main/runtime/chromium';
import { startBrowserRuntime } from '../../main/runtime/browser-runtime';

const repo = resolve(import.meta.dirname, '../..');
let root: string;
let browser: Browser;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vg-tech-e2e-'));
  mkdirSync(join(root, 'kiosk'));
  const entry = join(root, 'entry.ts');
  // Only the panel (not the citizen screens): what is under test is the panel and its bridge use.
  writeFileSync(
    entry,
    `import { getBridge } from ${JSON.stringify(join(repo, 'renderer/shared/bridge-client.ts'))};
     import { translator } from ${JSON.stringify(join(repo, 'common/i18n/index.ts'))};
     import { mountTechnician } from ${JSON.stringify(join(repo, 'renderer/kiosk/technician/index.ts'))};
     const tech = mountTechnician(document.body, { bridge: getBridge(), t: translator('fr') });
     (window as unknown as Record<string, unknown>).tech = tech;`,
  );
  await build({ entryPoints: [entry], outdir: join(root, 'assets'), entryNames: 'kiosk', bundle: true, format: 'esm', platform: 'browser', target: 'chrome120', loader: { '.css': 'css' } });
  writeFileSync(
    join(root, 'kiosk/index.html'),
    '<!doctype html><meta charset="utf-8"><title>kiosk</title><link rel="stylesheet" href="../assets/kiosk.css"><body style="margin:0;width:100vw;height:100vh"><script type="module" src="../assets/kiosk.js"></script></body>',
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...testChromiumFlags] });
});
afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(simulation: boolean): Promise<Page> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-tech-data-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = { public: KioskPublicConfig.parse({ simulation }), hubUrl: 'ws://127.0.0.1:9/ws', kioskId: 'k1', kioskSecret: 's'.repeat(24), dataDir, devMode: false, technicianPin: '2468' };
  const core = await composeKiosk({ config, hardware: 'simulated', health: { appVersion: '0.1.0-e2e' } });
  cleanups.push(() => core.close());
  const rt = await startBrowserRuntime({ core, dataDir, rendererDir: root, open: false });
  cleanups.push(() => rt.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  cleanups.push(() => context.close());
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page]', e.message));
  await page.goto(rt.url);
  return page;
}

const byId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

describe('technician panel in Chromium', () => {
  it('simulation mode: corner button opens it; twins, live states and inputs, preview and meter work; closing releases the camera', async () => {
    const page = await start(true);
    await byId(page, 'tech-open').click();
    await byId(page, 'tech-panel').waitFor();
    await expect.poll(() => byId(page, 'tech-device-handset').getAttribute('data-status')).toBe('connected');
    await expect.poll(() => byId(page, 'tech-version').textContent()).toContain('0.1.0-e2e');

    await byId(page, 'tech-sim-lift').click();
    await expect.poll(() => byId(page, 'tech-inputs').textContent()).toContain('Combiné décroché');
    await byId(page, 'tech-sim-disconnect-scanner').click();
    await expect.poll(() => byId(page, 'tech-device-scanner').getAttribute('data-status')).toBe('absent');
    await byId(page, 'tech-sim-connect-scanner').click();
    await expect.poll(() => byId(page, 'tech-device-scanner').getAttribute('data-status')).toBe('connected');
    await byId(page, 'tech-sim-code').fill('RDV2024');
    await byId(page, 'tech-sim-scan').click();
    await expect.poll(() => byId(page, 'tech-inputs').textContent()).toContain('Code lu : RDV2024');
    await byId(page, 'tech-sim-presenceOn').click();
    await expect.poll(() => byId(page, 'tech-inputs').textContent()).toContain('Présence détectée');
    await byId(page, 'tech-exercise-statusLight').click(); // cycles the colours, then back to the phase's
    await expect.poll(() => byId(page, 'tech-sim-light').getAttribute('data-color'), { timeout: 6000 }).not.toBe('off');
    await expect.poll(() => byId(page, 'tech-outbox').textContent()).toContain('Rien en attente');

    // Fake camera frames decode in the preview; the fake microphone's tone moves the meter.
    await expect.poll(() => page.evaluate(() => (document.querySelector('[data-testid="tech-camera-preview"]') as HTMLVideoElement).videoWidth), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => byId(page, 'tech-mic-level').getAttribute('data-level').then(Number), { timeout: 15_000 }).toBeGreaterThan(0);

    await byId(page, 'tech-close').click();
    await byId(page, 'tech-panel').waitFor({ state: 'detached' });
    await byId(page, 'tech-open').waitFor();
    // The preview's stream is stopped: no live track left on the page.
    const live = await page.evaluate(() => [...document.querySelectorAll('video')].some((v) => (v.srcObject as MediaStream | null)?.getTracks().some((tr) => tr.readyState === 'live')));
    expect(live).toBe(false);
  });

  it('normal use: nothing visible; a 3 s long-press in the top-right corner asks for the PIN that main checks', async () => {
    const page = await start(false);
    await page.waitForFunction(() => 'tech' in window);
    expect(await byId(page, 'tech-open').count()).toBe(0);
    // A short touch in the corner does nothing.
    await page.mouse.move(1270, 10);
    await page.mouse.down();
    await page.waitForTimeout(500);
    await page.mouse.up();
    await page.waitForTimeout(3000);
    expect(await byId(page, 'tech-pin').count()).toBe(0);

    await page.mouse.down();
    await byId(page, 'tech-pin').waitFor({ timeout: 6000 });
    await page.mouse.up();
    for (const d of '1111') await byId(page, `tech-pin-key-${d}`).click();
    await byId(page, 'tech-pin-submit').click();
    await expect.poll(() => byId(page, 'tech-pin-error').textContent()).toBe('Code incorrect.');
    for (const d of '2468') await byId(page, `tech-pin-key-${d}`).click();
    await byId(page, 'tech-pin-submit').click();
    await byId(page, 'tech-panel').waitFor();
    expect(await byId(page, 'tech-sim').count()).toBe(0);
    await expect.poll(() => byId(page, 'tech-device-presence').getAttribute('data-status')).toBe('connected');
  });
});
