// The hub as an attacker sees it: password guessing, a disabled account's token, headers, the
// WebSocket Origin, TLS. Real hub, real SQLite, real sockets; the login clock is injected.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../accounts';
import { openHubDb } from '../db/store';
import { createHub, type Hub, type HubOptions } from '../hub';
import { HubTestClient } from '../test-client';
import { CONTENT_SECURITY_POLICY } from './headers';
import { HubConfigFile } from '../config';
import { startHub as startFromConfig } from '../main';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});
const tmp = mkdtempSync(join(tmpdir(), 'vg-sec-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function startHub(extra: Partial<HubOptions> = {}): Promise<{ hub: Hub; password: string; clock: { t: number } }> {
  const clock = { t: Date.now() };
  const hub = await createHub({ dbPath: ':memory:', now: () => clock.t, ...extra });
  open.push(hub);
  const { password } = await createAgent(hub.db, { username: 'alice', displayName: 'Alice' });
  return { hub, password, clock };
}

interface LoginResult { status: number; body: Record<string, unknown>; cookie: string | undefined; headers: Headers }
async function login(hub: Hub, username: string, password: string, headers: Record<string, string> = {}): Promise<LoginResult> {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password }) });
  const setCookie = res.headers.get('set-cookie') ?? undefined;
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, cookie: setCookie?.split(';')[0], headers: res.headers };
}

describe('hub login under a guessing attack', () => {
  it("the real agent still gets in from her office's address while her password is being guessed from it", async () => {
    const { hub, password, clock } = await startHub({ loginGuard: { freeFailures: 3, hashPerSecond: 1000, hashBurst: 1000 } });
    // Monday: Alice signs in; her browser keeps the device cookie (HttpOnly, only sent to /api/login).
    const first = await login(hub, 'alice', password);
    expect(first.status).toBe(200);
    expect(first.headers.get('set-cookie')).toMatch(/^vg_device=[^;]+; Path=\/api\/login; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    // Tuesday: 40 guesses at her account from the same address as hers (here, loopback).
    clock.t += 86_400_000;
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await login(hub, 'alice', `guess-${i}-password`)).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(36);
    // A browser without the cookie waits (told how long); never a lockout message.
    const stranger = await login(hub, 'alice', password);
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Alice's own browser goes straight in, and her success clears the delay.
    const alice = await login(hub, 'alice', password, { cookie: first.cookie! });
    expect(alice.status).toBe(200);
    expect(typeof alice.body.token).toBe('string');
    expect((await login(hub, 'alice', password)).status).toBe(200);
  });

  it('without a known device the real user waits out the delay and gets in: no lockout', async () => {
    const { hub, password, clock } = await startHub({ loginGuard: { freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, hashPerSecond: 1000, hashBurst: 1000 } });
    for (let i = 0; i < 10; i++) {
      await login(hub, 'alice', 'wrong-password');
      clock.t += 61_000;
    }
    expect((await login(hub, 'alice', password)).status).toBe(200);
  });

  it('counts failures per client address behind a trusted proxy, and ignores X-Forwarded-For from anyone else', async () => {
    const guard = { addressBurst: 5, addressPerMinute: 1, hashPerSecond: 1000, hashBurst: 1000 };
    const behind = await startHub({ trustedProxies: ['127.0.0.1'], loginGuard: guard });
    for (let i = 0; i < 5; i++) expect((await login(behind.hub, `user${i}`, 'wrong-password', { 'x-forwarded-for': '203.0.113.5' })).status).toBe(401);
    expect((await login(behind.hub, 'user9', 'wrong-password', { 'x-forwarded-for': '203.0.113.5' })).status).toBe(429);
    // Another client behind the same proxy is not affected.
    expect((await login(behind.hub, 'alice', behind.password, { 'x-forwarded-for': '203.0.113.6' })).status).toBe(200);

    // No trusted proxy: the header is a lie anyone can tell; the socket's address counts.
    const direct = await startHub({ loginGuard: guard });
    for (let i = 0; i < 5; i++) expect((await login(direct.hub, `user${i}`, 'wrong-password', { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(401);
    expect((await login(direct.hub, 'alice', direct.password, { 'x-forwarded-for': '198.51.100.200' })).status).toBe(429);
  });

  it('refuses password checks beyond the hub-wide hash budget', async () => {
    const { hub } = await startHub({ loginGuard: { hashPerSecond: 1, hashBurst: 4, knownDeviceShare: 0.25, addressBurst: 1000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(hub, `u${i}`, 'wrong-password')).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
  });
});

describe('a disabled or deleted account stops at once', () => {
  it('its token is refused on HTTP routes and its socket closes the moment the hub disables it', async () => {
    const { hub, password } = await startHub();
    const token = String((await login(hub, 'alice', password)).body.token);
    const kiosks = () => fetch(`${hub.url}/api/kiosks`, { headers: { authorization: `Bearer ${token}` } });
    expect((await kiosks()).status).toBe(200);
    const c = await HubTestClient.connect(hub.wsUrl);
    open.push(c);
    c.send({ type: 'agent.auth', v: 1, token });
    await c.next('welcome');
    hub.db.db.prepare('UPDATE agents SET disabled = 1 WHERE username = ?').run('alice');
    expect(await c.waitClosed(2_000)).toEqual({ code: 4401, reason: 'unauthorized' });
    expect((await kiosks()).status).toBe(401);
    // A new socket with the same (unexpired) token is refused too.
    const again = await HubTestClient.connect(hub.wsUrl);
    open.push(again);
    again.send({ type: 'agent.auth', v: 1, token });
    expect((await again.waitClosed()).code).toBe(4401);
    // Enabled again: the same token works again (the cache follows the table).
    hub.db.db.prepare('UPDATE agents SET disabled = 0 WHERE username = ?').run('alice');
    expect((await kiosks()).status).toBe(200);
  });

  it('a change made by another process (the CLI on the same database) is seen within a poll', async () => {
    const dbPath = join(tmp, `accounts-${Date.now()}.sqlite`);
    const { hub, password } = await startHub({ dbPath, accountPollMs: 50 });
    const token = String((await login(hub, 'alice', password)).body.token);
    const c = await HubTestClient.connect(hub.wsUrl);
    open.push(c);
    c.send({ type: 'agent.auth', v: 1, token });
    await c.next('welcome');
    // A second connection, as the CLI opens.
    const other = openHubDb(dbPath);
    try {
      other.prepare('DELETE FROM agents WHERE username = ?').run('alice');
    } finally {
      other.close();
    }
    expect((await c.waitClosed(2_000)).code).toBe(4401);
    expect((await fetch(`${hub.url}/api/kiosks`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});

describe('headers and the WebSocket origin', () => {
  it('serves the agent console under a strict CSP that forbids framing, and never caches authentication answers', async () => {
    const { hub, password } = await startHub({ agentStaticDir: resolve(import.meta.dirname, '../../dist/renderer/agent') });
    const page = await fetch(`${hub.url}/agent/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const ok = await login(hub, 'alice', password);
    const bad = await login(hub, 'alice', 'wrong-password');
    for (const r of [ok, bad]) expect(r.headers.get('cache-control')).toBe('no-store');
    const authed = await fetch(`${hub.url}/api/kiosks`, { headers: { authorization: `Bearer ${String(ok.body.token)}` } });
    expect(authed.headers.get('cache-control')).toBe('no-store');
  });

  it("accepts a WebSocket from the hub's own pages and from non-browsers, refuses one opened by a foreign page", async () => {
    const { hub } = await startHub({ allowedOrigins: ['https://console.example.org'] });
    const status = (origin: string | undefined) =>
      new Promise<number>((done) => {
        const ws = new WebSocket(hub.wsUrl, origin ? { origin } : {});
        ws.on('open', () => {
          ws.close();
          done(101);
        });
        ws.on('unexpected-response', (_req, res) => {
          done(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('error', () => {});
      });
    expect(await status(undefined)).toBe(101);
    expect(await status(hub.url)).toBe(101);
    expect(await status('https://console.example.org')).toBe(101);
    expect(await status('https://evil.example.com')).toBe(403);
    expect(await status('null')).toBe(403);
  });

  it('caps unauthenticated sockets per client address', async () => {
    const { hub } = await startHub({ maxUnauthenticatedPerAddress: 3 });
    const clients = await Promise.all([0, 1, 2].map(() => HubTestClient.connect(hub.wsUrl)));
    open.push(...clients);
    const fourth = await HubTestClient.connect(hub.wsUrl);
    open.push(fourth);
    expect((await fourth.waitClosed()).code).toBe(1013);
    // One of the three leaves: room for one more.
    clients[0]!.close();
    await clients[0]!.waitClosed();
    await new Promise((r) => setTimeout(r, 50));
    const fifth = await HubTestClient.connect(hub.wsUrl);
    open.push(fifth);
    fifth.send({ type: 'ping', t: 1 });
    expect((await fifth.next('error')).code).toBe('unauthorized');
  });
});

describe('TLS', () => {
  it('serves HTTPS and WSS itself when given a certificate and key', async () => {
    const key = join(tmp, 'hub.key');
    const cert = join(tmp, 'hub.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const pem = readFileSync(cert);
    const { hub, password } = await startHub({ tls: { cert: pem, key: readFileSync(key) } });
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(hub.wsUrl).toMatch(/^wss:\/\//);
    const res = await new Promise<{ status: number; body: string; hsts: string | undefined }>((done, fail) => {
      const req = httpsRequest(`${hub.url}/api/login`, { method: 'POST', ca: pem, headers: { 'content-type': 'application/json' } }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => done({ status: r.statusCode ?? 0, body, hsts: r.headers['strict-transport-security'] as string | undefined }));
      });
      req.on('error', fail);
      req.end(JSON.stringify({ username: 'alice', password }));
    });
    expect(res.status).toBe(200);
    expect(res.hsts).toBe('max-age=31536000');
    const token = String((JSON.parse(res.body) as { token: string }).token);
    const c = await HubTestClient.connect(hub.wsUrl, { ca: pem });
    open.push(c);
    c.send({ type: 'agent.auth', v: 1, token });
    expect((await c.next('welcome')).role).toBe('agent');
    // A client that does not trust the certificate is refused by TLS itself.
    await expect(HubTestClient.connect(hub.wsUrl)).rejects.toThrow();
  });

  it('takes the certificate and key files from the hub config file, and names a missing one', async () => {
    const key = join(tmp, 'cfg.key');
    const cert = join(tmp, 'cfg.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const hub = await startFromConfig(HubConfigFile.parse({ dbPath: ':memory:', port: 0, logLevel: 'silent', tls: { cert, key } }));
    open.push(hub);
    expect(hub.url).toMatch(/^https:/);
    await expect(startFromConfig(HubConfigFile.parse({ dbPath: ':memory:', port: 0, logLevel: 'silent', tls: { cert: join(tmp, 'missing.crt'), key } }))).rejects.toThrow(/tls: cannot read .*missing\.crt/);
  });
});
