// Outbox crash consistency (no resolved put lost or duplicated): a child enqueues continuously and syncs to a real hub on
// loopback, and is SIGKILLed at random points — while starting, mid-put, mid-batch. After every
// kill the database passes integrity_check; at the end every record whose put resolved is at the
// hub exactly once. CRASH_KILLS=2000 npx vitest run test/crash for a longer run.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './hub-fixture';

const KILLS = Number(process.env.CRASH_KILLS ?? 200);
let dir: string;
let hub: TestHub;
let writer: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-crash-'));
  hub = await startTestHub(join(dir, 'hub.db'));
  // Bundle the writer once so each restart costs a plain `node` start, not a TypeScript compile.
  const cache = resolve('node_modules/.cache/visioguichet-crash');
  mkdirSync(cache, { recursive: true });
  writer = join(cache, `writer-${process.pid}.mjs`);
  await build({ entryPoints: [resolve('test/crash/writer.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node22', outfile: writer, external: ['better-sqlite3'], logLevel: 'error' });
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(writer, { force: true });
});

/** Runs the writer once: `kill` SIGKILLs it at a random point, `drain` lets it deliver and exit. */
function run(mode: 'kill' | 'drain'): Promise<{ ids: string[]; code: number | null; signal: string | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [writer], {
      env: { ...process.env, OUTBOX_DB: join(dir, 'kiosk.db'), OUTBOX_KEY: join(dir, 'outbox.key'), HUB_URL: hub.url, KIOSK_ID: hub.kioskId, KIOSK_SECRET: hub.secret, DRAIN: mode === 'drain' ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    // Most kills land after start-up (mid-put, mid-sync); one in ten during start-up itself.
    const early = mode === 'kill' && Math.random() < 0.1;
    const kill = () => setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * (early ? 40 : 120)));
    if (early) kill();
    let armed = mode === 'kill' && !early;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (armed && out.includes('ready\n')) {
        armed = false;
        kill();
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => done({ ids: [...out.matchAll(/^ok ([0-9a-f-]{36})$/gm)].map((m) => m[1]!), code, signal, stderr: err }));
  });
}

describe('outbox crash consistency', () => {
  it(`survives ${KILLS} SIGKILLs: integrity ok after each, every resolved put at the hub exactly once`, async () => {
    const acknowledged = new Set<string>();
    let killed = 0;
    for (let i = 0; i < KILLS; i++) {
      const r = await run('kill');
      if (r.signal !== 'SIGKILL') throw new Error(`writer exited by itself (code ${r.code}): ${r.stderr.slice(0, 2000)}`);
      killed++;
      for (const id of r.ids) acknowledged.add(id);
      const db = new Database(join(dir, 'kiosk.db'));
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    }
    const drain = await run('drain');
    expect(drain.stderr).toBe('');
    expect(drain.code).toBe(0);

    expect(killed).toBe(KILLS);
    expect(acknowledged.size).toBeGreaterThan(KILLS); // the test really enqueued between kills
    const raw = new Database(join(dir, 'hub.db'), { readonly: true });
    const counts = new Map((raw.prepare('SELECT id, COUNT(*) AS n FROM ingest_records WHERE kiosk_id = ? GROUP BY id').all(hub.kioskId) as { id: string; n: number }[]).map((r) => [r.id, r.n]));
    const callbackRows = (raw.prepare('SELECT COUNT(*) AS n FROM callbacks').get() as { n: number }).n;
    const callbackRecords = (raw.prepare("SELECT COUNT(*) AS n FROM ingest_records WHERE kind = 'callback'").get() as { n: number }).n;
    raw.close();
    const missing = [...acknowledged].filter((id) => counts.get(id) !== 1);
    expect(missing).toEqual([]);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(callbackRows).toBe(callbackRecords);
    // Records committed just before a kill (put resolved, `ok` not yet printed) reach the hub too.
    expect(counts.size).toBeGreaterThanOrEqual(acknowledged.size);
    console.log(`crash test: ${KILLS} kills, ${acknowledged.size} acknowledged puts, ${counts.size} records at the hub, ${hub.faults.duplicates} resends deduplicated`);
  }, 600_000);
});
