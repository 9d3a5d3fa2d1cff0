// `./vg bench turn [N] [--record DIR]`: call setup through a real coturn relay against the direct path,
// in the same run. Two RTCPeerConnections in one Chromium page, both sending the same fake camera and
// microphone with the call's capture constraints; each trial is timed from the start of negotiation to
// ICE connected and to the first decoded frame on the receiving side. Relay and direct trials
// alternate so both see the same machine load. Every relay trial checks that its selected pair really
// is a relay (a "relay" figure measured on a direct path would be a lie). Prints figures; never fails on a timing.
// --record DIR saves two getStats() snapshots one second apart per path (the shapes
// renderer/shared/call-stats.test.ts is tested against).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { callAudioConstraints, callVideoConstraints } from '../../common/media-defaults';
import { TurnIssuer } from '../../server/turn';
import { startCoturn } from '../support/coturn';
import { fakeMediaFlags, noSandboxFlag } from '../../main/runtime/chromium';
import { percentile } from './webrtc-floor';

/**
 * direct: every candidate allowed, TURN configured (a production call whose parties reach each other);
 * no-turn: no ICE server at all (./vg start on one machine); relay / relay-tcp: relay candidates only,
 * through TURN over UDP / TCP / TLS (turns:, what an office that only lets HTTPS out uses; a throwaway
 * certificate here, so this browser is told to accept it: a bench-only flag).
 */
type Path = 'direct' | 'no-turn' | 'relay' | 'relay-tcp' | 'relay-tls';
const PATHS: Path[] = ['direct', 'no-turn', 'relay', 'relay-tcp', 'relay-tls'];
interface Trial {
  connectMs: number;
  frameMs: number;
  localType: string;
  remoteType: string;
  protocol: string;
  snapshots?: unknown[][];
}

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 30);
const recordDir = args.includes('--record') ? args[args.indexOf('--record') + 1] : undefined;

const certDir = mkdtempSync(join(tmpdir(), 'vg-turn-bench-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=turn.test', '-keyout', join(certDir, 'k.pem'), '-out', join(certDir, 'c.pem')], { stdio: 'ignore' });
const coturn = await startCoturn({ allowLoopbackPeers: true, tls: { cert: join(certDir, 'c.pem'), key: join(certDir, 'k.pem') } });
const turnUrl = { udp: `turn:${coturn.ip}:${coturn.port}`, tcp: `turn:${coturn.ip}:${coturn.port}?transport=tcp`, tls: `turns:${coturn.ip}:${coturn.port + 1}?transport=tcp` };
const issuer = (urls: string[]) => new TurnIssuer({ secret: coturn.secret, urls, ttlSeconds: 3600, now: Date.now });
const iceFor = (path: Path) => issuer(path === 'relay-tls' ? [turnUrl.tls] : path === 'relay-tcp' ? [turnUrl.tcp] : path === 'relay' ? [turnUrl.udp] : [turnUrl.udp, turnUrl.tcp, turnUrl.tls]);
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<!doctype html><title>turn bench</title><video id="v" autoplay muted playsinline></video>');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({
  executablePath: process.env.VG_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [noSandboxFlag, ...fakeMediaFlags, '--ignore-certificate-errors', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
});

try {
  const page = await browser.newPage();
  // tsx keeps function names with a __name helper the page does not have.
  await page.addInitScript('window.__name = (f) => f');
  await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  const trial = (path: Path, record: boolean): Promise<Trial> =>
    page.evaluate(
      async ({ policy, iceA, iceB, video: videoConstraints, audio, record }) => {
        const stream = await navigator.mediaDevices.getUserMedia({ video: videoConstraints, audio });
        const v = document.getElementById('v') as HTMLVideoElement;
        const a = new RTCPeerConnection({ iceServers: iceA, iceTransportPolicy: policy });
        const b = new RTCPeerConnection({ iceServers: iceB, iceTransportPolicy: policy });
        a.onicecandidate = (e) => {
          if (e.candidate) void b.addIceCandidate(e.candidate);
        };
        b.onicecandidate = (e) => {
          if (e.candidate) void a.addIceCandidate(e.candidate);
        };
        const timeout = (what: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${policy}: no ${what} after 20 s`)), 20_000));
        const t0 = performance.now();
        const connected = new Promise<number>((resolve) => {
          const check = () => {
            if (b.iceConnectionState === 'connected' || b.iceConnectionState === 'completed') resolve(performance.now());
          };
          b.oniceconnectionstatechange = check;
        });
        const frame = new Promise<number>((resolve) => {
          b.ontrack = (e) => {
            if (e.track.kind !== 'video') return;
            v.srcObject = new MediaStream([e.track]);
            v.requestVideoFrameCallback(() => resolve(performance.now()));
          };
        });
        // Both sides send, as in a call (the same fake camera and microphone).
        for (const t of stream.getTracks()) a.addTrack(t, stream);
        await a.setLocalDescription(await a.createOffer());
        await b.setRemoteDescription(a.localDescription!);
        for (const t of stream.getTracks()) b.addTrack(t, stream);
        await b.setLocalDescription(await b.createAnswer());
        await a.setRemoteDescription(b.localDescription!);
        const tc = await Promise.race([connected, timeout('ICE connection')]);
        const tf = await Promise.race([frame, timeout('first frame')]);
        const flat = async (pc: RTCPeerConnection) => {
          const out: Record<string, unknown>[] = [];
          (await pc.getStats()).forEach((s: Record<string, unknown>) => out.push({ ...s }));
          return out;
        };
        const snapshots: unknown[][] = [];
        if (record) {
          // The receiving side's view, as the agent console sees it: two samples a second apart.
          snapshots.push(await flat(b));
          await new Promise((r) => setTimeout(r, 1000));
          snapshots.push(await flat(b));
        }
        const stats = await flat(a);
        const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
        const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
        const local = stats.find((s) => s.id === pair?.localCandidateId);
        const remote = stats.find((s) => s.id === pair?.remoteCandidateId);
        v.srcObject = null;
        a.close();
        b.close();
        for (const t of stream.getTracks()) t.stop();
        return {
          connectMs: tc - t0, frameMs: tf - t0, localType: String(local?.candidateType), remoteType: String(remote?.candidateType),
          protocol: String(local?.candidateType === 'relay' ? local?.relayProtocol : local?.protocol), ...(record ? { snapshots } : {}),
        };
      },
      {
        policy: (path === 'direct' || path === 'no-turn' ? 'all' : 'relay') as RTCIceTransportPolicy,
        iceA: path === 'no-turn' ? [] : (iceFor(path).iceServers('bench-a') as RTCIceServer[]),
        iceB: path === 'no-turn' ? [] : (iceFor(path).iceServers('bench-b') as RTCIceServer[]),
        video: callVideoConstraints, audio: callAudioConstraints, record,
      },
    );

  // One warm-up of each (first getUserMedia and codec start-up are not what is measured).
  for (const path of PATHS) await trial(path, false);
  const results: Record<Path, Trial[]> = { direct: [], 'no-turn': [], relay: [], 'relay-tcp': [], 'relay-tls': [] };
  const failures: Record<Path, string[]> = { direct: [], 'no-turn': [], relay: [], 'relay-tcp': [], 'relay-tls': [] };
  for (let i = 0; i < n; i++) {
    process.stderr.write(`round ${i + 1}/${n}\r`);
    // Rotate the order so no path always runs first (right after the previous trial's teardown).
    for (let j = 0; j < PATHS.length; j++) {
      const path = PATHS[(i + j) % PATHS.length]!;
      try {
        const r = await trial(path, false);
        if (path.startsWith('relay') && r.localType !== 'relay' && r.remoteType !== 'relay') throw new Error(`${path} trial connected over ${r.localType}/${r.remoteType}`);
        if (path === 'relay-tcp' && r.protocol !== 'tcp') throw new Error(`relay-tcp trial relayed over ${r.protocol}`);
        if (path === 'relay-tls' && r.protocol !== 'tls') throw new Error(`relay-tls trial relayed over ${r.protocol}`);
        results[path].push(r);
      } catch (err) {
        failures[path].push(err instanceof Error ? err.message : String(err));
      }
    }
  }
  if (recordDir) {
    mkdirSync(recordDir, { recursive: true });
    for (const path of ['direct', 'relay'] as Path[]) {
      const r = await trial(path, true);
      writeFileSync(join(recordDir, `chromium-${path}.json`), `${JSON.stringify(r.snapshots, null, 1)}\n`);
    }
    process.stdout.write(`recorded getStats snapshots in ${recordDir}\n`);
  }
  const line = (label: string, xs: number[]) => `${label.padEnd(26)} p50 ${percentile(xs, 50).toFixed(0).padStart(5)} ms   p95 ${percentile(xs, 95).toFixed(0).padStart(5)} ms`;
  const out: string[] = [`turn bench: ${n} trials per path, Chromium ${browser.version()}, coturn ${coturn.ip}:${coturn.port}`];
  for (const path of PATHS) {
    const rs = results[path];
    out.push(`${path}: ${rs.length}/${n} connected${failures[path].length ? ` (${failures[path].length} failed: ${[...new Set(failures[path])].slice(0, 2).join('; ')})` : ''}; pairs ${[...new Set(rs.map((r) => `${r.localType}/${r.remoteType} ${r.protocol}`))].join(', ')}`);
    out.push(`  ${line('negotiation → ICE connected', rs.map((r) => r.connectMs))}`);
    out.push(`  ${line('negotiation → first frame', rs.map((r) => r.frameMs))}`);
  }
  const ratio = (path: Path, p: number, f: (t: Trial) => number) => percentile(results[path].map(f), p) / percentile(results.direct.map(f), p);
  for (const path of ['no-turn', 'relay', 'relay-tcp', 'relay-tls'] as Path[]) {
    out.push(`${path} / direct: first frame ${ratio(path, 50, (t) => t.frameMs).toFixed(2)}x at p50, ${ratio(path, 95, (t) => t.frameMs).toFixed(2)}x at p95; ICE connected ${ratio(path, 50, (t) => t.connectMs).toFixed(2)}x at p50, ${ratio(path, 95, (t) => t.connectMs).toFixed(2)}x at p95`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await browser.close().catch(() => {});
  await new Promise<void>((r) => server.close(() => r()));
  await coturn.stop();
  rmSync(certDir, { recursive: true, force: true });
}
