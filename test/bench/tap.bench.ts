// ./vg bench tap [N]  — tap → next screen painted, on the real kiosk page, before and after the move
// to the component library (Preact), in the same run, interleaved, beside a vanilla floor page.
//   before: the kiosk renderer as of the last commit before the move (BEFORE_COMMIT), taken with
//           `git archive` into test-output/tap-before-<commit>/ and built there once (kept for reruns);
//   after:  the current build (dist/renderer; run `npx vite build` first);
//   floor:  a page that swaps one screen's DOM by hand on pointerdown: what Chromium itself costs.
// Each kiosk runs on its own booth (hub + main services + browser runtime, test/support/stack.ts), in
// one Debian Chromium, at 1920x1080. A tap is a mouse press and release at the button's centre; the
// page measures from the pointerdown event's timestamp to the first frame after the next screen is in
// the DOM (requestAnimationFrame, then a task: the frame has been produced). The walk: attract →
// language → service → visit type → back → back → back to attract, N taps per variant (default 120).
// Prints figures, never fails. `--trace` times nothing: it traces N taps of each variant and prints the
// renderer main thread's self time by trace event (trace-breakdown.ts), to find where a tap's time goes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchTestBrowser, repoRoot, startStack, type Stack } from '../support/stack';
import { breakdown, formatBreakdown, TRACE_CATEGORIES } from './trace-breakdown';

const args = process.argv.slice(2);
const N = Math.max(12, Number(args.find((a) => /^\d+$/.test(a)) ?? 120));
/** `--trace`: instead of timing, trace walks of each variant and print main-thread self time by event. */
const TRACE = args.includes('--trace');
const BEFORE_COMMIT = 'f38e01f';
const SETTLE_MS = 450; // a new screen ignores touches for 350 ms (styles.css .arming)

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const fmt = (xs: number[]) =>
  xs.length ? `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)} (n=${xs.length})` : 'no samples';

/** The renderer as of `commit`, built once into test-output/tap-before-<commit>/dist/renderer. */
function buildBefore(commit: string): string {
  const dir = join(repoRoot, `test-output/tap-before-${commit}`);
  const out = join(dir, 'dist/renderer');
  if (existsSync(join(out, 'kiosk/index.html'))) return out;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', commit, 'renderer', 'common', 'assets', 'vite.config.ts', 'tsconfig.json', 'package.json'], { cwd: repoRoot, maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  console.log(`building the kiosk as of ${commit} in ${dir} …`);
  execFileSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], { cwd: dir, stdio: 'inherit' });
  return out;
}

/**
 * In-page probe: on each pointerdown, notes the screen shown (`[data-testid^=screen-]` in #app) and
 * the event's timestamp; when a different screen is in the DOM, waits for the next frame and pushes
 * the elapsed time onto `window.__taps`.
 */
// A string, not a function: tsx would wrap the function's inner names in a helper the page lacks.
const PROBE = `(() => {
  window.__taps = [];
  const current = () => document.querySelector('#app [data-testid^="screen-"]')?.getAttribute('data-testid') ?? '';
  let pending = null;
  const watch = () => {
    if (!pending || current() === pending.from) return;
    const p = pending;
    pending = null;
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        window.__taps.push(performance.now() - p.t0);
        if (window.__traceMarks) performance.mark('tap:end');
      };
      ch.port2.postMessage(0);
    });
  };
  document.addEventListener('pointerdown', (e) => {
    pending = { t0: e.timeStamp, from: current() };
    if (window.__traceMarks) performance.mark('tap:start');
  }, true);
  new MutationObserver(watch).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-testid'] });
})();`;

/** The floor: the same test ids and walk, each screen's DOM replaced by hand (no framework, no machine). */
const FLOOR_HTML = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><style>
  html,body{margin:0;height:100%;background:#0a2540;color:#fff;font:28px sans-serif}
  #app{height:100%} section{height:100%;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:1rem}
  button{min-width:72px;min-height:72px;font:inherit;border:3px solid #fff;border-radius:16px;background:#095797;color:#fff;padding:.5rem 1.4rem}
</style></head><body><main id="app"></main><script>
  const screens = {
    attract: [['attract-start', 'language', 'Touchez l\\'écran pour commencer']],
    language: [['lang-fr', 'service', 'Français'], ['lang-en', 'service', 'English'], ['btn-back', 'attract', 'Quitter']],
    service: [['service-x', 'visitType', 'Service'], ['btn-back', 'language', 'Retour']],
    visitType: [['visit-walkin', 'visitType', 'Sans rendez-vous'], ['btn-back', 'service', 'Retour']],
  };
  const app = document.getElementById('app');
  function show(name) {
    const s = document.createElement('section');
    s.dataset.testid = 'screen-' + name;
    const h = document.createElement('h1'); h.textContent = name; s.append(h);
    for (const [id, next, label] of screens[name]) {
      const b = document.createElement('button'); b.type = 'button'; b.dataset.testid = id; b.textContent = label;
      b.onclick = () => show(next); s.append(b);
    }
    app.replaceChildren(s);
  }
  show('attract');
</script></body></html>`;

interface Variant {
  name: 'before' | 'after' | 'floor';
  page: Page;
  service: string;
  samples: number[];
}

/** One walk of 6 taps (attract → … → attract); returns when every tap was measured. */
async function walk(v: Variant): Promise<void> {
  const steps = ['attract-start', 'lang-fr', `service-${v.service}`, 'btn-back', 'btn-back', 'btn-back'];
  for (const id of steps) {
    const before = await v.page.evaluate(() => (window as unknown as { __taps: number[] }).__taps.length);
    await v.page.locator(`[data-testid="${id}"]:visible`).first().click();
    await v.page.waitForFunction((n) => (window as unknown as { __taps: number[] }).__taps.length > n, before, { timeout: 10_000 }).catch(async (err: unknown) => {
      const shown = await v.page.evaluate(() => document.querySelector('[data-testid^="screen-"]')?.getAttribute('data-testid'));
      throw new Error(`${v.name}: tapping ${id} was not followed by a new screen (showing ${shown})`, { cause: err });
    });
    v.samples.push(await v.page.evaluate(() => (window as unknown as { __taps: number[] }).__taps.at(-1)!));
    await v.page.waitForTimeout(SETTLE_MS);
  }
}

async function kioskVariant(browser: Browser, name: 'before' | 'after', s: Stack): Promise<Variant> {
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await ctx.newPage();
  await page.addInitScript(PROBE);
  await page.goto(s.kioskUrl);
  await page.getByTestId('screen-attract').waitFor({ timeout: 30_000 });
  return { name, page, service: s.kioskConfig.public.services[0]!.id, samples: [] };
}

async function main(): Promise<void> {
  if (!existsSync(join(repoRoot, 'dist/renderer/kiosk/index.html'))) throw new Error('dist/renderer is not built: run `npx vite build` first');
  const beforeDir = buildBefore(BEFORE_COMMIT);
  const timers = { idleMs: 600_000, idleCountdownMs: 15_000, waitTimeoutMs: 600_000, thankYouMs: 10_000, declinedMs: 15_000 };
  const stacks: Stack[] = [];
  const browser = await launchTestBrowser();
  try {
    stacks.push(await startStack({ rendererDir: beforeDir, publicConfig: { timers } }));
    stacks.push(await startStack({ publicConfig: { timers } }));
    const before = await kioskVariant(browser, 'before', stacks[0]!);
    const after = await kioskVariant(browser, 'after', stacks[1]!);
    const floorCtx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const floorPage = await floorCtx.newPage();
    await floorPage.addInitScript(PROBE);
    await floorPage.route('http://floor.invalid/', (r) => r.fulfill({ contentType: 'text/html', body: FLOOR_HTML }));
    await floorPage.goto('http://floor.invalid/');
    const floor: Variant = { name: 'floor', page: floorPage, service: 'x', samples: [] };
    const variants = [before, after, floor];

    // One warm-up walk each (first paints, lazy chunks), not counted.
    for (const v of variants) {
      await walk(v);
      v.samples.length = 0;
    }
    const rounds = Math.ceil(N / 6);
    if (TRACE) {
      for (const v of variants) {
        await v.page.evaluate(() => ((window as unknown as { __traceMarks: boolean }).__traceMarks = true));
        await browser.startTracing(v.page, { categories: TRACE_CATEGORIES });
        for (let r = 0; r < rounds; r++) await walk(v);
        const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as Parameters<typeof breakdown>[0];
        await v.page.evaluate(() => ((window as unknown as { __traceMarks: boolean }).__traceMarks = false));
        console.log(formatBreakdown(v.name, breakdown(trace)));
      }
      return;
    }
    console.log(`tap bench: ${rounds * 6} taps per variant, interleaved walk by walk (before = ${BEFORE_COMMIT}, after = working tree build)`);
    for (let r = 0; r < rounds; r++) {
      // Rotate the order so no variant always follows the same one.
      for (let i = 0; i < variants.length; i++) await walk(variants[(r + i) % variants.length]!);
    }
    for (const v of variants) console.log(`${v.name.padEnd(7)} tap → next screen painted: ${fmt(v.samples)}`);
    const ratio = (p: number) => (pct(after.samples, p) / pct(before.samples, p)).toFixed(2);
    console.log(`after/before: p50 x${ratio(50)}, p95 x${ratio(95)}; above the floor (p50): before +${(pct(before.samples, 50) - pct(floor.samples, 50)).toFixed(1)} ms, after +${(pct(after.samples, 50) - pct(floor.samples, 50)).toFixed(1)} ms`);
  } finally {
    await browser.close().catch(() => {});
    for (const s of stacks) await s.close().catch(() => {});
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
