// Waiting in line, end to end (real hub, kiosk page, agent console): the idle prompt never throws a
// quiet citizen out of the line, the line says "no agent available now" instead of an estimate
// while the only agent is away, and the presence sensor (simulated twin) frees the booth of someone
// who walked away. Nine minutes pass on the kiosk page's clock (Playwright page.clock), not in real time.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screen, useE2ESession } from '../support/e2e';
import { sim, until } from '../support/booth';
import { walkToLine } from '../support/walk';
import type { Stack, StackOptions } from '../support/stack';

const e2e = useE2ESession();
const MIN = 60_000;
/** Minutes of page time in many jumps, two browsers and a hub on a loaded machine: not a timing check. */
const LONG = 300_000;

async function page(): Promise<Page> {
  return (await e2e.context()).newPage();
}

/** The kiosk page on a Playwright clock (installed before the page loads, so the session machine's timers use it). */
async function kioskPage(s: Stack): Promise<Page> {
  const k = await page();
  await k.clock.install();
  await k.goto(s.kioskUrl);
  await screen(k, 'attract');
  return k;
}

/** An agent signed in but away (the console starts away): the line has nobody to answer. */
async function agentAway(s: Stack): Promise<Page> {
  const a = await page();
  await a.goto(s.agentUrl);
  await a.getByTestId('login-username').fill(s.agents[0]!.username);
  await a.getByTestId('login-password').fill(s.agents[0]!.password);
  await a.getByTestId('login-submit').click();
  await a.waitForFunction(() => document.body.dataset.agentState === 'away');
  return a;
}

/**
 * Moves the kiosk page's clock forward in 15 s jumps (page.clock.fastForward: every timer due in a
 * jump fires once, so the camera-health sampler's twice-a-second interval does not fire 1,000 times;
 * the machine's chained timers each start in the jump after the one that scheduled them), letting
 * real I/O (bridge, hub) settle between jumps; `each` runs after every jump.
 */
async function runFor(k: Page, ms: number, each?: (elapsedMs: number) => Promise<void>): Promise<void> {
  for (let t = 0; t < ms; ) {
    const step = Math.min(15_000, ms - t);
    await k.clock.fastForward(step);
    t += step;
    await each?.(t);
  }
}

const queued = (s: Stack) => Object.values(s.hub.dispatcher.snapshot().queues).flat();

function stack(opts: StackOptions = {}): Promise<Stack> {
  // The shipped timers (idle prompt after 60 s, 15 s countdown, 30 min untouched limit, 2 min presence): only the schedule is the stack's.
  return e2e.stack({ agents: 1, ...opts });
}

describe('waiting in line', () => {
  it('a citizen who does not touch the screen for 9 minutes keeps their place and is answered', async () => {
    const s = await stack();
    const agent = await agentAway(s);
    const k = await kioskPage(s);
    await walkToLine(k);
    // The only agent is away: no made-up estimate.
    await k.waitForSelector('[data-testid="queue-estimate"][data-no-agent="true"]');
    expect(queued(s)).toHaveLength(1);

    let promptSeen = false;
    await runFor(k, 9 * MIN, async (elapsed) => {
      expect(await k.evaluate(() => document.body.dataset.state), `screen after ${elapsed / 1000} s`).toBe('waiting');
      if (elapsed >= 75_000 && !promptSeen) {
        // The prompt (and its chime) came and its countdown ran out: it stays up, saying the place is kept.
        expect(await k.getByTestId('idle-keeps-place').isVisible()).toBe(true);
        expect(await k.getByTestId('idle-countdown').count()).toBe(0);
        promptSeen = true;
      }
    });
    expect(promptSeen).toBe(true);
    expect(queued(s)).toHaveLength(1);

    // The agent comes back: the estimate returns, then the ring, and the citizen is answered.
    await agent.getByTestId('status-available').click();
    await agent.getByTestId('ring-panel').waitFor({ state: 'visible' });
    await agent.getByTestId('ring-accept').click();
    await screen(k, 'inCall');
    await k.waitForSelector('[data-testid="call-state"][data-call-state="connected"]', { timeout: 20_000 });
    expect(await k.evaluate(() => document.body.dataset.overlay)).toBe('');
    const calls = s.hub.db.recentCalls();
    expect(calls).toHaveLength(1);
    await agent.getByTestId('end-call').click();
    await screen(k, 'survey');
  }, LONG);

  it('without a touch for the untouched limit, the booth gives the place up (the hub forgets the call)', async () => {
    // A 4-minute limit stands in for the shipped 30 (common/session/waiting.test.ts walks those on a simulated clock).
    const s = await stack({ publicConfig: { timers: { waitingLimitMs: 4 * MIN } } });
    await agentAway(s);
    const k = await kioskPage(s);
    await walkToLine(k);
    await runFor(k, 3 * MIN + 45_000);
    expect(await k.evaluate(() => document.body.dataset.state)).toBe('waiting');
    await runFor(k, 30_000);
    await screen(k, 'attract');
    await until(() => queued(s), (q) => q.length === 0, 'the queued call cancelled at the hub');
    expect(s.hub.db.recentCalls().map((c) => c.outcome)).toEqual(['cancelled']);
  }, LONG);

  it('presence sensor: nobody for 2 minutes and the prompt unanswered → the place is given up; someone there → kept', async () => {
    const s = await stack({ hardware: 'simulated' });
    await agentAway(s);
    const k = await kioskPage(s);
    await walkToLine(k);
    await sim(s, { action: 'presence', present: true });
    // Someone in front of the booth who does not touch it: the place is kept past the prompt.
    await runFor(k, 5 * MIN);
    expect(await k.evaluate(() => document.body.dataset.state)).toBe('waiting');
    // They walk away: two minutes of nobody with the prompt unanswered frees the booth.
    await sim(s, { action: 'presence', present: false });
    await k.waitForFunction(() => document.body.dataset.substate === 'absent');
    await runFor(k, 2 * MIN);
    await screen(k, 'attract');
    await until(() => queued(s), (q) => q.length === 0, 'the queued call cancelled at the hub');
  }, LONG);
});
