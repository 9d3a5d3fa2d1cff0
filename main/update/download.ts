// Bundle download: streamed to <dir>/<name>.part with the sha256 computed on the way, never more
// than the manifest's size accepted, resumed with a Range request after an interruption (the part
// file's bytes are re-hashed first), restarted cleanly when the server ignores the range.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UpdateError, isDiskFull } from './errors';

export interface DownloadOptions {
  /** Absolute http(s) URL of the bundle. */
  url: string;
  /** Extra request headers (the kiosk's Authorization for the hub). */
  headers?: Record<string, string>;
  /** Directory under the update state dir (created if missing). */
  dir: string;
  /** File name of the finished download (e.g. `visioguichet-1.2.0.tar.gz`). */
  name: string;
  /** Exact size (bytes) and sha256 (hex) from the verified manifest. */
  size: number;
  sha256: string;
  /** Injected fetch (default global). */
  fetch?: typeof fetch;
  /** Aborts the transfer (the part file stays for a later resume). */
  signal?: AbortSignal;
  /** Free-space probe (default fs.statfs); injected by tests. */
  freeBytes?: (dir: string) => Promise<number>;
  /** Free space demanded beyond the download itself, as a multiple of the bundle size (unpacked copy; default 3). */
  headroomFactor?: number;
  /** Bytes received so far (including resumed ones). */
  onProgress?: (bytes: number) => void;
  /** Gives up (download_failed, part kept) when no byte arrives for this long (default 60 s). */
  stallMs?: number;
}

export interface DownloadResult {
  /** Path of the complete, hash-checked bundle. */
  path: string;
  /** Bytes taken from an earlier interrupted attempt. */
  resumedFrom: number;
}

const defaultFreeBytes = async (dir: string): Promise<number> => {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
};

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function hashFile(path: string, hash = createHash('sha256')) {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash;
}

/** Downloads and checks the bundle; throws UpdateError (download_failed, bundle_too_large, bundle_hash_mismatch, disk_full). */
export async function downloadBundle(o: DownloadOptions): Promise<DownloadResult> {
  const doFetch = o.fetch ?? fetch;
  const final = join(o.dir, o.name);
  const part = `${final}.part`;
  try {
    await mkdir(o.dir, { recursive: true });
  } catch (err) {
    throw new UpdateError(isDiskFull(err) ? 'disk_full' : 'download_failed', `cannot create ${o.dir}: ${(err as Error).message}`, { cause: err });
  }
  // A finished download from an earlier run (e.g. restarted before unpacking): reuse if it still matches.
  if ((await sizeOf(final)) === o.size && (await hashFile(final)).digest('hex') === o.sha256) return { path: final, resumedFrom: o.size };
  await rm(final, { force: true });

  let offset = await sizeOf(part);
  if (offset > o.size) {
    await rm(part, { force: true });
    offset = 0;
  }
  const free = await (o.freeBytes ?? defaultFreeBytes)(o.dir);
  const needed = o.size - offset + Math.ceil(o.size * (o.headroomFactor ?? 3));
  if (free < needed) throw new UpdateError('disk_full', `need ${needed} bytes free in ${o.dir} for a ${o.size}-byte bundle, ${free} available`);

  // A server that stops sending without closing must not hold the updater forever.
  const stallMs = o.stallMs ?? 60_000;
  const stall = new AbortController();
  let stallTimer: NodeJS.Timeout | undefined;
  const alive = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort(new Error(`no data for ${stallMs} ms`)), stallMs).unref();
  };
  const signal = o.signal ? AbortSignal.any([o.signal, stall.signal]) : stall.signal;
  alive();
  try {
    return await transfer();
  } finally {
    clearTimeout(stallTimer);
  }

  async function transfer(): Promise<DownloadResult> {
    let res: Response;
    try {
      res = await doFetch(o.url, { headers: { ...o.headers, ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) }, signal });
    } catch (err) {
      throw new UpdateError('download_failed', `cannot fetch ${o.url}: ${(signal.reason as Error | undefined)?.message ?? (err as Error).message}`, { cause: err });
    }
    if (offset > 0 && res.status === 416) {
      // Our part file no longer matches what the server has: start again from zero.
      await res.body?.cancel().catch(() => {});
      await rm(part, { force: true });
      clearTimeout(stallTimer);
      return downloadBundle(o);
    }
    let resumedFrom = 0;
    if (res.status === 206 && offset > 0 && contentRangeStart(res.headers.get('content-range')) === offset) {
      resumedFrom = offset;
    } else if (res.status === 200) {
      offset = 0; // the server sent the whole file: restart the part cleanly
    } else {
      await res.body?.cancel().catch(() => {});
      throw new UpdateError('download_failed', `GET ${o.url} answered HTTP ${res.status}`);
    }
    const announced = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(announced) && offset + announced > o.size) {
      await res.body?.cancel().catch(() => {});
      throw new UpdateError('bundle_too_large', `server announces ${offset + announced} bytes, the signed manifest says ${o.size}`);
    }
    if (!res.body) throw new UpdateError('download_failed', `GET ${o.url} has no body`);

    const hash = offset > 0 ? await hashFile(part) : createHash('sha256');
    let fh;
    try {
      fh = await open(part, offset > 0 ? 'a' : 'w', 0o600);
    } catch (err) {
      throw new UpdateError(isDiskFull(err) ? 'disk_full' : 'download_failed', `cannot write ${part}: ${(err as Error).message}`, { cause: err });
    }
    let received = offset;
    try {
      for await (const chunk of Readable.fromWeb(res.body as WebReadableStream<Uint8Array>)) {
        const buf = chunk as Buffer;
        if (received + buf.length > o.size) {
          await fh.close();
          await rm(part, { force: true });
          throw new UpdateError('bundle_too_large', `bundle exceeds the signed size of ${o.size} bytes; download stopped`);
        }
        alive();
        hash.update(buf);
        await fh.write(buf);
        received += buf.length;
        o.onProgress?.(received);
      }
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => {});
      if (err instanceof UpdateError) throw err;
      if (isDiskFull(err)) {
        await rm(part, { force: true });
        throw new UpdateError('disk_full', `disk full while writing ${part}`, { cause: err });
      }
      // The part file stays: the next attempt resumes from `received`.
      const why = signal.aborted ? ((signal.reason as Error | undefined)?.message ?? 'aborted') : (err as Error).message;
      throw new UpdateError('download_failed', `download interrupted at ${received}/${o.size} bytes: ${why}`, { cause: err });
    }
    await fh.close();
    if (received < o.size) throw new UpdateError('download_failed', `download ended at ${received}/${o.size} bytes (will resume)`);
    const digest = hash.digest('hex');
    if (digest !== o.sha256) {
      await rm(part, { force: true });
      throw new UpdateError('bundle_hash_mismatch', `bundle sha256 ${digest} differs from the signed manifest's ${o.sha256}; deleted`);
    }
    await rename(part, final);
    return { path: final, resumedFrom };
  }
}

function contentRangeStart(h: string | null): number | null {
  const m = h ? /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(h.trim()) : null;
  return m ? Number(m[1]) : null;
}
