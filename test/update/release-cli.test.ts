// scripts/release.ts as release engineering uses it: keygen, pack, sign, verify (the CLI for real).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keygen, packRelease, sha256File, signManifestFile } from '../../scripts/release';
import { verifyManifest } from '../../main/update/verify';
import { makeReleaseDir } from '../../main/update/testing';

const repo = resolve(import.meta.dirname, '../..');
let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'vg-release-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts/release.ts'), ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });

describe('scripts/release.ts', () => {
  it('keygen writes a 0600 private key, never over an existing file, and returns the config-format public key', async () => {
    const pub = await keygen(join(dir, 'k.pem'));
    expect(Buffer.from(pub, 'base64')).toHaveLength(32);
    expect(statSync(join(dir, 'k.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'k.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    await expect(keygen(join(dir, 'k.pem'))).rejects.toThrow(/EEXIST/);
  });

  it('pack + sign give a manifest a booth accepts, naming the bundle beside it with its size and sha256', async () => {
    const pub = await keygen(join(dir, 'k.pem'));
    const src = await makeReleaseDir(join(dir, 'src'), '1.3.0-rc.1');
    const r = await packRelease(src, join(dir, 'out'), { version: '1.3.0-rc.1', notes: 'Accents: été' });
    const sig = await signManifestFile(r.manifestPath, join(dir, 'k.pem'));
    const v = verifyManifest(readFileSync(r.manifestPath, 'utf8'), readFileSync(`${r.manifestPath}.sig`, 'utf8'), [pub]);
    expect(v).toMatchObject({ ok: true, manifest: { version: '1.3.0-rc.1', runtime: 'browser-linux-x64', notes: 'Accents: été', bundle: { url: 'visioguichet-1.3.0-rc.1.tar.gz' } } });
    expect(await sha256File(r.bundle)).toEqual({ sha256: r.manifest.bundle.sha256, size: r.manifest.bundle.size });
    expect(sig).toMatch(/^[A-Za-z0-9+/]{86}==$/);
  });

  it("refuses to pack a directory whose package.json is not the version asked for", async () => {
    const src = await makeReleaseDir(join(dir, 'src'), '1.2.9');
    await expect(packRelease(src, join(dir, 'out'), { version: '1.3.0' })).rejects.toThrow(/says version 1\.2\.9, not 1\.3\.0/);
  });

  it('the verify command exits 0 on a good release and 1 on a tampered bundle or manifest', async () => {
    const pub = await keygen(join(dir, 'k.pem'));
    const src = await makeReleaseDir(join(dir, 'src'), '2.0.0');
    const r = await packRelease(src, join(dir, 'out'), { version: '2.0.0' });
    await signManifestFile(r.manifestPath, join(dir, 'k.pem'));
    const ok = cli('verify', r.manifestPath, '--pub', pub);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/signature valid .*version 2\.0\.0; bundle matches/);

    writeFileSync(r.bundle, Buffer.concat([readFileSync(r.bundle), Buffer.from('x')]));
    const badBundle = cli('verify', r.manifestPath, '--pub', pub);
    expect(badBundle.status).toBe(1);
    expect(badBundle.stdout).toMatch(/DOES NOT MATCH/);

    writeFileSync(r.manifestPath, readFileSync(r.manifestPath, 'utf8').replace('2.0.0', '2.0.1'));
    const badManifest = cli('verify', r.manifestPath, '--pub', pub);
    expect(badManifest.status).toBe(1);
    expect(badManifest.stderr).toMatch(/REFUSED \(signature_invalid\)/);
  });
});
