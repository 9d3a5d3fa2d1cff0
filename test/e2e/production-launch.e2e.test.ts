// The booth's production launch for real on this machine (which has no camera): the production
// entry (main/runtime/entry.ts) as the unprivileged kiosk user, Chromium --kiosk with its sandbox
// on, no fake media, the booth's managed policy (in a private mount namespace), under Xvfb with a
// window manager, against a real hub. Proves: the booth comes up and reports camera:missing; a
// citizen who starts a visit (taps sent with xdotool) gets the video-unavailable screen (phase
// `visit` at the hub; screenshots saved for a human); the renderer is sandboxed; a renderer that
// dies brings the booth back to attract on a relaunched Chromium. (SIGKILL, not SIGSEGV: Chromium's
// crash handler ignores a SEGV sent with kill(2) by another process, so most renderers survive it.)
// Tap coordinates come from the layout: the same renderer at the same viewport in the test browser.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KioskListResponse, type KioskHealthSnapshot } from '../../common/protocol';
import { boothPolicy, kioskOrigin } from '../../main/runtime/policy';
import { createAgent, createKiosk } from '../../server/accounts';
import { createHub, type Hub } from '../../server/hub';
import { ingestPlugin } from '../../server/ingest/plugin';
import { useE2ESession } from '../support/e2e';
import { ensureKioskUser, findProcesses, kioskOwnedDir, sandboxStatus, spawnWithPolicy, startXvfb, type PolicyProcess, type Xvfb } from '../support/production-chromium';
import { alwaysOpen, repoRoot } from '../support/stack';
import { freePort } from '../support/net';

const e2e = useE2ESession();
/** Screenshots for a human to look at (kept after the run). */
const shots = join(repoRoot, 'test-output', 'production-launch');


let x: Xvfb;
let hub: Hub;
let booth: PolicyProcess;
let dir: string;
let hubDir: string;
let token: string;
let user: ReturnType<typeof ensureKioskUser>;
let profile: string;
/** The attract screen's background, sampled in the first test (another screen, or a blank page, differs). */
let attractColour: string;
const colourAt = (img: { width: number; rgba: Buffer }, px: number, py: number) => img.rgba.subarray((py * img.width + px) * 4, (py * img.width + px) * 4 + 3).toString('hex');

async function kioskHealth(): Promise<KioskHealthSnapshot | null> {
  const res = await fetch(`${hub.url}/api/kiosks`, { headers: { authorization: `Bearer ${token}` } });
  const list = KioskListResponse.parse(await res.json()).kiosks;
  return list.find((k) => k.kioskId === 'kiosk-prod')?.health ?? null;
}

/** Polls the hub until the kiosk's latest health satisfies `pred`. */
async function healthWhere(pred: (h: KioskHealthSnapshot) => boolean, what: string, timeoutMs = 60_000): Promise<KioskHealthSnapshot> {
  let last: KioskHealthSnapshot | null = null;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    last = await kioskHealth();
    if (last && pred(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`hub never saw ${what}; last health: ${JSON.stringify(last)}\nbooth output:\n${booth.output().slice(-3000)}`);
}

/** The kiosk's Chromium processes (the browser and its children share the profile in argv). */
const chromiumProcs = (...more: string[]) => findProcesses(`--user-data-dir=${profile}`, ...more);

/** A hash of the screen, to tell that a tap changed it. */
function screenHash(name: string): string {
  const img = x.screenshot(join(shots, `${name}.png`));
  let h = 0;
  for (let i = 0; i < img.rgba.length; i += 97) h = (h * 31 + img.rgba[i]!) | 0;
  return String(h);
}

/** Taps a point and waits until the screen changed (a new screen ignores taps for a moment: retry). */
async function tap(name: string, at: { x: number; y: number }): Promise<void> {
  const before = screenHash(`${name}-before`);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    x.xdotool('mousemove', String(Math.round(at.x)), String(Math.round(at.y)), 'click', '1');
    // Give the tap time to show before tapping again (a second tap would land on the next screen).
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      if (screenHash(name) !== before) return;
    }
  }
  throw new Error(`tap on ${name} at ${at.x},${at.y} changed nothing on screen`);
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  user = ensureKioskUser();
  x = await startXvfb({ width: 1280, height: 800, windowManager: true });
  hubDir = mkdtempSync(join(tmpdir(), 'vg-prod-hub-'));
  hub = await createHub({ dbPath: join(hubDir, 'hub.sqlite'), port: 0, logger: false, plugins: [ingestPlugin()], agentStaticDir: join(repoRoot, 'dist/renderer/agent') });
  const { password } = await createAgent(hub.db, { username: 'tech', displayName: 'Technicien' });
  const { secret } = await createKiosk(hub.db, { kioskId: 'kiosk-prod', name: 'Kiosque production', office: 'Bureau de test' });
  const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tech', password }) });
  token = String(((await login.json()) as { token: string }).token);

  dir = kioskOwnedDir(user, 'vg-prod-kiosk-');
  profile = join(dir, 'data', 'chromium-profile');
  const port = await freePort();
  const config = join(dir, 'kiosk.json');
  // Written as root, readable by the kiosk user (0644 in a 0700 directory it owns).
  writeFileSync(
    config,
    JSON.stringify({ hubUrl: hub.url, kioskId: 'kiosk-prod', kioskSecret: secret, dataDir: join(dir, 'data'), runtimePort: port, healthIntervalMs: 1_000, public: { schedule: alwaysOpen, simulation: false } }),
    { mode: 0o644 },
  );
  booth = spawnWithPolicy({
    policy: boothPolicy({ kioskOrigin: kioskOrigin(port), hubUrl: hub.url }),
    user,
    command: [process.execPath, '--import', 'tsx', 'main/runtime/entry.ts'],
    env: { PATH: '/usr/bin:/bin', HOME: dir, DISPLAY: x.display, VG_KIOSK_CONFIG: config, VG_RENDERER_DIR: join(repoRoot, 'dist/renderer') },
    cwd: repoRoot,
  });
}, 60_000);

afterAll(async () => {
  await booth?.close();
  await hub?.close();
  await x?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(hubDir, { recursive: true, force: true });
}, 30_000);

describe('production launch (kiosk user, sandbox, policy, no camera)', () => {
  it('comes up at attract and reports camera:missing to the hub', async () => {
    const h = await healthWhere((s) => s.phase === 'attract' && s.problems.includes('camera:missing'), 'phase attract with camera:missing', 90_000);
    expect(h.camera).toMatchObject({ verdict: 'missing', ok: false });
    // Painted: the page's background, not Chromium's blank one.
    await vi.waitFor(() => expect(colourAt(x.screenshot(join(shots, '1-attract.png')), 40, x.height / 2)).not.toBe('f5f4f2'), { timeout: 30_000, interval: 500 });
    attractColour = colourAt(x.screenshot(join(shots, '1-attract.png')), 40, x.height / 2);
  });

  it('runs Chromium as the kiosk user with its sandbox: renderers seccomp-filtered in their own PID namespace', () => {
    const all = chromiumProcs();
    expect(all.length).toBeGreaterThan(0);
    for (const p of all) {
      expect(p.argv.join(' ')).not.toMatch(/--no-sandbox|--use-fake-|--remote-debugging-port|--remote-debugging-address|--disable-web-security/);
      expect(sandboxStatus(p.pid).uid).toBe(user.uid);
    }
    const renderers = chromiumProcs('--type=renderer').map((p) => sandboxStatus(p.pid));
    expect(renderers.length).toBeGreaterThan(0);
    for (const r of renderers) expect(r.nestedPidNs).toBe(true);
    expect(renderers.some((r) => r.seccomp === 2)).toBe(true);
  });

  it('a citizen who starts a visit without a camera gets the video-unavailable screen', async () => {
    // Where the buttons are: the same renderer, same viewport, in the test browser (a stack of its own).
    const layout = await e2e.stack();
    const page = await (await e2e.context({ width: x.width, height: x.height })).newPage();
    await page.goto(layout.kioskUrl);
    const centre = async (testId: string) => {
      const el = page.getByTestId(testId);
      await el.waitFor();
      const b = (await el.boundingBox())!;
      await el.click();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    const steps: [string, string][] = [
      ['2-language', 'attract-start'],
      ['3-service', 'lang-fr'],
      ['4-visit-kind', 'service-emploi'],
      ['5-consent', 'visit-walkin'],
      ['6-after-consent', 'consent-accept'],
    ];
    for (const [shot, testId] of steps) await tap(shot, await centre(testId));
    const h = await healthWhere((s) => s.phase === 'visit', 'phase visit', 30_000);
    expect(h.problems).toContain('camera:missing');
    // The screenshot of the video-unavailable screen, for a human: test-output/production-launch/7-video-unavailable.png
    await new Promise((r) => setTimeout(r, 1_000));
    expect(colourAt(x.screenshot(join(shots, '7-video-unavailable.png')), 40, x.height / 2)).not.toBe(attractColour);
  });

  it('a renderer that dies mid-visit: the visit is reset and the booth is back at attract on a relaunched Chromium', async () => {
    const browserPid = chromiumProcs().map((p) => p.pid).sort((a, b) => a - b)[0]!;
    const renderers = chromiumProcs('--type=renderer');
    expect(renderers.length).toBeGreaterThan(0);
    for (const r of renderers) process.kill(r.pid, 'SIGKILL');
    await healthWhere((s) => s.phase === 'attract', 'phase attract after the renderer crash', 60_000);
    await vi.waitFor(() => expect(chromiumProcs('--type=renderer').length, booth.output().slice(-3000)).toBeGreaterThan(0), { timeout: 30_000, interval: 200 });
    expect(chromiumProcs().some((p) => p.pid === browserPid)).toBe(false);
    expect(booth.output()).toContain('kiosk page lost; resetting the visit and relaunching Chromium');
    // The relaunched page has painted the attract screen again (test-output/production-launch/8-back-at-attract.png).
    await vi.waitFor(() => expect(colourAt(x.screenshot(join(shots, '8-back-at-attract.png')), 40, x.height / 2)).toBe(attractColour), { timeout: 30_000, interval: 500 });
  });

  it('a renderer that hangs (stopped, socket still open): the page watch relaunches Chromium and attract comes back', async () => {
    const browserPid = chromiumProcs().map((p) => p.pid).sort((a, b) => a - b)[0]!;
    const frozen = chromiumProcs('--type=renderer').map((p) => p.pid);
    expect(frozen.length).toBeGreaterThan(0);
    // SIGSTOP: the page's event loop stops (no heartbeat), but its WebSocket stays open in the network service.
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      await vi.waitFor(() => expect(booth.output()).toContain('"reason":"page_hung"'), { timeout: 40_000, interval: 250 });
      await vi.waitFor(() => expect(chromiumProcs().some((p) => p.pid === browserPid)).toBe(false), { timeout: 10_000, interval: 200 });
      // The frozen page's last frame went with its window; then the relaunched page paints attract.
      await vi.waitFor(() => expect(colourAt(x.screenshot(join(shots, '9-after-hang.png')), 40, x.height / 2)).not.toBe(attractColour), { timeout: 10_000, interval: 100 });
      await vi.waitFor(() => expect(colourAt(x.screenshot(join(shots, '9-after-hang.png')), 40, x.height / 2)).toBe(attractColour), { timeout: 40_000, interval: 500 });
    } finally {
      // A stopped process ignores everything but SIGKILL.
      for (const pid of frozen) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
});
