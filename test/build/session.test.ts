// The appliance session shipped in build/session and build/systemd agrees with itself: every file
// has an install target, the scripts parse, the paths they name are the installed ones, the units
// carry the watchdog, and openbox's configuration gives a citizen nothing to click or type out of.
// (test/e2e/lockdown.e2e.test.ts runs that configuration for real under Xvfb.)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchdogIntervalMs } from '../../main/services/watchdog';

const repo = resolve(import.meta.dirname, '../..');
const sessionDir = join(repo, 'build/session');
const read = (p: string) => readFileSync(join(repo, p), 'utf8');
const require = createRequire(import.meta.url);
const { DOMParser } = require('@xmldom/xmldom') as { DOMParser: new (o?: unknown) => { parseFromString(s: string, t: string): XmlDoc } };
interface XmlEl {
  tagName: string;
  getAttribute(n: string): string | null;
  getElementsByTagName(n: string): ArrayLike<XmlEl>;
  parentNode: XmlEl;
}
interface XmlDoc {
  getElementsByTagName(n: string): ArrayLike<XmlEl>;
}

interface InstallMap {
  files: Record<string, { target: string; mode: string; owner: string }>;
}
const install = JSON.parse(read('build/session/install.json')) as InstallMap;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [relative(sessionDir, p)];
  });
}

describe('build/session', () => {
  it('every file has an absolute install target and an octal mode; executables are 0755 in the repository too', () => {
    const files = filesUnder(sessionDir).filter((f) => f !== 'install.json' && f !== 'README.md');
    expect(Object.keys(install.files).sort()).toEqual(files.sort());
    for (const [file, t] of Object.entries(install.files)) {
      expect(t.target, file).toMatch(/^\/[\w./@-]+$/);
      expect(t.mode, file).toMatch(/^0[0-7]{3}$/);
      if (t.mode === '0755') expect(statSync(join(sessionDir, file)).mode & 0o111, file).not.toBe(0);
    }
  });

  it('the scripts parse and name the installed paths of the session files', () => {
    expect(spawnSync('sh', ['-n', join(sessionDir, 'xinitrc')]).status).toBe(0);
    expect(spawnSync('bash', ['-n', join(sessionDir, 'bash_profile')]).status).toBe(0);
    const xinitrc = read('build/session/xinitrc');
    const profile = read('build/session/bash_profile');
    expect(profile).toContain(`startx ${install.files.xinitrc!.target} `);
    const sessionRoot = /^session="\$\{VG_SESSION_DIR:-(\S+)\}"$/m.exec(xinitrc)?.[1];
    expect(`${sessionRoot}/openbox/rc.xml`).toBe(install.files['openbox/rc.xml']!.target);
    expect(xinitrc).toContain('--config-file "$session/openbox/rc.xml"');
    // The session starts the target that pulls in the kiosk, and nothing that notifies or blanks.
    expect(xinitrc).toMatch(/systemctl --user start visioguichet-session\.target/);
    expect(read('build/systemd/visioguichet-session.target')).toMatch(/^Wants=visioguichet\.service$/m);
    expect(xinitrc).toMatch(/^xset s off s noblank$/m);
    expect(xinitrc).toMatch(/^xset dpms 0 0 0$/m);
    expect(xinitrc).not.toMatch(/dunst|notify-osd|notification-daemon|xfce4-notifyd|mate-notification/);
    // The getty drop-in logs in the user the .deb creates, whose home holds the profile.
    expect(read('build/session/autologin-visioguichet.conf')).toMatch(/^ExecStart=-\/sbin\/agetty --autologin visioguichet /m);
    expect(install.files.bash_profile!.target).toBe('/var/lib/visioguichet/.bash_profile');
  });

  it('openbox: no decorations, no root menu, one mouse binding (focus on touch), and every escape key bound to Focus+Raise only', () => {
    const doc = new DOMParser({ onError: (level: string, msg: string) => { throw new Error(`rc.xml ${level}: ${msg}`); } }).parseFromString(read('build/session/openbox/rc.xml'), 'text/xml');
    const keybinds = Array.from(doc.getElementsByTagName('keybind'));
    const keys = keybinds.map((k) => k.getAttribute('key'));
    for (const k of keybinds) {
      expect(Array.from(k.getElementsByTagName('action')).map((a) => a.getAttribute('name')), k.getAttribute('key')!).toEqual(['Focus', 'Raise']);
    }
    expect(new Set(keys).size).toBe(keys.length);
    // The escape keys the lockdown suite sends, in openbox's notation.
    const named = ['A-F4', 'C-w', 'C-n', 'C-t', 'C-l', 'C-S-i', 'F11', 'F12', 'C-p', 'C-o', 'A-Tab', 'A-Left', 'C-plus', 'C-minus', 'C-0', 'C-equal', 'C-S-q', 'C-r', 'F5', 'C-u', 'C-S-j', 'Menu', 'S-F10'];
    for (const k of named) expect(keys, k).toContain(k);
    const mousebinds = Array.from(doc.getElementsByTagName('mousebind'));
    expect(mousebinds.map((m) => [m.parentNode.getAttribute('name'), m.getAttribute('button'), m.getAttribute('action')])).toEqual([['Client', 'Left', 'Press']]);
    const apps = Array.from(doc.getElementsByTagName('application'));
    expect(apps.map((a) => [a.getAttribute('class'), a.getElementsByTagName('decor')[0] && (a.getElementsByTagName('decor')[0] as unknown as { textContent: string }).textContent])).toEqual([['*', 'no']]);
  });
});

describe('build/systemd units', () => {
  for (const name of ['visioguichet.service', 'visioguichet-electron.service']) {
    it(`${name}: Type=notify with a watchdog the kiosk's pings (every WatchdogSec/2) can keep`, () => {
      const unit = read(`build/systemd/${name}`);
      expect(unit).toMatch(/^Type=notify$/m);
      // systemd-notify runs as a child of main (see main/services/watchdog.ts): main would be refused.
      expect(unit).toMatch(/^NotifyAccess=all$/m);
      const sec = Number(/^WatchdogSec=(\d+)$/m.exec(unit)?.[1]);
      expect(sec).toBeGreaterThanOrEqual(10);
      expect(sec).toBeLessThanOrEqual(120);
      expect(watchdogIntervalMs({ WATCHDOG_USEC: String(sec * 1_000_000) }, 1)).toBe((sec * 1_000) / 2);
      expect(unit).toMatch(/^Restart=always$/m);
      expect(unit).toMatch(/^RestartPreventExitStatus=78$/m);
    });
  }
});
