import type { Migration } from '../../../common/db/migrate';

/** Agents, kiosks, the calls log (no citizen data) and hub settings. */
export default {
  version: 1,
  name: 'agents, kiosks, calls log, settings',
  up: (db) => {
    db.exec(`
      CREATE TABLE agents (
        id            TEXT PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name  TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        -- comma-separated skills; NULL = every service / language
        services      TEXT,
        languages     TEXT,
        disabled      INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL
      );
      CREATE TABLE kiosks (
        kiosk_id     TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        office       TEXT NOT NULL,
        secret_hash  TEXT NOT NULL,
        disabled     INTEGER NOT NULL DEFAULT 0,
        created_at   INTEGER NOT NULL
      );
      -- One row per call request. No appointment code or other citizen data: only what
      -- operations need (volumes, waits, durations, outcomes).
      CREATE TABLE calls (
        call_id          TEXT PRIMARY KEY,
        kiosk_id         TEXT NOT NULL,
        agent_id         TEXT,
        service          TEXT NOT NULL,
        language         TEXT NOT NULL,
        has_appointment  INTEGER NOT NULL DEFAULT 0,
        requested_at     INTEGER NOT NULL,
        accepted_at      INTEGER,
        ended_at         INTEGER,
        outcome          TEXT,
        wait_ms          INTEGER,
        duration_ms      INTEGER
      );
      CREATE INDEX calls_requested_at ON calls (requested_at);
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
  },
} satisfies Migration;
