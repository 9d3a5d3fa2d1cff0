import type { Migration, MigratableDb } from '../../../common/db/migrate';

/**
 * Hub migration step: signed releases the hub relays, staged rollouts, the pilot ring,
 * each booth's reported version and update state, and an audit trail of every administrative
 * action. Also the smallest honest admin role: `agents.is_admin`, set by the CLI (full roles are not
 * built yet).
 */
function up(db: MigratableDb): void {
  db.exec(`
    -- A release as given by release engineering: the exact signed manifest text and its detached
    -- signature (never re-serialised), and where its bundle sits under the hub's releases dir.
    CREATE TABLE releases (
      version        TEXT PRIMARY KEY,
      runtime        TEXT NOT NULL,
      manifest       TEXT NOT NULL,
      signature      TEXT NOT NULL,
      -- fingerprint of the configured public key that verified the signature
      key_id         TEXT NOT NULL,
      bundle_size    INTEGER NOT NULL,
      bundle_sha256  TEXT NOT NULL,
      -- relative to the releases dir; NULL until the bundle was stored and its hash checked
      bundle_path    TEXT,
      added_at       INTEGER NOT NULL,
      added_by       TEXT NOT NULL
    );
    -- One row per rollout; the newest row is the current one.
    CREATE TABLE rollouts (
      id                INTEGER PRIMARY KEY AUTOINCREMENT,
      version           TEXT NOT NULL REFERENCES releases (version),
      -- where 'rollback' sends booths; NULL = no rollback possible
      previous_version  TEXT REFERENCES releases (version),
      stage             TEXT NOT NULL CHECK (stage IN ('pilot', 'percent', 'all', 'rolled_back')),
      percent           INTEGER NOT NULL CHECK (percent BETWEEN 1 AND 100),
      paused            INTEGER NOT NULL DEFAULT 0,
      pause_reason      TEXT,
      -- this many booths rolling back (since armed_at) pause the rollout by themselves
      auto_pause_after  INTEGER NOT NULL CHECK (auto_pause_after >= 1),
      -- hub clock of the start or of the last resume: rollbacks before it do not count again
      armed_at          INTEGER NOT NULL,
      started_at        INTEGER NOT NULL,
      started_by        TEXT NOT NULL,
      updated_at        INTEGER NOT NULL
    );
    -- Booths the hub has offered a rollout's version to: a pause stops new booths, not these.
    CREATE TABLE rollout_offers (
      rollout_id  INTEGER NOT NULL REFERENCES rollouts (id),
      kiosk_id    TEXT NOT NULL,
      offered_at  INTEGER NOT NULL,
      PRIMARY KEY (rollout_id, kiosk_id)
    );
    -- Ring membership: pilot booths get a release first.
    CREATE TABLE kiosk_rings (
      kiosk_id    TEXT PRIMARY KEY,
      pilot       INTEGER NOT NULL DEFAULT 0,
      updated_at  INTEGER NOT NULL,
      updated_by  TEXT NOT NULL
    );
    -- Each booth's reported version (update.current, else appVersion) and last UpdateStatus (JSON).
    CREATE TABLE kiosk_updates (
      kiosk_id    TEXT PRIMARY KEY,
      version     TEXT,
      status      TEXT,
      -- hub clock when version or status last changed
      changed_at  INTEGER NOT NULL
    );
    -- Who did what, when: release added, rollout started / advanced / paused (by hand or by the
    -- hub) / resumed / rolled back, admin flag changed.
    CREATE TABLE update_audit (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      at          INTEGER NOT NULL,
      actor       TEXT NOT NULL,
      action      TEXT NOT NULL,
      version     TEXT,
      rollout_id  INTEGER,
      detail      TEXT
    );
    CREATE INDEX update_audit_rollout ON update_audit (rollout_id, id);
    ALTER TABLE agents ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
  `);
}

export default { version: 4, name: 'releases, rollouts, booth update state, admin flag', up } satisfies Migration;
