// Renderer crash recovery benchmark: the browser runtime with its page watch, Chromium --kiosk on a
// private Xvfb, a real hub. Each round kills the kiosk page's renderer processes (SIGKILL: Chromium's
// crash handler ignores a SEGV sent by kill(2)) and measures
//   (a) kill → the relaunched page reports `session.phase attract` to main;
//   (b) kill → the attract screen is painted again (its background read from Xvfb's framebuffer);
// beside the anchor measured in the same run: a cold launch of the same Chromium (runtime started)
// → attract painted. Recovery = page-watch detection (reconnect grace 3 s, checks every 500 ms) +
// a cold launch. Figures only: it never fails on a timing.
// Usage: ./vg bench recovery [rounds=20]   (as root the demo/test opt-ins apply: --no-sandbox, fake media)
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KioskPublicConfig } from '../../common/config';
import { composeKiosk } from '../../main/compose';
import type { BrowserRuntime } from '../../main/runtime/browser-runtime';
import { startBrowserRuntime } from '../../main/runtime/browser-runtime';
import type { KioskCore } from '../../main/services/core';
import { consoleLogger } from '../../main/services/log';
import { createKiosk } from '../../server/accounts';
import { createHub } from '../../server/hub';
import { findProcesses, startXvfb } from '../support/production-chromium';
import { alwaysOpen, repoRoot } from '../support/stack';
import { percentile } from './webrtc-floor';

const rounds = Number(process.argv[2] ?? 20);
const anchors = Math.min(rounds, 10);

/** Reads one pixel (RGB hex) straight from Xvfb's XWD framebuffer file, without decoding the screen. */
function pixelReader(fbFile: string, x: number, y: number): (() => string) & { close(): void } {
  const fd = openSync(fbFile, 'r');
  const head = Buffer.alloc(100);
  readSync(fd, head, 0, 100, 0);
  const f = (i: number) => head.readUInt32BE(i * 4);
  const [headerSize, bpp, bytesPerLine, ncolors] = [f(0), f(11) / 8, f(12), f(19)];
  const masks = [f(14), f(15), f(16)];
  const shift = (m: number) => 31 - Math.clz32(m & -m);
  const at = headerSize + ncolors * 12 + y * bytesPerLine + x * bpp;
  const px = Buffer.alloc(4);
  const read = () => {
    readSync(fd, px, 0, 4, at);
    const v = f(7) === 0 ? px.readUInt32LE(0) : px.readUInt32BE(0);
    return masks.map((m) => (((v & m) >>> shift(m)) & 0xff).toString(16).padStart(2, '0')).join('');
  };
  return Object.assign(read, { close: () => closeSync(fd) });
}

async function until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  const x = await startXvfb({ width: 1280, height: 800, windowManager: true });
  process.env.DISPLAY = x.display; // the Chromium the runtime spawns inherits it
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-bench-recovery-'));
  const hub = await createHub({ dbPath: ':memory:', port: 0, logger: false });
  const { secret } = await createKiosk(hub.db, { kioskId: 'bench', name: 'Bench', office: 'Bench' });
  const core: KioskCore = await composeKiosk({
    config: { public: KioskPublicConfig.parse({ schedule: alwaysOpen }), hubUrl: hub.wsUrl, kioskId: 'bench', kioskSecret: secret, dataDir, devMode: false },
    hardware: 'none',
  });
  // Every `session.phase` the page reports, timestamped (the page reports attract when it starts).
  const phases: { at: number; phase: string }[] = [];
  const handlers = {
    ...core.handlers,
    'session.phase': (phase: Parameters<KioskCore['handlers']['session.phase']>[0]) => {
      phases.push({ at: performance.now(), phase });
      return core.handlers['session.phase'](phase);
    },
  } as KioskCore['handlers'];
  const observed = {
    handlers,
    subscribe: (l: Parameters<KioskCore['subscribe']>[0]) => core.subscribe(l),
    hubLink: core.hubLink,
    get phase() {
      return core.phase;
    },
    resetVisit: (reason: Parameters<KioskCore['resetVisit']>[0]) => core.resetVisit(reason),
  };
  const asRoot = process.getuid?.() === 0;
  const start = () =>
    startBrowserRuntime({ core: observed, dataDir, rendererDir: join(repoRoot, 'dist/renderer'), open: 'kiosk', chromium: { fakeMedia: true, noSandbox: asRoot }, ...(process.env.VG_BENCH_LOG ? { log: consoleLogger('runtime') } : {}) });
  const pixel = pixelReader(x.fbFile, 40, 400);
  const profile = join(dataDir, 'chromium-profile');
  const renderers = () => findProcesses(`--user-data-dir=${profile}`, '--type=renderer');

  let runtime: BrowserRuntime | undefined;
  try {
    // Anchor: cold launch → attract painted. The first one also learns the attract background.
    const cold: number[] = [];
    let attract = '';
    for (let i = 0; i < anchors; i++) {
      const blank = pixel();
      const t0 = performance.now();
      const seen = phases.length;
      runtime = await start();
      await until(() => phases.slice(seen).some((p) => p.phase === 'attract'), 60_000, 'the first attract report');
      if (!attract) {
        // Painted = the pixel left Chromium's blank page and holds still for 300 ms.
        let last = '';
        let since = performance.now();
        await until(() => {
          const c = pixel();
          if (c !== last) [last, since] = [c, performance.now()];
          return c !== blank && performance.now() - since > 300;
        }, 30_000, 'the attract background');
        attract = last;
        cold.push(since - t0);
      } else {
        await until(() => pixel() === attract, 30_000, 'attract painted');
        cold.push(performance.now() - t0);
      }
      await runtime.close();
      runtime = undefined;
    }

    runtime = await start();
    await until(() => pixel() === attract && runtime!.clients > 0, 60_000, 'attract before the first kill');
    const toPhase: number[] = [];
    const toPaint: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const victims = renderers();
      if (victims.length === 0) throw new Error('no renderer to kill');
      const seen = phases.length;
      const t0 = performance.now();
      for (const v of victims) process.kill(v.pid, 'SIGKILL');
      await until(() => pixel() !== attract, 10_000, 'the crashed page to leave the screen');
      await until(() => phases.slice(seen).some((p) => p.phase === 'attract'), 60_000, 'attract reported after the crash');
      toPhase.push(phases.slice(seen).find((p) => p.phase === 'attract')!.at - t0);
      await until(() => pixel() === attract, 30_000, 'attract painted after the crash');
      toPaint.push(performance.now() - t0);
      process.stdout.write(`round ${i + 1}/${rounds}: phase ${toPhase.at(-1)!.toFixed(0)} ms, painted ${toPaint.at(-1)!.toFixed(0)} ms\n`);
      // Let the relaunched Chromium settle (its helpers started) before the next kill.
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const fmt = (v: number[]) => `p50 ${percentile(v, 50).toFixed(0)} ms   p95 ${percentile(v, 95).toFixed(0)} ms   (n=${v.length})`;
    process.stdout.write(
      [
        '',
        `Renderer crash recovery (Chromium ${asRoot ? '--no-sandbox, as root' : 'sandboxed'}, --kiosk on Xvfb; reconnect grace 3 000 ms, watch every 500 ms; relaunches: ${runtime.recoveries})`,
        `  killed → attract reported by the new page:   ${fmt(toPhase)}`,
        `  killed → attract painted again:              ${fmt(toPaint)}`,
        `  anchor: cold launch → attract painted:       ${fmt(cold)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await runtime?.close().catch(() => {});
    await core.close().catch(() => {});
    await hub.close();
    pixel.close();
    await x.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`recovery bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
