// The stable launcher run for real (sh + Node), as systemd would: a temp install root with two
// tiny releases, one that cannot start and one that runs.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readState, writeState } from './layout';
import { makeInstall, makeReleaseDir } from './testing';

const launcher = resolve(import.meta.dirname, '../../build/bin/visioguichet-kiosk');
let root: string;
let stateDir: string;
const layout = () => ({ root, stateDir });

beforeEach(() => {
  const base = mkdtempSync(join(tmpdir(), 'vg-launch-'));
  root = join(base, 'opt');
  stateDir = join(base, 'var', 'update');
});
afterEach(() => rmSync(join(root, '..'), { recursive: true, force: true }));

/** One start, as systemd's ExecStart would do it. */
function start() {
  const r = spawnSync('sh', [launcher], {
    env: { PATH: process.env.PATH, VG_ROOT: root, VG_UPDATE_STATE_DIR: stateDir, VG_NODE: process.execPath },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const runs = (v: string) => `console.log('running ${v} as ' + process.env.VG_APP_VERSION);\n`;

async function installPendingSwitch(to: { version: string; entry: string }, deadline = Date.now() + 600_000) {
  await makeInstall(root, '1.0.0', runs('1.0.0'));
  await makeReleaseDir(join(root, 'releases', to.version), to.version, to.entry);
  rmSync(join(root, 'current'));
  symlinkSync(join('releases', to.version), join(root, 'current'));
  await writeState(layout(), { schema: 1, pending: { from: '1.0.0', to: to.version, deadline, starts: 0 }, last: null, rejected: [] });
}

describe('build/bin/visioguichet-kiosk', () => {
  it('rolls a crash-looping release back after K starts (crashed_on_start), then runs the previous one', async () => {
    await installPendingSwitch({ version: '1.1.0', entry: 'process.exit(1);\n' });
    const results: { code: number | null; out: string; err: string }[] = [];
    // systemd restarts the unit after each exit; bounded like StartLimitBurst.
    for (let i = 0; i < 6 && results.at(-1)?.code !== 0; i++) results.push(start());
    expect(results.map((r) => r.code)).toEqual([1, 1, 1, 0]);
    expect(results[3]!.out).toBe('running 1.0.0 as 1.0.0\n');
    expect(results[3]!.err).toMatch(/update rolled back by the launcher.*"code":"crashed_on_start"/);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/1.0.0');
    const s = await readState(layout());
    expect(s.pending).toBeNull();
    expect(s.last).toMatchObject({ current: '1.0.0', target: '1.1.0', state: 'rolled_back', error: { code: 'crashed_on_start' } });
    expect(s.rejected).toEqual(['1.1.0']);
  });

  it('rolls back at once when the probation deadline has passed (health_timeout)', async () => {
    await installPendingSwitch({ version: '1.1.0', entry: runs('1.1.0') }, Date.now() - 1);
    const r = start();
    expect(r).toMatchObject({ code: 0, out: 'running 1.0.0 as 1.0.0\n' });
    expect((await readState(layout())).last).toMatchObject({ state: 'rolled_back', error: { code: 'health_timeout' } });
  });

  it('starts a release on probation and counts its start; a release that cannot even load counts as a crash', async () => {
    await installPendingSwitch({ version: '1.1.0', entry: runs('1.1.0') });
    expect(start()).toMatchObject({ code: 0, out: 'running 1.1.0 as 1.1.0\n' });
    expect((await readState(layout())).pending).toMatchObject({ to: '1.1.0', starts: 1 });

    rmSync(join(root, 'releases', '1.1.0', 'dist'), { recursive: true });
    const codes = [start().code, start().code];
    expect(codes.every((c) => c !== 0)).toBe(true);
    expect(start()).toMatchObject({ code: 0, out: 'running 1.0.0 as 1.0.0\n' });
  });

  it('runs the current release untouched when nothing is pending, and clears a stale pending', async () => {
    await makeInstall(root, '1.0.0', runs('1.0.0'));
    expect(start()).toMatchObject({ code: 0, out: 'running 1.0.0 as 1.0.0\n' });
    await writeState(layout(), { schema: 1, pending: { from: '0.9.0', to: '1.1.0', deadline: 0, starts: 0 }, last: null, rejected: [] });
    const r = start();
    expect(r).toMatchObject({ code: 0, out: 'running 1.0.0 as 1.0.0\n' });
    expect(r.err).toMatch(/stale pending update cleared/);
    expect((await readState(layout())).pending).toBeNull();
  });

  it('as installed: paths from its own location, Node from <root>/node, only a service manager\'s minimal environment', async () => {
    await makeInstall(root, '1.0.0', runs('1.0.0'));
    mkdirSync(join(root, 'bin'), { recursive: true });
    for (const f of ['visioguichet-kiosk', 'visioguichet-launcher.mjs']) copyFileSync(join(launcher, '..', f), join(root, 'bin', f));
    chmodSync(join(root, 'bin', 'visioguichet-kiosk'), 0o755);
    mkdirSync(join(root, 'node', 'bin'), { recursive: true });
    symlinkSync(process.execPath, join(root, 'node', 'bin', 'node'));
    // No VG_ROOT, no VG_NODE: only the state dir differs from production (/var/lib/visioguichet/update).
    const r = spawnSync(join(root, 'bin', 'visioguichet-kiosk'), [], { env: { PATH: '/usr/bin:/bin', VG_UPDATE_STATE_DIR: stateDir }, encoding: 'utf8', timeout: 15_000 });
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ status: 0, stdout: 'running 1.0.0 as 1.0.0\n' });
  });

  it('exits 1 with a clear line when there is no current release', () => {
    const r = start();
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no release to start: the current link is missing/);
  });
});
