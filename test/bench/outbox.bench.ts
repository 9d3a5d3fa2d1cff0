// Outbox benchmark (a command, not a test): npx tsx test/bench/outbox.bench.ts [backlog=100000]
// Prints, beside raw better-sqlite3 with the same pragmas and schema in the same run: durable
// single puts/s, batched records/s, time to drain a backlog to a real hub on loopback (separate
// process), and the kiosk process's peak RSS while draining. Rounds alternate raw/outbox and the
// median is reported, because the machines are noisy.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { createOutbox } from '../../main/outbox/outbox';
import { createSender } from '../../main/outbox/sender';
import { applyPragmas, outboxMigrations } from '../../main/outbox/db';
import { migrate } from '../../common/db/migrate';

const BACKLOG = Number(process.argv[2] ?? 100_000);
const SINGLES = 300;
// Singles are fsync-bound and the shared disk is noisy: many short alternating rounds.
const SINGLE_ROUNDS = 9;
const BATCHED = 50_000;
const ROUNDS = 3;
const dir = mkdtempSync(join(tmpdir(), 'outbox-bench-'));
const visit = { service: 'emploi', language: 'fr', waitMs: 1234, durationMs: 456_789, outcome: 'completed' } as const;
const callback = { name: 'Marie-Ève Bouchard', phone: '418 555 0142', timeWindow: 'morning', service: 'emploi', language: 'fr' } as const;
let n = 0;
const fresh = () => join(dir, `db-${n++}.db`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (count: number, ms: number) => (count * 1000) / ms;

function rawDb(): Database.Database {
  const db = new Database(fresh());
  applyPragmas(db);
  migrate(db, outboxMigrations);
  return db;
}
const rawInsert = (db: Database.Database) => db.prepare('INSERT INTO outbox (id, kind, citizen, created_at, data, sealed, size) VALUES (?, ?, ?, ?, ?, ?, ?)');
const json = JSON.stringify(visit);

function rawSingles(): number {
  const db = rawDb();
  const ins = rawInsert(db);
  const t0 = performance.now();
  for (let i = 0; i < SINGLES; i++) ins.run(`id-${i}`, 'visit', 0, Date.now(), json, null, json.length);
  const ms = performance.now() - t0;
  db.close();
  return rate(SINGLES, ms);
}
async function outboxSingles(kind: 'visit' | 'callback'): Promise<number> {
  const ob = createOutbox({ path: fresh(), key: randomBytes(32) });
  const rec = kind === 'visit' ? visit : callback;
  const t0 = performance.now();
  for (let i = 0; i < SINGLES; i++) await ob.put(kind, rec);
  const ms = performance.now() - t0;
  ob.close();
  return rate(SINGLES, ms);
}
function rawBatched(): number {
  const db = rawDb();
  const ins = rawInsert(db);
  const tx = db.transaction((from: number) => {
    for (let i = from; i < from + 1000; i++) ins.run(`id-${i}`, 'visit', 0, Date.now(), json, null, json.length);
  });
  const t0 = performance.now();
  for (let i = 0; i < BATCHED; i += 1000) tx(i);
  const ms = performance.now() - t0;
  db.close();
  return rate(BATCHED, ms);
}
async function outboxBatched(): Promise<number> {
  const ob = createOutbox({ path: fresh(), key: randomBytes(32) });
  const items = Array.from({ length: 1000 }, () => ({ kind: 'visit' as const, record: visit }));
  const t0 = performance.now();
  for (let i = 0; i < BATCHED; i += 1000) await ob.putMany(items);
  const ms = performance.now() - t0;
  ob.close();
  return rate(BATCHED, ms);
}

async function startHubProcess(): Promise<{ url: string; kioskId: string; secret: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/crash/hub-main.ts'), join(dir, 'hub.db')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((ok, ko) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (c) => ko(new Error(`hub exited ${c}`)));
  });
  return { ...(JSON.parse(line) as { url: string; kioskId: string; secret: string }), stop: () => child.kill('SIGTERM') };
}

async function drain(): Promise<{ ms: number; peakRss: number; baseRss: number }> {
  const ob = createOutbox({ path: fresh(), key: randomBytes(32) });
  // A realistic backlog: 1 callback (encrypted personal fields) for 9 visits.
  const chunk = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? { kind: 'callback' as const, record: callback } : { kind: 'visit' as const, record: visit }));
  for (let i = 0; i < BACKLOG; i += 1000) await ob.putMany(chunk.slice(0, Math.min(1000, BACKLOG - i)));
  const hub = await startHubProcess();
  // Completion is counted from the acks (stats() scans the table: polling it would slow the drain).
  let acked = 0;
  let finished!: () => void;
  const allAcked = new Promise<void>((ok) => (finished = ok));
  const sender = createSender({
    outbox: ob, hubUrl: hub.url, kioskId: hub.kioskId, secret: hub.secret, batchRecords: 1000, idleMs: 10, baseBackoffMs: 10, maxBackoffMs: 100,
    onSync: (r) => {
      acked += r.acked;
      if (acked >= BACKLOG) finished();
    },
  });
  global.gc?.();
  const baseRss = process.memoryUsage.rss();
  let peakRss = baseRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
  const t0 = performance.now();
  sender.start();
  await allAcked;
  const ms = performance.now() - t0;
  if (ob.stats().depth !== 0) throw new Error('backlog not drained');
  clearInterval(sampler);
  await sender.stop();
  ob.close();
  hub.stop();
  return { ms, peakRss, baseRss };
}

const rawS: number[] = [];
const obS: number[] = [];
const obC: number[] = [];
const rawB: number[] = [];
const obB: number[] = [];
for (let r = 0; r < SINGLE_ROUNDS; r++) {
  rawS.push(rawSingles());
  obS.push(await outboxSingles('visit'));
  obC.push(await outboxSingles('callback'));
}
for (let r = 0; r < ROUNDS; r++) {
  rawB.push(rawBatched());
  obB.push(await outboxBatched());
}
const d = await drain();
const f = (x: number) => x.toFixed(0).padStart(9);
const mb = (x: number) => `${(x / 1024 / 1024).toFixed(0)} MiB`;
console.log(`outbox benchmark — WAL, synchronous=FULL, secure_delete (same schema for raw); median of ${SINGLE_ROUNDS} / ${ROUNDS} alternating rounds`);
console.log(`durable single puts/s      raw ${f(median(rawS))}   outbox visit ${f(median(obS))} (${((median(obS) / median(rawS)) * 100).toFixed(0)} % of raw)   outbox callback (AES-GCM) ${f(median(obC))} (${((median(obC) / median(rawS)) * 100).toFixed(0)} %)`);
console.log(`batched records/s (1000/tx) raw ${f(median(rawB))}   outbox ${f(median(obB))} (${((median(obB) / median(rawB)) * 100).toFixed(0)} % of raw; includes zod + UUIDv7 per record)`);
console.log(`drain ${BACKLOG} records to hub on loopback: ${(d.ms / 1000).toFixed(2)} s (${f(rate(BACKLOG, d.ms))} records/s); kiosk RSS ${mb(d.baseRss)} before, peak ${mb(d.peakRss)} while draining`);
rmSync(dir, { recursive: true, force: true });
