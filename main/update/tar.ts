// A small streaming reader for the release bundle (gzip'd tar: POSIX ustar, pax headers and GNU
// long names, i.e. what GNU tar writes) and the one extraction that writes a release. Written here
// rather than taken from a package so every entry is seen raw and refused before anything unsafe
// is written (tar slip, absolute paths, links leaving the release, devices).
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { UpdateError, isDiskFull } from './errors';

export interface TarEntry {
  /** Path inside the archive, as written (pax/GNU long names applied). */
  path: string;
  /** Raw typeflag ('0' file, '5' dir, '2' symlink, '1' hard link, …). */
  typeflag: string;
  mode: number;
  size: number;
  /** Link target for symlinks and hard links. */
  linkpath: string;
}

/** Receives an entry's data; `write` may be awaited (backpressure). */
export interface EntrySink {
  write(chunk: Buffer): Promise<void>;
  end(): Promise<void>;
}

const BLOCK = 512;
const META_MAX = 1024 * 1024;

function cstr(h: Buffer, off: number, len: number): string {
  const end = h.indexOf(0, off);
  return h.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}

function num(h: Buffer, off: number, len: number): number {
  if ((h[off]! & 0x80) !== 0) {
    // GNU base-256 for big sizes.
    let v = 0;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + h[i]!;
    return v;
  }
  const s = h.toString('latin1', off, off + len).replace(/\0.*$/s, '').trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`bad octal field "${s}"`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === num(h, 148, 8);
}

function parsePax(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < b.length) {
    const sp = b.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = Number(b.toString('latin1', pos, sp));
    if (!Number.isInteger(len) || len <= 0 || pos + len > b.length) throw new Error('bad pax record');
    const rec = b.toString('utf8', sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

/**
 * Streams a tar archive, calling `onEntry` for every real entry (metadata entries are applied, not
 * reported). Return a sink to receive the entry's bytes, or null to skip them. Throws on a corrupt
 * or truncated archive.
 */
export async function parseTar(src: AsyncIterable<Buffer>, onEntry: (e: TarEntry) => Promise<EntrySink | null>): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let body: { remaining: number; pad: number; sink: EntrySink | null; collect: Buffer[] | null; flag: string } | null = null;
  let ended = false;
  let zeros = 0;
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;

  const finish = async () => {
    const b = body!;
    body = null;
    if (b.sink) await b.sink.end();
    if (b.collect) {
      const data = Buffer.concat(b.collect);
      if (b.flag === 'x') pax = parsePax(data);
      else if (b.flag === 'L') longName = cstr(data, 0, data.length);
      else if (b.flag === 'K') longLink = cstr(data, 0, data.length);
      // 'g' (global pax) carries nothing a release needs.
    }
  };

  for await (const chunk of src) {
    const data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    let pos = 0;
    while (pos < data.length && !ended) {
      if (body) {
        const b: { remaining: number; pad: number; sink: EntrySink | null; collect: Buffer[] | null } = body;
        if (b.remaining > 0) {
          const n = Math.min(b.remaining, data.length - pos);
          const slice = data.subarray(pos, pos + n);
          if (b.sink) await b.sink.write(slice);
          if (b.collect) b.collect.push(Buffer.from(slice));
          b.remaining -= n;
          pos += n;
        }
        if (b.remaining === 0 && b.pad > 0) {
          const n = Math.min(b.pad, data.length - pos);
          b.pad -= n;
          pos += n;
        }
        if (b.remaining === 0 && b.pad === 0) await finish();
        continue;
      }
      if (data.length - pos < BLOCK) {
        pending = Buffer.from(data.subarray(pos));
        break;
      }
      const h = data.subarray(pos, pos + BLOCK);
      pos += BLOCK;
      if (h.every((x) => x === 0)) {
        if (++zeros >= 2) ended = true;
        continue;
      }
      zeros = 0;
      if (!checksumOk(h)) throw new Error(`corrupt tar header at byte ${pos - BLOCK}`);
      const flag = String.fromCharCode(h[156]!) === '\0' ? '0' : String.fromCharCode(h[156]!);
      let size = num(h, 124, 12);
      const posix = h.toString('latin1', 257, 263) === 'ustar\0';
      const prefix = posix ? cstr(h, 345, 155) : '';
      const name = cstr(h, 0, 100);
      const meta = flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K';
      if (meta) {
        if (size > META_MAX) throw new Error(`tar metadata entry of ${size} bytes`);
      } else {
        if (pax.size !== undefined) size = Number(pax.size);
        const entry: TarEntry = {
          path: pax.path ?? longName ?? (prefix ? `${prefix}/${name}` : name),
          typeflag: flag,
          mode: num(h, 100, 8),
          size: flag === '0' || flag === '7' ? size : 0,
          linkpath: pax.linkpath ?? longLink ?? cstr(h, 157, 100),
        };
        pax = {};
        longName = longLink = null;
        const sink = await onEntry(entry);
        body = { remaining: entry.size, pad: (BLOCK - (entry.size % BLOCK)) % BLOCK, sink, collect: null, flag };
        if (entry.size === 0) await finish();
        continue;
      }
      body = { remaining: size, pad: (BLOCK - (size % BLOCK)) % BLOCK, sink: null, collect: [], flag };
      if (size === 0) await finish();
    }
    if (ended) break;
  }
  if (!ended || body) throw new Error('tar archive is truncated (no end-of-archive blocks)');
}

export interface UnpackOptions {
  /** The hash-checked bundle (.tar.gz). */
  bundle: string;
  /** `<root>/releases`. */
  releasesDir: string;
  /** The manifest's version: the directory name and the version package.json must carry. */
  version: string;
  /** Refuse archives that unpack to more than this (default 8 GiB): a gzip bomb must not fill the disk. */
  maxBytes?: number;
  /** Refuse archives with more entries than this (default 500 000). */
  maxEntries?: number;
}

/** Why an entry is refused, or null when it may be written. Pure; exported for tests. */
export function entryProblem(e: TarEntry, symlinks: ReadonlySet<string>): string | null {
  const p = normaliseEntryPath(e.path);
  if (typeof p !== 'string') return p.problem;
  if (p === '') return null;
  // Never write through a link this archive created: parents are real directories we made.
  const parts = p.split('/');
  for (let i = 1; i < parts.length; i++) if (symlinks.has(parts.slice(0, i).join('/'))) return `"${e.path}" goes through the archive's symlink "${parts.slice(0, i).join('/')}"`;
  if (symlinks.has(p)) return `"${e.path}" would replace a symlink`;
  switch (e.typeflag) {
    case '0':
    case '7':
    case '5':
      return null;
    case '2': {
      const t = e.linkpath;
      if (t === '' || t.startsWith('/')) return `symlink "${e.path}" -> "${t}" is absolute or empty`;
      // Normalised and relative means '..' can only lead: resolution is then exact, no lexical trick.
      if (posix.normalize(t).replace(/\/$/, '') !== t) return `symlink "${e.path}" -> "${t}" is not a normalised relative path`;
      const resolved = posix.normalize(posix.join(posix.dirname(p), t));
      if (resolved === '..' || resolved.startsWith('../')) return `symlink "${e.path}" -> "${t}" points outside the release`;
      return null;
    }
    case '1': {
      const t = normaliseEntryPath(e.linkpath);
      if (typeof t !== 'string' || t === '') return `hard link "${e.path}" -> "${e.linkpath}" leaves the release`;
      return null;
    }
    default:
      return `"${e.path}" is of tar type '${e.typeflag}' (only files, directories and links are allowed)`;
  }
}

function normaliseEntryPath(raw: string): string | { problem: string } {
  if (raw.includes('\0')) return { problem: 'entry name contains NUL' };
  if (raw.startsWith('/')) return { problem: `absolute path "${raw}"` };
  const stripped = raw.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (stripped === '' || stripped === '.') return '';
  if (stripped.split('/').some((s) => s === '..')) return { problem: `path "${raw}" escapes the release (..)` };
  const n = posix.normalize(stripped);
  if (n !== stripped) return { problem: `path "${raw}" is not normalised` };
  return n;
}

/**
 * Unpacks into `releases/<version>.partial`, checks that its package.json carries `version`, then
 * renames it to `releases/<version>`. Any refused entry or failure removes the partial directory:
 * nothing of a bad bundle stays on disk. Throws UpdateError (unpack_failed, disk_full).
 */
export async function unpackRelease(o: UnpackOptions): Promise<string> {
  const target = join(o.releasesDir, o.version);
  const partial = `${target}.partial`;
  const maxBytes = o.maxBytes ?? 8 * 1024 ** 3;
  const maxEntries = o.maxEntries ?? 500_000;
  await rm(partial, { recursive: true, force: true });
  try {
    await mkdir(partial, { recursive: true, mode: 0o755 });
    const symlinks = new Set<string>();
    const files = new Set<string>();
    let total = 0;
    let count = 0;
    await parseTar(createReadStream(o.bundle).pipe(createGunzip()), async (e) => {
      if (++count > maxEntries) throw new UpdateError('unpack_failed', `bundle has more than ${maxEntries} entries`);
      const problem = entryProblem(e, symlinks);
      if (problem) throw new UpdateError('unpack_failed', `refused bundle entry: ${problem}`);
      const rel = normaliseEntryPath(e.path) as string;
      if (rel === '') return null;
      const dest = join(partial, rel);
      switch (e.typeflag) {
        case '5':
          await mkdir(dest, { recursive: true, mode: 0o755 });
          return null;
        case '2':
          await mkdir(dirname(dest), { recursive: true, mode: 0o755 });
          await symlink(e.linkpath, dest);
          symlinks.add(rel);
          return null;
        case '1': {
          const from = normaliseEntryPath(e.linkpath) as string;
          if (!files.has(from)) throw new UpdateError('unpack_failed', `refused bundle entry: hard link "${e.path}" -> "${e.linkpath}" names no earlier file`);
          await mkdir(dirname(dest), { recursive: true, mode: 0o755 });
          await link(join(partial, from), dest);
          files.add(rel);
          return null;
        }
        default: {
          total += e.size;
          if (total > maxBytes) throw new UpdateError('unpack_failed', `bundle unpacks to more than ${maxBytes} bytes`);
          await mkdir(dirname(dest), { recursive: true, mode: 0o755 });
          // 'wx': never reuse or follow an existing name; no setuid, no group/other write.
          const fh = await open(dest, 'wx', e.mode & 0o755);
          files.add(rel);
          return {
            write: async (b) => void (await fh.write(b)),
            end: () => fh.close(),
          };
        }
      }
    });
    let pkg: { version?: unknown };
    try {
      pkg = JSON.parse(await readFile(join(partial, 'package.json'), 'utf8')) as { version?: unknown };
    } catch (err) {
      throw new UpdateError('unpack_failed', `bundle has no readable package.json at its root: ${(err as Error).message}`);
    }
    if (pkg.version !== o.version) throw new UpdateError('unpack_failed', `bundle's package.json says version ${String(pkg.version)}, the signed manifest says ${o.version}`);
    if (await exists(target)) await rm(target, { recursive: true, force: true });
    await rename(partial, target);
    return target;
  } catch (err) {
    await rm(partial, { recursive: true, force: true }).catch(() => {});
    if (err instanceof UpdateError) throw err;
    if (isDiskFull(err)) throw new UpdateError('disk_full', `disk full while unpacking ${o.version}`, { cause: err });
    throw new UpdateError('unpack_failed', `cannot unpack ${o.bundle}: ${(err as Error).message}`, { cause: err });
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
