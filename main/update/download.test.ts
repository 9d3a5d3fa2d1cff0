import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadBundle } from './download';

const body = randomBytes(300_000);
const sha256 = createHash('sha256').update(body).digest('hex');

interface Mode {
  /** Cut the connection after this many bytes on the first request. */
  cutAt?: number;
  ignoreRange?: boolean;
  /** Serve these bytes instead (chunked, no length). */
  serve?: Buffer;
  status?: number;
  /** Send this many bytes, then nothing (connection left open). */
  stallAt?: number;
}
let server: Server;
let url: string;
let dir: string;
let mode: Mode;
const requests: { range: string | undefined; auth: string | undefined }[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vg-dl-'));
  mode = {};
  requests.length = 0;
  server = createServer((req, res) => {
    requests.push({ range: req.headers.range, auth: req.headers.authorization });
    if (mode.stallAt !== undefined && requests.length === 1) {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, mode.stallAt));
      return;
    }
    if (mode.status) {
      res.writeHead(mode.status);
      res.end();
      return;
    }
    if (mode.serve) {
      res.writeHead(200);
      res.end(mode.serve);
      return;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !mode.ignoreRange) {
      const start = Number(m[1]);
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': body.length });
    if (mode.cutAt !== undefined && requests.length === 1) {
      res.write(body.subarray(0, mode.cutAt), () => setTimeout(() => res.destroy(), 50));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/b.tar.gz`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const opts = (over = {}) => ({ url, dir, name: 'b.tar.gz', size: body.length, sha256, headers: { authorization: 'Kiosk k:s' }, ...over });

describe('downloadBundle', () => {
  it('streams the bundle to disk with its hash checked, sending the given credentials', async () => {
    const r = await downloadBundle(opts());
    expect(readFileSync(r.path).equals(body)).toBe(true);
    expect(r.resumedFrom).toBe(0);
    expect(existsSync(`${r.path}.part`)).toBe(false);
    expect(requests[0]).toEqual({ range: undefined, auth: 'Kiosk k:s' });
  });

  it('keeps the part file after an interruption and resumes it with a Range request', async () => {
    mode.cutAt = 100_000;
    const first = await downloadBundle(opts()).catch((e: { code: string; message: string }) => e);
    expect(first).toMatchObject({ code: 'download_failed' });
    const kept = statSync(join(dir, 'b.tar.gz.part')).size;
    expect(kept).toBeGreaterThan(0);
    const r = await downloadBundle(opts());
    expect(r.resumedFrom).toBe(kept);
    expect(requests[1]?.range).toBe(`bytes=${kept}-`);
    expect(readFileSync(r.path).equals(body)).toBe(true);
  });

  it('restarts cleanly when the server ignores the range', async () => {
    writeFileSync(join(dir, 'b.tar.gz.part'), body.subarray(0, 5000));
    mode.ignoreRange = true;
    const r = await downloadBundle(opts());
    expect(r.resumedFrom).toBe(0);
    expect(readFileSync(r.path).equals(body)).toBe(true);
  });

  it('a stale part file that does not match is caught by the hash, deleted, and the next attempt starts over', async () => {
    writeFileSync(join(dir, 'b.tar.gz.part'), randomBytes(5000));
    await expect(downloadBundle(opts())).rejects.toMatchObject({ code: 'bundle_hash_mismatch' });
    expect(existsSync(join(dir, 'b.tar.gz.part'))).toBe(false);
    expect(readFileSync((await downloadBundle(opts())).path).equals(body)).toBe(true);
  });

  it('refuses a tampered bundle (same size, other bytes): bundle_hash_mismatch, nothing kept', async () => {
    const tampered = Buffer.from(body);
    tampered[1234] = (tampered[1234] ?? 0) ^ 0xff;
    mode.serve = tampered;
    const err = await downloadBundle(opts()).catch((e: { code: string; message: string }) => e);
    expect(err).toMatchObject({ code: 'bundle_hash_mismatch' });
    expect((err as { message: string }).message).toMatch(/differs from the signed manifest/);
    expect(existsSync(join(dir, 'b.tar.gz'))).toBe(false);
    expect(existsSync(join(dir, 'b.tar.gz.part'))).toBe(false);
  });

  it('stops at the signed size: bundle_too_large, whether announced or streamed', async () => {
    await expect(downloadBundle(opts({ size: body.length - 1 }))).rejects.toMatchObject({ code: 'bundle_too_large', message: /announces/ });
    mode.serve = Buffer.concat([body, Buffer.alloc(10)]);
    await expect(downloadBundle(opts())).rejects.toMatchObject({ code: 'bundle_too_large', message: /exceeds the signed size/ });
    expect(existsSync(join(dir, 'b.tar.gz.part'))).toBe(false);
  });

  it('refuses to start without room for the bundle and its unpacked copy: disk_full', async () => {
    await expect(downloadBundle(opts({ freeBytes: async () => body.length * 2 }))).rejects.toMatchObject({ code: 'disk_full' });
    expect(requests).toHaveLength(0);
  });

  it('gives up on a server that stops sending without closing (part kept), and resumes next time', async () => {
    mode.stallAt = 50_000;
    const err = await downloadBundle(opts({ stallMs: 300 })).catch((e: { code: string; message: string }) => e);
    expect(err).toMatchObject({ code: 'download_failed', message: expect.stringMatching(/no data for 300 ms/) });
    const r = await downloadBundle(opts());
    expect(r.resumedFrom).toBeGreaterThan(0);
    expect(readFileSync(r.path).equals(body)).toBe(true);
  });

  it('a disk that fills up while writing (the kernel says ENOSPC): disk_full, nothing left behind', async () => {
    // /dev/full answers every write with ENOSPC: the part file is made to point at it.
    symlinkSync('/dev/full', join(dir, 'b.tar.gz.part'));
    const err = await downloadBundle(opts()).catch((e: { code: string; message: string }) => e);
    expect(err).toMatchObject({ code: 'disk_full', message: expect.stringMatching(/disk full while writing/) });
    expect(existsSync(join(dir, 'b.tar.gz.part'))).toBe(false);
  });

  it('reports an HTTP error or an unreachable server as download_failed', async () => {
    mode.status = 404;
    await expect(downloadBundle(opts())).rejects.toMatchObject({ code: 'download_failed', message: /HTTP 404/ });
    await expect(downloadBundle(opts({ url: 'http://127.0.0.1:9/b.tar.gz' }))).rejects.toMatchObject({ code: 'download_failed', message: /cannot fetch/ });
  });
});
