// Hub side of staged rollouts (a command, not a test): npx tsx test/bench/rollout.bench.ts [booths=300] [bundleMB=100]
// Prints, in the same run so the ratios hold on a noisy machine:
//  - update polls (GET /api/kiosk/update, kiosk-authenticated, the ring decision in SQLite) per
//    second and p50/p95 latency, beside GET /api/health (no auth, no database) as the anchor;
//  - kiosk.health reports carrying `update` taken in by the hub (the version/status bookkeeping);
//  - one bundle streamed by the hub to a booth that hashes it, beside reading + hashing the same
//    file from disk.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable, Readable } from 'node:stream';
import { hashSecret } from '../../server/auth/secrets';
import { createAgent, createHub } from '../../server/hub';
import { HubTestClient } from '../../server/test-client';
import { updatesPlugin } from '../../server/updates/plugin';
import { addReleaseManifest, storeBundle } from '../../server/updates/releases';
import { advanceRollout, startRollout } from '../../server/updates/rollout';
import { parseUpdateKey } from '../../server/updates/signature';
import { setAgentAdmin } from '../../server/updates/store';
import { makeKeys, makeRelease } from '../../server/updates/testing';

const BOOTHS = Number(process.argv[2] ?? 300);
const BUNDLE_MB = Number(process.argv[3] ?? 100);
const CONCURRENCY = 16;
const ROUNDS = 5;
const dir = mkdtempSync(join(tmpdir(), 'rollout-bench-'));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const median = (xs: number[]) => pct(xs, 50);

async function main(): Promise<void> {
  const keys = makeKeys();
  const releasesDir = join(dir, 'releases');
  const hub = await createHub({ dbPath: join(dir, 'hub.sqlite'), plugins: [updatesPlugin({ keys: [keys.publicKey], releasesDir })] });
  try {
    // Kiosks share one secret so the setup costs one scrypt hash, not one per booth.
    const secret = randomBytes(24).toString('base64url');
    const secretHash = await hashSecret(secret);
    const ids = Array.from({ length: BOOTHS }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    for (const kioskId of ids) hub.db.insertKiosk({ kioskId, name: kioskId, office: 'Bench', secretHash, disabled: false, createdAt: Date.now() });
    const admin = await createAgent(hub.db, { username: 'admin', displayName: 'Admin' });
    setAgentAdmin(hub.db.db, admin.agent.username, true);
    const key = parseUpdateKey(keys.publicKey);
    const db = hub.db.db;
    for (const [v, size] of [['1.0.0', 1024], ['1.1.0', BUNDLE_MB * 1024 * 1024]] as const) {
      const rel = makeRelease(keys, v, { size });
      addReleaseManifest(db, { manifest: rel.manifest, signature: rel.signature, keys: [key], actor: 'bench', now: Date.now() });
      await storeBundle(db, { releasesDir, version: v, source: Readable.from([rel.bundle]), actor: 'bench', now: Date.now });
    }
    startRollout(db, { version: '1.1.0', pilots: ids.slice(0, 3), previous: '1.0.0' }, 'bench', Date.now());
    advanceRollout(db, { percent: 10 }, 'bench', Date.now());

    // ---- health reports with `update` (every booth's link, real sockets)
    // A few at a time: each first authentication is one scrypt check, and a queue of hundreds
    // would outlast the hub's 10 s authentication timeout.
    const links: { kioskId: string; c: HubTestClient }[] = [];
    await runPool(ids, async (kioskId) => {
      const c = await HubTestClient.connect(hub.wsUrl);
      c.send({ type: 'kiosk.auth', v: 1, kioskId, secret });
      await c.next('welcome', 30_000);
      links.push({ kioskId, c });
    });
    // Anchor: the same reports without `update` and with an unchanged version (nothing for the
    // rollout bookkeeping to write). Measured: reports whose update state changes every time.
    const reports: number[] = [];
    const plainReports: number[] = [];
    for (let round = 0; round < ROUNDS * 2; round++) {
      const withUpdate = round % 2 === 1;
      const t0 = performance.now();
      for (const { c } of links) {
        c.send({ type: 'kiosk.health', health: {
          at: Date.now(), appVersion: '1.0.0', uptimeSeconds: round, hubLink: 'online', phase: 'attract', ok: true, problems: [],
          devices: null, camera: null, screen: null, media: null, outbox: null,
          ...(withUpdate ? { update: { current: '1.0.0', target: '1.1.0', state: round % 4 === 1 ? 'downloading' : 'verifying', error: null, at: Date.now() } } : {}),
        } });
        c.send({ type: 'ping', t: round });
      }
      await Promise.all(links.map(({ c }) => c.next('pong', 30_000)));
      (withUpdate ? reports : plainReports).push(performance.now() - t0);
    }
    for (const { c } of links) c.close();

    // ---- polls vs the anchor
    const auth = (id: string) => ({ authorization: `Kiosk ${id}:${secret}` });
    // The links' auth already warmed the kiosk-credential cache (one scrypt per booth); one pass
    // records the offers, so the rounds measure the steady state.
    await runPool(ids, (id) => fetch(`${hub.url}/api/kiosk/update`, { headers: auth(id) }).then((r) => r.arrayBuffer()));
    const poll = { lat: [] as number[], rate: [] as number[] };
    const anchor = { lat: [] as number[], rate: [] as number[] };
    let offers = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [which, path] of [[anchor, '/api/health'], [poll, '/api/kiosk/update']] as const) {
        const t0 = performance.now();
        await runPool(ids, async (id) => {
          const s = performance.now();
          const res = await fetch(`${hub.url}${path}`, { headers: auth(id) });
          await res.arrayBuffer();
          if (path !== '/api/health' && res.status === 200 && round === 0) offers += 1;
          which.lat.push(performance.now() - s);
        });
        which.rate.push((ids.length * 1000) / (performance.now() - t0));
      }
    }

    // ---- one bundle download vs reading + hashing the same file
    const file = join(releasesDir, '1.1.0', 'visioguichet-1.1.0.tar.gz');
    const hashStream = async (src: AsyncIterable<Uint8Array> | NodeJS.ReadableStream) => {
      const h = createHash('sha256');
      await pipeline(src as NodeJS.ReadableStream, new Writable({ write(chunk: Buffer, _e, cb) { h.update(chunk); cb(); } }));
      return h.digest('hex');
    };
    const dl: number[] = [];
    const disk: number[] = [];
    for (let round = 0; round < 3; round++) {
      let t0 = performance.now();
      await hashStream(createReadStream(file));
      disk.push(performance.now() - t0);
      t0 = performance.now();
      const res = await fetch(`${hub.url}/api/kiosk/update/bundle/1.1.0`, { headers: auth(ids[0]!) });
      await hashStream(res.body as unknown as AsyncIterable<Uint8Array>);
      dl.push(performance.now() - t0);
    }

    const f = (n: number) => n.toFixed(1);
    console.log(`booths ${BOOTHS}, concurrency ${CONCURRENCY}, ${ROUNDS} rounds (medians); ${offers} booths offered 1.1.0 at 10 % (+3 pilots)`);
    console.log(`health reports, no update:    ${f((BOOTHS * 1000) / median(plainReports))} reports/s (${f(median(plainReports))} ms per fleet round; anchor)`);
    console.log(`health reports, update moves: ${f((BOOTHS * 1000) / median(reports))} reports/s (${f(median(reports))} ms per fleet round; ${f(median(reports) / median(plainReports))}× the anchor)`);
    console.log(`GET /api/health (anchor):     ${f(median(anchor.rate))} req/s  p50 ${f(pct(anchor.lat, 50))} ms  p95 ${f(pct(anchor.lat, 95))} ms`);
    console.log(`GET /api/kiosk/update:        ${f(median(poll.rate))} req/s  p50 ${f(pct(poll.lat, 50))} ms  p95 ${f(pct(poll.lat, 95))} ms  (${f(median(anchor.rate) / median(poll.rate))}× the anchor's cost)`);
    const mb = BUNDLE_MB;
    console.log(`bundle ${mb} MB: hub → booth + sha256 ${f(median(dl))} ms (${f((mb * 1000) / median(dl))} MB/s); disk read + sha256 ${f(median(disk))} ms (${f((mb * 1000) / median(disk))} MB/s); ratio ${f(median(dl) / median(disk))}`);
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPool<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

main().catch((err: unknown) => {
  console.error(err);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
