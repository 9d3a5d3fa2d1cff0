// Audio-only visits, end to end (real hub, kiosk page, agent console, Chromium's fake devices): a
// camera refused turns into an audio call instead of only a phone number, and a citizen may consent
// to the microphone alone. The agent is told before answering, and hears the citizen (WebRTC stats).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { inboundAudioPackets, installPeerRecorder, until } from '../support/booth';
import { recordStreams, screen, useE2ESession } from '../support/e2e';
import { agentReady, type Stack } from '../support/stack';
import { passDeviceCheck, walkToConsent } from '../support/walk';

const e2e = useE2ESession();
/** Two browsers, a hub and a WebRTC call on a loaded 2-core machine: not a timing check. */
const LONG = 300_000;

async function page(): Promise<Page> {
  return (await e2e.context()).newPage();
}

/**
 * The kiosk page; with `refuseCamera`, any request that includes video is refused like a denied
 * permission (a page-level override in this test only: the product asks the real browser).
 */
async function kioskPage(s: Stack, o: { refuseCamera?: boolean } = {}): Promise<Page> {
  const k = await page();
  await recordStreams(k);
  if (o.refuseCamera) {
    await k.addInitScript(() => {
      const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      const w = window as unknown as { __asked: MediaStreamConstraints[] };
      w.__asked = [];
      navigator.mediaDevices.getUserMedia = async (c) => {
        w.__asked.push(c ?? {});
        if (c?.video) throw new DOMException('Permission denied', 'NotAllowedError');
        return gum(c);
      };
    });
  }
  await k.goto(s.kioskUrl);
  await screen(k, 'attract');
  return k;
}

async function agentPage(s: Stack): Promise<Page> {
  const a = await page();
  await installPeerRecorder(a);
  await agentReady(a, s.agentUrl, s.agents[0]!);
  return a;
}

/** Device check (audio only: no self-view) → waiting → the agent's ring says audio only → answered → audio reaches the agent. */
async function audioCall(k: Page, agent: Page): Promise<void> {
  await passDeviceCheck(k, {
    onDeviceCheck: async () => {
      await k.getByTestId('audio-only').waitFor();
      expect(await k.getByTestId('self-video').count()).toBe(0);
    },
  });
  await agent.getByTestId('ring-panel').waitFor({ state: 'visible' });
  expect(await agent.getByTestId('ring-audio-only').isVisible()).toBe(true);
  expect(await agent.getByTestId('ring-interpreter').isVisible()).toBe(false);
  await agent.getByTestId('ring-accept').click();
  await screen(k, 'inCall');
  await k.waitForSelector('[data-testid="call-state"][data-call-state="connected"]', { timeout: 60_000 }).catch(async (err: unknown) => {
    const ks = await k.evaluate(() => ({ state: document.body.dataset.state, sub: document.body.dataset.substate, call: document.querySelector('[data-testid="call-state"]')?.getAttribute('data-call-state') }));
    const as = await agent.evaluate(() => ({ agent: document.body.dataset.agentState, peer: document.querySelector('[data-testid="peer-state"]')?.getAttribute('data-state'), notice: document.querySelector('[data-testid="notice"]')?.textContent }));
    throw new Error(`call not connected: kiosk ${JSON.stringify(ks)} agent ${JSON.stringify(as)}`, { cause: err });
  });
  // The agent hears the citizen: audio RTP packets arrive and keep arriving.
  const first = await until(() => inboundAudioPackets(agent), (n) => n > 0, 'audio packets at the agent', 20_000);
  await until(() => inboundAudioPackets(agent), (n) => n > first, 'more audio packets at the agent', 20_000);
  // …and no video comes from the booth.
  const remote = await agent.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]');
    const s = v?.srcObject instanceof MediaStream ? v.srcObject : null;
    return { audio: s?.getAudioTracks().length ?? 0, video: s?.getVideoTracks().length ?? 0 };
  });
  expect(remote).toEqual({ audio: 1, video: 0 });
  expect(await agent.getByTestId('call-flags').innerText()).toContain('audio');
  await agent.getByTestId('end-call').click();
  await screen(k, 'survey');
  // Every track the booth opened (microphone only) is stopped.
  expect(await k.evaluate(() => (window as unknown as { __streams: MediaStream[] }).__streams.every((s) => s.getTracks().every((t) => t.readyState === 'ended')))).toBe(true);
}

describe('audio-only calls', () => {
  it('camera refused: the booth offers an audio call, which connects and the agent hears the citizen', async () => {
    const s = await e2e.stack({ agents: 1 });
    const agent = await agentPage(s);
    const k = await kioskPage(s, { refuseCamera: true });
    await walkToConsent(k);
    await k.getByTestId('consent-accept').click();
    await screen(k, 'videoUnavailable');
    // Besides the phone number and the callback: an audio call.
    await k.getByTestId('video-audio-call').click();
    await audioCall(k, agent);
    // The camera was asked once (refused); the audio call asked for the microphone alone.
    const asked = await k.evaluate(() => (window as unknown as { __asked: MediaStreamConstraints[] }).__asked.map((c) => !!c.video));
    expect(asked[0]).toBe(true);
    expect(asked.at(-1)).toBe(false);
  }, LONG);

  it('consent to the microphone only: no camera is opened at all', async () => {
    const s = await e2e.stack({ agents: 1 });
    const agent = await agentPage(s);
    const k = await kioskPage(s);
    await walkToConsent(k);
    await k.getByTestId('consent-audio-only').click();
    await audioCall(k, agent);
    const videoTracks = await k.evaluate(() => (window as unknown as { __streams: MediaStream[] }).__streams.flatMap((s) => s.getVideoTracks()).length);
    expect(videoTracks).toBe(0);
  }, LONG);
});
