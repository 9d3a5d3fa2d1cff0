// The updater on real files (temp install root), real signed bundles packed by scripts/release.ts,
// a small HTTP server speaking the hub's /api/kiosk/update contract, and a manual clock.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UpdateOffer, UpdateStatus } from '../../common/update';
import { packRelease, sha256File } from '../../scripts/release';
import { createSwitchGate } from './gate';
import { signDetached } from './keys';
import { readState, writeState } from './layout';
import type { SignedRelease } from './testing';
import { ManualClock, captureLog, makeInstall, makeReleaseDir, packAndSign, settle, testKeys } from './testing';
import type { UpdateSource } from './updater';
import { createUpdater } from './updater';

const keys = testKeys();
const AUTH = 'Kiosk booth-1:secret-secret-secret';

let base: string;
let root: string;
let stateDir: string;
let server: Server;
let hubBase: string;
let offer: UpdateOffer | null;
let bundleFile: string | null;
let staticFiles: Record<string, string | Buffer>;
const hits: string[] = [];

beforeEach(async () => {
  base = mkdtempSync(join(tmpdir(), 'vg-upd-'));
  root = join(base, 'opt');
  stateDir = join(base, 'state');
  offer = null;
  bundleFile = null;
  staticFiles = {};
  hits.length = 0;
  await makeInstall(root, '1.0.0');
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    // A plain static file server (no credentials): manifest.json, its .sig, and the bundle beside them.
    const file = staticFiles[req.url ?? ''];
    if (file !== undefined) return void res.writeHead(200).end(file);
    if (req.headers.authorization !== AUTH) return void res.writeHead(401).end();
    if (req.url === '/api/kiosk/update') {
      if (!offer) return void res.writeHead(204).end();
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(offer));
    }
    if (req.url === '/bundle' && bundleFile) {
      res.writeHead(200, { 'content-length': statSync(bundleFile).size });
      return void createReadStream(bundleFile).pipe(res);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hubBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  rmSync(base, { recursive: true, force: true });
});

async function release(version: string, o: { edit?: (m: Record<string, unknown>) => void; extra?: Record<string, string> } = {}): Promise<SignedRelease> {
  const dir = await makeReleaseDir(join(base, `src-${version}`), version, `console.log(${JSON.stringify(version)});\n`, o.extra);
  return packAndSign(dir, join(base, `out-${version}`), version, keys.privatePem, o.edit);
}

function offerOf(r: SignedRelease, over: Partial<UpdateOffer> = {}) {
  offer = { manifest: r.manifest, signature: r.signature, bundleUrl: `${hubBase}bundle`, ...over };
  bundleFile = r.bundle;
}

function setup(o: { currentVersion?: string; probationMs?: number; source?: UpdateSource } = {}) {
  const clock = new ManualClock();
  const log = captureLog();
  const gate = createSwitchGate({ now: () => clock.now, settleMs: 10_000 });
  const statuses: UpdateStatus[] = [];
  const restarts: string[] = [];
  const updater = createUpdater({
    layout: { root, stateDir },
    currentVersion: o.currentVersion ?? '1.0.0',
    runtime: 'browser-linux-x64',
    keys: [keys.publicKey],
    source: o.source ?? { kind: 'hub', base: hubBase, authorization: AUTH },
    gate,
    restart: (why) => restarts.push(why),
    onStatus: (s) => statuses.push(s),
    probationMs: o.probationMs ?? 600_000,
    pollMs: 900_000,
    timers: clock,
    now: () => clock.now,
    random: () => 0.5,
    log,
  });
  return { clock, log, gate, statuses, restarts, updater };
}

const releases = () => readdirSync(join(root, 'releases')).sort();
const downloads = () => (existsSync(join(stateDir, 'downloads')) ? readdirSync(join(stateDir, 'downloads')) : []);

describe('refusals: nothing is unpacked, a clear log line, the status says why', () => {
  it('a tampered manifest (signature no longer matches): no bundle requested at all', async () => {
    const r = await release('1.1.0');
    offerOf(r, { manifest: r.manifest.replace('"size": ', '"size":  ') });
    const { updater, log, statuses } = setup();
    await updater.checkNow();
    expect(updater.status()).toMatchObject({ state: 'failed', error: { code: 'signature_invalid' }, current: '1.0.0' });
    expect(log.text()).toMatch(/error update refused: nothing downloaded or unpacked .*signature_invalid/);
    expect(hits).toEqual(['/api/kiosk/update']);
    expect(releases()).toEqual(['1.0.0']);
    expect(downloads()).toEqual([]);
    expect(statuses.map((s) => s.state)).toEqual(['failed']);
  });

  it('an unsigned offer and one signed by another key', async () => {
    const r = await release('1.1.0');
    for (const signature of ['', packAndSignOther(r.manifest)]) {
      offerOf(r, { signature });
      const { updater } = setup();
      await updater.checkNow();
      expect(updater.status().error?.code).toBe('signature_invalid');
    }
    expect(hits.filter((h) => h === '/bundle')).toEqual([]);
    expect(releases()).toEqual(['1.0.0']);
  });

  it('a tampered bundle (valid manifest): bundle_hash_mismatch, the download deleted', async () => {
    const r = await release('1.1.0');
    offerOf(r);
    // Served instead of the signed bundle: same size, one byte changed.
    const bytes = readFileSync(r.bundle);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0x01;
    bundleFile = join(base, 'tampered.tar.gz');
    writeFileSync(bundleFile, bytes);
    const { updater, log } = setup();
    await updater.checkNow();
    expect(updater.status()).toMatchObject({ state: 'failed', target: '1.1.0', error: { code: 'bundle_hash_mismatch' } });
    expect(log.text()).toMatch(/error update failed/);
    expect(releases()).toEqual(['1.0.0']);
    expect(downloads()).toEqual([]);
  });

  it('a signed bundle that tries a tar slip: unpack_failed, nothing unpacked', async () => {
    const dir = await makeReleaseDir(join(base, 'src-slip'), '1.1.0');
    writeFileSync(join(dir, 'evil'), 'x');
    const out = join(base, 'out-slip');
    const packed = await packRelease(dir, out, { version: '1.1.0' });
    // Re-pack the same content with a ../ entry, and sign a manifest that matches it (a stolen key, or a bad build).
    execFileSync('tar', ['-czf', packed.bundle, '-C', dir, '-P', '--transform=s,^evil$,../evil,', 'package.json', 'dist', 'evil']);
    const h = await sha256File(packed.bundle);
    const m = { ...packed.manifest, bundle: { ...packed.manifest.bundle, ...h } };
    const text = JSON.stringify(m);
    offer = { manifest: text, signature: signDetached(keys.privatePem, Buffer.from(text)), bundleUrl: `${hubBase}bundle` };
    bundleFile = packed.bundle;
    const { updater, log } = setup();
    await updater.checkNow();
    expect(updater.status()).toMatchObject({ state: 'failed', error: { code: 'unpack_failed', message: expect.stringMatching(/escapes the release/) } });
    expect(log.text()).toMatch(/refused bundle entry/);
    expect(releases()).toEqual(['1.0.0']);
    expect(existsSync(join(root, 'evil'))).toBe(false);
  });

  it('a release for another runtime or needing a newer base: manifest_invalid', async () => {
    const r = await release('1.1.0', { edit: (m) => void (m.runtime = 'electron-linux-x64') });
    offerOf(r);
    const a = setup();
    await a.updater.checkNow();
    expect(a.updater.status().error).toMatchObject({ code: 'manifest_invalid', message: expect.stringMatching(/electron-linux-x64/) });
    const r2 = await release('1.2.0', { edit: (m) => void (m.minVersion = '1.1.0') });
    offerOf(r2);
    const b = setup();
    await b.updater.checkNow();
    expect(b.updater.status().error).toMatchObject({ code: 'manifest_invalid', message: expect.stringMatching(/at least 1\.1\.0/) });
    expect(releases()).toEqual(['1.0.0']);
  });
});

function packAndSignOther(text: string): string {
  return signDetached(testKeys().privatePem, Buffer.from(text));
}

describe('switch between visits', () => {
  it('stages the update, waits while a visit (and a citizen record write) is in progress, switches at attract after the settle time, asks for one restart', async () => {
    const r = await release('1.1.0');
    offerOf(r);
    const { updater, gate, clock, statuses, restarts, log } = setup();
    gate.phase('visit');
    await updater.checkNow();
    expect(updater.status()).toMatchObject({ state: 'staged', target: '1.1.0' });
    expect(statuses.map((s) => s.state)).toEqual(['downloading', 'verifying', 'staged']);
    expect(releases()).toEqual(['1.0.0', '1.1.0']);
    expect(downloads()).toEqual([]);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/1.0.0');
    expect(log.text()).toMatch(/switch waits for the end of the visit .*phase visit/);

    await clock.advance(60_000); // a long visit: still nothing
    expect(readlinkSync(join(root, 'current'))).toBe('releases/1.0.0');
    gate.phase('attract');
    const writing = gate.writing(); // the survey the citizen just left is being stored
    await clock.advance(30_000);
    expect(restarts).toEqual([]);
    writing();
    await vi.waitFor(() => expect(restarts).toEqual(['update to 1.1.0']));
    expect(readlinkSync(join(root, 'current'))).toBe('releases/1.1.0');
    expect(updater.status()).toMatchObject({ state: 'switching', current: '1.0.0', target: '1.1.0' });
    const s = await readState({ root, stateDir });
    expect(s.pending).toEqual({ from: '1.0.0', to: '1.1.0', deadline: expect.any(Number), starts: 0 });
    expect(s.pending!.deadline - clock.now).toBeLessThanOrEqual(600_000);
    updater.stop();
  });

  it('a staged update the hub stopped offering while the visit went on (rollout rolled back) is dropped, not switched to', async () => {
    offerOf(await release('1.1.0'));
    const { updater, gate, clock, restarts, log } = setup();
    gate.phase('visit');
    await updater.checkNow();
    expect(updater.status().state).toBe('staged');
    offer = null; // the hub now answers 204
    gate.phase('attract');
    await clock.advance(10_000);
    await vi.waitFor(() => expect(updater.status()).toMatchObject({ state: 'idle', target: null }));
    expect(log.text()).toMatch(/staged update dropped: the hub no longer offers it/);
    expect(restarts).toEqual([]);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/1.0.0');
    expect((await readState({ root, stateDir })).pending).toBeNull();
    updater.stop();
  });

  it('a switch that cannot repoint current fails clearly and leaves no pending switch behind', async () => {
    offerOf(await release('1.1.0'));
    const { updater, gate, clock, restarts } = setup();
    gate.phase('visit');
    await updater.checkNow();
    // Something replaced the link by a real directory: the rename over it fails.
    rmSync(join(root, 'current'));
    mkdirSync(join(root, 'current', 'x'), { recursive: true });
    gate.phase('attract');
    await clock.advance(10_000);
    await vi.waitFor(() => expect(updater.status()).toMatchObject({ state: 'failed', error: { code: 'unpack_failed', message: expect.stringMatching(/cannot switch current to 1\.1\.0/) } }));
    expect(restarts).toEqual([]);
    expect((await readState({ root, stateDir })).pending).toBeNull();
    updater.stop();
  });

  it('a switch right after a visit waits for the settle time', async () => {
    offerOf(await release('1.1.0'));
    const { updater, gate, clock, restarts } = setup();
    gate.phase('visit');
    await updater.checkNow();
    gate.phase('attract');
    await clock.advance(5_000);
    expect(restarts).toEqual([]);
    await clock.advance(10_000);
    await vi.waitFor(() => expect(restarts).toEqual(['update to 1.1.0']));
    updater.stop();
  });

  it('a hub-driven move to a release still on disk (the previous one) switches without downloading it', async () => {
    const r = await release('0.9.0');
    offerOf(r);
    await makeReleaseDir(join(root, 'releases', '0.9.0'), '0.9.0');
    const { updater, statuses, restarts, clock } = setup();
    await updater.checkNow();
    await clock.advance(10_000);
    await vi.waitFor(() => expect(restarts).toEqual(['update to 0.9.0']));
    expect(statuses.map((s) => s.state)).toEqual(['staged', 'switching']);
    expect(hits).not.toContain('/bundle');
    expect(readlinkSync(join(root, 'current'))).toBe('releases/0.9.0');
    updater.stop();
  });

  it('asks the hub again at once when the link comes back, and never re-installs a version that rolled back here', async () => {
    offerOf(await release('1.1.0'));
    await writeState({ root, stateDir }, { schema: 1, pending: null, last: null, rejected: ['1.1.0'] });
    const { updater, log } = setup();
    await updater.start();
    updater.hubStatus('online');
    await vi.waitFor(() => expect(log.text()).toMatch(/already rolled back here/));
    expect(hits).toContain('/api/kiosk/update');
    expect(hits).not.toContain('/bundle');
    expect(log.text()).toMatch(/already rolled back here/);
    expect(updater.status().state).toBe('idle');
    updater.stop();
  });
});

describe('polling', () => {
  it('asks the hub every pollMs (with jitter), not before', async () => {
    const { updater, clock } = setup();
    await updater.start();
    await clock.advance(899_000);
    expect(hits).toEqual([]);
    await clock.advance(2_000);
    await vi.waitFor(() => expect(hits).toEqual(['/api/kiosk/update']));
    updater.stop();
  });

  it('a static file server: takes a newer signed release (bundle URL relative to the manifest), ignores an older one', async () => {
    const r = await release('1.1.0');
    staticFiles = { '/static/manifest.json': r.manifest, '/static/manifest.json.sig': `${r.signature}\n`, '/static/visioguichet-1.1.0.tar.gz': readFileSync(r.bundle) };
    const source: UpdateSource = { kind: 'static', manifestUrl: `${hubBase}static/manifest.json` };
    const { updater, clock, restarts } = setup({ source });
    await updater.checkNow();
    expect(updater.status()).toMatchObject({ state: 'staged', target: '1.1.0' });
    await clock.advance(10_000);
    await vi.waitFor(() => expect(restarts).toEqual(['update to 1.1.0']));
    updater.stop();

    const old = setup({ source, currentVersion: '1.2.0' });
    hits.length = 0;
    await old.updater.checkNow();
    expect(old.updater.status().state).toBe('idle');
    expect(hits).not.toContain('/static/visioguichet-1.1.0.tar.gz');
    old.updater.stop();
  });
});

describe('probation after the restart', () => {
  async function switched(deadlineIn = 600_000) {
    await makeReleaseDir(join(root, 'releases', '1.1.0'), '1.1.0');
    rmSync(join(root, 'current'));
    symlinkSync('releases/1.1.0', join(root, 'current'));
    const t = setup({ currentVersion: '1.1.0' });
    await writeState({ root, stateDir }, { schema: 1, pending: { from: '1.0.0', to: '1.1.0', deadline: t.clock.now + deadlineIn, starts: 1 }, last: null, rejected: [] });
    await t.updater.start();
    return t;
  }

  it('commits once the hub link is online and the renderer reported attract', async () => {
    const { updater, statuses } = await switched();
    await makeReleaseDir(join(root, 'releases', '0.9.0'), '0.9.0'); // an older one: pruned on commit
    expect(updater.status()).toMatchObject({ state: 'probation', current: '1.1.0', target: '1.1.0' });
    updater.hubStatus('online');
    await settle();
    expect(updater.status().state).toBe('probation');
    updater.rendererPhase('attract');
    await vi.waitFor(() => expect(updater.status()).toMatchObject({ state: 'committed', current: '1.1.0', target: null, error: null }));
    expect(statuses.map((s) => s.state)).toEqual(['probation', 'committed']);
    await vi.waitFor(() => expect(releases()).toEqual(['1.0.0', '1.1.0']));
    const s = await readState({ root, stateDir });
    expect(s.pending).toBeNull();
    expect(s.last?.state).toBe('committed');
    updater.stop();
  });

  it('rolls back by itself when not healthy by the deadline (health_timeout): current back, reported, restart between visits', async () => {
    const { updater, clock, gate, restarts, statuses, log } = await switched();
    updater.rendererPhase('attract'); // renderer fine, but the hub is never reached
    gate.phase('visit'); // and a citizen is at the booth when the deadline passes
    await clock.advance(600_001);
    await vi.waitFor(() => expect(updater.status().state).toBe('rolled_back'));
    expect(updater.status()).toMatchObject({ state: 'rolled_back', current: '1.0.0', target: '1.1.0', error: { code: 'health_timeout', message: expect.stringMatching(/hub link connecting/) } });
    expect(statuses.at(-1)?.state).toBe('rolled_back');
    expect(readlinkSync(join(root, 'current'))).toBe('releases/1.0.0');
    expect(log.text()).toMatch(/error update rolled back/);
    const s = await readState({ root, stateDir });
    expect(s).toMatchObject({ pending: null, rejected: ['1.1.0'], last: { state: 'rolled_back', error: { code: 'health_timeout' } } });
    // The rollback decision is immediate; the restart into 1.0.0 waits for the visit to end.
    expect(restarts).toEqual([]);
    gate.phase('attract');
    await clock.advance(9_000);
    expect(restarts).toEqual([]);
    await clock.advance(1_000);
    expect(restarts).toEqual(['rollback to 1.0.0']);
    updater.stop();
  });

  it('the version that runs after a rollback reports it until something new happens', async () => {
    await writeState({ root, stateDir }, { schema: 1, pending: null, last: { current: '1.0.0', target: '1.1.0', state: 'rolled_back', error: { code: 'crashed_on_start', message: 'x' }, at: 1 }, rejected: ['1.1.0'] });
    const { updater, statuses } = setup();
    await updater.start();
    expect(updater.status()).toMatchObject({ state: 'rolled_back', current: '1.0.0', target: '1.1.0', error: { code: 'crashed_on_start' } });
    expect(statuses).toHaveLength(1);
    updater.stop();
  });
});
