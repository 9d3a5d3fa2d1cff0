// A citizen's walk-up video visit, end to end, through a real hub on loopback, in Debian's
// Chromium with fake camera and microphone — kiosk page (browser runtime, real bridge) and agent
// console page (served by the hub).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { assertWiped, recordStreams, screen, useE2ESession } from '../support/e2e';
import { agentReady, neverOpen, type Stack, type StackOptions } from '../support/stack';

const e2e = useE2ESession();

const stack = (opts: StackOptions = {}): Promise<Stack> => e2e.stack(opts);
const page = async (): Promise<Page> => (await e2e.context()).newPage();

/** The kiosk page, with every MediaStream it acquires recorded so the test can check they were stopped. */
async function kioskPage(s: Stack): Promise<Page> {
  const p = await page();
  await recordStreams(p);
  await p.goto(s.kioskUrl);
  await p.getByTestId('screen-attract').waitFor();
  return p;
}


/** attract → language → service → walk-in (or appointment code) → consent → device check → waiting. */
async function walkIn(k: Page, lang: 'fr' | 'en', service: string, appointmentCode?: string): Promise<void> {
  await k.getByTestId('attract-start').click();
  await screen(k, 'language');
  await k.getByTestId(`lang-${lang}`).click();
  await screen(k, 'service');
  await k.getByTestId(`service-${service}`).click();
  await screen(k, 'visitType');
  if (appointmentCode) {
    await k.getByTestId('visit-appointment').click();
    await screen(k, 'appointmentCode');
    for (const c of appointmentCode) await k.getByTestId(`key-${c}`).click();
    expect(await k.getByTestId('code-display').innerText()).toContain(appointmentCode);
    await k.getByTestId('code-submit').click();
  } else {
    await k.getByTestId('visit-walkin').click();
  }
  await screen(k, 'consent');
  await k.getByTestId('consent-accept').click();
  await screen(k, 'deviceCheck');
  await k.waitForSelector('[data-testid="devices-continue"]:not([disabled])');
  await k.getByTestId('devices-continue').click();
  await screen(k, 'waiting');
}

/** Decoded frames of a <video>, sampled twice: returns [before, after, width, height]. */
async function framesAdvance(p: Page, testid: string): Promise<{ before: number; after: number; width: number; height: number }> {
  await p.waitForFunction((id) => {
    const v = document.querySelector<HTMLVideoElement>(`[data-testid="${id}"]`);
    return !!v && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
  }, testid, { timeout: 20_000 });
  const sample = () =>
    p.evaluate((id) => {
      const v = document.querySelector<HTMLVideoElement>(`[data-testid="${id}"]`)!;
      return { frames: v.getVideoPlaybackQuality().totalVideoFrames, width: v.videoWidth, height: v.videoHeight };
    }, testid);
  const a = await sample();
  await p.waitForFunction(
    ({ id, n }) => document.querySelector<HTMLVideoElement>(`[data-testid="${id}"]`)!.getVideoPlaybackQuality().totalVideoFrames > n + 5,
    { id: testid, n: a.frames },
    { timeout: 20_000 },
  );
  const b = await sample();
  return { before: a.frames, after: b.frames, width: b.width, height: b.height };
}

const remoteAudioTracks = (p: Page) =>
  p.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
    return v?.srcObject instanceof MediaStream ? v.srcObject.getAudioTracks().filter((t) => t.readyState === 'live').length : 0;
  });


describe('walk-up video visit', () => {
  it('citizen → agent: ring with context, live video and audio both ways, agent ends, survey, reset leaves nothing', async () => {
    const s = await stack({ agents: 1, publicConfig: { timers: { idleMs: 120_000, idleCountdownMs: 15_000, waitTimeoutMs: 120_000, thankYouMs: 1_500, declinedMs: 2_000 } } });
    const agent = await page();
    await agentReady(agent, s.agentUrl, s.agents[0]!);
    const k = await kioskPage(s);

    await walkIn(k, 'en', 'immigration');
    await agent.getByTestId('ring-panel').waitFor({ state: 'visible' });
    expect(await agent.getByTestId('ring-service').getAttribute('data-value')).toBe('immigration');
    expect(await agent.getByTestId('ring-language').getAttribute('data-value')).toBe('en');
    expect(await agent.getByTestId('ring-kiosk').innerText()).toContain('Kiosque E2E');
    await agent.getByTestId('ring-accept').click();

    await screen(k, 'inCall');
    await k.waitForSelector('[data-testid="call-state"][data-call-state="connected"]', { timeout: 20_000 });
    const kioskSees = await framesAdvance(k, 'remote-video');
    const agentSees = await framesAdvance(agent, 'remote-video');
    expect(kioskSees.after).toBeGreaterThan(kioskSees.before);
    expect(kioskSees.width).toBeGreaterThan(0);
    expect(agentSees.after).toBeGreaterThan(agentSees.before);
    expect(agentSees.height).toBeGreaterThan(0);
    await k.waitForFunction(() => {
      const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
      return v?.srcObject instanceof MediaStream && v.srcObject.getAudioTracks().length > 0;
    });
    expect(await remoteAudioTracks(k)).toBeGreaterThan(0);
    expect(await remoteAudioTracks(agent)).toBeGreaterThan(0);

    await agent.getByTestId('end-call').click();
    await screen(k, 'survey');
    await agent.waitForFunction(() => document.body.dataset.agentState === 'available');
    // The agent's own camera is released when the call ends.
    expect(await agent.evaluate(() => document.querySelectorAll('video').length === 0 || [...document.querySelectorAll('video')].every((v) => !(v.srcObject instanceof MediaStream) || v.srcObject.getTracks().every((t) => t.readyState === 'ended')))).toBe(true);

    await k.getByTestId('survey-rating-4').click();
    for (const c of 'MERCI') await k.getByTestId(`kbd-${c}`).click();
    await k.getByTestId('survey-submit').click();
    await screen(k, 'thanks');
    expect(await k.getByTestId('complaint').innerText()).toMatch(/\S/);
    await assertWiped(k, ['Immigration', 'merci', 'MERCI']);
    // The hub logged the call with its outcome.
    expect(s.hub.db.recentCalls().map((c) => c.outcome)).toEqual(['agent_hangup']);
  });

  it('a declined ring goes to the next available agent, with the appointment code in the ring', async () => {
    const s = await stack({ agents: 2 });
    const a1 = await page();
    await agentReady(a1, s.agentUrl, s.agents[0]!);
    const a2 = await page();
    await agentReady(a2, s.agentUrl, s.agents[1]!);
    const k = await kioskPage(s);

    await walkIn(k, 'fr', 'emploi', '204815');
    // Agent 1 has been available longest: rung first.
    await a1.getByTestId('ring-panel').waitFor({ state: 'visible' });
    expect(await a2.getByTestId('ring-panel').isVisible()).toBe(false);
    await a1.getByTestId('ring-decline').click();
    await a2.getByTestId('ring-panel').waitFor({ state: 'visible' });
    expect(await a2.getByTestId('ring-service').getAttribute('data-value')).toBe('emploi');
    expect(await a2.getByTestId('ring-code').getAttribute('data-value')).toBe('204815');
    await a2.getByTestId('ring-accept').click();
    await k.waitForSelector('[data-testid="call-state"][data-call-state="connected"]', { timeout: 20_000 });
    await k.getByTestId('call-end').click();
    await screen(k, 'survey');
    await k.getByTestId('survey-skip').click();
    await assertWiped(k, ['204815', 'Emploi']);
    await a2.waitForFunction(() => document.body.dataset.agentState === 'available');
  });

  it('no agent available: the citizen waits in line, then is told plainly and offered a retry and the toll-free number', async () => {
    const s = await stack({ agents: 1, publicConfig: { timers: { idleMs: 120_000, idleCountdownMs: 15_000, waitTimeoutMs: 4_000, thankYouMs: 1_500, declinedMs: 2_000 } } });
    const k = await kioskPage(s);
    await walkIn(k, 'fr', 'solidarite');
    await k.waitForSelector('[data-testid="queue-position"][data-position="1"]');
    await screen(k, 'callFailed');
    expect(await k.getByTestId('failed-reason').innerText()).toMatch(/\S/);
    expect(await k.getByTestId('tollfree').innerText()).toContain('1 877');
    await k.getByTestId('btn-retry').waitFor();
    // The hub no longer holds the call: the kiosk cancelled it.
    await expect.poll(() => s.hub.db.recentCalls().map((c) => c.outcome)).toEqual(['cancelled']);
    await k.getByTestId('btn-home').click();
    await assertWiped(k, ['Solidarité sociale']);
  });

  it('idle anywhere outside a call: "Êtes-vous encore là ?" with a countdown, then reset', async () => {
    const s = await stack({ publicConfig: { timers: { idleMs: 1_500, idleCountdownMs: 3_000, waitTimeoutMs: 120_000, thankYouMs: 1_500, declinedMs: 2_000 } } });
    const k = await kioskPage(s);
    await k.getByTestId('attract-start').click();
    await k.getByTestId('lang-fr').click();
    await k.getByTestId('service-immigration').click();
    await screen(k, 'visitType');
    await k.getByTestId('screen-idle').waitFor({ timeout: 10_000 });
    expect(await k.getByTestId('screen-idle').innerText()).toContain('Êtes-vous encore là');
    const first = Number(await k.getByTestId('idle-countdown').innerText().then((t) => t.match(/\d+/)?.[0]));
    expect(first).toBeGreaterThan(0);
    await assertWiped(k, ['Immigration']);
  });

  it('outside opening hours: the closed screen shows the hours and the toll-free number', async () => {
    const s = await stack({ publicConfig: { schedule: neverOpen } });
    const p = await page();
    await p.goto(s.kioskUrl);
    await screen(p, 'closed');
    const text = await p.getByTestId('screen-closed').innerText();
    expect(text).toContain('1 877 644-4545');
    await p.getByTestId('closed-schedule').waitFor();
  });

  it('consent refused: toll-free number and hours, then back to attract, camera never opened', async () => {
    const s = await stack({ publicConfig: { timers: { idleMs: 120_000, idleCountdownMs: 15_000, waitTimeoutMs: 120_000, thankYouMs: 1_500, declinedMs: 2_000 } } });
    const k = await kioskPage(s);
    await k.getByTestId('attract-start').click();
    await k.getByTestId('lang-fr').click();
    await k.getByTestId('service-emploi').click();
    await k.getByTestId('visit-walkin').click();
    await screen(k, 'consent');
    await k.getByTestId('consent-refuse').click();
    await screen(k, 'declined');
    expect(await k.getByTestId('tollfree').innerText()).toContain('1 877 644-4545');
    await assertWiped(k, ['Emploi']);
    expect(await k.evaluate(() => (window as unknown as { __streams: MediaStream[] }).__streams.length)).toBe(0);
  });
});
