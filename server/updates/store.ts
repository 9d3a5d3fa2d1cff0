// Queries over the update tables (server/db/migrations/0004-releases-rollouts.ts). House style: the db comes first.
import { UpdateStatus } from '../../common/update';
import type { SqliteDb } from '../db/store';

/** A release the hub stores and relays. */
export interface ReleaseRecord {
  /** Semantic version (primary key). */
  version: string;
  /** Runtime the bundle is built for. */
  runtime: string;
  /** Exact signed manifest text. */
  manifest: string;
  /** Base64 Ed25519 signature over the manifest bytes. */
  signature: string;
  /** Fingerprint of the key that verified it. */
  keyId: string;
  /** Bundle size in bytes (from the manifest). */
  bundleSize: number;
  /** Bundle SHA-256 hex (from the manifest). */
  bundleSha256: string;
  /** Path under the releases dir; null until the bundle is stored and checked. */
  bundlePath: string | null;
  /** Hub clock (epoch ms). */
  addedAt: number;
  /** Who added it ("cli:root", "agent:marie"). */
  addedBy: string;
}

/** Ring stages, in order; `rolled_back` is terminal. */
export type RolloutStage = 'pilot' | 'percent' | 'all' | 'rolled_back';

/** One staged rollout; the newest is the current one. */
export interface RolloutRecord {
  id: number;
  /** Target version. */
  version: string;
  /** Where a rollback sends booths; null when none is known. */
  previousVersion: string | null;
  stage: RolloutStage;
  /** Share of booths (by kiosk-id hash) in the percent stage. */
  percent: number;
  /** Paused: booths not yet offered the version are not offered it. */
  paused: boolean;
  /** Why it was paused (by hand or automatically). */
  pauseReason: string | null;
  /** Booths rolling back (since armedAt) that pause the rollout by themselves. */
  autoPauseAfter: number;
  /** Start or last resume (hub clock): earlier rollbacks do not count again. */
  armedAt: number;
  startedAt: number;
  startedBy: string;
  updatedAt: number;
}

/** One administrative action. */
export interface AuditEntry {
  id: number;
  /** Hub clock (epoch ms). */
  at: number;
  /** "cli:<user>", "agent:<username>", or "hub" for automatic actions. */
  actor: string;
  /** e.g. release.add, rollout.start, rollout.advance, rollout.pause, rollout.auto_pause, rollout.resume, rollout.rollback, admin.set. */
  action: string;
  version: string | null;
  rolloutId: number | null;
  detail: Record<string, unknown> | null;
}

/** What the hub knows of a booth's version and update progress. */
export interface KioskUpdateRecord {
  kioskId: string;
  /** update.current when the booth sends it, else its appVersion; null if never reported. */
  version: string | null;
  /** Last UpdateStatus the booth reported; null if it never sent one. */
  status: UpdateStatus | null;
  /** Hub clock when version or status last changed. */
  changedAt: number;
}

interface ReleaseRow { version: string; runtime: string; manifest: string; signature: string; key_id: string; bundle_size: number; bundle_sha256: string; bundle_path: string | null; added_at: number; added_by: string }
interface RolloutRow { id: number; version: string; previous_version: string | null; stage: RolloutStage; percent: number; paused: number; pause_reason: string | null; auto_pause_after: number; armed_at: number; started_at: number; started_by: string; updated_at: number }
interface AuditRow { id: number; at: number; actor: string; action: string; version: string | null; rollout_id: number | null; detail: string | null }
interface KioskUpdateRow { kiosk_id: string; version: string | null; status: string | null; changed_at: number }

const releaseFromRow = (r: ReleaseRow): ReleaseRecord => ({
  version: r.version, runtime: r.runtime, manifest: r.manifest, signature: r.signature, keyId: r.key_id,
  bundleSize: r.bundle_size, bundleSha256: r.bundle_sha256, bundlePath: r.bundle_path, addedAt: r.added_at, addedBy: r.added_by,
});
const rolloutFromRow = (r: RolloutRow): RolloutRecord => ({
  id: r.id, version: r.version, previousVersion: r.previous_version, stage: r.stage, percent: r.percent, paused: r.paused !== 0,
  pauseReason: r.pause_reason, autoPauseAfter: r.auto_pause_after, armedAt: r.armed_at, startedAt: r.started_at, startedBy: r.started_by, updatedAt: r.updated_at,
});
const auditFromRow = (r: AuditRow): AuditEntry => ({
  id: r.id, at: r.at, actor: r.actor, action: r.action, version: r.version, rolloutId: r.rollout_id,
  detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
});
/** A stored status that no longer validates (older hub build wrote it) reads as missing, not as a crash. */
function statusFromJson(s: string | null): UpdateStatus | null {
  if (s === null) return null;
  const r = UpdateStatus.safeParse(JSON.parse(s));
  return r.success ? r.data : null;
}
const kioskUpdateFromRow = (r: KioskUpdateRow): KioskUpdateRecord => ({ kioskId: r.kiosk_id, version: r.version, status: statusFromJson(r.status), changedAt: r.changed_at });

// ---- releases ------------------------------------------------------------------------------

export function insertRelease(db: SqliteDb, r: ReleaseRecord): void {
  db.prepare(
    `INSERT INTO releases (version, runtime, manifest, signature, key_id, bundle_size, bundle_sha256, bundle_path, added_at, added_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(r.version, r.runtime, r.manifest, r.signature, r.keyId, r.bundleSize, r.bundleSha256, r.bundlePath, r.addedAt, r.addedBy);
}

export function getRelease(db: SqliteDb, version: string): ReleaseRecord | undefined {
  const r = db.prepare<[string], ReleaseRow>('SELECT * FROM releases WHERE version = ?').get(version);
  return r && releaseFromRow(r);
}

export function listReleases(db: SqliteDb): ReleaseRecord[] {
  return db.prepare<[], ReleaseRow>('SELECT * FROM releases ORDER BY added_at, version').all().map(releaseFromRow);
}

export function setReleaseBundle(db: SqliteDb, version: string, bundlePath: string | null): void {
  db.prepare('UPDATE releases SET bundle_path = ? WHERE version = ?').run(bundlePath, version);
}

// ---- rollouts ------------------------------------------------------------------------------

export function currentRollout(db: SqliteDb): RolloutRecord | undefined {
  const r = db.prepare<[], RolloutRow>('SELECT * FROM rollouts ORDER BY id DESC LIMIT 1').get();
  return r && rolloutFromRow(r);
}

export function insertRollout(db: SqliteDb, r: Omit<RolloutRecord, 'id'>): number {
  const res = db
    .prepare(
      `INSERT INTO rollouts (version, previous_version, stage, percent, paused, pause_reason, auto_pause_after, armed_at, started_at, started_by, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(r.version, r.previousVersion, r.stage, r.percent, r.paused ? 1 : 0, r.pauseReason, r.autoPauseAfter, r.armedAt, r.startedAt, r.startedBy, r.updatedAt);
  return Number(res.lastInsertRowid);
}

/** Writes the mutable fields of a rollout. */
export function updateRollout(db: SqliteDb, r: RolloutRecord): void {
  db.prepare('UPDATE rollouts SET stage = ?, percent = ?, paused = ?, pause_reason = ?, armed_at = ?, updated_at = ? WHERE id = ?').run(
    r.stage, r.percent, r.paused ? 1 : 0, r.pauseReason, r.armedAt, r.updatedAt, r.id,
  );
}

export function wasOffered(db: SqliteDb, rolloutId: number, kioskId: string): boolean {
  return db.prepare<[number, string], { one: number }>('SELECT 1 AS one FROM rollout_offers WHERE rollout_id = ? AND kiosk_id = ?').get(rolloutId, kioskId) !== undefined;
}

export function recordOffer(db: SqliteDb, rolloutId: number, kioskId: string, at: number): void {
  db.prepare('INSERT OR IGNORE INTO rollout_offers (rollout_id, kiosk_id, offered_at) VALUES (?, ?, ?)').run(rolloutId, kioskId, at);
}

export function offeredKiosks(db: SqliteDb, rolloutId: number): string[] {
  return db.prepare<[number], { kiosk_id: string }>('SELECT kiosk_id FROM rollout_offers WHERE rollout_id = ? ORDER BY kiosk_id').all(rolloutId).map((r) => r.kiosk_id);
}

// ---- rings ---------------------------------------------------------------------------------

export function pilotKiosks(db: SqliteDb): string[] {
  return db.prepare<[], { kiosk_id: string }>('SELECT kiosk_id FROM kiosk_rings WHERE pilot = 1 ORDER BY kiosk_id').all().map((r) => r.kiosk_id);
}

export function isPilot(db: SqliteDb, kioskId: string): boolean {
  return db.prepare<[string], { one: number }>('SELECT 1 AS one FROM kiosk_rings WHERE kiosk_id = ? AND pilot = 1').get(kioskId) !== undefined;
}

/** Makes exactly `kioskIds` the pilot ring. */
export function setPilotRing(db: SqliteDb, kioskIds: readonly string[], actor: string, at: number): void {
  db.prepare('UPDATE kiosk_rings SET pilot = 0, updated_at = ?, updated_by = ? WHERE pilot = 1').run(at, actor);
  const set = db.prepare(
    `INSERT INTO kiosk_rings (kiosk_id, pilot, updated_at, updated_by) VALUES (?, 1, ?, ?)
     ON CONFLICT (kiosk_id) DO UPDATE SET pilot = 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  );
  for (const id of kioskIds) set.run(id, at, actor);
}

// ---- audit ---------------------------------------------------------------------------------

export function audit(db: SqliteDb, e: Omit<AuditEntry, 'id'>): void {
  db.prepare('INSERT INTO update_audit (at, actor, action, version, rollout_id, detail) VALUES (?, ?, ?, ?, ?, ?)').run(
    e.at, e.actor, e.action, e.version, e.rolloutId, e.detail === null ? null : JSON.stringify(e.detail),
  );
}

/** Audit entries of one rollout, oldest first. */
export function rolloutHistory(db: SqliteDb, rolloutId: number): AuditEntry[] {
  return db.prepare<[number], AuditRow>('SELECT * FROM update_audit WHERE rollout_id = ? ORDER BY id').all(rolloutId).map(auditFromRow);
}

/** The newest audit entries, newest first. */
export function recentAudit(db: SqliteDb, limit = 50): AuditEntry[] {
  return db.prepare<[number], AuditRow>('SELECT * FROM update_audit ORDER BY id DESC LIMIT ?').all(limit).map(auditFromRow);
}

// ---- booths' reports ------------------------------------------------------------------------

/**
 * Records a booth's version and update status; true when either changed. Reports repeat every few
 * seconds, so only a change writes, and a status differing only in its `at` is not a change. A
 * report without `update` (older build) keeps the last status.
 */
export function recordKioskUpdate(db: SqliteDb, kioskId: string, version: string, status: UpdateStatus | null, at: number): boolean {
  const prev = db.prepare<[string], KioskUpdateRow>('SELECT * FROM kiosk_updates WHERE kiosk_id = ?').get(kioskId);
  const prevStatus = prev ? statusFromJson(prev.status) : null;
  const same = (a: UpdateStatus | null, b: UpdateStatus | null) =>
    a === b || (a !== null && b !== null && a.current === b.current && a.target === b.target && a.state === b.state && a.error?.code === b.error?.code);
  if (prev && prev.version === version && (status === null || same(prevStatus, status))) return false;
  const keep = status ?? prevStatus;
  db.prepare(
    `INSERT INTO kiosk_updates (kiosk_id, version, status, changed_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (kiosk_id) DO UPDATE SET version = excluded.version, status = excluded.status, changed_at = excluded.changed_at`,
  ).run(kioskId, version, keep === null ? null : JSON.stringify(keep), at);
  return true;
}

export function kioskUpdate(db: SqliteDb, kioskId: string): KioskUpdateRecord | undefined {
  const r = db.prepare<[string], KioskUpdateRow>('SELECT * FROM kiosk_updates WHERE kiosk_id = ?').get(kioskId);
  return r && kioskUpdateFromRow(r);
}

export function listKioskUpdates(db: SqliteDb): KioskUpdateRecord[] {
  return db.prepare<[], KioskUpdateRow>('SELECT * FROM kiosk_updates ORDER BY kiosk_id').all().map(kioskUpdateFromRow);
}

// ---- administrator role (migration 6: `agents.role`; `is_admin` kept in step for old readers) ------

/** The account's username and whether it is an enabled administrator, fresh from the database (a change takes effect at once). */
export function agentRole(db: SqliteDb, agentId: string): { username: string; admin: boolean; disabled: boolean } | undefined {
  const r = db.prepare<[string], { username: string; role: string; disabled: number }>('SELECT username, role, disabled FROM agents WHERE id = ?').get(agentId);
  return r && { username: r.username, admin: r.role === 'administrator', disabled: r.disabled !== 0 };
}

/** `set-admin on` makes the account an administrator; `off` makes an administrator an agent again. False when no such account. */
export function setAgentAdmin(db: SqliteDb, username: string, admin: boolean): boolean {
  const sql = admin
    ? "UPDATE agents SET role = 'administrator', is_admin = 1 WHERE username = ?"
    : "UPDATE agents SET role = CASE role WHEN 'administrator' THEN 'agent' ELSE role END, is_admin = 0 WHERE username = ?";
  return db.prepare(sql).run(username).changes > 0;
}
