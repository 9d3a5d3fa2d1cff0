// Hub side of the outbox: the ingest endpoint's refusals, per-record validation and dedupe, and the
// migration that adds its tables to an existing hub database.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INGEST_PATH, IngestResponse, kioskAuthHeader } from '../../common/outbox';
import { migrations } from '../../server/db/migrations';
import { openHubDb } from '../../server/db/store';
import { startTestHub, type TestHub } from '../crash/hub-fixture';

let dir: string;
let hub: TestHub;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-'));
  hub = await startTestHub(join(dir, 'hub.db'));
});
afterEach(async () => {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: unknown, auth: string | null = kioskAuthHeader(hub.kioskId, hub.secret)) =>
  fetch(hub.url + INGEST_PATH, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const uuid = (n: number) => `01890000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const visit = { service: 'emploi', language: 'fr', waitMs: 1, durationMs: 2, outcome: 'completed' };

describe('ingest endpoint', () => {
  it('refuses missing or wrong kiosk credentials with 401', async () => {
    const body = { v: 1, records: [{ id: uuid(1), kind: 'visit', createdAt: 1, data: visit }] };
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, kioskAuthHeader(hub.kioskId, 'x'.repeat(24)))).status).toBe(401);
    expect((await post(body, `Bearer ${'x'.repeat(30)}`)).status).toBe(401);
    expect(hub.store().countFor(hub.kioskId)).toBe(0);
  });

  it('answers a malformed request with 400 and stores nothing', async () => {
    for (const bad of ['not json', { v: 2, records: [] }, { v: 1, records: [] }, { v: 1, records: [{ id: 'not-a-uuid', kind: 'visit', createdAt: 1, data: visit }] }, { v: 1, records: Array.from({ length: 1001 }, (_, i) => ({ id: uuid(i), kind: 'visit', createdAt: 1, data: visit })) }]) {
      const res = await post(bad);
      expect(res.status).toBe(400);
    }
    expect(hub.store().countFor(hub.kioskId)).toBe(0);
    expect((await fetch(`${hub.url}/api/health`)).ok).toBe(true); // still serving
  });

  it('validates each record on its own, dedupes by idempotency key, acks each record', async () => {
    const records = [
      { id: uuid(1), kind: 'visit', createdAt: 1, data: visit },
      { id: uuid(2), kind: 'survey', createdAt: 2, data: { service: 'emploi', language: 'fr', rating: 9 } },
      { id: uuid(3), kind: 'nope', createdAt: 3, data: {} },
      { id: uuid(4), kind: 'callback', createdAt: 4, data: { name: 'A B', phone: '4185550123', timeWindow: 'any', service: 'emploi', language: 'fr' } },
    ];
    const first = IngestResponse.parse(await (await post({ v: 1, records })).json()).results;
    expect(first.map((r) => r.status)).toEqual(['stored', 'rejected', 'rejected', 'stored']);
    expect(first[1]!.error).toContain('rating');
    const again = IngestResponse.parse(await (await post({ v: 1, records })).json()).results;
    expect(again.map((r) => r.status)).toEqual(['duplicate', 'rejected', 'rejected', 'duplicate']);
    expect(hub.store().countFor(hub.kioskId)).toBe(2);
  });
});

describe('hub retention', () => {
  it('drops records and done callbacks past retention, keeps waiting callbacks', async () => {
    const day = 24 * 60 * 60 * 1000;
    const now = Date.now();
    const cb = { name: 'A B', phone: '4185550123', timeWindow: 'any', service: 'emploi', language: 'fr' };
    const records = [
      { id: uuid(1), kind: 'visit', createdAt: now - 100 * day, data: visit },
      { id: uuid(2), kind: 'visit', createdAt: now - day, data: visit },
      { id: uuid(3), kind: 'callback', createdAt: now - 100 * day, data: cb },
    ];
    await post({ v: 1, records });
    const store = hub.store();
    expect(store.prune(now, 90 * day)).toBe(2); // the old visit and the old callback's record; the callback row stays open
    expect(store.listActive('a1').map((c) => c.id)).toEqual([uuid(3)]);
    store.claim(uuid(3), { agentId: 'a1', displayName: 'A' }, now - 95 * day);
    store.done(uuid(3), 'a1', now - 95 * day);
    expect(store.prune(now, 90 * day)).toBe(1);
    expect(store.countFor(hub.kioskId)).toBe(1);
  });
});

describe('hub migration v2 (ingest)', () => {
  it('upgrades a v1 hub database in place, keeping its rows', () => {
    const path = join(dir, 'old.db');
    const v1 = openHubDb(path, migrations.slice(0, 1));
    v1.prepare("INSERT INTO settings (key, value) VALUES ('keep', 'me')").run();
    v1.close();
    const db = openHubDb(path);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'keep'").get()).toEqual({ value: 'me' });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['ingest_records', 'callbacks']));
    db.close();
  });
});

describe('survey comments at the hub', () => {
  it('keeps the free text for the review window only, then the rating alone; the text leaves the files (WAL included)', async () => {
    const day = 24 * 60 * 60 * 1000;
    const comment = 'Merci Zqxsurvey, rappelez-moi au 514 555 0199';
    const survey = { service: 'emploi', language: 'fr', rating: 4, comment };
    const res = IngestResponse.parse(await (await post({ v: 1, records: [{ id: uuid(9), kind: 'survey', createdAt: Date.now(), data: survey }] })).json()).results;
    expect(res[0]!.status).toBe('stored');
    const files = () => readdirSync(dir).filter((f) => f.startsWith('hub.db')).map((f) => join(dir, f));
    const inFiles = () => files().some((f) => readFileSync(f).includes(Buffer.from('Zqxsurvey')));
    const store = hub.store();
    expect(inFiles()).toBe(true);
    // Within the window nothing changes.
    expect(store.prune(Date.now() + 13 * day, 90 * day)).toBe(0);
    // Past it, the text goes and the rating stays.
    expect(store.prune(Date.now() + 15 * day, 90 * day)).toBe(1);
    const raw = new Database(join(dir, 'hub.db'), { readonly: true });
    const row = raw.prepare('SELECT data FROM ingest_records WHERE id = ?').get(uuid(9)) as { data: string };
    raw.close();
    expect(JSON.parse(row.data)).toEqual({ service: 'emploi', language: 'fr', rating: 4 });
    expect(inFiles()).toBe(false);
    expect(store.prune(Date.now() + 16 * day, 90 * day)).toBe(0);
  });
});
