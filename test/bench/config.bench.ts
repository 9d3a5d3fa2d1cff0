// ./vg bench config [N] [--rounds R]: central configuration pushed live to N connected booths.
// The real hub runs in its own process (test/bench/hub-server.ts, config from a file); N booths are the
// booth's own hub link (main/services/hub-link.ts, key-pair auth) in this process. Each round a
// technician PUTs a new office document; the figure is the time from sending the PUT to each booth
// receiving its `config.push` (the booths share this process's one thread, so the tail includes
// their own frame handling one after another: a fleet of separate machines would see less). Prints
// figures, never fails on a timing.
import { spawn } from 'node:child_process';
import { sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHubLink, type HubLink } from '../../main/services/hub-link';
import { createAgent, registerKioskKey } from '../../server/accounts';
import { HubStore } from '../../server/db/store';
import { benchBooth, benchBoothPublicKey } from './hub-swarm';

const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 500);
const roundsFlag = args.indexOf('--rounds');
const ROUNDS = roundsFlag >= 0 ? Number(args[roundsFlag + 1]) : 10;
const repo = resolve(import.meta.dirname, '../..');

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vg-bench-config-'));
  const dbPath = join(dir, 'hub.sqlite');
  const links: HubLink[] = [];
  let hubProc: ReturnType<typeof spawn> | undefined;
  try {
    // Accounts and booths, as the CLI would write them, before the hub starts.
    const store = HubStore.open(dbPath);
    const { password } = await createAgent(store, { username: 'tech', displayName: 'Tech', role: 'technician' });
    for (let i = 0; i < N; i++) registerKioskKey(store, { kioskId: benchBooth(i).kioskId, publicKey: benchBoothPublicKey(i), office: 'Bureau du banc' });
    store.close();
    const cfgFile = join(dir, 'hub.json');
    writeFileSync(cfgFile, JSON.stringify({ dbPath, port: 0, logLevel: 'warn', releasesDir: join(dir, 'releases') }));
    hubProc = spawn(process.execPath, ['--import', 'tsx', join(repo, 'test/bench/hub-server.ts')], { env: { ...process.env, VG_HUB_CONFIG: cfgFile }, stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((ok, fail) => {
      let buf = '';
      hubProc!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /hub listening on (\S+)/.exec(buf);
        if (m) ok(m[1]!);
      });
      hubProc!.on('exit', (code) => fail(new Error(`hub exited (${code})`)));
    });
    const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tech', password }) });
    const token = ((await login.json()) as { token: string }).token;

    // The booths dial in batches (a fleet coming back after a restart is the hub bench's subject, not this one).
    const received = new Map<number, number[]>();
    let round = -1;
    let t0 = 0;
    const connectStart = performance.now();
    for (let from = 0; from < N; from += 100) {
      const batch: HubLink[] = [];
      for (let i = from; i < Math.min(N, from + 100); i++) {
        const { kioskId, privateKey } = benchBooth(i);
        const link = createHubLink({ url: url.replace(/^http/, 'ws') + '/ws', kioskId, key: { sign: (m) => sign(null, Buffer.from(m, 'utf8'), privateKey).toString('base64url') }, initialBackoffMs: 200 });
        link.onMessage((f) => {
          if (f.type !== 'config.push' || round < 0) return;
          const list = received.get(round) ?? [];
          list.push(performance.now() - t0);
          received.set(round, list);
        });
        batch.push(link);
      }
      links.push(...batch);
      await until(() => batch.every((l) => l.status === 'online'), 60_000);
    }
    const connectMs = performance.now() - connectStart;

    const all: number[] = [];
    const perRound: { p50: number; p95: number; max: number; got: number }[] = [];
    for (round = 0; round < ROUNDS; round++) {
      t0 = performance.now();
      const res = await fetch(`${url}/api/config/${encodeURIComponent('office:Bureau du banc')}`, {
        method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ config: { tollFree: `1 800 555-${String(1000 + round)}` } }),
      });
      if (res.status !== 200) throw new Error(`PUT refused: ${res.status} ${await res.text()}`);
      await until(() => (received.get(round)?.length ?? 0) >= N, 30_000).catch(() => {});
      const got = [...(received.get(round) ?? [])].sort((a, b) => a - b);
      all.push(...got);
      perRound.push({ p50: pct(got, 50), p95: pct(got, 95), max: got.at(-1) ?? NaN, got: got.length });
      await new Promise((r) => setTimeout(r, 200));
    }
    all.sort((a, b) => a - b);
    process.stdout.write(`config push: ${N} booths online (connected in ${(connectMs / 1000).toFixed(1)} s), ${ROUNDS} office changes\n`);
    for (const [i, r] of perRound.entries()) process.stdout.write(`  round ${i + 1}: ${r.got}/${N} received, p50 ${ms(r.p50)}, p95 ${ms(r.p95)}, last ${ms(r.max)}\n`);
    process.stdout.write(`PUT sent → config.push received, all rounds: p50 ${ms(pct(all, 50))}, p95 ${ms(pct(all, 95))}, max ${ms(all.at(-1) ?? NaN)} (${all.length}/${N * ROUNDS} frames)\n`);
  } finally {
    await Promise.all(links.map((l) => l.close()));
    if (hubProc && hubProc.exitCode === null) {
      hubProc.kill('SIGTERM');
      await new Promise((r) => hubProc!.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

await main();
