// One release of the booth's browser runtime: the directory that the .deb installs as
// /opt/visioguichet/releases/<version>/ and that the signed update bundle carries (see
// main/update/layout.ts and build/README.md). Layout:
//   package.json                 name, version, runtime, the natives' exact versions
//   dist/runtime/entry.mjs       main/runtime/entry.ts bundled with esbuild (ESM, node22)
//   dist/tools/write-policy.mjs  scripts/write-policy.ts (a site regenerates Chromium's policy with it)
//   dist/renderer/**             the kiosk renderer only (the agent console is served by the hub)
//   node_modules/**              the natives esbuild cannot bundle, with their linux-x64 prebuilds
// Usage: npx tsx scripts/build-release.ts [--version V] [--out DIR]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const repoRoot = resolve(import.meta.dirname, '..');

/** Packages loaded at run time from node_modules instead of the bundle (dlopen()ed addons). */
export const nativeExternals = ['better-sqlite3', 'node-hid'] as const;
/** ws's optional speed-ups: required inside try/catch, absent on purpose (ws falls back to JS). */
const optionalAbsent = ['bufferutil', 'utf-8-validate'];
/** The only platform a release targets (Debian amd64 booths). */
export const releaseRuntime = 'browser-linux-x64';

export class ReleaseBuildError extends Error {
  constructor(
    readonly code: 'bad_version' | 'bundle_failed' | 'renderer_failed' | 'missing_module' | 'smoke_failed' | 'node_too_old',
    message: string,
  ) {
    super(message);
    this.name = 'ReleaseBuildError';
  }
}

export interface BuildReleaseOptions {
  /** Release version (default: package.json's). Semver, so the updater can compare releases. */
  version?: string;
  /** Parent of the release directory (default dist/release/browser). */
  outDir?: string;
  /** Node ≥ 22 used for the smoke check (default: the running one). */
  node?: string;
  /** Progress lines (default stderr). */
  log?: (line: string) => void;
}

export interface BuiltRelease {
  /** dist/release/browser/<version> (absolute). */
  dir: string;
  version: string;
  /** Bytes on disk, all files. */
  bytes: number;
}

const semver = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

interface PackageJson {
  name: string;
  version: string;
  license?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
const readJson = <T>(p: string) => JSON.parse(readFileSync(p, 'utf8')) as T;

/** Node's own resolution from `fromDir`: the package directory a `require(name)` there would use. */
function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The production closure of `roots`: each package plus its dependencies (optional ones only when
 * installed), as paths relative to the repository's node_modules so the release keeps npm's layout.
 */
export function productionClosure(roots: readonly string[], root = repoRoot): Map<string, string> {
  const found = new Map<string, string>(); // relative path in node_modules -> absolute source dir
  const visit = (name: string, fromDir: string, optional: boolean) => {
    const dir = packageDir(name, fromDir);
    if (!dir) {
      if (optional) return;
      throw new ReleaseBuildError('missing_module', `${name} is not installed (needed by ${relative(root, fromDir) || 'the release'}); run ./vg setup`);
    }
    const rel = relative(join(root, 'node_modules'), dir);
    if (found.has(rel)) return;
    found.set(rel, dir);
    const pkg = readJson<PackageJson>(join(dir, 'package.json'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const r of roots) visit(r, root, false);
  return found;
}

// Sources, build inputs and other platforms' binaries: a booth only dlopen()s linux-x64 prebuilds.
const dropDirs = new Set(['deps', 'src', 'hidapi', 'test', 'tests', 'docs', 'example', 'examples', '.github']);
const dropFiles = /\.(gyp|gypi|cc|cpp|c|h|hpp|md|map|ts)$/;
function keepModuleFile(path: string, isDir: boolean): boolean {
  const parts = path.split('/');
  const base = parts[parts.length - 1]!;
  if (isDir && dropDirs.has(base)) return false;
  const i = parts.indexOf('prebuilds');
  // prebuilds/<platform-arch>[.node] (better-sqlite3: linux-x64.node; node-hid: HID_hidraw-linux-x64/).
  if (i >= 0 && parts.length > i + 1) return /(^|[-_])linux-x64(\.node)?$/.test(parts[i + 1]!);
  if (!isDir && dropFiles.test(base) && !base.endsWith('.d.ts') && !/^(LICENSE|README)/i.test(base)) return false;
  // node-addon-api is C++ headers for building addons: only its package.json (a declared dependency) and index.js.
  const addonApi = /(^|\/)node-addon-api\/(.*)$/.exec(path);
  if (addonApi) return /^(package\.json|LICENSE[^/]*|index\.js)$/.test(addonApi[2]!);
  return true;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += dirBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

/** The Node binary to run the release with: `node` if it is ≥ 22, else a clear error. */
function checkNode(node: string): void {
  const r = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  const major = Number((r.stdout ?? '').split('.')[0]);
  if (r.status !== 0 || !(major >= 22)) {
    throw new ReleaseBuildError('node_too_old', `${node} is Node ${r.stdout?.trim() || '?'}; a release needs Node ≥ 22 (source scripts/setup.sh)`);
  }
}

async function bundleEntry(stage: string, version: string): Promise<void> {
  const esbuild = await import('esbuild');
  try {
    const result = await esbuild.build({
      // The kiosk, and the tool a site runs (as root) to regenerate Chromium's policy for its hub.
      entryPoints: { 'runtime/entry': join(repoRoot, 'main/runtime/entry.ts'), 'tools/write-policy': join(repoRoot, 'scripts/write-policy.ts') },
      outdir: join(stage, 'dist'),
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      external: [...nativeExternals, ...optionalAbsent],
      // CommonJS dependencies (ws, fastify's friends) call require(): give the ESM bundle a real one.
      // The fleet view's version (main/services/core.ts: VG_APP_VERSION, else npm_package_version): the
      // release knows its own, whoever starts it.
      banner: {
        js: [
          "import { createRequire as __vgCreateRequire } from 'node:module';",
          'const require = __vgCreateRequire(import.meta.url);',
          `process.env.npm_package_version ??= ${JSON.stringify(version)};`,
        ].join('\n'),
      },
      sourcemap: 'linked',
      legalComments: 'linked',
      logLevel: 'warning',
      metafile: true,
    });
    // Every bare import left in the bundle must be a Node builtin or a module the release ships.
    const shipped = new Set<string>([...nativeExternals, ...optionalAbsent]);
    for (const out of Object.values(result.metafile.outputs)) {
      for (const imp of out.imports) {
        if (!imp.external || imp.path.startsWith('node:')) continue;
        const name = imp.path.startsWith('@') ? imp.path.split('/').slice(0, 2).join('/') : imp.path.split('/')[0]!;
        const { builtinModules } = await import('node:module');
        if (!shipped.has(name) && !builtinModules.includes(name)) {
          throw new ReleaseBuildError('bundle_failed', `the bundle imports ${imp.path}, which the release does not ship`);
        }
      }
    }
  } catch (err) {
    if (err instanceof ReleaseBuildError) throw err;
    throw new ReleaseBuildError('bundle_failed', `esbuild could not bundle the release's entries: ${String(err)}`);
  }
}

/** A dedicated kiosk-only build: dist/renderer at the root is shared by dev runs and keeps stale chunks. */
async function buildRenderer(stage: string): Promise<void> {
  const vite = await import('vite');
  try {
    await vite.build({
      configFile: false,
      logLevel: 'warn',
      root: join(repoRoot, 'renderer'),
      base: './',
      publicDir: join(repoRoot, 'assets'),
      build: {
        outDir: join(stage, 'dist/renderer'),
        emptyOutDir: true,
        target: 'es2022',
        rollupOptions: { input: { kiosk: join(repoRoot, 'renderer/kiosk/index.html') } },
      },
    });
  } catch (err) {
    throw new ReleaseBuildError('renderer_failed', `vite could not build the kiosk renderer: ${String(err)}`);
  }
  if (!existsSync(join(stage, 'dist/renderer/kiosk/index.html'))) {
    throw new ReleaseBuildError('renderer_failed', 'the kiosk renderer build produced no kiosk/index.html');
  }
}

/**
 * Proves the release runs on its own: the natives load from its node_modules (SQLite opens, hidapi
 * enumerates), and the bundle loads every module and reaches the config check (exit 78 on a bad file).
 */
function smokeCheck(stage: string, node: string): void {
  const natives = [
    "import { createRequire } from 'node:module';",
    'const require = createRequire(process.cwd() + "/package.json");',
    'const Database = require("better-sqlite3"); const db = new Database(":memory:");',
    'if (db.prepare("select 41 + 1 as n").get().n !== 42) throw new Error("sqlite");',
    'const HID = require("node-hid"); if (!Array.isArray(HID.devices())) throw new Error("hid");',
    'console.log("natives ok");',
  ].join('\n');
  const r1 = spawnSync(node, ['--input-type=module', '-e', natives], { cwd: stage, encoding: 'utf8', timeout: 30_000 });
  if (r1.status !== 0 || !r1.stdout.includes('natives ok')) {
    throw new ReleaseBuildError('smoke_failed', `the release's native modules do not load: ${r1.stderr || r1.stdout}`);
  }
  const goodConfig = join(stage, '.smoke-good.json');
  writeFileSync(goodConfig, JSON.stringify({ hubUrl: 'wss://hub.example/ws', kioskId: 'smoke', kioskSecret: 'x'.repeat(24), dataDir: '/tmp', runtimePort: 47123 }));
  // Started through a symlink, as a booth does (/opt/visioguichet/current -> releases/<v>).
  const link = `${stage}.current`;
  rmSync(link, { force: true });
  symlinkSync(stage, link);
  try {
    const r = spawnSync(node, [join(link, 'dist/tools/write-policy.mjs'), '--config', goodConfig, '--stdout'], { cwd: '/', encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0 || !r.stdout.includes('http://127.0.0.1:47123')) {
      throw new ReleaseBuildError('smoke_failed', `the bundled write-policy did not print a policy for the configured origin (exit ${r.status}): ${r.stderr || r.stdout}`);
    }
  } finally {
    rmSync(goodConfig, { force: true });
    rmSync(link, { force: true });
  }
  const badConfig = join(stage, '.smoke-kiosk.json');
  writeFileSync(badConfig, JSON.stringify({ hubUrl: 'not a url', kioskId: 'smoke' }));
  try {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, VG_KIOSK_CONFIG: badConfig, VG_NO_OPEN: '1' };
    const r2 = spawnSync(node, [join(stage, 'dist/runtime/entry.mjs')], { cwd: '/', env, encoding: 'utf8', timeout: 30_000 });
    const out = `${r2.stdout}${r2.stderr}`;
    if (r2.status !== 78 || !out.includes('kiosk configuration is invalid')) {
      // cwd '/' + an absolute entry path below: the bundle must not depend on the working directory.
      throw new ReleaseBuildError('smoke_failed', `the bundled entry did not reach its config check (exit ${r2.status}): ${out.slice(0, 2000)}`);
    }
  } finally {
    rmSync(badConfig, { force: true });
  }
}

export async function buildRelease(opts: BuildReleaseOptions = {}): Promise<BuiltRelease> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`[build-release] ${l}\n`));
  const rootPkg = readJson<PackageJson>(join(repoRoot, 'package.json'));
  const version = opts.version ?? rootPkg.version;
  if (!semver.test(version)) throw new ReleaseBuildError('bad_version', `release version "${version}" is not semver (x.y.z[-pre])`);
  const node = opts.node ?? process.execPath;
  checkNode(node);
  const outDir = resolve(opts.outDir ?? join(repoRoot, 'dist/release/browser'));
  const dir = join(outDir, version);
  // Built beside the target and renamed into place: a failed build never leaves half a release.
  const stage = `${dir}.partial-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  try {
    log(`bundling main/runtime/entry.ts and scripts/write-policy.ts (esbuild, node22, natives external)`);
    await bundleEntry(stage, version);
    log('building the kiosk renderer (vite)');
    await buildRenderer(stage);
    const closure = productionClosure(nativeExternals);
    log(`copying natives: ${[...closure.keys()].join(', ')}`);
    for (const [rel, src] of closure) {
      cpSync(src, join(stage, 'node_modules', rel), {
        recursive: true,
        filter: (p) => {
          const inner = relative(src, p);
          if (!inner) return true;
          return keepModuleFile(`${rel}/${inner}`.replace(/\\/g, '/'), statSync(p).isDirectory());
        },
      });
    }
    const natives = Object.fromEntries(nativeExternals.map((n) => [n, readJson<PackageJson>(join(stage, 'node_modules', n, 'package.json')).version]));
    writeFileSync(
      join(stage, 'package.json'),
      `${JSON.stringify(
        {
          name: 'visioguichet-kiosk',
          version,
          private: true,
          description: 'Visioguichet booth, browser runtime (one release)',
          type: 'module',
          main: 'dist/runtime/entry.mjs',
          runtime: releaseRuntime,
          engines: { node: '>=22.12' },
          ...(rootPkg.license ? { license: rootPkg.license } : {}),
          dependencies: natives,
        },
        null,
        2,
      )}\n`,
    );
    log('smoke check (natives load, entry reaches its config check)');
    smokeCheck(stage, node);
    rmSync(dir, { recursive: true, force: true });
    renameSync(stage, dir);
  } catch (err) {
    rmSync(stage, { recursive: true, force: true });
    throw err;
  }
  const bytes = dirBytes(dir);
  log(`release ${version}: ${relative(repoRoot, dir)} (${(bytes / 1e6).toFixed(1)} MB)`);
  return { dir, version, bytes };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  buildRelease({ version: argValue(args, '--version'), outDir: argValue(args, '--out') })
    .then((r) => process.stdout.write(`${r.dir}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`build-release failed: ${err instanceof ReleaseBuildError ? `[${err.code}] ` : ''}${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
