import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryProblem, unpackRelease } from './tar';
import { makeReleaseDir } from './testing';

let base: string;
let releases: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'vg-tar-'));
  releases = join(base, 'root', 'releases');
  mkdirSync(releases, { recursive: true });
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** GNU tar, as release engineering (or an attacker) would run it. */
const tar = (out: string, cwd: string, args: string[]) => execFileSync('tar', ['-czf', out, '-C', cwd, ...args]);

async function expectRefused(bundle: string, version: string, pattern: RegExp, maxBytes?: number) {
  const err = await unpackRelease({ bundle, releasesDir: releases, version, ...(maxBytes ? { maxBytes } : {}) }).then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  );
  expect(err?.code).toBe('unpack_failed');
  expect(err?.message).toMatch(pattern);
  // Nothing of the bad bundle stays: no release, no partial directory.
  expect(readdirSync(releases)).toEqual([]);
}

describe('unpackRelease', () => {
  it.each(['posix', 'gnu'])('unpacks a %s-format release: long names, links inside the release, executable bits, no setuid', async (format) => {
    const src = join(base, 'src');
    const deep = `node_modules/${'very-long-directory-name-'.repeat(6)}/lib/index.js`;
    await makeReleaseDir(src, '1.2.0', 'process.exit(0);\n', { [deep]: 'module.exports = 1;\n', 'node_modules/pkg/bin.js': '#!/usr/bin/env node\n' });
    execFileSync('chmod', ['4755', join(src, 'node_modules/pkg/bin.js')]);
    mkdirSync(join(src, 'node_modules/.bin'));
    symlinkSync('../pkg/bin.js', join(src, 'node_modules/.bin/pkg'));
    const bundle = join(base, 'b.tar.gz');
    tar(bundle, src, [`--format=${format}`, '.']);

    const dir = await unpackRelease({ bundle, releasesDir: releases, version: '1.2.0' });
    expect(dir).toBe(join(releases, '1.2.0'));
    expect(readdirSync(releases)).toEqual(['1.2.0']);
    expect(readFileSync(join(dir, deep), 'utf8')).toBe('module.exports = 1;\n');
    expect(readlinkSync(join(dir, 'node_modules/.bin/pkg'))).toBe('../pkg/bin.js');
    expect(statSync(join(dir, 'node_modules/pkg/bin.js')).mode & 0o7777).toBe(0o755);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({ version: '1.2.0' });
  });

  it('refuses a tar slip (../ entry) and writes nothing outside', async () => {
    const src = join(base, 'src');
    await makeReleaseDir(src, '1.2.0');
    writeFileSync(join(src, 'evil'), 'pwned');
    const bundle = join(base, 'slip.tar.gz');
    // -P keeps the name as transformed: the entry is literally "../../evil".
    tar(bundle, src, ['-P', '--transform=s,^evil$,../../evil,', 'package.json', 'dist', 'evil']);
    await expectRefused(bundle, '1.2.0', /escapes the release/);
    expect(existsSync(join(base, 'evil'))).toBe(false);
    expect(existsSync(join(base, 'root', 'evil'))).toBe(false);
  });

  it('refuses an absolute path', async () => {
    const src = join(base, 'src');
    await makeReleaseDir(src, '1.2.0');
    writeFileSync(join(src, 'abs'), 'x');
    const bundle = join(base, 'abs.tar.gz');
    tar(bundle, src, ['-P', `--transform=s,^abs$,${base}/abs-out,`, 'package.json', 'abs']);
    await expectRefused(bundle, '1.2.0', /absolute path/);
    expect(existsSync(join(base, 'abs-out'))).toBe(false);
  });

  it.each([
    ['a relative symlink out of the release', '../../outside', /points outside the release/],
    ['an absolute symlink', '/etc/passwd', /absolute/],
    ['a symlink with a lexical trick', 'dist/../../x', /not a normalised relative path/],
  ])('refuses %s', async (_what, target, pattern) => {
    const src = join(base, 'src');
    await makeReleaseDir(src, '1.2.0');
    symlinkSync(target, join(src, 'link'));
    const bundle = join(base, 'link.tar.gz');
    tar(bundle, src, ['.']);
    await expectRefused(bundle, '1.2.0', pattern);
  });

  it('refuses an entry written through a symlink the archive made', async () => {
    const src = join(base, 'src');
    await makeReleaseDir(src, '1.2.0', 'x', { 'd/f': 'x' });
    symlinkSync('d', join(src, 's'));
    const bundle = join(base, 'through.tar.gz');
    tar(bundle, src, ['--no-recursion', '-P', '--transform=s,^d/f$,s/f,', 'package.json', 'd', 's', 'd/f']);
    await expectRefused(bundle, '1.2.0', /goes through the archive's symlink "s"/);
  });

  it('refuses device and fifo entries', async () => {
    const src = join(base, 'src');
    await makeReleaseDir(src, '1.2.0');
    execFileSync('mkfifo', [join(src, 'pipe')]);
    const bundle = join(base, 'fifo.tar.gz');
    tar(bundle, src, ['.']);
    await expectRefused(bundle, '1.2.0', /tar type '6'/);
  });

  it("refuses a bundle whose package.json does not carry the manifest's version, or has none", async () => {
    const src = join(base, 'src');
    await makeReleaseDir(src, '1.1.9');
    const bundle = join(base, 'v.tar.gz');
    tar(bundle, src, ['.']);
    await expectRefused(bundle, '1.2.0', /says version 1\.1\.9, the signed manifest says 1\.2\.0/);
    rmSync(join(src, 'package.json'));
    tar(bundle, src, ['.']);
    await expectRefused(bundle, '1.2.0', /no readable package\.json/);
  });

  it('refuses a truncated bundle and a gzip bomb beyond maxBytes', async () => {
    const src = join(base, 'src');
    await makeReleaseDir(src, '1.2.0', 'x', { big: Buffer.alloc(1024 * 1024) });
    const bundle = join(base, 't.tar.gz');
    tar(bundle, src, ['.']);
    await expectRefused(bundle, '1.2.0', /unpacks to more than 65536 bytes/, 65536);
    truncateSync(bundle, statSync(bundle).size - 200);
    await expectRefused(bundle, '1.2.0', /cannot unpack|truncated|unexpected end/);
  });
});

describe('entryProblem', () => {
  const e = (path: string, typeflag = '0', linkpath = '') => ({ path, typeflag, mode: 0o644, size: 0, linkpath });
  it('accepts ordinary names and ./ prefixes, refuses names that are not normalised', () => {
    expect(entryProblem(e('./dist/a.js'), new Set())).toBeNull();
    expect(entryProblem(e('dist//a.js'), new Set())).toMatch(/not normalised/);
    expect(entryProblem(e('dist/./a.js'), new Set())).toMatch(/not normalised/);
    expect(entryProblem(e('a\0b'), new Set())).toMatch(/NUL/);
  });
  it('checks hard links stay inside', () => {
    expect(entryProblem(e('b', '1', 'dist/a.js'), new Set())).toBeNull();
    expect(entryProblem(e('b', '1', '../a'), new Set())).toMatch(/leaves the release/);
  });
});
