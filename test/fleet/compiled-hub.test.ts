// The hub as its systemd unit runs it: scripts/build-hub.ts bundles server/ (and its JavaScript
// packages) into one ES module, started with plain node. A package that cannot be bundled (a dynamic
// require, a file read beside its own source) would only show here, so this test drives the bundle
// through the paths a fleet uses: start, an agent's login and socket, a booth's key proof, shutdown.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub } from '../../scripts/build-hub';
import { createAgent, registerKioskKey } from '../../server/accounts';
import { HubStore } from '../../server/db/store';
import { createHubLink } from '../../main/services/hub-link';
import { HubTestClient } from '../../server/test-client';

const repo = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'compiled-hub-'));
// Inside the repository, so the bundle finds node_modules (better-sqlite3) as the release folder does.
const outDir = join(repo, 'dist', `test-hub-${process.pid}`);
let hub: ChildProcess | undefined;
let url = '';
let password = '';
const booth = generateKeyPairSync('ed25519');

beforeAll(async () => {
  const bundle = await buildHub({ outfile: join(outDir, 'main.mjs') });
  const dbPath = join(tmp, 'hub.sqlite');
  const store = HubStore.open(dbPath);
  registerKioskKey(store, { kioskId: 'qc-built', publicKey: booth.publicKey.export({ type: 'spki', format: 'pem' }).toString(), office: 'Test' });
  ({ password } = await createAgent(store, { username: 'alice', displayName: 'Alice' }));
  store.close();
  writeFileSync(join(tmp, 'hub.json'), JSON.stringify({ dbPath, port: 0, host: '127.0.0.1', logLevel: 'warn', releasesDir: join(tmp, 'releases') }));
  const child = spawn(process.execPath, [bundle], { cwd: repo, env: { ...process.env, VG_HUB_CONFIG: join(tmp, 'hub.json') }, stdio: ['ignore', 'pipe', 'pipe'] });
  hub = child;
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /hub listening on (http:\/\/\S+)/.exec(out);
      if (m) done(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`the built hub exited (${code}) before listening: ${err}`)));
  });
}, 120_000);

afterAll(async () => {
  if (hub && hub.exitCode === null) {
    hub.kill('SIGKILL');
    await new Promise((r) => hub!.once('exit', r));
  }
  rmSync(outDir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

describe('the compiled hub (dist/hub/main.mjs, plain node)', () => {
  it('logs an agent in and welcomes its socket', async () => {
    const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password }) });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const c = await HubTestClient.connect(`${url.replace('http', 'ws')}/ws`);
    c.send({ type: 'agent.auth', v: 1, token });
    expect((await c.next('welcome')).role).toBe('agent');
    c.close();
  });

  it("takes a booth's key proof through the real hub link", async () => {
    const link = createHubLink({
      url: `${url.replace('http', 'ws')}/ws`,
      kioskId: 'qc-built',
      key: { sign: (message) => sign(null, Buffer.from(message, 'utf8'), booth.privateKey).toString('base64url') },
    });
    try {
      await new Promise<void>((done) => link.onStatus((s) => s === 'online' && done()));
      expect(link.status).toBe('online');
    } finally {
      await link.close();
    }
  });

  it('stops cleanly on SIGTERM (what systemd sends)', async () => {
    const exited = new Promise<number | null>((r) => hub!.once('exit', (code) => r(code)));
    hub!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
