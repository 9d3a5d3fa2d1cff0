// A staged rollout over 30 simulated booths against a real hub: each booth is a real kiosk client
// (WebSocket hub link for its kiosk.health reports, HTTP with its kiosk credentials for update
// polls and bundle downloads) that verifies the Ed25519 signature and the bundle hash the way a
// booth does, then reports each update state. Pilot → 10 % → all; a booth rolling back pauses the
// rollout by itself; a pause stops new booths only; a rollback sends booths back to 1.0.0.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KioskListResponse, type KioskHealthSnapshot } from '../../common/protocol';
import { ReleaseManifest, UpdateOffer, type UpdateErrorCode, type UpdateState, type UpdateStatus } from '../../common/update';
import { createAgent, createHub, createKiosk, type Hub } from '../../server/hub';
import { HubTestClient } from '../../server/test-client';
import { updatesPlugin } from '../../server/updates/plugin';
import { bucketOf, type UpdatesStatus } from '../../server/updates/rollout';
import { setAgentAdmin } from '../../server/updates/store';
import { makeKeys, makeRelease, type TestRelease } from '../../server/updates/testing';

const BOOTHS = 30;
const keys = makeKeys();
const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(keys.publicKey, 'base64').toString('base64url') }, format: 'jwk' });

/** One booth: the hub link reports health; polls and downloads go over HTTP like main/update does. */
class SimBooth {
  version = '1.0.0';
  status: UpdateStatus;
  /** Makes the next install of this version fail its health check (the booth switches back by itself). */
  failOn: string | null = null;
  /** Accepts an offer but does not install it yet (a slow download). */
  holdOffers = false;
  held: UpdateOffer | null = null;
  readonly installed: string[] = [];
  private link!: HubTestClient;

  constructor(readonly hub: Hub, readonly kioskId: string, readonly secret: string, readonly sendsUpdate: boolean) {
    this.status = { current: this.version, target: null, state: 'idle', error: null, at: Date.now() };
  }

  async connect(): Promise<void> {
    this.link = await HubTestClient.connect(this.hub.wsUrl);
    this.link.send({ type: 'kiosk.auth', v: 1, kioskId: this.kioskId, secret: this.secret });
    await this.link.next('welcome');
    this.report();
  }

  close(): void {
    this.link.close();
  }

  /** A kiosk.health frame; older builds (sendsUpdate false) carry only appVersion. */
  report(): void {
    const health: KioskHealthSnapshot = {
      at: Date.now(), appVersion: this.version, uptimeSeconds: 1, hubLink: 'online', phase: 'attract', ok: true, problems: [],
      devices: null, camera: null, screen: null, media: null, outbox: null,
      ...(this.sendsUpdate ? { update: this.status } : {}),
    };
    this.link.send({ type: 'kiosk.health', health });
  }

  private set(state: UpdateState, target: string | null, error: UpdateErrorCode | null = null): void {
    this.status = { current: this.version, target, state, error: error ? { code: error, message: `simulated ${error}` } : null, at: Date.now() };
    this.report(); // the contract: a health frame right after each state change
  }

  private get auth() {
    return { authorization: `Kiosk ${this.kioskId}:${this.secret}` };
  }

  /** One update check; returns the version offered (null on 204). */
  async poll(): Promise<string | null> {
    const res = await fetch(`${this.hub.url}/api/kiosk/update`, { headers: this.auth });
    if (res.status === 204) return null;
    expect(res.status).toBe(200);
    const offer = UpdateOffer.parse(await res.json());
    // Verify the signature over the exact manifest bytes BEFORE anything else.
    expect(verify(null, Buffer.from(offer.manifest, 'utf8'), publicKey, Buffer.from(offer.signature, 'base64'))).toBe(true);
    const m = ReleaseManifest.parse(JSON.parse(offer.manifest));
    if (this.holdOffers) {
      this.held = offer;
      return m.version;
    }
    await this.install(offer);
    return m.version;
  }

  async install(offer: UpdateOffer): Promise<void> {
    const m = ReleaseManifest.parse(JSON.parse(offer.manifest));
    if (m.version === this.version) return;
    this.set('downloading', m.version);
    const dl = await fetch(offer.bundleUrl, { headers: this.auth });
    expect(dl.status).toBe(200);
    const bytes = Buffer.from(await dl.arrayBuffer());
    this.set('verifying', m.version);
    expect(bytes.length).toBe(m.bundle.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(m.bundle.sha256);
    this.set('staged', m.version);
    this.set('switching', m.version);
    const from = this.version;
    this.version = m.version;
    this.set('probation', m.version);
    if (this.failOn === m.version) {
      this.version = from;
      this.set('rolled_back', m.version, 'health_timeout');
      return;
    }
    this.installed.push(m.version);
    this.set('committed', null); // as main/update does: committed, nothing pending
  }
}

let hub: Hub;
let releasesDir: string;
let adminToken: string;
let agentToken: string;
const booths: SimBooth[] = [];
const releases: Record<string, TestRelease> = {};

const api = async (method: string, path: string, body?: unknown, token = adminToken) => {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const status = async () => (await api('GET', '/api/admin/updates/status')).body as unknown as UpdatesStatus;
const login = async (username: string, password: string) => {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return String(((await res.json()) as { token: string }).token);
};
/** Every booth polls once, all at the same time; returns the booths that were offered something. */
const pollAll = async (which = booths) => {
  const offered = await Promise.all(which.map(async (b) => ((await b.poll()) ? b.kioskId : null)));
  return offered.filter((x): x is string => x !== null).sort();
};
/** Waits until the hub has taken in every booth's last report. */
const settled = (versions: Record<string, number>) =>
  vi.waitFor(async () => expect((await status()).versions).toEqual(versions), { timeout: 10_000, interval: 50 });
const idsOf = (list: SimBooth[]) => list.map((b) => b.kioskId).sort();

beforeAll(async () => {
  releasesDir = mkdtempSync(join(tmpdir(), 'vg-rollout-'));
  hub = await createHub({ dbPath: ':memory:', plugins: [updatesPlugin({ keys: [keys.publicKey], releasesDir })] });
  const admin = await createAgent(hub.db, { username: 'admin', displayName: 'Admin' });
  const agent = await createAgent(hub.db, { username: 'marie', displayName: 'Marie' });
  setAgentAdmin(hub.db.db, 'admin', true);
  adminToken = await login('admin', admin.password);
  agentToken = await login('marie', agent.password);
  for (let i = 1; i <= BOOTHS; i++) {
    const kioskId = `qc-${String(i).padStart(3, '0')}`;
    const { secret } = await createKiosk(hub.db, { kioskId, name: `Kiosque ${i}`, office: 'Québec' });
    // One booth in three runs an older build that reports only appVersion.
    booths.push(new SimBooth(hub, kioskId, secret, i % 3 !== 0));
  }
  await Promise.all(booths.map((b) => b.connect()));
  for (const v of ['1.0.0', '1.1.0']) {
    const rel = makeRelease(keys, v, { size: 64 * 1024 });
    releases[v] = rel;
    expect((await api('POST', '/api/admin/updates/releases', { manifest: rel.manifest, signature: rel.signature })).status).toBe(201);
    const up = await fetch(`${hub.url}/api/admin/updates/releases/${v}/bundle`, {
      method: 'PUT', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(rel.bundle),
    });
    expect(up.status).toBe(200);
  }
}, 60_000);

afterAll(async () => {
  for (const b of booths) b.close();
  await hub?.close();
  rmSync(releasesDir, { recursive: true, force: true });
});

describe('staged rollout over 30 booths', () => {
  it('pilot → 10 % → all, automatic pause on a rollback, pause stops new booths only, rollback returns the fleet to 1.0.0', async () => {
    await settled({ '1.0.0': BOOTHS });
    expect(await pollAll()).toEqual([]); // no rollout yet

    // ---- pilot ring
    const pilots = [booths[2]!, booths[16]!];
    const started = await api('POST', '/api/admin/updates/rollout', { version: '1.1.0', pilots: idsOf(pilots), percent: 10, previous: '1.0.0' });
    expect(started).toMatchObject({ status: 200, body: { rollout: { stage: 'pilot', version: '1.1.0', previousVersion: '1.0.0', autoPauseAfter: 1 } } });
    expect(await pollAll()).toEqual(idsOf(pilots));
    await settled({ '1.0.0': BOOTHS - 2, '1.1.0': 2 });
    expect(await pollAll()).toEqual([]); // on target: nothing more

    // The fleet list shows each booth's version and update result (appVersion for older builds).
    const fleet = KioskListResponse.parse(await (await fetch(`${hub.url}/api/kiosks`, { headers: { authorization: `Bearer ${agentToken}` } })).json()).kiosks;
    const byId = new Map(fleet.map((k) => [k.kioskId, k]));
    expect(byId.get('qc-017')).toMatchObject({ version: '1.1.0', update: { state: 'committed', current: '1.1.0', target: null } });
    expect(byId.get('qc-003')).toMatchObject({ version: '1.1.0', update: null }); // an older build: appVersion only
    expect(byId.get('qc-001')).toMatchObject({ version: '1.0.0', update: { state: 'idle' } });

    // ---- 10 %: a stable share chosen by kiosk-id hash, plus the pilots already done
    expect((await api('POST', '/api/admin/updates/rollout/advance', {})).body).toMatchObject({ rollout: { stage: 'percent', percent: 10 } });
    const tenPercent = booths.filter((b) => !pilots.includes(b) && bucketOf(b.kioskId) < 10);
    expect(tenPercent.length).toBeGreaterThan(0);
    expect(tenPercent.length).toBeLessThan(BOOTHS / 3);
    expect(await pollAll()).toEqual(idsOf(tenPercent));
    const done1 = 2 + tenPercent.length;
    await settled({ '1.0.0': BOOTHS - done1, '1.1.0': done1 });
    expect((await status()).rollout).toMatchObject({ inRing: done1, offered: done1, onTarget: done1, rings: { pilot: 2, percent: tenPercent.length, rest: BOOTHS - done1 } });

    // ---- all: one booth is slow to download (offered before the pause), one fails its health check
    expect((await api('POST', '/api/admin/updates/rollout/advance', {})).body).toMatchObject({ rollout: { stage: 'all' } });
    const rest = booths.filter((b) => b.version === '1.0.0');
    // Only a build that sends `update` can say it rolled back.
    const failing = rest.find((b) => b.sendsUpdate) as SimBooth;
    const slow = rest.find((b) => b !== failing) as SimBooth;
    const others = rest.filter((b) => b !== failing && b !== slow);
    slow.holdOffers = true;
    expect(await slow.poll()).toBe('1.1.0');
    failing.failOn = '1.1.0';
    expect(await failing.poll()).toBe('1.1.0');
    expect(failing.version).toBe('1.0.0');
    // The hub pauses the rollout by itself once the rolled_back report arrives.
    await vi.waitFor(async () => expect((await status()).rollout).toMatchObject({ paused: true, pauseReason: expect.stringContaining(failing.kioskId) }), { timeout: 10_000, interval: 50 });
    const paused = await status();
    expect(paused.failures).toEqual([expect.objectContaining({ kioskId: failing.kioskId, state: 'rolled_back', code: 'health_timeout', target: '1.1.0', version: '1.0.0' })]);
    expect(paused.failuresByCode).toEqual({ health_timeout: 1 });
    expect(paused.rollout?.history.at(-1)).toMatchObject({ actor: 'hub', action: 'rollout.auto_pause', detail: { kiosks: [failing.kioskId], threshold: 1 } });

    // Paused: booths not yet offered get nothing; the slow one already on its way still does.
    slow.holdOffers = false;
    expect(await pollAll([slow, failing, ...others])).toEqual([slow.kioskId]);
    expect(slow.version).toBe('1.1.0');
    const done2 = done1 + 1;
    await settled({ '1.0.0': BOOTHS - done2, '1.1.0': done2 });

    // A non-admin agent cannot resume (or do anything else there).
    expect((await api('POST', '/api/admin/updates/rollout/resume', {}, agentToken)).status).toBe(403);

    // ---- resume: every remaining booth updates, except the one that rolled back by itself
    expect((await api('POST', '/api/admin/updates/rollout/resume', {})).body).toMatchObject({ rollout: { paused: false } });
    expect(await pollAll()).toEqual(idsOf(others));
    await settled({ '1.0.0': 1, '1.1.0': BOOTHS - 1 });
    expect((await status()).rollout).toMatchObject({ paused: false, onTarget: BOOTHS - 1 }); // the old rollback does not re-pause

    // ---- rollback: booths that took 1.1.0 are offered 1.0.0 (the signed 1.0.0 manifest)
    expect((await api('POST', '/api/admin/updates/rollout/rollback', {})).body).toMatchObject({ rollout: { stage: 'rolled_back' } });
    const back = await pollAll();
    expect(back).toEqual(idsOf(booths.filter((b) => b !== failing)));
    await settled({ '1.0.0': BOOTHS });
    expect(await pollAll()).toEqual([]);
    expect(booths.every((b) => b.version === '1.0.0')).toBe(true);
    expect(failing.installed).toEqual([]);

    const history = (await status()).rollout?.history.map((h) => `${h.actor} ${h.action}`);
    expect(history).toEqual(['agent:admin rollout.start', 'agent:admin rollout.advance', 'agent:admin rollout.advance', 'hub rollout.auto_pause', 'agent:admin rollout.resume', 'agent:admin rollout.rollback']);
  }, 90_000);
});
