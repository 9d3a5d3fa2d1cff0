// Real network faults for tests: each party (hub, kiosk, agent, a TURN relay …) lives in its own Linux
// network namespace, all joined by one bridge, so a test can cut, blackout or renumber one party while the
// others keep running. No netem here: faults are iptables drops, link down/up and address changes.
//
// Needs root, `ip` (iproute2) and `iptables` (scripts/setup.sh installs them). Every lab is named after the
// test process's pid, so parallel test files never collide and `sweepStaleLabs()` can remove what a killed
// run left behind. Always `await lab.teardown()` in afterAll (it is idempotent and bounded).
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A command run for the lab failed (the message carries the command and its stderr). */
export class NetLabError extends Error {
  readonly code = 'NETLAB_COMMAND_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'NetLabError';
  }
}

export interface NetHost {
  /** Name the test uses ('hub', 'kiosk', …). */
  name: string;
  /** The namespace's name (for `ip netns exec`). */
  ns: string;
  /** Current IPv4 address on the lab's bridge (changes with `renumber`). */
  ip: string;
  /** The veth end left in the root namespace (plugged into the bridge). */
  hostVeth: string;
}

export interface NetLabOptions {
  /** Parties to create, in order; each gets the next address in the lab's /24. */
  hosts: string[];
  /**
   * Give the bridge an address in the root namespace (the `.1`) and make it every party's default route,
   * so processes left in the root namespace (the test runner itself) reach the parties and back.
   */
  gateway?: boolean;
  /** Third byte source for the lab's 10.x.y.0/24 (default: from the pid and a counter). */
  subnet?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export interface NetLab {
  hosts: Record<string, NetHost>;
  /** Bridge name in the root namespace. */
  bridge: string;
  /** The gateway address (root namespace side of the bridge) when `gateway` was asked for. */
  gatewayIp: string | null;
  /** The lab's prefix, e.g. '10.123.45' (hosts are .10, .11, …; spare addresses from .100). */
  prefix: string;
  /** Runs a command inside a party's namespace and waits for it (throws NetLabError on non-zero exit). */
  run(host: string, cmd: string, args?: string[], timeoutMs?: number): Promise<RunResult>;
  /** Starts a long-running process inside a party's namespace (the caller kills it). */
  spawn(host: string, cmd: string, args?: string[], opts?: SpawnOptions): ChildProcess;
  /**
   * Writes an executable wrapper that runs `target` inside the party's namespace with the arguments it was
   * given (stdin/stdout and inherited fds pass through, so playwright-core's pipe transport works):
   * `chromium.launch({ executablePath: lab.wrapper('kiosk', '/usr/bin/chromium') })`.
   */
  wrapper(host: string, target: string): string;
  /** Drops every packet between two parties (both directions, in `a`'s namespace); idempotent. */
  block(a: string, b: string): Promise<void>;
  /** Removes what `block(a, b)` added. */
  unblock(a: string, b: string): Promise<void>;
  /** Drops every packet in and out of a party except its loopback: the office's network is gone, links stay up. */
  blackout(host: string): Promise<void>;
  /** Ends a blackout. */
  restore(host: string): Promise<void>;
  /** Takes the party's interface down (its routes go with it) … */
  linkDown(host: string): Promise<void>;
  /** … and up again (the default route comes back when the lab has a gateway). */
  linkUp(host: string): Promise<void>;
  /** Moves the party to a new address (the old one is removed: open sockets on it break, as in a DHCP renumbering). */
  renumber(host: string, newIp?: string): Promise<string>;
  /** Deletes namespaces, veths, bridge and wrapper scripts. Never throws; safe to call twice. */
  teardown(): Promise<void>;
}

let labCounter = 0;

function sh(cmd: string, args: string[], timeoutMs = 10_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new NetLabError(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve({ stdout, stderr });
    });
  });
}

const ip = (...args: string[]) => sh('ip', args);

/** Whether this machine can build labs (root, ip, iptables, namespaces allowed). */
export async function netLabAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await sh('iptables', ['--version']);
    const probe = `vg-probe-${process.pid}`;
    await ip('netns', 'add', probe);
    await ip('netns', 'del', probe);
    return true;
  } catch {
    return false;
  }
}

/** Removes namespaces and bridges left by test processes that no longer exist. */
export async function sweepStaleLabs(): Promise<void> {
  const { stdout } = await ip('netns', 'list').catch(() => ({ stdout: '' }));
  const dead = new Set<string>();
  for (const line of stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = /^vg-(\d+)-([0-9a-z]+)-/.exec(name);
    if (!m) continue;
    if (!pidAlive(Number(m[1]))) {
      await ip('netns', 'del', name).catch(() => {});
      dead.add(`vgb${Number(m[1]).toString(36)}${m[2]}`);
    }
  }
  for (const br of dead) await ip('link', 'del', br).catch(() => {});
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function createNetLab(opts: NetLabOptions): Promise<NetLab> {
  await sweepStaleLabs();
  const n = (labCounter++).toString(36);
  const pid36 = process.pid.toString(36);
  // Interface names are at most 15 bytes: 'vgb' + pid in base 36 (≤ 5) + counter.
  const bridge = `vgb${pid36}${n}`;
  const prefix = opts.subnet ?? `10.${100 + (process.pid % 100)}.${(labCounter * 7 + (process.pid >> 7)) % 250}`;
  const gatewayIp = opts.gateway ? `${prefix}.1` : null;
  const hosts: Record<string, NetHost> = {};
  const wrappersDir = mkdtempSync(join(tmpdir(), 'vg-netns-'));
  let spareHost = 100;
  const rules = new Map<string, string[][]>(); // host → iptables rule specs currently added
  let torn = false;

  const lab: NetLab = {
    hosts,
    bridge,
    gatewayIp,
    prefix,
    async run(host, cmd, args = [], timeoutMs = 10_000) {
      return sh('ip', ['netns', 'exec', get(host).ns, cmd, ...args], timeoutMs);
    },
    spawn(host, cmd, args = [], spawnOpts = {}) {
      return spawn('ip', ['netns', 'exec', get(host).ns, cmd, ...args], spawnOpts);
    },
    wrapper(host, target) {
      const file = join(wrappersDir, `${host}-${target.split('/').pop() ?? 'cmd'}`);
      writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${get(host).ns} ${target} "$@"\n`);
      chmodSync(file, 0o755);
      return file;
    },
    async block(a, b) {
      const peer = get(b).ip;
      await addRule(a, ['INPUT', '-s', peer, '-j', 'DROP']);
      await addRule(a, ['OUTPUT', '-d', peer, '-j', 'DROP']);
    },
    async unblock(a, b) {
      const peer = get(b).ip;
      await delRule(a, ['INPUT', '-s', peer, '-j', 'DROP']);
      await delRule(a, ['OUTPUT', '-d', peer, '-j', 'DROP']);
    },
    async blackout(host) {
      await addRule(host, ['INPUT', '!', '-i', 'lo', '-j', 'DROP']);
      await addRule(host, ['OUTPUT', '!', '-o', 'lo', '-j', 'DROP']);
    },
    async restore(host) {
      await delRule(host, ['INPUT', '!', '-i', 'lo', '-j', 'DROP']);
      await delRule(host, ['OUTPUT', '!', '-o', 'lo', '-j', 'DROP']);
    },
    async linkDown(host) {
      await lab.run(host, 'ip', ['link', 'set', 'eth0', 'down']);
    },
    async linkUp(host) {
      await lab.run(host, 'ip', ['link', 'set', 'eth0', 'up']);
      if (gatewayIp) await lab.run(host, 'ip', ['route', 'replace', 'default', 'via', gatewayIp]);
    },
    async renumber(host, newIp) {
      const h = get(host);
      const next = newIp ?? `${prefix}.${spareHost++}`;
      // Old address first: deleting a primary address also deletes its secondaries (promote_secondaries is off).
      await lab.run(host, 'ip', ['addr', 'del', `${h.ip}/24`, 'dev', 'eth0']);
      await lab.run(host, 'ip', ['addr', 'add', `${next}/24`, 'dev', 'eth0']);
      // Deleting the address flushed the routes through it; put the default route back.
      if (gatewayIp) await lab.run(host, 'ip', ['route', 'replace', 'default', 'via', gatewayIp]);
      // Rules naming the old address follow the party to its new one.
      for (const [other, specs] of rules) {
        for (const spec of [...specs]) {
          if (!spec.includes(h.ip)) continue;
          await delRule(other, spec);
          await addRule(other, spec.map((s) => (s === h.ip ? next : s)));
        }
      }
      h.ip = next;
      return next;
    },
    async teardown() {
      if (torn) return;
      torn = true;
      for (const h of Object.values(hosts)) {
        await ip('netns', 'del', h.ns).catch(() => {});
        await ip('link', 'del', h.hostVeth).catch(() => {});
      }
      await ip('link', 'del', bridge).catch(() => {});
      rmSync(wrappersDir, { recursive: true, force: true });
    },
  };

  function get(host: string): NetHost {
    const h = hosts[host];
    if (!h) throw new NetLabError(`no party named '${host}' in this lab (have: ${Object.keys(hosts).join(', ')})`);
    return h;
  }
  async function addRule(host: string, spec: string[]): Promise<void> {
    const list = rules.get(host) ?? [];
    if (list.some((s) => s.join(' ') === spec.join(' '))) return;
    await lab.run(host, 'iptables', ['-I', ...spec]);
    list.push(spec);
    rules.set(host, list);
  }
  async function delRule(host: string, spec: string[]): Promise<void> {
    const list = rules.get(host) ?? [];
    const i = list.findIndex((s) => s.join(' ') === spec.join(' '));
    if (i < 0) return;
    await lab.run(host, 'iptables', ['-D', ...spec]);
    list.splice(i, 1);
  }

  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    await ip('link', 'set', bridge, 'up');
    if (gatewayIp) await ip('addr', 'add', `${gatewayIp}/24`, 'dev', bridge);
    opts.hosts.forEach((name, i) => {
      hosts[name] = { name, ns: `vg-${process.pid}-${n}-${name}`, ip: `${prefix}.${10 + i}`, hostVeth: `vgv${pid36}${n}${i}` };
    });
    for (const h of Object.values(hosts)) {
      const tmpPeer = `${h.hostVeth}p`;
      await ip('netns', 'add', h.ns);
      await ip('link', 'add', h.hostVeth, 'type', 'veth', 'peer', 'name', tmpPeer);
      await ip('link', 'set', tmpPeer, 'netns', h.ns);
      await ip('link', 'set', h.hostVeth, 'master', bridge);
      await ip('link', 'set', h.hostVeth, 'up');
      await lab.run(h.name, 'ip', ['link', 'set', tmpPeer, 'name', 'eth0']);
      await lab.run(h.name, 'ip', ['addr', 'add', `${h.ip}/24`, 'dev', 'eth0']);
      await lab.run(h.name, 'ip', ['link', 'set', 'eth0', 'up']);
      await lab.run(h.name, 'ip', ['link', 'set', 'lo', 'up']);
      if (gatewayIp) await lab.run(h.name, 'ip', ['route', 'add', 'default', 'via', gatewayIp]);
    }
  } catch (e) {
    await lab.teardown();
    throw e;
  }
  return lab;
}
