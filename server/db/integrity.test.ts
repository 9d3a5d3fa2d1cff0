// A damaged hub database refuses to start with a clear message naming the file; the online backup
// is a consistent, checked copy taken while the hub keeps writing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import { backupHubDb, HubDatabaseCorruptError, HubStore, openHubDb } from './store';

const repo = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-hub-integrity-'));
  dirs.push(d);
  return d;
};

/** A hub database with `n` calls, checkpointed into the main file and closed. */
function populated(file: string, n: number): void {
  const store = HubStore.open(file);
  store.db.transaction(() => {
    for (let i = 0; i < n; i++) store.callRequested({ callId: `call-${i}`, kioskId: 'k1', service: 'emploi', language: 'fr', hasAppointment: false, requestedAt: i });
  })();
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
}

function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('hub database integrity', () => {
  it('a file with torn b-tree pages is refused at open with HubDatabaseCorruptError naming the file', () => {
    const file = join(tempDir(), 'hub.sqlite');
    populated(file, 3_000);
    const pageSize = 4096;
    const pages = statSync(file).size / pageSize;
    expect(pages).toBeGreaterThan(20);
    // Garbage over a few pages in the middle of the calls table (not the header).
    for (const page of [Math.floor(pages / 2), Math.floor(pages / 2) + 1]) overwrite(file, page * pageSize, Buffer.alloc(pageSize, 0xa5));
    let err: unknown;
    try {
      openHubDb(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HubDatabaseCorruptError);
    expect((err as HubDatabaseCorruptError).code).toBe('db_corrupt');
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain('Restore the latest backup');
  });

  it('a smashed header is refused with the same named error, not a raw SQLite stack', () => {
    const file = join(tempDir(), 'hub.sqlite');
    populated(file, 10);
    overwrite(file, 0, Buffer.from('this is not a database header at all!!'.padEnd(100, '#')));
    expect(() => openHubDb(file)).toThrow(HubDatabaseCorruptError);
  });

  it('the hub process exits 78 with one clear line (path, what to do) on a damaged database', () => {
    const file = join(tempDir(), 'hub.sqlite');
    populated(file, 10);
    overwrite(file, 0, Buffer.alloc(100, 0x41));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: repo,
      env: { ...process.env, VG_HUB_DB: file, VG_HUB_PORT: '0', VG_HUB_CONFIG: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain(`the hub database ${file} is damaged`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).not.toContain('hub listening');
  });

  it('online backup: a consistent, checked copy while writes go on; the CLI never overwrites a backup', async () => {
    const dir = tempDir();
    const file = join(dir, 'hub.sqlite');
    populated(file, 500);
    const store = HubStore.open(file);
    try {
      // Writes interleaved with the backup's steps (the backup API copies between them).
      let i = 500;
      const writer = setInterval(() => store.callRequested({ callId: `call-${i++}`, kioskId: 'k1', service: 'emploi', language: 'fr', hasAppointment: false, requestedAt: i }), 1);
      const dest = join(dir, 'backup-1.sqlite');
      const { pages } = await backupHubDb(store.db, dest);
      clearInterval(writer);
      expect(pages).toBeGreaterThan(0);
      const copy = new Database(dest, { readonly: true });
      const count = (copy.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
      expect((copy.pragma('quick_check') as { quick_check: string }[])[0]?.quick_check).toBe('ok');
      copy.close();
      expect(count).toBeGreaterThanOrEqual(500);
      expect(count).toBeLessThanOrEqual(i);
    } finally {
      store.close();
    }

    const out: string[] = [];
    const dest = join(dir, 'backup-2.sqlite');
    expect(await runCli(['--db', file, 'backup', dest], {}, (l) => out.push(l))).toBe(0);
    expect(out.join('\n')).toMatch(/backup written: .*backup-2\.sqlite \(\d+ pages, quick_check ok\)/);
    expect(existsSync(dest)).toBe(true);
    const before = readFileSync(dest);
    await expect(runCli(['--db', file, 'backup', dest], {}, () => {})).rejects.toThrow('already exists');
    expect(readFileSync(dest).equals(before)).toBe(true);
    // The backup opens as a hub database.
    const restored = HubStore.open(dest);
    expect((restored.db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n).toBeGreaterThanOrEqual(500);
    restored.close();
  });
});
