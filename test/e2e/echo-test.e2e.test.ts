// The speaker → microphone echo test (provisioning check) in Debian Chromium, from the
// technician panel's button to main's health report. Chromium's fake microphone plays its own
// beep, not what the page plays, so the microphone is replaced by a "loopback twin" (init script):
// getUserMedia's audio track carries whatever the page sends to any AudioContext's speakers,
// exactly what a real microphone in front of the booth's speaker would hear, minus the room. A
// second twin hears silence (speaker unplugged / microphone dead).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserRuntime } from '../../main/runtime/browser-runtime';
import { useE2ESession } from '../support/e2e';
import { repoRoot } from '../support/stack';

const session = useE2ESession();
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vg-echo-e2e-'));
  mkdirSync(join(root, 'kiosk'));
  const entry = join(root, 'entry.ts');
  // Only the technician panel: it is what runs the test, and the citizen screens are not involved.
  writeFileSync(
    entry,
    `import { getBridge } from ${JSON.stringify(join(repoRoot, 'renderer/shared/bridge-client.ts'))};
     import { translator } from ${JSON.stringify(join(repoRoot, 'common/i18n/index.ts'))};
     import { mountTechnician } from ${JSON.stringify(join(repoRoot, 'renderer/kiosk/technician/index.ts'))};
     mountTechnician(document.body, { bridge: getBridge(), t: translator('fr') });`,
  );
  await build({ entryPoints: [entry], outdir: join(root, 'assets'), entryNames: 'kiosk', bundle: true, format: 'esm', platform: 'browser', target: 'chrome120', loader: { '.css': 'css' } });
  writeFileSync(
    join(root, 'kiosk/index.html'),
    '<!doctype html><meta charset="utf-8"><title>kiosk</title><link rel="stylesheet" href="../assets/kiosk.css"><body style="margin:0;width:100vw;height:100vh"><script type="module" src="../assets/kiosk.js"></script></body>',
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What the twin recorded: the audio constraints asked for, and the tracks it handed out. */
interface TwinWindow {
  __twin: { constraints: MediaTrackConstraints[]; tracks: MediaStreamTrack[] };
}

/**
 * Replaces the microphone. `loopback`: every connection to an AudioContext's destination is also
 * tapped (MediaStreamDestination in that context) and mixed, in one twin context, into the stream
 * getUserMedia returns. `silence`: the same stream with nothing mixed in. Video still comes from
 * Chromium's fake camera.
 */
function micTwin(mode: 'loopback' | 'silence') {
  const w = window as unknown as TwinWindow;
  w.__twin = { constraints: [], tracks: [] };
  let loop: { ctx: AudioContext; dest: MediaStreamAudioDestinationNode } | null = null;
  const ensure = () => {
    if (!loop) {
      const ctx = new AudioContext();
      loop = { ctx, dest: ctx.createMediaStreamDestination() };
    }
    return loop;
  };
  const taps = new WeakMap<BaseAudioContext, MediaStreamAudioDestinationNode>();
  const connect = AudioNode.prototype.connect as (this: AudioNode, ...a: unknown[]) => unknown;
  AudioNode.prototype.connect = function (this: AudioNode, ...args: unknown[]) {
    const result = connect.apply(this, args);
    const target = args[0];
    if (mode === 'loopback' && target instanceof AudioDestinationNode) {
      let tap = taps.get(target.context);
      if (!tap) {
        // Pages only play through live AudioContexts (an OfflineAudioContext has no speaker).
        tap = (target.context as AudioContext).createMediaStreamDestination();
        taps.set(target.context, tap);
        const l = ensure();
        l.ctx.createMediaStreamSource(tap.stream).connect(l.dest);
      }
      connect.call(this, tap);
    }
    return result;
  } as typeof AudioNode.prototype.connect;
  const getUserMedia = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = async function (this: MediaDevices, c?: MediaStreamConstraints) {
    if (!c?.audio) return getUserMedia.call(this, c);
    const l = ensure();
    await l.ctx.resume();
    w.__twin.constraints.push(typeof c.audio === 'object' ? c.audio : {});
    const audio = l.dest.stream.getAudioTracks()[0]!.clone();
    w.__twin.tracks.push(audio);
    const tracks: MediaStreamTrack[] = [audio];
    if (c.video) tracks.push(...(await getUserMedia.call(this, { video: c.video })).getVideoTracks());
    return new MediaStream(tracks);
  };
}

async function openPanel(twin: 'loopback' | 'silence') {
  const stack = await session.stack({ publicConfig: { simulation: true }, hardware: 'simulated' });
  // A runtime of the same kiosk core serving only the panel's bundle (dist/ is not rebuilt here).
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-echo-rt-'));
  const rt = await startBrowserRuntime({ core: stack.core, dataDir, rendererDir: root, open: false });
  session.defer(async () => {
    await rt.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const context = await session.context({ width: 1280, height: 900 });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page]', e.message));
  await page.addInitScript(micTwin, twin);
  await page.goto(rt.url);
  await page.getByTestId('tech-open').click();
  await page.getByTestId('tech-panel').waitFor();
  return { stack, page };
}

const echoTracks = (page: Page) =>
  page.evaluate(() => {
    const t = (window as unknown as TwinWindow).__twin;
    return t.constraints.map((c, i) => ({ c, state: t.tracks[i]?.readyState }));
  });

describe('echo-path test from the technician panel', () => {
  it('the microphone hears the speaker: passed, reported to main, nothing left open', async () => {
    const { stack, page } = await openPanel('loopback');
    expect(await page.getByTestId('tech-echo-result').getAttribute('data-state')).toBe('none');
    await page.getByTestId('tech-echo-run').click();
    await expect.poll(() => page.getByTestId('tech-echo-result').getAttribute('data-state'), { timeout: 20_000 }).toBe('pass');
    expect(await page.getByTestId('tech-echo-result').textContent()).toBe('Réussi : le micro entend le haut-parleur.');

    await expect.poll(() => stack.core.health().audio?.heard ?? null).toBe(true);
    const health = stack.core.health();
    expect(health.audio?.ratio).toBeGreaterThan(0.5);
    expect(health.audio?.error).toBeNull();
    expect(health.problems).not.toContain('audio:echo_failed');

    // The test asked for the raw microphone and stopped it afterwards.
    const raw = (await echoTracks(page)).filter((x) => x.c.echoCancellation === false);
    expect(raw).toHaveLength(1);
    expect(raw[0]!.c).toMatchObject({ echoCancellation: false, noiseSuppression: false, autoGainControl: false });
    expect(raw[0]!.state).toBe('ended');
    // The live preview, paused during the test, is back on its own (processed) capture.
    await expect.poll(async () => (await echoTracks(page)).at(-1)).toEqual({ c: {}, state: 'live' });
  });

  it('a microphone that hears silence: failed in plain words, and main reports audio:echo_failed', async () => {
    const { stack, page } = await openPanel('silence');
    await page.getByTestId('tech-echo-run').click();
    await expect.poll(() => page.getByTestId('tech-echo-result').getAttribute('data-state'), { timeout: 20_000 }).toBe('fail');
    expect(await page.getByTestId('tech-echo-result').textContent()).toContain('le micro n’entend pas le haut-parleur');

    await expect.poll(() => stack.core.health().problems).toContain('audio:echo_failed');
    expect(stack.core.health()).toMatchObject({ ok: false, audio: { heard: false, error: null } });
    // The panel's own health line shows it too (after its refresh).
    await expect.poll(() => page.getByTestId('tech-problems').textContent()).toContain('audio:echo_failed');
    const raw = (await echoTracks(page)).filter((x) => x.c.echoCancellation === false);
    expect(raw.map((x) => x.state)).toEqual(['ended']);
  });
});
