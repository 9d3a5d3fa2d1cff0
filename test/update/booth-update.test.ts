// A booth updated by a real hub: the hub's updates plugin (signed releases, staged rollout) and the
// kiosk's real composition (composeKiosk: hub link, outbox, session phase feed, updater) on a temp
// install root. The switch waits for the visit in progress; the new version is committed once
// healthy, or rolled back by itself, and the hub sees each outcome in the booth's health reports.
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispatchBridgeCall } from '../../common/bridge/dispatch';
import { KioskPublicConfig } from '../../common/config';
import { composeKiosk } from '../../main/compose';
import type { KioskConfig } from '../../main/services/config';
import type { KioskCore } from '../../main/services/core';
import { readState } from '../../main/update/layout';
import { makeInstall, makeReleaseDir, packAndSign, testKeys } from '../../main/update/testing';
import { createAgent, createHub, createKiosk } from '../../server/hub';
import { ingestPlugin } from '../../server/ingest/plugin';
import { updatesPlugin } from '../../server/updates/plugin';
import { setAgentAdmin } from '../../server/updates/store';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const keys = testKeys();

async function fleet() {
  const base = mkdtempSync(join(tmpdir(), 'vg-booth-upd-'));
  cleanups.push(() => rmSync(base, { recursive: true, force: true }));
  const hub = await createHub({ dbPath: join(base, 'hub.sqlite'), port: 0, logger: false, plugins: [ingestPlugin(), updatesPlugin({ keys: [keys.publicKey], releasesDir: join(base, 'hub-releases') })] });
  cleanups.push(() => hub.close());
  const admin = await createAgent(hub.db, { username: 'admin', displayName: 'Admin' });
  setAgentAdmin(hub.db.db, 'admin', true);
  const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: admin.password }) });
  const token = String(((await login.json()) as { token: string }).token);
  const { secret } = await createKiosk(hub.db, { kioskId: 'booth-1', name: 'Guichet 1', office: 'Québec' });
  const root = join(base, 'opt');
  const stateDir = join(base, 'state');
  await makeInstall(root, '1.0.0');

  const admin$ = async (method: string, path: string, body?: unknown, raw?: Buffer) => {
    const res = await fetch(`${hub.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': raw ? 'application/octet-stream' : 'application/json' },
      ...(raw ? { body: new Uint8Array(raw) } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
  };
  /** Release engineering packs and signs; the admin hands both to the hub. */
  const publish = async (version: string, entry = 'process.exit(0);\n') => {
    const dir = await makeReleaseDir(join(base, `src-${version}`), version, entry);
    const r = await packAndSign(dir, join(base, `out-${version}`), version, keys.privatePem);
    expect((await admin$('POST', '/api/admin/updates/releases', { manifest: r.manifest, signature: r.signature })).status).toBe(201);
    expect((await admin$('PUT', `/api/admin/updates/releases/${version}/bundle`, undefined, await readFile(r.bundle))).status).toBe(200);
  };
  const config = (probationMs: number): KioskConfig => ({
    public: KioskPublicConfig.parse({}),
    hubUrl: hub.wsUrl,
    kioskId: 'booth-1',
    kioskSecret: secret,
    dataDir: join(base, 'data'),
    devMode: false,
    updates: { enabled: true, keys: [keys.publicKey], pollMs: 3_600_000, probationMs },
  });
  const restarts: string[] = [];
  /** One run of the kiosk process (the launcher would start it on whatever `current` points at). */
  const boot = async (probationMs = 600_000): Promise<KioskCore> => {
    const core = await composeKiosk({
      config: config(probationMs),
      health: { intervalMs: 3_600_000 },
      update: { env: { VG_ROOT: root, VG_UPDATE_STATE_DIR: stateDir }, restart: (why) => restarts.push(why), settleMs: 300 },
    });
    cleanups.push(() => core.close());
    return core;
  };
  const hubView = async () => (await admin$('GET', '/api/admin/updates/status')).body as { versions: Record<string, number>; states: Record<string, number>; failures: { code: string | null }[] };
  const askHub = () => fetch(`${hub.url}/api/kiosk/update`, { headers: { authorization: `Kiosk booth-1:${secret}` } });
  return { hub, root, stateDir, admin$, publish, boot, restarts, hubView, askHub };
}

const phase = (core: KioskCore, p: 'attract' | 'visit' | 'call' | 'closed') => dispatchBridgeCall(core.handlers, 'session.phase', [p]);
const updateState = (core: KioskCore) => core.health().update?.state;

describe('a booth updated by the hub between two visits', () => {
  it('waits for the visit to end, switches at attract, restarts, commits when healthy; the hub sees 1.1.0 committed', async () => {
    const f = await fleet();
    await f.publish('1.0.0');
    await f.publish('1.1.0');
    expect((await f.admin$('POST', '/api/admin/updates/rollout', { version: '1.1.0', pilots: ['booth-1'], previous: '1.0.0' })).status).toBe(200);

    const first = await f.boot();
    await phase(first, 'visit'); // a citizen is at the booth when the hub link comes up
    await vi.waitFor(() => expect(updateState(first)).toBe('staged'), { timeout: 15_000 });
    // The hub was told at once (health frame on each state change).
    await vi.waitFor(async () => expect((await f.hubView()).states.staged).toBe(1));
    await phase(first, 'call');
    await new Promise((r) => setTimeout(r, 600)); // > settle time: still in the visit, nothing may switch
    expect(readlinkSync(join(f.root, 'current'))).toBe('releases/1.0.0');
    expect(f.restarts).toEqual([]);

    await phase(first, 'attract'); // visit over
    await vi.waitFor(() => expect(f.restarts).toEqual(['update to 1.1.0']), { timeout: 5_000 });
    expect(readlinkSync(join(f.root, 'current'))).toBe('releases/1.1.0');
    expect(updateState(first)).toBe('switching');
    await first.close();

    // The supervisor restarts the kiosk: it now runs 1.1.0 on probation.
    const second = await f.boot();
    expect(updateState(second)).toBe('probation');
    await vi.waitFor(() => expect(second.hubLink.status).toBe('online'), { timeout: 10_000 });
    // Main resetting a crashed page to attract is not the renderer proving it runs.
    second.resetVisit('page crashed');
    await new Promise((r) => setTimeout(r, 50));
    expect(updateState(second)).toBe('probation');
    await phase(second, 'attract'); // the renderer loaded and reported
    await vi.waitFor(() => expect(updateState(second)).toBe('committed'));
    await vi.waitFor(async () => expect(await f.hubView()).toMatchObject({ versions: { '1.1.0': 1 }, states: { committed: 1 } }));
    expect((await readState({ root: f.root, stateDir: f.stateDir })).pending).toBeNull();
  });

  it('a new version that never becomes healthy is rolled back by itself; the hub sees rolled_back (health_timeout) and does not offer it again', async () => {
    const f = await fleet();
    await f.publish('1.0.0');
    await f.publish('1.1.0');
    expect((await f.admin$('POST', '/api/admin/updates/rollout', { version: '1.1.0', pilots: ['booth-1'], previous: '1.0.0' })).status).toBe(200);
    const first = await f.boot(1_500);
    await vi.waitFor(() => expect(f.restarts).toEqual(['update to 1.1.0']), { timeout: 15_000 });
    await first.close();

    // 1.1.0 starts but its renderer never reports (a blank screen): not healthy within 1.5 s.
    const second = await f.boot(1_500);
    expect(updateState(second)).toBe('probation');
    await vi.waitFor(() => expect(updateState(second)).toBe('rolled_back'), { timeout: 10_000 });
    expect(second.health().update).toMatchObject({ current: '1.0.0', target: '1.1.0', error: { code: 'health_timeout' } });
    expect(readlinkSync(join(f.root, 'current'))).toBe('releases/1.0.0');
    await vi.waitFor(() => expect(f.restarts).toEqual(['update to 1.1.0', 'rollback to 1.0.0']));
    await vi.waitFor(async () => expect(await f.hubView()).toMatchObject({ versions: { '1.0.0': 1 }, states: { rolled_back: 1 }, failures: [{ code: 'health_timeout' }] }));
    await second.close();

    // Back on 1.0.0: the booth reports the rollback and the hub does not offer 1.1.0 again.
    const third = await f.boot();
    await vi.waitFor(() => expect(third.hubLink.status).toBe('online'), { timeout: 10_000 });
    expect(third.health().update).toMatchObject({ state: 'rolled_back', current: '1.0.0' });
    expect((await f.askHub()).status).toBe(204);
    expect(updateState(third)).toBe('rolled_back');
    expect(readlinkSync(join(f.root, 'current'))).toBe('releases/1.0.0');
  });
});

