// A clean Debian chroot for package tests: debootstrap --variant=minbase from the mirror apt already
// uses on this machine (read from /etc/apt/sources.list(.d), never written in the repository), cached
// as a tarball under .tools/chroot/ so a rerun unpacks it in seconds (CI starts from a fresh clone
// and builds it). Runs as root (debootstrap, mount, chroot). Every mount is undone in dispose(), and
// the tree is only deleted once /proc/self/mountinfo shows nothing left mounted below it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');

export class ChrootError extends Error {
  constructor(
    readonly code: 'no_mirror' | 'not_root' | 'command_failed' | 'timeout' | 'still_mounted',
    message: string,
  ) {
    super(message);
    this.name = 'ChrootError';
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Kill after this long (ms); default 120 s. */
  timeoutMs?: number;
  /** Extra environment (the base is a clean PATH, LANG and DEBIAN_FRONTEND=noninteractive). */
  env?: Record<string, string>;
  /** Text on stdin. */
  input?: string;
  /** Throw ChrootError('command_failed') on a non-zero exit (default true). */
  check?: boolean;
}

/** Runs a host command with a timeout; output kept (bounded) for error messages. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    const keep = (s: string, chunk: Buffer) => (s + chunk.toString('utf8')).slice(-200_000);
    child.stdout.on('data', (c: Buffer) => (stdout = keep(stdout, c)));
    child.stderr.on('data', (c: Buffer) => (stderr = keep(stderr, c)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout, stderr };
      const line = `${cmd} ${args.join(' ')}`.slice(0, 300);
      if (timedOut) reject(new ChrootError('timeout', `${line}: no exit after ${timeoutMs} ms\n${stderr.slice(-4000)}`));
      else if (code !== 0 && opts.check !== false) reject(new ChrootError('command_failed', `${line}: exit ${code ?? signal}\n${(stderr || stdout).slice(-4000)}`));
      else resolvePromise(result);
    });
    child.stdin.on('error', () => {}); // a command that exits without reading its stdin
    child.stdin.end(opts.input ?? '');
  });
}

export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
}

/** Debian sources apt uses here (one-line and deb822 formats), other vendors' repositories left out. */
export function debianSources(etcApt = '/etc/apt'): AptSource[] {
  const files: string[] = [];
  if (existsSync(join(etcApt, 'sources.list'))) files.push(join(etcApt, 'sources.list'));
  const dir = join(etcApt, 'sources.list.d');
  if (existsSync(dir)) for (const f of readdirSync(dir).sort()) if (f.endsWith('.list') || f.endsWith('.sources')) files.push(join(dir, f));
  const out: AptSource[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        if (!field('Types').includes('deb') || /^Enabled:\s*no/mi.test(stanza)) continue;
        for (const uri of field('URIs')) out.push({ uri, suites: field('Suites'), components: field('Components') });
      }
    } else {
      for (const raw of text.split('\n')) {
        const line = raw.replace(/#.*/, '').trim();
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line);
        if (m) out.push({ uri: m[1]!, suites: [m[2]!], components: m[3]!.split(/\s+/) });
      }
    }
  }
  // Debian's own archive: suites named after the release (bookworm, bookworm-updates, bookworm-security).
  return out.filter((s) => s.suites.some((x) => /^(bookworm|trixie|bullseye|sid|stable|testing)(-|$)/.test(x)) && s.components.includes('main'));
}

/** The main archive (not -security/-updates) for `suite`, as apt here is configured. */
export function mirrorFor(suite: string, sources = debianSources()): { mirror: string; lines: string[] } {
  const main = sources.find((s) => s.suites.includes(suite));
  if (!main) throw new ChrootError('no_mirror', `no Debian "${suite}" source in /etc/apt/sources.list(.d): the chroot needs the mirror apt uses here`);
  const lines = sources.flatMap((s) => s.suites.filter((x) => x === suite || x.startsWith(`${suite}-`)).map((x) => `deb ${s.uri} ${x} main`));
  return { mirror: main.uri, lines: [...new Set(lines)] };
}

export interface BaseChrootOptions {
  suite?: string;
  /** Where the tarball is cached (default .tools/chroot). */
  cacheDir?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Path of a tarball holding a minbase chroot of `suite`, built (about 3 min) when not cached yet. */
export async function baseChrootTarball(opts: BaseChrootOptions = {}): Promise<{ tarball: string; built: boolean; sourcesList: string }> {
  if (process.getuid?.() !== 0) throw new ChrootError('not_root', 'debootstrap, mount and chroot need root (CI runs as root)');
  const suite = opts.suite ?? 'bookworm';
  const log = opts.log ?? (() => {});
  const { mirror, lines } = mirrorFor(suite);
  const sourcesList = `${lines.join('\n')}\n`;
  const key = createHash('sha256').update(`${suite}\nminbase\n${sourcesList}`).digest('hex').slice(0, 12);
  const cacheDir = opts.cacheDir ?? join(repoRoot, '.tools/chroot');
  const tarball = join(cacheDir, `${suite}-minbase-${key}.tar`);
  if (existsSync(tarball)) return { tarball, built: false, sourcesList };
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'vg-debootstrap-'));
  try {
    log(`debootstrap --variant=minbase ${suite} (no cached chroot yet)`);
    await run('debootstrap', ['--variant=minbase', suite, work, mirror], { timeoutMs: 15 * 60_000 });
    chmodSync(work, 0o755);
    writeFileSync(join(work, 'etc/apt/sources.list'), sourcesList);
    // Services never start inside the chroot during installs (Debian's policy-rc.d convention).
    writeFileSync(join(work, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    rmSync(join(work, 'var/cache/apt/archives'), { recursive: true, force: true });
    mkdirSync(join(work, 'var/cache/apt/archives/partial'), { recursive: true });
    const tmp = `${tarball}.${process.pid}.partial`;
    await run('tar', ['-C', work, '--numeric-owner', '-cf', tmp, '.'], { timeoutMs: 5 * 60_000 });
    renameSync(tmp, tarball);
    return { tarball, built: true, sourcesList };
  } finally {
    await removeTree(work);
  }
}

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo). */
export function mountsBelow(dir: string): string[] {
  const info = readFileSync('/proc/self/mountinfo', 'utf8');
  const unescape = (s: string) => s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map(unescape)
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** rm -rf that refuses to cross into anything still mounted (a bound /dev must never be emptied). */
async function removeTree(dir: string): Promise<void> {
  const left = mountsBelow(dir);
  if (left.length) throw new ChrootError('still_mounted', `not deleting ${dir}: still mounted: ${left.join(', ')}`);
  await run('rm', ['-rf', '--one-file-system', dir], { timeoutMs: 120_000 });
}

export interface ChrootHandle {
  root: string;
  /** Runs a command inside the chroot (as root, or as `user` via setpriv with its groups). */
  exec(argv: string[], opts?: RunOptions & { user?: string; cwd?: string }): Promise<RunResult>;
  /** Starts a long-running command inside the chroot (same wrapping as exec); output is collected in `output()`. */
  start(argv: string[], opts?: { user?: string; cwd?: string; env?: Record<string, string> }): StartedProcess;
  /** Binds a host path onto a path inside the chroot (undone by dispose). */
  bind(hostPath: string, inside: string): Promise<void>;
  /** Processes running inside the chroot (their root is its directory). */
  processes(): number[];
  /** Absolute host path of a path inside the chroot. */
  path(p: string): string;
  /** Unmounts everything and deletes the tree. Idempotent. */
  dispose(): Promise<void>;
}

export interface StartedProcess {
  child: ChildProcess;
  /** stdout + stderr so far (last 200 kB). */
  output(): string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface OpenChrootOptions extends BaseChrootOptions {
  /** Host directory bound onto /var/cache/apt/archives (downloaded .debs survive the chroot). */
  aptArchives?: string;
}

/** argv wrapped to run inside the chroot with a clean environment, optionally as `user` and in `cwd`. */
function wrap(argv: string[], o: { user?: string; cwd?: string; env?: Record<string, string> }): string[] {
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive', ...o.env };
  const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  // setpriv (util-linux, in minbase) drops to the user with the groups from the chroot's own /etc/group.
  const asUser = o.user ? ['setpriv', `--reuid=${o.user}`, `--regid=${o.user}`, '--init-groups'] : [];
  const inner = [...asUser, '/usr/bin/env', '-i', ...envArgs, ...argv];
  return o.cwd ? ['/bin/sh', '-c', 'cd "$0" && exec "$@"', o.cwd, ...inner] : inner;
}

/** A fresh chroot unpacked from the cached base, with /proc, /sys, /dev (and the apt cache) mounted. */
export async function openChroot(opts: OpenChrootOptions = {}): Promise<ChrootHandle & { builtBase: boolean }> {
  const { tarball, built } = await baseChrootTarball(opts);
  const root = mkdtempSync(join(tmpdir(), 'vg-chroot-'));
  const mounted: string[] = [];
  const mount = async (args: string[], target: string) => {
    await run('mount', [...args, join(root, target)], { timeoutMs: 30_000 });
    mounted.push(join(root, target));
  };
  let disposed = false;
  const handle: ChrootHandle & { builtBase: boolean } = {
    root,
    builtBase: built,
    path: (p) => join(root, p),
    async exec(argv, o = {}) {
      return run('chroot', [root, ...wrap(argv, o)], { ...o, env: {} });
    },
    start(argv, o = {}) {
      const child = spawn('chroot', [root, ...wrap(argv, o)], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } });
      let out = '';
      const keep = (c: Buffer) => (out = (out + c.toString('utf8')).slice(-200_000));
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
        child.on('close', (code, signal) => res({ code, signal }));
        child.on('error', (err) => {
          out += `\nspawn failed: ${String(err)}`;
          res({ code: null, signal: null });
        });
      });
      return { child, output: () => out, exited };
    },
    async bind(hostPath, inside) {
      mkdirSync(join(root, inside), { recursive: true });
      await mount(['--bind', hostPath], inside);
    },
    processes() {
      const pids: number[] = [];
      for (const e of readdirSync('/proc')) {
        if (!/^\d+$/.test(e)) continue;
        try {
          if (readlinkSync(`/proc/${e}/root`) === root) pids.push(Number(e));
        } catch {
          // gone, or not ours to inspect
        }
      }
      return pids;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      // Nothing may outlive the test inside the tree (a daemon a maintainer script started, a browser).
      for (const pid of handle.processes()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      for (const m of [...mounted].reverse()) {
        const r = await run('umount', [m], { check: false, timeoutMs: 30_000 });
        if (r.code !== 0) await run('umount', ['-l', m], { check: false, timeoutMs: 30_000 });
      }
      // Anything a package's scripts mounted (none expected) goes too, deepest first.
      for (const m of mountsBelow(root)) await run('umount', ['-l', m], { check: false, timeoutMs: 30_000 });
      await removeTree(root);
    },
  };
  try {
    await run('tar', ['-C', root, '--numeric-owner', '-xf', tarball], { timeoutMs: 5 * 60_000 });
    // mkdtemp makes 0700: the chroot's / must be traversable by its unprivileged users.
    chmodSync(root, 0o755);
    copyFileSync('/etc/resolv.conf', join(root, 'etc/resolv.conf'));
    // A throwaway tree: dpkg need not fsync every file it unpacks (what container image builds do).
    writeFileSync(join(root, 'etc/dpkg/dpkg.cfg.d/vg-unsafe-io'), 'force-unsafe-io\n');
    await mount(['-t', 'proc', 'proc'], 'proc');
    await mount(['-t', 'sysfs', 'sysfs'], 'sys');
    await mount(['--bind', '/dev'], 'dev');
    await mount(['--bind', '/dev/pts'], 'dev/pts');
    if (opts.aptArchives) {
      mkdirSync(join(opts.aptArchives, 'partial'), { recursive: true });
      await mount(['--bind', opts.aptArchives], 'var/cache/apt/archives');
    }
    return handle;
  } catch (err) {
    await handle.dispose().catch(() => {});
    throw err;
  }
}
