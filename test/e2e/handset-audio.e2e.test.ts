// Handset audio route: lifting the handset routes the MICROPHONE too, not only the agent's voice.
// The real kiosk page with the simulated booth (twins driven as the technician panel drives them),
// a real hub and agent console, in Chromium. Chromium's fake devices have one microphone, so the
// handset's microphone is a stub device (an oscillator track with its own id, test/support/booth.ts
// installHandsetMicStub) and the kiosk's RTCPeerConnection is wrapped to read what its audio sender
// carries. No renegotiation is allowed: the kiosk's setRemoteDescription count must not move.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  inboundAudioPackets, installCameraStub, installHandsetMicStub, installPeerRecorder, micStub, sim, unplugHandsetMic, until, type MicStubState,
} from '../support/booth';
import { useE2ESession } from '../support/e2e';
import { agentReady, type Stack } from '../support/stack';

const e2e = useE2ESession();

const timers = { idleMs: 120_000, idleCountdownMs: 15_000, waitTimeoutMs: 120_000, thankYouMs: 1_500, declinedMs: 2_000 };

async function stack(): Promise<Stack> {
  // One pattern names the handset's output and its microphone, as on a real USB handset.
  return e2e.stack({ hardware: 'simulated', agents: 1, publicConfig: { timers, media: { handset: { labels: ['Handset'] } } } });
}

const screen = (p: Page, name: string) => p.getByTestId(`screen-${name}`).waitFor({ timeout: 20_000 });

async function agentPage(s: Stack): Promise<Page> {
  const p = await (await e2e.context()).newPage();
  await installPeerRecorder(p);
  await agentReady(p, s.agentUrl, s.agents[0]!);
  return p;
}

async function kioskToWaiting(s: Stack): Promise<Page> {
  const k = await (await e2e.context()).newPage();
  await installCameraStub(k);
  await installHandsetMicStub(k);
  await k.goto(s.kioskUrl);
  await screen(k, 'attract');
  await k.getByTestId('attract-start').click();
  await k.getByTestId('lang-fr').click();
  await k.getByTestId('service-emploi').click();
  await k.getByTestId('visit-walkin').click();
  await k.getByTestId('consent-accept').click();
  await screen(k, 'deviceCheck');
  await k.waitForSelector('[data-testid="devices-continue"]:not([disabled])', { timeout: 20_000 });
  await k.getByTestId('devices-continue').click();
  await screen(k, 'waiting');
  return k;
}

async function accept(agent: Page, k: Page): Promise<void> {
  await agent.getByTestId('ring-panel').waitFor({ state: 'visible', timeout: 20_000 });
  await agent.getByTestId('ring-accept').click();
  await screen(k, 'inCall');
  await k.waitForSelector('[data-testid="call-state"][data-call-state="connected"]', { timeout: 20_000 });
}

const onHandset = (st: MicStubState) => st.sender?.trackId != null && st.handsetTracks.includes(st.sender.trackId) && st.sender.readyState === 'live';
const onBooth = (st: MicStubState) => st.sender?.trackId != null && !st.handsetTracks.includes(st.sender.trackId) && st.sender.readyState === 'live';
const track = (st: MicStubState, id: string | null | undefined) => st.tracks.find((t) => t.id === id);

/** The audio track(s) of the kiosk's self-view stream: the local MediaStream the call was made from. */
const selfViewAudio = (k: Page) =>
  k.evaluate(() => ((document.querySelector<HTMLVideoElement>('[data-testid="self-video"]')?.srcObject as MediaStream | null)?.getAudioTracks() ?? []).map((t) => t.id));

/** The agent keeps receiving the kiosk's audio: its inbound audio packet count goes on growing. */
async function agentHearsKiosk(agent: Page): Promise<void> {
  const before = await inboundAudioPackets(agent);
  await until(() => inboundAudioPackets(agent), (n) => n > before + 25, 'the agent receiving the kiosk’s audio');
}

describe('the handset microphone follows the handset', () => {
  it('lifted mid-call: the call sends the handset microphone on the same connection; hang up + Non: back to the booth mic; end: every track stopped', async () => {
    const s = await stack();
    const agent = await agentPage(s);
    const k = await kioskToWaiting(s);
    await accept(agent, k);

    const before = await until(() => micStub(k), onBooth, 'the call sending the booth microphone');
    expect(before.handsetTracks).toEqual([]);
    const boothMic = before.sender!.trackId!;
    await agentHearsKiosk(agent);

    await sim(s, { action: 'lift' });
    const lifted = await until(() => micStub(k), onHandset, 'the call sending the handset microphone');
    // Same connection, no renegotiation, still connected; the booth microphone was released.
    expect(lifted.remoteDescriptions).toBe(before.remoteDescriptions);
    expect(lifted.connectionState).toBe('connected');
    expect(track(lifted, boothMic)?.readyState).toBe('ended');
    expect(await k.getByTestId('call-state').getAttribute('data-call-state')).toBe('connected');
    // The self-view stream is the one the call sends from: it carries the handset microphone too.
    expect(await selfViewAudio(k)).toEqual([lifted.sender!.trackId]);
    await agentHearsKiosk(agent);

    // Hanging up asks first; "Non" keeps the call, on the loudspeaker and the booth microphone again.
    await sim(s, { action: 'hangUp' });
    await screen(k, 'hangup');
    await k.getByTestId('hangup-cancel').click();
    const back = await until(() => micStub(k), onBooth, 'the call back on the booth microphone');
    expect(back.remoteDescriptions).toBe(before.remoteDescriptions);
    expect(back.connectionState).toBe('connected');
    expect(track(back, lifted.sender!.trackId)?.readyState).toBe('ended');
    expect(await selfViewAudio(k)).toEqual([back.sender!.trackId]);
    expect(await k.getByTestId('screen-inCall').isVisible()).toBe(true);
    await agentHearsKiosk(agent);

    // The end of the visit stops every track the kiosk ever opened, both microphones included.
    await k.getByTestId('call-end').click();
    await screen(k, 'survey');
    await k.getByTestId('survey-skip').click();
    await screen(k, 'attract');
    const end = await until(() => micStub(k), (st) => st.tracks.every((t) => t.readyState === 'ended'), 'every track stopped after the visit');
    expect(end.tracks.filter((t) => t.handset)).toHaveLength(1);
    expect(end.tracks.filter((t) => t.kind === 'audio' && !t.handset).length).toBeGreaterThanOrEqual(2);
  });

  it('lifted while waiting: the call starts with the handset microphone; hang up + Oui ends it and every track stops', async () => {
    const s = await stack();
    const agent = await agentPage(s);
    const k = await kioskToWaiting(s);

    await sim(s, { action: 'lift' });
    // The local stream switches before any call exists (the booth microphone is released).
    const waiting = await until(
      () => micStub(k),
      (st) => st.handsetTracks.length === 1 && track(st, st.handsetTracks[0])?.readyState === 'live' && st.tracks.filter((t) => t.kind === 'audio' && !t.handset).every((t) => t.readyState === 'ended'),
      'the handset microphone in the local stream while waiting',
    );
    expect(waiting.sender).toBeNull();

    await accept(agent, k);
    const inCall = await until(() => micStub(k), onHandset, 'the call sending the handset microphone');
    expect(inCall.firstAudioTrackId).toBe(inCall.handsetTracks[0]);
    expect(inCall.sender!.trackId).toBe(inCall.handsetTracks[0]);
    await agentHearsKiosk(agent);

    await sim(s, { action: 'hangUp' });
    await screen(k, 'hangup');
    await k.getByTestId('hangup-confirm').click();
    await screen(k, 'survey');
    await k.getByTestId('survey-skip').click();
    await screen(k, 'attract');
    await until(() => micStub(k), (st) => st.tracks.length > 0 && st.tracks.every((t) => t.readyState === 'ended'), 'every track stopped after the visit');
  });

  it('the handset microphone unplugged mid-call: the call goes back to the booth microphone and stays connected', async () => {
    const s = await stack();
    const agent = await agentPage(s);
    const k = await kioskToWaiting(s);
    await accept(agent, k);
    const before = await until(() => micStub(k), onBooth, 'the call sending the booth microphone');
    await sim(s, { action: 'lift' });
    const lifted = await until(() => micStub(k), onHandset, 'the call sending the handset microphone');

    await unplugHandsetMic(k);
    const after = await until(() => micStub(k), onBooth, 'the call back on the booth microphone');
    expect(after.sender!.trackId).not.toBe(before.sender!.trackId);
    expect(track(after, lifted.sender!.trackId)?.readyState).toBe('ended');
    expect(after.remoteDescriptions).toBe(before.remoteDescriptions);
    expect(after.connectionState).toBe('connected');
    expect(await k.getByTestId('call-state').getAttribute('data-call-state')).toBe('connected');
    expect(await selfViewAudio(k)).toEqual([after.sender!.trackId]);
    await agentHearsKiosk(agent);

    await k.getByTestId('call-end').click();
    await screen(k, 'survey');
    await k.getByTestId('survey-skip').click();
    await screen(k, 'attract');
    await until(() => micStub(k), (st) => st.tracks.every((t) => t.readyState === 'ended'), 'every track stopped after the visit');
  });
});
