import { mkdtempSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../common/db/migrate';
import type { UpdateStatus } from '../../common/update';
import { migrations } from '../db/migrations';
import { HubStore, openHubDb, type SqliteDb } from '../db/store';
import { addReleaseManifest, storeBundle } from './releases';
import {
  advanceRollout, bucketOf, onKioskHealth, pauseRollout, resumeRollout, rollbackRollout, startRollout, targetFor, updatesStatus,
} from './rollout';
import { parseUpdateKey } from './signature';
import { kioskUpdate } from './store';
import { makeKeys, makeRelease } from './testing';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const keys = makeKeys();

async function setup(kioskIds: string[], versions: string[] = ['1.0.0', '1.1.0']) {
  const store = HubStore.open(':memory:');
  cleanups.push(() => store.close());
  const dir = mkdtempSync(join(tmpdir(), 'vg-rollout-unit-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const id of kioskIds) store.insertKiosk({ kioskId: id, name: id, office: 'O', secretHash: 'x', disabled: false, createdAt: 1 });
  for (const v of versions) {
    const rel = makeRelease(keys, v, { size: 512 });
    addReleaseManifest(store.db, { manifest: rel.manifest, signature: rel.signature, keys: [parseUpdateKey(keys.publicKey)], actor: 'test', now: 1 });
    await storeBundle(store.db, { releasesDir: dir, version: v, source: Readable.from([rel.bundle]), actor: 'test', now: () => 1 });
  }
  return store.db;
}

const status = (state: UpdateStatus['state'], current: string, target: string | null, code?: 'health_timeout', at = 5): UpdateStatus => ({
  current, target, state, error: code ? { code, message: 'x' } : null, at,
});
const report = (db: SqliteDb, kioskId: string, appVersion: string, update: UpdateStatus | undefined, now: number) => onKioskHealth(db, kioskId, { appVersion, ...(update ? { update } : {}) }, now);

describe('ring bucket', () => {
  it('is stable and spreads kiosk ids evenly: about 10 % of 10 000 ids fall under 10', () => {
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 10_000; i++) counts[bucketOf(`kiosk-${i}`)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
    const under10 = counts.slice(0, 10).reduce((a, b) => a + b, 0);
    expect(under10).toBeGreaterThan(850);
    expect(under10).toBeLessThan(1150);
    expect(bucketOf('qc-001')).toBe(bucketOf('qc-001'));
  });
});

describe('migration 4', () => {
  it('adds the update tables and agents.is_admin to an existing v3 hub database, keeping its agents', () => {
    const db = openHubDb(':memory:', migrations.slice(0, 3));
    db.prepare("INSERT INTO agents (id, username, display_name, password_hash, created_at) VALUES ('a1', 'marie', 'Marie', 'h', 1)").run();
    expect(migrate(db, migrations.slice(0, 4))).toEqual({ from: 3, to: 4 });
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['releases', 'rollouts', 'rollout_offers', 'kiosk_rings', 'kiosk_updates', 'update_audit']));
    expect(db.prepare<[], { is_admin: number }>("SELECT is_admin FROM agents WHERE username = 'marie'").get()).toEqual({ is_admin: 0 });
    db.close();
  });
});

describe('rollout decisions', () => {
  it('a booth with no known version is still offered the target; one already on it is not', async () => {
    const db = await setup(['p1', 'k2']);
    startRollout(db, { version: '1.1.0', pilots: ['p1'], previous: '1.0.0' }, 'test', 10);
    expect(targetFor(db, 'p1', 11)?.version).toBe('1.1.0');
    report(db, 'p1', '1.1.0', undefined, 12);
    expect(targetFor(db, 'p1', 13)).toBeNull();
    expect(targetFor(db, 'k2', 13)).toBeNull();
  });

  it('pauses by itself after autoPauseAfter rollbacks; a resume re-arms so earlier rollbacks do not count again', async () => {
    const db = await setup(['a', 'b', 'c', 'd']);
    startRollout(db, { version: '1.1.0', pilots: ['a', 'b', 'c', 'd'], previous: '1.0.0', autoPauseAfter: 2 }, 'test', 10);
    for (const k of ['a', 'b', 'c', 'd']) expect(targetFor(db, k, 11)?.version).toBe('1.1.0');
    report(db, 'a', '1.0.0', status('rolled_back', '1.0.0', '1.1.0', 'health_timeout'), 20);
    expect(updatesStatus(db).rollout?.paused).toBe(false); // 1 of 2
    // The same report repeated (every health interval, with a new `at`) is not a second booth.
    report(db, 'a', '1.0.0', status('rolled_back', '1.0.0', '1.1.0', 'health_timeout', 99), 21);
    expect(updatesStatus(db).rollout?.paused).toBe(false);
    report(db, 'b', '1.0.0', status('rolled_back', '1.0.0', '1.1.0', 'health_timeout'), 22);
    expect(updatesStatus(db).rollout).toMatchObject({ paused: true, pauseReason: expect.stringMatching(/2 booth\(s\) rolled back from 1\.1\.0 \(a, b\)/) });
    // Neither rolled-back booth is sent the version again.
    expect(targetFor(db, 'a', 23)).toBeNull();
    resumeRollout(db, 'test', 30);
    report(db, 'a', '1.0.0', status('rolled_back', '1.0.0', '1.1.0', 'health_timeout', 100), 31);
    expect(updatesStatus(db).rollout?.paused).toBe(false);
    report(db, 'c', '1.0.0', status('rolled_back', '1.0.0', '1.1.0', 'health_timeout'), 32);
    expect(updatesStatus(db).rollout?.paused).toBe(false); // only c counts since the resume
    report(db, 'd', '1.0.0', status('rolled_back', '1.0.0', '1.1.0', 'health_timeout'), 33);
    expect(updatesStatus(db).rollout?.paused).toBe(true);
    expect(updatesStatus(db).failuresByCode).toEqual({ health_timeout: 4 });
  });

  it('a report without `update` (older build) keeps the last status; version falls back to appVersion', async () => {
    const db = await setup(['k']);
    report(db, 'k', '1.0.0', status('failed', '1.0.0', '1.1.0', undefined), 5);
    report(db, 'k', '1.0.1', undefined, 6);
    expect(kioskUpdate(db, 'k')).toMatchObject({ version: '1.0.1', status: { state: 'failed', target: '1.1.0' }, changedAt: 6 });
  });

  it('rollback sends back only booths that took the version (or were offered it) and none of the others', async () => {
    const db = await setup(['on-new', 'offered', 'untouched', 'other'], ['0.9.0', '1.0.0', '1.1.0']);
    startRollout(db, { version: '1.1.0', pilots: ['on-new', 'offered'], previous: '1.0.0' }, 'test', 10);
    advanceRollout(db, { percent: 100 }, 'test', 11);
    expect(updatesStatus(db).rollout?.stage).toBe('all');
    for (const [k, v] of [['on-new', '1.1.0'], ['untouched', '1.0.0'], ['other', '0.9.0']] as const) report(db, k, v, undefined, 12);
    report(db, 'offered', '0.9.0', status('downloading', '0.9.0', '1.1.0'), 12);
    expect(targetFor(db, 'offered', 13)?.version).toBe('1.1.0');
    rollbackRollout(db, 'test', 20);
    expect(targetFor(db, 'on-new', 21)?.version).toBe('1.0.0');
    expect(targetFor(db, 'offered', 21)?.version).toBe('1.0.0');
    expect(targetFor(db, 'untouched', 21)).toBeNull();
    expect(targetFor(db, 'other', 21)).toBeNull();
    // A rolled-back rollout takes no more commands; the next one returns to its previous version by default.
    expect(() => pauseRollout(db, undefined, 'test', 22)).toThrow(expect.objectContaining({ code: 'rollout_finished' }));
    const next = startRollout(db, { version: '0.9.0' }, 'test', 23);
    expect(next).toMatchObject({ previousVersion: '1.0.0', stage: 'pilot' });
  });
});
