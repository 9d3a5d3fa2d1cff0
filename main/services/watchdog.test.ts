// The watchdog against a fake service manager: a real AF_UNIX datagram socket (Python, since Node
// has none) that reads what the real systemd-notify sends, the way systemd's notify socket does.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSystemdNotifier, watchdogIntervalMs } from './watchdog';
import { memoryLogger } from '../../common/log';

const repo = resolve(import.meta.dirname, '../..');

describe('watchdogIntervalMs', () => {
  it('is half of WATCHDOG_USEC, only for the pid systemd named', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 42)).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(15_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '41' }, 42)).toBeUndefined();
    expect(watchdogIntervalMs({}, 42)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }, 42)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '0' }, 42)).toBeUndefined();
  });
});

/** A spawn double: records argv/env, and exits each child when told. */
function fakeSpawn() {
  const calls: { cmd: string; args: string[]; env: Record<string, string | undefined>; child: ChildProcess & EventEmitter }[] = [];
  const fn = vi.fn((cmd: string, args: string[], opts: { env?: Record<string, string | undefined> }) => {
    const child = Object.assign(new EventEmitter(), { stderr: new EventEmitter(), kill: vi.fn() }) as unknown as ChildProcess & EventEmitter;
    calls.push({ cmd, args, env: opts.env ?? {}, child });
    return child;
  });
  return { fn, calls };
}

describe('startSystemdNotifier (spawn double, fake timers)', () => {
  afterEach(() => vi.useRealTimers());

  it('does nothing outside systemd', () => {
    const sp = fakeSpawn();
    const n = startSystemdNotifier({ env: {}, spawn: sp.fn as never });
    n.ready();
    n.status('x');
    n.stopping();
    expect(n.active).toBe(false);
    expect(sp.calls).toHaveLength(0);
  });

  it('scrubs the notify variables so children cannot ping for main, pings every WatchdogSec/2, READY once, STOPPING stops pings', () => {
    vi.useFakeTimers();
    const sp = fakeSpawn();
    const env: Record<string, string | undefined> = { NOTIFY_SOCKET: '/run/x/notify', WATCHDOG_USEC: '2000000', WATCHDOG_PID: '7', OTHER: 'kept' };
    const n = startSystemdNotifier({ env, pid: 7, spawn: sp.fn as never, timers: { setInterval, clearInterval, setTimeout, clearTimeout } });
    expect(env).toEqual({ OTHER: 'kept' });
    expect(n.intervalMs).toBe(1_000);
    vi.advanceTimersByTime(999);
    expect(sp.calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(sp.calls.map((c) => c.args)).toEqual([['WATCHDOG=1']]);
    expect(sp.calls[0]!.cmd).toBe('systemd-notify');
    expect(sp.calls[0]!.env.NOTIFY_SOCKET).toBe('/run/x/notify');
    sp.calls[0]!.child.emit('exit', 0, null);
    n.ready('up');
    n.ready('again');
    expect(sp.calls.slice(1).map((c) => c.args)).toEqual([['--ready', '--status=up']]);
    vi.advanceTimersByTime(1_000);
    expect(sp.calls.at(-1)!.args).toEqual(['WATCHDOG=1']);
    sp.calls.at(-1)!.child.emit('exit', 0, null);
    n.stopping();
    expect(sp.calls.at(-1)!.args).toEqual(['STOPPING=1']);
    const before = sp.calls.length;
    vi.advanceTimersByTime(10_000);
    expect(sp.calls).toHaveLength(before);
  });

  it('keeps one ping in flight, kills a systemd-notify that hangs, and logs a failure streak once', () => {
    vi.useFakeTimers();
    const sp = fakeSpawn();
    const log = memoryLogger();
    startSystemdNotifier({ env: { NOTIFY_SOCKET: '/s', WATCHDOG_USEC: '200000' }, pid: 1, spawn: sp.fn as never, sendTimeoutMs: 1_000, log });
    vi.advanceTimersByTime(1_000); // 10 ticks of 100 ms; the first ping (at 100 ms) never returns
    expect(sp.calls).toHaveLength(1);
    expect(sp.calls[0]!.child.kill).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(sp.calls[0]!.child.kill).toHaveBeenCalledWith('SIGKILL');
    sp.calls[0]!.child.emit('exit', null, 'SIGKILL');
    vi.advanceTimersByTime(100);
    expect(sp.calls).toHaveLength(2);
    sp.calls[1]!.child.emit('exit', 1, null);
    vi.advanceTimersByTime(100);
    sp.calls[2]!.child.emit('exit', 1, null);
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(1);
  });
});

// --- With the real systemd-notify and a real notify socket -------------------------------------

const RECEIVER = `
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print("LISTENING", flush=True)
while True:
    msg, anc, _flags, _addr = s.recvmsg(4096, socket.CMSG_SPACE(4 * 16) + socket.CMSG_SPACE(12))
    pid = 0
    for level, kind, data in anc:
        # BARRIER=1 carries a pipe: closing it is how the manager says "read".
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - len(data) % 4])
            for fd in fds:
                os.close(fd)
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = int.from_bytes(data[0:4], "little")
    print(pid, msg.decode().replace("\\n", "|"), flush=True)
`;

/** The "main": pings as the entry does, reports each ping it sends, then hangs its event loop for good. */
const MAIN = (modulePath: string) => `
import { startSystemdNotifier } from ${JSON.stringify(modulePath)};
const n = startSystemdNotifier();
n.ready('test main up');
const hangAfter = Number(process.env.HANG_AFTER_PINGS);
const t = setInterval(() => {
  process.stdout.write('PINGS ' + n.pings + '\\n');
  if (n.pings >= hangAfter) {
    clearInterval(t);
    process.stdout.write('HANGING ' + n.pings + '\\n', () => { for (;;) {} });
  }
}, 20);
`;

/** Lines a child prints on stdout, and a wait for one that matches. */
function lineReader(p: ChildProcess) {
  const seen: string[] = [];
  const waiters: { re: RegExp; done: (l: string) => void }[] = [];
  createInterface({ input: p.stdout! }).on('line', (l) => {
    seen.push(l);
    for (const w of waiters.splice(0)) {
      if (w.re.test(l)) w.done(l);
      else waiters.push(w);
    }
  });
  const waitFor = (re: RegExp, what: string, timeoutMs = 15_000) =>
    new Promise<string>((res, rej) => {
      const hit = seen.find((l) => re.test(l));
      if (hit) return res(hit);
      const timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}; saw ${JSON.stringify(seen.slice(-10))}`)), timeoutMs);
      waiters.push({ re, done: (l) => (clearTimeout(timer), res(l)) });
    });
  return { seen, waitFor };
}

describe('watchdog against a real notify socket', () => {
  const procs: ChildProcess[] = [];
  let dir: string | undefined;
  afterEach(() => {
    for (const p of procs.splice(0)) p.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('READY=1 then WATCHDOG=1 arrive from the running main; they stop for good when its event loop is blocked', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vg-watchdog-'));
    const sock = join(dir, 'notify');
    const rx = spawn('python3', ['-c', RECEIVER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(rx);
    const received = lineReader(rx);
    await received.waitFor(/^LISTENING$/, 'the receiver');

    writeFileSync(join(dir, 'main.ts'), MAIN(join(repo, 'main/services/watchdog.ts')));
    // 300 ms WatchdogSec → a ping every 150 ms.
    const main = spawn(process.execPath, ['--import', 'tsx', join(dir, 'main.ts')], {
      cwd: repo,
      env: { ...process.env, NOTIFY_SOCKET: sock, WATCHDOG_USEC: '300000', HANG_AFTER_PINGS: '5' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    procs.push(main);
    const out = lineReader(main);
    const hang = await out.waitFor(/^HANGING \d+$/, 'main to send its pings and hang');
    const sent = Number(hang.split(' ')[1]);
    expect(sent).toBeGreaterThanOrEqual(5);

    // Every ping main sent arrives (the last one may still be on its way)…
    await received.waitFor(new RegExp(`^\\d+ WATCHDOG=1$`), 'a first ping');
    const watchdogCount = () => received.seen.filter((l) => / WATCHDOG=1$/.test(l)).length;
    for (let i = 0; i < 100 && watchdogCount() < sent; i++) await new Promise((r) => setTimeout(r, 100));
    expect(received.seen.some((l) => / READY=1\|STATUS=test main up$/.test(l))).toBe(true);
    expect(watchdogCount()).toBe(sent);
    // …and none after: ten more periods of a blocked loop bring nothing (systemd would kill it here).
    await new Promise((r) => setTimeout(r, 1_500));
    expect(watchdogCount()).toBe(sent);
    expect(main.exitCode).toBeNull();
  });
});

describe('the browser-runtime entry under a (fake) service manager', () => {
  let dir: string | undefined;
  const procs: ChildProcess[] = [];
  afterEach(() => {
    for (const p of procs.splice(0)) p.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('says READY=1 once the runtime is up, pings, hides the socket from Chromium, and says STOPPING=1 on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vg-watchdog-entry-'));
    const sock = join(dir, 'notify');
    const rx = spawn('python3', ['-c', RECEIVER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
    procs.push(rx);
    const received = lineReader(rx);
    await received.waitFor(/^LISTENING$/, 'the receiver');
    // A stand-in Chromium that records its environment and stays up like a browser.
    const chromium = join(dir, 'chromium.sh');
    writeFileSync(chromium, `#!/bin/sh\nenv > '${dir}/chromium.env.tmp' && mv '${dir}/chromium.env.tmp' '${dir}/chromium.env'\nexec sleep 600\n`, { mode: 0o755 });
    const config = join(dir, 'kiosk.json');
    writeFileSync(config, JSON.stringify({ hubUrl: 'ws://127.0.0.1:9/ws', kioskId: 'watchdog-test', kioskSecret: 's'.repeat(24), dataDir: join(dir, 'data'), runtimePort: 0, public: { simulation: true } }));
    const entry = spawn(process.execPath, ['--import', 'tsx', 'main/runtime/entry.ts'], {
      cwd: repo,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        VG_KIOSK_CONFIG: config,
        VG_CHROMIUM: chromium,
        VG_RENDERER_DIR: join(repo, 'dist/renderer'),
        // CI runs as root; the entry refuses root without this development opt-in.
        VG_ALLOW_ROOT: '1',
        NOTIFY_SOCKET: sock,
        WATCHDOG_USEC: '1000000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    procs.push(entry);
    let log = '';
    entry.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await received.waitFor(/ READY=1\|STATUS=kiosk running \(browser runtime\)$/, 'READY=1 from the entry', 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\nentry log:\n${log.slice(-3000)}`);
    });
    expect(log).toContain('kiosk running (browser runtime)');
    await received.waitFor(/ WATCHDOG=1$/, 'a watchdog ping', 10_000);
    for (let i = 0; i < 100 && !existsSync(join(dir, 'chromium.env')); i++) await new Promise((r) => setTimeout(r, 100));
    const chromiumEnv = readFileSync(join(dir, 'chromium.env'), 'utf8');
    expect(chromiumEnv).not.toMatch(/^NOTIFY_SOCKET=/m);
    expect(chromiumEnv).not.toMatch(/^WATCHDOG_USEC=/m);
    const exit = new Promise<number | null>((r) => entry.once('exit', (code) => r(code)));
    entry.kill('SIGTERM');
    expect(await exit).toBe(0);
    await received.waitFor(/ STOPPING=1$/, 'STOPPING=1', 10_000);
  }, 90_000);
});
