// Camera health and recovery in real Chromium: the renderer-side pieces of the hardware layer
// (common/frame-health.ts, common/media-watch.ts) bundled into a page served on loopback.
// - Chromium's fake camera (--use-fake-device-for-media-stream) is judged "ok";
// - a camera delivering black or frozen frames (canvas streams standing in for a covered lens and
//   a hung driver) is judged "black" / "frozen";
// - a camera that disappears mid-visit makes MediaWatch report "unavailable" (the visit degrades),
//   and when it returns MediaWatch re-acquires and frames flow again, without reloading the page.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaPolicy as MediaPolicySchema } from '../../common/media-select';
import type { MediaDevicesLike, MediaWatch, MediaWatchOptions } from '../../common/media-watch';

const repo = resolve(import.meta.dirname, '../..');
const flags = ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required'];

// Page-side harness: sampling a <video> into a 64×36 canvas, canvas "cameras", a stub mediaDevices.
const harness = `
import { FrameWindow } from './common/frame-health';
import { MediaWatch } from './common/media-watch';
import { MediaPolicy } from './common/media-select';
import { trackFrameGrabber } from './renderer/kiosk/camera-health';
const w = window as any;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
w.VG = { MediaWatch, MediaPolicy, sleep };
w.sampleVideo = async (video: HTMLVideoElement, n = 8, interval = 150) => {
  const c = document.createElement('canvas'); c.width = 64; c.height = 36;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  const win = new FrameWindow(n);
  for (let i = 0; i < n; i++) { await sleep(interval); ctx.drawImage(video, 0, 0, 64, 36); win.push(ctx.getImageData(0, 0, 64, 36)); }
  return win.report();
};
// The kiosk's grabber (frames read from the track, no canvas draw): the latest frame every interval.
w.sampleTrack = async (stream: MediaStream, n = 8, interval = 150) => {
  const g = trackFrameGrabber()!;
  g.attach(stream);
  const win = new FrameWindow(n);
  g.grab();
  for (let i = 0; i < n; i++) { await sleep(interval); const f = g.grab(); if (f) win.push(f); }
  g.detach();
  return win.report();
};
w.canvasCamera = (mode: 'moving' | 'black' | 'still') => {
  const c = document.createElement('canvas'); c.width = 320; c.height = 180;
  const ctx = c.getContext('2d')!; let t = 0;
  const draw = () => {
    if (mode === 'black') { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, 320, 180); }
    else if (mode === 'still') { for (let x = 0; x < 320; x += 20) { ctx.fillStyle = 'rgb(' + x * 0.7 + ',120,' + (255 - x * 0.7) + ')'; ctx.fillRect(x, 0, 20, 180); } }
    else { ctx.fillStyle = 'hsl(' + ((t * 17) % 360) + ',70%,50%)'; ctx.fillRect(0, 0, 320, 180); ctx.fillStyle = '#fff'; ctx.fillRect((t * 9) % 300, 60, 20, 60); }
    t++;
  };
  draw(); setInterval(draw, 40);
  return c.captureStream(25);
};
w.stubMedia = () => {
  const listeners = new Set<() => void>();
  let devices = [{ deviceId: 'cam1', kind: 'videoinput', label: 'Booth Camera', groupId: 'g' }];
  const live: MediaStreamTrack[] = [];
  const media = {
    enumerateDevices: async () => devices.map((d) => ({ ...d })),
    getUserMedia: async (c: any) => {
      const id = c.video && c.video.deviceId && c.video.deviceId.exact;
      if (!devices.some((d) => d.kind === 'videoinput' && (!id || d.deviceId === id))) throw new DOMException('Requested device not found', 'NotFoundError');
      const stream = w.canvasCamera('moving'); live.push(...stream.getTracks()); return stream;
    },
    addEventListener: (_t: string, fn: () => void) => listeners.add(fn),
    removeEventListener: (_t: string, fn: () => void) => listeners.delete(fn),
  };
  return {
    media,
    // Like a USB camera pulled out: the device leaves the list, its live track ends, devicechange fires.
    unplug: () => { devices = []; for (const t of live.splice(0)) { t.stop(); t.dispatchEvent(new Event('ended')); } listeners.forEach((f) => f()); },
    plug: () => { devices = [{ deviceId: 'cam1', kind: 'videoinput', label: 'Booth Camera', groupId: 'g' }]; listeners.forEach((f) => f()); },
  };
};
`;

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const out = await build({ stdin: { contents: harness, resolveDir: repo, loader: 'ts' }, bundle: true, format: 'iife', platform: 'browser', target: 'chrome120', write: false });
  const js = out.outputFiles[0]!.text;
  server = createServer((req, res) => {
    if (req.url === '/harness.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><video muted playsinline autoplay width="320" height="180"></video><script src="/harness.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: flags });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

type Report = { verdict: string; meanLuma: number; variance: number; meanDiff: number; frames: number };

async function verdictOf(source: 'fake-device' | 'black' | 'still'): Promise<Report> {
  return page.evaluate(async (src) => {
    const w = window as unknown as Record<string, (...a: unknown[]) => unknown>;
    const video = document.querySelector('video')!;
    video.srcObject = src === 'fake-device' ? await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } }) : (w.canvasCamera!(src === 'black' ? 'black' : 'still') as MediaStream);
    await video.play();
    await new Promise((r) => setTimeout(r, 300));
    const report = await w.sampleVideo!(video);
    for (const t of (video.srcObject as MediaStream).getTracks()) t.stop();
    return report as Report;
  }, source);
}

describe('camera health in Chromium', () => {
  it("Chromium's fake camera is ok", async () => {
    const r = await verdictOf('fake-device');
    expect(r.verdict).toBe('ok');
    expect(r.frames).toBe(8);
  });
  it('a camera delivering black frames is reported black', async () => {
    expect((await verdictOf('black')).verdict).toBe('black');
  });
  it('a camera delivering the same frame is reported frozen', async () => {
    expect((await verdictOf('still')).verdict).toBe('frozen');
  });
});

describe('camera disappears and returns (MediaWatch)', () => {
  it('degrades to unavailable, then re-acquires and frames flow again, without reload', async () => {
    const result = await page.evaluate(async () => {
      const w = window as unknown as {
        VG: { MediaWatch: new (o: MediaWatchOptions) => MediaWatch; MediaPolicy: typeof MediaPolicySchema; sleep: (ms: number) => Promise<void> };
        stubMedia: () => { media: MediaDevicesLike; unplug(): void; plug(): void };
        sampleVideo: (v: HTMLVideoElement) => Promise<Report>;
      };
      const stub = w.stubMedia();
      const video = document.querySelector('video')!;
      const seen: string[] = [];
      const watch = new w.VG.MediaWatch({
        media: stub.media,
        policy: w.VG.MediaPolicy.parse({ camera: { labels: ['Booth'] }, microphone: { fallback: 'none' } }),
        onStatus: (s: { status: string }) => {
          seen.push(s.status);
          if (s.status === 'live') video.srcObject = watch.stream as MediaStream | null;
        },
      });
      await watch.acquire();
      await video.play();
      const before = await w.sampleVideo(video);
      stub.unplug();
      await w.VG.sleep(300);
      const during = watch.status;
      stub.plug();
      await w.VG.sleep(300);
      await video.play();
      const after = await w.sampleVideo(video);
      watch.dispose();
      return { seen, before: before.verdict, during, after: after.verdict, final: watch.status.status };
    });
    expect(result.before).toBe('ok');
    expect(result.during).toMatchObject({ status: 'unavailable', reason: 'no_camera' });
    expect(result.after).toBe('ok');
    expect(result.seen).toEqual(['acquiring', 'live', 'acquiring', 'unavailable', 'acquiring', 'live', 'idle']);
  });
});

describe("camera health from the track (the kiosk's grabber: WebCodecs, no canvas draw)", () => {
  const trackVerdict = (source: 'fake-device' | 'black' | 'still') =>
    page.evaluate(async (src) => {
      const w = window as unknown as Record<string, (...a: unknown[]) => unknown>;
      const stream = src === 'fake-device' ? await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720 } }) : (w.canvasCamera!(src === 'black' ? 'black' : 'still') as MediaStream);
      await new Promise((r) => setTimeout(r, 300));
      const report = await w.sampleTrack!(stream);
      for (const t of stream.getTracks()) t.stop();
      return report as Report;
    }, source);
  it("Chromium's fake camera at 720p is ok, every sample read", async () => {
    const r = await trackVerdict('fake-device');
    expect(r.verdict).toBe('ok');
    expect(r.frames).toBe(8);
  });
  it('black frames are black, the same frame again is frozen', async () => {
    expect((await trackVerdict('black')).verdict).toBe('black');
    expect((await trackVerdict('still')).verdict).toBe('frozen');
  });
});
