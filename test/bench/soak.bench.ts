// Memory per visit at the hub (a command, not a test): ./vg bench soak [visits=1000] [booths=4] [--no-unit-env]
// Runs the real hub in its own process (test/bench/hub-server.ts: server/main.ts's startHub with a
// GC-then-measure probe) and drives complete visits through the hub protocol: booths prove their keys,
// an agent logs in; each visit is call.request → ring → accept → signaling both ways → a health
// report now and then → hang up → the booth's records (visit, survey) posted to the outbox ingest with
// the booth's signed HTTP header. Booths reconnect every 25 visits and the agent logs in again every
// 100, as in a day. Every 20 visits: hub RSS and live heap after GC, and the sizes of the dispatcher's
// maps. Goal (the performance issue): RSS after warm-up flat, ≤ 5 % growth over 1,000 visits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from 'node:crypto';
import { kioskHttpMessage, kioskHttpWindow, kioskKeyHeader } from '../../common/kiosk-auth';
import { INGEST_PATH } from '../../common/outbox';
import { kioskAuthMessage, type HubChallenge, type KioskHealthSnapshot } from '../../common/protocol';
import { createUuidV7 } from '../../main/outbox/uuidv7';
import { createAgent, registerKioskKey } from '../../server/accounts';
import { HubStore } from '../../server/db/store';
import { HubTestClient } from '../../server/test-client';
import { benchBooth, benchBoothPublicKey } from './hub-swarm';

const repo = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const VISITS = Number(args[0] ?? 1000);
const BOOTHS = Number(args[1] ?? 4);
// The hub runs with the allocator settings of its systemd unit (build/systemd/visioguichet-hub.service),
// as in production; --no-unit-env runs it without them, to see what they change.
const UNIT_ENV = process.argv.includes('--no-unit-env') ? {} : unitEnvironment();
const WARMUP = Math.min(100, Math.floor(VISITS / 5));
// VG_SOAK_HEAP=100,500: hub heap snapshots after those visits (in VG_BENCH_HEAP_DIR, default a temp dir), to diff what grew.
const HEAP_AT = (process.env.VG_SOAK_HEAP ?? '').split(',').filter(Boolean).map(Number);
const heapDir = process.env.VG_BENCH_HEAP_DIR ?? mkdtempSync(join(tmpdir(), 'soak-heap-'));
const dir = mkdtempSync(join(tmpdir(), 'soak-bench-'));
const uuid = createUuidV7();
const mb = (b: number) => (b / 1048576).toFixed(1);
// An SDP-sized signal payload (a real offer is a few kB).
const SDP = { type: 'offer', sdp: `v=0\r\n${'a=candidate:1 1 udp 2122260223 192.168.1.20 54400 typ host generation 0\r\n'.repeat(30)}` };

/** The MALLOC_* Environment= lines of the hub's systemd unit. */
function unitEnvironment(): Record<string, string> {
  const unit = readFileSync(join(repo, 'build/systemd/visioguichet-hub.service'), 'utf8');
  return Object.fromEntries([...unit.matchAll(/^Environment=(MALLOC_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Mem { rss: number; heap: number; extra: { dispatcher?: Record<string, number> } }
let hubProc: ChildProcess | undefined;
const memWaiters: ((m: Mem) => void)[] = [];
function probe(): Promise<Mem> {
  return new Promise((resolve) => {
    memWaiters.push(resolve);
    hubProc!.kill('SIGUSR2');
  });
}

const heapWaiters: ((path: string) => void)[] = [];
async function heapSnapshot(): Promise<void> {
  const path = await new Promise<string>((resolve) => {
    heapWaiters.push(resolve);
    hubProc!.kill('SIGUSR1');
  });
  process.stdout.write(`  heap snapshot: ${path}\n`);
}

async function startHubProcess(config: string): Promise<string> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/bench/hub-server.ts'], { cwd: repo, env: { ...process.env, ...UNIT_ENV, VG_HUB_CONFIG: config, VG_BENCH_HEAP_DIR: heapDir }, stdio: ['ignore', 'pipe', 'inherit'] });
  hubProc = child;
  let buf = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^mem (\d+) (\d+) (\d+) (.*)$/.exec(line);
        if (m) memWaiters.shift()?.({ rss: Number(m[1]), heap: Number(m[2]), extra: JSON.parse(m[4] as string) as Mem['extra'] });
        const heap = /^heap (\S+)$/.exec(line)?.[1];
        if (heap) heapWaiters.shift()?.(heap);
        const url = /hub listening on (\S+)/.exec(line)?.[1];
        if (url) resolve(url);
      }
    });
    child.once('exit', (code) => reject(new Error(`hub exited (${code})`)));
  });
}

async function booth(wsUrl: string, i: number): Promise<HubTestClient> {
  const { kioskId, privateKey } = benchBooth(i);
  const c = await HubTestClient.connect(wsUrl);
  c.send({ type: 'kiosk.hello', v: 1, kioskId });
  const { nonce } = (await c.next()) as unknown as HubChallenge;
  c.send({ type: 'kiosk.prove', v: 1, kioskId, signature: sign(null, Buffer.from(kioskAuthMessage(kioskId, new URL(wsUrl).host, nonce)), privateKey).toString('base64url') });
  await c.next('welcome');
  return c;
}

async function agent(base: string, password: string): Promise<HubTestClient> {
  const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent', password }) });
  const { token } = (await res.json()) as { token: string };
  const c = await HubTestClient.connect(`${base.replace('http', 'ws')}/ws`);
  c.send({ type: 'agent.auth', v: 1, token });
  await c.next('agent.state');
  c.send({ type: 'agent.status', status: 'available' });
  await c.next('agent.state');
  return c;
}

const health = (at: number): KioskHealthSnapshot => ({
  at, appVersion: '1.0.0', uptimeSeconds: 100, hubLink: 'online', phase: 'attract', ok: true, problems: [], devices: null, camera: null, screen: null, media: null,
  outbox: { depth: 0, oldestAgeMs: null, full: false, rejected: 0, lastSync: null },
});

async function visit(n: number, base: string, kiosks: HubTestClient[], ag: HubTestClient): Promise<void> {
  const k = kiosks[n % kiosks.length]!;
  const i = n % kiosks.length;
  k.send({ type: 'call.request', requestId: `r${n}`, service: 'emploi', language: 'fr' });
  const { callId } = await k.next('call.queued');
  await ag.next('call.ring');
  ag.send({ type: 'call.accept', callId });
  await k.next('call.accepted');
  await ag.next('call.connected');
  for (let s = 0; s < 6; s++) {
    ag.send({ type: 'signal', callId, data: s === 0 ? SDP : { candidate: `candidate:${s} 1 udp 1 10.0.0.${s} 5000 typ host`, sdpMid: '0' } });
    await k.next('signal');
    k.send({ type: 'signal', callId, data: s === 0 ? { ...SDP, type: 'answer' } : { candidate: `candidate:${s} 1 udp 1 10.0.1.${s} 5000 typ host`, sdpMid: '0' } });
    await ag.next('signal');
  }
  if (n % 5 === 0) k.send({ type: 'kiosk.health', health: health(Date.now()) });
  ag.send({ type: 'call.end', callId, reason: 'agent_hangup' });
  await k.next('call.ended');
  await ag.next('call.ended');
  await ag.next('agent.state');
  // The booth's records of this visit, as its outbox sender posts them.
  const { kioskId, privateKey } = benchBooth(i);
  const window = kioskHttpWindow(Date.now());
  const authorization = kioskKeyHeader(kioskId, window, sign(null, Buffer.from(kioskHttpMessage(kioskId, window)), privateKey).toString('base64url'));
  const records = [
    { id: uuid(), kind: 'visit', createdAt: Date.now(), data: { service: 'emploi', language: 'fr', waitMs: 1000, durationMs: 5000, outcome: 'completed' } },
    { id: uuid(), kind: 'survey', createdAt: Date.now(), data: { service: 'emploi', language: 'fr', rating: 5 } },
  ];
  const res = await fetch(`${base}${INGEST_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ v: 1, records }) });
  if (res.status !== 200) throw new Error(`ingest ${res.status}: ${await res.text()}`);
}

async function main(): Promise<void> {
  const dbPath = join(dir, 'hub.sqlite');
  const store = HubStore.open(dbPath);
  store.db.transaction(() => {
    for (let i = 0; i < BOOTHS; i++) registerKioskKey(store, { kioskId: benchBooth(i).kioskId, publicKey: benchBoothPublicKey(i), office: 'Soak' });
  })();
  const { password } = await createAgent(store, { username: 'agent', displayName: 'Agent soak' });
  store.close();
  const port = await freePort();
  const cfg = join(dir, 'hub.json');
  writeFileSync(cfg, JSON.stringify({ dbPath, port, host: '127.0.0.1', logLevel: 'warn' }));
  const base = await startHubProcess(cfg);
  const wsUrl = `${base.replace('http', 'ws')}/ws`;
  process.stdout.write(`soak: ${VISITS} visits over ${BOOTHS} booths and one agent; warm-up ${WARMUP} visits; hub environment from its unit: ${JSON.stringify(UNIT_ENV)}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const kiosks = await Promise.all(Array.from({ length: BOOTHS }, (_, i) => booth(wsUrl, i)));
  let ag = await agent(base, password);
  const t0 = performance.now();
  let warm: Mem | undefined;
  const rows: { n: number; m: Mem }[] = [];
  for (let n = 1; n <= VISITS; n++) {
    const started = performance.now();
    await visit(n, base, kiosks, ag);
    // One agent and a few booths stay under the hub's per-socket rate limit (50 frames/s): a visit
    // sends ~10 frames a side, so at most one visit per 250 ms.
    const left = 250 - (performance.now() - started);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    if (HEAP_AT.includes(n)) await heapSnapshot();
    if (n % 25 === 0) {
      const i = n % BOOTHS;
      kiosks[i]!.close();
      kiosks[i] = await booth(wsUrl, i);
    }
    if (n % 100 === 0) {
      ag.close();
      ag = await agent(base, password);
    }
    if (n % 20 === 0 || n === VISITS) {
      const m = await probe();
      rows.push({ n, m });
      if (n >= WARMUP && !warm) warm = m;
      const growth = warm ? ` (${(((m.rss - warm.rss) / warm.rss) * 100).toFixed(1)} % since warm-up)` : ' (warming up)';
      process.stdout.write(`  visit ${String(n).padStart(5)}: hub RSS ${mb(m.rss)} MB${growth}, live heap ${mb(m.heap)} MB; dispatcher ${JSON.stringify(m.extra.dispatcher)}; ${((performance.now() - t0) / n).toFixed(0)} ms/visit\n`);
    }
  }
  const last = rows[rows.length - 1]!.m;
  if (warm) {
    process.stdout.write(`\nresult: hub RSS ${mb(warm.rss)} → ${mb(last.rss)} MB from visit ${WARMUP} to ${VISITS}: ${(((last.rss - warm.rss) / warm.rss) * 100).toFixed(1)} % (goal ≤ 5 %); live heap ${mb(warm.heap)} → ${mb(last.heap)} MB (${(((last.heap - warm.heap) / (VISITS - WARMUP)) / 1024).toFixed(2)} KB per visit)\n`);
  }
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    hubProc?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    // Sockets of the clients would keep the process alive.
    setTimeout(() => process.exit(), 200).unref();
  });
