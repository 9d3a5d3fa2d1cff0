// Booth peripherals and camera end to end through the real product: the kiosk page (browser runtime, real bridge) and
// main's services composed with the simulated booth — DeviceManager over the simulated HID backend,
// the same drivers and parsers as real devices — a real hub and an agent console, in Chromium.
// The twins are driven as the technician panel drives them (`hardware.sim.control`); what they
// show (light colour, handset LEDs) is read back decoded from the bytes the kiosk wrote. The camera
// is Chromium's fake device behind a stub that can pull it out, plug it back or make it black.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  GREEN, HANDSET_OUTPUT, RED, camera, cameraStub, deviceState, framesFlow, installCameraStub, sim, simSnapshot, until,
} from '../support/booth';
import { useE2ESession } from '../support/e2e';
import { agentReady, neverOpen, type Stack, type StackOptions } from '../support/stack';

const e2e = useE2ESession();

const timers = { idleMs: 120_000, idleCountdownMs: 15_000, waitTimeoutMs: 120_000, thankYouMs: 1_500, declinedMs: 2_000 };

async function stack(opts: StackOptions = {}): Promise<Stack> {
  return e2e.stack({
    hardware: 'simulated',
    agents: 1,
    ...opts,
    // The handset's audio output is chosen by label, like every other device.
    publicConfig: { timers, media: { handset: { labels: ['Handset'] } }, ...opts.publicConfig },
  });
}

async function page(): Promise<Page> {
  return (await e2e.context()).newPage();
}

async function kioskPage(s: Stack, opts: { black?: boolean; first?: 'attract' | 'closed' } = {}): Promise<Page> {
  const p = await page();
  await installCameraStub(p, opts);
  await p.goto(s.kioskUrl);
  await screen(p, opts.first ?? 'attract');
  return p;
}

const screen = (p: Page, name: string) => p.getByTestId(`screen-${name}`).waitFor({ timeout: 20_000 });
const light = async (s: Stack) => (await simSnapshot(s)).light;
const sameColour = (want: typeof GREEN) => (c: Awaited<ReturnType<typeof light>>) => JSON.stringify(c) === JSON.stringify(want);

/** Language → service → walk-in → consent → device check (ready, self view live). */
async function toDeviceCheck(k: Page): Promise<void> {
  await k.getByTestId('attract-start').click();
  await screen(k, 'language');
  await k.getByTestId('lang-fr').click();
  await k.getByTestId('service-emploi').click();
  await k.getByTestId('visit-walkin').click();
  await screen(k, 'consent');
  await k.getByTestId('consent-accept').click();
  await screen(k, 'deviceCheck');
  await k.waitForSelector('[data-testid="devices-continue"]:not([disabled])', { timeout: 20_000 });
}

describe('booth peripherals through a whole visit (simulated twins)', () => {
  it('call button, scanner, status light, handset route and hang-up, unplug/replug mid-call', async () => {
    const s = await stack();
    const agent = await page();
    await agentReady(agent, s.agentUrl, s.agents[0]!);
    const k = await kioskPage(s);

    // Attract: the light outside the booth says free.
    await until(() => light(s), sameColour(GREEN), 'light green at attract');

    // The physical call button starts the visit exactly like a touch.
    await sim(s, { action: 'press' });
    await screen(k, 'language');
    await until(() => light(s), sameColour(RED), 'light red once the visit started');
    await k.getByTestId('lang-fr').click();
    await k.getByTestId('service-emploi').click();
    await screen(k, 'visitType');

    // Scanning the convocation letter fills the appointment code (separators dropped, upper-cased).
    await sim(s, { action: 'scan', code: 'ab-2048-15' });
    await screen(k, 'consent');
    await k.getByTestId('consent-accept').click();
    await screen(k, 'deviceCheck');
    await k.waitForSelector('[data-testid="devices-continue"]:not([disabled])', { timeout: 20_000 });
    await k.getByTestId('devices-continue').click();
    await screen(k, 'waiting');
    await agent.getByTestId('ring-panel').waitFor({ state: 'visible', timeout: 20_000 });
    expect(await agent.getByTestId('ring-code').getAttribute('data-value')).toBe('AB204815');
    expect(await agent.getByTestId('ring-service').getAttribute('data-value')).toBe('emploi');
    expect(await light(s)).toEqual(RED);
    await agent.getByTestId('ring-accept').click();

    await screen(k, 'inCall');
    await k.waitForSelector('[data-testid="call-state"][data-call-state="connected"]', { timeout: 20_000 });
    await framesFlow(k, 'remote-video');
    // In the call: still busy; the handset's off-hook LED follows the call.
    await until(() => simSnapshot(s), (v) => v.leds.offHook, 'off-hook LED on in the call');
    expect(await light(s)).toEqual(RED);

    // Unplug the handset and the status light mid-call: the manager sees both go, with no restart.
    await sim(s, { action: 'disconnect', device: 'handset' });
    await sim(s, { action: 'disconnect', device: 'statusLight' });
    await until(() => deviceState(s, 'handset'), (st) => st.status !== 'connected', 'handset absent/failed');
    await until(() => deviceState(s, 'statusLight'), (st) => st.status !== 'connected', 'status light absent/failed');
    // The handset comes back at the next poll and is reopened; its LEDs are re-applied.
    await sim(s, { action: 'connect', device: 'handset' });
    await until(() => deviceState(s, 'handset'), (st) => st.status === 'connected', 'handset reconnected');

    // Lifting the (replugged) handset routes the agent's voice to its audio device.
    await sim(s, { action: 'lift' });
    await k.waitForFunction(
      (id) => document.querySelector<HTMLElement>('[data-testid="remote-video"]')?.dataset.sink === id,
      HANDSET_OUTPUT.deviceId,
      { timeout: 10_000 },
    );
    expect(await k.getByTestId('remote-video').getAttribute('data-sink-applied')).toBe(HANDSET_OUTPUT.deviceId);
    expect((await simSnapshot(s)).offHook).toBe(true);
    expect(await k.getByTestId('screen-inCall').isVisible()).toBe(true);

    // Hanging up asks first ("Terminer l'appel ?"); yes ends the call for both sides.
    await sim(s, { action: 'hangUp' });
    await screen(k, 'hangup');
    expect(await k.getByTestId('screen-hangup').innerText()).toContain("Terminer l'appel ?");
    expect(await k.getByTestId('screen-inCall').isVisible()).toBe(true);
    await k.getByTestId('hangup-confirm').click();
    await screen(k, 'survey');
    await agent.waitForFunction(() => document.body.dataset.agentState === 'available', undefined, { timeout: 20_000 });
    await expect.poll(() => s.hub.db.recentCalls().map((c) => c.outcome), { timeout: 10_000 }).toEqual(['kiosk_hangup']);
    await until(() => simSnapshot(s), (v) => !v.leds.offHook, 'off-hook LED off after the call');

    // Back to attract while the light is still unplugged: nothing reaches it (it still shows red)…
    await k.getByTestId('survey-skip').click();
    await screen(k, 'attract');
    expect(await light(s)).toEqual(RED);
    expect((await deviceState(s, 'statusLight')).status).not.toBe('connected');
    // …and once plugged back in, it is reopened and shows the current status: free.
    await sim(s, { action: 'connect', device: 'statusLight' });
    await until(() => deviceState(s, 'statusLight'), (st) => st.status === 'connected', 'status light reconnected');
    await until(() => light(s), sameColour(GREEN), 'light green again after replug');
    const health = s.core.health();
    expect(health.devices?.statusLight?.status).toBe('connected');
    expect(health.devices?.handset?.status).toBe('connected');
  });

  it('presence outside opening hours wakes the dark screen (screen schedule through main)', async () => {
    const s = await stack({ publicConfig: { schedule: neverOpen } });
    const k = await kioskPage(s, { first: 'closed' });
    await until(async () => (await s.core.handlers['hardware.screen']())?.on, (on) => on === false, 'screen dark outside hours');
    expect(s.core.health().screen).toMatchObject({ on: false, reason: 'closed' });

    await sim(s, { action: 'presence', present: true });
    await until(async () => (await s.core.handlers['hardware.screen']())?.on, (on) => on === true, 'screen woken by presence');
    expect(s.core.health().screen).toMatchObject({ on: true, reason: 'woken', ok: true });
    expect((await simSnapshot(s)).present).toBe(true);
    // The citizen still sees the closed screen (hours, toll-free number): waking is not opening.
    expect(await k.getByTestId('screen-closed').isVisible()).toBe(true);
  });
});

describe('the booth camera on the real kiosk page', () => {
  it('camera pulled out while waiting → video unavailable (toll-free, callback); plugged back → device check, frames flow, no reload', async () => {
    const s = await stack();
    const k = await kioskPage(s);
    const { loadId } = await cameraStub(k);
    await toDeviceCheck(k);
    await framesFlow(k, 'self-video');
    await k.getByTestId('devices-continue').click();
    await screen(k, 'waiting');
    await expect.poll(() => s.hub.db.recentCalls().length, { timeout: 10_000 }).toBe(1);

    await camera(k, 'unplug');
    await screen(k, 'videoUnavailable');
    expect(await k.getByTestId('tollfree').innerText()).toContain('1 877');
    await k.getByTestId('offer-callback').waitFor({ timeout: 10_000 });
    expect(await k.getByTestId('video-recover-hint').innerText()).toMatch(/\S/);
    // The call waiting in line was withdrawn: no agent will be rung for a visit without video.
    await expect.poll(() => s.hub.db.recentCalls().map((c) => c.outcome), { timeout: 10_000 }).toEqual(['cancelled']);
    // Health does not keep the camera's last "ok": a camera pulled out is missing (no video device at all).
    await until(() => s.core.health().camera?.verdict, (v) => v === 'missing', 'camera health missing while unplugged');
    expect(s.core.health().problems).toContain('camera:missing');

    await camera(k, 'plug');
    await screen(k, 'deviceCheck');
    await k.waitForSelector('[data-testid="devices-continue"]:not([disabled])', { timeout: 20_000 });
    const frames = await framesFlow(k, 'self-video');
    expect(frames.width).toBeGreaterThan(0);
    expect(await k.evaluate(() => document.body.dataset.state)).toBe('deviceCheck');
    const after = await cameraStub(k);
    expect(after.loadId).toBe(loadId);
    expect(after.acquisitions).toBeGreaterThanOrEqual(2);
    // The visit goes on from there.
    await k.getByTestId('devices-continue').click();
    await screen(k, 'waiting');
  });

  it('a camera delivering black frames is reported black in main’s health', async () => {
    const s = await stack();
    const k = await kioskPage(s, { black: true });
    await toDeviceCheck(k);
    const health = await until(() => s.core.health(), (h) => h.camera !== null, 'a camera health report', 20_000);
    expect(health.camera).toMatchObject({ verdict: 'black', ok: false });
    expect(health.problems).toContain('camera:black');
    expect(health.ok).toBe(false);
    expect(health.media?.camera).not.toBeNull();
  });
});
