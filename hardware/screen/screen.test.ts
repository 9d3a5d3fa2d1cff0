import { afterEach, describe, expect, it } from 'vitest';
import { defaultSchedule } from '../../common/config';
import { DeviceManager } from '../manager';
import { ManualClock } from '../sim/clock';
import { createSimulatedBooth } from '../sim/twins';
import { ScreenScheduler, desiredPower } from './scheduler';
import { BacklightScreen, DdcutilScreen, detectScreen, SimScreen, type Exec, type ExecResult, type ScreenFs } from './screen';

function fakeExec(answers: Record<string, Partial<ExecResult>>) {
  const calls: string[] = [];
  const exec: Exec = async (cmd, args) => {
    const line = [cmd, ...args].join(' ');
    calls.push(line);
    const key = Object.keys(answers).find((k) => line.startsWith(k));
    if (!key) return { code: 127, stdout: '', stderr: `${cmd}: not found` };
    return { code: 0, stdout: '', stderr: '', ...answers[key] };
  };
  return { exec, calls };
}
function fakeFs(files: Record<string, string>): ScreenFs & { files: Record<string, string> } {
  return {
    files,
    readFile: async (p) => {
      if (!(p in files)) throw new Error(`ENOENT ${p}`);
      return files[p]!;
    },
    writeFile: async (p, d) => void (files[p] = d),
    readdir: async (p) => {
      const names = Object.keys(files).filter((f) => f.startsWith(`${p}/`)).map((f) => f.slice(p.length + 1).split('/')[0]!);
      if (names.length === 0) throw new Error(`ENOENT ${p}`);
      return [...new Set(names)];
    },
  };
}

describe('screen detection and adapters', () => {
  it('X11 booth with a backlight: xset for power, sysfs for brightness', async () => {
    const { exec, calls } = fakeExec({ 'xset q': { stdout: 'DPMS is Enabled\n  Monitor is On\n' }, xset: {} });
    const fs = fakeFs({ '/sys/class/backlight/intel_backlight/brightness': '400', '/sys/class/backlight/intel_backlight/max_brightness': '1000', '/sys/class/backlight/intel_backlight/bl_power': '0' });
    const screen = await detectScreen({ exec, fs, env: { DISPLAY: ':0' } });
    expect(screen.method).toBe('xset+backlight');
    await screen.setPower(false);
    expect(calls.slice(-2)).toEqual(['xset +dpms', 'xset dpms force off']);
    await screen.setBrightness(0.5);
    expect(fs.files['/sys/class/backlight/intel_backlight/brightness']).toBe('500');
    expect(await screen.state()).toEqual({ on: true, brightness: 0.5, method: 'xset+backlight' });
  });
  it('Wayland (cage/sway) booth: wlr-randr on the first output', async () => {
    const { exec, calls } = fakeExec({ 'wlr-randr --output': {}, 'wlr-randr': { stdout: 'HDMI-A-1 "Dell Inc. P2419H"\n  Enabled: yes\n' } });
    const screen = await detectScreen({ exec, fs: fakeFs({}), env: { WAYLAND_DISPLAY: 'wayland-0' } });
    await screen.setPower(true);
    expect(calls.at(-1)).toBe('wlr-randr --output HDMI-A-1 --on');
    expect((await screen.state()).on).toBe(true);
  });
  it('external monitor only: ddcutil for both', async () => {
    const { exec, calls } = fakeExec({ 'ddcutil detect': { stdout: 'Display 1\n   I2C bus: /dev/i2c-4\n' }, 'ddcutil getvcp d6': { stdout: 'VCP D6 SNC x01\n' }, 'ddcutil getvcp 10': { stdout: 'VCP 10 C 30 100\n' }, 'ddcutil setvcp': {} });
    const screen = await detectScreen({ exec, fs: fakeFs({}), env: {} });
    expect(screen).toBeDefined();
    await screen.setPower(false);
    await screen.setBrightness(0.8);
    expect(calls.slice(-2)).toEqual(['ddcutil setvcp d6 04', 'ddcutil setvcp 10 80']);
    expect(await new DdcutilScreen(exec).state()).toEqual({ on: true, brightness: 0.3, method: 'ddcutil' });
  });
  it('nothing available: a named error listing what was tried', async () => {
    const { exec } = fakeExec({});
    await expect(detectScreen({ exec, fs: fakeFs({}), env: { DISPLAY: ':0' } })).rejects.toMatchObject({ code: 'screen_unavailable', message: expect.stringMatching(/backlight, xset, ddcutil/) });
  });
  it('a failing command is a ScreenCommandError with the command output', async () => {
    const exec: Exec = async () => ({ code: 1, stdout: '', stderr: 'unable to open display ":0"' });
    const { XsetScreen } = await import('./screen');
    await expect(new XsetScreen(exec).setPower(false)).rejects.toMatchObject({ code: 'screen_command_failed', message: expect.stringMatching(/unable to open display/) });
  });
  it('backlight never writes brightness 0', async () => {
    const fs = fakeFs({ '/b/max_brightness': '255', '/b/brightness': '100' });
    await new BacklightScreen(fs, '/b').setBrightness(0);
    expect(fs.files['/b/brightness']).toBe('1');
  });
});

describe('screen schedule', () => {
  const monday10h = Date.UTC(2026, 0, 5, 15, 0); // 10:00 in Montréal (EST)
  const monday18h = Date.UTC(2026, 0, 5, 23, 0); // 18:00, closed
  it('pure decision', () => {
    const base = { schedule: defaultSchedule, wakeUntil: 0 };
    expect(desiredPower({ ...base, phase: 'attract', now: monday10h })).toEqual({ on: true, reason: 'open_hours' });
    expect(desiredPower({ ...base, phase: 'closed', now: monday18h })).toEqual({ on: false, reason: 'closed' });
    expect(desiredPower({ ...base, phase: 'visit', now: monday18h })).toEqual({ on: true, reason: 'visit' });
    expect(desiredPower({ ...base, phase: 'attract', now: monday18h, wakeUntil: monday18h + 1 })).toEqual({ on: true, reason: 'woken' });
  });

  let manager: DeviceManager | null = null;
  afterEach(async () => {
    await manager?.stop();
    manager = null;
  });

  it('dark after closing, woken by the presence sensor, dark again after the wake period, never dark in a visit', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 21, 29)); // 16:29, open
    const screen = new SimScreen();
    const scheduler = new ScreenScheduler({ screen, schedule: defaultSchedule, clock, timers: clock, wakeMs: 60_000, tickMs: 30_000 });
    const booth = createSimulatedBooth();
    manager = new DeviceManager({ hid: booth.hid, clock, timers: clock });
    manager.presence.on('changed', (present) => void scheduler.presence(present));
    await manager.start();
    await scheduler.start();
    expect(screen.on).toBe(true);
    await clock.advance(2 * 60_000); // 16:31: closed
    expect(screen.on).toBe(false);
    expect(scheduler.state.get().reason).toBe('closed');
    booth.presence.setPresent(true);
    await clock.advance(0);
    expect(screen.on).toBe(true);
    expect(scheduler.state.get().reason).toBe('woken');
    await clock.advance(61_000);
    expect(screen.on).toBe(false);
    // A visit outside hours (e.g. started at 16:29 and running late) keeps the screen on past every tick.
    await scheduler.setPhase('visit');
    expect(screen.on).toBe(true);
    await clock.advance(10 * 60_000);
    expect(screen.on).toBe(true);
    await scheduler.setPhase('attract');
    expect(screen.on).toBe(false);
    scheduler.stop();
  });

  it('a screen command failure is kept for health and retried at the next tick', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 23, 0));
    const screen = new SimScreen();
    screen.failNext = 1;
    const scheduler = new ScreenScheduler({ screen, schedule: defaultSchedule, clock, timers: clock, tickMs: 30_000 });
    await scheduler.start();
    expect(scheduler.state.get().lastError?.code).toBe('screen_command_failed');
    await clock.advance(30_000);
    expect(screen.on).toBe(false);
    expect(scheduler.state.get().lastError).toBeNull();
    scheduler.stop();
    expect(clock.pending).toBe(0);
  });
});
