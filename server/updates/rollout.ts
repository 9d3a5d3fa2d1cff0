// Staged rollout of signed releases: pilot booths, then a stable share of the fleet, then all; pause,
// resume and roll back from the hub; an automatic pause when booths roll back by themselves.
// Every function reads and writes the database only, so the hub process, the CLI (same file) and
// tests agree on the state without any in-memory copy.
import { createHash } from 'node:crypto';
import type { KioskHealthSnapshot } from '../../common/protocol';
import type { UpdateState, UpdateStatus } from '../../common/update';
import type { SqliteDb } from '../db/store';
import { ReleaseError, RolloutError } from './errors';
import {
  audit, currentRollout, getRelease, insertRollout, isPilot, kioskUpdate, listKioskUpdates, listReleases, offeredKiosks, pilotKiosks,
  recordKioskUpdate, recordOffer, rolloutHistory, setPilotRing, updateRollout, wasOffered,
  type AuditEntry, type ReleaseRecord, type RolloutRecord, type RolloutStage,
} from './store';

/** Default share of booths in the percent stage. */
export const DEFAULT_PERCENT = 10;
/**
 * Default automatic-pause threshold: ONE booth reporting `rolled_back` for the rollout's version
 * pauses it. A booth that could not come up healthy on the new version is the strongest signal a
 * rollout gets; the admin looks at it and resumes (booths that rolled back before the resume do
 * not count again).
 */
export const DEFAULT_AUTO_PAUSE_AFTER = 1;

/** Stable bucket 0–99 of a kiosk id: the first 32 bits of SHA-256(kioskId) modulo 100. */
export function bucketOf(kioskId: string): number {
  return createHash('sha256').update(kioskId, 'utf8').digest().readUInt32BE(0) % 100;
}

/** Whether a booth is in the rollout's current ring (ignores pause and rollback). */
export function inRing(db: SqliteDb, r: Pick<RolloutRecord, 'stage' | 'percent'>, kioskId: string): boolean {
  switch (r.stage) {
    case 'pilot':
      return isPilot(db, kioskId);
    case 'percent':
      return isPilot(db, kioskId) || bucketOf(kioskId) < r.percent;
    case 'all':
      return true;
    case 'rolled_back':
      return false;
    default: {
      const never: never = r.stage;
      return never;
    }
  }
}

/**
 * The release this booth should be on, or null when the hub has nothing for it (→ 204). Records
 * the offer, so a pause stops new booths but lets the ones already on their way finish.
 */
export function targetFor(db: SqliteDb, kioskId: string, now: number): ReleaseRecord | null {
  return db.transaction((): ReleaseRecord | null => {
    const r = currentRollout(db);
    if (!r) return null;
    const mine = kioskUpdate(db, kioskId);
    const version = mine?.version ?? null;
    if (r.stage === 'rolled_back') {
      // Only booths that took (or were taking) the withdrawn version go back.
      if (!r.previousVersion || version === r.previousVersion) return null;
      const tookIt = version === r.version || wasOffered(db, r.id, kioskId);
      return tookIt ? servable(db, r.previousVersion) : null;
    }
    if (version === r.version) return null;
    // A booth that already rolled back from this version by itself is not sent it again.
    const offered = wasOffered(db, r.id, kioskId);
    if (mine?.status?.state === 'rolled_back' && (mine.status.target === r.version || (mine.status.target === null && offered))) return null;
    if (offered) return servable(db, r.version);
    if (r.paused || !inRing(db, r, kioskId)) return null;
    recordOffer(db, r.id, kioskId, now);
    return servable(db, r.version);
  })();
}

function servable(db: SqliteDb, version: string): ReleaseRecord | null {
  const rel = getRelease(db, version);
  return rel?.bundlePath ? rel : null;
}

/**
 * A `kiosk.health` snapshot arrived: keep the booth's version (update.current, else appVersion) and
 * update status; when this report newly says `rolled_back` for the current rollout's version, pause
 * the rollout once `autoPauseAfter` booths did so since it was started or last resumed.
 */
export function onKioskHealth(db: SqliteDb, kioskId: string, health: Pick<KioskHealthSnapshot, 'appVersion'> & { update?: UpdateStatus | undefined }, now: number): void {
  db.transaction(() => {
    const status = health.update ?? null;
    const changed = recordKioskUpdate(db, kioskId, status?.current ?? health.appVersion, status, now);
    if (!changed || status?.state !== 'rolled_back') return;
    const r = currentRollout(db);
    if (!r || r.paused || r.stage === 'rolled_back') return;
    const rolledBack = rolledBackSince(db, r);
    if (rolledBack.length < r.autoPauseAfter) return;
    const reason = `automatic: ${rolledBack.length} booth(s) rolled back from ${r.version} (${rolledBack.slice(0, 10).join(', ')})`;
    updateRollout(db, { ...r, paused: true, pauseReason: reason, updatedAt: now });
    audit(db, { at: now, actor: 'hub', action: 'rollout.auto_pause', version: r.version, rolloutId: r.id, detail: { kiosks: rolledBack, threshold: r.autoPauseAfter } });
  })();
}

/** Booths whose last status is `rolled_back` from this rollout's version, reported since it was armed. */
function rolledBackSince(db: SqliteDb, r: RolloutRecord): string[] {
  const offered = new Set(offeredKiosks(db, r.id));
  return listKioskUpdates(db)
    .filter((k) => k.changedAt >= r.armedAt && k.status?.state === 'rolled_back' && (k.status.target === r.version || (k.status.target === null && offered.has(k.kioskId))))
    .map((k) => k.kioskId);
}

// ---- commands (CLI and /api/admin/updates/*) ---------------------------------------------------

/** Arguments of `rollout start`. */
export interface StartRollout {
  /** A stored release with its bundle. */
  version: string;
  /** Replaces the pilot ring; omitted = keep the current ring (which must not be empty). */
  pilots?: string[];
  /** Percent stage share; default 10. */
  percent?: number;
  /** Version a rollback returns to; default: the last finished rollout's version (or the one a rolled-back rollout returned to). */
  previous?: string;
  /** Automatic-pause threshold; default 1. */
  autoPauseAfter?: number;
}

export function startRollout(db: SqliteDb, args: StartRollout, actor: string, now: number): RolloutRecord {
  return db.transaction((): RolloutRecord => {
    const rel = getRelease(db, args.version);
    if (!rel) throw new ReleaseError('release_unknown', `no release ${args.version}; add it first (release add)`);
    if (!rel.bundlePath) throw new ReleaseError('bundle_missing', `release ${args.version} has no stored bundle yet`);
    const cur = currentRollout(db);
    if (cur && (cur.stage === 'pilot' || cur.stage === 'percent')) {
      throw new RolloutError('rollout_active', `rollout of ${cur.version} is in its ${cur.stage} stage: advance it to all or roll it back first`);
    }
    const percent = args.percent ?? DEFAULT_PERCENT;
    checkPercent(percent);
    const autoPauseAfter = args.autoPauseAfter ?? DEFAULT_AUTO_PAUSE_AFTER;
    if (!Number.isInteger(autoPauseAfter) || autoPauseAfter < 1) throw new RolloutError('invalid_percent', 'auto-pause threshold must be a whole number ≥ 1');
    const previous = args.previous ?? (cur ? (cur.stage === 'all' ? cur.version : cur.previousVersion) : null);
    if (previous !== null) {
      if (previous === args.version) throw new RolloutError('same_version', `previous version ${previous} is the version being rolled out`);
      if (!getRelease(db, previous)) throw new ReleaseError('release_unknown', `previous version ${previous} is not a stored release (a rollback needs its signed manifest and bundle)`);
    }
    if (args.pilots) {
      const ids = [...new Set(args.pilots.map((p) => p.trim()).filter(Boolean))];
      const unknown = ids.filter((id) => !db.prepare('SELECT 1 FROM kiosks WHERE kiosk_id = ?').get(id));
      if (unknown.length) throw new RolloutError('unknown_kiosk', `unknown kiosk(s) for the pilot ring: ${unknown.join(', ')}`);
      if (ids.length === 0) throw new RolloutError('no_pilots', 'the pilot ring cannot be empty');
      setPilotRing(db, ids, actor, now);
    }
    const pilots = pilotKiosks(db);
    if (pilots.length === 0) throw new RolloutError('no_pilots', 'no pilot booths: give --pilot k1,k2');
    const rec: Omit<RolloutRecord, 'id'> = {
      version: args.version, previousVersion: previous, stage: 'pilot', percent, paused: false, pauseReason: null,
      autoPauseAfter, armedAt: now, startedAt: now, startedBy: actor, updatedAt: now,
    };
    const id = insertRollout(db, rec);
    audit(db, { at: now, actor, action: 'rollout.start', version: args.version, rolloutId: id, detail: { pilots, percent, previous, autoPauseAfter } });
    return { id, ...rec };
  })();
}

/** pilot → percent → (a larger percent, when given) → all. */
export function advanceRollout(db: SqliteDb, args: { percent?: number }, actor: string, now: number): RolloutRecord {
  return db.transaction((): RolloutRecord => {
    const r = activeRollout(db);
    if (r.paused) throw new RolloutError('rollout_paused', `rollout of ${r.version} is paused (${r.pauseReason ?? 'by hand'}): resume it before advancing`);
    if (args.percent !== undefined) checkPercent(args.percent);
    let stage: RolloutStage;
    let percent = r.percent;
    if (r.stage === 'pilot') {
      percent = args.percent ?? r.percent;
      stage = percent >= 100 ? 'all' : 'percent';
    } else if (r.stage === 'percent' && args.percent !== undefined && args.percent < 100) {
      // A ring only grows: booths already offered the version stay on it anyway.
      if (args.percent <= r.percent) throw new RolloutError('invalid_percent', `the rollout is at ${r.percent} %: the next step must be above it (or omit --percent for all)`);
      stage = 'percent';
      percent = args.percent;
    } else if (r.stage === 'percent') {
      stage = 'all';
      percent = 100;
    }
    else throw new RolloutError('rollout_finished', `rollout of ${r.version} already reaches all booths`);
    const next = { ...r, stage, percent, updatedAt: now };
    updateRollout(db, next);
    audit(db, { at: now, actor, action: 'rollout.advance', version: r.version, rolloutId: r.id, detail: { from: r.stage, to: stage, percent } });
    return next;
  })();
}

export function pauseRollout(db: SqliteDb, reason: string | undefined, actor: string, now: number): RolloutRecord {
  return db.transaction((): RolloutRecord => {
    const r = activeRollout(db);
    if (r.paused) throw new RolloutError('rollout_paused', `rollout of ${r.version} is already paused`);
    const next = { ...r, paused: true, pauseReason: reason?.trim() || `by ${actor}`, updatedAt: now };
    updateRollout(db, next);
    audit(db, { at: now, actor, action: 'rollout.pause', version: r.version, rolloutId: r.id, detail: { reason: next.pauseReason } });
    return next;
  })();
}

export function resumeRollout(db: SqliteDb, actor: string, now: number): RolloutRecord {
  return db.transaction((): RolloutRecord => {
    const r = activeRollout(db);
    if (!r.paused) throw new RolloutError('rollout_not_paused', `rollout of ${r.version} is not paused`);
    // Re-arm: only booths that roll back from now on count toward the automatic pause.
    const next = { ...r, paused: false, pauseReason: null, armedAt: now, updatedAt: now };
    updateRollout(db, next);
    audit(db, { at: now, actor, action: 'rollout.resume', version: r.version, rolloutId: r.id, detail: { wasPausedFor: r.pauseReason } });
    return next;
  })();
}

/** Withdraws the version: booths that took it are offered the previous version; nobody new gets it. */
export function rollbackRollout(db: SqliteDb, actor: string, now: number): RolloutRecord {
  return db.transaction((): RolloutRecord => {
    const r = activeRollout(db);
    if (!r.previousVersion) throw new RolloutError('no_previous', `rollout of ${r.version} has no previous version to return to (start it with --previous); pause it instead`);
    if (!servable(db, r.previousVersion)) throw new ReleaseError('bundle_missing', `previous release ${r.previousVersion} has no stored bundle`);
    const next = { ...r, stage: 'rolled_back' as const, updatedAt: now };
    updateRollout(db, next);
    audit(db, { at: now, actor, action: 'rollout.rollback', version: r.version, rolloutId: r.id, detail: { from: r.stage, to: r.previousVersion } });
    return next;
  })();
}

function activeRollout(db: SqliteDb): RolloutRecord {
  const r = currentRollout(db);
  if (!r) throw new RolloutError('no_rollout', 'no rollout has been started');
  if (r.stage === 'rolled_back') throw new RolloutError('rollout_finished', `rollout of ${r.version} was rolled back; start a new one`);
  return r;
}

function checkPercent(p: number): void {
  if (!Number.isInteger(p) || p < 1 || p > 100) throw new RolloutError('invalid_percent', `percent must be a whole number 1–100, got ${p}`);
}

// ---- status ------------------------------------------------------------------------------------

/** GET /api/admin/updates/status and `rollout status`. */
export interface UpdatesStatus {
  /** The current rollout with its ring figures and history; null before the first. */
  rollout:
    | (RolloutRecord & {
        pilots: string[];
        /** Booths in the current ring (ignoring pause). */
        inRing: number;
        /** Booths per ring at the rollout's percent: pilots, the percent share (pilots excluded), the rest. */
        rings: { pilot: number; percent: number; rest: number };
        /** Booths the hub offered the version to. */
        offered: number;
        /** Booths reporting the target version. */
        onTarget: number;
        history: AuditEntry[];
      })
    | null;
  /** Registered booths. */
  booths: number;
  /** Booths per reported version ("unknown" = never reported). */
  versions: Record<string, number>;
  /** Booths per last update state ("none" = never sent one). */
  states: Record<UpdateState | 'none', number>;
  /** Booths whose last update failed or rolled back, with the code. */
  failures: { kioskId: string; version: string | null; target: string | null; state: UpdateState; code: string | null; message: string | null; at: number }[];
  /** Failures counted per error code. */
  failuresByCode: Record<string, number>;
  /** Stored releases (without manifest text). */
  releases: { version: string; runtime: string; bundleSize: number; bundleSha256: string; stored: boolean; addedAt: number; addedBy: string; keyId: string }[];
}

export function updatesStatus(db: SqliteDb): UpdatesStatus {
  const kioskIds = db.prepare<[], { kiosk_id: string }>('SELECT kiosk_id FROM kiosks ORDER BY kiosk_id').all().map((k) => k.kiosk_id);
  const reports = new Map(listKioskUpdates(db).map((k) => [k.kioskId, k]));
  const versions: Record<string, number> = {};
  const states = { none: 0, idle: 0, downloading: 0, verifying: 0, staged: 0, switching: 0, probation: 0, committed: 0, rolled_back: 0, failed: 0 } satisfies Record<UpdateState | 'none', number>;
  const failures: UpdatesStatus['failures'] = [];
  const failuresByCode: Record<string, number> = {};
  for (const id of kioskIds) {
    const k = reports.get(id);
    const v = k?.version ?? 'unknown';
    versions[v] = (versions[v] ?? 0) + 1;
    const st = k?.status ?? null;
    states[st?.state ?? 'none'] += 1;
    if (st && (st.state === 'failed' || st.state === 'rolled_back')) {
      failures.push({ kioskId: id, version: k?.version ?? null, target: st.target, state: st.state, code: st.error?.code ?? null, message: st.error?.message ?? null, at: k?.changedAt ?? st.at });
      const code = st.error?.code ?? st.state;
      failuresByCode[code] = (failuresByCode[code] ?? 0) + 1;
    }
  }
  const r = currentRollout(db);
  return {
    rollout: r
      ? {
          ...r,
          pilots: pilotKiosks(db),
          inRing: kioskIds.filter((id) => inRing(db, r, id)).length,
          rings: ringCounts(kioskIds, new Set(pilotKiosks(db)), r.percent),
          offered: offeredKiosks(db, r.id).length,
          onTarget: kioskIds.filter((id) => reports.get(id)?.version === r.version).length,
          history: rolloutHistory(db, r.id),
        }
      : null,
    booths: kioskIds.length,
    versions,
    states,
    failures,
    failuresByCode,
    releases: listReleases(db).map((x) => ({ version: x.version, runtime: x.runtime, bundleSize: x.bundleSize, bundleSha256: x.bundleSha256, stored: x.bundlePath !== null, addedAt: x.addedAt, addedBy: x.addedBy, keyId: x.keyId })),
  };
}

function ringCounts(kioskIds: readonly string[], pilots: ReadonlySet<string>, percent: number): { pilot: number; percent: number; rest: number } {
  const out = { pilot: 0, percent: 0, rest: 0 };
  for (const id of kioskIds) {
    if (pilots.has(id)) out.pilot += 1;
    else if (bucketOf(id) < percent) out.percent += 1;
    else out.rest += 1;
  }
  return out;
}
