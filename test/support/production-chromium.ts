// Test support for the production path of the booth: Chromium sandboxed, as an unprivileged kiosk
// user, with the managed policy, on a real (virtual) X display. Tests run as root and share the
// machine with other tests, so:
// - the policy goes into a private mount namespace (`unshare --mount --propagation private`) where
//   a temporary directory is bind-mounted over /etc/chromium: the real /etc/chromium/policies is
//   never written, and other Chromiums on the machine never see this policy;
// - the process runs as `vgkiosk` (created once, idempotent) through setpriv with an explicit env;
// - Xvfb gets a free display number and writes its framebuffer to a file (-fbdir) that
//   `screenshot()` turns into a PNG (no ImageMagick/xwd needed).
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

export const KIOSK_TEST_USER = 'vgkiosk';

export interface KioskUser {
  name: string;
  uid: number;
  gid: number;
}

const idOf = (name: string): KioskUser | undefined => {
  const u = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return undefined;
  return { name, uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
};

/** The unprivileged kiosk user (a system user with no home and no shell), created if missing. Needs root. */
export function ensureKioskUser(name = KIOSK_TEST_USER): KioskUser {
  const existing = idOf(name);
  if (existing) return existing;
  const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name], { encoding: 'utf8' });
  // Another test may have created it at the same moment: what counts is that it exists now.
  const made = idOf(name);
  if (!made) throw new Error(`cannot create the kiosk user ${name}: ${r.stderr || r.error?.message || `useradd exit ${r.status}`}`);
  return made;
}

/** A directory owned by the kiosk user, mode 0700 (its data dir, its HOME). */
export function kioskOwnedDir(user: KioskUser, prefix = 'vg-kiosk-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chownSync(dir, user.uid, user.gid);
  return dir;
}

export interface Xvfb {
  /** e.g. `:87` */
  display: string;
  /** Screen size. */
  width: number;
  height: number;
  /** Xvfb's framebuffer as an XWD file, updated live (read a pixel without decoding the screen). */
  fbFile: string;
  /** Writes the screen as a PNG and returns its RGBA pixels (for a quick look at a point). */
  screenshot(pngPath: string): { width: number; height: number; rgba: Buffer };
  /** Runs xdotool on this display (throws with its stderr on failure). */
  xdotool(...args: string[]): string;
  close(): Promise<void>;
}

/** Starts Xvfb on a free display number; resolves once clients can connect. */
export async function startXvfb(opts: { width?: number; height?: number; windowManager?: boolean } = {}): Promise<Xvfb> {
  const width = opts.width ?? 1280;
  const height = opts.height ?? 800;
  const fbdir = mkdtempSync(join(tmpdir(), 'vg-xvfb-'));
  let n = 100 + (process.pid % 400);
  while (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) n++;
  const display = `:${n}`;
  const proc = spawn('Xvfb', [display, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-fbdir', fbdir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 15_000;
  while (!existsSync(`/tmp/.X11-unix/X${n}`)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`Xvfb ${display} did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // A window manager makes --kiosk fullscreen as on a booth (bare X leaves it at its default size).
  const wm = opts.windowManager ? spawn('openbox', ['--sm-disable'], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } }) : undefined;
  const xdotool = (...args: string[]) => {
    const r = spawnSync('xdotool', args, { encoding: 'utf8', env: { ...process.env, DISPLAY: display }, timeout: 10_000 });
    if (r.status !== 0) throw new Error(`xdotool ${args.join(' ')}: ${r.stderr || r.error?.message}`);
    return r.stdout;
  };
  return {
    display,
    width,
    height,
    fbFile: join(fbdir, 'Xvfb_screen0'),
    screenshot(pngPath) {
      const img = xwdToRgba(readFileSync(join(fbdir, 'Xvfb_screen0')));
      writeFileSync(pngPath, rgbaToPng(img.width, img.height, img.rgba));
      return img;
    },
    xdotool,
    async close() {
      if (wm && wm.exitCode === null) wm.kill('SIGKILL');
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      rmSync(fbdir, { recursive: true, force: true });
    },
  };
}

/** Decodes an XWD dump (ZPixmap, 24/32 bits per pixel, as Xvfb's -fbdir writes) to RGBA. */
export function xwdToRgba(buf: Buffer): { width: number; height: number; rgba: Buffer } {
  const f = (i: number) => buf.readUInt32BE(i * 4);
  const headerSize = f(0);
  const [width, height, bitsPerPixel, bytesPerLine, ncolors] = [f(4), f(5), f(11), f(12), f(19)];
  const lsbFirst = f(7) === 0;
  const masks = [f(14), f(15), f(16)];
  if (f(2) !== 2 || (bitsPerPixel !== 32 && bitsPerPixel !== 24)) throw new Error(`unsupported XWD: format ${f(2)}, ${bitsPerPixel} bpp`);
  const data = headerSize + ncolors * 12;
  const shift = (m: number) => (m === 0 ? 0 : 31 - Math.clz32(m & -m));
  const rgba = Buffer.alloc(width * height * 4);
  const bpp = bitsPerPixel / 8;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = data + y * bytesPerLine + x * bpp;
      const px = bpp === 4 ? (lsbFirst ? buf.readUInt32LE(at) : buf.readUInt32BE(at)) : lsbFirst ? buf.readUIntLE(at, 3) : buf.readUIntBE(at, 3);
      const o = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) rgba[o + c] = ((px & masks[c]!) >>> shift(masks[c]!)) & 0xff;
      rgba[o + 3] = 255;
    }
  }
  return { width, height, rgba };
}

/** Minimal PNG encoder (RGBA, 8 bit, no filtering). */
export function rgbaToPng(width: number, height: number, rgba: Buffer): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(tb));
    return Buffer.concat([len, tb, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export interface PolicyProcessOptions {
  /** The managed policy Chromium will read (written as /etc/chromium/policies/managed/visioguichet.json inside the namespace). */
  policy: Record<string, unknown>;
  /** Who runs the command (default: the kiosk test user). */
  user?: KioskUser;
  /** The command and its arguments (absolute path for the executable). */
  command: string[];
  /** The whole environment of the command (nothing of the test's leaks in). */
  env: Record<string, string>;
  cwd?: string;
  /** Extra pipes after stdin, stdout and stderr (fds 3 and 4: the DevTools pipe main's runtime opens with `--remote-debugging-pipe`). */
  extraPipes?: number;
}

export interface PolicyProcess {
  proc: ChildProcess;
  /** stdout + stderr so far (last 200 kB). */
  output(): string;
  /** Resolves when the output matches `re` (rejects on exit or timeout, with the output). */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; removes the policy directory. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Runs `command` as the kiosk user in a private mount namespace where /etc/chromium holds only the
 * given policy (and Debian's master_preferences). Needs root (mount, setpriv).
 */
export function spawnWithPolicy(o: PolicyProcessOptions): PolicyProcess {
  const user = o.user ?? ensureKioskUser();
  if (!existsSync('/etc/chromium')) throw new Error('/etc/chromium does not exist: is Debian chromium installed?');
  const etc = mkdtempSync(join(tmpdir(), 'vg-etc-chromium-'));
  chmodSync(etc, 0o755); // as /etc/chromium: readable by everyone (mkdtemp makes it 0700)
  mkdirSync(join(etc, 'policies', 'managed'), { recursive: true, mode: 0o755 });
  mkdirSync(join(etc, 'policies', 'recommended'), { recursive: true, mode: 0o755 });
  writeFileSync(join(etc, 'policies', 'managed', 'visioguichet.json'), `${JSON.stringify(o.policy, null, 2)}\n`, { mode: 0o644 });
  for (const f of readdirSync('/etc/chromium')) if (f !== 'policies' && !f.startsWith('.')) copyFileSync(join('/etc/chromium', f), join(etc, f));
  const script = 'set -e; mount --bind "$1" /etc/chromium; u="$2"; g="$3"; shift 3; exec setpriv --reuid="$u" --regid="$g" --init-groups -- "$@"';
  const envArgs = Object.entries(o.env).map(([k, v]) => `${k}=${v}`);
  const proc = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', etc, String(user.uid), String(user.gid), '/usr/bin/env', '-i', ...envArgs, ...o.command], {
    cwd: o.cwd,
    stdio: ['ignore', 'pipe', 'pipe', ...Array<'pipe'>(o.extraPipes ?? 0).fill('pipe')],
    detached: true, // its own process group: close() reaches Chromium's children too
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
    waiters.forEach((w) => w());
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  proc.on('exit', () => waiters.forEach((w) => w()));
  const group = (sig: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, sig);
    } catch {
      // already gone
    }
  };
  return {
    proc,
    output: () => out,
    waitForOutput(re, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${re} in:\n${out.slice(-4000)}`)), timeoutMs);
        const check = () => {
          if (re.test(out)) finish();
          else if (proc.exitCode !== null || proc.signalCode !== null) finish(new Error(`exited (${proc.exitCode ?? proc.signalCode}) before ${re}:\n${out.slice(-4000)}`));
        };
        const finish = (err?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve();
        };
        waiters.add(check);
        check();
      });
    },
    async close(graceMs = 8_000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        group('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
      }
      // Whatever is left of the group (Chromium helpers) goes now.
      group('SIGKILL');
      rmSync(etc, { recursive: true, force: true });
    },
  };
}

/** Processes whose command line contains every one of `needles` (pid, argv). Root sees them all. */
export function findProcesses(...needles: string[]): { pid: number; argv: string[] }[] {
  const found: { pid: number; argv: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    const line = argv.join(' ');
    if (needles.every((n) => line.includes(n))) found.push({ pid: Number(entry), argv });
  }
  return found;
}

/**
 * What /proc says about a process's confinement: its seccomp mode (2 = filter, Chromium's
 * seccomp-bpf sandbox) and whether it sits in a PID namespace of its own (NSpid has two entries).
 */
export function sandboxStatus(pid: number): { uid: number; seccomp: number; nestedPidNs: boolean } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '';
  return { uid: Number(field('Uid').split(/\s+/)[0]), seccomp: Number(field('Seccomp')), nestedPidNs: field('NSpid').trim().split(/\s+/).length > 1 };
}
