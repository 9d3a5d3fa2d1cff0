// Update benchmark (a command, not a test): ./vg bench update [sizeMB=100] [rounds=3]
// A release carrying `sizeMB` of random (incompressible) bytes, packed and signed with
// scripts/release.ts, served by a local HTTP server. Per round, the booth's steps one by one —
// signature check, download (streamed, sha256 on the way), unpack (our tar reader, every entry
// checked), switch (state.json + atomic symlink rename) — then the whole chain through the real
// updater (offer → restart request). Beside them in the same run, the anchors: `curl` of the same
// file + `sha256sum`, and GNU `tar -xzf`. Then the time from a probation deadline to the rollback
// decision (timer lag) and to the rolled_back report (after the switch back is on disk).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { downloadBundle } from '../../main/update/download';
import { createSwitchGate } from '../../main/update/gate';
import { readState, switchCurrent, writeState } from '../../main/update/layout';
import { unpackRelease } from '../../main/update/tar';
import { makeInstall, makeReleaseDir, packAndSign, testKeys } from '../../main/update/testing';
import { createUpdater } from '../../main/update/updater';
import { verifyManifest } from '../../main/update/verify';
import { realTimers } from '../../common/time';
import { silentLogger } from '../../common/log';

const SIZE_MB = Number(process.argv[2] ?? 100);
const ROUNDS = Number(process.argv[3] ?? 3);
const ROLLBACKS = 20;
// Async: the bundle server lives in this process and must keep serving while curl runs.
const run = promisify(execFile);
const base = mkdtempSync(join(tmpdir(), 'vg-update-bench-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const f = (x: number) => x.toFixed(1).padStart(8);

async function main() {
  const keys = testKeys();
  process.stdout.write(`update bench: ${SIZE_MB} MB random payload, ${ROUNDS} rounds, ${ROLLBACKS} rollbacks; temp ${base}\n`);
  const src = await makeReleaseDir(join(base, 'src'), '2.0.0');
  mkdirSync(join(src, 'dist', 'payload'), { recursive: true });
  // Several files, like a real release; random so gzip cannot shrink them.
  for (let i = 0; i < 10; i++) writeFileSync(join(src, 'dist', 'payload', `blob-${i}.bin`), randomBytes((SIZE_MB * 1024 * 1024) / 10));
  let t = process.hrtime.bigint();
  const rel = await packAndSign(src, join(base, 'out'), '2.0.0', keys.privatePem);
  const bundleSize = statSync(rel.bundle).size;
  process.stdout.write(`pack + sign (scripts/release.ts, once): ${ms(t).toFixed(0)} ms; bundle ${(bundleSize / 1048576).toFixed(1)} MiB\n\n`);

  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-length': bundleSize });
    createReadStream(rel.bundle).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle.tar.gz`;
  const manifest = JSON.parse(rel.manifest) as { bundle: { size: number; sha256: string } };

  const rows: Record<string, number[]> = { verify: [], download: [], unpack: [], switch: [], steps: [], updater: [], curl: [], sha256sum: [], curlSha: [], tarx: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const root = join(base, `r${round}`, 'opt');
    const stateDir = join(base, `r${round}`, 'state');
    await makeInstall(root, '1.0.0');
    // Anchors first in odd rounds, last in even ones: the disk cache favours neither side.
    const anchors = async () => {
      const file = join(base, `r${round}`, 'curl.tar.gz');
      let a = process.hrtime.bigint();
      await run('curl', ['-sS', '-o', file, url]);
      rows.curl!.push(ms(a));
      a = process.hrtime.bigint();
      await run('sha256sum', [file]);
      rows.sha256sum!.push(ms(a));
      rows.curlSha!.push(rows.curl!.at(-1)! + rows.sha256sum!.at(-1)!);
      const x = join(base, `r${round}`, 'tarx');
      mkdirSync(x);
      a = process.hrtime.bigint();
      await run('tar', ['-xzf', file, '-C', x]);
      rows.tarx!.push(ms(a));
      rmSync(x, { recursive: true, force: true });
      rmSync(file);
    };
    if (round % 2 === 1) await anchors();

    const all = process.hrtime.bigint();
    t = process.hrtime.bigint();
    const v = verifyManifest(rel.manifest, rel.signature, [keys.publicKey]);
    if (!v.ok) throw v.error;
    rows.verify!.push(ms(t));
    t = process.hrtime.bigint();
    const dl = await downloadBundle({ url, dir: join(stateDir, 'downloads'), name: 'b.tar.gz', size: manifest.bundle.size, sha256: manifest.bundle.sha256 });
    rows.download!.push(ms(t));
    t = process.hrtime.bigint();
    const unpacked = await unpackRelease({ bundle: dl.path, releasesDir: join(root, 'releases'), version: '2.0.0' });
    rows.unpack!.push(ms(t));
    // The figures mean something only if every byte landed.
    let bytes = 0;
    for (let i = 0; i < 10; i++) bytes += statSync(join(unpacked, 'dist', 'payload', `blob-${i}.bin`)).size;
    if (bytes !== SIZE_MB * 1024 * 1024) throw new Error(`unpacked ${bytes} bytes, expected ${SIZE_MB * 1024 * 1024}`);
    t = process.hrtime.bigint();
    await writeState({ root, stateDir }, { schema: 1, pending: { from: '1.0.0', to: '2.0.0', deadline: Date.now() + 600_000, starts: 0 }, last: null, rejected: [] });
    await switchCurrent({ root, stateDir }, '2.0.0');
    rows.switch!.push(ms(t));
    rows.steps!.push(ms(all));

    // The same chain through the updater (status reports, gate, state), from offer to restart request.
    const root2 = join(base, `r${round}`, 'opt2');
    const state2 = join(base, `r${round}`, 'state2');
    await makeInstall(root2, '1.0.0');
    const gate = createSwitchGate({ now: () => Date.now() + 60_000, settleMs: 0 });
    let restarted: () => void = () => {};
    const done = new Promise<void>((r) => (restarted = r));
    const updater = createUpdater({
      layout: { root: root2, stateDir: state2 },
      currentVersion: '1.0.0',
      runtime: 'browser-linux-x64',
      keys: [keys.publicKey],
      source: { kind: 'static', manifestUrl: `${url}/manifest.json` },
      gate,
      restart: () => restarted(),
      timers: realTimers,
      pollMs: 3_600_000,
    });
    t = process.hrtime.bigint();
    await updater.apply({ manifest: rel.manifest, signature: rel.signature, bundleUrl: url });
    await done;
    rows.updater!.push(ms(t));
    updater.stop();
    if (updater.status().state !== 'switching') throw new Error(`updater ended in ${updater.status().state}`);

    if (round % 2 === 0) await anchors();
    rmSync(join(base, `r${round}`), { recursive: true, force: true });
  }
  server.close();

  const mbps = (xs: number[]) => ((bundleSize / 1048576) / (median(xs) / 1000)).toFixed(0).padStart(6);
  process.stdout.write(`median of ${ROUNDS} rounds (ms)            median      min      max   MiB/s\n`);
  const line = (name: string, xs: number[], rate = true) =>
    process.stdout.write(`  ${name.padEnd(36)}${f(median(xs))} ${f(Math.min(...xs))} ${f(Math.max(...xs))} ${rate ? mbps(xs) : ''}\n`);
  line('verify signature (Ed25519)', rows.verify!, false);
  line('download + sha256 (booth)', rows.download!);
  line('  anchor: curl', rows.curl!);
  line('  anchor: sha256sum', rows.sha256sum!);
  line('  anchor: curl + sha256sum', rows.curlSha!);
  line('unpack + checks (booth)', rows.unpack!);
  line('  anchor: tar -xzf', rows.tarx!);
  line('switch (state.json + symlink)', rows.switch!, false);
  line('total, step by step', rows.steps!);
  line('total through the updater', rows.updater!);
  process.stdout.write(`  ratios: download/(curl+sha256sum) ${(median(rows.download!) / median(rows.curlSha!)).toFixed(2)}, unpack/tar ${(median(rows.unpack!) / median(rows.tarx!)).toFixed(2)}\n\n`);

  // ---- probation deadline → rollback decision -----------------------------------------------
  const lag: number[] = [];
  const reported: number[] = [];
  for (let i = 0; i < ROLLBACKS; i++) {
    const root = join(base, `rb${i}`, 'opt');
    const stateDir = join(base, `rb${i}`, 'state');
    await makeInstall(root, '1.0.0');
    await makeReleaseDir(join(root, 'releases', '2.0.0'), '2.0.0');
    await switchCurrent({ root, stateDir }, '2.0.0');
    const deadline = Date.now() + 100;
    await writeState({ root, stateDir }, { schema: 1, pending: { from: '1.0.0', to: '2.0.0', deadline, starts: 1 }, last: null, rejected: [] });
    let decidedAt = 0;
    let reportedAt = 0;
    const updater = createUpdater({
      layout: { root, stateDir },
      currentVersion: '2.0.0',
      runtime: 'browser-linux-x64',
      keys: [keys.publicKey],
      source: { kind: 'static', manifestUrl: 'http://127.0.0.1:9/m.json' },
      gate: createSwitchGate({ now: () => Date.now() + 60_000, settleMs: 0 }),
      restart: () => {},
      timers: realTimers,
      pollMs: 3_600_000,
      onStatus: (s) => void (s.state === 'rolled_back' && (reportedAt = Date.now())),
      log: { ...silentLogger, error: (a: unknown, b?: string) => void ((a === 'update rolled back' || b === 'update rolled back') && (decidedAt = Date.now())) },
    });
    await updater.start();
    while (!reportedAt) await new Promise((r) => setTimeout(r, 5));
    updater.stop();
    const s = await readState({ root, stateDir });
    if (s.last?.state !== 'rolled_back') throw new Error('no rollback recorded');
    lag.push(decidedAt - deadline);
    reported.push(reportedAt - deadline);
    rmSync(join(base, `rb${i}`), { recursive: true, force: true });
  }
  process.stdout.write(`probation deadline → rollback (${ROLLBACKS} runs, ms)   p50      p95      max\n`);
  process.stdout.write(`  decision (deadline timer fired)     ${f(pct(lag, 50))} ${f(pct(lag, 95))} ${f(Math.max(...lag))}\n`);
  process.stdout.write(`  rolled_back reported (link + state) ${f(pct(reported, 50))} ${f(pct(reported, 95))} ${f(Math.max(...reported))}\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`update bench failed: ${String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(base, { recursive: true, force: true }));
