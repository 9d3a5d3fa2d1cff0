import type { Migration, MigratableDb } from '../../../common/db/migrate';

/**
 * Hub tables for outbox ingest (server/ingest/). The unique key is the
 * dedupe: a resent record hits it and is acknowledged as `duplicate`, never stored twice.
 * Callback personal data lives only in `callbacks` (not in ingest_records) and is nulled when done.
 */
function up(db: MigratableDb): void {
  db.exec(`
    CREATE TABLE ingest_records (
      seq         INTEGER PRIMARY KEY,  -- arrival order
      kiosk_id    TEXT NOT NULL,
      id          TEXT NOT NULL,
      kind        TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      data        TEXT NOT NULL,
      UNIQUE (kiosk_id, id)
    );
    CREATE INDEX ingest_kind_time ON ingest_records (kind, created_at);
    CREATE TABLE callbacks (
      id          TEXT PRIMARY KEY,
      kiosk_id    TEXT NOT NULL,
      service     TEXT NOT NULL,
      language    TEXT NOT NULL,
      time_window TEXT NOT NULL,
      reason      TEXT,
      name        TEXT,
      phone       TEXT,
      created_at  INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      status      TEXT NOT NULL DEFAULT 'open',
      claimed_by  TEXT,
      claimed_name TEXT,
      claimed_at  INTEGER,
      done_at     INTEGER
    );
    CREATE INDEX callbacks_status ON callbacks (status, created_at);
  `);
}

export default { version: 2, name: 'outbox ingest, callbacks', up } satisfies Migration;
