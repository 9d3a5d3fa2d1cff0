// A booth, a hub and agents split across network namespaces, for call-fault tests and the faults bench:
// the hub is its own process inside the 'hub' namespace (so it can be killed with SIGKILL and started
// again on the same database), agents' Chromium runs inside the 'agent' namespace, and the booth
// (kiosk main services, browser runtime and its Chromium) stays in the root namespace, reaching the
// others through the lab's gateway. A "kiosk blackout" drops every packet between the booth and the
// rest (hub link and media alike); renumbering the agent moves its address mid-call.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { KioskPublicConfig } from '../../common/config';
import { memoryLogger } from '../../common/log';
import { composeKiosk } from '../../main/compose';
import { fakeMediaFlags, noSandboxFlag, productionChromiumFlags } from '../../main/runtime/chromium';
import { startBrowserRuntime, type BrowserRuntime } from '../../main/runtime/browser-runtime';
import type { KioskCore } from '../../main/services/core';
import { createAgent, createKiosk } from '../../server/accounts';
import { createHub } from '../../server/hub';
import { createNetLab, type NetLab } from './netns';
import { alwaysOpen, repoRoot } from './stack';

const HUB_PORT = 7443; // inside the hub's own namespace: nothing else listens there

export interface FaultStack {
  lab: NetLab;
  hubUrl: string;
  kioskUrl: string;
  agents: { username: string; password: string }[];
  core: KioskCore;
  runtime: BrowserRuntime;
  /** The kiosk's browser (root namespace). */
  kioskBrowser: Browser;
  /** The agents' browser (agent namespace). */
  agentBrowser: Browser;
  /** Hub process output so far. */
  hubLog(): string;
  /** SIGKILL to the hub process (no goodbye on any socket). */
  killHub(): Promise<void>;
  /** Starts the hub process again on the same database and port; resolves once it listens. */
  startHub(): Promise<void>;
  /** Drops every packet between the booth and the others (hub and agent), or ends it. */
  kioskBlackout(on: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultStack(opts: { agents?: number } = {}): Promise<FaultStack> {
  const dir = mkdtempSync(join(tmpdir(), 'vg-faults-'));
  const dbPath = join(dir, 'hub.sqlite');
  const lab = await createNetLab({ hosts: ['hub', 'agent'], gateway: true });
  const hubIp = lab.hosts.hub!.ip;
  const hubUrl = `http://${hubIp}:${HUB_PORT}`;
  const cleanups: (() => Promise<unknown>)[] = [async () => lab.teardown(), async () => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  };
  try {
    // Accounts are written by an in-process hub on the same file, closed before the real one starts.
    const seed = await createHub({ dbPath, port: 0 });
    const agents: FaultStack['agents'] = [];
    for (let i = 1; i <= (opts.agents ?? 1); i++) {
      const { password } = await createAgent(seed.db, { username: `agent${i}`, displayName: `Agent ${i}` });
      agents.push({ username: `agent${i}`, password });
    }
    const { secret } = await createKiosk(seed.db, { kioskId: 'kiosk-faults', name: 'Kiosque pannes', office: 'Bureau de test' });
    await seed.close();

    const configFile = join(dir, 'hub.json');
    writeFileSync(configFile, JSON.stringify({ agentStaticDir: join(repoRoot, 'dist/renderer/agent'), ringTimeoutMs: 30_000, logLevel: 'info' }));
    let hub: ChildProcess | undefined;
    let hubOut = '';
    const startHub = async (): Promise<void> => {
      const child = lab.spawn('hub', process.execPath, ['--import', 'tsx', join(repoRoot, 'server/main.ts')], {
        cwd: repoRoot,
        env: { ...process.env, VG_HUB_CONFIG: configFile, VG_HUB_DB: dbPath, VG_HUB_PORT: String(HUB_PORT), VG_HUB_HOST: '0.0.0.0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      hub = child;
      const from = hubOut.length;
      await new Promise<void>((resolve, reject) => {
        // Generous: tsx compiles the hub at each start, and a loaded CI machine is slow at it.
        const timer = setTimeout(() => reject(new Error(`hub did not start in 120 s:\n${hubOut.slice(-2000)}`)), 120_000);
        const onData = (b: Buffer) => {
          hubOut += b.toString();
          if (hubOut.slice(from).includes('hub listening on')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', (b: Buffer) => (hubOut += b.toString()));
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`hub exited ${code}:\n${hubOut.slice(-2000)}`));
        });
      }).catch((e: unknown) => {
        child.kill('SIGKILL');
        throw e;
      });
    };
    const killHub = async (): Promise<void> => {
      const child = hub;
      hub = undefined;
      if (!child || child.exitCode !== null) return;
      // `ip netns exec` execs node in place, so this pid is the hub itself.
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    };
    cleanups.push(killHub);
    await startHub();

    const dataDir = join(dir, 'kiosk');
    const kioskLog = memoryLogger();
    const core = await composeKiosk({
      config: {
        public: KioskPublicConfig.parse({
          kioskName: 'Kiosque pannes',
          schedule: alwaysOpen,
          timers: { idleMs: 600_000, idleCountdownMs: 15_000, waitTimeoutMs: 600_000, thankYouMs: 1_500, declinedMs: 2_000 },
        }),
        hubUrl: `ws://${hubIp}:${HUB_PORT}/ws`,
        kioskId: 'kiosk-faults',
        kioskSecret: secret,
        dataDir,
        devMode: false,
      },
      hardware: 'none',
      log: kioskLog,
    });
    cleanups.push(() => core.close());
    const runtime = await startBrowserRuntime({ core, dataDir, rendererDir: join(repoRoot, 'dist/renderer'), open: false, log: kioskLog.child({ module: 'runtime' }) });
    cleanups.push(() => runtime.close());
    const chromiumPath = process.env.VG_CHROMIUM ?? '/usr/bin/chromium';
    const kioskBrowser = await launchLabBrowser(chromiumPath);
    cleanups.push(() => kioskBrowser.close());
    // The console is served over plain HTTP on the lab's address (production has TLS): camera and
    // microphone need a secure context, so the tests name this origin as one.
    const agentBrowser = await launchLabBrowser(lab.wrapper('agent', chromiumPath), [`--unsafely-treat-insecure-origin-as-secure=${hubUrl}`]);
    cleanups.push(() => agentBrowser.close());
    const gw = lab.gatewayIp!;
    return {
      lab,
      hubUrl,
      kioskUrl: runtime.url,
      agents,
      core,
      runtime,
      kioskBrowser,
      agentBrowser,
      hubLog: () => hubOut,
      killHub,
      startHub,
      async kioskBlackout(on) {
        // The booth is the root namespace: cut it at the other end of each path (both directions).
        for (const host of ['hub', 'agent']) {
          const spec = (chain: string, flag: string) => [chain, flag, gw, '-j', 'DROP'];
          for (const [chain, flag] of [['INPUT', '-s'], ['OUTPUT', '-d']] as const) {
            await lab.run(host, 'iptables', [on ? '-I' : '-D', ...spec(chain, flag)]);
          }
        }
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The tests' Chromium, plus real host addresses in ICE candidates: Chromium hides them behind mDNS names
 * by default, and multicast name lookups do not cross namespaces (an office LAN resolves them, or TURN
 * carries the call). One --disable-features list, since Chromium reads only the last such flag.
 */
function launchLabBrowser(executablePath: string, extra: string[] = []): Promise<Browser> {
  const disabled = ['WebRtcHideLocalIpsWithMdns'];
  const flags = productionChromiumFlags.filter((f) => {
    if (!f.startsWith('--disable-features=')) return true;
    disabled.push(...f.slice('--disable-features='.length).split(','));
    return false;
  });
  return chromium.launch({
    executablePath,
    headless: true,
    args: [noSandboxFlag, ...fakeMediaFlags, ...flags, `--disable-features=${disabled.join(',')}`, '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows', ...extra],
  });
}

/** attract → language → service → walk-in → consent → device check → waiting. */
export async function walkIn(k: Page): Promise<void> {
  const screen = (name: string) => k.getByTestId(`screen-${name}`).waitFor({ timeout: 20_000 });
  await k.getByTestId('attract-start').click();
  await screen('language');
  await k.getByTestId('lang-fr').click();
  await screen('service');
  await k.getByTestId('service-emploi').click();
  await screen('visitType');
  await k.getByTestId('visit-walkin').click();
  await screen('consent');
  await k.getByTestId('consent-accept').click();
  await screen('deviceCheck');
  await k.waitForSelector('[data-testid="devices-continue"]:not([disabled])');
  await k.getByTestId('devices-continue').click();
  await screen('waiting');
}

export interface OpenCall {
  kiosk: Page;
  agent: Page;
  callId: string;
  close(): Promise<void>;
}

/** A connected call with video decoding both ways (agent `agentIndex` answers); throws with both sides' state otherwise. */
export async function openCall(s: FaultStack, agentIndex = 0): Promise<OpenCall> {
  const agentCtx = await s.agentBrowser.newContext({ viewport: { width: 1280, height: 900 } });
  const kioskCtx = await s.kioskBrowser.newContext({ viewport: { width: 1280, height: 900 } });
  const close = async () => {
    await agentCtx.close().catch(() => {});
    await kioskCtx.close().catch(() => {});
  };
  try {
    const agent = await agentCtx.newPage();
    const agentLog: string[] = [];
    agent.on('console', (m) => agentLog.push(m.text()));
    await agent.goto(`${s.hubUrl}/agent/`);
    await agent.getByTestId('login-username').fill(s.agents[agentIndex]!.username);
    await agent.getByTestId('login-password').fill(s.agents[agentIndex]!.password);
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('status-available').click();
    await agent.waitForFunction(() => document.body.dataset.agentState === 'available');
    const kiosk = await kioskCtx.newPage();
    await kiosk.goto(s.kioskUrl);
    await kiosk.getByTestId('screen-attract').waitFor({ timeout: 20_000 });
    await walkIn(kiosk);
    await agent.getByTestId('ring-accept').click();
    await kiosk.getByTestId('screen-inCall').waitFor({ timeout: 20_000 });
    try {
      await agent.waitForFunction(() => document.body.dataset.agentState === 'in_call', undefined, { timeout: 15_000 });
      for (const p of [kiosk, agent]) await p.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 10, undefined, { timeout: 30_000 });
    } catch (e) {
      const state = {
        agent: await agent.evaluate(() => ({ ...document.body.dataset })),
        agentPeer: await agent.getByTestId('peer-state').getAttribute('data-state').catch(() => null),
        kioskCall: await kiosk.getByTestId('call-state').getAttribute('data-call-state').catch(() => null),
        frames: [await framesOf(kiosk), await framesOf(agent)],
        agentLog: agentLog.slice(-10),
      };
      throw new Error(`no call with video both ways: ${JSON.stringify(state)}`, { cause: e });
    }
    const callId = await agent.evaluate(() => document.querySelector<HTMLElement>('[data-call-id]')?.dataset.callId ?? '');
    if (!callId) throw new Error('the agent console shows no call id');
    return { kiosk, agent, callId, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Decoded frames of the `<video>` with this test id (requestVideoFrameCallback's source: the playback quality counter). */
export function framesOf(p: Page, testid = 'remote-video'): Promise<number> {
  return p.evaluate((id) => document.querySelector<HTMLVideoElement>(`[data-testid="${id}"]`)?.getVideoPlaybackQuality().totalVideoFrames ?? 0, testid);
}

/**
 * Samples a page's decoded frame count every `everyMs` until `stop()`; `gaps()` returns the longest time
 * (ms) without a new frame, and `firstNewAfter(t)` the time of the first new frame after instant `t`.
 */
export function frameSampler(p: Page, everyMs = 250) {
  const samples: { t: number; frames: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        samples.push({ t: Date.now(), frames: await framesOf(p) });
      } catch {
        // page closing
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    samples,
    async stop() {
      running = false;
      await loop;
    },
    /** Longest stretch (ms) between two samples where the count did not grow, within [from, to]. */
    longestStall(from = 0, to = Infinity): number {
      let worst = 0;
      let since: number | undefined;
      let last: number | undefined;
      for (const s of samples) {
        if (s.t < from || s.t > to) continue;
        if (last !== undefined && s.frames > last) since = s.t;
        since ??= s.t;
        worst = Math.max(worst, s.t - since);
        last = s.frames;
      }
      return worst;
    },
    /** First sample after `t` whose count is above the count at `t` (ms after t), or null. */
    firstNewAfter(t: number): number | null {
      const base = [...samples].reverse().find((s) => s.t <= t)?.frames ?? 0;
      const next = samples.find((s) => s.t > t && s.frames > base);
      return next ? next.t - t : null;
    },
  };
}
