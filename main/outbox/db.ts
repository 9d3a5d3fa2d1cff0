import Database from 'better-sqlite3';
import { existsSync, renameSync } from 'node:fs';
import { DatabaseNewerThanAppError, migrate } from '../../common/db/migrate';
import { outboxMigrations } from './migrations';

export { outboxMigrations };

export type Db = Database.Database;

/** Why the previous database file was set aside at start-up. */
export interface Recovery {
  reason: 'corrupt' | 'newer';
  movedTo: string;
  detail: string;
}

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'));
}

class QuickCheckFailed extends Error {
  readonly code = 'SQLITE_CORRUPT_QUICK_CHECK';
}

/** WAL + synchronous=FULL: a put that resolved survives a power cut. secure_delete zeroes purged rows. */
export function applyPragmas(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_size_limit = 8388608');
}

function openChecked(path: string): Db {
  const db = new Database(path);
  try {
    applyPragmas(db);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new QuickCheckFailed(`quick_check: ${String(check)}`);
    migrate(db, outboxMigrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Opens (creating or migrating) the outbox database. A corrupted file, or one written by a newer
 * build, is moved aside with its -wal/-shm and a fresh one is started: the booth must never be
 * blocked by its outbox. The caller records the returned `recovery` as an incident.
 */
export function openOutboxDb(path: string, now: () => number): { db: Db; recovery: Recovery | null } {
  try {
    return { db: openChecked(path), recovery: null };
  } catch (err) {
    const newer = err instanceof DatabaseNewerThanAppError;
    if (!newer && !isCorruption(err)) throw err;
    const movedTo = `${path}.${newer ? `newer-v${err.dbVersion}` : 'corrupt'}-${now()}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
    }
    const detail = err instanceof Error ? err.message : String(err);
    return { db: openChecked(path), recovery: { reason: newer ? 'newer' : 'corrupt', movedTo, detail } };
  }
}
