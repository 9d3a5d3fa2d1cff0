// The booth's .deb (browser runtime) built by the suite and installed with apt into a clean Debian 12
// minbase chroot: post-install creates the kiosk account, state and configuration
// directories; the udev rules, units, Chromium policy, launcher and `current` link land where the
// update contract says; the service started the way systemd would (its unit's ExecStart, User or
// user-unit owner, Environment) registers with a real hub on the host's loopback (the chroot shares
// the network namespace); apt-get remove/purge clean up. Runs as root (debootstrap, mount, chroot).
// Slow: a fresh machine builds the base chroot (~3 min) and downloads Chromium's dependencies
// (~200 MB); reruns reuse .tools/chroot/ (base tarball + apt archives).
import { mkdtempSync, readFileSync, rmSync, statSync, copyFileSync, lstatSync, readlinkSync, existsSync, writeFileSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KioskListResponse } from '../../common/protocol';
import { createAgent, createHub, createKiosk, type Hub } from '../../server/hub';
import { ingestPlugin } from '../../server/ingest/plugin';
import { packageDeb, sessionFiles, type BuiltDeb } from '../../scripts/package-deb';
import { boothPolicyJson, kioskOrigin } from '../../main/runtime/policy';
import { startXvfb } from '../support/production-chromium';
import { openChroot, repoRoot, type ChrootHandle, type StartedProcess } from '../support/chroot';
import { freePort } from '../support/net';

const KIOSK = 'visioguichet';
const log = (line: string) => process.stderr.write(`[deb-install] ${line}\n`);

interface Unit {
  path: string;
  kind: 'system' | 'user';
  execStart: string[];
  user: string | undefined;
  environment: Record<string, string>;
  workingDirectory: string | undefined;
}

/** systemd's word splitting for ExecStart/Environment (double and single quotes, no escapes needed here). */
function splitWords(s: string): string[] {
  const words: string[] = [];
  for (const m of s.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** The [Service] keys a test needs, with %h/%u/%U resolved the way systemd does for the unit's user. */
function parseUnit(text: string, path: string, kind: 'system' | 'user', home: (user: string) => string): Unit {
  const service = /^\[Service\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text)?.[1] ?? '';
  const values = (key: string) => [...service.matchAll(new RegExp(`^\\s*${key}\\s*=\\s*(.*)$`, 'gm'))].map((m) => m[1]!.trim());
  const user = values('User').at(-1) ?? (kind === 'user' ? KIOSK : undefined);
  const spec = (s: string) => s.replace(/%h/g, user ? home(user) : '/root').replace(/%u/g, user ?? 'root');
  const environment: Record<string, string> = {};
  for (const line of values('Environment')) {
    for (const w of splitWords(line)) {
      const i = w.indexOf('=');
      if (i > 0) environment[w.slice(0, i)] = spec(w.slice(i + 1));
    }
  }
  const exec = values('ExecStart').at(-1);
  if (!exec) throw new Error(`${path}: no ExecStart`);
  // Prefixes (-, @, +, !, :) change how systemd treats the command, not what runs.
  const execStart = splitWords(exec.replace(/^[-@+!:]+/, '')).map(spec);
  const wd = values('WorkingDirectory').at(-1);
  return { path, kind, execStart, user, environment, workingDirectory: wd ? spec(wd.replace(/^-/, '')) : undefined };
}

const mode = (p: string) => statSync(p).mode & 0o7777;


describe('visioguichet-kiosk .deb in a clean Debian 12 chroot', () => {
  let work: string;
  let deb: BuiltDeb;
  let chroot: ChrootHandle | undefined;
  let hub: Hub | undefined;
  let kiosk: StartedProcess | undefined;
  let uid = -1;
  let gid = -1;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      timings[name] = Math.round((Date.now() - t0) / 100) / 10;
      log(`${name}: ${timings[name]} s`);
    }
  };

  /** build/ files as they were when the package was built (others may edit the shared tree meanwhile). */
  const sources = new Map<string, Buffer>();
  const source = (p: string) => sources.get(p) ?? readFileSync(join(repoRoot, p));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'vg-deb-'));
    for (const p of ['build/bin/visioguichet-kiosk', 'build/udev/70-visioguichet.rules', 'build/chromium/policies/managed/visioguichet.json', 'build/systemd/visioguichet.service']) {
      sources.set(p, readFileSync(join(repoRoot, p)));
    }
    for (const f of sessionFiles()) sources.set(f.from, readFileSync(f.from));
    // Side by side: the chroot (network-bound debootstrap on a fresh machine) and the package (CPU).
    // Uncompressed: the suite checks the package's content, not its size (a release build uses xz -6).
    const opening = timed('chroot ready', () => openChroot({ aptArchives: join(repoRoot, '.tools/chroot/apt-archives'), log }));
    const building = timed('build release + .deb', () => packageDeb({ outDir: join(work, 'deb'), releaseOutDir: join(work, 'release'), compression: 'none', log }));
    const [opened, built] = await Promise.allSettled([opening, building]);
    if (opened.status === 'fulfilled') chroot = opened.value;
    if (opened.status === 'rejected') throw opened.reason;
    if (built.status === 'rejected') throw built.reason;
    deb = built.value;
    copyFileSync(deb.path, chroot!.path('tmp/visioguichet-kiosk.deb'));
    await timed('apt-get update', () => chroot!.exec(['apt-get', 'update', '-q'], { timeoutMs: 5 * 60_000 }));
    // Recommends are the appliance session (X server, openbox…): not needed to prove the service runs.
    await timed('apt-get install', () =>
      chroot!.exec(['apt-get', 'install', '-y', '-q', '--no-install-recommends', '/tmp/visioguichet-kiosk.deb'], { timeoutMs: 20 * 60_000 }),
    );
    const passwd = readFileSync(chroot!.path('etc/passwd'), 'utf8');
    const entry = passwd.split('\n').find((l) => l.startsWith(`${KIOSK}:`))?.split(':');
    if (entry) {
      uid = Number(entry[2]);
      gid = Number(entry[3]);
    }
  }, 45 * 60_000);

  afterAll(async () => {
    if (kiosk && kiosk.child.exitCode === null) kiosk.child.kill('SIGKILL');
    if (kiosk) await kiosk.exited;
    await hub?.close().catch(() => {});
    await chroot?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
    log(`timings (s): ${JSON.stringify(timings)}`);
  }, 5 * 60_000);

  it('installs with its dependencies from the mirror (Chromium included)', async () => {
    const r = await chroot!.exec(['dpkg-query', '-W', '-f', '${Package}\\t${Status}\\t${Version}\\n', 'visioguichet-kiosk', 'chromium', 'libusb-1.0-0', 'libudev1']);
    const status = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('\t')).map(([p, st, v]) => [p, `${st} ${v}`]));
    expect(Object.keys(status).sort()).toEqual(['chromium', 'libudev1', 'libusb-1.0-0', 'visioguichet-kiosk']);
    for (const v of Object.values(status)) expect(v).toMatch(/^install ok installed \S+$/);
    expect(status['visioguichet-kiosk']).toBe(`install ok installed ${deb.version.replace('-', '~')}`);
  });

  it('post-install created the kiosk account, its group and directories with the right owners and modes', async () => {
    const pw = (await chroot!.exec(['getent', 'passwd', KIOSK])).stdout.trim().split(':');
    expect(pw[5]).toBe('/var/lib/visioguichet');
    expect(Number(pw[2])).toBeLessThan(1000); // a system account
    expect((await chroot!.exec(['getent', 'group', KIOSK])).stdout).toMatch(/^visioguichet:/);
    const groups = (await chroot!.exec(['id', '-nG', KIOSK])).stdout.trim().split(/\s+/);
    expect(groups).toEqual(expect.arrayContaining([KIOSK, 'video', 'audio', 'plugdev']));
    // No password: locked ('!' or '*'), so nobody logs in as the kiosk with one.
    const shadow = readFileSync(chroot!.path('etc/shadow'), 'utf8').split('\n').find((l) => l.startsWith(`${KIOSK}:`))!;
    expect(shadow.split(':')[1]).toMatch(/^[!*]/);

    for (const [p, m, u, g] of [
      ['var/lib/visioguichet', 0o750, uid, gid],
      ['var/lib/visioguichet/update', 0o750, uid, gid],
      ['etc/visioguichet', 0o750, 0, gid],
      ['opt/visioguichet', 0o1775, 0, gid],
      ['opt/visioguichet/releases', 0o1775, 0, gid],
    ] as const) {
      const st = statSync(chroot!.path(p));
      expect({ p, mode: mode(chroot!.path(p)).toString(8), uid: st.uid, gid: st.gid }).toEqual({ p, mode: m.toString(8), uid: u, gid: g });
    }
  });

  it('ships the release, Node 22, the launcher, units, udev rules and the Chromium policy where the contract says', async () => {
    const current = chroot!.path('opt/visioguichet/current');
    expect(lstatSync(current).isSymbolicLink()).toBe(true);
    expect(readlinkSync(current)).toBe(`releases/${deb.version}`);
    expect(lstatSync(current).uid).toBe(uid); // the updater (kiosk user) may rename a new link over it
    const rel = JSON.parse(readFileSync(join(current, 'package.json'), 'utf8')) as { version: string };
    expect(rel.version).toBe(deb.version);
    for (const p of ['dist/runtime/entry.mjs', 'dist/renderer/kiosk/index.html', 'node_modules/better-sqlite3/prebuilds/linux-x64.node']) {
      expect(existsSync(join(current, p)), p).toBe(true);
    }
    expect(existsSync(join(current, 'dist/renderer/agent')), 'the agent console belongs to the hub').toBe(false);
    expect((await chroot!.exec(['/opt/visioguichet/node/bin/node', '-p', 'process.versions.node'])).stdout).toMatch(/^22\./);

    const launcher = chroot!.path('opt/visioguichet/bin/visioguichet-kiosk');
    expect(mode(launcher)).toBe(0o755);
    expect(statSync(launcher).uid).toBe(0);
    expect(readFileSync(launcher)).toEqual(source('build/bin/visioguichet-kiosk'));

    expect(readFileSync(chroot!.path('usr/lib/udev/rules.d/70-visioguichet.rules'), 'utf8')).toBe(source('build/udev/70-visioguichet.rules').toString('utf8'));
    const policy = chroot!.path('etc/chromium/policies/managed/visioguichet.json');
    expect(readFileSync(policy, 'utf8')).toBe(source('build/chromium/policies/managed/visioguichet.json').toString('utf8'));
    expect(mode(policy)).toBe(0o644);
    const unit = ['usr/lib/systemd/user', 'usr/lib/systemd/system'].map((d) => chroot!.path(`${d}/visioguichet.service`)).filter((p) => existsSync(p));
    expect(unit).toHaveLength(1);
    expect(readFileSync(unit[0]!, 'utf8')).toBe(source('build/systemd/visioguichet.service').toString('utf8'));
    // The Electron unit belongs to the Electron package.
    expect(existsSync(chroot!.path('usr/lib/systemd/user/visioguichet-electron.service'))).toBe(false);

    // The appliance session: every file of build/session at its install.json target, same bytes and mode.
    for (const f of sessionFiles()) {
      const installed = chroot!.path(f.to);
      expect(existsSync(installed), f.to).toBe(true);
      expect({ f: f.to, mode: mode(installed).toString(8), same: readFileSync(installed).equals(source(f.from)) }).toEqual({ f: f.to, mode: f.mode.toString(8), same: true });
    }
    // Directories above files dpkg put in the kiosk's home stay writable by the kiosk.
    for (const d of ['var/lib/visioguichet/.local', 'var/lib/visioguichet/.local/share']) {
      if (existsSync(chroot!.path(d))) expect(statSync(chroot!.path(d)).uid, d).toBe(uid);
    }
  });

  /** The installed unit, parsed; a hub on the host's loopback with this booth registered; helpers to run and stop it. */
  let unit: Unit;
  let login: { token: string };
  let kioskSecret = '';
  const home = (u: string) => (u === KIOSK ? '/var/lib/visioguichet' : `/home/${u}`);
  const kioskListing = async () => {
    const res = await fetch(`${hub!.url}/api/kiosks`, { headers: { authorization: `Bearer ${login.token}` } });
    return KioskListResponse.parse(await res.json()).kiosks.find((x) => x.kioskId === 'qc-deb-01');
  };
  const writeConfig = (extra: Record<string, unknown>) => {
    const configPath = chroot!.path(unit.environment.VG_KIOSK_CONFIG ?? '/etc/visioguichet/kiosk.json');
    const config = { hubUrl: hub!.wsUrl, kioskId: 'qc-deb-01', kioskSecret, dataDir: '/var/lib/visioguichet/data', public: { kioskName: 'Kiosque chroot', simulation: false }, ...extra };
    writeFileSync(configPath, JSON.stringify(config), { mode: 0o640 });
    chownSync(configPath, 0, gid);
  };
  /** Runs the unit's ExecStart as systemd would: its user, its Environment= (plus `env`), its WorkingDirectory. */
  const startService = (env: Record<string, string>) =>
    chroot!.start(unit.execStart, {
      user: unit.user!,
      env: { HOME: home(unit.user!), USER: unit.user!, LOGNAME: unit.user!, ...unit.environment, ...env },
      ...(unit.workingDirectory ? { cwd: unit.workingDirectory } : {}),
    });
  const waitForHub = async (pred: (k: Awaited<ReturnType<typeof kioskListing>>) => void, timeout: number) => {
    try {
      await vi.waitFor(
        async () => {
          if (kiosk!.child.exitCode !== null) throw new Error(`the kiosk exited (${kiosk!.child.exitCode})`);
          pred(await kioskListing());
        },
        { timeout, interval: 250 },
      );
    } catch (err) {
      throw new Error(`${String(err)}\nkiosk output:\n${kiosk!.output().slice(-6000)}`);
    }
  };
  /** systemd stops it with SIGTERM (KillSignal) and waits TimeoutStopSec=15: it must exit cleanly, leaving nothing behind. */
  const stopService = async () => {
    kiosk!.child.kill('SIGTERM');
    const exit = await Promise.race([kiosk!.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(exit, kiosk!.output().slice(-3000)).toEqual({ code: 0, signal: null });
    await vi.waitFor(() => expect(chroot!.processes()).toEqual([]), { timeout: 10_000, interval: 200 });
  };

  it('the service, started as systemd would (its ExecStart, user and Environment), registers with a real hub', async () => {
    const unitPath = ['usr/lib/systemd/system', 'usr/lib/systemd/user'].find((d) => existsSync(chroot!.path(`${d}/visioguichet.service`)))!;
    const kind = unitPath.endsWith('user') ? 'user' : 'system';
    unit = parseUnit(readFileSync(chroot!.path(`${unitPath}/visioguichet.service`), 'utf8'), unitPath, kind, home);
    expect(unit.user).toBe(KIOSK);
    expect(unit.execStart[0]).toBe('/opt/visioguichet/bin/visioguichet-kiosk');

    hub = await createHub({ dbPath: join(work, 'hub.sqlite'), port: 0, logger: false, plugins: [ingestPlugin()] });
    const { password } = await createAgent(hub.db, { username: 'tech', displayName: 'Tech' });
    kioskSecret = (await createKiosk(hub.db, { kioskId: 'qc-deb-01', name: 'Kiosque chroot', office: 'Bureau de test' })).secret;
    login = (await (await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tech', password }) })).json()) as { token: string };
    // runtimePort 0: other suites may hold the production port 47100 on this shared loopback.
    writeConfig({ runtimePort: 0 });

    // VG_NO_OPEN=1 (documented): the services without a window.
    kiosk = startService({ VG_NO_OPEN: '1' });
    await waitForHub((k) => expect(k).toMatchObject({ online: true, version: deb.version, health: { hubLink: 'online', appVersion: deb.version } }), 60_000);
    // The outbox database belongs to the kiosk user (it ran unprivileged).
    expect(statSync(chroot!.path('var/lib/visioguichet/data')).uid).toBe(uid);
    await stopService();
  }, 180_000);

  it('with a display, the installed Chromium (its sandbox, the booth policy) opens the kiosk page, which reports to the hub', async () => {
    // Xvfb on the host; the chroot reaches it through the X socket directory, and Chromium needs /dev/shm.
    const x = await startXvfb();
    try {
      await chroot!.bind('/tmp/.X11-unix', 'tmp/.X11-unix');
      await chroot!.bind('/dev/shm', 'dev/shm');
      // The policy allows only the kiosk origin. A free port here (47100 may be taken by another
      // suite), so do what a site does for its own port and hub: edit kiosk.json, then regenerate
      // the policy with the tool the release ships, as root.
      const port = await freePort();
      writeConfig({ runtimePort: port, healthIntervalMs: 1000 });
      await chroot!.exec(['/opt/visioguichet/node/bin/node', '/opt/visioguichet/current/dist/tools/write-policy.mjs']);
      const policy = chroot!.path('etc/chromium/policies/managed/visioguichet.json');
      expect(readFileSync(policy, 'utf8')).toBe(boothPolicyJson({ kioskOrigin: kioskOrigin(port), hubUrl: hub!.wsUrl }));
      expect(mode(policy)).toBe(0o644);
      kiosk = startService({ DISPLAY: x.display });
      // This machine has no camera: only the page, enumerating devices in Chromium, can say so.
      await waitForHub((k) => expect(k?.health).toMatchObject({ camera: { verdict: 'missing' } }), 90_000);
      expect(kiosk.output()).not.toContain('kiosk page lost');
      // Chromium runs as the kiosk user, sandboxed (no --no-sandbox on its command line).
      const browsers = chroot!.processes().filter((pid) => /chromium/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? ''));
      expect(browsers.length).toBeGreaterThan(0);
      for (const pid of browsers) {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        expect(cmd).not.toContain('--no-sandbox');
        expect(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]).toBe(String(uid));
      }
      await stopService();
    } finally {
      await x.close();
    }
  }, 240_000);

  it('the updater, running as the kiosk user, can add a release and repoint current, but cannot touch root\'s files', async () => {
    const sh = (script: string) => chroot!.exec(['/bin/sh', '-c', script], { user: KIOSK, env: { HOME: '/var/lib/visioguichet' }, check: false });
    // What main/update does: unpack beside, then an atomic link swap in /opt/visioguichet.
    const add = await sh('set -e; cd /opt/visioguichet; mkdir releases/9.9.9.partial; mv releases/9.9.9.partial releases/9.9.9; ln -s releases/9.9.9 .current.new; mv -T .current.new current; readlink current');
    expect(add, add.stderr).toMatchObject({ code: 0, stdout: 'releases/9.9.9\n' });
    // ...and back (a rollback), then its own release can go.
    const back = await sh(`set -e; cd /opt/visioguichet; ln -s releases/${deb.version} .current.old; mv -T .current.old current; rmdir releases/9.9.9; readlink current`);
    expect(back, back.stderr).toMatchObject({ code: 0, stdout: `releases/${deb.version}\n` });
    // The sticky bit: root's launcher, Node and packaged release cannot be deleted, renamed or written.
    for (const script of [
      'rm -rf /opt/visioguichet/bin',
      'mv /opt/visioguichet/node /opt/visioguichet/node.old',
      `mv /opt/visioguichet/releases/${deb.version} /opt/visioguichet/releases/x`,
      'echo x > /opt/visioguichet/bin/visioguichet-kiosk',
      `echo x > /opt/visioguichet/releases/${deb.version}/package.json`,
      'echo x > /etc/visioguichet/kiosk.json',
    ]) {
      expect((await sh(script)).code, script).not.toBe(0);
    }
    expect(existsSync(chroot!.path('opt/visioguichet/bin/visioguichet-kiosk'))).toBe(true);
    expect(existsSync(chroot!.path('opt/visioguichet/node/bin/node'))).toBe(true);
  });

  it('apt-get remove takes the program away and keeps configuration and data; purge removes the rest', async () => {
    await chroot!.exec(['apt-get', 'remove', '-y', '-q', 'visioguichet-kiosk'], { timeoutMs: 5 * 60_000 });
    for (const p of ['opt/visioguichet', 'usr/lib/udev/rules.d/70-visioguichet.rules', 'usr/lib/systemd/user/visioguichet.service', 'usr/lib/systemd/system/visioguichet.service']) {
      expect(existsSync(chroot!.path(p)), p).toBe(false);
    }
    // Kept until purge: the site's configuration (secrets, its policy edit), the kiosk's data, the account.
    expect(existsSync(chroot!.path('etc/visioguichet/kiosk.json'))).toBe(true);
    expect(existsSync(chroot!.path('etc/chromium/policies/managed/visioguichet.json'))).toBe(true);
    expect(existsSync(chroot!.path('var/lib/visioguichet/data'))).toBe(true);
    expect((await chroot!.exec(['getent', 'passwd', KIOSK], { check: false })).code).toBe(0);

    await chroot!.exec(['apt-get', 'purge', '-y', '-q', 'visioguichet-kiosk'], { timeoutMs: 5 * 60_000 });
    for (const p of ['etc/visioguichet', 'etc/chromium/policies/managed/visioguichet.json', 'var/lib/visioguichet']) {
      expect(existsSync(chroot!.path(p)), p).toBe(false);
    }
    expect((await chroot!.exec(['getent', 'passwd', KIOSK], { check: false })).code).toBe(2);
    expect((await chroot!.exec(['getent', 'group', KIOSK], { check: false })).code).toBe(2);
    expect((await chroot!.exec(['dpkg-query', '-W', '-f', '${Status}', 'visioguichet-kiosk'], { check: false })).stdout).not.toMatch(/ok (installed|config-files)/);
  }, 10 * 60_000);
});
