// The booth's release layout (update contract): <root>/releases/<version>/, <root>/current ->
// releases/<version> (repointed atomically), and the writable state dir with state.json and
// downloads/. Every path comes from here; tests use a temp root.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { UpdateStatus } from '../../common/update';

export interface UpdateLayout {
  /** Install root, e.g. /opt/visioguichet (releases/ and the `current` link). */
  root: string;
  /** Writable state, e.g. /var/lib/visioguichet/update (state.json, downloads/). */
  stateDir: string;
}

export const releasesDir = (l: UpdateLayout) => join(l.root, 'releases');
export const currentLink = (l: UpdateLayout) => join(l.root, 'current');
export const stateFile = (l: UpdateLayout) => join(l.stateDir, 'state.json');
export const downloadsDir = (l: UpdateLayout) => join(l.stateDir, 'downloads');

/**
 * state.json — also read and written by the stable launcher (build/bin/visioguichet-launcher.mjs),
 * so its shape changes only with both sides.
 */
export const UpdateStateFile = z.object({
  schema: z.literal(1),
  /** A switch waiting for the new version to prove healthy. */
  pending: z
    .object({
      from: z.string(),
      to: z.string(),
      /** Epoch ms: not healthy by then = rolled back (health_timeout). */
      deadline: z.number(),
      /** Starts of `to` counted by the launcher: more than K = rolled back (crashed_on_start). */
      starts: z.number().int().nonnegative(),
    })
    .nullable(),
  /** Last reported outcome (survives the restart, so the version that runs next reports it). */
  last: UpdateStatus.nullable(),
  /** Versions that rolled back here: never installed again (a new version number is needed). */
  rejected: z.array(z.string()).max(100),
});
export type UpdateStateFile = z.infer<typeof UpdateStateFile>;

export const emptyState = (): UpdateStateFile => ({ schema: 1, pending: null, last: null, rejected: [] });

/** The state file, or an empty state when missing; a corrupt file is reported through `onCorrupt` and treated as empty. */
export async function readState(l: UpdateLayout, onCorrupt?: (why: string) => void): Promise<UpdateStateFile> {
  let text: string;
  try {
    text = await readFile(stateFile(l), 'utf8');
  } catch {
    return emptyState();
  }
  try {
    const r = UpdateStateFile.safeParse(JSON.parse(text));
    if (r.success) return r.data;
    onCorrupt?.(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  } catch (err) {
    onCorrupt?.(String(err));
  }
  return emptyState();
}

/** Write-to-temp, fsync, rename: a power cut leaves the old or the new file, never half of one. */
export async function writeState(l: UpdateLayout, s: UpdateStateFile): Promise<void> {
  await mkdir(l.stateDir, { recursive: true });
  const tmp = `${stateFile(l)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(`${JSON.stringify(UpdateStateFile.parse(s), null, 2)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, stateFile(l));
}

/** The version `current` points at (the release directory's name), or null when there is no link. */
export async function readCurrentVersion(l: UpdateLayout): Promise<string | null> {
  try {
    return basename(await readlink(currentLink(l)));
  } catch {
    return null;
  }
}

/** Repoints `current` at releases/<version>: a new relative symlink renamed over the old one (atomic). */
export async function switchCurrent(l: UpdateLayout, version: string): Promise<void> {
  const dir = join(releasesDir(l), version);
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) throw new Error(`cannot switch to ${version}: ${dir} is not an unpacked release`);
  const tmp = join(l.root, `.current.${process.pid}.${randomBytes(4).toString('hex')}`);
  await symlink(join('releases', version), tmp);
  try {
    await rename(tmp, currentLink(l));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // Make the rename durable before anyone restarts on it.
  const d = await open(l.root, 'r');
  await d.sync().catch(() => {});
  await d.close();
}

/** Removes releases other than `keep` (and stale .partial dirs) where it may: the booth keeps the running and the previous one. */
export async function pruneReleases(l: UpdateLayout, keep: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(releasesDir(l));
  } catch {
    return removed;
  }
  for (const n of names) {
    if (keep.includes(n)) continue;
    try {
      await rm(join(releasesDir(l), n), { recursive: true, force: true });
      removed.push(n);
    } catch {
      // The release the .deb installed belongs to root (sticky releases/): it stays, which is fine.
    }
  }
  return removed;
}

/** True when releases/<version> is a complete unpacked release (only ever made by a rename of a checked .partial, or by the .deb). */
export async function hasRelease(l: UpdateLayout, version: string): Promise<boolean> {
  try {
    const pkg = JSON.parse(await readFile(join(releasesDir(l), version, 'package.json'), 'utf8')) as { version?: unknown };
    return pkg.version === version;
  } catch {
    return false;
  }
}
