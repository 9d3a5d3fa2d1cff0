import { VisioError } from '../result';

/** The part of a better-sqlite3 Database the runner needs (kept structural so common/ stays pure). */
export interface MigratableDb {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
  transaction(fn: () => void): () => void;
}

/** One schema step. `version` is 1-based and contiguous; `up` runs inside the migration transaction. */
export interface Migration {
  version: number;
  name: string;
  up: (db: MigratableDb) => void;
}

/** The database was written by a newer build (e.g. a kiosk rolled back): refuse rather than corrupt it. */
export class DatabaseNewerThanAppError extends VisioError {
  constructor(readonly dbVersion: number, readonly appVersion: number) {
    super('db_newer_than_app', `Database schema v${dbVersion} is newer than this build (v${appVersion}); install the newer build or restore a backup.`);
  }
}

/**
 * Applies pending migrations in one transaction and stamps `PRAGMA user_version`.
 * Returns the version before and after.
 */
export function migrate(db: MigratableDb, migrations: readonly Migration[]): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new VisioError('migration_order', `Migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const from = Number(db.pragma('user_version', { simple: true }));
  const target = migrations.length;
  if (from > target) throw new DatabaseNewerThanAppError(from, target);
  if (from === target) return { from, to: target };
  db.transaction(() => {
    for (const m of migrations.slice(from)) m.up(db);
    db.pragma(`user_version = ${target}`);
  })();
  return { from, to: target };
}
