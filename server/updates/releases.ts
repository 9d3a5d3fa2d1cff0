// Storing releases at the hub: verify the signed manifest with the configured public keys, then
// take the bundle only if its size and SHA-256 are the ones the manifest states. Files land as
//   <releasesDir>/<version>/visioguichet-<version>.tar.gz, manifest.json, manifest.json.sig
// so any static file server pointed at the same folder serves the same release.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, createWriteStream, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isSafeVersionName } from '../../common/update';
import type { SqliteDb } from '../db/store';
import { ReleaseError } from './errors';
import { verifyManifest, type UpdateKey } from './signature';
import { audit, currentRollout, getRelease, insertRelease, setReleaseBundle, type ReleaseRecord } from './store';

/** File name of a release's bundle. */
export const bundleName = (version: string) => `visioguichet-${version}.tar.gz`;

/**
 * Step 1: a signed manifest. Verified before anything is stored; the release is recorded without
 * a bundle (never offered to booths until step 2). Sending the same manifest again is a no-op.
 */
export function addReleaseManifest(db: SqliteDb, input: { manifest: Buffer | string; signature: string; keys: readonly UpdateKey[]; actor: string; now: number }): ReleaseRecord {
  const v = verifyManifest(input.manifest, input.signature, input.keys);
  const m = v.manifest;
  if (!isSafeVersionName(m.version)) throw new ReleaseError('manifest_invalid', `version ${m.version} cannot name a folder`);
  return db.transaction((): ReleaseRecord => {
    const existing = getRelease(db, m.version);
    if (existing) {
      if (existing.manifest === v.text) return existing;
      throw new ReleaseError('release_exists', `release ${m.version} already exists with another manifest; a version is never re-released`);
    }
    const rec: ReleaseRecord = {
      version: m.version, runtime: m.runtime, manifest: v.text, signature: v.signature, keyId: v.keyId,
      bundleSize: m.bundle.size, bundleSha256: m.bundle.sha256, bundlePath: null, addedAt: input.now, addedBy: input.actor,
    };
    insertRelease(db, rec);
    audit(db, { at: input.now, actor: input.actor, action: 'release.add', version: m.version, rolloutId: null, detail: { runtime: m.runtime, size: m.bundle.size, sha256: m.bundle.sha256, keyId: v.keyId } });
    return rec;
  })();
}

/**
 * Step 2: the bundle, streamed to a temporary file while counting and hashing; kept only when
 * size and SHA-256 match the signed manifest (else ReleaseError and nothing is left behind).
 */
export async function storeBundle(db: SqliteDb, input: { releasesDir: string; version: string; source: Readable; actor: string; now: () => number }): Promise<ReleaseRecord> {
  const rel = getRelease(db, input.version);
  if (!rel) {
    input.source.resume();
    throw new ReleaseError('release_unknown', `no release ${input.version}: send its signed manifest first`);
  }
  if (rel.bundlePath) {
    input.source.resume();
    throw new ReleaseError('release_exists', `release ${rel.version} already has its bundle`);
  }
  const dir = join(resolve(input.releasesDir), rel.version);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.upload-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > rel.bundleSize) return cb(new ReleaseError('bundle_too_large', `bundle is larger than the ${rel.bundleSize} bytes the manifest states`));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(input.source, meter, createWriteStream(tmp, { flags: 'wx' }));
    if (size !== rel.bundleSize) throw new ReleaseError('bundle_hash_mismatch', `bundle is ${size} bytes, the manifest states ${rel.bundleSize}`);
    const sha = hash.digest('hex');
    if (sha !== rel.bundleSha256) throw new ReleaseError('bundle_hash_mismatch', `bundle SHA-256 ${sha} differs from the manifest's ${rel.bundleSha256}`);
    const name = bundleName(rel.version);
    renameSync(tmp, join(dir, name));
    // Beside it, what a static file server needs to serve the same release.
    writeFileSync(join(dir, 'manifest.json'), rel.manifest);
    writeFileSync(join(dir, 'manifest.json.sig'), `${rel.signature}\n`);
    const bundlePath = `${rel.version}/${name}`;
    const at = input.now();
    db.transaction(() => {
      setReleaseBundle(db, rel.version, bundlePath);
      audit(db, { at, actor: input.actor, action: 'release.bundle', version: rel.version, rolloutId: null, detail: { size, sha256: sha } });
    })();
    return { ...rel, bundlePath };
  } catch (err) {
    rmSync(tmp, { force: true });
    input.source.destroy();
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw new ReleaseError('disk_full', `no space left in ${input.releasesDir} for the ${rel.bundleSize}-byte bundle of ${rel.version}`, { cause: err });
    throw err;
  }
}

/**
 * Frees the disk a release's bundle takes. The record (signed manifest, audit) stays for history and
 * the same bundle can be stored again; refused while the current rollout offers it (target, or
 * previous version).
 */
export function removeBundle(db: SqliteDb, input: { releasesDir: string; version: string; actor: string; now: number }): ReleaseRecord {
  return db.transaction((): ReleaseRecord => {
    const rel = getRelease(db, input.version);
    if (!rel) throw new ReleaseError('release_unknown', `no release ${input.version}`);
    if (!rel.bundlePath) throw new ReleaseError('bundle_missing', `release ${rel.version} has no stored bundle`);
    const r = currentRollout(db);
    // A rolled-back rollout no longer offers its target, but still sends booths to its previous version.
    const target = r && r.stage !== 'rolled_back' && r.version === rel.version;
    if (r && (target || r.previousVersion === rel.version)) {
      throw new ReleaseError('release_in_use', `release ${rel.version} is the current rollout's ${target ? 'target' : 'rollback version'}`);
    }
    const file = bundleFile(input.releasesDir, rel);
    setReleaseBundle(db, rel.version, null);
    audit(db, { at: input.now, actor: input.actor, action: 'release.remove_bundle', version: rel.version, rolloutId: null, detail: { size: rel.bundleSize } });
    // Last: if the row update failed, the file is still there.
    rmSync(file, { force: true });
    return { ...rel, bundlePath: null };
  })();
}

/** Absolute path of a stored bundle, refusing anything that would leave the releases dir. */
export function bundleFile(releasesDir: string, rel: ReleaseRecord): string {
  if (!rel.bundlePath) throw new ReleaseError('bundle_missing', `release ${rel.version} has no stored bundle`);
  const root = resolve(releasesDir);
  const file = resolve(root, rel.bundlePath);
  const rest = relative(root, file);
  if (rest === '' || rest.startsWith('..') || isAbsolute(rest)) throw new ReleaseError('bundle_missing', `bundle path of ${rel.version} is outside the releases dir`);
  return file;
}
