import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseNewerThanAppError } from '../../common/db/migrate';
import { createOutbox, type Outbox } from './outbox';
import { outboxMigrations, openOutboxDb } from './db';
import { InvalidRecordError, OutboxFullError, OutboxKeyError } from './errors';

const callback = { name: 'Gabrielle Tremblay-Zyx', phone: '(418) 555-0199', timeWindow: 'morning', service: 'emploi', language: 'fr' } as const;
const visit = { service: 'emploi', language: 'fr', waitMs: 1000, durationMs: 60_000, outcome: 'completed' } as const;

let dir: string;
let path: string;
const key = randomBytes(32);
const open: Outbox[] = [];
const make = (o: Partial<Parameters<typeof createOutbox>[0]> = {}) => {
  const ob = createOutbox({ path, key, ...o });
  open.push(ob);
  return ob;
};
const fileBytes = () => Buffer.concat(['', '-wal'].filter((s) => existsSync(path + s)).map((s) => readFileSync(path + s)));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  path = join(dir, 'outbox.db');
});
afterEach(() => {
  for (const o of open.splice(0)) o.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('outbox', () => {
  it('stores a record durably and returns a UUIDv7 idempotency key', async () => {
    const ob = make();
    const { id } = await ob.put('visit', visit);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    ob.close();
    const again = make();
    expect(again.stats().depth).toBe(1);
    expect(again.nextBatch(10, 1e6)[0]).toMatchObject({ id, kind: 'visit', data: visit });
  });

  it('refuses invalid records with a named error and stores nothing', async () => {
    const ob = make();
    await expect(ob.put('callback', { ...callback, phone: '555-0199' })).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(ob.put('callback', { ...callback, phone: '(118) 555-0199' })).rejects.toMatchObject({ code: 'outbox_invalid_record' });
    await expect(ob.put('visit', { ...visit, extra: 1 })).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(ob.put('nope' as 'visit', visit)).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(ob.putMany([{ kind: 'visit', record: visit }, { kind: 'survey', record: { rating: 9 } }])).rejects.toBeInstanceOf(InvalidRecordError);
    expect(ob.stats().depth).toBe(0);
  });

  it('encrypts name and phone at rest and purges them once the hub acknowledges', async () => {
    const ob = make();
    const { id } = await ob.put('callback', callback);
    const batch = ob.nextBatch(10, 1e6);
    expect(batch[0]!.data).toMatchObject({ name: callback.name, phone: '+14185550199' });
    for (const needle of [callback.name, '4185550199', 'Tremblay']) expect(fileBytes().includes(needle)).toBe(false);
    expect(fileBytes().includes('emploi')).toBe(true); // the non-personal part is there: the grep works
    expect(ob.settle([{ id, status: 'stored' }])).toEqual({ acked: 1, rejected: 0 });
    ob.close();
    // After ack and a checkpoint, not even the ciphertext remains (secure_delete zeroes freed cells).
    const raw = new Database(path);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    expect(make().stats().depth).toBe(0);
    for (const needle of [callback.name, '4185550199', 'morning']) expect(fileBytes().includes(needle)).toBe(false);
  });

  it("encrypts a survey's free-text comment at rest and delivers it whole", async () => {
    const ob = make();
    const comment = 'Rappelez Lucie Tremblay au 418 555 0199 svp';
    const { id } = await ob.put('survey', { service: 'emploi', language: 'fr', rating: 4, comment });
    for (const needle of ['Lucie', 'Tremblay', '418 555 0199']) expect(fileBytes().includes(needle)).toBe(false);
    expect(fileBytes().includes('emploi')).toBe(true); // the grep works
    expect(ob.nextBatch(10, 1e6)[0]).toMatchObject({ id, kind: 'survey', data: { rating: 4, comment } });
    // A survey without a comment has nothing to seal.
    await ob.put('survey', { service: 'emploi', language: 'fr', rating: null });
    expect(ob.nextBatch(10, 1e6)[1]!.data).toEqual({ service: 'emploi', language: 'fr', rating: null });
    ob.close();
  });

  it('cannot open personal fields with another key: the record is parked, the queue goes on', async () => {
    const ob = make();
    await ob.put('callback', callback);
    await ob.put('visit', visit);
    ob.close();
    const other = make({ key: randomBytes(32) });
    const batch = other.nextBatch(10, 1e6);
    expect(batch.map((b) => b.kind)).toEqual(['visit']);
    expect(other.stats()).toMatchObject({ depth: 1, rejected: 1 });
  });

  it('ships citizen records first, then telemetry, each kind in order, bounded by count and bytes', async () => {
    const ob = make();
    const v1 = await ob.put('visit', visit);
    const c1 = await ob.put('callback', callback);
    const v2 = await ob.put('visit', visit);
    const s1 = await ob.put('survey', { service: 'emploi', language: 'en', rating: 5 });
    expect(ob.nextBatch(10, 1e6).map((b) => b.id)).toEqual([c1.id, s1.id, v1.id, v2.id]);
    expect(ob.nextBatch(2, 1e6)).toHaveLength(2);
    expect(ob.nextBatch(10, 1)).toHaveLength(1); // always at least one
  });

  it('applies partial acks and rejections; unknown ids are ignored', async () => {
    const ob = make();
    const a = await ob.put('visit', visit);
    const b = await ob.put('visit', visit);
    const c = await ob.put('visit', visit);
    expect(ob.settle([{ id: a.id, status: 'duplicate' }, { id: b.id, status: 'rejected', error: 'bad' }, { id: 'x', status: 'stored' }])).toEqual({ acked: 1, rejected: 1 });
    expect(ob.stats()).toMatchObject({ depth: 1, rejected: 1 });
    expect(ob.nextBatch(10, 1e6).map((r) => r.id)).toEqual([c.id]);
  });

  it('at the cap drops oldest telemetry first and never a citizen record', async () => {
    const ob = make({ capBytes: 4000 });
    const first = await ob.put('visit', visit);
    for (let i = 0; i < 30; i++) await ob.put('visit', visit);
    expect(ob.stats().bytes).toBeLessThanOrEqual(4000);
    expect(ob.nextBatch(100, 1e6).some((r) => r.id === first.id)).toBe(false);
    const citizen: string[] = [];
    let full: unknown;
    for (let i = 0; i < 100 && !full; i++) {
      try {
        citizen.push((await ob.put('callback', callback)).id);
      } catch (err) {
        full = err;
      }
    }
    expect(full).toBeInstanceOf(OutboxFullError);
    expect(ob.stats().full).toBe(true);
    const left = ob.nextBatch(1000, 1e9);
    expect(left.filter((r) => r.kind === 'callback').map((r) => r.id)).toEqual(citizen);
    expect(left.filter((r) => r.kind === 'visit')).toHaveLength(0);
    // New telemetry either replaces older telemetry or is refused; citizen records stay.
    for (let i = 0; i < 20; i++) await ob.put('health', { metrics: { cpu: i } }).catch((e: unknown) => expect(e).toBeInstanceOf(OutboxFullError));
    expect(ob.stats().bytes).toBeLessThanOrEqual(4000);
    expect(ob.nextBatch(1000, 1e9).filter((r) => r.kind === 'callback').map((r) => r.id)).toEqual(citizen);
  });

  it('a full disk fails the put with OutboxFullError and leaves the outbox usable', async () => {
    const ob = make({ maxDbBytes: 96 * 1024 });
    const ids: string[] = [];
    let full: unknown;
    for (let i = 0; i < 5000 && !full; i++) {
      try {
        ids.push((await ob.put('callback', { ...callback, name: `Nom ${i} ${'x'.repeat(60)}` })).id);
      } catch (err) {
        full = err;
      }
    }
    expect(full).toBeInstanceOf(OutboxFullError);
    expect((full as OutboxFullError).message).toContain('disk');
    expect(ob.stats().depth).toBe(ids.length);
    ob.settle(ids.slice(0, 50).map((id) => ({ id, status: 'stored' as const })));
    await ob.put('callback', callback); // room again once the hub took some
  });

  it('keeps its in-memory figures equal to what the file holds through every kind of change', async () => {
    let now = 1_700_000_000_000;
    let seed = 7;
    const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const ob = make({ clock: () => now, capBytes: 20_000, telemetryRetentionMs: 50_000 });
    for (let step = 0; step < 600; step++) {
      now += 100;
      const r = rnd();
      if (r < 0.5) {
        const k = rnd();
        const put = k < 0.3 ? ob.put('callback', callback) : k < 0.65 ? ob.put('visit', visit) : ob.put('health', { metrics: { step } });
        await put.catch((e: unknown) => expect(e).toBeInstanceOf(OutboxFullError));
      }
      else if (r < 0.8) {
        const batch = ob.nextBatch(1 + Math.floor(rnd() * 8), 1e6);
        ob.settle(batch.filter(() => rnd() < 0.8).map((b) => ({ id: b.id, status: rnd() < 0.9 ? ('stored' as const) : ('rejected' as const) })));
      } else if (r < 0.9) ob.enforceRetention();
    }
    const live = ob.stats();
    ob.close();
    const reopened = make({ clock: () => now, capBytes: 20_000, telemetryRetentionMs: 50_000 }).stats();
    expect({ ...live, lastSync: null }).toEqual(reopened);
  });

  it('drops telemetry past retention, keeps citizen records', async () => {
    let now = 1_700_000_000_000;
    const ob = make({ clock: () => now, telemetryRetentionMs: 1000 });
    await ob.put('visit', visit);
    await ob.put('callback', callback);
    now += 5000;
    expect(ob.enforceRetention()).toBe(1);
    expect(ob.stats().byKind).toMatchObject({ visit: 0, callback: 1 });
    expect(ob.stats().oldestAgeMs).toBe(5000);
  });

  it('moves a corrupted file aside, starts fresh and records an incident', async () => {
    writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(8192)]));
    const ob = make();
    expect(ob.recovery?.reason).toBe('corrupt');
    expect(existsSync(ob.recovery!.movedTo)).toBe(true);
    const [incident] = ob.nextBatch(10, 1e6);
    expect(incident).toMatchObject({ kind: 'incident', data: { code: 'outbox_corrupt', severity: 'error' } });
    expect(ob.stats().recovered).toMatchObject({ reason: 'corrupt' });
    await ob.put('visit', visit);
  });

  it('sets a database from a newer build aside instead of blocking the booth', async () => {
    const raw = new Database(path);
    raw.pragma(`user_version = ${outboxMigrations.length + 1}`);
    raw.close();
    expect(() => openOutboxDb(path, Date.now)).not.toThrow();
    // openOutboxDb already moved it; build another one to see createOutbox report it.
    const raw2 = new Database(path);
    raw2.pragma(`user_version = ${outboxMigrations.length + 5}`);
    raw2.close();
    const ob = make();
    expect(ob.recovery?.reason).toBe('newer');
    expect(readdirSync(dir).some((f) => f.includes('newer-v'))).toBe(true);
    expect(ob.nextBatch(1, 1e6)[0]?.data).toMatchObject({ code: 'outbox_newer' });
  });

  it('refuses a key of the wrong size', () => {
    expect(() => createOutbox({ path, key: randomBytes(16) })).toThrow(OutboxKeyError);
  });
});

describe('outbox migrations', () => {
  it('creates the schema at v1 with WAL and synchronous=FULL, and is idempotent', () => {
    const { db } = openOutboxDb(path, Date.now);
    expect(db.pragma('user_version', { simple: true })).toBe(outboxMigrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    const cols = (db.prepare('PRAGMA table_info(outbox)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(expect.arrayContaining(['seq', 'id', 'kind', 'citizen', 'created_at', 'data', 'sealed', 'size', 'status']));
    db.close();
    const again = openOutboxDb(path, Date.now);
    expect(again.recovery).toBeNull();
    again.db.close();
  });

  it('the runner raises DatabaseNewerThanAppError for a newer file', async () => {
    const { migrate } = await import('../../common/db/migrate');
    const db = new Database(path);
    db.pragma('user_version = 99');
    expect(() => migrate(db as never, outboxMigrations)).toThrow(DatabaseNewerThanAppError);
    db.close();
  });
});
