// Calls under real network faults: the hub in its own namespace and process, the agents' Chromium in
// another, the booth in the root namespace (test/support/fault-stack.ts). Frames are sampled on both
// sides all along; nothing here checks a duration (the faults bench prints those).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screen } from '../support/e2e';
import { frameSampler, framesOf, openCall, startFaultStack, type FaultStack } from '../support/fault-stack';
import { netLabAvailable } from '../support/netns';
import type { Page } from 'playwright-core';

let s: FaultStack;

beforeAll(async () => {
  if (!(await netLabAvailable())) throw new Error('call-fault tests need root, iproute2 and iptables (source scripts/setup.sh as root)');
  s = await startFaultStack({ agents: 2 });
}, 300_000);

afterAll(async () => {
  await s?.close();
}, 120_000);

const inCall = (agentIndex = 0) => openCall(s, agentIndex);

/**
 * The agent hangs up: the kiosk reaches the survey only if the hub relays this call's frames again (a hub
 * that had not re-attached both parties would answer not_found, and the kiosk would never hear of it).
 */
async function hangUpThroughHub(c: { kiosk: Page; agent: Page }): Promise<void> {
  await c.agent.getByTestId('end-call').click();
  await screen(c.kiosk, 'survey');
}

describe('calls survive signaling and network faults', () => {
  it('hub killed (SIGKILL) and restarted mid-call: frames keep decoding on both sides throughout, both parties re-attach to the same call', async () => {
    const c = await inCall();
    try {
      const kioskFrames = frameSampler(c.kiosk);
      const agentFrames = frameSampler(c.agent);
      await new Promise((r) => setTimeout(r, 1_000));
      const killedAt = Date.now();
      await s.killHub();
      await new Promise((r) => setTimeout(r, 3_000));
      await s.startHub();
      // Both re-attach: the agent console is back online in the same call, the restarted hub logs the resume.
      await c.agent.waitForFunction(() => document.body.dataset.agentState === 'in_call' && document.body.dataset.connection === 'online', undefined, { timeout: 30_000 });
      await expectRestored();
      await new Promise((r) => setTimeout(r, 2_000));
      await kioskFrames.stop();
      await agentFrames.stop();
      // Media never depended on the hub: no stall longer than a second on either side, from the kill on.
      expect(kioskFrames.longestStall(killedAt)).toBeLessThan(1_500);
      expect(agentFrames.longestStall(killedAt)).toBeLessThan(1_500);
      expect(await c.kiosk.getByTestId('call-state').getAttribute('data-call-state')).toBe('connected');
      expect(await c.agent.evaluate(() => document.querySelector<HTMLElement>('[data-call-id]')?.dataset.callId)).toBe(c.callId);
      await kioskLinkOnline();
      await hangUpThroughHub(c);
    } finally {
      await c.close();
    }
  }, 400_000);

  it('a 10-second blackout of the booth mid-call: the same call resumes with the same agent and frames come back', async () => {
    const c = await inCall();
    try {
      const kioskFrames = frameSampler(c.kiosk);
      await s.kioskBlackout(true);
      await new Promise((r) => setTimeout(r, 10_000));
      const backAt = Date.now();
      await s.kioskBlackout(false);
      await c.kiosk.waitForFunction((n) => (document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > n + 10, await framesOf(c.kiosk), { timeout: 60_000 });
      await kioskFrames.stop();
      expect(kioskFrames.firstNewAfter(backAt)).not.toBeNull();
      await screen(c.kiosk, 'inCall');
      await c.kiosk.waitForSelector('[data-call-state="connected"]', { timeout: 60_000 });
      expect(await c.agent.evaluate(() => document.querySelector<HTMLElement>('[data-call-id]')?.dataset.callId)).toBe(c.callId);
      await hangUpThroughHub(c);
    } finally {
      await c.close();
    }
  }, 400_000);
});

/** The booth's hub link is back (its reconnect backoff spreads a fleet's return over a few seconds). */
async function kioskLinkOnline(): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (s.core.hubLink.status !== 'online') {
    if (Date.now() > deadline) throw new Error(`the booth's hub link is still ${s.core.hubLink.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The restarted hub process read its live calls back from its database. */
async function expectRestored(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (s.hubLog().includes('live calls restored')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the restarted hub did not restore its live calls:\n${s.hubLog().slice(-3000)}`);
}
