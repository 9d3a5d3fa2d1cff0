import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { launchChromium } from './chromium';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function fakeSpawn() {
  const procs: (ChildProcess & { exitCode: number | null })[] = [];
  const spawn = vi.fn(() => {
    const proc = Object.assign(new EventEmitter(), {
      pid: 1000 + procs.length,
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
