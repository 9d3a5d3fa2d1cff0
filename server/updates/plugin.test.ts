import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UpdateOffer } from '../../common/update';
import { createAgent, createHub, createKiosk, type Hub } from '../hub';
import { parseRange, updatesPlugin, type UpdatesPluginOptions } from './plugin';
import { setAgentAdmin } from './store';
import { makeKeys, makeRelease, signText, type TestRelease } from './testing';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const keys = makeKeys();
const otherKeys = makeKeys();

async function login(hub: Hub, username: string, password: string): Promise<string> {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return String(((await res.json()) as { token: string }).token);
}

async function start(opts: Partial<UpdatesPluginOptions> = {}) {
  const releasesDir = mkdtempSync(join(tmpdir(), 'vg-releases-'));
  cleanups.push(() => rmSync(releasesDir, { recursive: true, force: true }));
  const hub = await createHub({ dbPath: ':memory:', plugins: [updatesPlugin({ keys: [keys.publicKey], releasesDir, ...opts })] });
  cleanups.push(() => hub.close());
  const admin = await createAgent(hub.db, { username: 'admin', displayName: 'Admin' });
  const agent = await createAgent(hub.db, { username: 'marie', displayName: 'Marie' });
  setAgentAdmin(hub.db.db, 'admin', true);
  const kiosks: Record<string, string> = {};
  for (const id of ['kiosk-1', 'kiosk-2']) kiosks[id] = (await createKiosk(hub.db, { kioskId: id, name: id, office: 'Québec' })).secret;
  return { hub, releasesDir, adminToken: await login(hub, 'admin', admin.password), agentToken: await login(hub, 'marie', agent.password), kiosks };
}

type Ctx = Awaited<ReturnType<typeof start>>;

const api = async (ctx: Ctx, method: string, path: string, body?: unknown, token = ctx.adminToken) => {
  const res = await fetch(`${ctx.hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
};

const upload = async (ctx: Ctx, version: string, bytes: Buffer, token = ctx.adminToken) => {
  const res = await fetch(`${ctx.hub.url}/api/admin/updates/releases/${version}/bundle`, {
    method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

async function addRelease(ctx: Ctx, rel: TestRelease) {
  expect(await api(ctx, 'POST', '/api/admin/updates/releases', { manifest: rel.manifest, signature: rel.signature })).toMatchObject({ status: 201 });
  expect(await upload(ctx, rel.version, rel.bundle)).toMatchObject({ status: 200, body: { bundleStored: true } });
}

const kioskAuth = (ctx: Ctx, id: string) => ({ authorization: `Kiosk ${id}:${ctx.kiosks[id] as string}` });

describe('hub updates: releases are verified with the configured public keys', () => {
  it('stores a signed release and its bundle, and serves them to booths byte for byte', async () => {
    const ctx = await start();
    const rel = makeRelease(keys, '1.1.0', { size: 300_000 });
    await addRelease(ctx, rel);
    const dir = join(ctx.releasesDir, '1.1.0');
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'manifest.json.sig', 'visioguichet-1.1.0.tar.gz']);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(rel.manifest);
    // Sending the same manifest again is a no-op; the bundle cannot be replaced.
    expect((await api(ctx, 'POST', '/api/admin/updates/releases', { manifest: rel.manifest, signature: rel.signature })).status).toBe(200);
    expect(await upload(ctx, '1.1.0', rel.bundle)).toMatchObject({ status: 409, body: { code: 'release_exists' } });

    const base = makeRelease(keys, '1.0.0');
    await addRelease(ctx, base);
    expect(await api(ctx, 'POST', '/api/admin/updates/rollout', { version: '1.1.0', pilots: ['kiosk-1'], previous: '1.0.0' })).toMatchObject({ status: 200, body: { rollout: { stage: 'pilot', version: '1.1.0' } } });

    const offerRes = await fetch(`${ctx.hub.url}/api/kiosk/update`, { headers: kioskAuth(ctx, 'kiosk-1') });
    expect(offerRes.status).toBe(200);
    const offer = UpdateOffer.parse(await offerRes.json());
    expect(offer.manifest).toBe(rel.manifest); // exact text: the booth verifies these bytes
    expect(offer.signature).toBe(rel.signature);
    expect(offer.bundleUrl).toBe(`${ctx.hub.url}/api/kiosk/update/bundle/1.1.0`);
    // Not a pilot: nothing yet.
    expect((await fetch(`${ctx.hub.url}/api/kiosk/update`, { headers: kioskAuth(ctx, 'kiosk-2') })).status).toBe(204);

    const dl = await fetch(offer.bundleUrl, { headers: kioskAuth(ctx, 'kiosk-1') });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-length')).toBe(String(rel.bundle.length));
    const got = Buffer.from(await dl.arrayBuffer());
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(rel.bundle).digest('hex'));

    // An interrupted download resumes where it stopped.
    const tail = await fetch(offer.bundleUrl, { headers: { ...kioskAuth(ctx, 'kiosk-1'), range: 'bytes=200000-' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe(`bytes 200000-299999/300000`);
    expect(Buffer.from(await tail.arrayBuffer()).equals(rel.bundle.subarray(200_000))).toBe(true);
    const mid = await fetch(offer.bundleUrl, { headers: { ...kioskAuth(ctx, 'kiosk-1'), range: 'bytes=10-19' } });
    expect(Buffer.from(await mid.arrayBuffer()).equals(rel.bundle.subarray(10, 20))).toBe(true);
    const past = await fetch(offer.bundleUrl, { headers: { ...kioskAuth(ctx, 'kiosk-1'), range: 'bytes=300000-' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */300000');
  });

  it('refuses an unsigned, tampered, foreign-key or malformed release with a clear code and stores nothing', async () => {
    const ctx = await start();
    const rel = makeRelease(keys, '2.0.0');
    const post = (manifest: string, signature: string) => api(ctx, 'POST', '/api/admin/updates/releases', { manifest, signature });
    expect(await post(rel.manifest, '')).toMatchObject({ status: 400, body: { code: 'invalid_message' } });
    expect(await post(rel.manifest, 'bm90IGEgc2lnbmF0dXJl')).toMatchObject({ status: 400, body: { code: 'signature_invalid' } });
    const tampered = rel.manifest.replace('"size": 4096', '"size": 4097');
    expect(tampered).not.toBe(rel.manifest);
    expect(await post(tampered, rel.signature)).toMatchObject({ status: 400, body: { code: 'signature_invalid' } });
    const foreign = makeRelease(otherKeys, '2.0.0');
    expect(await post(foreign.manifest, foreign.signature)).toMatchObject({ status: 400, body: { code: 'signature_invalid', message: expect.stringMatching(/none of the 1 configured/) } });
    const wrongProduct = makeRelease(keys, '2.0.0', { edit: (m) => (m.product = 'something-else') });
    expect(await post(wrongProduct.manifest, wrongProduct.signature)).toMatchObject({ status: 400, body: { code: 'manifest_invalid', message: expect.stringMatching(/product/) } });
    const notJson = 'version: 2.0.0';
    expect(await post(notJson, signText(keys, notJson))).toMatchObject({ status: 400, body: { code: 'manifest_invalid' } });
    expect(await api(ctx, 'GET', '/api/admin/updates/releases')).toEqual({ status: 200, body: { releases: [] } });

    // The manifest is good; the bundle that follows is not the one it names.
    expect((await post(rel.manifest, rel.signature)).status).toBe(201);
    const other = Buffer.from(rel.bundle);
    other[10] = (other[10] as number) ^ 0xff;
    expect(await upload(ctx, '2.0.0', other)).toMatchObject({ status: 400, body: { code: 'bundle_hash_mismatch' } });
    expect(await upload(ctx, '2.0.0', Buffer.concat([rel.bundle, Buffer.from('x')]))).toMatchObject({ status: 413, body: { code: 'bundle_too_large' } });
    expect(await upload(ctx, '2.0.0', rel.bundle.subarray(0, 100))).toMatchObject({ status: 400, body: { code: 'bundle_hash_mismatch' } });
    expect(readdirSync(join(ctx.releasesDir, '2.0.0'))).toEqual([]);
    // A release without its bundle is never rolled out.
    expect(await api(ctx, 'POST', '/api/admin/updates/rollout', { version: '2.0.0', pilots: ['kiosk-1'] })).toMatchObject({ status: 409, body: { code: 'bundle_missing' } });
    expect(await upload(ctx, '9.9.9', rel.bundle)).toMatchObject({ status: 404, body: { code: 'release_unknown' } });
    // A version is never re-released with other contents.
    const again = makeRelease(keys, '2.0.0');
    expect(await post(again.manifest, again.signature)).toMatchObject({ status: 409, body: { code: 'release_exists' } });
    // Now the right bundle.
    expect(await upload(ctx, '2.0.0', rel.bundle)).toMatchObject({ status: 200 });
  });

  it('a hub without keys refuses every release; a malformed key stops the hub from starting', async () => {
    const ctx = await start({ keys: [] });
    const rel = makeRelease(keys, '1.0.0');
    expect(await api(ctx, 'POST', '/api/admin/updates/releases', { manifest: rel.manifest, signature: rel.signature })).toMatchObject({ status: 503, body: { code: 'no_update_keys' } });
    expect(() => updatesPlugin({ keys: ['not-a-key'], releasesDir: '/nonexistent' })).toThrow(/^updateKeys\[0\]: update key is neither base64 of a raw Ed25519 key/);
    const { publicKey: rsa } = (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => updatesPlugin({ keys: [rsa.export({ format: 'pem', type: 'spki' }).toString()], releasesDir: '/nonexistent' })).toThrow(/expected ed25519/);
  });
});

describe('hub updates: booth routes', () => {
  it('parses one byte range; several ranges or another unit mean the whole file', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=90-200', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-4', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
  });

  it('require kiosk credentials, and the bundle route takes a version, never a path', async () => {
    const ctx = await start();
    await addRelease(ctx, makeRelease(keys, '1.0.0'));
    expect((await fetch(`${ctx.hub.url}/api/kiosk/update`)).status).toBe(401);
    expect((await fetch(`${ctx.hub.url}/api/kiosk/update`, { headers: { authorization: `Kiosk kiosk-1:${'x'.repeat(32)}` } })).status).toBe(401);
    expect((await fetch(`${ctx.hub.url}/api/kiosk/update`, { headers: kioskAuth(ctx, 'kiosk-1') })).status).toBe(204); // no rollout
    expect((await fetch(`${ctx.hub.url}/api/kiosk/update/bundle/1.0.0`)).status).toBe(401);
    expect((await fetch(`${ctx.hub.url}/api/kiosk/update/bundle/1.0.0`, { headers: kioskAuth(ctx, 'kiosk-1') })).status).toBe(200);
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', '1.0.0%2F..%2F..%2Fhub.sqlite', '..', '%2Fetc%2Fpasswd', '9.9.9', '1.0.0%00']) {
      const res = await fetch(`${ctx.hub.url}/api/kiosk/update/bundle/${bad}`, { headers: kioskAuth(ctx, 'kiosk-1') });
      expect(res.status, bad).toBe(404);
    }
    // A bundle damaged on the hub's disk is not served as if it were whole.
    rmSync(join(ctx.releasesDir, '1.0.0', 'visioguichet-1.0.0.tar.gz'));
    const gone = await fetch(`${ctx.hub.url}/api/kiosk/update/bundle/1.0.0`, { headers: kioskAuth(ctx, 'kiosk-1') });
    expect(gone.status).toBe(503);
    expect(existsSync(join(ctx.releasesDir, '1.0.0', 'manifest.json'))).toBe(true);
  });
});

describe('hub updates: admin role', () => {
  it('a non-admin agent gets 403 and no token gets 401 on every admin route; revoking the flag takes effect at once', async () => {
    const ctx = await start();
    const rel = makeRelease(keys, '1.0.0');
    const routes: [string, string, unknown][] = [
      ['GET', '/api/admin/updates/status', undefined],
      ['GET', '/api/admin/updates/releases', undefined],
      ['GET', '/api/admin/updates/audit', undefined],
      ['POST', '/api/admin/updates/releases', { manifest: rel.manifest, signature: rel.signature }],
      ['POST', '/api/admin/updates/rollout', { version: '1.0.0', pilots: ['kiosk-1'] }],
      ['POST', '/api/admin/updates/rollout/advance', {}],
      ['POST', '/api/admin/updates/rollout/pause', {}],
      ['POST', '/api/admin/updates/rollout/resume', {}],
      ['POST', '/api/admin/updates/rollout/rollback', {}],
      ['DELETE', '/api/admin/updates/releases/1.0.0/bundle', undefined],
    ];
    for (const [method, path, body] of routes) {
      expect(await api(ctx, method, path, body, ctx.agentToken), `${method} ${path}`).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      expect((await api(ctx, method, path, body, 'garbage-token-xyz')).status, `${method} ${path}`).toBe(401);
    }
    expect(await upload(ctx, '1.0.0', rel.bundle, ctx.agentToken)).toMatchObject({ status: 403 });
    expect(await api(ctx, 'GET', '/api/admin/updates/releases', undefined, ctx.agentToken)).toMatchObject({ status: 403 });
    // Nothing was changed by the refused calls.
    expect((await api(ctx, 'GET', '/api/admin/updates/status')).body).toMatchObject({ rollout: null, releases: [] });
    setAgentAdmin(ctx.hub.db.db, 'admin', false);
    expect((await api(ctx, 'GET', '/api/admin/updates/status')).status).toBe(403);
  });

  it('rollout commands answer state errors with stable codes and record who did what', async () => {
    const ctx = await start();
    const rollout = (path: string, body: unknown = {}) => api(ctx, 'POST', `/api/admin/updates/rollout${path}`, body);
    expect(await rollout('/advance')).toMatchObject({ status: 404, body: { code: 'no_rollout' } });
    await addRelease(ctx, makeRelease(keys, '1.0.0'));
    await addRelease(ctx, makeRelease(keys, '1.1.0'));
    expect(await rollout('', { version: '1.1.0' })).toMatchObject({ status: 400, body: { code: 'no_pilots' } });
    expect(await rollout('', { version: '1.1.0', pilots: ['nope'] })).toMatchObject({ status: 400, body: { code: 'unknown_kiosk' } });
    expect(await rollout('', { version: '1.1.0', pilots: ['kiosk-1'], percent: 0 })).toMatchObject({ status: 400, body: { code: 'invalid_message' } });
    expect(await rollout('', { version: '3.0.0', pilots: ['kiosk-1'] })).toMatchObject({ status: 404, body: { code: 'release_unknown' } });
    expect(await rollout('', { version: '1.1.0', pilots: ['kiosk-1'] })).toMatchObject({ status: 200 });
    expect(await rollout('/rollback')).toMatchObject({ status: 409, body: { code: 'no_previous' } });
    expect(await rollout('', { version: '1.0.0', pilots: ['kiosk-1'] })).toMatchObject({ status: 409, body: { code: 'rollout_active' } });
    expect(await rollout('/resume')).toMatchObject({ status: 409, body: { code: 'rollout_not_paused' } });
    expect(await rollout('/pause', { reason: 'guichet 3 signale un écran noir' })).toMatchObject({ status: 200, body: { rollout: { paused: true } } });
    expect(await rollout('/advance')).toMatchObject({ status: 409, body: { code: 'rollout_paused' } });
    expect(await rollout('/resume')).toMatchObject({ status: 200, body: { rollout: { paused: false } } });
    expect(await rollout('/advance', { percent: 25 })).toMatchObject({ status: 200, body: { rollout: { stage: 'percent', percent: 25 } } });
    expect(await rollout('/advance', { percent: 60 })).toMatchObject({ status: 200, body: { rollout: { stage: 'percent', percent: 60 } } });
    expect(await rollout('/advance', { percent: 40 })).toMatchObject({ status: 400, body: { code: 'invalid_percent' } });
    expect(await rollout('/advance')).toMatchObject({ status: 200, body: { rollout: { stage: 'all' } } });
    expect(await rollout('/advance')).toMatchObject({ status: 409, body: { code: 'rollout_finished' } });
    expect(await rollout('/pause', { bogus: 1 })).toMatchObject({ status: 400, body: { code: 'invalid_message' } });
    // The next rollout returns to the finished one's version by default.
    await addRelease(ctx, makeRelease(keys, '1.2.0'));
    expect(await rollout('', { version: '1.2.0' })).toMatchObject({ status: 200, body: { rollout: { previousVersion: '1.1.0', stage: 'pilot' } } });

    const status = (await api(ctx, 'GET', '/api/admin/updates/status')).body as { rollout: { history: { actor: string; action: string }[] } };
    expect(status.rollout.history.map((h) => [h.actor, h.action])).toEqual([['agent:admin', 'rollout.start']]);
    const all = ctx.hub.db.db.prepare<[], { actor: string; action: string; version: string | null }>('SELECT actor, action, version FROM update_audit ORDER BY id').all();
    const audit = (await api(ctx, 'GET', '/api/admin/updates/audit?limit=2')).body as { entries: { actor: string; action: string; version: string }[] };
    expect(audit.entries.map((e) => `${e.action} ${e.version}`)).toEqual(['rollout.start 1.2.0', 'release.bundle 1.2.0']);
    expect(all.map((a) => `${a.actor} ${a.action} ${a.version ?? ''}`)).toEqual([
      'agent:admin release.add 1.0.0', 'agent:admin release.bundle 1.0.0', 'agent:admin release.add 1.1.0', 'agent:admin release.bundle 1.1.0',
      'agent:admin rollout.start 1.1.0', 'agent:admin rollout.pause 1.1.0', 'agent:admin rollout.resume 1.1.0',
      'agent:admin rollout.advance 1.1.0', 'agent:admin rollout.advance 1.1.0', 'agent:admin rollout.advance 1.1.0',
      'agent:admin release.add 1.2.0', 'agent:admin release.bundle 1.2.0', 'agent:admin rollout.start 1.2.0',
    ]);
    // Disk hygiene: 1.0.0 is no longer used; 1.1.0 is where a rollback of 1.2.0 returns.
    expect(await api(ctx, 'DELETE', '/api/admin/updates/releases/1.0.0/bundle')).toMatchObject({ status: 200, body: { bundleStored: false } });
    expect(existsSync(join(ctx.releasesDir, '1.0.0', 'visioguichet-1.0.0.tar.gz'))).toBe(false);
    expect(await api(ctx, 'DELETE', '/api/admin/updates/releases/1.1.0/bundle')).toMatchObject({ status: 409, body: { code: 'release_in_use' } });
    expect((await api(ctx, 'GET', '/api/admin/updates/status')).body.releases).toEqual([
      expect.objectContaining({ version: '1.0.0', stored: false }), expect.objectContaining({ version: '1.1.0', stored: true }), expect.objectContaining({ version: '1.2.0', stored: true }),
    ]);
  });
});

describe('hub updates: a releases dir that fills up (real tmpfs)', () => {
  it('answers 507 disk_full, leaves no partial file, and takes the bundle once there is room', async () => {
    const mnt = mkdtempSync(join(tmpdir(), 'vg-releases-full-'));
    // Needs root (CI and the dev machines run the suite as root): a real, tiny filesystem.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    cleanups.push(() => {
      execFileSync('umount', ['-l', mnt]);
      rmSync(mnt, { recursive: true, force: true });
    });
    const ctx = await start({ releasesDir: mnt });
    const rel = makeRelease(keys, '3.0.0', { size: 768 * 1024 });
    expect((await api(ctx, 'POST', '/api/admin/updates/releases', { manifest: rel.manifest, signature: rel.signature })).status).toBe(201);
    const filler = join(mnt, 'filler');
    writeFileSync(filler, Buffer.alloc(512 * 1024));
    expect(await upload(ctx, '3.0.0', rel.bundle)).toMatchObject({ status: 507, body: { code: 'disk_full' } });
    expect(readdirSync(join(mnt, '3.0.0'))).toEqual([]);
    rmSync(filler);
    expect(await upload(ctx, '3.0.0', rel.bundle)).toMatchObject({ status: 200 });
  });
});
