// Benchmark (issue 2): N calls through the real hub on loopback, kiosk and agent pages in Debian's
// Chromium with fake media. Prints p50/p95 of
//   (a) citizen touches "Continuer" (the call request) → the agent's ring panel is shown;
//   (b) agent touches "Accepter" → first decoded remote frame on the kiosk;
// beside the raw WebRTC floor measured in the same run (two RTCPeerConnections in one page).
// Figures only: it never fails on a timing. Usage: ./vg bench call [calls=20]
import { agentReady, launchTestBrowser, startStack } from '../support/stack';
import { openFloor, percentile } from './webrtc-floor';

const calls = Number(process.argv[2] ?? 20);

async function main(): Promise<void> {
  const browser = await launchTestBrowser();
  const stack = await startStack({
    agents: 1,
    publicConfig: { timers: { idleMs: 600_000, idleCountdownMs: 15_000, waitTimeoutMs: 600_000, thankYouMs: 200, declinedMs: 2_000 } },
  });
  try {
    // tsx keeps function names with an `__name` helper that page functions do not have.
    const keepNames = 'window.__name = (f) => f';
    const agent = await (await browser.newContext()).newPage();
    await agent.addInitScript(keepNames);
    await agentReady(agent, stack.agentUrl, stack.agents[0]!);
    const kiosk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await kiosk.addInitScript(keepNames);
    await kiosk.goto(stack.kioskUrl);

    const floorPage = await openFloor(browser);
    const ring: number[] = [];
    const firstFrame: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < calls; i++) {
      await kiosk.getByTestId('screen-attract').waitFor();
      await kiosk.getByTestId('attract-start').click();
      await kiosk.getByTestId('lang-fr').click();
      await kiosk.getByTestId('service-emploi').click();
      await kiosk.getByTestId('visit-walkin').click();
      await kiosk.getByTestId('consent-accept').click();
      await kiosk.waitForSelector('[data-testid="devices-continue"]:not([disabled])');
      await kiosk.waitForTimeout(400); // past the screen's double-tap guard

      // (a) The agent page notes when the ring panel becomes visible (a MutationObserver fires
      // right after the DOM change); the kiosk notes the instant of the touch.
      await agent.evaluate(() => {
        const w = window as unknown as { __ringAt?: number };
        delete w.__ringAt;
        const panel = document.querySelector<HTMLElement>('[data-testid="ring-panel"]')!;
        const check = () => {
          if (w.__ringAt === undefined && panel.offsetParent !== null) w.__ringAt = performance.timeOrigin + performance.now();
        };
        new MutationObserver(check).observe(document.body, { subtree: true, attributes: true, childList: true });
      });
      const touchedAt = await kiosk.evaluate(() => {
        const t = performance.timeOrigin + performance.now();
        document.querySelector<HTMLElement>('[data-testid="devices-continue"]')!.click();
        return t;
      });
      await agent.waitForFunction(() => (window as unknown as { __ringAt?: number }).__ringAt !== undefined, undefined, { timeout: 20_000 });
      ring.push((await agent.evaluate(() => (window as unknown as { __ringAt: number }).__ringAt)) - touchedAt);

      // (b) The kiosk registers a video-frame callback on the remote <video> as soon as it exists.
      await kiosk.evaluate(() => {
        const w = window as unknown as { __frameAt?: number };
        delete w.__frameAt;
        let hooked: HTMLVideoElement | null = null;
        const hook = () => {
          const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
          if (!v || v === hooked) return;
          hooked = v;
          v.requestVideoFrameCallback(() => {
            w.__frameAt ??= performance.timeOrigin + performance.now();
          });
        };
        hook();
        new MutationObserver(hook).observe(document.body, { subtree: true, childList: true });
      });
      await agent.waitForTimeout(50);
      const acceptedAt = await agent.evaluate(() => {
        const t = performance.timeOrigin + performance.now();
        document.querySelector<HTMLElement>('[data-testid="ring-accept"]')!.click();
        return t;
      });
      await kiosk.waitForFunction(() => (window as unknown as { __frameAt?: number }).__frameAt !== undefined, undefined, { timeout: 20_000 });
      firstFrame.push((await kiosk.evaluate(() => (window as unknown as { __frameAt: number }).__frameAt)) - acceptedAt);

      await agent.getByTestId('end-call').click();
      await kiosk.getByTestId('survey-skip').click({ timeout: 10_000 }).catch(async (err: unknown) => {
        const state = await kiosk.evaluate(() => `${document.body.dataset.state}/${document.body.dataset.substate}: ${document.body.innerText.slice(0, 200)}`);
        throw new Error(`call ${i + 1}: the kiosk did not reach the survey (${state})`, { cause: err });
      });
      await agent.waitForFunction(() => document.body.dataset.agentState === 'available');
      // One floor run per call, so both see the same machine load.
      floor.push(await floorPage.measure());
    }
    await floorPage.close();

    const fmt = (v: number) => `${v.toFixed(1)} ms`;
    const row = (name: string, v: number[]) => `${name.padEnd(52)} p50 ${fmt(percentile(v, 50)).padStart(10)}   p95 ${fmt(percentile(v, 95)).padStart(10)}`;
    console.log(`\nVisioguichet call benchmark — ${calls} calls through the hub on loopback (Debian Chromium, fake media)`);
    console.log(row('(a) touch "Continuer" → agent ring shown', ring));
    console.log(row('(b) agent accept → first remote frame on kiosk', firstFrame));
    console.log(row('    raw WebRTC floor (2 peers, one page, interleaved)', floor));
    console.log(`(b)/floor ratio: p50 ${(percentile(firstFrame, 50) / percentile(floor, 50)).toFixed(2)}×   p95 ${(percentile(firstFrame, 95) / percentile(floor, 95)).toFixed(2)}×`);
    console.log('targets: (a) p95 ≤ 100 ms; (b) ≤ 1.3× the floor');
  } finally {
    await stack.close();
    await browser.close();
  }
}

await main();
