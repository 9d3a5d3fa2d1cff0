// Hub capacity (a command, not a test): ./vg bench hub [booths=2000] [workers=2]
// Builds the hub as its unit runs it (scripts/build-hub.ts → dist/hub/main.mjs, plain node, no tsx) and
// spawns it (own process, SQLite file) with a memory probe preloaded, and a swarm of N booths (forked
// workers, test/bench/hub-swarm.ts), each booth a real hub link with its own Ed25519 key. The same
// swarm is first pointed at a bare `ws` server (test/bench/hub-bare.ts) in the same run, as the anchor.
// Prints, for both servers:
//  - cold accept: every booth dials at once; time until all are online (welcomed);
//  - idle memory per connection: server RSS with everyone online minus RSS before, ÷ N;
//  - restart storm: kill -9 the server, start it again at once (as systemd's Restart=always does);
//    time until every booth is re-authenticated (from the kill, and from the server listening
//    again), and dials per booth (the booths' real backoff with jitter: 0.5 s doubling to 30 s);
//  - hub only: an agent's login (POST /api/login + WebSocket agent.auth → welcome) during the
//    storm, p50/p95/max, beside the same login on the idle hub.
// Goals (the performance issue): N = 10,000; cold ≤ 10 s; storm ≤ 10 s; memory ≤ 1.25 × bare;
// agent login during the storm < 200 ms.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { buildHub } from '../../scripts/build-hub';
import { createAgent, registerKioskKey } from '../../server/accounts';
import { HubStore } from '../../server/db/store';
import { benchBoothPublicKey, type SwarmCommand, type SwarmStatus } from './hub-swarm';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(args[0] ?? 2000);
const WORKERS = Number(args[1] ?? 2);
// --prof: the hub writes CPU profiles (cold accept; storm) to test-output/hub-prof/ (test/bench/hub-probe.ts).
const PROF_DIR = process.argv.includes('--prof') ? join(import.meta.dirname, '..', '..', 'test-output', 'hub-prof') : undefined;
// --heap: a heap snapshot of the hub with every booth online, in test-output/hub-heap/ (what a connection keeps).
const HEAP_DIR = process.argv.includes('--heap') ? join(import.meta.dirname, '..', '..', 'test-output', 'hub-heap') : undefined;
const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => (b / 1048576).toFixed(1);
const children = new Set<ChildProcess>();

/** The MALLOC_* Environment= lines of the hub's systemd unit. */
function unitEnvironment(): Record<string, string> {
  const unit = readFileSync(join(repo, 'build/systemd/visioguichet-hub.service'), 'utf8');
  return Object.fromEntries([...unit.matchAll(/^Environment=(MALLOC_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The compiled hub and its memory probe (built once per run, before anything is measured). */
const built = { hub: '', probe: '', bare: '' };

/** A server child started through sh so its soft file-descriptor limit is raised to the hard one. */
function startServer(kind: 'bare' | 'hub', port: number, config: string): Promise<ChildProcess> {
  const args = kind === 'bare'
    ? ['--expose-gc', built.bare, String(port)]
    : ['--expose-gc', '--import', pathToFileURL(built.probe).href, built.hub];
  const child = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" && exec "$@"', 'sh', process.execPath, ...args], {
    cwd: repo,
    // Both servers get the hub unit's allocator settings (build/systemd/visioguichet-hub.service).
    // NODE_COMPILE_CACHE as in the unit: cold at the first start, warm at the restart, like a hub machine.
    env: { ...process.env, ...unitEnvironment(), NODE_COMPILE_CACHE: join(dir, 'compile-cache'), VG_HUB_CONFIG: config, ...(PROF_DIR && kind === 'hub' ? { VG_BENCH_PROF_DIR: PROF_DIR } : {}), ...(HEAP_DIR && kind === 'hub' ? { VG_BENCH_HEAP_DIR: HEAP_DIR } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      const text = d.toString();
      const mem = /mem (\d+) (\d+) (\d+)/.exec(text);
      if (mem) child.emit('mem', { rss: Number(mem[1]), heap: Number(mem[2]), external: Number(mem[3]) });
      const heap = /^heap (.+)$/m.exec(text);
      if (heap) child.emit('heap', heap[1]);
      if (/listening/.test(text)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${kind} exited (${code}) before listening: ${err}`)));
  });
}

interface Mem { rss: number; heap: number; external: number }
/** The server's memory after two full GCs (its SIGUSR2 probe). */
function memOf(child: ChildProcess): Promise<Mem> {
  return new Promise((resolve) => {
    child.once('mem', resolve);
    child.kill('SIGUSR2');
  });
}
const fdLimitOf = (pid: number): string => /Max open files\s+(\S+)\s+(\S+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))?.slice(1, 3).join(' / ') ?? '?';

/** Forks the swarm's workers; resolves once every one has loaded and said so (a loaded machine takes seconds). */
async function startSwarm(): Promise<ChildProcess[]> {
  const workers = Array.from({ length: WORKERS }, () => {
    const w = fork(join(repo, 'test/bench/hub-swarm.ts'), ['--swarm-worker'], { execArgv: ['--import', 'tsx'], cwd: repo, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(w);
    w.once('exit', () => children.delete(w));
    return w;
  });
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once('message', (m: { type?: string }) => (m.type === 'ready' ? resolve() : reject(new Error(`swarm worker said ${JSON.stringify(m)} before ready`))));
    w.once('exit', (code) => reject(new Error(`swarm worker exited (${code}) before ready`)));
  })));
  return workers;
}

async function swarmStatus(workers: ChildProcess[]): Promise<SwarmStatus> {
  const all = await Promise.all(
    workers.map(
      (w) =>
        new Promise<SwarmStatus>((resolve) => {
          w.once('message', (m: SwarmStatus) => resolve(m));
          w.send({ cmd: 'status' } satisfies SwarmCommand);
        }),
    ),
  );
  return all.reduce((a, s) => ({ type: 'status', online: a.online + s.online, total: a.total + s.total, dials: a.dials + s.dials, refusals: a.refusals + s.refusals, rssBytes: a.rssBytes + s.rssBytes }));
}

/** Polls until `pred` holds; returns ms waited (or NaN on timeout). */
async function until(workers: ChildProcess[], pred: (s: SwarmStatus) => boolean, timeoutMs: number): Promise<{ ms: number; status: SwarmStatus }> {
  const t0 = performance.now();
  for (;;) {
    const status = await swarmStatus(workers);
    if (pred(status)) return { ms: performance.now() - t0, status };
    if (performance.now() - t0 > timeoutMs) return { ms: NaN, status };
    await sleep(50);
  }
}

async function stopSwarm(workers: ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => new Promise<void>((r) => (w.once('exit', () => r()), w.send({ cmd: 'stop' } satisfies SwarmCommand)))));
}

async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGKILL')));
}

/** One agent login: HTTP login (scrypt of the password) then WebSocket auth until `welcome`. */
async function agentLogin(base: string, password: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent', password }) });
  if (res.status !== 200) throw new Error(`login ${res.status}`);
  const { token } = (await res.json()) as { token: string };
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'agent.auth', v: 1, token })));
    ws.on('message', (d) => {
      if (d.toString().includes('"welcome"')) resolve();
    });
    ws.once('error', reject);
  });
  const ms = performance.now() - t0;
  ws.terminate();
  return ms;
}

interface Figures { cold: number; perConnBytes: number; serverRssMB: string; stormFromKill: number; stormFromListen: number; dialsPerBooth: number; refusals: number; fd: string }

async function measure(kind: 'bare' | 'hub', config: string, password: string, logins: { idle: number[]; storm: number[] }): Promise<Figures> {
  const port = await freePort();
  const cfgPath = join(dir, `${kind}.json`);
  writeFileSync(cfgPath, config.replace('"PORT"', String(port)));
  let server = await startServer(kind, port, cfgPath);
  const url = `ws://127.0.0.1:${port}/ws`;
  const base = `http://127.0.0.1:${port}`;
  await sleep(1500); // let the fresh process settle before the baseline
  const before = await memOf(server);
  if (kind === 'hub') for (let i = 0; i < 10; i++) logins.idle.push(await agentLogin(base, password));

  const workers = await startSwarm();
  const per = Math.ceil(N / WORKERS);
  const t0 = performance.now();
  workers.forEach((w, i) => w.send({ cmd: 'start', url, from: i * per, to: Math.min(N, (i + 1) * per) } satisfies SwarmCommand));
  const cold = await until(workers, (s) => s.online === N, 180_000);
  const coldMs = Number.isNaN(cold.ms) ? NaN : performance.now() - t0;
  process.stdout.write(`  ${kind}: cold accept of ${N}: ${(coldMs / 1000).toFixed(2)} s (online ${cold.status.online}, dials ${cold.status.dials}, refusals ${cold.status.refusals})\n`);
  await sleep(3000); // idle: heartbeats only
  const after = await memOf(server);
  const perConn = (after.rss - before.rss) / N;
  const fd = fdLimitOf(server.pid!);
  if (HEAP_DIR && kind === 'hub') {
    const file = await new Promise<string>((resolve) => (server.once('heap', resolve), server.kill('SIGUSR1')));
    process.stdout.write(`  hub: heap snapshot with every booth online: ${file}\n`);
  }
  process.stdout.write(`  ${kind}: after GC, RSS ${mb(before.rss)} → ${mb(after.rss)} MB: ${(perConn / 1024).toFixed(2)} KB per idle connection (JS heap ${((after.heap - before.heap) / N / 1024).toFixed(2)} KB, buffers ${((after.external - before.external) / N / 1024).toFixed(2)} KB); fd limit soft / hard ${fd}\n`);

  // Restart storm: kill -9, start again at once.
  const dialsBefore = cold.status.dials;
  const refusalsBefore = cold.status.refusals;
  const tKill = performance.now();
  await kill9(server);
  const restarting = startServer(kind, port, cfgPath);
  // An agent keeps trying to log in while the booths come back (hub only).
  let storming = true;
  const loginLoop = (async () => {
    if (kind !== 'hub') return;
    while (storming) {
      try {
        logins.storm.push(await agentLogin(base, password));
      } catch {
        await sleep(20); // hub not listening yet
      }
    }
  })();
  server = await restarting;
  const tListen = performance.now();
  await until(workers, (s) => s.online < N, 10_000);
  const back = await until(workers, (s) => s.online === N, 300_000);
  const tBack = performance.now();
  storming = false;
  await loginLoop;
  const stormFromKill = Number.isNaN(back.ms) ? NaN : tBack - tKill;
  const dialsPerBooth = (back.status.dials - dialsBefore) / N;
  const afterStorm = await memOf(server);
  process.stdout.write(`  ${kind}: after the storm, RSS after GC ${mb(afterStorm.rss)} MB\n`);
  process.stdout.write(`  ${kind}: restart storm: all ${N} back ${(stormFromKill / 1000).toFixed(2)} s after kill -9 (${((tBack - tListen) / 1000).toFixed(2)} s after it listened again; ${((tListen - tKill) / 1000).toFixed(2)} s to restart), ${dialsPerBooth.toFixed(2)} dials per booth, ${back.status.refusals - refusalsBefore} refusals; swarm RSS ${mb(back.status.rssBytes)} MB\n`);
  await stopSwarm(workers);
  await kill9(server);
  return { cold: coldMs, perConnBytes: perConn, serverRssMB: mb(after.rss), stormFromKill, stormFromListen: tBack - tListen, dialsPerBooth, refusals: back.status.refusals, fd };
}

async function main(): Promise<void> {
  process.stdout.write(`hub bench: ${N} booths in ${WORKERS} workers; ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; this process's fd limit: ${fdLimitOf(process.pid)}\n`);
  // Register every booth's public key, and one agent, in one transaction (setup, not measured).
  const dbPath = join(dir, 'hub.sqlite');
  const store = HubStore.open(dbPath);
  const tReg = performance.now();
  store.db.transaction(() => {
    for (let i = 0; i < N; i++) registerKioskKey(store, { kioskId: `bench-${String(i).padStart(5, '0')}`, publicKey: benchBoothPublicKey(i), office: 'Bench' });
  })();
  const { password } = await createAgent(store, { username: 'agent', displayName: 'Agent bench' });
  store.close();
  process.stdout.write(`setup: ${N} booth keys registered in ${((performance.now() - tReg) / 1000).toFixed(1)} s\n`);

  for (const d of [PROF_DIR, HEAP_DIR]) if (d) mkdirSync(d, { recursive: true });
  const tBuild = performance.now();
  built.hub = await buildHub();
  built.probe = await buildHub({ entry: 'test/bench/hub-probe.ts', outfile: 'dist/bench/hub-probe.mjs' });
  // The anchor is compiled the same way, so neither restart pays for compiling TypeScript.
  built.bare = await buildHub({ entry: 'test/bench/hub-bare.ts', outfile: 'dist/bench/hub-bare.mjs' });
  process.stdout.write(`setup: hub built (${built.hub}) in ${((performance.now() - tBuild) / 1000).toFixed(1)} s\n`);

  const logins = { idle: [] as number[], storm: [] as number[] };
  // --hub-only: skip the anchor while iterating (no ratios are printed then).
  const bare = process.argv.includes('--hub-only') ? undefined : await measure('bare', '{}', password, logins);
  const hub = await measure('hub', JSON.stringify({ dbPath, port: 'PORT', host: '127.0.0.1', logLevel: 'warn' }), password, logins);
  if (!bare) return;

  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(`\nresults (N = ${N}):\n`);
  process.stdout.write(`  cold accept           bare ${fmt(bare.cold)}   hub ${fmt(hub.cold)}   (${(hub.cold / bare.cold).toFixed(2)}x; goal ≤ 10 s at 10,000)\n`);
  process.stdout.write(`  memory per connection bare ${(bare.perConnBytes / 1024).toFixed(2)} KB   hub ${(hub.perConnBytes / 1024).toFixed(2)} KB   (${(hub.perConnBytes / bare.perConnBytes).toFixed(2)}x; goal ≤ 1.25x)\n`);
  process.stdout.write(`  restart storm         bare ${fmt(bare.stormFromKill)}   hub ${fmt(hub.stormFromKill)} from kill -9 (${fmt(hub.stormFromListen)} after listening); dials per booth bare ${bare.dialsPerBooth.toFixed(2)}, hub ${hub.dialsPerBooth.toFixed(2)} (goal ≤ 10 s)\n`);
  const f = (xs: number[]) => (xs.length ? `p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.length})` : 'none');
 process.stdout.write(`  load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')} (timings are only comparable within one run)\n`);
  process.stdout.write(`  agent login           idle ${f(logins.idle)}; during the storm ${f(logins.storm)} (goal < 200 ms)\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
