// Cold start benchmark. Prints, each beside an anchor measured in the same run (interleaved, so both
// see the same machine load):
//   (1) services ready: the kiosk's main services in the browser runtime, run as a booth runs them
//       (main/runtime/entry.ts bundled by esbuild as the release does, `node entry.mjs`, the launcher's
//       compile cache), from process start to the "kiosk running" line, with its phases; anchor: a
//       bare `node -e` that does nothing. First boot (empty data dir: migrations, booth key) and
//       reboot (same data dir, what a booth does every morning) separately.
//   (2) fresh Chromium → attract screen first paint (the kiosk page served by that runtime) against
//       fresh Chromium → a blank local page's first paint.
// Figures only: it never fails on a timing. Usage: ./vg bench start [runs=10]
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { allDaySchedule } from '../../common/config';
import { fakeMediaFlags, noSandboxFlag, productionChromiumFlags } from '../../main/runtime/chromium';
import { nativeExternals } from '../../scripts/build-release';
import { createKiosk } from '../../server/accounts';
import { createHub } from '../../server/hub';
import { repoRoot } from '../support/stack';
import { percentile } from './webrtc-floor';

const runs = Number(process.argv[2] ?? 10);

/** The entry bundled as scripts/build-release.ts does (ESM, node22, natives external), next to a node_modules link. */
async function bundleEntry(dir: string): Promise<string> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: { entry: join(repoRoot, 'main/runtime/entry.ts') },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: [...nativeExternals, 'bufferutil', 'utf-8-validate'],
    banner: { js: "import { createRequire as __vgCreateRequire } from 'node:module';\nconst require = __vgCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'entry.mjs');
}

interface Ready {
  /** Process spawn → "kiosk running" line read by the parent (ms). */
  wall: number;
  /** The entry's own phases (ms since its process started). */
  phases: Record<string, number>;
  url: string;
  stop(): Promise<void>;
}

/** Spawns the kiosk entry and resolves at its ready line (the process keeps running until stop()). */
function startKiosk(entry: string, env: Record<string, string>): Promise<Ready> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise<Ready>((resolve, reject) => {
    let buf = '';
    let seen = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`kiosk entry not ready after 60 s:\n${seen.slice(-2000)}`));
    }, 60_000);
    // The logger writes JSON lines to stderr.
    const onData = (d: Buffer) => {
      const wall = performance.now() - t0;
      buf += d.toString();
      seen += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.includes('kiosk running')) continue;
        clearTimeout(timer);
        const j = JSON.parse(line) as { startupMs: Record<string, number>; url: string };
        resolve({ wall, phases: j.startupMs, url: j.url, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kiosk entry exited (${code}) before ready:\n${seen.slice(-2000)}`));
    });
  });
}

/** A bare Node process that does nothing: spawn → exit (ms). */
function bareNode(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  return new Promise((r) => child.once('exit', () => r(performance.now() - t0)));
}

/**
 * Marks, in the page, the frame after `selector` first appears (requestAnimationFrame, then a task:
 * the frame that shows it has been produced), as epoch ms in `window.__paintedAt`. (`__name`: tsx
 * keeps function names with a helper that page functions do not have.)
 */
const paintProbe = (selector: string) => `window.__name = (f) => f; (() => {
  const done = () => requestAnimationFrame(() => setTimeout(() => { window.__paintedAt = performance.timeOrigin + performance.now(); }));
  const check = () => { if (document.querySelector(${JSON.stringify(selector)})) { obs.disconnect(); done(); return true; } return false; };
  const obs = new MutationObserver(check);
  obs.observe(document, { subtree: true, childList: true });
  // A parser-inserted element may already be there when the observer starts.
  document.addEventListener('DOMContentLoaded', check);
})();`;

/** Fresh Chromium (new profile) → first paint of `selector` at `url`, epoch-to-epoch (ms). */
async function coldPaint(url: string, selector: string): Promise<number> {
  const t0 = performance.timeOrigin + performance.now();
  const browser = await chromium.launch({
    executablePath: process.env.VG_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [noSandboxFlag, ...fakeMediaFlags, ...productionChromiumFlags],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript(paintProbe(selector));
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => (window as unknown as { __paintedAt?: number }).__paintedAt !== undefined, undefined, { timeout: 30_000 });
    return (await page.evaluate(() => (window as unknown as { __paintedAt: number }).__paintedAt)) - t0;
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'vg-start-bench-'));
  const hub = await createHub({ dbPath: join(work, 'hub.sqlite'), port: 0, logger: { level: 'silent' } });
  const blank = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="fr"><meta charset="utf-8"><title>blank</title><h1 id="blank">Visioguichet</h1></html>');
  });
  let kiosk: Ready | undefined;
  try {
    const entry = await bundleEntry(join(work, 'dist'));
    const { secret } = await createKiosk(hub.db, { kioskId: 'kiosk-start', name: 'Kiosque démarrage', office: 'Bureau de test' });
    const env = (dataDir: string): Record<string, string> => {
      mkdirSync(dataDir, { recursive: true });
      const configPath = join(dataDir, 'kiosk.json');
      // Open all day: the attract screen, not the closed one, whatever the hour of the run.
      writeFileSync(configPath, JSON.stringify({ hubUrl: hub.wsUrl, kioskId: 'kiosk-start', kioskSecret: secret, dataDir, devMode: false, public: { kioskName: 'Kiosque démarrage', schedule: allDaySchedule } }));
      return {
        VG_KIOSK_CONFIG: configPath,
        VG_NO_OPEN: '1',
        VG_ALLOW_ROOT: '1',
        VG_RENDERER_DIR: join(repoRoot, 'dist/renderer'),
        VG_RUNTIME_PORT: '0',
        // What build/bin/visioguichet-kiosk gives a booth: Node's compile cache in its state directory.
        NODE_COMPILE_CACHE: join(work, 'compile-cache'),
      };
    };

    const node: number[] = [];
    const first: Ready[] = [];
    const again: Ready[] = [];
    const bootDir = join(work, 'boot');
    for (let i = 0; i < runs; i++) {
      node.push(await bareNode());
      const fresh = join(work, `first-${i}`);
      const f = await startKiosk(entry, env(fresh));
      await f.stop();
      first.push(f);
      rmSync(fresh, { recursive: true, force: true });
      const r = await startKiosk(entry, env(bootDir));
      await r.stop();
      again.push(r);
    }

    // (2) The kiosk runtime stays up; each run is a fresh Chromium, interleaved with the blank page.
    kiosk = await startKiosk(entry, env(bootDir));
    await new Promise<void>((r) => blank.listen(0, '127.0.0.1', r));
    const blankUrl = `http://127.0.0.1:${(blank.address() as { port: number }).port}/`;
    const attract: number[] = [];
    const blankPaint: number[] = [];
    for (let i = 0; i < runs; i++) {
      blankPaint.push(await coldPaint(blankUrl, '#blank'));
      attract.push(await coldPaint(kiosk.url, '[data-testid="screen-attract"]'));
    }

    const fmt = (v: number) => `${v.toFixed(1)} ms`.padStart(10);
    const row = (name: string, v: number[]) => `${name.padEnd(58)} p50 ${fmt(percentile(v, 50))}   p95 ${fmt(percentile(v, 95))}`;
    const phaseRows = (label: string, rs: Ready[]) =>
      Object.keys(rs[0]!.phases).map((k) => row(`    ${label} phase "${k}"${k === 'ready' ? ' (process start → ready)' : ''}`, rs.map((r) => r.phases[k]!)));
    console.log(`\nVisioguichet cold start benchmark — ${runs} runs each, interleaved; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log('(1) kiosk services in the browser runtime (release bundle, node entry.mjs, compile cache on)');
    console.log(row('    anchor: bare `node -e 0`, spawn → exit', node));
    console.log(row('    first boot (empty data dir): spawn → ready line', first.map((r) => r.wall)));
    for (const l of phaseRows('first boot', first)) console.log(l);
    console.log(row('    reboot (same data dir): spawn → ready line', again.map((r) => r.wall)));
    for (const l of phaseRows('reboot', again)) console.log(l);
    console.log(`    reboot, ready − bare node at p50: ${(percentile(again.map((r) => r.wall), 50) - percentile(node, 50)).toFixed(1)} ms   (goal: services ready ≤ 500 ms)`);
    console.log('(2) fresh Chromium → first paint');
    console.log(row('    attract screen (kiosk page, runtime already up)', attract));
    console.log(row('    anchor: blank local page', blankPaint));
    console.log(`    attract / blank: p50 ${(percentile(attract, 50) / percentile(blankPaint, 50)).toFixed(2)}×   p95 ${(percentile(attract, 95) / percentile(blankPaint, 95)).toFixed(2)}×   (goal ≤ 1.3×)`);
  } finally {
    await kiosk?.stop();
    await new Promise<void>((r) => (blank.listening ? blank.close(() => r()) : r()));
    await hub.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
