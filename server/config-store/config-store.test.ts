import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, createKiosk } from '../accounts';
import { HubStore, openHubDb } from '../db/store';
import { migrations } from '../db/migrations';
import { migrate } from '../../common/db/migrate';
import { createHub, type Hub } from '../hub';
import { HubTestClient } from '../test-client';
import { ConfigInvalidError, ConfigStore, configVersionOf, diffConfig, mergeConfig } from './store';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function memoryStore() {
  const hub = HubStore.open(':memory:');
  open.push(hub);
  const clock = { t: 1_000 };
  const store = new ConfigStore(hub.db, () => clock.t);
  const kiosk = (id: string, office: string) => hub.insertKiosk({ kioskId: id, name: id, office, secretHash: '!', disabled: false, createdAt: 0 });
  return { hub, store, clock, kiosk };
}

function refusal(fn: () => unknown): ConfigInvalidError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigInvalidError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('migration 8', () => {
  it('adds config_versions to a version-7 database, keeping its kiosks', () => {
    const db = openHubDb(':memory:', migrations.slice(0, 7));
    try {
      db.prepare("INSERT INTO kiosks (kiosk_id, name, office, secret_hash, created_at) VALUES ('k1', 'K1', 'Québec', '!', 0)").run();
      expect(migrate(db, migrations)).toEqual({ from: 7, to: migrations.length });
      new ConfigStore(db).set('kiosk:k1', { kioskName: 'Entrée' }, 't');
      expect(db.prepare('SELECT scope, version FROM config_versions').all()).toEqual([{ scope: 'kiosk:k1', version: 1 }]);
      expect(db.prepare('SELECT office FROM kiosks').get()).toEqual({ office: 'Québec' });
    } finally {
      db.close();
    }
  });
});

describe('config store: documents, versions, rollback', () => {
  it('keeps every version with who, when and what changed, and rolls back to any of them as a new version', () => {
    const { store, clock } = memoryStore();
    const v1 = store.set('office:Québec', { tollFree: '1 800 000-0001', timers: { idleMs: 90_000 } }, 'tech1', { comment: 'opening' });
    clock.t = 2_000;
    const v2 = store.set('office:Québec', { tollFree: '1 800 000-0002', timers: { idleMs: 90_000, waitTimeoutMs: 600_000 } }, 'tech2');
    expect(v1).toMatchObject({ version: 1, author: 'tech1', at: 1_000, comment: 'opening' });
    expect(v2.diff).toEqual([
      { path: 'timers.waitTimeoutMs', to: 600_000 },
      { path: 'tollFree', from: '1 800 000-0001', to: '1 800 000-0002' },
    ]);
    clock.t = 3_000;
    const v3 = store.rollback('office:Québec', 1, 'sup1');
    expect(v3).toMatchObject({ version: 3, author: 'sup1', rollbackOf: 1, doc: v1.doc, comment: 'rollback to version 1' });
    expect(v3.diff).toEqual([
      { path: 'timers.waitTimeoutMs', from: 600_000 },
      { path: 'tollFree', from: '1 800 000-0002', to: '1 800 000-0001' },
    ]);
    expect(store.history('office:Québec').map((v) => v.version)).toEqual([3, 2, 1]);
    expect(store.current('office:Québec').doc).toEqual(v1.doc);
    expect(() => store.rollback('office:Québec', 9, 'sup1')).toThrow(/no version 9/);
  });

  it('refuses a bad value with the field named and writes nothing', () => {
    const { store } = memoryStore();
    store.set('office:Lévis', { tollFree: '1 800 000-0001' }, 'tech1');
    const bad = [
      [{ timers: { idleMs: -5 } }, 'timers.idleMs'],
      [{ timers: { idleMS: 5_000 } }, 'timers.idleMS'],
      [{ schedule: { days: [[{ open: '25:00', close: '26:00' }], [], [], [], [], [], []] } }, 'schedule.days.0.0.open'],
      [{ schedule: { days: [[], [], [], [], [], [], []], holidays: { dates: ['2026-02-30x'] } } }, 'schedule.holidays.dates.0'],
      [{ services: [] }, 'services'],
      [{ simulation: true }, '(root)'],
      [{ colour: 'blue' }, '(root)'],
    ] as const;
    for (const [doc, field] of bad) {
      const err = refusal(() => store.set('office:Lévis', doc, 'tech1'));
      expect(err.code).toBe('invalid_message');
      if (field !== '(root)') expect(err.field).toBe(field);
      expect(err.message.length).toBeGreaterThan(0);
    }
    expect(store.history('office:Lévis')).toHaveLength(1);
  });

  it('takes the schedule as a whole: a booth override with a time zone and no days is refused, naming schedule.days', () => {
    const { store, kiosk } = memoryStore();
    kiosk('k1', 'Gaspé');
    store.set('office:Gaspé', { schedule: { days: [[], [{ open: '08:30', close: '12:00' }], [], [], [], [], []] } }, 'tech1');
    const err = refusal(() => store.set('kiosk:k1', { schedule: { timeZone: 'America/Halifax' } }, 'tech1'));
    expect(err.field).toBe('schedule.days');
    expect(store.history('kiosk:k1')).toHaveLength(0);
  });

  it("merges a booth's overrides over its office's document; the version is a hash of the result, '' when the hub sets nothing", () => {
    const { store, kiosk } = memoryStore();
    kiosk('k1', 'Rimouski');
    kiosk('k2', 'Rimouski');
    expect(store.effective('k1')).toEqual({ version: '', config: {}, from: { office: 0, kiosk: 0 } });
    store.set('office:Rimouski', { tollFree: '1 800 111-1111', timers: { idleMs: 60_000, waitTimeoutMs: 900_000 } }, 't');
    store.set('kiosk:k2', { timers: { idleMs: 120_000 }, kioskName: 'Entrée est' }, 't');
    const k1 = store.effective('k1')!;
    const k2 = store.effective('k2')!;
    expect(k2.config).toEqual({ tollFree: '1 800 111-1111', timers: { idleMs: 120_000, waitTimeoutMs: 900_000 }, kioskName: 'Entrée est' });
    expect(k1.version).toMatch(/^[0-9a-f]{16}$/);
    expect(k1.version).not.toBe(k2.version);
    expect(store.kioskIdsOf('office:Rimouski').sort()).toEqual(['k1', 'k2']);
    const all = Object.fromEntries(store.effectiveForScope('office:Rimouski').map((e) => [e.kioskId, e.effective]));
    expect(all).toEqual({ k1, k2 });
    expect(store.effective('nope')).toBeNull();
  });

  it('merge, diff and version helpers', () => {
    expect(mergeConfig({ a: { b: 1, c: [1, 2] } }, { a: { c: [3] }, d: 4 })).toEqual({ a: { b: 1, c: [3] }, d: 4 });
    expect(diffConfig({ a: [1] }, { a: [1] })).toEqual([]);
    expect(configVersionOf({ b: 1, a: 2 })).toBe(configVersionOf({ a: 2, b: 1 }));
  });
});

describe('config pushed live to booths', () => {
  async function start(): Promise<{ hub: Hub; token: string; secrets: Record<string, string> }> {
    const hub = await createHub({ dbPath: ':memory:', configPollMs: 50 });
    open.push(hub);
    const { password } = await createAgent(hub.db, { username: 'tech', displayName: 'Tech', role: 'technician' });
    const secrets: Record<string, string> = {};
    for (const [id, office] of [['k1', 'Québec'], ['k2', 'Québec'], ['k3', 'Lévis']] as const) secrets[id] = (await createKiosk(hub.db, { kioskId: id, name: id, office })).secret;
    const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tech', password }) });
    return { hub, token: String(((await res.json()) as { token: string }).token), secrets };
  }
  async function booth(hub: Hub, id: string, secret: string, configVersion?: string): Promise<HubTestClient> {
    const c = await HubTestClient.connect(hub.wsUrl);
    open.push(c);
    c.send({ type: 'kiosk.auth', v: 1, kioskId: id, secret, ...(configVersion !== undefined ? { configVersion } : {}) });
    await c.next('welcome');
    await c.next('catalog');
    return c;
  }
  const api = (hub: Hub, token: string, method: string, path: string, body?: unknown) =>
    fetch(`${hub.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

  it("an office change reaches that office's online booths at once, not the others'; a rollback too", async () => {
    const { hub, token, secrets } = await start();
    const [k1, k2, k3] = await Promise.all(['k1', 'k2', 'k3'].map((id) => booth(hub, id, secrets[id]!)));
    const res = await api(hub, token, 'PUT', `/api/config/${encodeURIComponent('office:Québec')}`, { config: { tollFree: '1 800 555-0101' }, comment: 'new number' });
    expect(res.status).toBe(200);
    const v1 = (await res.json()) as { version: number; pushed: number; author: string };
    expect(v1).toMatchObject({ version: 1, pushed: 2, author: 'tech' });
    for (const c of [k1!, k2!]) expect((await c.next('config.push')).config).toEqual({ tollFree: '1 800 555-0101' });
    await api(hub, token, 'PUT', `/api/config/${encodeURIComponent('office:Québec')}`, { config: { tollFree: '1 800 555-0202' }, baseVersion: 1 });
    expect((await k1!.next('config.push')).config).toEqual({ tollFree: '1 800 555-0202' });
    const rb = await api(hub, token, 'POST', `/api/config/${encodeURIComponent('office:Québec')}/rollback`, { version: 1 });
    expect(await rb.json()).toMatchObject({ version: 3, rollbackOf: 1 });
    expect((await k1!.next('config.push')).config).toEqual({ tollFree: '1 800 555-0101' });
    // Lévis heard nothing.
    k3!.send({ type: 'ping', t: 1 });
    expect((await k3!.next()).type).toBe('pong');
    const hist = (await (await api(hub, token, 'GET', `/api/config/${encodeURIComponent('office:Québec')}/history`)).json()) as { versions: { version: number; author: string }[] };
    expect(hist.versions.map((v) => v.version)).toEqual([3, 2, 1]);
  });

  it('refuses a bad value over HTTP with the field named; a stale baseVersion is a conflict; no token, no change', async () => {
    const { hub, token } = await start();
    const bad = await api(hub, token, 'PUT', `/api/config/${encodeURIComponent('kiosk:k1')}`, { config: { timers: { waitTimeoutMs: 'long' } } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_message', field: 'timers.waitTimeoutMs' });
    await api(hub, token, 'PUT', `/api/config/${encodeURIComponent('kiosk:k1')}`, { config: { kioskName: 'A' } });
    const stale = await api(hub, token, 'PUT', `/api/config/${encodeURIComponent('kiosk:k1')}`, { config: { kioskName: 'B' }, baseVersion: 0 });
    expect(stale.status).toBe(409);
    const anon = await fetch(`${hub.url}/api/config/${encodeURIComponent('kiosk:k1')}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: { kioskName: 'C' } }) });
    expect(anon.status).toBe(401);
    const cur = (await (await api(hub, token, 'GET', `/api/config/${encodeURIComponent('kiosk:k1')}`)).json()) as { version: number; doc: unknown };
    expect(cur).toMatchObject({ version: 1, doc: { kioskName: 'A' } });
  });

  it('a booth that was offline gets the config when it reconnects, and nothing when it already runs that version', async () => {
    const { hub, token, secrets } = await start();
    await api(hub, token, 'PUT', `/api/config/${encodeURIComponent('office:Lévis')}`, { config: { complaintUrl: 'quebec.ca/plainte-levis' } });
    const stale = await booth(hub, 'k3', secrets.k3!, 'old-version');
    const push = await stale.next('config.push');
    expect(push.config).toEqual({ complaintUrl: 'quebec.ca/plainte-levis' });
    stale.close();
    const fresh = await booth(hub, 'k3', secrets.k3!, push.version);
    fresh.send({ type: 'ping', t: 2 });
    expect((await fresh.next()).type).toBe('pong');
    // A booth of an office without hub config, and no version of its own: nothing to send.
    const none = await booth(hub, 'k1', secrets.k1!);
    none.send({ type: 'ping', t: 3 });
    expect((await none.next()).type).toBe('pong');
  });

  it('a version written by another process (the CLI) is found and pushed within a poll', async () => {
    const { hub, secrets } = await start();
    const k1 = await booth(hub, 'k1', secrets.k1!);
    // Same database, another writer: what the CLI does.
    new ConfigStore(hub.db.db).set('kiosk:k1', { tollFree: '1 800 999-9999' }, 'cli:root');
    expect((await k1.next('config.push', 2_000)).config).toEqual({ tollFree: '1 800 999-9999' });
  });
});
