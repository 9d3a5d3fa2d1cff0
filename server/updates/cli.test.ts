import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import { createHub, createKiosk } from '../hub';
import { updatesPlugin } from './plugin';
import { makeKeys, makeRelease, type TestRelease } from './testing';

const run = promisify(execFile);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const keys = makeKeys();

function workdir() {
  const d = mkdtempSync(join(tmpdir(), 'vg-updates-cli-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return { dir: d, db: join(d, 'hub.sqlite'), releasesDir: join(d, 'releases') };
}

/** Writes a release's three files the way release engineering hands them over. */
function files(dir: string, rel: TestRelease, manifestText = rel.manifest) {
  const m = join(dir, `manifest-${rel.version}.json`);
  writeFileSync(m, manifestText);
  writeFileSync(`${m}.sig`, `${rel.signature}\n`);
  const b = join(dir, `visioguichet-${rel.version}.tar.gz`);
  writeFileSync(b, rel.bundle);
  return [m, `${m}.sig`, b] as const;
}

describe('hub CLI: releases and rollouts', () => {
  it('release add from the real command line verifies the signature; a hub on that database then rolls it out', async () => {
    const w = workdir();
    const tsx = resolve('node_modules/tsx/dist/cli.mjs');
    const env = { ...process.env, VG_HUB_CONFIG: '' };
    const cli = (...args: string[]) => run(process.execPath, [tsx, 'server/cli.ts', '--db', w.db, '--keys', keys.publicKey, '--releases-dir', w.releasesDir, ...args], { env });
    const rel = makeRelease(keys, '1.1.0');
    const { stdout } = await cli('release', 'add', ...files(w.dir, rel));
    expect(stdout).toMatch(/release 1\.1\.0 \(browser-linux-x64, 4096 bytes, sha256 [0-9a-f]{64}\) signed by key [0-9a-f]{16}: stored/);

    // Tampered after signing: refused, exit 2, nothing stored.
    const bad = makeRelease(keys, '1.2.0');
    const err = await cli('release', 'add', ...files(w.dir, bad, bad.manifest.replace('1.2.0', '1.2.1'))).then(() => null, (e: { code: number; stderr: string }) => e);
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/signature matches none of the 1 configured update key/);
    expect(readdirSync(w.releasesDir)).toEqual(['1.1.0']);

    const out: string[] = [];
    const envDb = { VG_HUB_DB: w.db };
    const store = await createHub({ dbPath: w.db, plugins: [updatesPlugin({ keys: [keys.publicKey], releasesDir: w.releasesDir })] });
    cleanups.push(() => store.close());
    const { secret } = await createKiosk(store.db, { kioskId: 'qc-01', name: 'K1', office: 'Québec' });
    expect(await runCli(['rollout', 'start', '1.1.0', '--pilot', 'qc-01', '--as', 'ops'], envDb, (l) => out.push(l))).toBe(0);
    expect(out[0]).toBe('rollout of 1.1.0 started: pilot stage (rollback returns to nothing: no previous version)');
    const res = await fetch(`${store.url}/api/kiosk/update`, { headers: { authorization: `Kiosk qc-01:${secret}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { manifest: string }).manifest).toBe(rel.manifest);
  });

  it('drives a rollout: start, advance, pause, resume, rollback, status; set-admin; errors carry stable codes', async () => {
    const w = workdir();
    const env = { VG_HUB_DB: w.db };
    const out: string[] = [];
    const cli = (...args: string[]) => runCli([...args, '--keys', keys.publicKey, '--releases-dir', w.releasesDir, '--as', 'ops'], env, (l) => out.push(l));
    // Accounts first (a hub database with agents and kiosks).
    expect(await runCli(['create-agent', 'luc', 'Luc', '--password', 'correct-horse'], env, () => {})).toBe(0);
    for (const k of ['qc-01', 'qc-02', 'qc-03']) expect(await runCli(['create-kiosk', k, k, 'Québec'], env, () => {})).toBe(0);
    const first = makeRelease(keys, '1.0.0');
    expect(await cli('release', 'add', ...files(w.dir, first))).toBe(0);
    expect(await cli('release', 'add', ...files(w.dir, makeRelease(keys, '1.1.0')))).toBe(0);
    // The same files again: a no-op, not an error; other contents under the same version: refused.
    expect(await cli('release', 'add', ...files(w.dir, first))).toBe(0);
    await expect(cli('release', 'add', ...files(w.dir, makeRelease(keys, '1.0.0')))).rejects.toMatchObject({ code: 'release_exists' });
    expect(existsSync(join(w.releasesDir, '1.0.0', 'visioguichet-1.0.0.tar.gz'))).toBe(true);

    await expect(cli('rollout', 'start', '1.1.0')).rejects.toMatchObject({ code: 'no_pilots' });
    await expect(cli('rollout', 'start', '1.1.0', '--pilot', 'qc-01', '--percent', 'ten')).rejects.toMatchObject({ code: 'cli_usage' });
    out.length = 0;
    expect(await cli('rollout', 'start', '1.1.0', '--pilot', 'qc-01,qc-02', '--previous', '1.0.0', '--percent', '34')).toBe(0);
    expect(out.join('\n')).toMatch(/rollout #1: 1\.1\.0 stage=pilot previous=1\.0\.0 auto-pause-after=1\n {2}pilots: qc-01,qc-02; in ring 2\/3, offered 0, on 1\.1\.0: 0/);
    expect(await cli('rollout', 'pause', '--reason', 'écran noir au guichet 2')).toBe(0);
    await expect(cli('rollout', 'advance')).rejects.toMatchObject({ code: 'rollout_paused' });
    expect(await cli('rollout', 'resume')).toBe(0);
    out.length = 0;
    expect(await cli('rollout', 'advance')).toBe(0);
    expect(out[0]).toBe('rollout of 1.1.0: 34 % stage');
    out.length = 0;
    expect(await cli('rollout', 'rollback')).toBe(0);
    expect(out[0]).toBe('rollout of 1.1.0 rolled back: booths that took it are offered 1.0.0');
    out.length = 0;
    expect(await cli('rollout', 'status')).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/stage=rolled_back/);
    expect(text).toMatch(/cli:ops rollout\.pause \{"reason":"écran noir au guichet 2"\}/);
    expect(text).toMatch(/booths: 3; versions: unknown=3/);
    expect(text).toMatch(/releases: 1\.0\.0, 1\.1\.0/);
    await expect(cli('rollout', 'explode')).rejects.toMatchObject({ code: 'cli_usage' });
    // The rolled-back rollout still returns to 1.0.0: its bundle stays; 1.1.0's can go.
    await expect(cli('release', 'remove', '1.0.0')).rejects.toMatchObject({ code: 'release_in_use' });
    expect(await cli('release', 'remove', '1.1.0')).toBe(0);
    expect(existsSync(join(w.releasesDir, '1.1.0', 'visioguichet-1.1.0.tar.gz'))).toBe(false);
    await expect(cli('release', 'remove', '1.1.0')).rejects.toMatchObject({ code: 'bundle_missing' });

    expect(await cli('set-admin', 'luc', 'on')).toBe(0);
    await expect(cli('set-admin', 'nobody', 'on')).rejects.toMatchObject({ code: 'cli_usage' });
    // The flag works against a hub on that database.
    const hub = await createHub({ dbPath: w.db, plugins: [updatesPlugin({ keys: [keys.publicKey], releasesDir: w.releasesDir })] });
    cleanups.push(() => hub.close());
    const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'luc', password: 'correct-horse' }) });
    const token = ((await login.json()) as { token: string }).token;
    expect((await fetch(`${hub.url}/api/admin/updates/status`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await cli('set-admin', 'luc', 'off')).toBe(0);
    expect((await fetch(`${hub.url}/api/admin/updates/status`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
  });
});
