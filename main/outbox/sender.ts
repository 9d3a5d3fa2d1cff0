import type { LastSync } from '../../common/bridge/outbox';
import { INGEST_PATH, INGEST_VERSION, IngestResponse, kioskAuthHeader } from '../../common/outbox';
import type { Outbox } from './outbox';
import { backoffDelay } from '../../common/backoff';
import { realTimers, type OneShotTimers } from '../../common/time';

/** Timer functions (injected so tests drive them). */
/** One-shot timers (common/time.ts). */
export type SenderTimers = OneShotTimers;

export interface SenderOptions {
  /** The outbox to drain. */
  outbox: Outbox;
  /** Hub base URL, e.g. `https://hub.example/` (TLS in production). */
  hubUrl: string;
  /** Kiosk credentials for `Authorization: Kiosk <id>:<secret>`. */
  kioskId: string;
  /** Development kiosk secret (`Kiosk <id>:<secret>`); ignored when `authorization` is given. */
  secret?: string;
  /** The Authorization value per request (a key-pair booth signs a time window: main/services/kiosk-key.ts). */
  authorization?: () => string;
  /** Injected fetch (defaults to global fetch). */
  fetch?: typeof fetch;
  /** Epoch ms. */
  clock?: () => number;
  /** Injected timers. */
  timers?: SenderTimers;
  /** [0,1) random source for jitter. */
  random?: () => number;
  /** Max records per request (default 500). */
  batchRecords?: number;
  /** Max logical bytes per request (default 1 MiB): bounds memory whatever the backlog. */
  batchBytes?: number;
  /** First retry delay (default 1 s), doubled per failure up to maxBackoffMs (default 5 min). */
  baseBackoffMs?: number;
  /** Backoff ceiling. */
  maxBackoffMs?: number;
  /** Poll interval when idle, in case a nudge was missed (default 60 s). */
  idleMs?: number;
  /** Per-request timeout (default 20 s): a slow hub counts as a failure. */
  requestTimeoutMs?: number;
  /** Called after every attempt (logs, health). */
  onSync?: (result: LastSync) => void;
}

export interface Sender {
  /** Starts the background loop (idempotent). */
  start(): void;
  /** Stops the loop and aborts the request in flight; resolves when the loop has exited. */
  stop(): Promise<void>;
  /** Retry now (link came back, new record): cancels any backoff wait. */
  nudge(): void;
  /** One delivery attempt of one batch (used by the loop and by tests). */
  syncOnce(): Promise<LastSync & { sent: number }>;
}

const HOUR = 60 * 60 * 1000;

/**
 * Background sender: one batch in flight at a time (so records of a kind arrive in order), per-record
 * acks, exponential backoff with full jitter on failure, immediate retry on nudge().
 */
export function createSender(opts: SenderOptions): Sender {
  const doFetch = opts.fetch ?? fetch;
  const clock = opts.clock ?? Date.now;
  const timers: SenderTimers = opts.timers ?? realTimers;
  const random = opts.random ?? Math.random;
  const batchRecords = opts.batchRecords ?? 500;
  const batchBytes = opts.batchBytes ?? 1024 * 1024;
  const baseBackoffMs = opts.baseBackoffMs ?? 1000;
  const maxBackoffMs = opts.maxBackoffMs ?? 5 * 60 * 1000;
  const idleMs = opts.idleMs ?? 60_000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 20_000;
  const url = new URL(INGEST_PATH, opts.hubUrl).toString();
  const secretHeader = opts.secret !== undefined ? kioskAuthHeader(opts.kioskId, opts.secret) : undefined;
  const auth = opts.authorization ?? (() => secretHeader ?? '');

  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let nudged = false;
  let inflight: AbortController | null = null;
  let failures = 0;
  let lastRetention = clock();
  let unsubscribe: (() => void) | null = null;

  function report(r: LastSync & { sent: number }): LastSync & { sent: number } {
    const { sent: _sent, ...last } = r;
    opts.outbox.noteSync(last);
    opts.onSync?.(last);
    return r;
  }

  async function syncOnce(): Promise<LastSync & { sent: number }> {
    const batch = opts.outbox.nextBatch(batchRecords, batchBytes);
    // Nothing to send is not a sync: lastSync keeps describing the last real exchange with the hub.
    if (batch.length === 0) return { at: clock(), ok: true, acked: 0, rejected: 0, sent: 0 };
    const body = JSON.stringify({ v: INGEST_VERSION, records: batch.map(({ id, kind, createdAt, data }) => ({ id, kind, createdAt, data })) });
    const ctl = new AbortController();
    inflight = ctl;
    const timer = timers.setTimeout(() => ctl.abort(), requestTimeoutMs);
    const fail = (error: string) => report({ at: clock(), ok: false, acked: 0, rejected: 0, error, sent: batch.length });
    try {
      let res: Response;
      try {
        res = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth() }, body, signal: ctl.signal });
      } catch {
        return fail(ctl.signal.aborted ? 'hub_timeout' : 'hub_unreachable');
      }
      if (res.status === 401 || res.status === 403) return fail('unauthorized');
      if (!res.ok) return fail(`hub_http_${res.status}`);
      let parsed;
      try {
        parsed = IngestResponse.safeParse(await res.json());
      } catch {
        return fail(ctl.signal.aborted ? 'hub_timeout' : 'hub_bad_response');
      }
      if (!parsed.success) return fail('hub_bad_response');
      // Only ids we sent count: a confused hub cannot make us purge something it never saw.
      const sentIds = new Set(batch.map((b) => b.id));
      const { acked, rejected } = opts.outbox.settle(parsed.data.results.filter((a) => sentIds.has(a.id)));
      // A partial ack is progress, not failure: the rest goes in the next batch.
      return report({ at: clock(), ok: acked + rejected > 0, acked, rejected, sent: batch.length, ...(acked + rejected > 0 ? {} : { error: 'hub_no_ack' }) });
    } finally {
      timers.clearTimeout(timer);
      inflight = null;
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (nudged || !running) {
        nudged = false;
        resolve();
        return;
      }
      const h = timers.setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        timers.clearTimeout(h);
        wake = null;
        resolve();
      };
    });
  }

  function wakeUp(): void {
    if (wake) wake();
    else nudged = true;
  }

  async function run(): Promise<void> {
    while (running) {
      nudged = false;
      let r: LastSync & { sent: number };
      try {
        r = await syncOnce();
      } catch (err) {
        // A database error (disk, closed) must not kill the loop; back off and try again.
        r = report({ at: clock(), ok: false, acked: 0, rejected: 0, error: `outbox_${(err as { code?: string }).code ?? 'error'}`, sent: 0 });
      }
      if (!running) break;
      if (clock() - lastRetention > HOUR) {
        lastRetention = clock();
        try {
          opts.outbox.enforceRetention();
        } catch {
          // Retention is housekeeping; the next hour retries.
        }
      }
      if (r.ok && r.sent > 0) {
        failures = 0;
        continue; // more may be waiting: keep draining without delay
      }
      if (r.ok) {
        failures = 0;
        await sleep(idleMs);
        continue;
      }
      failures++;
      // Full jitter: spreads a fleet of kiosks reconnecting after a hub outage.
      await sleep(backoffDelay(failures - 1, { initialMs: baseBackoffMs, maxMs: maxBackoffMs, jitter: 'full' }, random));
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      // A new record wakes an idle sender, but does not cut a backoff short (no retry storm while the hub is down).
      unsubscribe = opts.outbox.onPut(() => {
        if (failures === 0) wakeUp();
      });
      loop = run();
    },
    async stop() {
      running = false;
      unsubscribe?.();
      unsubscribe = null;
      inflight?.abort();
      wake?.();
      await loop;
      loop = null;
    },
    nudge() {
      failures = 0;
      wakeUp();
    },
    syncOnce,
  };
}
