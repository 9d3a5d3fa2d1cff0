import type { Migration, MigratableDb } from '../../../common/db/migrate';

/**
 * Central booth configuration (server/config-store): every change is a new row, never an update, so
 * the history is the table. `scope` is `office:<office name>` or `kiosk:<kiosk id>`; `doc` is the JSON
 * of the fields that scope sets (a booth's config = its file, then its office's doc, then its own);
 * `diff` lists what changed (path, from, to) for the history; a rollback is a new version whose doc is
 * an older one's (`rollback_of`).
 */
function up(db: MigratableDb): void {
  db.exec(`
    CREATE TABLE config_versions (
      scope        TEXT NOT NULL,
      version      INTEGER NOT NULL,
      doc          TEXT NOT NULL,
      author       TEXT NOT NULL,
      at           INTEGER NOT NULL,
      diff         TEXT NOT NULL,
      comment      TEXT,
      rollback_of  INTEGER,
      PRIMARY KEY (scope, version)
    );
  `);
}

export default { version: 8, name: 'config versions', up } satisfies Migration;
