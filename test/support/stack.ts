// A whole booth on loopback for E2E tests and benchmarks: a real hub (embedded SQLite, outbox ingest),
// agents and a kiosk seeded through the same functions the CLI uses, the kiosk's main services and
// its browser runtime (no window: Playwright opens the pages in Debian's Chromium).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { KioskPublicConfig, allDaySchedule } from '../../common/config';
import { memoryLogger } from '../../common/log';
import type { KioskConfig } from '../../main/services/config';
import type { WeeklySchedule } from '../../common/config';
import { composeKiosk } from '../../main/compose';
import { fakeMediaFlags, noSandboxFlag, productionChromiumFlags } from '../../main/runtime/chromium';
import { startBrowserRuntime, type BrowserRuntime } from '../../main/runtime/browser-runtime';
import type { KioskCore } from '../../main/services/core';
import { createAgent, createKiosk } from '../../server/accounts';
import { createHub, type Hub, type HubOptions } from '../../server/hub';
import { ingestPlugin } from '../../server/ingest/plugin';

export const repoRoot = resolve(import.meta.dirname, '../..');

/** Open every day, all day: call tests must not depend on the hour CI runs at. */
export const alwaysOpen: WeeklySchedule = allDaySchedule;
/** Closed every day. */
export const neverOpen: WeeklySchedule = { timeZone: 'America/Toronto', days: Array.from({ length: 7 }, () => []) };

export interface StackOptions {
  agents?: number;
  /** Overrides of the kiosk's public config (schedule defaults to always open). */
  publicConfig?: Record<string, unknown>;
  hub?: Partial<HubOptions>;
  /** USB peripherals: simulated twins (drive them with `core.handlers['hardware.sim.control']`) or none. */
  hardware?: 'simulated' | 'none';
  /** Built renderer to serve (default dist/renderer; the tap bench serves an older build beside it). */
  rendererDir?: string;
  /** What resets the page's pinch zoom at the end of a visit (the runtime's `resetZoom`; Playwright opens the page, so a test brings its own DevTools session). */
  resetZoom?: () => Promise<unknown>;
}

export interface Stack {
  /** The current hub (replaced by `startHub()` after `stopHub()`). */
  hub: Hub;
  core: KioskCore;
  runtime: BrowserRuntime;
  kioskUrl: string;
  agentUrl: string;
  agents: { username: string; password: string; displayName: string }[];
  dataDir: string;
  /** The kiosk's configuration as composed (to compose another core on the same dataDir, e.g. a restart). */
  kioskConfig: KioskConfig;
  /** Every log line so far, kiosk main (JSON of each line) and hub (its pino lines), for "never logged" checks. */
  logText(): string;
  /** Stops the hub (the kiosk sees a dead network; its database is kept). */
  stopHub(): Promise<void>;
  /** Starts the hub again on the same port with the same database. */
  startHub(): Promise<Hub>;
  close(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-stack-'));
  // Logs are kept (not printed): tests check what was, and what must never be, written there.
  const hubLines: string[] = [];
  const kioskLog = memoryLogger();
  const hubOptions: HubOptions = {
    dbPath: join(dataDir, 'hub.sqlite'),
    port: 0,
    agentStaticDir: join(repoRoot, 'dist/renderer/agent'),
    logger: { level: 'info', stream: { write: (line: string) => void hubLines.push(line) } },
    plugins: [ingestPlugin()],
    ...opts.hub,
  };
  let hub = await createHub(hubOptions);
  const port = Number(new URL(hub.url).port);
  let hubRunning = true;
  const agents: Stack['agents'] = [];
  for (let i = 1; i <= (opts.agents ?? 1); i++) {
    const displayName = `Agent ${i}`;
    const { password } = await createAgent(hub.db, { username: `agent${i}`, displayName });
    agents.push({ username: `agent${i}`, password, displayName });
  }
  const { secret } = await createKiosk(hub.db, { kioskId: 'kiosk-e2e', name: 'Kiosque E2E', office: 'Bureau de test' });
  const kioskConfig: KioskConfig = {
    public: KioskPublicConfig.parse({ kioskName: 'Kiosque E2E', schedule: alwaysOpen, ...opts.publicConfig }),
    hubUrl: hub.wsUrl,
    kioskId: 'kiosk-e2e',
    kioskSecret: secret,
    dataDir,
    devMode: false,
  };
  const core = await composeKiosk({ config: kioskConfig, hardware: opts.hardware ?? 'none', log: kioskLog });
  const runtime = await startBrowserRuntime({ core, dataDir, rendererDir: opts.rendererDir ?? join(repoRoot, 'dist/renderer'), open: false, log: kioskLog.child({ module: 'runtime' }), ...(opts.resetZoom ? { resetZoom: opts.resetZoom } : {}) });
  const stack: Stack = {
    hub,
    core,
    runtime,
    kioskUrl: runtime.url,
    agentUrl: `${hub.url}/agent/`,
    agents,
    dataDir,
    kioskConfig,
    logText: () => [...kioskLog.lines.map((l) => JSON.stringify(l)), ...hubLines].join('\n'),
    async stopHub() {
      if (!hubRunning) return;
      hubRunning = false;
      await hub.close();
    },
    async startHub() {
      if (hubRunning) return hub;
      hub = await createHub({ ...hubOptions, port });
      hubRunning = true;
      stack.hub = hub;
      return hub;
    },
    async close() {
      await runtime.close().catch(() => {});
      await core.close().catch(() => {});
      if (hubRunning) await hub.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Debian's Chromium with the tests' explicit opt-ins (fake camera/mic, no sandbox as root); background pages keep decoding (two pages side by side). */
export function launchTestBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.VG_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [noSandboxFlag, ...fakeMediaFlags, ...productionChromiumFlags, '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
  });
}

/** Logs an agent in and makes them available; resolves when the hub confirms. */
export async function agentReady(page: Page, url: string, agent: { username: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.getByTestId('login-username').fill(agent.username);
  await page.getByTestId('login-password').fill(agent.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('status-available').click();
  await page.waitForFunction(() => document.body.dataset.agentState === 'available');
}
