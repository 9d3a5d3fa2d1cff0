import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KioskPublicConfig } from '../../common/config';
import type { KioskConfig } from '../services/config';
import { loadKioskConfig } from '../services/config';
import { createKioskUpdates } from './service';
import { captureLog, makeInstall, testKeys } from './testing';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const keys = testKeys();
const config = (updates: KioskConfig['updates']): KioskConfig => ({
  public: KioskPublicConfig.parse({}),
  hubUrl: 'ws://127.0.0.1:9/ws',
  kioskId: 'k1',
  kioskSecret: 's'.repeat(24),
  dataDir: '/tmp/x',
  devMode: false,
  ...(updates ? { updates } : {}),
});
const on = { enabled: true, keys: [keys.publicKey], pollMs: 900_000, probationMs: 600_000 };

describe('createKioskUpdates', () => {
  it('stays off, saying why, when not enabled, without keys, or without an install root', async () => {
    const log = captureLog();
    const base = { hubBase: 'http://127.0.0.1:9/', appVersion: '1.0.0', log, env: {} };
    expect(await createKioskUpdates({ ...base, config: config(undefined) })).toBeNull();
    expect(await createKioskUpdates({ ...base, config: config({ ...on, enabled: false }) })).toBeNull();
    expect(await createKioskUpdates({ ...base, config: config(on) })).toBeNull();
    expect(log.text()).toMatch(/not started by the launcher/);
    expect(await createKioskUpdates({ ...base, env: { VG_ROOT: '/opt/x', VG_UPDATE_STATE_DIR: '/var/x' }, config: config({ ...on, keys: [] }) })).toBeNull();
    expect(log.text()).toMatch(/without any key/);
  });

  it('takes its layout from the launcher, its version from `current`, and logs a key it cannot use', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vg-svc-'));
    dirs.push(root);
    await makeInstall(root, '1.4.2');
    const log = captureLog();
    const u = await createKioskUpdates({ config: config({ ...on, keys: ['nope', keys.publicKey] }), hubBase: 'http://127.0.0.1:9/', appVersion: 'dev', log, env: { VG_ROOT: root, VG_UPDATE_STATE_DIR: join(root, 'state') } });
    expect(u?.layout).toEqual({ root, stateDir: join(root, 'state') });
    expect(u?.updater.status()).toMatchObject({ current: '1.4.2', state: 'idle' });
    expect(log.text()).toMatch(/error update key unusable .*"index":0/);
    u?.updater.stop();
  });
});

describe('kiosk config: updates section', () => {
  const env = { VG_HUB_URL: 'https://hub.example', VG_KIOSK_ID: 'k1', VG_KIOSK_SECRET: 's'.repeat(24) };
  const load = (updates: unknown) => loadKioskConfig({ file: '/etc/vg/kiosk.json', env, readFile: () => JSON.stringify({ updates }) });
  it('fills defaults and refuses relative paths, unknown fields and a non-http manifest URL', () => {
    expect(load({ enabled: true, keys: [keys.publicKey] }).updates).toEqual({ enabled: true, keys: [keys.publicKey], pollMs: 900_000, probationMs: 600_000 });
    expect(() => load({ enabled: true, root: 'opt/vg' })).toThrow(/updates\.root: absolute path/);
    expect(() => load({ enabled: true, colour: 'blue' })).toThrow(/updates/);
    expect(() => load({ manifestUrl: 'file:///etc/passwd' })).toThrow(/updates\.manifestUrl/);
    expect(loadKioskConfig({ env }).updates).toBeUndefined();
  });
});
