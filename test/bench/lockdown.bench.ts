// ./vg bench lockdown [N]  — keys that kill the kiosk window, and how long until the booth is back.
// Under Xvfb + openbox, with the kiosk launched as on a booth (kiosk user, sandbox, managed policy):
//  1. the booth session (build/session/openbox/rc.xml): which window-closing keys kill Chromium
//     (expected: none, openbox grabs them);
//  2. the same session without openbox's key bindings (Chromium --kiosk alone): for each key that
//     kills the window, N samples of key → attract again, each on a fresh kiosk (a first failure
//     is relaunched at once), beside the anchor "cold start → attract" measured in the same run;
//  3. one kiosk killed K times in a row (the supervisor's backoff for a run shorter than a minute).
// "Attract again" = a new Chromium window, full screen with the kiosk page's title, whose page has
// reported the attract phase to main (the screen is a function of that state). Prints figures, never fails.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOTH_OPENBOX_RC, startKioskWindow, startXSession, type KioskWindow, type XSession } from '../support/xsession';

const N = Number(process.argv[2] ?? 5);
const REPEAT = 5;
const KILL_CANDIDATES = ['alt+F4', 'ctrl+w', 'ctrl+F4', 'ctrl+shift+w', 'ctrl+shift+q'];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const fmt = (xs: number[]) => (xs.length ? `p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)} (n=${xs.length})` : 'no samples');

/** Cold start: kiosk window launched → attract (ms), or throws. */
async function coldStart(x: XSession): Promise<{ k: KioskWindow; ms: number }> {
  const t0 = performance.now();
  const k = await startKioskWindow(x);
  await attractAgain(x, k, t0, 0, 60_000);
  return { k, ms: performance.now() - t0 };
}

/** Resolves when launch #`afterLaunches + 1` shows the kiosk full screen and its page reported attract after `since`. */
async function attractAgain(x: XSession, k: KioskWindow, since: number, afterLaunches: number, timeoutMs: number): Promise<number> {
  await x.until(
    async () => {
      if (k.launches.length <= afterLaunches) return false;
      if (!k.phases.some((p) => p.phase === 'attract' && p.at > since)) return false;
      const c = await x.clients();
      return c.length === 1 && c[0]!.pid === k.launches.at(-1)!.pid && c[0]!.state.includes('_NET_WM_STATE_FULLSCREEN') && /Visioguichet/.test(c[0]!.name);
    },
    (ok) => ok,
    'the kiosk back on attract',
    timeoutMs,
  );
  return performance.now() - since;
}

async function main(): Promise<void> {
  console.log(`lockdown bench: N=${N} samples per killing key, ${REPEAT} kills in a row`);

  // 1. The booth session.
  let x = await startXSession();
  try {
    const { k } = await coldStart(x);
    const killed: string[] = [];
    for (const key of KILL_CANDIDATES) {
      const before = k.launches.length;
      await x.key(key);
      await new Promise((r) => setTimeout(r, 3_000));
      if (k.launches.length !== before || (await x.clients()).length !== 1) killed.push(key);
    }
    console.log(`booth session (openbox rc.xml): ${killed.length} of ${KILL_CANDIDATES.length} window-closing keys killed the kiosk${killed.length ? `: ${killed.join(', ')}` : ''}`);
    await k.close();
  } finally {
    await x.close();
  }

  // 2 and 3. Chromium --kiosk without the window manager's key grabs.
  const dir = mkdtempSync(join(tmpdir(), 'vg-bench-openbox-'));
  const rc = join(dir, 'rc.xml');
  writeFileSync(rc, readFileSync(BOOTH_OPENBOX_RC, 'utf8').replace(/<keyboard>[\s\S]*<\/keyboard>/, '<keyboard></keyboard>'));
  x = await startXSession({ openboxConfig: rc });
  try {
    const cold: number[] = [];
    const recovery = new Map<string, number[]>();
    for (const key of KILL_CANDIDATES) {
      const samples: number[] = [];
      for (let i = 0; i < N; i++) {
        const { k, ms } = await coldStart(x);
        cold.push(ms);
        try {
          const t0 = performance.now();
          await x.key(key);
          samples.push(await attractAgain(x, k, t0, 1, 30_000));
        } catch {
          // This key does not kill the window: no point sampling it again.
          break;
        } finally {
          await k.close();
        }
      }
      if (samples.length) recovery.set(key, samples);
    }
    console.log(`without the key grabs, keys that kill the window: ${[...recovery.keys()].join(', ') || 'none'}`);
    console.log(`  anchor, cold start → attract: ${fmt(cold)}`);
    for (const [key, xs] of recovery) console.log(`  ${key} → attract again (fresh kiosk): ${fmt(xs)}`);

    const key = [...recovery.keys()][0];
    if (key) {
      const { k } = await coldStart(x);
      try {
        const row: number[] = [];
        for (let i = 0; i < REPEAT; i++) {
          const t0 = performance.now();
          const launched = k.launches.length;
          await x.key(key);
          row.push(await attractAgain(x, k, t0, launched, 90_000));
        }
        console.log(`  ${key} ${REPEAT} times in a row (supervisor backoff): ${row.map((v) => `${v.toFixed(0)} ms`).join(', ')}`);
      } finally {
        await k.close();
      }
    }
  } finally {
    await x.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error('lockdown bench failed:', err);
    process.exit(1);
  },
);
