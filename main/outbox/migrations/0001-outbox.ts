import type { Migration } from '../../../common/db/migrate';

/** The outbox table: one row per record, delivery order, personal fields sealed, rejected rows parked. */
export default {
  version: 1,
  name: 'outbox',
  up: (db) => {
    db.exec(`
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,      -- delivery order (per kind: seq order)
        id TEXT NOT NULL UNIQUE,                    -- UUIDv7 idempotency key
        kind TEXT NOT NULL,
        citizen INTEGER NOT NULL,                   -- 1: never dropped for space
        created_at INTEGER NOT NULL,
        data TEXT NOT NULL,                         -- JSON without personal fields
        sealed BLOB,                                -- AES-256-GCM personal fields, or NULL
        size INTEGER NOT NULL,                      -- logical bytes, for the disk cap
        status INTEGER NOT NULL DEFAULT 0,          -- 0 pending, 2 rejected by the hub
        error TEXT
      );
      CREATE INDEX outbox_queue ON outbox(status, citizen DESC, seq);
      CREATE INDEX outbox_telemetry ON outbox(citizen, seq);
    `);
  },
} satisfies Migration;
