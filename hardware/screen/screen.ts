// Screen adapters for Linux booths, detected at start: whichever of wlr-randr (Wayland), xset
// DPMS (X11), DDC/CI (ddcutil) or the kernel backlight the booth has. exec and fs are injected so
// detection and commands are tested without a display.
import type { ScreenState } from '../../common/bridge/hardware';
import { ScreenCommandError, ScreenUnavailableError } from '../errors';
import type { Screen } from '../interfaces';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}
export type Exec = (command: string, args: string[]) => Promise<ExecResult>;
export interface ScreenFs {
  readFile(path: string): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
}

async function run(exec: Exec, method: string, command: string, args: string[]): Promise<string> {
  let r: ExecResult;
  try {
    r = await exec(command, args);
  } catch (err) {
    throw new ScreenCommandError(method, err instanceof Error ? err.message : String(err));
  }
  if (r.code !== 0) throw new ScreenCommandError(method, `${command} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** X11 DPMS through xset. Cannot dim. */
export class XsetScreen implements Screen {
  readonly method = 'xset';
  readonly canDim = false;
  constructor(private readonly exec: Exec) {}
  async state(): Promise<ScreenState> {
    const out = await run(this.exec, this.method, 'xset', ['q']);
    // "Monitor is On" / "Monitor is Off" / "Monitor is in Standby" (DPMS section of xset q).
    return { on: /Monitor is On/i.test(out) || !/Monitor is/i.test(out), brightness: null, method: this.method };
  }
  async setPower(on: boolean): Promise<void> {
    // Re-enable DPMS first: some kiosk images disable it, and "force" is ignored then.
    await run(this.exec, this.method, 'xset', ['+dpms']);
    await run(this.exec, this.method, 'xset', ['dpms', 'force', on ? 'on' : 'off']);
  }
  async setBrightness(): Promise<void> {
    throw new ScreenCommandError(this.method, 'xset cannot set brightness');
  }
}

/** wlroots compositors (cage, sway, labwc) through wlr-randr. Cannot dim. */
export class WlrRandrScreen implements Screen {
  readonly method = 'wlr-randr';
  readonly canDim = false;
  constructor(private readonly exec: Exec, private readonly output: string) {}
  /** First output name in `wlr-randr` output (lines not starting with a space). */
  static parseOutputs(stdout: string): string[] {
    return stdout.split('\n').filter((l) => /^\S/.test(l)).map((l) => l.split(/\s+/)[0] ?? '').filter(Boolean);
  }
  async state(): Promise<ScreenState> {
    const out = await run(this.exec, this.method, 'wlr-randr', []);
    const block = out.split(/\n(?=\S)/).find((b) => b.startsWith(this.output)) ?? '';
    return { on: !/Enabled:\s*no/i.test(block), brightness: null, method: this.method };
  }
  async setPower(on: boolean): Promise<void> {
    await run(this.exec, this.method, 'wlr-randr', ['--output', this.output, on ? '--on' : '--off']);
  }
  async setBrightness(): Promise<void> {
    throw new ScreenCommandError(this.method, 'wlr-randr cannot set brightness');
  }
}

/** External monitors over DDC/CI (VCP 0x10 brightness, 0xD6 power mode). Slow (~100 ms per call). */
export class DdcutilScreen implements Screen {
  readonly method = 'ddcutil';
  readonly canDim = true;
  constructor(private readonly exec: Exec) {}
  async state(): Promise<ScreenState> {
    const power = await run(this.exec, this.method, 'ddcutil', ['getvcp', 'd6', '--brief']);
    const bright = await run(this.exec, this.method, 'ddcutil', ['getvcp', '10', '--brief']);
    // --brief: "VCP D6 SNC x01" and "VCP 10 C 50 100" (current, max).
    const on = /x01\b/i.test(power);
    const m = /VCP 10 C (\d+) (\d+)/.exec(bright);
    return { on, brightness: m ? Number(m[1]) / Math.max(1, Number(m[2])) : null, method: this.method };
  }
  async setPower(on: boolean): Promise<void> {
    // D6: 01 = on, 04 = DPMS off (wakes on DDC 01; 05 would need the power button on some models).
    await run(this.exec, this.method, 'ddcutil', ['setvcp', 'd6', on ? '01' : '04']);
  }
  async setBrightness(level: number): Promise<void> {
    await run(this.exec, this.method, 'ddcutil', ['setvcp', '10', String(Math.round(Math.max(0, Math.min(1, level)) * 100))]);
  }
}

/** Built-in panels through /sys/class/backlight (needs write access: see build/udev). */
export class BacklightScreen implements Screen {
  readonly method = 'backlight';
  readonly canDim = true;
  constructor(private readonly fs: ScreenFs, private readonly dir: string) {}
  private async read(name: string): Promise<number> {
    return Number((await this.fs.readFile(`${this.dir}/${name}`)).trim());
  }
  private async write(name: string, value: number): Promise<void> {
    try {
      await this.fs.writeFile(`${this.dir}/${name}`, String(value));
    } catch (err) {
      throw new ScreenCommandError(this.method, `${this.dir}/${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  async state(): Promise<ScreenState> {
    const [b, max, power] = await Promise.all([this.read('brightness'), this.read('max_brightness'), this.read('bl_power').catch(() => 0)]);
    return { on: power === 0 && b > 0, brightness: max > 0 ? b / max : null, method: this.method };
  }
  async setPower(on: boolean): Promise<void> {
    // bl_power follows FB_BLANK: 0 = unblank, 4 = powerdown.
    await this.write('bl_power', on ? 0 : 4);
  }
  async setBrightness(level: number): Promise<void> {
    const max = await this.read('max_brightness');
    // Never write 0: on many panels brightness 0 is "off" and confuses the power state.
    await this.write('brightness', Math.max(1, Math.round(Math.max(0, Math.min(1, level)) * max)));
  }
}

/** Power from one mechanism, brightness from another (e.g. xset + backlight). */
export class CompositeScreen implements Screen {
  readonly method: string;
  readonly canDim: boolean;
  constructor(private readonly power: Screen, private readonly dimmer: Screen | null) {
    this.method = dimmer && dimmer !== power ? `${power.method}+${dimmer.method}` : power.method;
    this.canDim = (dimmer ?? power).canDim;
  }
  async state(): Promise<ScreenState> {
    const p = await this.power.state();
    const b = this.dimmer && this.dimmer !== this.power ? (await this.dimmer.state().catch(() => null))?.brightness ?? null : p.brightness;
    return { on: p.on, brightness: b, method: this.method };
  }
  setPower(on: boolean): Promise<void> {
    return this.power.setPower(on);
  }
  setBrightness(level: number): Promise<void> {
    return (this.dimmer ?? this.power).setBrightness(level);
  }
}

export interface DetectOptions {
  exec: Exec;
  fs: ScreenFs;
  env: Record<string, string | undefined>;
}

const ok = async (exec: Exec, command: string, args: string[]) => {
  try {
    return await exec(command, args);
  } catch {
    return null;
  }
};

/** Detects what drives this booth's screen. Throws ScreenUnavailableError listing what was tried. */
export async function detectScreen({ exec, fs, env }: DetectOptions): Promise<Screen> {
  const tried: string[] = [];
  let power: Screen | null = null;
  let dimmer: Screen | null = null;

  tried.push('backlight');
  const backlights = await fs.readdir('/sys/class/backlight').catch(() => [] as string[]);
  if (backlights[0]) dimmer = new BacklightScreen(fs, `/sys/class/backlight/${backlights[0]}`);

  if (env.WAYLAND_DISPLAY) {
    tried.push('wlr-randr');
    const r = await ok(exec, 'wlr-randr', []);
    const output = r && r.code === 0 ? WlrRandrScreen.parseOutputs(r.stdout)[0] : undefined;
    if (output) power = new WlrRandrScreen(exec, output);
  }
  if (!power && env.DISPLAY) {
    tried.push('xset');
    const r = await ok(exec, 'xset', ['q']);
    if (r && r.code === 0) power = new XsetScreen(exec);
  }
  if (!power || !dimmer) {
    tried.push('ddcutil');
    const r = await ok(exec, 'ddcutil', ['detect', '--brief']);
    if (r && r.code === 0 && /Display \d/.test(r.stdout)) {
      const ddc = new DdcutilScreen(exec);
      power ??= ddc;
      dimmer ??= ddc;
    }
  }
  power ??= dimmer; // backlight bl_power as the last resort for power
  if (!power) throw new ScreenUnavailableError(tried);
  return new CompositeScreen(power, dimmer);
}

/** Simulated screen: same interface, test controls. */
export class SimScreen implements Screen {
  readonly method = 'simulated';
  readonly canDim = true;
  on = true;
  brightness = 1;
  /** Every power command, oldest first. */
  readonly history: boolean[] = [];
  /** Make the next n commands fail. */
  failNext = 0;
  async state(): Promise<ScreenState> {
    return { on: this.on, brightness: this.brightness, method: this.method };
  }
  async setPower(on: boolean): Promise<void> {
    this.check();
    this.on = on;
    this.history.push(on);
  }
  async setBrightness(level: number): Promise<void> {
    this.check();
    this.brightness = Math.max(0, Math.min(1, level));
  }
  private check(): void {
    if (this.failNext > 0) {
      this.failNext--;
      throw new ScreenCommandError(this.method, 'simulated failure');
    }
  }
}
