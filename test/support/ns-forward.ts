// Makes a loopback service of the root namespace (the kiosk's browser runtime, the hub) appear on the
// same loopback port inside a lab namespace, so a Chromium running in that namespace opens it at
// http://127.0.0.1:<port> exactly as on a booth: a secure context for the camera, the runtime's
// loopback-only and Host checks unchanged. Two raw TCP pipes: <ns> 127.0.0.1:port → gateway:relay
// (a Node process inside the namespace) → 127.0.0.1:port (a server in this process). Test plumbing only.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import type { NetLab } from './netns';

export interface NsForward {
  stop(): Promise<void>;
}

// Runs inside the namespace: listen on loopback, pipe every connection to the gateway.
const NS_SIDE = `
const net = require('node:net');
const [port, gw, relay] = process.argv.slice(1).map((v, i) => (i === 1 ? v : Number(v)));
const srv = net.createServer((c) => {
  const up = net.createConnection({ host: gw, port: relay });
  c.pipe(up).pipe(c);
  c.on('error', () => up.destroy());
  up.on('error', () => c.destroy());
});
srv.listen(port, '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

/** Forwards `port` of the root namespace's loopback into `host`'s namespace (the lab needs a gateway). */
export async function forwardIntoNamespace(lab: NetLab, host: string, port: number): Promise<NsForward> {
  if (!lab.gatewayIp) throw new Error('forwardIntoNamespace needs a lab created with gateway: true');
  const sockets = new Set<Socket>();
  const server: Server = createServer((c) => {
    const up = createConnection({ host: '127.0.0.1', port });
    sockets.add(c).add(up);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
    c.on('close', () => sockets.delete(c));
    up.on('close', () => sockets.delete(up));
  });
  await new Promise<void>((r) => server.listen(0, lab.gatewayIp!, r));
  const relay = (server.address() as { port: number }).port;
  const child: ChildProcess = lab.spawn(host, process.execPath, ['-e', NS_SIDE, String(port), lab.gatewayIp, String(relay)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`forwarder in ${host} not ready: ${err}`)), 10_000);
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`forwarder in ${host} exited (${code}): ${err}`));
    });
  });
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
