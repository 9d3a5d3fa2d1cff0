import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestRequest, type IngestAck } from '../../common/outbox';
import { createOutbox, type Outbox } from './outbox';
import { createSender, type Sender, type SenderTimers } from './sender';

const visit = { service: 'emploi', language: 'fr', waitMs: 1, durationMs: 2, outcome: 'completed' } as const;
const TIMEOUT = 12_345;

/** Timers the test fires by hand; request-timeout timers are told apart by their delay. */
function manualTimers() {
  let next = 0;
  const pending = new Map<number, { fn: () => void; ms: number }>();
  const timers: SenderTimers = {
    setTimeout: (fn, ms) => (pending.set(++next, { fn, ms }), next),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const sleeps = () => [...pending.entries()].filter(([, t]) => t.ms !== TIMEOUT);
  return {
    timers,
    sleeps,
    fireTimeout() {
      const [h, t] = [...pending.entries()].find(([, t]) => t.ms === TIMEOUT)!;
      pending.delete(h);
      t.fn();
    },
    fireSleep() {
      const [h, t] = sleeps()[0]!;
      pending.delete(h);
      t.fn();
      return t.ms;
    },
  };
}
const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 1));
};
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

let dir: string;
let outbox: Outbox;
let sender: Sender | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sender-'));
  outbox = createOutbox({ path: join(dir, 'o.db'), key: randomBytes(32) });
});
afterEach(async () => {
  await sender?.stop();
  sender = undefined;
  outbox.close();
  rmSync(dir, { recursive: true, force: true });
});

function make(fetchImpl: typeof fetch, extra: Partial<Parameters<typeof createSender>[0]> = {}) {
  const mt = manualTimers();
  sender = createSender({ outbox, hubUrl: 'http://hub.test/', kioskId: 'k1', secret: 's'.repeat(20), fetch: fetchImpl, timers: mt.timers, random: () => 0.999, baseBackoffMs: 100, maxBackoffMs: 1000, idleMs: 60_000, requestTimeoutMs: TIMEOUT, ...extra });
  return { sender, ...mt };
}

describe('sender', () => {
  it('sends bounded batches with kiosk auth, in order, and purges what the hub acknowledged', async () => {
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push((await outbox.put('visit', visit)).id);
    const seen: string[][] = [];
    const { sender } = make(async (url, init) => {
      expect(String(url)).toBe('http://hub.test/api/outbox/ingest');
      expect((init!.headers as Record<string, string>).authorization).toBe(`Kiosk k1:${'s'.repeat(20)}`);
      const body = IngestRequest.parse(JSON.parse(String(init!.body)));
      seen.push(body.records.map((r) => r.id));
      return json({ results: body.records.map((r): IngestAck => ({ id: r.id, status: 'stored' })) });
    }, { batchRecords: 3 });
    expect(await sender.syncOnce()).toMatchObject({ ok: true, acked: 3, sent: 3 });
    await sender.syncOnce();
    await sender.syncOnce();
    expect(seen).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
    expect(outbox.stats().depth).toBe(0);
  });

  it('partial acks keep the rest; acks for ids it did not send are ignored', async () => {
    const a = await outbox.put('visit', visit);
    const b = await outbox.put('visit', visit);
    const other = await outbox.put('visit', visit);
    const { sender } = make(async () => json({ results: [{ id: a.id, status: 'stored' }, { id: other.id, status: 'stored' }] }), { batchRecords: 2 });
    expect(await sender.syncOnce()).toMatchObject({ ok: true, acked: 1 });
    expect(outbox.nextBatch(10, 1e6).map((r) => r.id)).toEqual([b.id, other.id]);
  });

  it('5xx, network errors and garbage answers purge nothing and are reported', async () => {
    await outbox.put('visit', visit);
    const answers = [json({}, 503), Promise.reject(new TypeError('fetch failed')), new Response('<html>', { status: 200 }), json({ results: 'x' })];
    const { sender } = make(async () => answers.shift()!);
    expect((await sender.syncOnce()).error).toBe('hub_http_503');
    expect((await sender.syncOnce()).error).toBe('hub_unreachable');
    expect((await sender.syncOnce()).error).toBe('hub_bad_response');
    expect((await sender.syncOnce()).error).toBe('hub_bad_response');
    expect(outbox.stats()).toMatchObject({ depth: 1, lastSync: { ok: false, error: 'hub_bad_response' } });
  });

  it('backs off exponentially with jitter up to the cap; nudge() retries at once and resets the backoff', async () => {
    await outbox.put('visit', visit);
    let calls = 0;
    const { sender, sleeps, fireSleep } = make(async () => {
      calls++;
      throw new TypeError('fetch failed');
    });
    sender.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await until(() => sleeps().length === 1);
      delays.push(fireSleep());
    }
    // Full jitter with random() = 0.999: just under 100, 200, 400, 800, then the 1000 cap.
    expect(delays).toEqual([99, 199, 399, 799, 999, 999]);
    await until(() => sleeps().length === 1);
    const before = calls;
    void outbox.put('visit', visit); // a new record does not cut a backoff short…
    await new Promise((r) => setTimeout(r, 5));
    expect(calls).toBe(before);
    sender.nudge(); // …but the link coming back does
    await until(() => calls === before + 1 && sleeps().length === 1);
    expect(sleeps()[0]![1].ms).toBe(99);
  });

  it('an idle sender wakes up on a new record', async () => {
    let calls = 0;
    const { sender, sleeps } = make(async (_u, init) => {
      calls++;
      const body = IngestRequest.parse(JSON.parse(String(init!.body)));
      return json({ results: body.records.map((r) => ({ id: r.id, status: 'stored' })) });
    });
    sender.start();
    await until(() => sleeps().length === 1 && sleeps()[0]![1].ms === 60_000); // empty: idle wait
    await outbox.put('visit', visit);
    await until(() => calls === 1 && outbox.stats().depth === 0);
  });

  it('a request slower than the timeout is aborted and counted as a failure', async () => {
    await outbox.put('visit', visit);
    const { sender, fireTimeout } = make((_u, init) => new Promise((_ok, ko) => init!.signal!.addEventListener('abort', () => ko(new Error('aborted')))));
    const attempt = sender.syncOnce();
    await new Promise((r) => setTimeout(r, 1));
    fireTimeout();
    expect(await attempt).toMatchObject({ ok: false, error: 'hub_timeout' });
    expect(outbox.stats().depth).toBe(1);
  });
});
