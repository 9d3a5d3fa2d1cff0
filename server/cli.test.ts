import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './cli';
import { loadHubConfig, HubConfigError } from './config';
import { createHub } from './hub';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDb = () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-hub-cli-'));
  dirs.push(d);
  return join(d, 'hub.sqlite');
};

async function loginStatus(url: string, username: string, password: string) {
  const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('hub CLI', () => {
  it('creates an agent from the real command line, who can then log in to a hub on that database', async () => {
    const db = tempDb();
    const tsx = resolve('node_modules/tsx/dist/cli.mjs');
    const { stdout } = await run(process.execPath, [tsx, 'server/cli.ts', '--db', db, 'create-agent', 'marie', 'Marie Tremblay'], { env: { ...process.env, VG_HUB_CONFIG: '' } });
    const password = /password: (\S+)/.exec(stdout)?.[1];
    expect(password).toBeDefined();
    const hub = await createHub({ dbPath: db });
    try {
      const ok = await loginStatus(hub.url, 'marie', password as string);
      expect(ok).toMatchObject({ status: 200, body: { displayName: 'Marie Tremblay' } });
      expect(await loginStatus(hub.url, 'marie', `${password as string}x`)).toMatchObject({ status: 401 });
    } finally {
      await hub.close();
    }
  });

  it('creates agents with a given password, kiosks with a printed secret, lists them, and refuses duplicates', async () => {
    const db = tempDb();
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    const env = { VG_HUB_DB: db };
    expect(await runCli(['create-agent', 'luc', 'Luc Gagnon', '--password', 'correct-horse', '--languages', 'fr,en'], env, out)).toBe(0);
    expect(lines.join('\n')).not.toMatch(/password:/);
    expect(await runCli(['create-kiosk', 'qc-01', 'Kiosque Québec 1', 'Bureau de Québec'], env, out)).toBe(0);
    const secret = /secret: (\S+)/.exec(lines.join('\n'))?.[1];
    expect(secret?.length).toBeGreaterThanOrEqual(16);
    lines.length = 0;
    expect(await runCli(['list'], env, out)).toBe(0);
    expect(lines.join('\n')).toMatch(/luc\tLuc Gagnon\tactive\tservices=\*\tlanguages=fr,en/);
    expect(lines.join('\n')).toMatch(/qc-01\tKiosque Québec 1\tBureau de Québec/);
    await expect(runCli(['create-agent', 'LUC', 'Other'], env, out)).rejects.toMatchObject({ code: 'conflict' });
    await expect(runCli(['create-kiosk', 'qc-01'], env, out)).rejects.toMatchObject({ code: 'cli_usage' });
    await expect(runCli(['explode'], env, out)).rejects.toMatchObject({ code: 'cli_usage' });

    const hub = await createHub({ dbPath: db });
    try {
      expect((await loginStatus(hub.url, 'luc', 'correct-horse')).status).toBe(200);
      expect(hub.db.kiosk('qc-01')).toMatchObject({ name: 'Kiosque Québec 1', disabled: false });
    } finally {
      await hub.close();
    }
  });

  it('reads the config file and lets env override it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-hub-cfg-'));
    dirs.push(dir);
    const file = join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ port: 9000, ringTimeoutMs: 15000, iceServers: [{ urls: 'stun:example.org' }] }));
    expect(loadHubConfig({ VG_HUB_CONFIG: file })).toMatchObject({ port: 9000, ringTimeoutMs: 15000, dbPath: '.data/hub.sqlite', host: '127.0.0.1' });
    expect(loadHubConfig({ VG_HUB_CONFIG: file, VG_HUB_PORT: '9100', VG_HUB_DB: '/tmp/x.sqlite' })).toMatchObject({ port: 9100, dbPath: '/tmp/x.sqlite' });
    writeFileSync(file, JSON.stringify({ port: 'nope', bogus: 1 }));
    expect(() => loadHubConfig({ VG_HUB_CONFIG: file })).toThrow(HubConfigError);
    expect(() => loadHubConfig({ VG_HUB_CONFIG: join(dir, 'missing.json') })).toThrow(/cannot read hub config/);
  });

  it('kiosk add registers a booth public key from a file; a bad key file is refused with a clear message and nothing stored', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const db = tempDb();
    const keyFile = join(db, '..', 'booth.pub.pem');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const lines: string[] = [];
    expect(await runCli(['--db', db, 'kiosk', 'add', 'qc-09', '--public-key', keyFile, '--name', 'Kiosque 9', '--office', 'Sherbrooke'], { VG_HUB_CONFIG: '' }, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/kiosk created: qc-09 \(key fingerprint [0-9a-f]{16}/);
    writeFileSync(keyFile, 'not a key');
    await expect(runCli(['--db', db, 'kiosk', 'add', 'qc-10', '--public-key', keyFile], { VG_HUB_CONFIG: '' }, () => {})).rejects.toThrow(/not a public key/);
    await expect(runCli(['--db', db, 'kiosk', 'add', 'qc-10'], { VG_HUB_CONFIG: '' }, () => {})).rejects.toMatchObject({ code: 'cli_usage' });
    lines.length = 0;
    await runCli(['--db', db, 'list'], { VG_HUB_CONFIG: '' }, (l) => lines.push(l));
    expect(lines.join('\n')).toContain('qc-09\tKiosque 9\tSherbrooke');
    expect(lines.join('\n')).not.toContain('qc-10');
  });
});
