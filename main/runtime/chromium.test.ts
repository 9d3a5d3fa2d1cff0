import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { memoryLogger } from '../../common/log';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../services/log';
import { chromiumArgs, launchChromium, testChromiumFlags } from './chromium';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function fakeSpawn() {
  const procs: (ChildProcess & { exitCode: number | null })[] = [];
  const spawn = vi.fn(() => {
    const proc = Object.assign(new EventEmitter(), {
      pid: 1000 + procs.length,
      stderr: new PassThrough(),
      exitCode: null as number | null,
      signalCode: null,
      kill: vi.fn(() => {
        proc.exitCode = 0;
        queueMicrotask(() => proc.emit('exit', 0, null));
        return true;
      }),
    }) as unknown as ChildProcess & { exitCode: number | null };
    procs.push(proc);
    return proc;
  });
  return { spawn, procs };
}

describe('launchChromium', () => {
  it('relaunches a Chromium that exits on its own, each time with a wiped profile', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-chr-'));
    dirs.push(dataDir);
    const { spawn, procs } = fakeSpawn();
    const h = launchChromium({ url: 'http://127.0.0.1:1/', mode: 'app', dataDir, spawn, relaunchMs: { initial: 5, max: 10 } });
    // Something a visit left in the profile must not survive the relaunch.
    writeFileSync(join(dataDir, 'chromium-profile', 'Cookies'), 'citizen data');
    procs[0]!.exitCode = 139;
    procs[0]!.emit('exit', 139, null);
    await vi.waitFor(() => expect(h.launches).toBe(2));
    expect(existsSync(join(dataDir, 'chromium-profile', 'Cookies'))).toBe(false);
    await h.close();
    expect(procs[1]!.kill).toHaveBeenCalled();
    expect(existsSync(join(dataDir, 'chromium-profile'))).toBe(false);
    await new Promise((r) => setTimeout(r, 30));
    expect(h.launches).toBe(2);
  });
});

describe('chromiumArgs', () => {
  const forbidden = ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

  it('production launches keep the sandbox and the real devices, and carry no URL', () => {
    for (const mode of ['kiosk', 'app'] as const) {
      const args = chromiumArgs({ mode }, '/p');
      for (const f of forbidden) expect(args).not.toContain(f);
      expect(args.some((a) => a.includes('http'))).toBe(false);
      expect(args).toContain('--user-data-dir=/p');
    }
  });

  it('fake media and no-sandbox are explicit, separate opt-ins', () => {
    expect(chromiumArgs({ mode: 'kiosk', fakeMedia: true }, '/p')).toEqual(expect.arrayContaining(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']));
    expect(chromiumArgs({ mode: 'kiosk', fakeMedia: true }, '/p')).not.toContain('--no-sandbox');
    expect(chromiumArgs({ mode: 'kiosk', noSandbox: true }, '/p')).toContain('--no-sandbox');
    expect(chromiumArgs({ mode: 'kiosk', noSandbox: true }, '/p')).not.toContain('--use-fake-device-for-media-stream');
    expect(testChromiumFlags).toEqual(expect.arrayContaining(forbidden));
  });

  it('the launched profile holds the start URL, readable by the kiosk user only', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-chr-'));
    dirs.push(dataDir);
    const { spawn } = fakeSpawn();
    const url = 'http://127.0.0.1:47100/#token=sekret';
    const h = launchChromium({ url, mode: 'kiosk', dataDir, spawn });
    const argv = (spawn.mock.calls[0] as unknown as [string, string[]])[1];
    expect(argv.join(' ')).not.toContain('sekret');
    const profile = join(dataDir, 'chromium-profile');
    expect(statSync(profile).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(join(profile, 'Default', 'Preferences'), 'utf8')).session.startup_urls).toEqual([url]);
    await h.close();
  });
});

describe("Chromium's own output", () => {
  it('goes to the journal as warn lines of module chromium', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-chr-'));
    dirs.push(dataDir);
    const { spawn, procs } = fakeSpawn();
    const log = memoryLogger();
    const h = launchChromium({ url: 'http://127.0.0.1:1/', mode: 'kiosk', dataDir, spawn, log });
    (procs[0] as unknown as { stderr: PassThrough }).stderr.write('[12:34:ERROR:video_capture_device_linux.cc(80)] no camera\n');
    await vi.waitFor(() => expect(log.lines).toContainEqual({ level: 'warn', msg: '[12:34:ERROR:video_capture_device_linux.cc(80)] no camera', fields: { module: 'chromium', source: 'chromium' } }));
    await h.close();
  });
});

describe('launchChromium relaunch backoff', () => {
  it('relaunches at once after a crash, backs off when crashes repeat, and starts over once the page came up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-chr-'));
    dirs.push(dataDir);
    const { spawn, procs } = fakeSpawn();
    const delays: number[] = [];
    const log = { ...silentLogger, warn: (f: Record<string, unknown> | string, msg?: string) => void (msg === 'chromium exited, relaunching' && typeof f === 'object' && delays.push(f.delayMs as number)) };
    const h = launchChromium({ url: 'http://127.0.0.1:1/', mode: 'kiosk', dataDir, spawn, relaunchMs: { initial: 5, max: 40 }, log });
    const crash = async (n: number) => {
      procs[n - 1]!.emit('exit', 139, null);
      await vi.waitFor(() => expect(h.launches).toBe(n + 1));
    };
    await crash(1);
    await crash(2);
    await crash(3);
    expect(delays).toEqual([0, 5, 10]);
    h.healthy();
    await crash(4);
    expect(delays.at(-1)).toBe(0);
    await h.close();
  });
});
