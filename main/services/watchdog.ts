// systemd's service watchdog for the kiosk's main process (units: build/systemd/*.service,
// Type=notify + WatchdogSec). Main says READY=1 once its services are up and then WATCHDOG=1 every
// WatchdogSec/2 from its own event loop, so a main whose loop is blocked (hung) stops pinging and
// systemd kills and restarts it.
//
// How the datagram is sent: the notify protocol is a datagram on an AF_UNIX socket and Node has no
// unix datagram sockets, so each message is sent by spawning `systemd-notify`. Consequences, checked
// on systemd 252 and written into the units:
// - the kiosk runs unprivileged, and the kernel refuses SCM_CREDENTIALS naming another pid without
//   CAP_SYS_ADMIN, so the message comes from systemd-notify's own pid: the units need
//   NotifyAccess=all (NotifyAccess=main would drop every ping from the kiosk user);
// - systemd-notify waits (BARRIER=1) until the manager has read the message, so the manager can still
//   attribute the short-lived sender to the unit's cgroup;
// - the spawn happens on main's event loop: a blocked loop spawns nothing, which is the point.
// NOTIFY_SOCKET and WATCHDOG_* are removed from process.env so Chromium and other children, which
// share the unit's cgroup, cannot ping on main's behalf.
import { spawn as nodeSpawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { Logger } from './log';
import { silentLogger } from './log';

/** What the watchdog needs from the process environment (systemd sets these in the unit). */
export interface WatchdogEnv {
  /** Path (or `@abstract` name) of the manager's notify socket; absent outside systemd. */
  NOTIFY_SOCKET?: string;
  /** WatchdogSec in microseconds; absent when the unit has no watchdog. */
  WATCHDOG_USEC?: string;
  /** The pid the watchdog is meant for (children that inherit the env must not act on it). */
  WATCHDOG_PID?: string;
}

export interface SystemdNotifierOptions {
  /** Environment to read and scrub (default process.env). */
  env?: WatchdogEnv & Record<string, string | undefined>;
  /** This process's pid (default process.pid). */
  pid?: number;
  /** systemd-notify binary (default `systemd-notify` on PATH). */
  notifyBin?: string;
  /** Process spawner (tests). */
  spawn?: (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;
  /** Timers (tests). */
  timers?: { setInterval: typeof setInterval; clearInterval: typeof clearInterval; setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
  /** Kills a systemd-notify that has not returned after this long (default 5 000 ms). */
  sendTimeoutMs?: number;
  /** Logger (default silent). */
  log?: Logger;
}

/** Talks to the service manager; every method is a no-op outside systemd. */
export interface SystemdNotifier {
  /** True when NOTIFY_SOCKET was set for this process. */
  readonly active: boolean;
  /** Ping interval in ms (WatchdogSec/2), or undefined when the unit has no watchdog for this pid. */
  readonly intervalMs: number | undefined;
  /** Pings sent so far (spawned systemd-notify processes carrying WATCHDOG=1). */
  readonly pings: number;
  /** Start-up finished: READY=1 (once) with a status line. */
  ready(status?: string): void;
  /** A free-text status line shown by `systemctl status`. */
  status(text: string): void;
  /** Shutting down: STOPPING=1, and pings stop. */
  stopping(): void;
  /** Stops pinging (no message). Idempotent. */
  close(): void;
}

/** Reads WATCHDOG_USEC/WATCHDOG_PID the way sd_watchdog_enabled() does: ms between pings, or undefined. */
export function watchdogIntervalMs(env: WatchdogEnv, pid: number): number | undefined {
  if (!env.WATCHDOG_USEC) return undefined;
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return undefined;
  // Half the period, as sd_watchdog_enabled(3) recommends; never a busy loop.
  return Math.max(1, Math.floor(usec / 2_000));
}

/**
 * Captures the manager's notify settings from the environment (and removes them from it), and
 * starts pinging the watchdog at once when the unit has one: start-up (opening the outbox, the hub
 * link) counts as alive too. Call `ready()` when the services are up.
 */
export function startSystemdNotifier(opts: SystemdNotifierOptions = {}): SystemdNotifier {
  const env = opts.env ?? (process.env as WatchdogEnv & Record<string, string | undefined>);
  const pid = opts.pid ?? process.pid;
  const log = opts.log ?? silentLogger;
  const spawn = opts.spawn ?? nodeSpawn;
  const timers = opts.timers ?? { setInterval, clearInterval, setTimeout, clearTimeout };
  const bin = opts.notifyBin ?? 'systemd-notify';
  const sendTimeoutMs = opts.sendTimeoutMs ?? 5_000;
  const socket = env.NOTIFY_SOCKET || undefined;
  const intervalMs = socket ? watchdogIntervalMs(env, pid) : undefined;
  delete env.NOTIFY_SOCKET;
  delete env.WATCHDOG_USEC;
  delete env.WATCHDOG_PID;

  let pings = 0;
  let closed = false;
  let readySent = false;
  /** At most one ping in flight: a manager that is slow to answer must not pile up processes. */
  let pingInFlight = false;
  let loggedFailure = false;

  const send = (lines: string[], onDone?: () => void): void => {
    if (!socket) return;
    let child: ChildProcess;
    try {
      // Only PATH and the socket: systemd-notify needs nothing else from our environment.
      child = spawn(bin, lines, { stdio: ['ignore', 'ignore', 'pipe'], env: { NOTIFY_SOCKET: socket, PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    } catch (err) {
      log.error({ err: String(err) }, 'systemd-notify could not be started');
      onDone?.();
      return;
    }
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 500) stderr += d.toString();
    });
    const kill = timers.setTimeout(() => child.kill('SIGKILL'), sendTimeoutMs);
    let finished = false;
    const finish = (ok: boolean, detail: Record<string, unknown>) => {
      if (finished) return;
      finished = true;
      timers.clearTimeout(kill);
      // One line per failure streak, not one every few seconds.
      if (!ok && !loggedFailure) log.error({ message: lines.join(' '), ...detail, stderr: stderr.trim() }, 'systemd notification failed');
      if (ok && loggedFailure) log.info('systemd notifications work again');
      loggedFailure = !ok;
      onDone?.();
    };
    child.on('error', (err) => finish(false, { err: err.message }));
    child.on('exit', (code, signal) => finish(code === 0, { code, signal }));
  };

  const ping = () => {
    if (closed || pingInFlight) return;
    pingInFlight = true;
    pings++;
    send(['WATCHDOG=1'], () => {
      pingInFlight = false;
    });
  };

  let timer: ReturnType<typeof setInterval> | undefined;
  if (intervalMs !== undefined) {
    timer = timers.setInterval(ping, intervalMs);
    // The watchdog alone must not keep a finished process alive.
    (timer as { unref?: () => void }).unref?.();
    log.info({ intervalMs }, 'systemd watchdog on');
  }

  const stop = () => {
    closed = true;
    if (timer !== undefined) timers.clearInterval(timer);
    timer = undefined;
  };

  return {
    active: socket !== undefined,
    intervalMs,
    get pings() {
      return pings;
    },
    ready(status = 'kiosk running') {
      if (readySent || closed) return;
      readySent = true;
      send(['--ready', `--status=${status}`]);
    },
    status(text) {
      if (!closed) send([`--status=${text}`]);
    },
    stopping() {
      if (closed) return;
      stop();
      send(['STOPPING=1']);
    },
    close: stop,
  };
}
