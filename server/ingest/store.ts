import { ID_COLLISION, OutboxKind, PERSONAL_FIELDS, recordSchemas, type CallbackView, type IngestAck, type IngestItem } from '../../common/outbox';
import type { UiLanguage } from '../../common/config';
import type { SqliteDb } from '../db/store';

interface CallbackRow {
  id: string;
  kiosk_id: string;
  service: string;
  language: UiLanguage;
  time_window: 'morning' | 'afternoon' | 'any';
  reason: string | null;
  name: string | null;
  phone: string | null;
  created_at: number;
  status: 'open' | 'claimed' | 'done';
  claimed_by: string | null;
  claimed_name: string | null;
}

/**
 * How long the hub keeps a survey's free-text comment (by arrival): long enough for a weekly review
 * of what citizens wrote, then only the rating remains. Citizens write names and numbers there;
 * Loi 25 asks for no more personal information than the purpose needs, for no longer than it needs.
 */
export const DEFAULT_COMMENT_REVIEW_MS = 14 * 24 * 60 * 60 * 1000;

/** Result of a claim/done attempt. */
export type CallbackChange = { ok: true; callback: CallbackView } | { ok: false; reason: 'not_found' | 'conflict' };

/** Queries for ingest and callbacks over the hub database (tables from ingestSchema). */
export class IngestStore {
  private readonly q;
  private readonly ingestTx;

  constructor(private readonly db: SqliteDb) {
    this.q = {
      insert: db.prepare('INSERT OR IGNORE INTO ingest_records (kiosk_id, id, kind, created_at, received_at, data) VALUES (?, ?, ?, ?, ?, ?)'),
      insertCallback: db.prepare(
        'INSERT OR IGNORE INTO callbacks (id, kiosk_id, service, language, time_window, reason, name, phone, created_at, received_at) VALUES (@id, @kioskId, @service, @language, @timeWindow, @reason, @name, @phone, @createdAt, @receivedAt)',
      ),
      count: db.prepare('SELECT COUNT(*) AS n FROM ingest_records WHERE kiosk_id = ?'),
      held: db.prepare('SELECT kind, created_at, data FROM ingest_records WHERE kiosk_id = ? AND id = ?'),
      unstore: db.prepare('DELETE FROM ingest_records WHERE kiosk_id = ? AND id = ?'),
      listActive: db.prepare("SELECT * FROM callbacks WHERE status != 'done' ORDER BY created_at LIMIT ?"),
      get: db.prepare('SELECT * FROM callbacks WHERE id = ?'),
      claim: db.prepare("UPDATE callbacks SET status = 'claimed', claimed_by = ?, claimed_name = ?, claimed_at = ? WHERE id = ? AND status = 'open'"),
      // Done purges the citizen's name and phone: the hub keeps only what operations need.
      expireRecords: db.prepare('DELETE FROM ingest_records WHERE kind = ? AND created_at < ?'),
      expireDone: db.prepare("DELETE FROM callbacks WHERE status = 'done' AND done_at < ?"),
      // A survey's free text is kept only for its review window (see prune), then only the rating stays.
      dropComments: db.prepare("UPDATE ingest_records SET data = json_remove(data, '$.comment') WHERE kind = 'survey' AND received_at < ? AND json_type(data, '$.comment') IS NOT NULL"),
      done: db.prepare("UPDATE callbacks SET status = 'done', done_at = ?, name = NULL, phone = NULL WHERE id = ? AND status = 'claimed' AND claimed_by = ?"),
    };
    // One transaction per batch: a crash mid-batch stores none of it, and the kiosk resends all.
    this.ingestTx = db.transaction((kioskId: string, items: readonly IngestItem[], now: number): IngestAck[] => items.map((it) => this.ingestOne(kioskId, it, now)));
  }

  /** Validates and stores each record once; returns one ack per record, in order. */
  ingest(kioskId: string, items: readonly IngestItem[], now: number): IngestAck[] {
    return this.ingestTx(kioskId, items, now);
  }

  private ingestOne(kioskId: string, it: IngestItem, now: number): IngestAck {
    if (!Object.hasOwn(recordSchemas, it.kind)) return { id: it.id, status: 'rejected', error: `unknown kind ${it.kind.slice(0, 32)}` };
    const kind = it.kind as OutboxKind;
    const parsed = recordSchemas[kind].safeParse(it.data);
    if (!parsed.success) return { id: it.id, status: 'rejected', error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ').slice(0, 500) };
    const data: Record<string, unknown> = { ...parsed.data };
    for (const f of PERSONAL_FIELDS[kind] ?? []) delete data[f];
    const text = JSON.stringify(data);
    const stored = this.q.insert.run(kioskId, it.id, kind, it.createdAt, now, text).changes === 1;
    if (!stored) {
      // Same booth, same id: a resend is the same record; anything else is a collision (a booth
      // cloned from another's image, a broken id generator) that must not be acknowledged as held.
      // Compared without the personal fields: the hub drops those from the record (and from the
      // callback once done), so a legitimate resend must still match.
      const held = this.q.held.get(kioskId, it.id) as { kind: string; created_at: number; data: string } | undefined;
      if (held && (held.kind !== kind || held.created_at !== it.createdAt || held.data !== text)) return collision(it.id, 'this booth already sent a different record under this id');
      return { id: it.id, status: 'duplicate' };
    }
    if (kind === 'callback') {
      const c = parsed.data as ReturnType<typeof recordSchemas.callback.parse>;
      const inserted = this.q.insertCallback.run({ id: it.id, kioskId, service: c.service, language: c.language, timeWindow: c.timeWindow, reason: c.reason ?? null, name: c.name, phone: c.phone, createdAt: it.createdAt, receivedAt: now }).changes === 1;
      if (!inserted) {
        // Another booth's callback holds this id: storing the record without its callback row
        // would lose this citizen's request behind a "stored" acknowledgement.
        this.q.unstore.run(kioskId, it.id);
        return collision(it.id, 'another booth sent a callback under this id');
      }
    }
    return { id: it.id, status: 'stored' };
  }

  /**
   * Retention: records older than `maxAgeMs` (by creation on the kiosk) and callbacks done longer
   * ago than that are deleted. Open or claimed callbacks are kept whatever their age: a citizen
   * is still waiting for that call. Returns how many rows went.
   */
  prune(now: number, maxAgeMs: number, commentMaxAgeMs = DEFAULT_COMMENT_REVIEW_MS): number {
    const cutoff = now - maxAgeMs;
    const { n, comments } = this.db.transaction(() => {
      let n = 0;
      for (const kind of OutboxKind.options) n += this.q.expireRecords.run(kind, cutoff).changes;
      const comments = this.q.dropComments.run(now - commentMaxAgeMs).changes;
      return { n: n + this.q.expireDone.run(cutoff).changes, comments };
    })();
    // The old text also sits in WAL page images until a checkpoint: fold and truncate now.
    if (comments > 0) this.checkpoint();
    return n + comments;
  }

  /** Records held for a kiosk (tests, health). */
  countFor(kioskId: string): number {
    return (this.q.count.get(kioskId) as { n: number }).n;
  }

  /** Open and claimed callbacks, oldest first; name and phone only for the claiming agent. */
  listActive(agentId: string, limit = 200): CallbackView[] {
    return (this.q.listActive.all(limit) as CallbackRow[]).map((r) => view(r, agentId));
  }

  /** Claims an open callback for this agent (idempotent for the same agent). */
  claim(id: string, agent: { agentId: string; displayName: string }, now: number): CallbackChange {
    if (this.q.claim.run(agent.agentId, agent.displayName, now, id).changes === 0) {
      const row = this.q.get.get(id) as CallbackRow | undefined;
      if (!row) return { ok: false, reason: 'not_found' };
      if (!(row.status === 'claimed' && row.claimed_by === agent.agentId)) return { ok: false, reason: 'conflict' };
    }
    return { ok: true, callback: view(this.q.get.get(id) as CallbackRow, agent.agentId) };
  }

  /** Marks a callback this agent claimed as done (and purges the citizen's name and phone). */
  done(id: string, agentId: string, now: number): CallbackChange {
    const purged = this.q.done.run(now, id, agentId).changes === 1;
    // The old page images (name, phone) also sit in the WAL until a checkpoint: fold them into
    // the zeroed main file and truncate the WAL now rather than at some later checkpoint.
    if (purged) this.checkpoint();
    if (!purged) {
      const row = this.q.get.get(id) as CallbackRow | undefined;
      if (!row) return { ok: false, reason: 'not_found' };
      if (!(row.status === 'done' && row.claimed_by === agentId)) return { ok: false, reason: 'conflict' };
    }
    return { ok: true, callback: view(this.q.get.get(id) as CallbackRow, agentId) };
  }

  /** Best effort: a reader holding the WAL makes it a no-op until the next purge. */
  private checkpoint(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Never fail an agent's action over housekeeping.
    }
  }
}

/** The rejection a booth answers by re-keying the record and sending it again (see IngestAck). */
function collision(id: string, why: string): IngestAck {
  return { id, status: 'rejected', error: `${ID_COLLISION}: ${why}` };
}

function view(r: CallbackRow, agentId: string): CallbackView {
  const mine = r.claimed_by === agentId;
  return {
    id: r.id, kioskId: r.kiosk_id, service: r.service, language: r.language, timeWindow: r.time_window, reason: r.reason,
    createdAt: r.created_at, status: r.status, claimedBy: r.claimed_name, mine,
    name: mine ? r.name : null, phone: mine ? r.phone : null,
  };
}
