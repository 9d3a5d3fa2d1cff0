// `./vg bench faults [N]`: calls under real network faults (test/support/fault-stack.ts: hub in its own
// namespace and process, agents' Chromium in another, the booth in the root namespace). For each of three
// faults, N trials on a fresh call each:
//   - blackout: every packet between the booth and the others dropped for 10 s;
//   - hub restart: the hub process SIGKILLed and started again on the same database;
//   - address change: the agent's address moved mid-call (its sockets break, ICE restarts).
// A trial survives when, within 75 s of the network being back, the kiosk decodes new frames of the same
// call and the agent still holds that call. Printed: survivals, and time from network back to the first
// new decoded frame on the kiosk (p50/p95; for the hub restart, media never stops, so the longest stall
// during the restart is printed instead). Prints figures, never fails.
import { frameSampler, framesOf, openCall, startFaultStack, type FaultStack, type OpenCall } from '../support/fault-stack';
import { netLabAvailable } from '../support/netns';

type Fault = 'blackout' | 'hubRestart' | 'addressChange';

interface Trial {
  survived: boolean;
  /** ms from network back to the first new kiosk frame (blackout, address change), or longest stall (hub restart). */
  ms: number | null;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sameCallAlive(c: OpenCall, framesBefore: number, timeoutMs: number): Promise<boolean> {
  try {
    await c.kiosk.waitForFunction(
      (n) => (document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > n + 10,
      framesBefore,
      { timeout: timeoutMs },
    );
    const id = await c.agent.evaluate(() => document.querySelector<HTMLElement>('[data-call-id]')?.dataset.callId ?? '');
    const onCall = await c.kiosk.getByTestId('screen-inCall').isVisible();
    return id === c.callId && onCall;
  } catch {
    return false;
  }
}

async function trial(s: FaultStack, fault: Fault): Promise<Trial> {
  const c = await openCall(s);
  const sampler = frameSampler(c.kiosk, 100);
  try {
    await sleep(1_000);
    let backAt: number;
    if (fault === 'blackout') {
      await s.kioskBlackout(true);
      await sleep(10_000);
      backAt = Date.now();
      await s.kioskBlackout(false);
    } else if (fault === 'hubRestart') {
      backAt = Date.now();
      await s.killHub();
      await sleep(2_000);
      await s.startHub();
    } else {
      backAt = Date.now();
      await s.lab.renumber('agent');
    }
    const survived = await sameCallAlive(c, await framesOf(c.kiosk), 75_000);
    await sampler.stop();
    const ms = fault === 'hubRestart' ? sampler.longestStall(backAt) : sampler.firstNewAfter(backAt);
    // Leave the line clean for the next trial: the agent hangs up (the kiosk reaches the survey, or not).
    await c.agent.getByTestId('end-call').click({ timeout: 5_000 }).catch(() => {});
    await sleep(1_000);
    return { survived, ms };
  } catch (e) {
    await sampler.stop();
    if (fault === 'blackout') await s.kioskBlackout(false).catch(() => {});
    return { survived: false, ms: null, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  } finally {
    await c.close();
  }
}

function pct(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 3);
  if (!(await netLabAvailable())) {
    console.log('faults bench: needs root, iproute2 and iptables (source scripts/setup.sh as root); nothing measured');
    return;
  }
  const s = await startFaultStack({ agents: 1 });
  const results: Record<Fault, Trial[]> = { blackout: [], hubRestart: [], addressChange: [] };
  try {
    for (let i = 0; i < n; i++) {
      for (const fault of Object.keys(results) as Fault[]) {
        const t = await trial(s, fault).catch((e: unknown) => ({ survived: false, ms: null, error: e instanceof Error ? e.message.split('\n')[0] : String(e) }));
        results[fault].push(t);
        console.log(`trial ${i + 1}/${n} ${fault}: ${t.survived ? 'survived' : 'lost'}${t.ms !== null ? ` ${t.ms} ms` : ''}${t.error ? ` (${t.error})` : ''}`);
      }
    }
  } finally {
    await s.close();
  }
  console.log(`\nfaults bench, ${n} trials each (load ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
  for (const [fault, ts] of Object.entries(results)) {
    const ms = ts.filter((t) => t.survived && t.ms !== null).map((t) => t.ms!);
    const what = fault === 'hubRestart' ? 'longest kiosk frame stall during the restart' : 'network back → first new kiosk frame';
    console.log(`${fault.padEnd(14)} survived ${ts.filter((t) => t.survived).length}/${ts.length}; ${what}: p50 ${pct(ms, 50) ?? '—'} ms, p95 ${pct(ms, 95) ?? '—'} ms`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
