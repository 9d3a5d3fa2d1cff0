// Fault tests with a real hub on loopback: whatever happens on the link, the hub ends up holding
// exactly the records whose put resolved, each once.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutbox, type Outbox } from '../../main/outbox/outbox';
import { createSender, type Sender } from '../../main/outbox/sender';
import { CALLBACKS_PATH, CallbackList } from '../../common/outbox';
import { startTestHub, waitFor, type TestHub } from '../crash/hub-fixture';

const visit = { service: 'emploi', language: 'fr', waitMs: 1200, durationMs: 300_000, outcome: 'completed' } as const;
const callback = (i: number) => ({ name: `Citoyen Zqx${i}`, phone: `514 555 ${String(1000 + i).slice(-4)}`, timeWindow: 'afternoon', service: 'immigration', language: 'en' }) as const;

let dir: string;
let hub: TestHub;
let outbox: Outbox;
let sender: Sender | undefined;
const key = randomBytes(32);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-sync-'));
  hub = await startTestHub(join(dir, 'hub.db'));
  outbox = createOutbox({ path: join(dir, 'kiosk.db'), key });
});
afterEach(async () => {
  await sender?.stop();
  sender = undefined;
  outbox.close();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

const startSender = (o: Partial<Parameters<typeof createSender>[0]> = {}) => {
  sender = createSender({ outbox, hubUrl: hub.url, kioskId: hub.kioskId, secret: hub.secret, baseBackoffMs: 5, maxBackoffMs: 50, idleMs: 50, batchRecords: 50, ...o });
  sender.start();
  return sender;
};
async function putMany(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await (i % 10 === 0 ? outbox.put('callback', callback(i)) : outbox.put('visit', visit))).id);
  return ids;
}
const drained = () => outbox.stats().depth === 0;
const hubCount = () => hub.store().countFor(hub.kioskId);

describe('outbox → hub (loopback)', () => {
  it('delivers every record once, in order per kind, and agents handle each callback once', async () => {
    const ids = await putMany(300);
    startSender();
    await waitFor(drained);
    expect(hubCount()).toBe(ids.length);
    const raw = new Database(join(dir, 'hub.db'), { readonly: true });
    const order = (raw.prepare("SELECT id FROM ingest_records WHERE kind = 'visit' ORDER BY seq").all() as { id: string }[]).map((r) => r.id);
    raw.close();
    expect(order).toEqual(ids.filter((_, i) => i % 10 !== 0).sort()); // UUIDv7 order = put order
    expect(outbox.stats().lastSync).toMatchObject({ ok: true });

    const [t1, t2] = [await hub.login(), await hub.login('agent2', 'correct-horse-2')];
    const api = (token: string, path = '', method = 'GET') => fetch(`${hub.url}${CALLBACKS_PATH}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const list = CallbackList.parse(await (await api(t1)).json()).callbacks;
    expect(list).toHaveLength(30);
    expect(list[0]).toMatchObject({ service: 'immigration', language: 'en', timeWindow: 'afternoon', status: 'open', name: null, phone: null });
    const id = list[0]!.id;
    const claimed = await (await api(t1, `/${id}/claim`, 'POST')).json();
    expect(claimed.callback).toMatchObject({ status: 'claimed', mine: true, name: 'Citoyen Zqx0', phone: '+15145551000' });
    expect((await api(t2, `/${id}/claim`, 'POST')).status).toBe(409);
    expect((await api(t2, `/${id}/done`, 'POST')).status).toBe(409);
    const other = CallbackList.parse(await (await api(t2)).json()).callbacks.find((c) => c.id === id);
    expect(other).toMatchObject({ status: 'claimed', claimedBy: 'Agent Un', mine: false, name: null, phone: null });
    expect((await api(t1, `/${id}/done`, 'POST')).status).toBe(200);
    expect((await api(t1, `/${id}/done`, 'POST')).status).toBe(200); // idempotent for the same agent
    expect(CallbackList.parse(await (await api(t1)).json()).callbacks.some((c) => c.id === id)).toBe(false);
    expect((await api('not-a-valid-token')).status).toBe(401);
    expect((await api(t1, '/nope/claim', 'POST')).status).toBe(404);
  });

  it('purges name and phone from the kiosk file once the hub acknowledges', async () => {
    await outbox.put('callback', { name: 'Mirabelle Quenneville', phone: '+1 (819) 555-0142', timeWindow: 'any', service: 'emploi', language: 'fr' });
    const bytes = () => Buffer.concat(['', '-wal'].map((s) => join(dir, 'kiosk.db' + s)).filter(existsSync).map((p) => readFileSync(p)));
    expect(bytes().includes('Quenneville')).toBe(false);
    expect(bytes().includes('8195550142')).toBe(false);
    startSender();
    await waitFor(drained);
    await sender!.stop();
    outbox.close();
    const raw = new Database(join(dir, 'kiosk.db'));
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    expect(bytes().includes('Quenneville')).toBe(false);
    expect(bytes().includes('8195550142')).toBe(false);
    outbox = createOutbox({ path: join(dir, 'kiosk.db'), key: randomBytes(32) });
  });

  it('hub down at start, then back: nudge() delivers at once', async () => {
    await hub.stop();
    const ids = await putMany(40);
    startSender({ baseBackoffMs: 60_000, maxBackoffMs: 60_000 }); // only a nudge can make it retry soon
    await waitFor(() => outbox.stats().lastSync?.error === 'hub_unreachable');
    await hub.start();
    sender!.nudge();
    await waitFor(drained);
    expect(hubCount()).toBe(ids.length);
  });

  it('hub stopped and started mid-stream, 5xx, slow answers, lost acks: hub count equals acknowledged puts', async () => {
    hub.faults.delayMs = 20;
    startSender({ requestTimeoutMs: 200 });
    let ids = await putMany(100);
    await waitFor(() => hubCount() > 0);
    await hub.stop(); // mid-stream: requests in flight fail or complete
    ids = ids.concat(await putMany(100));
    await hub.start();
    hub.faults.failNext = 3;
    hub.faults.dropAckNext = 3;
    ids = ids.concat(await putMany(100));
    sender!.nudge();
    await waitFor(() => hub.faults.failNext === 0 && hub.faults.dropAckNext === 0);
    hub.faults.delayMs = 400; // slower than the kiosk's request timeout: kiosk aborts, hub stores, kiosk resends
    ids = ids.concat(await putMany(20));
    await waitFor(() => hub.faults.requests > 0 && outbox.stats().lastSync?.error === 'hub_timeout');
    hub.faults.delayMs = 0;
    sender!.nudge();
    await waitFor(drained);
    expect(new Set(ids).size).toBe(ids.length);
    expect(hub.faults.duplicates).toBeGreaterThan(0); // the lost acks really caused resends
    expect(hubCount()).toBe(ids.length);
  });

  it('a malformed record is rejected alone; the rest of the batch is acknowledged', async () => {
    const good = await putMany(5);
    // A row written by a buggy older build: the kiosk validated it then, the hub refuses it now.
    outbox.close();
    const raw = new Database(join(dir, 'kiosk.db'));
    raw.prepare("INSERT INTO outbox (id, kind, citizen, created_at, data, size) VALUES ('01890000-0000-7000-8000-000000000001', 'survey', 1, 1, '{\"rating\":9}', 100)").run();
    raw.close();
    outbox = createOutbox({ path: join(dir, 'kiosk.db'), key });
    startSender();
    await waitFor(() => outbox.stats().depth === 0);
    expect(outbox.stats().rejected).toBe(1);
    expect(hubCount()).toBe(good.length);
  });

  it('wrong credentials: nothing is purged, the error is visible', async () => {
    await putMany(3);
    startSender({ secret: 'wrong-secret-wrong-secret' });
    await waitFor(() => outbox.stats().lastSync?.error === 'unauthorized');
    expect(outbox.stats().depth).toBe(3);
    expect(hubCount()).toBe(0);
  });
});
