import type { Migration, MigratableDb } from '../../../common/db/migrate';

/** Fleet health: the latest `kiosk.health` snapshot and presence per kiosk (server/health.ts). */
function up(db: MigratableDb): void {
  db.exec(`
    CREATE TABLE kiosk_health (
      kiosk_id         TEXT PRIMARY KEY,
      last_seen_at     INTEGER NOT NULL,
      connected_at     INTEGER,
      disconnected_at  INTEGER,
      -- hub clock when the last snapshot arrived, and the snapshot itself (JSON, validated)
      health_at        INTEGER,
      health           TEXT
    );
  `);
}

export default { version: 3, name: 'kiosk health', up } satisfies Migration;
