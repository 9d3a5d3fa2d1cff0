// Two booths that generate the same record ids (a disk image cloned with its random state, a broken
// generator) against a real hub: neither citizen's callback is lost behind a "stored" answer. The
// hub scopes ids per booth and names a collision; the booth keeps its record, re-keys it, resends.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALLBACKS_PATH, CallbackList, ID_COLLISION, INGEST_PATH, kioskAuthHeader } from '../../common/outbox';
import { createOutbox, type Outbox } from '../../main/outbox/outbox';
import { createSender, type Sender } from '../../main/outbox/sender';
import { createKiosk } from '../../server/accounts';
import { startTestHub, waitFor, type TestHub } from '../crash/hub-fixture';

let dir: string;
let hub: TestHub;
const outboxes: Outbox[] = [];
const senders: Sender[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-collision-'));
  hub = await startTestHub(join(dir, 'hub.db'));
});
afterEach(async () => {
  for (const s of senders.splice(0)) await s.stop();
  for (const o of outboxes.splice(0)) o.close();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Same clock and same "random" bytes: the two booths mint identical ids. */
const clonedIds = () => ({ clock: () => 1_764_400_000_000, random: (b: Uint8Array) => void b.fill(7) });
const callback = (name: string, phone: string) => ({ name, phone, timeWindow: 'morning', service: 'emploi', language: 'fr' }) as const;

const post = (kioskId: string, secret: string, records: unknown[]) =>
  fetch(`${hub.url}${INGEST_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: kioskAuthHeader(kioskId, secret) }, body: JSON.stringify({ v: 1, records }) }).then(
    async (r) => (await r.json()) as { results: { id: string; status: string; error?: string }[] },
  );

describe('record ids that collide', () => {
  it('the hub answers a colliding callback with id_collision (never "stored"), and a true resend with duplicate', async () => {
    const other = await createKiosk(hub.hub.db, { kioskId: 'kiosk-b', name: 'B', office: 'O' });
    const rec = (name: string) => ({ id: '01900000-0000-7000-8000-000000000001', kind: 'callback', createdAt: 1000, data: { ...callback(name, '514 555 0101') } });
    expect((await post(hub.kioskId, hub.secret, [rec('Alice Zqx')])).results[0]).toMatchObject({ status: 'stored' });
    expect((await post(hub.kioskId, hub.secret, [rec('Alice Zqx')])).results[0]).toMatchObject({ status: 'duplicate' });
    // Same booth, same id, different content (compared without the personal fields, which the hub
    // does not keep in the record once the callback is done).
    const sameBooth = (await post(hub.kioskId, hub.secret, [{ ...rec('Bob Zqx'), data: { ...callback('Bob Zqx', '514 555 0101'), service: 'immigration' } }])).results[0]!;
    expect(sameBooth.status).toBe('rejected');
    expect(sameBooth.error).toMatch(new RegExp(`^${ID_COLLISION}: `));
    // Another booth, same id.
    const otherBooth = (await post('kiosk-b', other.secret, [rec('Carole Zqx')])).results[0]!;
    expect(otherBooth.status).toBe('rejected');
    expect(otherBooth.error).toMatch(new RegExp(`^${ID_COLLISION}: `));
    // Nothing half-stored for the refused ones.
    expect(hub.store().countFor('kiosk-b')).toBe(0);
    expect(hub.store().countFor(hub.kioskId)).toBe(1);
  });

  it('two booths with cloned id generators: every callback reaches the agents, each once', async () => {
    const other = await createKiosk(hub.hub.db, { kioskId: 'kiosk-b', name: 'B', office: 'O' });
    const a = createOutbox({ path: join(dir, 'a.db'), key: randomBytes(32), ...clonedIds() });
    const b = createOutbox({ path: join(dir, 'b.db'), key: randomBytes(32), ...clonedIds() });
    outboxes.push(a, b);
    const idsA = [(await a.put('callback', callback('Alice Zqx', '514 555 0101'))).id, (await a.put('callback', callback('Anne Zqx', '514 555 0102'))).id];
    const idsB = [(await b.put('callback', callback('Bruno Zqx', '514 555 0201'))).id, (await b.put('callback', callback('Berthe Zqx', '514 555 0202'))).id];
    expect(idsB).toEqual(idsA); // the clash is real

    const opts = { hubUrl: hub.url, baseBackoffMs: 5, maxBackoffMs: 50, idleMs: 50, batchRecords: 50 };
    const sa = createSender({ ...opts, outbox: a, kioskId: hub.kioskId, secret: hub.secret });
    sa.start();
    senders.push(sa);
    await waitFor(() => a.stats().depth === 0);
    const sb = createSender({ ...opts, outbox: b, kioskId: 'kiosk-b', secret: other.secret });
    sb.start();
    senders.push(sb);
    await waitFor(() => b.stats().depth === 0);
    expect(b.stats().rejected).toBe(0);

    const token = await hub.login();
    const list = CallbackList.parse(await (await fetch(`${hub.url}${CALLBACKS_PATH}`, { headers: { authorization: `Bearer ${token}` } })).json()).callbacks;
    expect(list).toHaveLength(4);
    expect(list.filter((c) => c.kioskId === 'kiosk-b')).toHaveLength(2);
    // Each citizen's name arrives intact (sealed fields were re-sealed under the new id).
    const names: string[] = [];
    for (const c of list) {
      const claimed = (await (await fetch(`${hub.url}${CALLBACKS_PATH}/${c.id}/claim`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { callback: { name: string } };
      names.push(claimed.callback.name);
    }
    expect(names.sort()).toEqual(['Alice Zqx', 'Anne Zqx', 'Berthe Zqx', 'Bruno Zqx']);
  });
});
