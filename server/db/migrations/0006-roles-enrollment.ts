import type { Migration, MigratableDb } from '../../../common/db/migrate';

/**
 * Roles on accounts, booth enrollment and revocation.
 * - `agents.role`: agent | technician | supervisor | administrator (common/roles.ts); the old admin
 *   flag (`is_admin`, migration 4) becomes the administrator role.
 * - `kiosks.revoked_at`: set when a booth is revoked (its key is cleared, it is disabled); a revoked
 *   booth that dials is told so (close 4403) and goes back to its enrollment screen.
 * - `enroll_requests`: one row per device-authorization request (RFC 8628). The device code is kept
 *   as its SHA-256 only; the user code is what the booth shows and the technician types.
 */
function up(db: MigratableDb): void {
  db.exec(`
    ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'agent';
    UPDATE agents SET role = 'administrator' WHERE is_admin = 1;
    ALTER TABLE kiosks ADD COLUMN revoked_at INTEGER;
    CREATE TABLE enroll_requests (
      device_hash   TEXT PRIMARY KEY,
      user_code     TEXT NOT NULL UNIQUE,
      public_key    TEXT NOT NULL,
      fingerprint   TEXT NOT NULL,
      address       TEXT NOT NULL,
      created_at    INTEGER NOT NULL,
      expires_at    INTEGER NOT NULL,
      interval_s    INTEGER NOT NULL,
      last_poll_at  INTEGER,
      -- pending | approved | denied | consumed
      status        TEXT NOT NULL DEFAULT 'pending',
      kiosk_id      TEXT,
      decided_by    TEXT,
      decided_at    INTEGER
    );
    CREATE INDEX enroll_requests_expiry ON enroll_requests (expires_at);
  `);
}

export default { version: 6, name: 'roles, enrollment, revocation', up } satisfies Migration;
