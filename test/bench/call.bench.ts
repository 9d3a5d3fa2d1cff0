// Walk-up call benchmark: N calls through the real hub on loopback, kiosk and agent pages in Debian's
// Chromium with fake media. Prints p50/p95 of
//   (a) citizen touches "Continuer" (the call request) → the agent's ring panel is shown;
//   (b) agent touches "Accepter" → first decoded remote frame on the kiosk;
// beside the raw WebRTC floor measured in the same run (two RTCPeerConnections in one page).
// Figures only: it never fails on a timing. Usage: ./vg bench call [calls=20] [browsers=1|2]
// (2: the agent's page in a second Chromium, as in an office, where no camera is shared between them).
import { loadavg } from 'node:os';
import { agentReady, launchTestBrowser, startStack } from '../support/stack';
import { clearSteps, readSteps, timelineInitScript } from './call-timeline';
import { openFloor, percentile } from './webrtc-floor';

const calls = Number(process.argv[2] ?? 20);
const browsers = Number(process.argv[3] ?? 1) === 2 ? 2 : 1;

async function main(): Promise<void> {
  const browser = await launchTestBrowser();
  const agentBrowser = browsers === 2 ? await launchTestBrowser() : browser;
  const stack = await startStack({
    agents: 1,
    publicConfig: { timers: { idleMs: 600_000, idleCountdownMs: 15_000, waitTimeoutMs: 600_000, thankYouMs: 200, declinedMs: 2_000 } },
  });
  try {
    // tsx keeps function names with an `__name` helper that page functions do not have.
    const keepNames = `window.__name = (f) => f;`;
    const agent = await (await agentBrowser.newContext()).newPage();
    await agent.addInitScript(keepNames);
    await agent.addInitScript(timelineInitScript);
    await agentReady(agent, stack.agentUrl, stack.agents[0]!);
    const kiosk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await kiosk.addInitScript(keepNames);
    await kiosk.addInitScript(timelineInitScript);
    await kiosk.goto(stack.kioskUrl);

    const floorPage = await openFloor(browser, `${keepNames}\n${timelineInitScript}`);
    const floorSteps = new Map<string, number[]>();
    const ring: number[] = [];
    const firstFrame: number[] = [];
    const floor: number[] = [];
    let bothWays = 0;
    const steps = new Map<string, number[]>();
    /** Prints the figures of the calls done so far (every 20 calls too: a long run cut short still says something). */
    const report = (done: number, final: boolean) => {
      const fmt = (v: number) => `${v.toFixed(1)} ms`;
      const row = (name: string, v: number[]) => `${name.padEnd(52)} p50 ${fmt(percentile(v, 50)).padStart(10)}   p95 ${fmt(percentile(v, 95)).padStart(10)}`;
      console.log(`\nVisioguichet call benchmark — ${done}${final ? '' : ` of ${calls}`} calls through the hub on loopback (Debian Chromium, fake media, ${browsers === 2 ? 'kiosk and agent in two browsers' : 'kiosk and agent in one browser'}); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      console.log(`calls with video both ways: ${bothWays}/${done}`);
      console.log(row('(a) touch "Continuer" → agent ring shown', ring));
      console.log(row('(b) agent accept → first remote frame on kiosk', firstFrame));
      console.log(row('    raw WebRTC floor (2 peers, one page, interleaved)', floor));
      console.log(`(b)/floor ratio: p50 ${(percentile(firstFrame, 50) / percentile(floor, 50)).toFixed(2)}×   p95 ${(percentile(firstFrame, 95) / percentile(floor, 95)).toFixed(2)}×`);
      console.log('targets: (a) p95 ≤ 100 ms; (b) ≤ 1.3× the floor');
      const table = (title: string, m: Map<string, number[]>) => {
        console.log(`\n${title} (ms; n = runs where the step was seen)`);
        for (const [name, v] of [...m].sort((x, y) => percentile(x[1], 50) - percentile(y[1], 50))) {
          console.log(`${name.padEnd(44)} p50 ${percentile(v, 50).toFixed(1).padStart(8)}   p95 ${percentile(v, 95).toFixed(1).padStart(8)}   n ${v.length}`);
        }
      };
      if (!final) return;
      table("call: steps after the agent's click", steps);
      table('floor: steps after the start of negotiation', floorSteps);
    };
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
        const w = window as unknown as { __ringAt?: number; __ringObs?: MutationObserver };
        delete w.__ringAt;
        w.__ringObs?.disconnect();
        const panel = document.querySelector<HTMLElement>('[data-testid="ring-panel"]')!;
        const check = () => {
          if (w.__ringAt === undefined && panel.offsetParent !== null) w.__ringAt = performance.timeOrigin + performance.now();
        };
        w.__ringObs = new MutationObserver(check);
        w.__ringObs.observe(document.body, { subtree: true, attributes: true, childList: true });
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
        const w = window as unknown as { __frameAt?: number; __frameObs?: MutationObserver; __frameDone?: Promise<void>; __frameResolve?: () => void };
        delete w.__frameAt;
        w.__frameObs?.disconnect();
        w.__frameDone = new Promise<void>((r) => (w.__frameResolve = r));
        let hooked: HTMLVideoElement | null = null;
        const hook = () => {
          const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
          if (!v || v === hooked) return;
          hooked = v;
          v.requestVideoFrameCallback((_now, meta) => {
            if (w.__frameAt !== undefined) return;
            w.__frameAt = performance.timeOrigin + performance.now();
            // When the frame's last packet arrived, and when it was decoded: network vs decode/render.
            const st = (window as unknown as { __vgStamp?: (n: string, at?: number) => void }).__vgStamp;
            if (meta.receiveTime !== undefined) st?.('frame.received (rVFC receiveTime)', performance.timeOrigin + meta.receiveTime);
            st?.('frame.presented (rVFC)', w.__frameAt);
            w.__frameResolve?.();
          });
        };
        hook();
        w.__frameObs = new MutationObserver(hook);
        w.__frameObs.observe(document.body, { subtree: true, childList: true });
      });
      await agent.waitForTimeout(50);
      await clearSteps(agent);
      await clearSteps(kiosk);
      const acceptedAt = await agent.evaluate(() => {
        const t = performance.timeOrigin + performance.now();
        document.querySelector<HTMLElement>('[data-testid="ring-accept"]')!.click();
        return t;
      });
      // A promise the frame callback resolves, not waitForFunction: its requestAnimationFrame polling
      // made the kiosk page render a frame every vsync during the very setup being measured.
      // A call with no frame within a minute is counted and the run goes on (hang up, next call).
      const kioskSees = await kiosk
        .evaluate(() =>
          Promise.race([
            (window as unknown as { __frameDone: Promise<void> }).__frameDone,
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no remote frame within 60 s')), 60_000)),
          ]),
        )
        .then(() => true)
        .catch(async () => {
        const state = await kiosk.evaluate(() => {
          const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
          return `${document.body.dataset.state}/${document.body.dataset.substate}; remote video: ${v ? `${v.videoWidth}x${v.videoHeight}, frames ${v.getVideoPlaybackQuality().totalVideoFrames}, paused ${v.paused}, src ${String(v.srcObject)}` : 'none'}`;
        });
        const stats = async (p: typeof kiosk) =>
          p.evaluate(async () => {
            const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
            const pc = pcs[pcs.length - 1];
            if (!pc) return 'no pc';
            const out: string[] = [`pcs ${pcs.length} (${pcs.filter((x) => x.signalingState !== 'closed').length} not closed) conn ${pc.connectionState} ice ${pc.iceConnectionState}`];
            for (const s of pc.getSenders()) out.push(`sender ${s.track?.kind} ${s.track?.readyState} enabled ${s.track?.enabled} muted ${s.track?.muted}`);
            for (const r of pc.getReceivers()) out.push(`receiver ${r.track.kind} ${r.track.readyState} muted ${r.track.muted}`);
            (await pc.getStats()).forEach((st: Record<string, unknown>) => {
              if (st.type === 'inbound-rtp' || st.type === 'outbound-rtp') out.push(`${String(st.type)} ${String(st.kind)} bytes ${String(st.bytesReceived ?? st.bytesSent)} frames ${String(st.framesDecoded ?? st.framesEncoded ?? '-')} ${String(st.qualityLimitationReason ?? '')}`);
            });
            const selfV = document.querySelector<HTMLVideoElement>('[data-testid="self-video"]');
            const f0 = selfV?.getVideoPlaybackQuality().totalVideoFrames ?? -1;
            await new Promise((r) => setTimeout(r, 700));
            const f1 = selfV?.getVideoPlaybackQuality().totalVideoFrames ?? -1;
            const local = selfV?.srcObject instanceof MediaStream ? selfV.srcObject.getVideoTracks().map((t) => `${t.label} ${t.readyState} muted ${t.muted}`).join(',') : 'no src';
            out.push(`self-view frames ${f0} -> ${f1} (${local})`);
            return out.join('\n  ');
          });
        console.error(`call ${i + 1}: no remote frame on the kiosk within 60 s (${state})\nkiosk:\n  ${await stats(kiosk)}\nagent:\n  ${await stats(agent)}`);
          return false;
        });
      if (kioskSees) {
        const frameAt = await kiosk.evaluate(() => (window as unknown as { __frameAt: number }).__frameAt);
        firstFrame.push(frameAt - acceptedAt);
        for (const [side, page] of [['agent', agent], ['kiosk', kiosk]] as const) {
          for (const s of await readSteps(page)) {
            const key = `${side} ${s.name}`;
            (steps.get(key) ?? steps.set(key, []).get(key)!).push(s.at - acceptedAt);
          }
        }
      }
      // The other way: the agent decodes the citizen's video too (a call with one-way video is not counted).
      const agentSees = await agent
        .waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0, undefined, { timeout: 60_000, polling: 50 })
        .then(() => true, () => false);
      if (agentSees && kioskSees) bothWays++;
      else if (!agentSees) console.error(`call ${i + 1}: the agent decoded no frame of the citizen's video`);

      await agent.getByTestId('end-call').click();
      await kiosk.getByTestId('survey-skip').click({ timeout: 10_000 }).catch(async (err: unknown) => {
        const state = await kiosk.evaluate(() => `${document.body.dataset.state}/${document.body.dataset.substate}: ${document.body.innerText.slice(0, 200)}`);
        throw new Error(`call ${i + 1}: the kiosk did not reach the survey (${state})`, { cause: err });
      });
      await agent.waitForFunction(() => document.body.dataset.agentState === 'available');
      // One floor run per call, so both see the same machine load.
      floor.push(await floorPage.measure());
      for (const s of await floorPage.lastSteps()) (floorSteps.get(s.name) ?? floorSteps.set(s.name, []).get(s.name)!).push(s.at);
      if ((i + 1) % 20 === 0 && i + 1 < calls) report(i + 1, false);
    }
    await floorPage.close();
    report(calls, true);
  } finally {
    await stack.close();
    await browser.close();
    if (agentBrowser !== browser) await agentBrowser.close();
  }
}

await main();
