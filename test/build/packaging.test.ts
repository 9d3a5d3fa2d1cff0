// Packaging files agree with each other and with electron-builder's own schema (the Electron
// binary cannot be downloaded here, so the package itself is not built in tests).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const read = (p: string) => readFileSync(join(repo, p), 'utf8');

describe('build/ packaging', () => {
  const yaml = require('js-yaml') as { load(s: string): Record<string, unknown> };
  const config = yaml.load(read('electron-builder.yml'));

  it('electron-builder.yml passes electron-builder schema validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(c: unknown, l: unknown): Promise<void> };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('ships every resource the deb scripts install, and the scripts exist', () => {
    const resources = (config.extraResources as { from: string; to: string }[]).map((r) => r.to);
    const postinst = read('build/deb/after-install.sh');
    for (const m of postinst.matchAll(/\$RES\/([\w./-]+)/g)) expect(resources).toContain(m[1]);
    for (const r of config.extraResources as { from: string }[]) expect(existsSync(join(repo, r.from))).toBe(true);
    const deb = config.deb as { afterInstall: string; afterRemove: string };
    expect(existsSync(join(repo, deb.afterInstall))).toBe(true);
    expect(existsSync(join(repo, deb.afterRemove))).toBe(true);
  });

  it('the browser-runtime unit starts the installed launcher and does not restart-loop on a bad config', () => {
    const unit = read('build/systemd/visioguichet.service');
    // The .deb layout (update-contract.md): the launcher ships from build/bin and execs the current release.
    const exec = /^ExecStart=(\S+)$/m.exec(unit);
    expect(exec?.[1]).toBe('/opt/visioguichet/bin/visioguichet-kiosk');
    // scripts/package-deb.ts ships build/bin/* as /opt/visioguichet/bin/*: the launcher must be there, executable.
    const launcher = join(repo, 'build/bin', basename(exec![1]!));
    expect(statSync(launcher).mode & 0o111).toBe(0o111);
    expect(unit).toMatch(/^RestartPreventExitStatus=78$/m);
    expect(unit).toMatch(/^WantedBy=graphical-session.target$/m);
  });

  it('the browser-runtime entry exits 78 with a clear line when the kiosk config is invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-entry-'));
    try {
      const bad = join(dir, 'kiosk.json');
      writeFileSync(bad, JSON.stringify({ hubUrl: 'not a url', kioskId: 'k' }));
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'main/runtime/entry.ts'], {
        cwd: repo,
        env: { ...process.env, VG_KIOSK_CONFIG: bad, VG_NO_OPEN: '1' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status).toBe(78);
      expect(r.stdout + r.stderr).toContain('kiosk configuration is invalid');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
