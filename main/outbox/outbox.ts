import type { LastSync, OutboxStats } from '../../common/bridge/outbox';
import { CITIZEN_KINDS, OutboxKind, PERSONAL_FIELDS, recordSchemas, type IngestAck, type IngestItem } from '../../common/outbox';
import { open, seal, KEY_LEN } from './crypto';
import { openOutboxDb, type Db, type Recovery } from './db';
import { InvalidRecordError, OutboxClosedError, OutboxFullError, OutboxKeyError } from './errors';
import { createUuidV7, type RandomFill } from './uuidv7';

const DAY = 24 * 60 * 60 * 1000;
// Fixed per-row overhead counted against the cap (row header, index entries).
const ROW_OVERHEAD = 96;
// Room a typical callback needs; `full` turns on when even that would not fit.
const CITIZEN_HEADROOM = 1024;

export interface OutboxOptions {
  /** SQLite file path (created if missing). */
  path: string;
  /** 32-byte AES-256-GCM key for personal fields (from a KeyProvider). */
  key: Buffer;
  /** Epoch ms (injected in tests). */
  clock?: () => number;
  /** Random source for idempotency keys (injected in tests). */
  random?: RandomFill;
  /** Logical byte cap: telemetry is dropped oldest first to stay under it; citizen records are never dropped. */
  capBytes?: number;
  /** Hard ceiling on the database file (SQLite max_page_count); hitting it fails puts with OutboxFullError, like a full disk. */
  maxDbBytes?: number;
  /** Undelivered telemetry older than this is dropped (default 30 days). */
  telemetryRetentionMs?: number;
  /** Records the hub refused for good are kept this long for a technician (default 30 days). */
  rejectedRetentionMs?: number;
}

/** A record as the sender ships it. */
export type PendingItem = IngestItem & { seq: number; size: number };

export interface Outbox {
  /** Validates, stores and commits one record; resolves with its idempotency key only after the commit. */
  put(kind: OutboxKind, record: unknown): Promise<{ id: string }>;
  /** Same as put for several records, in one transaction (all or none). */
  putMany(items: readonly { kind: OutboxKind; record: unknown }[]): Promise<{ ids: string[] }>;
  /** Depth, oldest undelivered age, bytes against the cap, last sync result. */
  stats(): OutboxStats;
  /** The next undelivered records, citizen records first, seq order within a kind; bounded by count and bytes. */
  nextBatch(maxRecords: number, maxBytes: number): PendingItem[];
  /** Applies the hub's per-record acks: acknowledged rows are deleted (personal data purged), rejected ones parked. */
  settle(acks: readonly IngestAck[]): { acked: number; rejected: number };
  /** Records the outcome of a delivery attempt (for stats). */
  noteSync(result: LastSync): void;
  /** Called after each committed put (the sender uses it to wake up). */
  onPut(listener: () => void): () => void;
  /** Drops expired telemetry and old rejected records; returns how many rows went. */
  enforceRetention(): number;
  /** What happened at start-up (file moved aside), if anything. */
  readonly recovery: Recovery | null;
  /** Closes the database; later puts fail with OutboxClosedError. */
  close(): void;
}

interface Row {
  seq: number;
  id: string;
  kind: string;
  created_at: number;
  data: string;
  sealed: Buffer | null;
  size: number;
}

/** Opens the outbox (see OutboxOptions). Never throws for a corrupted file: it is moved aside and reported as an incident. */
export function createOutbox(opts: OutboxOptions): Outbox {
  if (opts.key.length !== KEY_LEN) throw new OutboxKeyError(`Outbox key must be ${KEY_LEN} bytes`);
  const clock = opts.clock ?? Date.now;
  const capBytes = opts.capBytes ?? 256 * 1024 * 1024;
  const telemetryRetentionMs = opts.telemetryRetentionMs ?? 30 * DAY;
  const rejectedRetentionMs = opts.rejectedRetentionMs ?? 30 * DAY;
  const key = opts.key;
  const nextId = createUuidV7(clock, opts.random);
  const { db, recovery } = openOutboxDb(opts.path, clock);
  const listeners = new Set<() => void>();
  let lastSync: LastSync | null = null;
  let closed = false;

  if (opts.maxDbBytes) {
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(opts.maxDbBytes / pageSize))}`);
  }
  const q = prepare(db);
  let bytes = Number((q.sumSize.get() as { s: number | null }).s ?? 0);

  interface Prepared {
    kind: OutboxKind;
    id: string;
    createdAt: number;
    data: string;
    sealed: Buffer | null;
    size: number;
    citizen: boolean;
  }

  function prepareRecord(kind: OutboxKind, record: unknown): Prepared {
    if (!OutboxKind.safeParse(kind).success) throw new InvalidRecordError(String(kind), 'unknown kind');
    const parsed = recordSchemas[kind].safeParse(record);
    if (!parsed.success) throw new InvalidRecordError(kind, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    const id = nextId();
    const plain: Record<string, unknown> = { ...parsed.data };
    const personalNames = PERSONAL_FIELDS[kind];
    let sealed: Buffer | null = null;
    if (personalNames) {
      const personal: Record<string, unknown> = {};
      for (const f of personalNames) {
        personal[f] = plain[f];
        delete plain[f];
      }
      sealed = seal(key, id, personal);
    }
    const data = JSON.stringify(plain);
    return { kind, id, createdAt: clock(), data, sealed, size: data.length + (sealed?.length ?? 0) + ROW_OVERHEAD, citizen: CITIZEN_KINDS.has(kind) };
  }

  /** Inside a transaction: drops oldest telemetry until `need` more bytes fit. Returns bytes freed. */
  function makeRoom(need: number, citizen: boolean): number {
    let freed = 0;
    while (bytes - freed + need > capBytes) {
      const victims = q.oldestTelemetry.all(256) as { seq: number; size: number }[];
      if (victims.length === 0) break;
      let upTo = -1;
      for (const v of victims) {
        freed += v.size;
        upTo = v.seq;
        if (bytes - freed + need <= capBytes) break;
      }
      q.dropTelemetryUpTo.run(upTo);
    }
    if (bytes - freed + need > capBytes) {
      throw new OutboxFullError(citizen ? undefined : 'The outbox is full of citizen records; telemetry is not being kept.');
    }
    return freed;
  }

  const insertMany = db.transaction((items: Prepared[]) => {
    const need = items.reduce((n, p) => n + p.size, 0);
    const freed = makeRoom(need, items.some((p) => p.citizen));
    for (const p of items) q.insert.run(p.id, p.kind, p.citizen ? 1 : 0, p.createdAt, p.data, p.sealed, p.size);
    return need - freed;
  });

  function commit(items: Prepared[]): void {
    if (closed) throw new OutboxClosedError();
    try {
      bytes += insertMany(items);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_FULL') throw new OutboxFullError('The disk is full.', { cause: err });
      throw err;
    }
    for (const l of listeners) l();
  }

  const settleTx = db.transaction((acks: readonly IngestAck[]) => {
    let acked = 0;
    let rejected = 0;
    let freed = 0;
    for (const a of acks) {
      if (a.status === 'rejected') {
        rejected += q.reject.run(a.error ?? 'rejected by hub', a.id).changes;
      } else {
        const r = q.ack.get(a.id) as { size: number } | undefined;
        if (r) {
          acked++;
          freed += r.size;
        }
      }
    }
    return { acked, rejected, freed };
  });

  const outbox: Outbox = {
    recovery,
    async put(kind, record) {
      const p = prepareRecord(kind, record);
      commit([p]);
      return { id: p.id };
    },
    async putMany(items) {
      const ps = items.map((i) => prepareRecord(i.kind, i.record));
      if (ps.length > 0) commit(ps);
      return { ids: ps.map((p) => p.id) };
    },
    stats() {
      const now = clock();
      const byKind = Object.fromEntries(OutboxKind.options.map((k) => [k, 0])) as Record<OutboxKind, number>;
      let depth = 0;
      for (const r of q.countByKind.all() as { kind: OutboxKind; n: number }[]) {
        byKind[r.kind] = r.n;
        depth += r.n;
      }
      const oldest = (q.oldestPending.get() as { t: number | null }).t;
      const citizenBytes = Number((q.citizenBytes.get() as { s: number | null }).s ?? 0);
      return {
        depth,
        byKind,
        oldestPendingAt: oldest,
        oldestAgeMs: oldest === null ? null : Math.max(0, now - oldest),
        rejected: (q.countRejected.get() as { n: number }).n,
        bytes,
        capBytes,
        full: citizenBytes + CITIZEN_HEADROOM > capBytes,
        lastSync,
        recovered: recovery ? { reason: recovery.reason, movedTo: recovery.movedTo } : null,
      };
    },
    nextBatch(maxRecords, maxBytes) {
      const out: PendingItem[] = [];
      let total = 0;
      const bad: string[] = [];
      for (const r of q.batch.all(maxRecords) as Row[]) {
        // Always ship at least one record, so a single oversized one cannot wedge the queue.
        if (out.length > 0 && total + r.size > maxBytes) break;
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(r.data) as Record<string, unknown>;
          if (r.sealed) Object.assign(data, open(key, r.id, r.sealed));
        } catch {
          // Wrong key (key file lost/replaced) or damaged blob: park it rather than block the queue.
          bad.push(r.id);
          continue;
        }
        total += r.size;
        out.push({ seq: r.seq, id: r.id, kind: r.kind, createdAt: r.created_at, data, size: r.size });
      }
      for (const id of bad) q.reject.run('cannot decrypt personal fields (key changed?)', id);
      return out;
    },
    settle(acks) {
      if (closed) throw new OutboxClosedError();
      const { acked, rejected, freed } = settleTx(acks);
      bytes -= freed;
      return { acked, rejected };
    },
    noteSync(result) {
      lastSync = result;
    },
    onPut(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    enforceRetention() {
      const now = clock();
      const tx = db.transaction(() => {
        const a = q.expireTelemetry.all(now - telemetryRetentionMs) as { size: number }[];
        const b = q.expireRejected.all(now - rejectedRetentionMs) as { size: number }[];
        return [...a, ...b];
      });
      const gone = tx();
      bytes -= gone.reduce((n, r) => n + r.size, 0);
      return gone.length;
    },
    close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      db.close();
    },
  };

  try {
    if (recovery) {
      const what = recovery.reason === 'corrupt' ? 'was corrupted' : 'was written by a newer build';
      commit([prepareRecord('incident', { code: `outbox_${recovery.reason}`, severity: 'error', message: `Outbox database ${what}; moved to ${recovery.movedTo} and started fresh (${recovery.detail})`.slice(0, 2000) })]);
    }
    outbox.enforceRetention();
  } catch (err) {
    outbox.close();
    throw err;
  }
  return outbox;
}

function prepare(db: Db) {
  return {
    insert: db.prepare('INSERT INTO outbox (id, kind, citizen, created_at, data, sealed, size) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    sumSize: db.prepare('SELECT SUM(size) AS s FROM outbox'),
    citizenBytes: db.prepare('SELECT SUM(size) AS s FROM outbox WHERE citizen = 1'),
    oldestTelemetry: db.prepare('SELECT seq, size FROM outbox WHERE citizen = 0 ORDER BY seq LIMIT ?'),
    dropTelemetryUpTo: db.prepare('DELETE FROM outbox WHERE citizen = 0 AND seq <= ?'),
    batch: db.prepare('SELECT seq, id, kind, created_at, data, sealed, size FROM outbox WHERE status = 0 ORDER BY citizen DESC, seq LIMIT ?'),
    ack: db.prepare('DELETE FROM outbox WHERE id = ? RETURNING size'),
    reject: db.prepare('UPDATE outbox SET status = 2, error = ? WHERE id = ? AND status = 0'),
    countByKind: db.prepare('SELECT kind, COUNT(*) AS n FROM outbox WHERE status = 0 GROUP BY kind'),
    countRejected: db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE status = 2'),
    oldestPending: db.prepare('SELECT MIN(created_at) AS t FROM outbox WHERE status = 0'),
    expireTelemetry: db.prepare('DELETE FROM outbox WHERE citizen = 0 AND created_at < ? RETURNING size'),
    expireRejected: db.prepare('DELETE FROM outbox WHERE status = 2 AND created_at < ? RETURNING size'),
  };
}
