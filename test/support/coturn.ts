// A real coturn for tests: the Debian `turnserver` with the deployment's authentication
// (use-auth-secret + static-auth-secret), on a chosen address, optionally inside a network namespace.
// Tests opt in to loopback peers explicitly; the production config (build/coturn/turnserver.conf) denies them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface CoturnOptions {
  /** Address coturn listens on and relays from (default 127.0.0.1). */
  ip?: string;
  /** Listening port for UDP and TCP (default: a random one in 30000–39999). */
  port?: number;
  /** Shared secret (default: 32 random hex characters). */
  secret?: string;
  /** Run inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** Relay to loopback addresses (tests on one host only). */
  allowLoopbackPeers?: boolean;
  /** Also listen for TURN over TLS on `port + 1` with this certificate and key (PEM files). */
  tls?: { cert: string; key: string };
  /** How long to wait for coturn to be ready (ms); default 10 000. */
  readyTimeoutMs?: number;
  /**
   * A whole configuration instead of the tests' default (e.g. the shipped build/coturn/turnserver.conf
   * adapted); given the address, port, relay range and the files coturn must use. `secret` is then unused.
   */
  conf?: (at: { ip: string; port: number; minPort: number; maxPort: number; userdb: string; pidfile: string }) => string[];
}

export interface Coturn {
  ip: string;
  port: number;
  secret: string;
  realm: string;
  /** coturn's SQLite database (dynamic secrets: turnadmin -b). */
  userdb: string;
  /** Everything coturn logged so far (allocation errors show here). */
  log(): string;
  stop(): Promise<void>;
}

/** Starts coturn and resolves once its listeners are up. */
export async function startCoturn(opts: CoturnOptions = {}): Promise<Coturn> {
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port ?? 30000 + Math.floor(Math.random() * 10000);
  const secret = opts.secret ?? randomBytes(16).toString('hex');
  const realm = 'visioguichet.test';
  const dir = mkdtempSync(join(tmpdir(), 'vg-coturn-'));
  // A random relay window so parallel coturns rarely compete for the same ports (coturn skips busy ones anyway).
  const minPort = 40000 + Math.floor(Math.random() * 200) * 100;
  const userdb = join(dir, 'turndb.sqlite');
  const pidfile = join(dir, 'turnserver.pid');
  const conf = opts.conf ? opts.conf({ ip, port, minPort, maxPort: minPort + 99, userdb, pidfile }) : [
    `listening-ip=${ip}`,
    `relay-ip=${ip}`,
    `listening-port=${port}`,
    `min-port=${minPort}`,
    `max-port=${minPort + 99}`,
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    `realm=${realm}`,
    'fingerprint',
    'no-cli',
    ...(opts.tls ? [`tls-listening-port=${port + 1}`, `cert=${opts.tls.cert}`, `pkey=${opts.tls.key}`, 'no-tlsv1', 'no-tlsv1_1'] : ['no-tls']),
    'no-dtls',
    'no-multicast-peers',
    // coturn 4.6 refuses loopback peers unless told otherwise.
    ...(opts.allowLoopbackPeers ? ['allow-loopback-peers'] : []),
    'log-file=stdout',
    'simple-log',
    `pidfile=${pidfile}`,
    `userdb=${userdb}`,
  ];
  writeFileSync(join(dir, 'turnserver.conf'), `${conf.join('\n')}\n`, { mode: 0o600 });
  const argv = ['-c', join(dir, 'turnserver.conf')];
  const child: ChildProcess = opts.netns ? spawn('ip', ['netns', 'exec', opts.netns, 'turnserver', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('turnserver', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn not ready after ${opts.readyTimeoutMs ?? 10_000} ms:\n${out.slice(-2000)}`)), opts.readyTimeoutMs ?? 10_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      // The last line of coturn's start-up: its user database opened after every listener.
      if (/DB connection success/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited (${code}) during start-up:\n${out.slice(-2000)}`));
    });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    ip, port, secret, realm, userdb,
    log: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
