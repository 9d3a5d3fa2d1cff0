// ./vg bench enroll [N]  — a booth's enrollment, code shown → attract painted, N runs (default 5).
// Each run: a fresh hub (with the built console) and a booth that was never enrolled (its own data
// dir and key), served by the browser runtime to one Debian Chromium at 1920x1080. When the code is
// on screen a technician already signed in on a 390 px console page types it and approves (driven by
// Playwright: a person is slower), then the phases are timed from Node:
//   console  code shown → approved in the console (Playwright types the code, checks it, names the booth)
//   poll     approved → full kiosk composed (the RFC 8628 poll, up to the hub's 5 s interval, then
//            outbox, hub link and key)
//   paint    composed → attract screen painted (the page reloads and boots the session app)
//   total    code shown → attract painted
//   anchor   the enrolled booth's page reloaded → attract painted (a page load on this machine, same run)
// Prints figures, never fails. Run `npx vite build` first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { approveInConsole, consoleSignIn, startEnrollStack } from '../support/enroll';
import { launchTestBrowser } from '../support/stack';

const N = Math.max(1, Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)} (n=${xs.length})`;

/** Resolves after the frame that shows `testid` (rAF, then a task: the frame was produced). */
const painted = (page: Page, testid: string) =>
  page.waitForFunction(
    (id) => document.querySelector(`[data-testid="${id}"]`) !== null && new Promise((done) => requestAnimationFrame(() => setTimeout(() => done(true), 0))),
    testid,
    { timeout: 60_000, polling: 'raf' },
  );

async function main(): Promise<void> {
  const browser = await launchTestBrowser();
  const phases = { poll: [] as number[], paint: [] as number[], total: [] as number[], consoleWalk: [] as number[], reload: [] as number[] };
  try {
    for (let run = 1; run <= N; run++) {
      const s = await startEnrollStack();
      try {
        // The technician is signed in on a phone before the booth boots (signing in is not the booth's time).
        const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
        await phone.goto(s.consoleUrl);
        await consoleSignIn(phone, s.technician);
        const kiosk = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
        await kiosk.goto(s.runtime.url);
        await painted(kiosk, 'enroll-user-code');
        const shown = performance.now();
        const code = (await kiosk.getByTestId('enroll-user-code').textContent())!;
        let enrolledAt = 0;
        const off = s.booth.subscribe((event, payload) => {
          if (event === 'enroll.state' && (payload[0] as { state: string }).state === 'enrolled') enrolledAt = performance.now();
        });
        await approveInConsole(phone, { code, name: `Kiosque ${run}`, office: 'Bureau de mesure' });
        const approvedAt = performance.now();
        await painted(kiosk, 'screen-attract');
        const attractAt = performance.now();
        off();
        // Anchor, same run: an enrolled booth's page reloaded → attract painted (what any page load costs here).
        const reloadFrom = performance.now();
        await kiosk.reload();
        await painted(kiosk, 'screen-attract');
        phases.reload.push(performance.now() - reloadFrom);
        if (!existsSync(join(s.dataDir, 'booth', 'identity.json'))) throw new Error('attract painted but no identity.json was written');
        phases.consoleWalk.push(approvedAt - shown);
        phases.poll.push(enrolledAt - approvedAt);
        phases.paint.push(attractAt - enrolledAt);
        phases.total.push(attractAt - shown);
        process.stdout.write(`run ${run}: total ${(attractAt - shown).toFixed(0)} ms (console ${(approvedAt - shown).toFixed(0)}, poll+compose ${(enrolledAt - approvedAt).toFixed(0)}, paint ${(attractAt - enrolledAt).toFixed(0)})\n`);
        await kiosk.context().close();
        await phone.context().close();
      } finally {
        await s.close();
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(`\nenroll bench, ${N} runs (hub poll interval 5 s, RFC 8628 default)\n`);
  process.stdout.write(`  code shown → attract painted  ${fmt(phases.total)}\n`);
  process.stdout.write(`  console: code typed → approved    ${fmt(phases.consoleWalk)}\n`);
  process.stdout.write(`  approved → kiosk composed (poll)  ${fmt(phases.poll)}\n`);
  process.stdout.write(`  composed → attract painted        ${fmt(phases.paint)}\n`);
  process.stdout.write(`  anchor: enrolled page reload → attract painted ${fmt(phases.reload)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`enroll bench failed: ${String(err)}\n`);
  process.exit(1);
});
