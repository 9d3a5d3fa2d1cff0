// `release …`, `rollout …` and `set-admin …` for server/cli.ts. They act on the hub database (and
// releases dir) directly, like create-agent: a running hub reads the same rows on the next request.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { SqliteDb } from '../db/store';
import { ReleaseError } from './errors';
import { addReleaseManifest, removeBundle, storeBundle } from './releases';
import { advanceRollout, pauseRollout, resumeRollout, rollbackRollout, startRollout, updatesStatus, type UpdatesStatus } from './rollout';
import { parseUpdateKey } from './signature';
import { audit, setAgentAdmin } from './store';

export const UPDATES_USAGE = `  release add <manifest.json> <manifest.json.sig> <bundle.tar.gz>   verify with updateKeys, store under releasesDir
  release remove <version>           free a bundle's disk (not while the current rollout uses it)
  rollout start <version> [--pilot k1,k2] [--percent 10] [--previous V] [--auto-pause-after 1]
  rollout advance [--percent N]      pilot → percent → all (a larger --percent stays in the percent stage)
  rollout pause [--reason TEXT] | rollout resume | rollout rollback | rollout status
  set-admin <username> on|off        the administrator role (as account set-role): /api/admin/updates/*
  (release/rollout take --keys K1,K2 and --releases-dir DIR over the config's updateKeys / releasesDir, --as NAME to name who acts)`;

/** What the update commands need from the main CLI. */
export interface UpdatesCliContext {
  db: SqliteDb;
  /** Parsed --flags. */
  flags: Record<string, string | undefined>;
  /** Release-signing public keys (config updateKeys unless --keys). */
  keys: readonly string[];
  /** Bundle folder (config releasesDir unless --releases-dir). */
  releasesDir: string;
  out: (line: string) => void;
  now?: () => number;
  /** Throws the CLI's usage error. */
  usage: (message: string) => never;
}

/** Runs `release …` / `rollout …` / `set-admin …`; returns the exit code. */
export async function runUpdatesCommand(command: string, args: string[], ctx: UpdatesCliContext): Promise<number> {
  const { db, flags, out } = ctx;
  const now = ctx.now ?? Date.now;
  const actor = `cli:${flags.as ?? safeUser()}`;
  const int = (name: string): number | undefined => {
    const v = flags[name];
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) ctx.usage(`--${name} needs a whole number`);
    return Number(v);
  };
  if (command === 'set-admin') {
    const [username, onOff] = args;
    if (!username || (onOff !== 'on' && onOff !== 'off') || args.length !== 2) ctx.usage('set-admin needs <username> on|off');
    if (!setAgentAdmin(db, username, onOff === 'on')) ctx.usage(`no agent ${username}`);
    audit(db, { at: now(), actor, action: 'admin.set', version: null, rolloutId: null, detail: { username, admin: onOff === 'on' } });
    out(`${username}: admin ${onOff}`);
    return 0;
  }
  const [sub, ...rest] = args;
  if (command === 'release' && sub === 'remove') {
    const [version] = rest;
    if (!version || rest.length !== 1) ctx.usage('release remove needs <version>');
    const rel = removeBundle(db, { releasesDir: ctx.releasesDir, version, actor, now: now() });
    out(`release ${rel.version}: bundle removed (${rel.bundleSize} bytes freed; the signed manifest stays on record)`);
    return 0;
  }
  if (command === 'release') {
    if (sub !== 'add' || rest.length !== 3) ctx.usage('release add needs <manifest.json> <manifest.json.sig> <bundle.tar.gz>');
    const [manifestPath, sigPath, bundlePath] = rest as [string, string, string];
    const keys = ctx.keys.map(parseUpdateKey);
    const rel = addReleaseManifest(db, { manifest: readFileSync(manifestPath), signature: readFileSync(sigPath, 'utf8'), keys, actor, now: now() });
    // Fail fast on an obviously wrong file before copying it.
    const size = statSync(bundlePath).size;
    if (size !== rel.bundleSize) throw new ReleaseError(size > rel.bundleSize ? 'bundle_too_large' : 'bundle_hash_mismatch', `${bundlePath} is ${size} bytes, the manifest states ${rel.bundleSize}`);
    const stored = rel.bundlePath ? rel : await storeBundle(db, { releasesDir: ctx.releasesDir, version: rel.version, source: createReadStream(bundlePath), actor, now });
    out(`release ${stored.version} (${stored.runtime}, ${stored.bundleSize} bytes, sha256 ${stored.bundleSha256}) signed by key ${stored.keyId}: stored`);
    return 0;
  }
  if (command !== 'rollout') ctx.usage(`unknown command ${command}`);
  switch (sub) {
    case 'start': {
      const [version] = rest;
      if (!version || rest.length !== 1) ctx.usage('rollout start needs <version>');
      const pilots = flags.pilot?.split(',').map((s) => s.trim()).filter(Boolean);
      const percent = int('percent');
      const autoPauseAfter = int('auto-pause-after');
      const r = startRollout(db, {
        version,
        ...(pilots ? { pilots } : {}),
        ...(percent !== undefined ? { percent } : {}),
        ...(flags.previous ? { previous: flags.previous } : {}),
        ...(autoPauseAfter !== undefined ? { autoPauseAfter } : {}),
      }, actor, now());
      out(`rollout of ${r.version} started: pilot stage (rollback returns to ${r.previousVersion ?? 'nothing: no previous version'})`);
      break;
    }
    case 'advance': {
      const percent = int('percent');
      const r = advanceRollout(db, percent !== undefined ? { percent } : {}, actor, now());
      out(`rollout of ${r.version}: ${r.stage === 'percent' ? `${r.percent} % stage` : `${r.stage} stage`}`);
      break;
    }
    case 'pause':
      out(`rollout of ${pauseRollout(db, flags.reason, actor, now()).version} paused: booths not yet offered it will not be`);
      break;
    case 'resume':
      out(`rollout of ${resumeRollout(db, actor, now()).version} resumed`);
      break;
    case 'rollback': {
      const r = rollbackRollout(db, actor, now());
      out(`rollout of ${r.version} rolled back: booths that took it are offered ${r.previousVersion ?? '?'}`);
      break;
    }
    case 'status':
      break;
    default:
      ctx.usage('rollout needs start|advance|pause|resume|rollback|status');
  }
  for (const line of formatStatus(updatesStatus(db))) out(line);
  return 0;
}

/** The status summary as text lines. */
export function formatStatus(s: UpdatesStatus): string[] {
  const lines: string[] = [];
  const r = s.rollout;
  if (!r) lines.push('rollout: none');
  else {
    const stage = r.stage === 'percent' ? `${r.percent} %` : r.stage;
    lines.push(`rollout #${r.id}: ${r.version} stage=${stage}${r.paused ? ` PAUSED (${r.pauseReason ?? ''})` : ''} previous=${r.previousVersion ?? '-'} auto-pause-after=${r.autoPauseAfter}`);
    lines.push(`  pilots: ${r.pilots.join(',') || '-'}; in ring ${r.inRing}/${s.booths}, offered ${r.offered}, on ${r.version}: ${r.onTarget}`);
    lines.push(`  rings: pilot ${r.rings.pilot}, ${r.percent} % ${r.rings.percent}, rest ${r.rings.rest}`);
    for (const h of r.history) lines.push(`  ${new Date(h.at).toISOString()} ${h.actor} ${h.action}${h.detail ? ` ${JSON.stringify(h.detail)}` : ''}`);
  }
  lines.push(`booths: ${s.booths}; versions: ${Object.entries(s.versions).map(([v, n]) => `${v}=${n}`).join(' ') || '-'}`);
  lines.push(`states: ${Object.entries(s.states).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`).join(' ') || '-'}`);
  if (s.failures.length) {
    lines.push(`failures: ${Object.entries(s.failuresByCode).map(([c, n]) => `${c}=${n}`).join(' ')}`);
    for (const f of s.failures) lines.push(`  ${f.kioskId} ${f.state} ${f.code ?? ''} on ${f.version ?? '?'} (target ${f.target ?? '-'}) ${f.message ?? ''}`.trimEnd());
  }
  lines.push(`releases: ${s.releases.map((x) => `${x.version}${x.stored ? '' : ' (no bundle)'}`).join(', ') || '-'}`);
  return lines;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
