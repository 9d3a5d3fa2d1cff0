import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { callAudioConstraints, callVideoConstraints } from '../../common/media-defaults';

/**
 * The raw WebRTC floor: two RTCPeerConnections in one page with the same fake camera/mic and the
 * same capture constraints as a call, timed from the start of negotiation to the first decoded frame
 * on the receiving side. The benchmark interleaves one floor run with each product call so both see
 * the same machine load, and reports their ratio.
 */
export interface Floor {
  /** One negotiation → first decoded frame, in ms. */
  measure(): Promise<number>;
  /** The steps of the last run (ms after the start of negotiation), when opened with `initScript`. */
  lastSteps(): Promise<{ name: string; at: number }[]>;
  close(): Promise<void>;
}

/** `initScript`: installed in the floor page before it loads (the call benchmark's step observer). */
export async function openFloor(browser: Browser, initScript?: string): Promise<Floor> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>floor</title><video id="v" autoplay muted playsinline></video>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const page: Page = await browser.newPage();
  if (initScript) await page.addInitScript(initScript);
  await page.goto(`http://127.0.0.1:${port}/`);
  return {
    // The camera is opened for each run and released after it, as a call does. A floor that held the
    // fake camera for the whole benchmark starved the other pages of the same browser of frames after
    // a few calls (both self-views went black with their tracks still "live").
    measure: () =>
      page.evaluate(async ({ video: videoConstraints, audio }) => {
        const stream = await navigator.mediaDevices.getUserMedia({ video: videoConstraints, audio });
        const video = document.getElementById('v') as HTMLVideoElement;
        const a = new RTCPeerConnection();
        const b = new RTCPeerConnection();
        a.onicecandidate = (e) => {
          if (e.candidate) void b.addIceCandidate(e.candidate);
        };
        b.onicecandidate = (e) => {
          if (e.candidate) void a.addIceCandidate(e.candidate);
        };
        const w = window as unknown as { __vgSteps?: unknown[]; __vgStamp?: (n: string, at?: number) => void; __floorT0?: number };
        if (w.__vgSteps) w.__vgSteps = [];
        const t0 = performance.now();
        w.__floorT0 = performance.timeOrigin + t0;
        const firstFrame = new Promise<number>((resolve) => {
          b.ontrack = (e) => {
            if (e.track.kind !== 'video') return;
            video.srcObject = new MediaStream([e.track]);
            video.requestVideoFrameCallback((_now, meta) => {
              if (meta.receiveTime !== undefined) w.__vgStamp?.('frame.received (rVFC receiveTime)', performance.timeOrigin + meta.receiveTime);
              w.__vgStamp?.('frame.presented (rVFC)');
              resolve(performance.now());
            });
          };
        });
        for (const track of stream.getTracks()) a.addTrack(track, stream);
        const offer = await a.createOffer();
        await a.setLocalDescription(offer);
        await b.setRemoteDescription(offer);
        const answer = await b.createAnswer();
        await b.setLocalDescription(answer);
        await a.setRemoteDescription(answer);
        const ms = (await firstFrame) - t0;
        video.srcObject = null;
        a.close();
        b.close();
        for (const track of stream.getTracks()) track.stop();
        return ms;
      }, { video: callVideoConstraints, audio: callAudioConstraints }),
    lastSteps: () =>
      page.evaluate(() => {
        const w = window as unknown as { __vgSteps?: { name: string; at: number }[]; __floorT0: number };
        return (w.__vgSteps ?? []).map((s) => ({ name: s.name, at: s.at - w.__floorT0 }));
      }),
    async close() {
      await page.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Percentile by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
