// The production entry run for real (the systemd unit's command line), with a stand-in Chromium
// that records how it was launched: the sandbox stays on, no fake devices, no debugging port, and
// the bridge token is neither in Chromium's argv nor in its environment.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../test/support/net';

const repo = resolve(import.meta.dirname, '../..');
const asRoot = process.getuid?.() === 0;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The unprivileged user the booth runs as (created when the suite runs as root, as in CI). */
function kioskUser(): { uid: number; gid: number } | undefined {
  if (!asRoot) return undefined;
  const id = () => {
    const u = spawnSync('id', ['-u', 'vgkiosk'], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', 'vgkiosk'], { encoding: 'utf8' });
    return u.status === 0 && g.status === 0 ? { uid: Number(u.stdout), gid: Number(g.stdout) } : undefined;
  };
  if (!id()) spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'vgkiosk']);
  const made = id();
  if (!made) throw new Error('cannot create the vgkiosk user');
  return made;
}


function kioskConfig(dir: string, port: number): string {
  const path = join(dir, 'kiosk.json');
  writeFileSync(
    path,
    JSON.stringify({ hubUrl: 'ws://127.0.0.1:9/ws', kioskId: 'entry-test', kioskSecret: 's'.repeat(24), dataDir: join(dir, 'data'), runtimePort: port, public: { simulation: true } }),
  );
  return path;
}

function runEntry(env: Record<string, string>, user?: { uid: number; gid: number }): { proc: ChildProcess; output: () => string } {
  const node = [process.execPath, '--import', 'tsx', 'main/runtime/entry.ts'];
  const cmd = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', ...node] : node;
  const proc = spawn(cmd[0]!, cmd.slice(1), { cwd: repo, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, output: () => out };
}

const exited = (proc: ChildProcess) => new Promise<number | null>((r) => (proc.exitCode !== null ? r(proc.exitCode) : proc.once('exit', (code) => r(code))));

describe('browser-runtime entry: the production launch', () => {
  it('launches Chromium sandboxed, with real devices, no debugging port and no token on its command line or in its environment', async () => {
    const user = kioskUser();
    const dir = mkdtempSync(join(tmpdir(), 'vg-entry-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    if (user) chownSync(dir, user.uid, user.gid);
    const record = join(dir, 'chromium');
    // The stand-in Chromium: writes its argv (one per line) and environment, then stays up like a browser.
    const wrapper = join(dir, 'chromium.sh');
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}.argv.tmp' && mv '${record}.argv.tmp' '${record}.argv'\nenv > '${record}.env'\nexec sleep 600\n`);
    chmodSync(wrapper, 0o755);
    const port = await freePort();
    const config = kioskConfig(dir, port);
    if (user) chownSync(config, user.uid, user.gid);

    const { proc, output } = runEntry({ VG_KIOSK_CONFIG: config, VG_CHROMIUM: wrapper, HOME: dir, VG_RENDERER_DIR: join(repo, 'dist/renderer') }, user);
    cleanups.push(async () => {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await exited(proc);
      }
    });
    await vi.waitFor(() => expect(existsSync(`${record}.argv`), output()).toBe(true), { timeout: 60_000, interval: 100 });
    const argv = readFileSync(`${record}.argv`, 'utf8').trim().split('\n');
    const env = readFileSync(`${record}.env`, 'utf8');

    // The page's URL, token included, is in the profile (readable by the kiosk user only).
    const profile = join(dir, 'data', 'chromium-profile');
    const startUrl = (JSON.parse(readFileSync(join(profile, 'Default', 'Preferences'), 'utf8')) as { session: { startup_urls: string[] } }).session.startup_urls[0]!;
    expect(startUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#token=[A-Za-z0-9_-]{40,}$`));
    const token = startUrl.split('#token=')[1]!;

    expect(argv).toContain('--kiosk');
    expect(argv).toContain(`--user-data-dir=${profile}`);
    for (const a of argv) {
      expect(a).not.toBe('--no-sandbox');
      expect(a).not.toMatch(/^--use-fake-(ui|device)-for-media-stream/);
      expect(a).not.toMatch(/^--disable-web-security/);
      // Main holds a DevTools pipe (fds 3/4, to reset pinch zoom); a debugging port or address would be reachable by others.
      expect(a).not.toMatch(/^--remote-debugging-(port|address)/);
      expect(a).not.toMatch(/^--disable-setuid-sandbox|^--disable-seccomp/);
      expect(a).not.toContain(token);
    }
    expect(env).not.toContain(token);
    // Neither the entry itself: its own command line and environment are the unit's.
    expect(readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8')).not.toContain(token);
    const modeOf = (p: string) => spawnSync('stat', ['-c', '%a', p], { encoding: 'utf8' }).stdout.trim();
    expect(modeOf(profile)).toBe('700');
    expect(output()).toContain('kiosk running (browser runtime)');
    expect(output()).not.toContain(token);

    proc.kill('SIGTERM');
    expect(await exited(proc)).toBe(0);
  }, 90_000);

  it.runIf(asRoot)('refuses to run as root: exit 78 with a French and English line, before any Chromium', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-entry-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = kioskConfig(dir, await freePort());
    const { proc, output } = runEntry({ VG_KIOSK_CONFIG: config, VG_CHROMIUM: '/bin/false', HOME: dir });
    expect(await exited(proc)).toBe(78);
    expect(output()).toContain('Le kiosque refuse de tourner en root');
    expect(output()).toContain('The kiosk refuses to run as root');
    expect(existsSync(join(dir, 'data', 'chromium-profile'))).toBe(false);
  }, 60_000);
});
