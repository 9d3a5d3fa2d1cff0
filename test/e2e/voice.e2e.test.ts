// The booth speaks: on the real kiosk page (browser runtime, simulated booth, a real hub and agent
// console) in Chromium, the "Écouter" button plays the screen's prompt file in the chosen language
// (the audio element's source is the manifest's file for that screen and language, and its clock
// moves), any touch stops it, lifting the handset speaks without a touch, and an answered call
// chimes, then goes silent once the agent's audio is up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HANDSET_OUTPUT, installCameraStub, sim, until } from '../support/booth';
import { screen, useE2ESession } from '../support/e2e';
import { agentReady, type Stack } from '../support/stack';

const e2e = useE2ESession();
/** Polls like `until`, with room for a loaded 2-core machine (Chromium decoding audio among other tests' load). */
const wait = <T>(probe: () => Promise<T> | T, accept: (v: T) => boolean, what: string) => until(probe, accept, what, 30_000);
const timers = { idleMs: 120_000, idleCountdownMs: 15_000, waitTimeoutMs: 120_000, thankYouMs: 1_500, declinedMs: 2_000 };

interface Manifest {
  prompts: Record<string, Record<string, { src: string }>>;
  sounds: Record<string, { src: string }>;
}
const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../assets/voice/manifest.json'), 'utf8')) as Manifest;
/** The URL path the page must ask for (the manifest's src sits at the renderer root). */
const promptPath = (lang: string, id: string) => `/${manifest.prompts[lang]![id]!.src}`;
const soundPath = (kind: string) => `/${manifest.sounds[kind]!.src}`;

interface AudioState {
  path: string;
  paused: boolean;
  currentTime: number;
  played: number;
  ended: boolean;
  error: number | null;
}
const audio = (k: Page): Promise<AudioState> =>
  k.evaluate(() => {
    const a = document.querySelector<HTMLAudioElement>('[data-testid="voice-audio"]');
    if (!a) throw new Error('no voice-audio element');
    return { path: a.src ? new URL(a.src).pathname : '', paused: a.paused, currentTime: a.currentTime, played: a.played.length, ended: a.ended, error: a.error?.code ?? null };
  });
/** Played for real: Chromium decoded the file and its clock moved (or it already ended). */
const playedFor = (path: string) => (a: AudioState) => a.path === path && a.error === null && a.played > 0 && (a.currentTime > 0 || a.ended);

async function kiosk(s: Stack): Promise<Page> {
  const k = await (await e2e.context()).newPage();
  await installCameraStub(k);
  // Every play() call of the voice element, in order (what the booth tried to say).
  await k.addInitScript(() => {
    const w = window as unknown as { __voicePlays: string[] };
    w.__voicePlays = [];
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      if (this.dataset.testid === 'voice-audio') w.__voicePlays.push(new URL(this.src).pathname);
      return play.call(this);
    };
  });
  await k.goto(s.kioskUrl);
  await screen(k, 'attract');
  return k;
}
const plays = (k: Page) => k.evaluate(() => (window as unknown as { __voicePlays: string[] }).__voicePlays);

describe('spoken prompts', () => {
  it('Écouter plays the screen’s prompt in the chosen language; any touch stops it; a tap replays it', async () => {
    const s = await e2e.stack({ hardware: 'simulated', publicConfig: { timers } });
    const k = await kiosk(s);
    // Attract speaks French (the booth's first language).
    await k.getByTestId('listen').click();
    await wait(() => audio(k), playedFor(promptPath('fr', 'attract')), 'the French attract prompt playing');

    await k.getByTestId('attract-start').click();
    await k.getByTestId('lang-en').click();
    await screen(k, 'service');
    await expect(k.getByTestId('listen').textContent()).resolves.toContain('Listen');
    await k.getByTestId('listen').click();
    const playing = await wait(() => audio(k), playedFor(promptPath('en', 'service')), 'the English service prompt playing');
    expect(playing.paused).toBe(false);

    // A touch anywhere else (here the screen's title) stops it before its end.
    await k.locator('h1').first().click();
    const stopped = await wait(() => audio(k), (a) => a.paused, 'the prompt stopped by a touch');
    expect(stopped.ended).toBe(false);
    const at = stopped.currentTime;
    await k.waitForTimeout(500);
    expect((await audio(k)).currentTime).toBe(at);

    // Replayable: the same button plays it again, from the start.
    await k.getByTestId('listen').click();
    // It was paused mid-way: playing again (or already through to the end) is the new playback.
    await wait(() => audio(k), (a) => playedFor(promptPath('en', 'service'))(a) && (!a.paused || a.ended), 'the prompt playing again');
    expect((await plays(k)).filter((p) => p === promptPath('en', 'service'))).toHaveLength(2);
  });

  it('lifting the handset speaks the current screen into the handset without a touch; hanging up silences it', async () => {
    // The handset's audio output is named by label, as on a real USB handset (installCameraStub adds one).
    const s = await e2e.stack({ hardware: 'simulated', publicConfig: { timers, media: { handset: { labels: ['Handset'] } } } });
    const k = await kiosk(s);
    const sink = () => k.evaluate(() => document.querySelector<HTMLElement>('[data-testid="voice-audio"]')?.dataset.sinkApplied ?? null);
    await sim(s, { action: 'lift' });
    await wait(() => audio(k), playedFor(promptPath('fr', 'attract')), 'the attract prompt spoken on lift');
    expect(await sink()).toBe(HANDSET_OUTPUT.deviceId);
    await sim(s, { action: 'hangUp' });
    await wait(() => audio(k), (a) => a.paused, 'the prompt stopped on hang-up');
    await wait(sink, (id) => id === '', 'the voice back on the default output');
  });
});

describe('visit sounds', () => {
  it('"Êtes-vous encore là ?" chimes for real, then speaks itself to someone holding the handset', async () => {
    const s = await e2e.stack({ hardware: 'simulated', publicConfig: { timers: { ...timers, idleMs: 6_000, idleCountdownMs: 60_000 } } });
    const k = await kiosk(s);
    await k.getByTestId('attract-start').click();
    await k.getByTestId('lang-en').click();
    await screen(k, 'service');
    await sim(s, { action: 'lift' });
    // Nobody touches the screen: the idle prompt comes up (it may cut the service prompt the lift
    // started) with its chime, then its words.
    await wait(() => audio(k), playedFor(soundPath('idleWarning')), 'the idle warning chime');
    await wait(() => audio(k), playedFor(promptPath('en', 'idle')), 'the idle prompt spoken after its chime');
    expect((await plays(k)).slice(-2)).toEqual([soundPath('idleWarning'), promptPath('en', 'idle')]);
  });
});

describe('call sounds', () => {
  it('an answered call chimes first (then "Un agent vous répond"), and the voice is silenced once the agent’s audio is up', async () => {
    const s = await e2e.stack({ hardware: 'simulated', agents: 1, publicConfig: { timers } });
    const agent = await (await e2e.context()).newPage();
    await agentReady(agent, s.agentUrl, s.agents[0]!);
    const k = await kiosk(s);
    // Every screen on the way has its Écouter button, visible.
    const listens = async (name: string) => {
      await screen(k, name);
      await k.getByTestId('listen').waitFor({ state: 'visible', timeout: 5_000 });
    };
    await listens('attract');
    await k.getByTestId('attract-start').click();
    await listens('language');
    await k.getByTestId('lang-fr').click();
    await listens('service');
    await k.getByTestId('service-emploi').click();
    await listens('visitType');
    await k.getByTestId('visit-walkin').click();
    await listens('consent');
    await k.getByTestId('consent-accept').click();
    await listens('deviceCheck');
    await k.waitForSelector('[data-testid="devices-continue"]:not([disabled])', { timeout: 20_000 });
    await k.getByTestId('devices-continue').click();
    await listens('waiting');

    await agent.getByTestId('ring-panel').waitFor({ state: 'visible', timeout: 20_000 });
    await agent.getByTestId('ring-accept').click();
    await screen(k, 'inCall');
    // The chime is asked for first, on entering the call.
    await wait(() => plays(k), (p) => p.includes(soundPath('agentAnswered')), 'the agent-answered chime');
    // Generous: on a loaded 2-core machine the WebRTC connection alone can take tens of seconds.
    await k.waitForSelector('[data-testid="call-state"][data-call-state="connected"]', { timeout: 60_000 });
    const seq = (await plays(k)).filter((p) => p === soundPath('agentAnswered') || p === promptPath('fr', 'agentAnswered'));
    expect(seq[0]).toBe(soundPath('agentAnswered'));
    // Connected: the agent's audio is up, so the voice is silenced and offers nothing to play.
    await wait(() => audio(k), (a) => a.paused, 'the voice silent once connected');
    await expect(k.getByTestId('listen').count()).resolves.toBe(0);
  });
});
