// The .deb's pure parts, fast: which apt sources the package test's chroot uses, where units and
// session files go, and the native closure a release ships. (test/e2e/deb-install.e2e.test.ts builds
// and installs the real package.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeExternals, productionClosure } from '../../scripts/build-release';
import { PackageDebError, sessionFiles, unitTarget } from '../../scripts/package-deb';
import { ChrootError, debianSources, mirrorFor } from '../support/chroot';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-debtest-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('apt sources for the chroot', () => {
  it('reads one-line and deb822 Debian sources, leaves other vendors and deb-src out', () => {
    const etc = tempDir();
    mkdirSync(join(etc, 'sources.list.d'));
    writeFileSync(join(etc, 'sources.list'), '# comment\ndeb-src http://mirror.test/debian bookworm main\ndeb [arch=amd64] http://vendor.test/apt cloud-sdk main\n');
    writeFileSync(
      join(etc, 'sources.list.d/debian.sources'),
      'Types: deb\nURIs: http://mirror.test/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://mirror.test/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: http://off.test/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n',
    );
    writeFileSync(join(etc, 'sources.list.d/node.sources'), 'Types: deb\nURIs: https://nodes.test/node_20.x\nSuites: nodistro\nComponents: main\n');
    const sources = debianSources(etc);
    expect(sources.map((s) => s.uri)).toEqual(['http://mirror.test/debian', 'http://mirror.test/debian-security']);
    expect(mirrorFor('bookworm', sources)).toEqual({
      mirror: 'http://mirror.test/debian',
      lines: ['deb http://mirror.test/debian bookworm main', 'deb http://mirror.test/debian bookworm-updates main', 'deb http://mirror.test/debian-security bookworm-security main'],
    });
  });

  it('says so when apt has no source for the suite', () => {
    expect(() => mirrorFor('bookworm', [])).toThrow(ChrootError);
    expect(() => mirrorFor('bookworm', [])).toThrow(/no Debian "bookworm" source/);
  });
});

describe('package layout', () => {
  it('a unit with User= is a system unit, any other runs in the kiosk user\'s session', () => {
    expect(unitTarget('[Service]\nUser=visioguichet\nExecStart=/x\n')).toBe('system');
    expect(unitTarget('[Service]\nExecStart=/x\n# User=nobody\n')).toBe('user');
    expect(unitTarget('[Unit]\nDescription=session\n')).toBe('user');
  });

  it('session files go where build/session/install.json says; an unlisted file or a bad entry fails the build', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'xinitrc'), '#!/bin/sh\n');
    mkdirSync(join(dir, 'openbox'));
    writeFileSync(join(dir, 'openbox/rc.xml'), '<x/>');
    const map = (files: Record<string, unknown>) => writeFileSync(join(dir, 'install.json'), JSON.stringify({ files }));
    map({ xinitrc: { target: '/usr/share/vg/xinitrc', mode: '0755', owner: 'root' }, 'openbox/rc.xml': { target: '/usr/share/vg/rc.xml', mode: '0644', owner: 'root' } });
    expect(sessionFiles(dir).map((f) => [f.to, f.mode])).toEqual([
      ['/usr/share/vg/rc.xml', 0o644],
      ['/usr/share/vg/xinitrc', 0o755],
    ]);
    map({ xinitrc: { target: '/usr/share/vg/xinitrc', mode: '0755', owner: 'root' } });
    expect(() => sessionFiles(dir)).toThrow(/openbox\/rc\.xml has no install target/);
    map({ xinitrc: { target: 'relative/xinitrc', mode: '0755', owner: 'root' }, 'openbox/rc.xml': { target: '/x', mode: '0644', owner: 'root' } });
    expect(() => sessionFiles(dir)).toThrow(PackageDebError);
    map({ xinitrc: { target: '/x', mode: '0755', owner: 'visioguichet' }, 'openbox/rc.xml': { target: '/y', mode: '0644', owner: 'root' } });
    expect(() => sessionFiles(dir)).toThrow(/owner visioguichet is not supported/);
  });

  it('the shipped session map covers every file of build/session', () => {
    expect(() => sessionFiles()).not.toThrow();
  });

  it('a release ships the natives and their runtime dependencies, nothing from devDependencies', () => {
    const closure = [...productionClosure(nativeExternals).keys()].sort();
    expect(closure).toEqual(expect.arrayContaining(['better-sqlite3', 'node-hid', 'pkg-prebuilds']));
    expect(closure.some((p) => p.includes('electron') || p.includes('vitest') || p.includes('typescript'))).toBe(false);
  });
});
