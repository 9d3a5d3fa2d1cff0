// The booth's Debian package for the browser runtime (no Electron binary needed):
// dist/deb/visioguichet-kiosk_<version>_amd64.deb, built with `dpkg-deb --root-owner-group`.
// What goes where is in build/README.md; the on-disk layout under /opt/visioguichet is the one the
// updater manages (main/update/layout.ts): releases/<v>, current -> releases/<v>,
// node/bin/node, bin/visioguichet-kiosk.
// Usage: npx tsx scripts/package-deb.ts [--version V] [--release DIR] [--out DIR]
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildRelease } from './build-release';

const repoRoot = resolve(import.meta.dirname, '..');

export const packageName = 'visioguichet-kiosk';
/** Where the package installs the booth (fixed by the update contract). */
export const installRoot = '/opt/visioguichet';

/**
 * What the booth needs at run time: Chromium and its setuid sandbox (used where unprivileged user
 * namespaces are unavailable — a chroot, a hardened kernel — so Chromium never has to run without
 * one), libc/libstdc++ for Node and the addons, libudev/libusb for hidapi, passwd for postinst.
 */
export const debDepends = ['chromium', 'chromium-sandbox', 'libc6 (>= 2.28)', 'libstdc++6', 'libgcc-s1', 'libudev1', 'libusb-1.0-0', 'passwd'];
/** The appliance session (X server, window manager, screen controls); recommended, not required (a site may bring its own). */
// Fonts: Noto Sans Arabic (fonts-noto-core) and Noto Sans CJK SC (fonts-noto-cjk) for the Arabic and Chinese screens.
export const debRecommends = ['xserver-xorg', 'xinit', 'openbox', 'x11-xserver-utils', 'ddcutil', 'wlr-randr', 'fonts-dejavu-core', 'fonts-noto-core', 'fonts-noto-cjk'];

/** build/session/install.json (helper B's map): each session file's absolute target, octal mode, owner. */
interface SessionMap {
  files: Record<string, { target: string; mode: string; owner: string }>;
}

/**
 * build/session/** → target path and mode, from build/session/install.json. Every file there must be
 * listed: an unlisted one is an error rather than a file silently left out of the booth.
 */
export function sessionFiles(sessionDir = join(repoRoot, 'build/session')): { from: string; to: string; mode: number }[] {
  const files = listFiles(sessionDir).filter((f) => f !== 'install.json' && f !== 'README.md');
  if (files.length === 0) return [];
  const mapPath = join(sessionDir, 'install.json');
  if (!existsSync(mapPath)) throw new PackageDebError('unmapped_file', `build/session has files but no install.json mapping them to their targets`);
  const map = JSON.parse(readFileSync(mapPath, 'utf8')) as SessionMap;
  return files.map((f) => {
    const e = map.files[f];
    if (!e) throw new PackageDebError('unmapped_file', `build/session/${f} has no install target in build/session/install.json`);
    if (!e.target.startsWith('/') || e.target.includes('..')) throw new PackageDebError('unmapped_file', `build/session/install.json: "${f}" target must be an absolute path (${e.target})`);
    // --root-owner-group ships every file as root: another owner would need a postinst chown.
    if (e.owner !== 'root') throw new PackageDebError('unmapped_file', `build/session/install.json: "${f}" owner ${e.owner} is not supported (root only)`);
    const mode = parseInt(e.mode, 8);
    if (!(mode >= 0 && mode <= 0o7777)) throw new PackageDebError('unmapped_file', `build/session/install.json: "${f}" mode ${e.mode} is not octal`);
    return { from: join(sessionDir, f), to: e.target, mode };
  });
}

export class PackageDebError extends Error {
  constructor(
    readonly code: 'missing_input' | 'unmapped_file' | 'dpkg_failed' | 'bad_version',
    message: string,
  ) {
    super(message);
    this.name = 'PackageDebError';
  }
}

export interface PackageDebOptions {
  /** Package version (default package.json's). */
  version?: string;
  /** An already built release directory (default: build one with scripts/build-release.ts). */
  releaseDir?: string;
  /** Where that build puts the release (default dist/release/browser). */
  releaseOutDir?: string;
  /** Output directory (default dist/deb). */
  outDir?: string;
  /** The Node ≥ 22 binary shipped as node/bin/node (default: the running one). */
  node?: string;
  /** dpkg-deb compression (default xz, level 6); tests pick 'none' (same content, no CPU spent). */
  compression?: 'xz' | 'gzip' | 'none';
  /** Compression level (default 6). */
  compressLevel?: number;
  log?: (line: string) => void;
}

export interface BuiltDeb {
  /** dist/deb/visioguichet-kiosk_<v>_amd64.deb (absolute). */
  path: string;
  version: string;
  /** Size of the .deb file. */
  bytes: number;
  /** Installed-Size (KiB) written in DEBIAN/control. */
  installedKiB: number;
}

/** A systemd unit that names a `User=` is a system unit; otherwise it runs in the kiosk user's session. */
export function unitTarget(unitText: string): 'system' | 'user' {
  return /^\s*User\s*=/m.test(unitText) ? 'system' : 'user';
}

function ensureDir(p: string): void {
  mkdirSync(p, { recursive: true, mode: 0o755 });
}
function install(src: string, dest: string, mode: number): void {
  ensureDir(dirname(dest));
  copyFileSync(src, dest);
  chmodSync(dest, mode);
}

/** dpkg-deb keeps the staged modes: make them deterministic (dirs 0755, files 0644 or 0755). */
function normaliseModes(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) normaliseModes(p);
    else chmodSync(p, statSync(p).mode & 0o111 ? 0o755 : 0o644);
  }
}

function kib(dir: string): number {
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else bytes += lstatSync(p).size;
    }
  };
  walk(dir);
  return Math.ceil(bytes / 1024);
}

function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [relative(base, p)];
  });
}

export async function packageDeb(opts: PackageDebOptions = {}): Promise<BuiltDeb> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`[package-deb] ${l}\n`));
  const rootPkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const version = opts.version ?? rootPkg.version;
  // Debian versions: the release's semver with '-' (pre-release) as '~' so 1.0.0~rc1 sorts before 1.0.0.
  const debVersion = version.replace('-', '~');
  if (!/^\d+\.\d+\.\d+/.test(version)) throw new PackageDebError('bad_version', `package version "${version}" is not semver`);
  const releaseDir = opts.releaseDir ? resolve(opts.releaseDir) : (await buildRelease({ version, log, ...(opts.releaseOutDir ? { outDir: opts.releaseOutDir } : {}) })).dir;
  const relVersion = (JSON.parse(readFileSync(join(releaseDir, 'package.json'), 'utf8')) as { version: string }).version;
  if (relVersion !== version) throw new PackageDebError('bad_version', `release ${releaseDir} is version ${relVersion}, not ${version}`);
  const node = realpathSync(opts.node ?? process.execPath);
  const nodeMajor = Number(spawnSync(node, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim());
  if (!(nodeMajor >= 22)) throw new PackageDebError('missing_input', `${node} is not Node ≥ 22 (source scripts/setup.sh)`);

  const outDir = resolve(opts.outDir ?? join(repoRoot, 'dist/deb'));
  const stage = join(outDir, `stage-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  ensureDir(stage);
  const at = (p: string) => join(stage, p);
  const conffiles: string[] = [];
  try {
    // /opt/visioguichet: the release, the current link, Node, the stable launcher.
    const opt = at(installRoot);
    cpSync(releaseDir, join(opt, 'releases', version), { recursive: true });
    symlinkSync(`releases/${version}`, join(opt, 'current'));
    install(node, join(opt, 'node/bin/node'), 0o755);
    const launchers = listFiles(join(repoRoot, 'build/bin'));
    if (launchers.length === 0) log('warning: build/bin/ is empty: the package has no launcher (bin/visioguichet-kiosk)');
    for (const f of launchers) install(join(repoRoot, 'build/bin', f), join(opt, 'bin', f), 0o755);

    // Chromium managed policies (conffiles: a site regenerates them for its hub, dpkg keeps its edit).
    for (const f of listFiles(join(repoRoot, 'build/chromium/policies/managed')).filter((f) => f.endsWith('.json'))) {
      install(join(repoRoot, 'build/chromium/policies/managed', f), at(`etc/chromium/policies/managed/${f}`), 0o644);
      conffiles.push(`/etc/chromium/policies/managed/${f}`);
    }

    // systemd units of the browser runtime (the Electron unit belongs to the Electron package; the
    // hub's unit to the hub machine, never a booth).
    for (const f of listFiles(join(repoRoot, 'build/systemd')).filter((f) => !f.includes('electron') && !f.includes('-hub.') && /\.(service|target|socket|timer|path)$/.test(f))) {
      const src = join(repoRoot, 'build/systemd', f);
      install(src, at(`usr/lib/systemd/${unitTarget(readFileSync(src, 'utf8'))}/${f}`), 0o644);
    }
    // udev rules shipped by a package live in /usr/lib/udev/rules.d (/etc/udev/rules.d is the admin's).
    for (const f of listFiles(join(repoRoot, 'build/udev')).filter((f) => f.endsWith('.rules'))) {
      install(join(repoRoot, 'build/udev', f), at(`usr/lib/udev/rules.d/${f}`), 0o644);
    }
    // The appliance session (helper B's files), each to the target build/session/install.json names.
    for (const f of sessionFiles()) {
      install(f.from, at(f.to), f.mode);
      if (f.to.startsWith('/etc/')) conffiles.push(f.to);
    }
    // Documentation.
    const doc = at(`usr/share/doc/${packageName}`);
    if (existsSync(join(repoRoot, 'build/README.md'))) install(join(repoRoot, 'build/README.md'), join(doc, 'README.md'), 0o644);
    writeFileSync(
      join(ensureDirOf(join(doc, 'copyright'))),
      'Visioguichet — Gouvernement du Québec.\nBundles Node.js (MIT, /opt/visioguichet/node), better-sqlite3 (MIT), node-hid (MIT/BSD) and, inside\neach release\'s dist/runtime/entry.mjs, the npm packages pinned by the source tree\'s package-lock.json.\n',
    );
    normaliseModes(stage);

    // DEBIAN/: control, maintainer scripts (shared with the Electron package), conffiles.
    const debian = at('DEBIAN');
    ensureDir(debian);
    const installedKiB = kib(stage);
    const control = [
      `Package: ${packageName}`,
      `Version: ${debVersion}`,
      'Architecture: amd64',
      'Maintainer: Services Québec <visioguichet@example.invalid>',
      'Section: misc',
      'Priority: optional',
      `Installed-Size: ${installedKiB}`,
      `Depends: ${debDepends.join(', ')}`,
      `Recommends: ${debRecommends.join(', ')}`,
      'Description: Visioguichet booth (browser runtime)',
      ' Kiosk software for Québec government video counters: the booth services under',
      ' the bundled Node 22 and the citizen screens in Debian Chromium (kiosk mode).',
      ' Installs /opt/visioguichet (releases managed by the signed updater), the kiosk',
      ' account, udev rules for the USB peripherals, systemd units and Chromium policies.',
      '',
    ].join('\n');
    writeFileSync(join(debian, 'control'), control);
    install(join(repoRoot, 'build/deb/after-install.sh'), join(debian, 'postinst'), 0o755);
    install(join(repoRoot, 'build/deb/after-remove.sh'), join(debian, 'postrm'), 0o755);
    if (conffiles.length) writeFileSync(join(debian, 'conffiles'), `${conffiles.join('\n')}\n`);
    chmodSync(debian, 0o755);

    ensureDir(outDir);
    const path = join(outDir, `${packageName}_${debVersion}_amd64.deb`);
    log(`dpkg-deb --build (${Math.round(installedKiB / 1024)} MiB installed)`);
    const r = spawnSync('dpkg-deb', ['--build', '--root-owner-group', `-Z${opts.compression ?? 'xz'}`, `-z${opts.compressLevel ?? 6}`, stage, path], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new PackageDebError('dpkg_failed', `dpkg-deb failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
    const bytes = statSync(path).size;
    log(`${relative(repoRoot, path)} (${(bytes / 1e6).toFixed(1)} MB)`);
    return { path, version, bytes, installedKiB };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function ensureDirOf(file: string): string {
  ensureDir(dirname(file));
  return file;
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  packageDeb({ version: argValue(args, '--version'), releaseDir: argValue(args, '--release'), outDir: argValue(args, '--out') })
    .then((d) => process.stdout.write(`${d.path}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`package-deb failed: ${err instanceof PackageDebError ? `[${err.code}] ` : ''}${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
