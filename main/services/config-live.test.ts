import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KioskPublicConfig } from '../../common/config';
import { HUB_CONFIG_FILE, HubConfigRejectedError, createLiveConfig } from './config-live';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-cfg-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const base = KioskPublicConfig.parse({ kioskName: 'Kiosque 7', tollFree: '1 877 644-4545', simulation: true });

describe('live config on the booth', () => {
  it('applies a pushed config between visits only, keeps it on disk, and starts from it after a restart', () => {
    const dataDir = tmp();
    const applied: string[] = [];
    const live = createLiveConfig({ base, dataDir, onApplied: (_c, v) => applied.push(v) });
    live.phase('visit');
    live.offer('v1', { tollFree: '1 800 000-0001', timers: { idleMs: 30_000 } });
    // A citizen is in a visit: nothing changes under them.
    expect(live.current().tollFree).toBe('1 877 644-4545');
    expect(live.pending()).toBe('v1');
    live.phase('call');
    expect(live.current().tollFree).toBe('1 877 644-4545');
    live.phase('attract');
    expect(live.current()).toMatchObject({ tollFree: '1 800 000-0001', kioskName: 'Kiosque 7', simulation: true });
    expect(live.current().timers).toMatchObject({ idleMs: 30_000, waitTimeoutMs: base.timers.waitTimeoutMs });
    expect(applied).toEqual(['v1']);
    expect(JSON.parse(readFileSync(join(dataDir, HUB_CONFIG_FILE), 'utf8'))).toMatchObject({ version: 'v1', config: { tollFree: '1 800 000-0001' } });
    // After a restart, with no hub at all: the last good config.
    const again = createLiveConfig({ base, dataDir });
    expect(again.version()).toBe('v1');
    expect(again.current().tollFree).toBe('1 800 000-0001');
  });

  it('refuses an invalid config and keeps the one in force; the hub never flips simulation mode', () => {
    const dataDir = tmp();
    const live = createLiveConfig({ base, dataDir });
    live.offer('v1', { kioskName: 'Nouveau nom', simulation: false });
    expect(live.current()).toMatchObject({ kioskName: 'Nouveau nom', simulation: true });
    expect(() => live.offer('v2', { timers: { idleMs: 'soon' } })).toThrow(HubConfigRejectedError);
    expect(() => live.offer('v2', { timers: { idleMs: 'soon' } })).toThrow(/timers\.idleMs/);
    expect(live.version()).toBe('v1');
    expect(live.current().kioskName).toBe('Nouveau nom');
  });

  it('ignores a damaged file on disk (starts from the file config) and the same version twice', () => {
    const dataDir = tmp();
    writeFileSync(join(dataDir, HUB_CONFIG_FILE), '{ not json');
    const applied: string[] = [];
    const live = createLiveConfig({ base, dataDir, onApplied: (_c, v) => applied.push(v) });
    expect(live.current()).toEqual(base);
    live.offer('v1', { tollFree: '1 800 000-0009' });
    live.offer('v1', { tollFree: '1 800 000-0009' });
    expect(applied).toEqual(['v1']);
  });
});
