// Lockdown proven with a real window: Xvfb, openbox with the booth's configuration
// (build/session/openbox/rc.xml), and the kiosk opened the way the production entry opens it
// (startBrowserRuntime → Chromium --kiosk on loopback, supervised). A prankster's keyboard and mouse
// are xdotool (XTEST: the same path as a USB keyboard, so window-manager grabs apply). After each
// attempt the kiosk must still be the kiosk:
//   - X: one top-level window, the same one (no relaunch), Chromium's, full screen (state and
//     geometry), focused, with the kiosk page's title (a new tab would change it), no menu or popup;
//   - main: one bridge socket, no new page load (the page reports attract once per load), the visit
//     phase still attract, one Chromium launch.
// An escape can take Chromium a moment to show, so each check is held for a settle period
// (SETTLE_MS) and fails on the first deviation. The control case (the same checks with openbox's
// key bindings removed) proves they see an escape.
// Chromium runs as on a booth: as an unprivileged kiosk user, sandbox on, no fake media, with the
// booth's managed policy (URL allowlist of this runtime's origin and the hub, no devtools, no
// printing…) in a private mount namespace (test/support/production-chromium.ts). Difference: main
// runs in the test process (root) and hands the fresh profile to the kiosk user before each launch.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/stack';
import { BOOTH_OPENBOX_RC, startKioskWindow, startXSession, type KioskWindow, type XClient, type XSession } from '../support/xsession';

const SETTLE_MS = 1_500;

/** The kiosk as last seen settled: its window, and how many launches and phase reports main had seen. */
interface Baseline {
  win: XClient;
  launches: number;
  phases: number;
}

/** Waits for the current Chromium launch's window, full screen, whose page reported attract after `since`. */
async function waitForKiosk(x: XSession, k: KioskWindow, since = 0): Promise<Baseline> {
  await x.until(async () => k.launches.length > 0 && k.phases.some((p) => p.phase === 'attract' && p.at > since) && k.runtime.clients === 1, (ok) => ok, 'the page on attract with its bridge connected', 60_000);
  const [win] = await x.until(
    () => x.clients(),
    (c) => c.length === 1 && c[0]!.pid === k.launches.at(-1)!.pid && c[0]!.state.includes('_NET_WM_STATE_FULLSCREEN') && c[0]!.width === x.width && /Visioguichet/.test(c[0]!.name),
    'the kiosk window, full screen, with the kiosk page',
    60_000,
  );
  return { win: win!, launches: k.launches.length, phases: k.phases.length };
}

/**
 * After a relaunch: waits until the kiosk is back and then stays put for 5 s (main's page watch may
 * relaunch once more when the supervisor's own relaunch was slow), and returns that baseline.
 */
async function waitForStableKiosk(x: XSession, k: KioskWindow, since: number): Promise<Baseline> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const b = await waitForKiosk(x, k, since);
    await new Promise((r) => setTimeout(r, 5_000));
    if (k.launches.length === b.launches && k.phases.length === b.phases) return b;
    since = k.phases.at(-1)!.at - 1;
  }
  throw new Error(`the kiosk did not settle after a relaunch: ${k.launches.length} launches, phases ${JSON.stringify(k.phases.map((p) => p.phase))}`);
}

/**
 * Everything that must hold after an escape attempt; returns what differs (empty = still the kiosk).
 * `attract`: the page must not have moved at all. `interactive`: a touch may legitimately start a
 * visit, so the phase may change, but the page must not reload or reset (no second attract report).
 */
async function deviations(x: XSession, k: KioskWindow, base: Baseline, mode: 'attract' | 'interactive' = 'attract'): Promise<string[]> {
  const out: string[] = [];
  const clients = await x.clients();
  if (clients.length !== 1) out.push(`${clients.length} top-level windows: ${JSON.stringify(clients.map((c) => c.name))}`);
  const win = clients.find((c) => c.id === base.win.id);
  if (!win) out.push('the kiosk window is gone');
  else {
    if (win.pid !== base.win.pid) out.push(`window pid ${win.pid} != ${base.win.pid}`);
    if (win.name !== base.win.name) out.push(`window title "${win.name}" (was "${base.win.name}")`);
    if (!win.state.includes('_NET_WM_STATE_FULLSCREEN')) out.push(`not full screen: ${win.state.join(',')}`);
    if (win.x !== 0 || win.y !== 0 || win.width !== x.width || win.height !== x.height) out.push(`geometry ${win.width}x${win.height}+${win.x}+${win.y}`);
  }
  const active = await x.activeWindow();
  if (active !== base.win.id) out.push(`focus on 0x${active?.toString(16)}`);
  const popups = await x.popups();
  if (popups.length) out.push(`popup/menu on screen: ${JSON.stringify(popups)}`);
  if (k.runtime.clients !== 1) out.push(`${k.runtime.clients} bridge sockets`);
  if (mode === 'attract') {
    // One phase report, the attract of the page load: a reload or a visit reset would add another.
    if (k.phases.length !== base.phases) out.push(`phase reports ${JSON.stringify(k.phases.map((p) => p.phase))}`);
    if (k.stack.core.phase !== 'attract') out.push(`phase ${k.stack.core.phase}`);
  } else if (k.phases.slice(base.phases).some((p) => p.phase === 'attract')) {
    out.push(`back to attract (reload or reset): ${JSON.stringify(k.phases.map((p) => p.phase))}`);
  }
  if (k.launches.length !== base.launches) out.push(`${k.launches.length} Chromium launches`);
  return out;
}

/** Holds the checks for SETTLE_MS; resolves with the first deviations seen, or [] if none. */
async function settle(x: XSession, k: KioskWindow, base: Baseline, mode: 'attract' | 'interactive' = 'attract'): Promise<string[]> {
  const end = Date.now() + SETTLE_MS;
  do {
    const d = await deviations(x, k, base, mode);
    if (d.length) return d;
  } while (Date.now() < end);
  return [];
}

/** Keyboard escapes (xdotool key syntax) a citizen or a prankster would try, and their close relatives. */
const KEYS = [
  'alt+F4', 'ctrl+w', 'ctrl+F4', 'ctrl+shift+w', 'ctrl+shift+q', 'ctrl+n', 'ctrl+shift+n', 'ctrl+t', 'ctrl+shift+t', 'ctrl+Tab',
  'ctrl+l', 'alt+d', 'F6', 'ctrl+k', 'ctrl+shift+i', 'ctrl+shift+j', 'ctrl+shift+c', 'ctrl+u', 'F12', 'F11', 'ctrl+p', 'ctrl+o', 'ctrl+s',
  'ctrl+h', 'ctrl+j', 'alt+Tab', 'alt+Left', 'alt+Right', 'alt+Home', 'F5', 'ctrl+r', 'ctrl+shift+r', 'ctrl+plus', 'ctrl+equal',
  'ctrl+minus', 'ctrl+0', 'alt+f', 'alt+e', 'F10', 'shift+Escape', 'Menu', 'shift+F10', 'super', 'ctrl+shift+Delete',
];

describe('lockdown: the booth session (openbox rc.xml) under Xvfb', () => {
  let x: XSession;
  let k: KioskWindow;
  let base: Baseline;
  beforeAll(async () => {
    x = await startXSession();
    k = await startKioskWindow(x);
    base = await waitForKiosk(x, k);
  }, 90_000);
  afterAll(async () => {
    await k?.close();
    await x?.close();
  });

  it('starts as one full-screen Chromium window showing the kiosk page', async () => {
    expect(base.win.pid).toBe(k.launches[0]!.pid);
    expect(await deviations(x, k, base)).toEqual([]);
  });

  for (const key of KEYS) {
    it(`${key}: still the kiosk`, async () => {
      await x.key(key);
      expect(await settle(x, k, base)).toEqual([]);
    });
  }

  it('after all the keys and 10 s more: still the kiosk (an escape slower than the settle period shows here; the control took up to 7 s under load)', async () => {
    await new Promise((r) => setTimeout(r, 10_000));
    expect(await deviations(x, k, base)).toEqual([]);
  });

  it('right-click: no context menu', async () => {
    await x.xdotool('mousemove', String(x.width / 2), String(x.height / 2), 'click', '3');
    expect(await settle(x, k, base)).toEqual([]);
  });

  it('a middle click: no new tab', async () => {
    await x.xdotool('mousemove', String(x.width / 2), String(x.height / 2), 'click', '2');
    expect(await settle(x, k, base)).toEqual([]);
  });

  // From here on a touch starts a visit (the attract screen's job): the page may change phase,
  // but must not reload, reset, open anything or leave full screen.
  it('long press (1.2 s): no context menu, no reload', async () => {
    await x.xdotool('mousemove', String(x.width / 2), String(x.height / 3), 'mousedown', '1', 'sleep', '1.2', 'mouseup', '1');
    expect(await settle(x, k, base, 'interactive')).toEqual([]);
  });

  it('dragging across the page (text, images): nothing is dropped anywhere, no navigation', async () => {
    await x.xdotool('mousemove', String(x.width / 2), String(x.height / 3), 'mousedown', '1', 'mousemove', String(x.width / 2 + 40), String(x.height / 3 + 10), 'mousemove', '10', '10', 'mouseup', '1');
    expect(await settle(x, k, base, 'interactive')).toEqual([]);
  });

  it('a wheel with Ctrl held: no new window (zoom itself is checked in the page, below)', async () => {
    await x.xdotool('mousemove', String(x.width / 2), String(x.height / 2), 'keydown', 'ctrl', 'click', '4', 'click', '4', 'click', '5', 'keyup', 'ctrl');
    expect(await settle(x, k, base, 'interactive')).toEqual([]);
  });
});

describe('lockdown: control — the same checks without the booth key bindings see an escape', () => {
  let x: XSession;
  let k: KioskWindow;
  let base: Baseline;
  let dir: string;
  beforeAll(async () => {
    // The booth configuration with its <keyboard> section emptied: Chromium --kiosk on its own.
    dir = mkdtempSync(join(tmpdir(), 'vg-openbox-'));
    const rc = join(dir, 'rc.xml');
    writeFileSync(rc, readFileSync(BOOTH_OPENBOX_RC, 'utf8').replace(/<keyboard>[\s\S]*<\/keyboard>/, '<keyboard></keyboard>'));
    x = await startXSession({ openboxConfig: rc });
    k = await startKioskWindow(x);
    base = await waitForKiosk(x, k);
  }, 90_000);
  afterAll(async () => {
    await k?.close();
    await x?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // What the booth's grabs keep from happening, and the supervisor's answer if it happened anyway:
  // Alt+F4 reaches Chromium, which closes its window and exits; main relaunches it and the kiosk is
  // back, full screen, on attract (how long: ./vg bench lockdown).
  it('alt+F4 closes Chromium; the supervisor brings the kiosk back, full screen, on attract', async () => {
    const t0 = performance.now();
    await x.key('alt+F4');
    const d = await x.until(() => deviations(x, k, base), (v) => v.length > 0, 'Alt+F4 to close the window', 15_000);
    expect(d.join('; ')).toMatch(/window is gone|Chromium launches|top-level windows|0 bridge sockets/);
    base = await waitForStableKiosk(x, k, t0);
    expect(base.launches).toBeGreaterThanOrEqual(2);
    expect(await deviations(x, k, base)).toEqual([]);
  });

  // Chromium --kiosk with the booth policy still opens a "New Tab" over the kiosk page on Ctrl+T:
  // the window manager's grab is what stops it on the booth. (A positive check may wait longer.)
  it('ctrl+t puts a new tab over the kiosk page (the checks see it)', async () => {
    await x.key('ctrl+t');
    const d = await x.until(() => deviations(x, k, base), (v) => v.length > 0, 'the control escape to show', 15_000);
    // The new tab shows "New Tab" or, after a relaunch, the search engine's start page (blocked by policy).
    expect(d.join('; ')).toMatch(/window title|top-level windows/);
  });
});

// Script and links injected into the page. Running script in the kiosk page needs a way in that the
// booth does not have; this launch adds --remote-debugging-port=0 and, in its policy,
// DeveloperToolsAvailability=1 + RemoteDebuggingAllowed=true (the booth's value makes the page
// "not inspectable"); otherwise the same launch and policy as above. The test drives the page through it. Clicks are still real X input
// (xdotool), so Chromium sees user gestures, as it would from a citizen's finger.
describe('lockdown: page-initiated escapes (test launch with a DevTools port)', () => {
  let x: XSession;
  let k: KioskWindow;
  let base: Baseline;
  let browser: Browser;
  let page: Page;
  let cdp: string;
  beforeAll(async () => {
    x = await startXSession();
    k = await startKioskWindow(x, { cdp: true });
    base = await waitForKiosk(x, k);
    cdp = await k.cdpUrl();
    browser = await chromium.connectOverCDP(cdp);
    const kioskPage = () => browser.contexts().flatMap((c) => c.pages()).find((p) => p.url().startsWith(k.runtime.origin));
    await x.until(async () => kioskPage() !== undefined, (ok) => ok, `the kiosk page over CDP (pages: ${browser.contexts().flatMap((c) => c.pages()).map((p) => p.url()).join(', ')})`, 15_000);
    page = kioskPage()!;
    // A mark in this document: gone if the page reloads or navigates.
    await page.evaluate(() => ((window as unknown as { __vgMark: string }).__vgMark = 'kiosk-document'));
  }, 90_000);
  afterAll(async () => {
    await browser?.close().catch(() => {});
    await k?.close();
    await x?.close();
  });

  /** Page targets Chromium has (tabs, popups, devtools, print preview): only the kiosk page may exist. */
  const pageTargets = async () => ((await (await fetch(`${cdp}/json/list`)).json()) as { id: string; type: string; url: string }[]).filter((t) => t.type === 'page');
  // A failed case must not leave its tab over the kiosk for the next one.
  afterEach(async () => {
    for (const t of await pageTargets()) if (!t.url.startsWith(k.runtime.origin)) await fetch(`${cdp}/json/close/${t.id}`);
    await page.evaluate(() => document.getElementById('vg-injected')?.remove()).catch(() => {});
  });
  const inPage = async () => {
    const targets = await pageTargets();
    const extra = targets.filter((t) => !t.url.startsWith(k.runtime.origin));
    const doc = await page.evaluate(() => ({ mark: (window as unknown as { __vgMark?: string }).__vgMark, href: location.href, visible: document.visibilityState, dpr: window.devicePixelRatio, scale: window.visualViewport?.scale }));
    const out: string[] = [];
    if (targets.length !== 1) out.push(`${targets.length} page targets: ${JSON.stringify(targets.map((t) => t.url))}`);
    if (extra.length) out.push(`foreign page: ${JSON.stringify(extra.map((t) => t.url))}`);
    if (doc.mark !== 'kiosk-document') out.push('the kiosk document was replaced');
    if (!doc.href.startsWith(k.runtime.origin)) out.push(`page at ${doc.href}`);
    if (doc.visible !== 'visible') out.push(`page ${doc.visible}`);
    if (doc.dpr !== 1 || doc.scale !== 1) out.push(`zoomed: dpr ${doc.dpr}, scale ${doc.scale}`);
    return out;
  };
  const stillKiosk = async () => {
    const end = Date.now() + SETTLE_MS;
    do {
      const d = [...(await deviations(x, k, base, 'interactive')), ...(await inPage().catch((err: unknown) => [`page unreachable: ${String(err)}`]))];
      if (d.length) return d;
    } while (Date.now() < end);
    return [];
  };
  /** Puts a full-screen element on top of the kiosk page and clicks it for real (xdotool). */
  const injectAndClick = async (html: string, button = '1') => {
    await page.evaluate((h) => {
      const layer = document.createElement('div');
      layer.id = 'vg-injected';
      layer.style.cssText = 'position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:#fff;font-size:64px';
      layer.innerHTML = h;
      document.getElementById('vg-injected')?.remove();
      document.body.append(layer);
    }, html);
    await x.xdotool('mousemove', String(x.width / 2), String(x.height / 2), 'click', button);
  };

  it('window.open from script: nothing opens', async () => {
    const opened = await page.evaluate(() => window.open('http://example.invalid/', '_blank') !== null);
    expect(opened).toBe(false);
    expect(await stillKiosk()).toEqual([]);
  });

  it('window.open on a real tap: nothing opens', async () => {
    await injectAndClick('<button style="width:100vw;height:100vh" onclick="window.open(\'http://example.invalid/\')">open</button>');
    expect(await stillKiosk()).toEqual([]);
  });

  it('a target=_blank link tapped: no new tab or window', async () => {
    await injectAndClick('<a target="_blank" href="http://example.invalid/" style="display:block;width:100vw;height:100vh">link</a>');
    expect(await stillKiosk()).toEqual([]);
  });

  it('a link middle-clicked: no new tab', async () => {
    await injectAndClick('<a href="http://example.invalid/" style="display:block;width:100vw;height:100vh">link</a>', '2');
    expect(await stillKiosk()).toEqual([]);
  });

  it('a javascript: URL, tapped as a link or assigned by script (the CSP refuses it), never runs', async () => {
    const js = "javascript:document.documentElement.innerHTML='escaped';window.__vgMark='changed'";
    await injectAndClick(`<a href="${js}" style="display:block;width:100vw;height:100vh">js</a>`);
    expect(await stillKiosk()).toEqual([]);
    await page.evaluate((u) => {
      location.href = u;
    }, js);
    expect(await stillKiosk()).toEqual([]);
    // The script would have replaced the whole document (and the mark inPage checks).
    expect(await page.evaluate(() => document.getElementById('app') !== null)).toBe(true);
  });

  it('file:// navigations (script and a tapped link): refused, the kiosk page stays', async () => {
    await page.evaluate(() => {
      location.href = 'file:///etc/passwd';
    });
    expect(await stillKiosk()).toEqual([]);
    await injectAndClick('<a href="file:///etc/passwd" style="display:block;width:100vw;height:100vh">file</a>');
    expect(await stillKiosk()).toEqual([]);
  });

  it('a link dragged and dropped on the page: no navigation', async () => {
    await injectAndClick('<a href="http://example.invalid/" draggable="true" style="display:inline-block;width:400px;height:200px;background:#ccc">drag me</a>', '3');
    const cx = String(x.width / 2);
    const cy = String(x.height / 2);
    await x.xdotool('mousemove', cx, cy, 'mousedown', '1', 'mousemove', String(x.width / 2 + 20), String(x.height / 2 + 20), 'sleep', '0.2', 'mousemove', '100', '100', 'sleep', '0.2', 'mousemove', '60', '60', 'sleep', '0.2', 'mouseup', '1');
    expect(await stillKiosk()).toEqual([]);
  });

  it('a wheel with Ctrl held and pinch-zoom keys: the page is not zoomed', async () => {
    await page.evaluate(() => document.getElementById('vg-injected')?.remove());
    await x.xdotool('mousemove', String(x.width / 2), String(x.height / 2), 'keydown', 'ctrl', 'click', '4', 'click', '4', 'click', '4', 'keyup', 'ctrl');
    await x.key('ctrl+plus');
    expect(await stillKiosk()).toEqual([]);
  });

  it('a touch long-press (CDP touch events: Xvfb has no touch device): no context menu', async () => {
    const session = await page.context().newCDPSession(page);
    const point = { x: x.width / 2, y: x.height / 3 };
    await session.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
    await new Promise((r) => setTimeout(r, 1_200));
    await session.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await session.detach();
    expect(await stillKiosk()).toEqual([]);
  });
});

// The session script a booth runs after autologin (build/session/xinitrc), on a bare X display:
// it must turn blanking off, start openbox with the booth configuration, hand the display to the
// user's systemd and start the kiosk's session target, and stop it when the window manager ends.
// systemctl is a stand-in that records its arguments (no user manager in CI).
describe('the booth X session script (build/session/xinitrc)', () => {
  let x: XSession;
  let dir: string;
  beforeAll(async () => {
    x = await startXSession({ windowManager: false });
    dir = mkdtempSync(join(tmpdir(), 'vg-xinitrc-'));
  });
  afterAll(async () => {
    await x?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('no screen saver, openbox with the booth rc.xml, the session target started with the display, and stopped when openbox ends', async () => {
    const log = join(dir, 'systemctl.log');
    writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\necho "$*" >> '${log}'\n`, { mode: 0o755 });
    const script = spawn('sh', [join(repoRoot, 'build/session/xinitrc')], {
      env: { DISPLAY: x.display, HOME: dir, PATH: `${dir}:/usr/bin:/bin`, VG_SESSION_DIR: join(repoRoot, 'build/session') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    script.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => script.once('exit', (code) => r(code)));
    try {
      const calls = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
      await x.until(async () => calls(), (c) => c.includes('--user start visioguichet-session.target'), `the session target to be started (stderr: ${err})`);
      expect(calls().split('\n')[0]).toBe('--user import-environment DISPLAY XAUTHORITY');
      // Openbox is the window manager (its check window on the root), with the booth configuration.
      const xprop = (...args: string[]) => execFileSync('xprop', args, { env: { ...process.env, DISPLAY: x.display }, encoding: 'utf8' });
      const wmName = await x.until(
        async () => {
          const id = /window id # (0x[0-9a-f]+)/.exec(xprop('-root', '_NET_SUPPORTING_WM_CHECK'))?.[1];
          return id ? xprop('-id', id, '_NET_WM_NAME') : '';
        },
        (v) => v.includes('"Openbox"'),
        'openbox as the window manager',
      );
      expect(wmName).toContain('"Openbox"');
      const openbox = spawnSync('pgrep', ['-P', String(script.pid), '-x', 'openbox'], { encoding: 'utf8' }).stdout.trim();
      expect(openbox).toMatch(/^\d+$/);
      expect(readFileSync(`/proc/${openbox}/cmdline`, 'utf8').split('\0')).toEqual(['openbox', '--config-file', join(repoRoot, 'build/session/openbox/rc.xml'), '']);
      const q = execFileSync('xset', ['q'], { env: { ...process.env, DISPLAY: x.display }, encoding: 'utf8' });
      // Screen saver off and no blanking (Xvfb has no DPMS extension: the script's DPMS lines are a no-op here).
      expect(q).toMatch(/prefer blanking:\s+no/);
      expect(q).toMatch(/timeout:\s+0\s+cycle/);
      // The window manager ends (crash, or X going away): the kiosk's session is stopped and the script ends.
      process.kill(Number(openbox), 'SIGTERM');
      expect(await exited).toBe(0);
      expect(calls().trim().split('\n').at(-1)).toBe('--user stop visioguichet-session.target');
    } finally {
      if (script.exitCode === null) script.kill('SIGKILL');
    }
  });
});
