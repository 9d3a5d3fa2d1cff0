// The network lab itself: parties reach each other over the bridge, and each fault really cuts what it says.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetLab, netLabAvailable, type NetLab } from './netns';

// A TCP connect from inside a namespace: 'ok', or 'fail' after 1.5 s (a dropped SYN never answers).
const probe = `const s=require('net').connect({host:process.argv[1],port:+process.argv[2],timeout:1500});
s.on('connect',()=>{console.log('ok');process.exit(0)});s.on('timeout',()=>{console.log('fail');process.exit(0)});
s.on('error',()=>{console.log('fail');process.exit(0)});`;

describe('network lab', () => {
  let lab: NetLab;
  let server: ReturnType<NetLab['spawn']>;
  let rootServer: Server;
  const port = 7077;

  async function reach(from: string, ip: string, p = port): Promise<string> {
    const { stdout } = await lab.run(from, process.execPath, ['-e', probe, ip, String(p)]);
    return stdout.trim();
  }

  beforeAll(async () => {
    // Not skipped when missing: the call-fault tests depend on it, so say what to fix.
    if (!(await netLabAvailable())) throw new Error('network lab needs root, iproute2 and iptables (source scripts/setup.sh as root)');
    lab = await createNetLab({ hosts: ['a', 'b'], gateway: true });
    // A listener inside b's namespace on every address (so it survives b's renumbering).
    server = lab.spawn('b', process.execPath, ['-e', `require('net').createServer(c=>c.end()).listen(${port},()=>console.log('up'))`]);
    await new Promise<void>((resolve, reject) => {
      server.stdout?.once('data', () => resolve());
      server.once('exit', (code) => reject(new Error(`listener exited ${code}`)));
    });
    rootServer = createServer((c) => c.end());
    await new Promise<void>((r) => rootServer.listen(0, lab.gatewayIp!, r));
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    rootServer?.close();
    await lab?.teardown();
  });

  it('joins the parties on one bridge and to the root namespace through the gateway', async () => {
    expect(await reach('a', lab.hosts.b!.ip)).toBe('ok');
    const rootPort = (rootServer.address() as { port: number }).port;
    expect(await reach('a', lab.gatewayIp!, rootPort)).toBe('ok');
  });

  it('block drops one path both ways and unblock brings it back', async () => {
    await lab.block('a', 'b');
    expect(await reach('a', lab.hosts.b!.ip)).toBe('fail');
    await lab.unblock('a', 'b');
    expect(await reach('a', lab.hosts.b!.ip)).toBe('ok');
  });

  it('blackout cuts a party from everything but its loopback', async () => {
    await lab.blackout('b');
    expect(await reach('a', lab.hosts.b!.ip)).toBe('fail');
    expect(await reach('b', '127.0.0.1')).toBe('ok');
    await lab.restore('b');
    expect(await reach('a', lab.hosts.b!.ip)).toBe('ok');
  });

  it('link down and up', async () => {
    await lab.linkDown('b');
    expect(await reach('a', lab.hosts.b!.ip)).toBe('fail');
    await lab.linkUp('b');
    expect(await reach('a', lab.hosts.b!.ip)).toBe('ok');
  });

  it('renumber moves a party: the old address is dead, the new one answers, the gateway still routes', async () => {
    const old = lab.hosts.b!.ip;
    const next = await lab.renumber('b');
    expect(next).not.toBe(old);
    expect(await reach('a', old)).toBe('fail');
    expect(await reach('a', next)).toBe('ok');
    const rootPort = (rootServer.address() as { port: number }).port;
    expect(await reach('b', lab.gatewayIp!, rootPort)).toBe('ok');
  });

  it('a wrapper runs its target inside the namespace', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(lab.wrapper('b', '/usr/sbin/ip'), ['-4', '-br', 'addr', 'show', 'eth0'], { encoding: 'utf8' });
    expect(out).toContain(lab.hosts.b!.ip);
  });

  it('teardown removes every namespace', async () => {
    const other = await createNetLab({ hosts: ['x'] });
    const ns = other.hosts.x!.ns;
    await other.teardown();
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(ns);
  });
});
