// The demo starter (`./vg start [--no-open] [--kiosk] [--port N]`): one hub with embedded SQLite,
// one demo agent and one demo kiosk seeded on first run (state in .data/ at the repo root), the
// kiosk's main services, and its window: Electron when its binary is installed, else Chromium via
// the browser runtime. This file is the composition root; it may import main/ and server/.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allDaySchedule, defaultServices } from '../common/config';
import { composeKiosk } from '../main/compose';
import { startBrowserRuntime } from '../main/runtime/browser-runtime';
import type { BrowserRuntime } from '../main/runtime/browser-runtime';
import { loadKioskConfig } from '../main/services/config';
import type { KioskCore } from '../main/services/core';
import { consoleLogger, silentLogger } from '../main/services/log';
import { loadOrCreateKioskKey } from '../main/services/kiosk-key';
import { createAgent, registerKioskKey } from '../server/accounts';
import type { Hub } from '../server/hub';
import { createHub } from '../server/hub';
import { ingestPlugin } from '../server/ingest/plugin';

const repoRoot = resolve(import.meta.dirname, '..');

export interface DemoOptions {
  /** Open no window (tests, servers). */
  noOpen?: boolean;
  /** Fullscreen Chromium (--kiosk) instead of an app window. */
  kioskMode?: boolean;
  /** Hub port (default 8080; 0 = any free port). */
  hubPort?: number;
  /** Loopback port of the kiosk's browser runtime (default any free port). */
  kioskPort?: number;
  /** State directory (default .data at the repo root). */
  dataDir?: string;
  /** Prefer the browser runtime even when Electron is installed. */
  noElectron?: boolean;
  /** Run `vite build` when dist/renderer is missing (default true). */
  build?: boolean;
  /** No service logs (tests). */
  quiet?: boolean;
}

/** What the demo prints, and how to stop it. */
export interface Demo {
  /** The kiosk page (browser runtime URL with its token, or `app://kiosk/` under Electron). */
  kioskUrl: string;
  /** The agent console. */
  agentUrl: string;
  /** The hub's base URL. */
  hubUrl: string;
  /** Demo agent login. */
  agent: { username: string; password: string };
  /** Which shell shows the kiosk. */
  runtime: 'browser' | 'electron' | 'none';
  /** Resolves when the kiosk window's process exits on its own (Electron only). */
  exited?: Promise<void>;
  /** Stops the window, the kiosk services and the hub. */
  close(): Promise<void>;
}

interface DemoState {
  agent?: { username: string; password: string };
}

const readJson = <T>(path: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
};
const writePrivate = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });

/** Builds the renderers when dist is missing (./vg start builds first; `npx tsx scripts/start.ts` may not). */
function ensureRendererBuilt(log: (line: string) => void): void {
  if (existsSync(join(repoRoot, 'dist/renderer/kiosk/index.html'))) return;
  log('dist/renderer is missing: running `npx vite build`…');
  const r = spawnSync('npx', ['vite', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) log('warning: `vite build` failed; the kiosk and agent pages will answer 404 until it succeeds.');
}

async function listenHub(dataDir: string, port: number, quiet: boolean): Promise<Hub> {
  const opts = {
    dbPath: join(dataDir, 'hub.sqlite'),
    host: '127.0.0.1',
    agentStaticDir: join(repoRoot, 'dist/renderer/agent'),
    iceServers: [],
    logger: quiet ? false : { level: 'warn' },
    plugins: [ingestPlugin()],
  };
  try {
    return await createHub({ ...opts, port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    process.stderr.write(`port ${port} is busy; the hub takes a free port instead\n`);
    return createHub({ ...opts, port: 0 });
  }
}

/** First run: a demo agent and a demo kiosk; later runs reuse them (and heal a half-seeded .data). */
async function seed(hub: Hub, dataDir: string): Promise<{ agent: { username: string; password: string }; kioskConfigPath: string }> {
  const statePath = join(dataDir, 'demo.json');
  const state = readJson<DemoState>(statePath) ?? {};
  const suffix = () => randomBytes(3).toString('hex');
  if (!state.agent || !hub.db.agentByUsername(state.agent.username)) {
    // A leftover 'agent' whose password we no longer know gets a sibling rather than a reset.
    const username = hub.db.agentByUsername('agent') ? `agent-${suffix()}` : 'agent';
    const { password } = await createAgent(hub.db, { username, displayName: 'Agent de démonstration' });
    state.agent = { username, password };
    writePrivate(statePath, state);
  }

  const kioskDir = join(dataDir, 'kiosk');
  mkdirSync(kioskDir, { recursive: true });
  const kioskConfigPath = join(kioskDir, 'kiosk.json');
  const existing = readJson<{ kioskId?: string; public?: Record<string, unknown> }>(kioskConfigPath);
  if (existing?.kioskId && hub.db.kiosk(existing.kioskId) && existing.public && !existing.public.schedule) {
    // Demo state written before the demo was open all day: a newcomer in the evening or on a
    // weekend must still be able to try a visit.
    writePrivate(kioskConfigPath, { ...existing, public: { ...existing.public, schedule: allDaySchedule } });
  }
  if (!existing?.kioskId || !hub.db.kiosk(existing.kioskId)) {
    const kioskId = hub.db.kiosk('demo-kiosk') ? `demo-kiosk-${suffix()}` : 'demo-kiosk';
    const office = { fr: 'Bureau de Services Québec — Démonstration', en: 'Services Québec office — Demo' };
    // The production credential: the booth's key pair (made here, in its data dir), registered at the hub.
    const key = loadOrCreateKioskKey(kioskDir);
    registerKioskKey(hub.db, { kioskId, publicKey: key.publicKeyPem, name: 'Kiosque de démonstration', office: office.fr });
    writePrivate(kioskConfigPath, {
      hubUrl: hub.url,
      kioskId,
      dataDir: '.',
      devMode: false,
      // Open all day: the demo must work in the evening and on weekends too.
      public: { kioskName: 'Kiosque de démonstration', office, services: defaultServices, schedule: allDaySchedule, simulation: true },
    });
  }
  return { agent: state.agent, kioskConfigPath };
}

/** The Electron binary's path, or undefined when it is not installed (the npm package throws then). */
function electronBinary(): string | undefined {
  try {
    const p: unknown = createRequire(import.meta.url)('electron');
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Bundles the Electron entry (ESM) and the sandboxed preload (CJS, self-contained) into dist/electron. */
async function bundleElectron(): Promise<{ main: string; preload: string }> {
  const esbuild = await import('esbuild');
  const outDir = join(repoRoot, 'dist/electron');
  const main = join(outDir, 'main.mjs');
  const preload = join(outDir, 'preload.cjs');
  await esbuild.build({ entryPoints: [join(repoRoot, 'main/electron/entry.ts')], outfile: main, bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node22' });
  // A sandboxed preload can only require('electron'): everything else is inlined.
  await esbuild.build({ entryPoints: [join(repoRoot, 'preload/index.ts')], outfile: preload, bundle: true, platform: 'node', format: 'cjs', external: ['electron'], target: 'chrome130' });
  return { main, preload };
}

export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = resolve(opts.dataDir ?? process.env.VG_DATA_DIR ?? join(repoRoot, '.data'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (opts.build !== false) ensureRendererBuilt(say);

  const hub = await listenHub(dataDir, opts.hubPort ?? Number(process.env.VG_PORT ?? 8080), opts.quiet ?? false);
  const logger = (component: string) => (opts.quiet ? silentLogger : consoleLogger(component));
  let core: KioskCore | undefined;
  let runtime: BrowserRuntime | undefined;
  let electron: ChildProcess | undefined;
  const close = async () => {
    if (electron && electron.exitCode === null) {
      const proc = electron;
      await new Promise<void>((done) => {
        proc.once('exit', () => done());
        proc.kill('SIGTERM');
      });
    }
    await runtime?.close().catch(() => {});
    await core?.close().catch(() => {});
    await hub.close();
  };
  try {
    const { agent, kioskConfigPath } = await seed(hub, dataDir);
    // The hub port may differ from the one written at seeding time: the env override wins.
    const env = { ...process.env, VG_KIOSK_CONFIG: kioskConfigPath, VG_HUB_URL: hub.url };
    const config = loadKioskConfig({ file: kioskConfigPath, env });
    const agentUrl = `${hub.url}/agent/`;

    const electronPath = opts.noOpen || opts.noElectron ? undefined : electronBinary();
    if (electronPath) {
      const bundle = await bundleElectron();
      const args = [bundle.main, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
      electron = spawn(electronPath, args, {
        stdio: 'inherit',
        env: { ...env, VG_PRELOAD: bundle.preload, VG_RENDERER_DIR: join(repoRoot, 'dist/renderer') },
      });
      const proc = electron;
      const exited = new Promise<void>((done) => proc.once('exit', () => done()));
      return { kioskUrl: 'app://kiosk/', agentUrl, hubUrl: hub.url, agent, runtime: 'electron', exited, close };
    }

    // The demo booth has no USB peripherals: simulated twins stand in (technician panel drives them).
    core = await composeKiosk({ config, hardware: config.public.simulation ? 'simulated' : 'none', log: logger('kiosk') });
    runtime = await startBrowserRuntime({
      core,
      dataDir: config.dataDir,
      rendererDir: join(repoRoot, 'dist/renderer'),
      open: opts.noOpen ? false : opts.kioskMode ? 'kiosk' : 'app',
      ...(opts.kioskPort !== undefined ? { port: opts.kioskPort } : {}),
      // The demo's explicit opt-ins: a machine without camera/mic gets Chromium's fake ones, and
      // root (which Chromium will not sandbox) runs it unsandboxed. Production passes neither.
      chromium: { fakeMedia: true, noSandbox: process.getuid?.() === 0 },
      log: logger('runtime'),
    });
    return { kioskUrl: runtime.url, agentUrl, hubUrl: hub.url, agent, runtime: opts.noOpen ? 'none' : 'browser', close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}

export function parseArgs(argv: string[]): DemoOptions {
  const opts: DemoOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--no-open') opts.noOpen = true;
    else if (a === '--kiosk') opts.kioskMode = true;
    else if (a === '--no-electron') opts.noElectron = true;
    else if (a === '--port') opts.hubPort = Number(argv[++i]);
    else if (a.startsWith('--port=')) opts.hubPort = Number(a.slice('--port='.length));
    else if (a === '--kiosk-port') opts.kioskPort = Number(argv[++i]);
    else if (a.startsWith('--kiosk-port=')) opts.kioskPort = Number(a.slice('--kiosk-port='.length));
    else throw new Error(`unknown option ${a} (usage: ./vg start [--no-open] [--kiosk] [--no-electron] [--port N] [--kiosk-port N])`);
  }
  const isPort = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 0 && n < 65536);
  if (!isPort(opts.hubPort)) throw new Error('--port must be 0–65535');
  if (!isPort(opts.kioskPort)) throw new Error('--kiosk-port must be 0–65535');
  return opts;
}

async function main(): Promise<void> {
  const demo = await startDemo(parseArgs(process.argv.slice(2)));
  process.stdout.write(
    [
      '',
      'Visioguichet is running.',
      `  Kiosk (citizen screen): ${demo.kioskUrl}${demo.runtime === 'none' ? '   (no window: --no-open)' : ''}`,
      `  Agent console:          ${demo.agentUrl}`,
      `  Demo agent:             ${demo.agent.username} / ${demo.agent.password}`,
      `  Hub:                    ${demo.hubUrl}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write('forced exit\n');
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${signal}: stopping…\n`);
    demo.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  void demo.exited?.then(() => stop('kiosk window exited'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
