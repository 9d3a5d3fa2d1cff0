// Electron fuses as the package will have them. The Electron binary cannot be downloaded here, so
// the fuse wire is a stand-in: the sentinel and wire layout @electron/fuses looks for, with
// Electron's shipped defaults. electron-builder's own code turns electron-builder.yml into the fuse
// config and @electron/fuses flips the wire, exactly as `electron-builder --linux deb` does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FuseV1Config } from '@electron/fuses';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(s: string): Record<string, unknown> };
const fuses = require('@electron/fuses') as {
  FuseV1Options: Record<string, number> & Record<'RunAsNode' | 'EnableCookieEncryption' | 'EnableNodeOptionsEnvironmentVariable' | 'EnableNodeCliInspectArguments' | 'EnableEmbeddedAsarIntegrityValidation' | 'OnlyLoadAppFromAsar' | 'LoadBrowserProcessSpecificV8Snapshot' | 'GrantFileProtocolExtraPrivileges', number>;
  FuseVersion: { V1: string };
  flipFuses(path: string, config: FuseV1Config): Promise<number>;
  getCurrentFuseWire(path: string): Promise<{ version: string } & Record<number, number>>;
};
const { SENTINEL, FuseState } = require('@electron/fuses/dist/constants') as { SENTINEL: string; FuseState: Record<'ENABLE' | 'DISABLE' | 'INHERIT', number> };
const { PlatformPackager } = require('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(f: unknown): Promise<FuseV1Config> } };
};
const { FuseV1Options, FuseVersion } = fuses;

const config = yaml.load(readFileSync(join(repo, 'electron-builder.yml'), 'utf8'));

/** Electron's defaults (docs/tutorial/fuses.md): RunAsNode, NodeOptions, NodeCliInspect and GrantFileProtocolExtraPrivileges on; the rest off. */
const SHIPPED: Record<number, boolean> = {
  [FuseV1Options.RunAsNode]: true,
  [FuseV1Options.EnableCookieEncryption]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: true,
  [FuseV1Options.EnableNodeCliInspectArguments]: true,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: false,
  [FuseV1Options.OnlyLoadAppFromAsar]: false,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: true,
};
const WIRE_LENGTH = Object.keys(SHIPPED).length;

/** A file with padding around one fuse wire, like the fuse section of the Electron binary. */
function fakeElectron(path: string): void {
  const wire = Buffer.from(Array.from({ length: WIRE_LENGTH }, (_, i) => (SHIPPED[i] ? FuseState.ENABLE : FuseState.DISABLE)));
  writeFileSync(path, Buffer.concat([Buffer.alloc(4096, 0xcc), Buffer.from(SENTINEL), Buffer.from([1, WIRE_LENGTH]), wire, Buffer.alloc(4096, 0xcc)]));
}

describe('Electron fuses (electron-builder.yml → fuse wire)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vg-fuses-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flips every fuse of the wire to the booth setting, none left to Electron\'s default', async () => {
    const fuseConfig = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses);
    const bin = join(dir, 'visioguichet');
    fakeElectron(bin);
    // strictlyRequireAllFuses: a fuse this config forgets (or a new one in a newer wire) fails here.
    await fuses.flipFuses(bin, { ...fuseConfig, strictlyRequireAllFuses: true } as FuseV1Config);
    const wire = await fuses.getCurrentFuseWire(bin);
    expect(wire.version).toBe(FuseVersion.V1);
    const on = (o: number) => wire[o];
    expect(on(FuseV1Options.RunAsNode)).toBe(FuseState.DISABLE);
    expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe(FuseState.DISABLE);
    expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe(FuseState.DISABLE);
    expect(on(FuseV1Options.EnableCookieEncryption)).toBe(FuseState.ENABLE);
    expect(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(FuseState.ENABLE);
    expect(on(FuseV1Options.OnlyLoadAppFromAsar)).toBe(FuseState.ENABLE);
    expect(on(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe(FuseState.DISABLE);
    expect(on(FuseV1Options.LoadBrowserProcessSpecificV8Snapshot)).toBe(FuseState.DISABLE);
  });

  it('keeps the app in an asar archive (onlyLoadAppFromAsar would otherwise find no app)', () => {
    expect(config.asar).not.toBe(false);
  });
});
