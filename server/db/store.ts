import Database from 'better-sqlite3';
import { migrate } from '../../common/db/migrate';
import type { Migration } from '../../common/db/migrate';
import { VisioError } from '../../common/result';
import { migrations as hubMigrations } from './migrations';

/** The raw SQLite handle, re-exported as a type so the rest of server/ never imports better-sqlite3. */
export type SqliteDb = Database.Database;

/** An agent account as stored (never leaves the hub with its hash). */
export interface AgentRecord {
  /** Stable id (JWT subject). */
  id: string;
  /** Login name, unique case-insensitively. */
  username: string;
  /** Name shown to citizens and in the console. */
  displayName: string;
  /** scrypt hash (see auth/secrets.ts). */
  passwordHash: string;
  /** Services this agent answers; null = all. */
  services: string[] | null;
  /** Languages this agent answers; null = all. */
  languages: string[] | null;
  /** A disabled account cannot log in or keep a socket. */
  disabled: boolean;
  /** Epoch ms. */
  createdAt: number;
}

/** A kiosk allowed to connect. */
export interface KioskRecord {
  /** Stable id the kiosk authenticates with. */
  kioskId: string;
  /** Name shown to the agent when the kiosk calls. */
  name: string;
  /** Office shown to the agent. */
  office: string;
  /** scrypt hash of the per-kiosk secret. */
  secretHash: string;
  /** A disabled kiosk cannot connect. */
  disabled: boolean;
  /** Epoch ms. */
  createdAt: number;
}

/** One row of the calls log. */
export interface CallRecord {
  /** Hub-assigned call id. */
  callId: string;
  /** Calling kiosk. */
  kioskId: string;
  /** Agent who accepted, if any. */
  agentId: string | null;
  /** Requested service id. */
  service: string;
  /** Requested language. */
  language: string;
  /** Whether the citizen gave an appointment code (the code itself is not kept). */
  hasAppointment: boolean;
  /** Epoch ms of the request. */
  requestedAt: number;
  /** Epoch ms of the accept, if any. */
  acceptedAt: number | null;
  /** Epoch ms of the end, if ended. */
  endedAt: number | null;
  /** EndReason of the call, if ended. */
  outcome: string | null;
  /** Time in line: request → accept (or → end when never accepted). */
  waitMs: number | null;
  /** Talk time: accept → end; null when never accepted. */
  durationMs: number | null;
}

interface AgentRow { id: string; username: string; display_name: string; password_hash: string; services: string | null; languages: string | null; disabled: number; created_at: number }
interface KioskRow { kiosk_id: string; name: string; office: string; secret_hash: string; disabled: number; created_at: number }
interface CallRow { call_id: string; kiosk_id: string; agent_id: string | null; service: string; language: string; has_appointment: number; requested_at: number; accepted_at: number | null; ended_at: number | null; outcome: string | null; wait_ms: number | null; duration_ms: number | null }

const list = (s: string | null) => (s === null || s === '' ? null : s.split(','));
const agentFromRow = (r: AgentRow): AgentRecord => ({
  id: r.id, username: r.username, displayName: r.display_name, passwordHash: r.password_hash,
  services: list(r.services), languages: list(r.languages), disabled: r.disabled !== 0, createdAt: r.created_at,
});
const kioskFromRow = (r: KioskRow): KioskRecord => ({
  kioskId: r.kiosk_id, name: r.name, office: r.office, secretHash: r.secret_hash, disabled: r.disabled !== 0, createdAt: r.created_at,
});
const callFromRow = (r: CallRow): CallRecord => ({
  callId: r.call_id, kioskId: r.kiosk_id, agentId: r.agent_id, service: r.service, language: r.language,
  hasAppointment: r.has_appointment !== 0, requestedAt: r.requested_at, acceptedAt: r.accepted_at, endedAt: r.ended_at,
  outcome: r.outcome, waitMs: r.wait_ms, durationMs: r.duration_ms,
});

/**
 * The hub database file is damaged (bad header, torn pages, broken indexes): the hub refuses to start
 * rather than route calls and ingest records on it and report healthy.
 */
export class HubDatabaseCorruptError extends VisioError {
  constructor(
    readonly path: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'db_corrupt',
      `the hub database ${path} is damaged (${detail}); the hub will not start on it. ` +
        `Restore the latest backup (server/README.md, "Backup and restore"): stop the hub, move ${path} and its -wal and -shm files aside, ` +
        `copy the backup to ${path}, start the hub.`,
      options,
    );
  }
}

/** SQLite's answers for a file that is not (any more) a sound database. */
const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

/**
 * `PRAGMA quick_check` (O(N), skips the index-content cross-check that integrity_check does) on a
 * file database; throws HubDatabaseCorruptError naming the first problems.
 */
function checkIntegrity(db: SqliteDb, path: string): void {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length) throw new HubDatabaseCorruptError(path, `quick_check: ${problems.join('; ').slice(0, 400)}`);
}

/**
 * Opens (creating if needed) the hub database: integrity checked, WAL, FULL sync, foreign keys,
 * migrated to the latest schema. Production code appends steps to migrations.ts; `allMigrations`
 * lets tests pass their own. A damaged file throws HubDatabaseCorruptError (never a raw stack).
 */
export function openHubDb(path: string, allMigrations: readonly Migration[] = hubMigrations): SqliteDb {
  let db: SqliteDb;
  try {
    db = new Database(path);
  } catch (err) {
    throw CORRUPT_CODES.has((err as { code?: string }).code ?? '') ? new HubDatabaseCorruptError(path, (err as Error).message, { cause: err }) : err;
  }
  try {
    if (path !== ':memory:') checkIntegrity(db, path);
    // WAL lets readers (stats, ingest) run beside the writer; FULL so an acknowledged write survives power loss.
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Deleted and overwritten content (a callback's name and phone once done) is zeroed, not left in free pages.
    db.pragma('secure_delete = ON');
    db.pragma('busy_timeout = 5000');
    // better-sqlite3's Transaction<F> is callable like F but not assignable to it in TS; structurally fine.
    migrate(db, allMigrations);
    return db;
  } catch (err) {
    db.close();
    if (CORRUPT_CODES.has((err as { code?: string }).code ?? '')) throw new HubDatabaseCorruptError(path, (err as Error).message, { cause: err });
    throw err;
  }
}

/**
 * Online backup to `dest` through SQLite's backup API: a consistent copy taken while the hub keeps
 * serving (pages are copied in steps between other writers), then checked with quick_check.
 * Returns the pages copied. `dest` must not exist (never overwrite the last good backup by accident).
 */
export async function backupHubDb(db: SqliteDb, dest: string): Promise<{ pages: number }> {
  const { totalPages } = await db.backup(dest);
  const copy = new Database(dest, { readonly: true });
  try {
    checkIntegrity(copy, dest);
  } finally {
    copy.close();
  }
  return { pages: totalPages };
}

/** Typed queries over the hub database. Statements are prepared once; `db` is exposed for plugins' own tables. */
export class HubStore {
  private readonly stmts;

  constructor(readonly db: SqliteDb) {
    this.stmts = {
      insertAgent: db.prepare<[string, string, string, string, string | null, string | null, number]>(
        'INSERT INTO agents (id, username, display_name, password_hash, services, languages, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      agentByUsername: db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE username = ?'),
      agentById: db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE id = ?'),
      agents: db.prepare<[], AgentRow>('SELECT * FROM agents ORDER BY username'),
      setAgentPassword: db.prepare<[string, string]>('UPDATE agents SET password_hash = ? WHERE id = ?'),
      insertKiosk: db.prepare<[string, string, string, string, number]>(
        'INSERT INTO kiosks (kiosk_id, name, office, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)'),
      kiosk: db.prepare<[string], KioskRow>('SELECT * FROM kiosks WHERE kiosk_id = ?'),
      kiosks: db.prepare<[], KioskRow>('SELECT * FROM kiosks ORDER BY kiosk_id'),
      insertCall: db.prepare<[string, string, string, string, number, number]>(
        'INSERT INTO calls (call_id, kiosk_id, service, language, has_appointment, requested_at) VALUES (?, ?, ?, ?, ?, ?)'),
      acceptCall: db.prepare<[string, number, string]>('UPDATE calls SET agent_id = ?, accepted_at = ? WHERE call_id = ?'),
      endCall: db.prepare<[number, string, number | null, number | null, string]>(
        'UPDATE calls SET ended_at = ?, outcome = ?, wait_ms = ?, duration_ms = ? WHERE call_id = ? AND ended_at IS NULL'),
      call: db.prepare<[string], CallRow>('SELECT * FROM calls WHERE call_id = ?'),
      recentCalls: db.prepare<[number], CallRow>('SELECT * FROM calls ORDER BY requested_at DESC, rowid DESC LIMIT ?'),
      getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare<[string, string]>('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  /** Opens the database at `path` (':memory:' allowed) and wraps it. */
  static open(path: string): HubStore {
    return new HubStore(openHubDb(path));
  }

  insertAgent(a: AgentRecord): void {
    this.stmts.insertAgent.run(a.id, a.username, a.displayName, a.passwordHash, a.services?.join(',') ?? null, a.languages?.join(',') ?? null, a.createdAt);
  }
  agentByUsername(username: string): AgentRecord | undefined {
    const r = this.stmts.agentByUsername.get(username);
    return r && agentFromRow(r);
  }
  agentById(id: string): AgentRecord | undefined {
    const r = this.stmts.agentById.get(id);
    return r && agentFromRow(r);
  }
  listAgents(): AgentRecord[] {
    return this.stmts.agents.all().map(agentFromRow);
  }
  setAgentPassword(id: string, passwordHash: string): void {
    this.stmts.setAgentPassword.run(passwordHash, id);
  }

  insertKiosk(k: KioskRecord): void {
    this.stmts.insertKiosk.run(k.kioskId, k.name, k.office, k.secretHash, k.createdAt);
  }
  kiosk(kioskId: string): KioskRecord | undefined {
    const r = this.stmts.kiosk.get(kioskId);
    return r && kioskFromRow(r);
  }
  listKiosks(): KioskRecord[] {
    return this.stmts.kiosks.all().map(kioskFromRow);
  }

  callRequested(c: { callId: string; kioskId: string; service: string; language: string; hasAppointment: boolean; requestedAt: number }): void {
    this.stmts.insertCall.run(c.callId, c.kioskId, c.service, c.language, c.hasAppointment ? 1 : 0, c.requestedAt);
  }
  callAccepted(callId: string, agentId: string, at: number): void {
    this.stmts.acceptCall.run(agentId, at, callId);
  }
  callEnded(callId: string, e: { endedAt: number; outcome: string; waitMs: number | null; durationMs: number | null }): void {
    this.stmts.endCall.run(e.endedAt, e.outcome, e.waitMs, e.durationMs, callId);
  }
  call(callId: string): CallRecord | undefined {
    const r = this.stmts.call.get(callId);
    return r && callFromRow(r);
  }
  recentCalls(limit = 100): CallRecord[] {
    return this.stmts.recentCalls.all(limit).map(callFromRow);
  }

  getSetting(key: string): string | undefined {
    return this.stmts.getSetting.get(key)?.value;
  }
  setSetting(key: string, value: string): void {
    this.stmts.setSetting.run(key, value);
  }

  /** Closes the database (checkpointing the WAL). */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
