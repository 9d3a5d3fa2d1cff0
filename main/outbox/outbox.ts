import type { LastSync, OutboxStats } from '../../common/bridge/outbox';
import { CITIZEN_KINDS, ID_COLLISION, OutboxKind, SEALED_FIELDS, recordSchemas, type IngestAck, type IngestItem } from '../../common/outbox';
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

/** What a committed change does to the in-memory tally. */
interface Change {
  kind: string;
  size: number;
  citizen: number;
  status: number;
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
  // Figures kept in memory (loaded once, then moved by each committed change) so stats() stays
  // O(1) with a 100k-record backlog; changes are applied only after their transaction commits.
  const tally = { bytes: 0, citizenBytes: 0, rejected: 0, pending: Object.fromEntries(OutboxKind.options.map((k) => [k, 0])) as Record<string, number> };
  const apply = (rows: readonly Change[], sign: 1 | -1) => {
    for (const r of rows) {
      tally.bytes += sign * r.size;
      if (r.citizen) tally.citizenBytes += sign * r.size;
      if (r.status === 0) tally.pending[r.kind] = (tally.pending[r.kind] ?? 0) + sign;
      else tally.rejected += sign;
    }
  };
  apply(q.tally.all() as Change[], 1);

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
    const sealedNames = SEALED_FIELDS[kind]?.filter((f) => plain[f] !== undefined) ?? [];
    let sealed: Buffer | null = null;
    if (sealedNames.length > 0) {
      const personal: Record<string, unknown> = {};
      for (const f of sealedNames) {
        personal[f] = plain[f];
        delete plain[f];
      }
      sealed = seal(key, id, personal);
    }
    const data = JSON.stringify(plain);
    return { kind, id, createdAt: clock(), data, sealed, size: data.length + (sealed?.length ?? 0) + ROW_OVERHEAD, citizen: CITIZEN_KINDS.has(kind) };
  }

  /** Inside a transaction: drops oldest telemetry until `need` more bytes fit. Returns the rows dropped. */
  function makeRoom(need: number, citizen: boolean): Change[] {
    const dropped: Change[] = [];
    let freed = 0;
    while (tally.bytes - freed + need > capBytes) {
      const victims = q.oldestTelemetry.all(256) as { seq: number; size: number }[];
      if (victims.length === 0) break;
      let upTo = -1;
      for (const v of victims) {
        freed += v.size;
        upTo = v.seq;
        if (tally.bytes - freed + need <= capBytes) break;
      }
      dropped.push(...(q.dropTelemetryUpTo.all(upTo) as Change[]));
    }
    if (tally.bytes - freed + need > capBytes) {
      throw new OutboxFullError(citizen ? undefined : 'The outbox is full of citizen records; telemetry is not being kept.');
    }
    return dropped;
  }

  const insertMany = db.transaction((items: Prepared[]) => {
    const need = items.reduce((n, p) => n + p.size, 0);
    const dropped = makeRoom(need, items.some((p) => p.citizen));
    for (const p of items) q.insert.run(p.id, p.kind, p.citizen ? 1 : 0, p.createdAt, p.data, p.sealed, p.size);
    return dropped;
  });

  function commit(items: Prepared[]): void {
    if (closed) throw new OutboxClosedError();
    try {
      let dropped: Change[] = [];
      const only = items.length === 1 ? items[0]! : undefined;
      // Fast path: one record that fits is a single autocommit INSERT (atomic on its own), which
      // saves the BEGIN/COMMIT round of a wrapping transaction on the put a citizen waits for.
      if (only && tally.bytes + only.size <= capBytes) q.insert.run(only.id, only.kind, only.citizen ? 1 : 0, only.createdAt, only.data, only.sealed, only.size);
      else dropped = insertMany(items);
      apply(dropped, -1);
      apply(items.map((p) => ({ kind: p.kind, size: p.size, citizen: p.citizen ? 1 : 0, status: 0 })), 1);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_FULL') throw new OutboxFullError('The disk is full.', { cause: err });
      throw err;
    }
    for (const l of listeners) l();
  }

  /** Gives a pending record a fresh id (re-sealing its personal fields, which are bound to the id). */
  function rekey(oldId: string): boolean {
    const row = q.pendingById.get(oldId) as { sealed: Buffer | null } | undefined;
    if (!row) return false;
    const newId = nextId();
    const sealed = row.sealed ? seal(key, newId, open(key, oldId, row.sealed)) : null;
    return q.rekey.run(newId, sealed, oldId).changes === 1;
  }

  const settleTx = db.transaction((acks: readonly IngestAck[]) => {
    const gone: Change[] = [];
    const parked: Change[] = [];
    for (const a of acks) {
      // The hub holds a different record under this id: keep ours, under a new id, still pending.
      if (a.status === 'rejected' && a.error?.startsWith(ID_COLLISION) && rekey(a.id)) continue;
      if (a.status === 'rejected') {
        const r = q.reject.get(a.error ?? 'rejected by hub', a.id) as Change | undefined;
        if (r) parked.push(r);
      } else {
        const r = q.ack.get(a.id) as Change | undefined;
        if (r) gone.push(r);
      }
    }
    return { gone, parked };
  });

  /** Moves rows from pending to rejected in the tally (after commit). */
  const park = (rows: readonly Change[]) => {
    apply(rows.map((r) => ({ ...r, status: 0 })), -1);
    apply(rows.map((r) => ({ ...r, status: 2 })), 1);
  };

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
      const byKind = Object.fromEntries(OutboxKind.options.map((k) => [k, tally.pending[k] ?? 0])) as Record<OutboxKind, number>;
      const depth = Object.values(byKind).reduce((n, v) => n + v, 0);
      // Head of each queue (citizen, telemetry) by the queue index: O(log n), not a scan.
      const heads = [q.oldestPendingOf.get(1), q.oldestPendingOf.get(0)] as ({ t: number } | undefined)[];
      const times = heads.filter((h): h is { t: number } => h !== undefined).map((h) => h.t);
      const oldest = times.length ? Math.min(...times) : null;
      return {
        depth,
        byKind,
        oldestPendingAt: oldest,
        oldestAgeMs: oldest === null ? null : Math.max(0, now - oldest),
        rejected: tally.rejected,
        bytes: tally.bytes,
        capBytes,
        full: tally.citizenBytes + CITIZEN_HEADROOM > capBytes,
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
      park(bad.map((id) => q.reject.get('cannot decrypt personal fields (key changed?)', id) as Change | undefined).filter((r): r is Change => r !== undefined));
      return out;
    },
    settle(acks) {
      if (closed) throw new OutboxClosedError();
      const { gone, parked } = settleTx(acks);
      apply(gone, -1);
      park(parked);
      // secure_delete zeroes the row in the new page image, but the WAL still holds the old frames
      // (sealed name/phone, decryptable with the key beside it) until they are overwritten: fold
      // them into the main file and truncate the WAL so a delivered citizen record is really gone.
      if (gone.some((r) => r.citizen === 1)) {
        try {
          db.pragma('wal_checkpoint(TRUNCATE)');
        } catch {
          // The rows are deleted and committed; the next purge (or checkpoint) will fold the WAL.
        }
      }
      return { acked: gone.length, rejected: parked.length };
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
        const a = q.expireTelemetry.all(now - telemetryRetentionMs) as Change[];
        const b = q.expireRejected.all(now - rejectedRetentionMs) as Change[];
        return [...a, ...b];
      });
      const gone = tx();
      apply(gone, -1);
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
  const changed = 'RETURNING kind, size, citizen, status';
  return {
    insert: db.prepare('INSERT INTO outbox (id, kind, citizen, created_at, data, sealed, size) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    tally: db.prepare('SELECT kind, size, citizen, status FROM outbox'),
    oldestTelemetry: db.prepare('SELECT seq, size FROM outbox WHERE citizen = 0 ORDER BY seq LIMIT ?'),
    dropTelemetryUpTo: db.prepare(`DELETE FROM outbox WHERE citizen = 0 AND seq <= ? ${changed}`),
    batch: db.prepare('SELECT seq, id, kind, created_at, data, sealed, size FROM outbox WHERE status = 0 ORDER BY citizen DESC, seq LIMIT ?'),
    ack: db.prepare(`DELETE FROM outbox WHERE id = ? ${changed}`),
    reject: db.prepare(`UPDATE outbox SET status = 2, error = ? WHERE id = ? AND status = 0 ${changed}`),
    pendingById: db.prepare('SELECT sealed FROM outbox WHERE id = ? AND status = 0'),
    rekey: db.prepare('UPDATE outbox SET id = ?, sealed = ? WHERE id = ? AND status = 0'),
    oldestPendingOf: db.prepare('SELECT created_at AS t FROM outbox WHERE status = 0 AND citizen = ? ORDER BY seq LIMIT 1'),
    expireTelemetry: db.prepare(`DELETE FROM outbox WHERE citizen = 0 AND created_at < ? ${changed}`),
    expireRejected: db.prepare(`DELETE FROM outbox WHERE status = 2 AND created_at < ? ${changed}`),
  };
}
