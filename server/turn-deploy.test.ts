// The shipped relay configuration (build/coturn/turnserver.conf) and secret tool
// (build/coturn/visioguichet-turn-secret) on a real coturn: the config loads without complaint, a
// credential signed with the installed secret is accepted, loopback peers are refused, and a rotation
// keeps old and new credentials working until the old secret is retired. The hub re-reads a rotated file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnCredential, turnSecretSource } from './turn';
import { startCoturn, type Coturn } from '../test/support/coturn';

const root = resolve(import.meta.dirname, '..');
const shipped = readFileSync(join(root, 'build/coturn/turnserver.conf'), 'utf8');
const tool = join(root, 'build/coturn/visioguichet-turn-secret');

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile(cmd, args, { timeout: 30_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => res({ code: err ? ((err as { code?: number }).code ?? -1) : 0, out: `${stdout}${stderr}` }));
  });
}

describe('the shipped coturn configuration and secret tool', () => {
  let coturn: Coturn;
  let dir: string;
  let env: Record<string, string>;
  let attempts = 0;
  const secretFile = () => join(dir, 'turn.secret');
  const secret = (file = secretFile()) => readFileSync(file, 'utf8').trim();
  /** An allocation with a credential signed by `s`: 'ok' (relayed), 'denied-peer' (authenticated, peer refused) or 'refused'. */
  const allocate = async (s: string, loopbackPeer = true): Promise<string> => {
    // A new party each time: uclient leaves its refused allocations to time out, and the shipped
    // user-quota counts them per username.
    const c = turnCredential(s, `kiosk-K${++attempts}`, Date.now(), 600);
    const before = coturn.log().length;
    const r = await run('turnutils_uclient', ['-y', '-n', '1', '-l', '40', '-p', String(coturn.port), '-u', c.username, '-w', c.credential, coturn.ip]);
    const log = coturn.log().slice(before);
    if (r.code === 0) return 'ok';
    if (loopbackPeer && /403 \(Forbidden IP\)|Forbidden IP/.test(`${r.out}${log}`)) return 'denied-peer';
    return 'refused';
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vg-turn-deploy-'));
    // The shipped file, minus what a test cannot have (certificate, system paths, syslog), plus loopback ports.
    const keep = shipped.split('\n').filter((l) => !/^(tls-listening-port|alt-tls-listening-port|cert|pkey|pidfile|userdb|listening-port|min-port|max-port)=|^(syslog|no-tlsv1|no-tlsv1_1)$/.test(l.trim()));
    coturn = await startCoturn({
      conf: (at) => [...keep, `listening-ip=${at.ip}`, `relay-ip=${at.ip}`, `listening-port=${at.port}`, `min-port=${at.minPort}`, `max-port=${at.maxPort}`, `userdb=${at.userdb}`, `pidfile=${at.pidfile}`, 'log-file=stdout', 'simple-log', 'no-tls', 'no-dtls'],
    });
    env = { VG_TURN_SECRET_FILE: join(dir, 'turn.secret'), VG_TURN_DB: coturn.userdb, VG_TURN_REALM: /^realm=(.*)$/m.exec(shipped)![1]!, VG_TURN_GROUP: 'nogroup-vg-test' };
  }, 30_000);
  afterAll(async () => {
    await coturn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads without a configuration complaint and holds no static secret or password', () => {
    expect(coturn.log()).not.toMatch(/Bad configuration format|CONFIG ERROR|unknown option/i);
    expect(shipped).toMatch(/^use-auth-secret$/m);
    expect(shipped).not.toMatch(/^(static-auth-secret|user|lt-cred-mech)(=|\s*$)/m);
  });

  it('install: the secret file is created (not world-readable) and coturn accepts its credentials; loopback peers are refused', async () => {
    const r = await run('sh', [tool, 'install'], env);
    expect(r.code, r.out).toBe(0);
    expect(secret()).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(secretFile()).mode & 0o007).toBe(0);
    // Authenticated (the allocation is made) but relaying to 127.0.0.1 is forbidden by the shipped rules.
    expect(await allocate(secret())).toBe('denied-peer');
    expect(await allocate('a-secret-coturn-never-heard-of-0123')).toBe('refused');
    // Running install again keeps the secret.
    const before = secret();
    expect((await run('sh', [tool, 'install'], env)).code).toBe(0);
    expect(secret()).toBe(before);
  }, 60_000);

  it('rotate keeps the old secret valid beside the new one until retire; the hub follows the file without a restart', async () => {
    const source = turnSecretSource(secretFile());
    const old = secret();
    expect(source()).toBe(old);
    const r = await run('sh', [tool, 'rotate'], env);
    expect(r.code, r.out).toBe(0);
    const next = secret();
    expect(next).not.toBe(old);
    expect(source()).toBe(next);
    expect(await allocate(old)).toBe('denied-peer');
    expect(await allocate(next)).toBe('denied-peer');
    expect((await run('sh', [tool, 'retire'], env)).code).toBe(0);
    expect(await allocate(old)).toBe('refused');
    expect(await allocate(next)).toBe('denied-peer');
    expect((await run('sh', [tool, 'retire'], env)).code).not.toBe(0); // nothing left to retire
  }, 90_000);
});

describe('turnSecretSource', () => {
  it('re-reads a changed file and keeps the last good secret when it becomes unreadable or short', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-turn-src-'));
    try {
      const f = join(dir, 's');
      writeFileSync(f, 'first-secret-0123456789\n');
      const src = turnSecretSource(f);
      expect(src()).toBe('first-secret-0123456789');
      writeFileSync(f, 'second-secret-0123456789xyz\n');
      expect(src()).toBe('second-secret-0123456789xyz');
      writeFileSync(f, 'short\n');
      expect(src()).toBe('second-secret-0123456789xyz');
      rmSync(f);
      expect(src()).toBe('second-secret-0123456789xyz');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
