// DeviceManager: finds the booth's peripherals by profile, opens them, watches hot-plug by polling
// devicesAsync() at a bounded interval, reopens with exponential backoff, and exposes each
// device's state as a live value plus one stream of typed input events. It works the same on
// node-hid and on the simulated backend.
import type { DeviceKind, DeviceState, DeviceStates, HardwareInput, LightStatus } from '../common/bridge/hardware';
import { VisioError, toErrorInfo } from '../common/result';
import { createDriver, defaultLightColors, type LightColors, realTimers, type Timers, WriteQueue } from './drivers';
import { DeviceOpenError, type MalformedReportError } from './errors';
import type { HidBackend, HidDeviceInfo } from './hid/backend';
import type {
  CallButton, CallButtonEvents, CodeScanner, CodeScannerEvents, Handset, HandsetEvents, HandsetLeds, PeripheralByKind, PeripheralEvents,
  PresenceEvents, PresenceSensor, Rgb, StatusLight,
} from './interfaces';
import { Emitter, LiveValue, type ReadonlyValue, type Unsubscribe } from './observable';
import { builtinProfiles, matchProfile } from './profiles';
import type { DeviceProfile } from './profiles/schema';
import { backoffDelay } from '../common/backoff';
import type { Clock } from '../common/time';
import { silentLogger, type Logger } from '../common/log';

export type { Clock };

export interface DeviceManagerOptions {
  /** node-hid (createNodeHidBackend) or the simulated backend. */
  hid: HidBackend;
  /** Profiles to match (default: the built-ins). */
  profiles?: readonly DeviceProfile[];
  clock?: Clock;
  timers?: Timers;
  /** Enumeration interval, clamped to [100, 10 000] ms (default 1000). */
  pollIntervalMs?: number;
  /** Reopen backoff: initial delay doubling up to max (defaults 500 ms → 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  lightColors?: Partial<LightColors>;
  /** Which kinds to manage (default all). */
  kinds?: readonly DeviceKind[];
  /** Where device events go (common/log.ts; default silent). */
  log?: Logger;
}

export interface ManagerEvents {
  /** A typed input event, ready for the session machine. */
  input: [HardwareInput];
  /** A device's state changed. */
  state: [DeviceKind, DeviceState];
  /** A malformed report was dropped (device kept). */
  malformed: [DeviceKind, MalformedReportError];
}

/** Per-device health for the hub report and the diagnostics screen. */
export interface DeviceHealth {
  state: DeviceState;
  malformedReports: number;
  lastMalformed: string | null;
  reopenCount: number;
}

export const ALL_KINDS: readonly DeviceKind[] = ['handset', 'callButton', 'statusLight', 'presence', 'scanner'];
const ABSENT: DeviceState = { status: 'absent' };
/** Usage pages of booth peripherals: Telephony, Sensors, Bar Code Scanner. */
const PERIPHERAL_PAGES = new Set([0x0b, 0x20, 0x8c]);

interface Slot {
  kind: DeviceKind;
  driver: PeripheralByKind[DeviceKind] | null;
  path: string | null;
  profile: DeviceProfile | null;
  attempts: number;
  state: LiveValue<DeviceState>;
  unsub: Unsubscribe[];
  malformed: number;
  lastMalformed: string | null;
  reopens: number;
  everConnected: boolean;
}

const sameState = <T>(a: T, b: T) => JSON.stringify(a) === JSON.stringify(b);

export class DeviceManager {
  private readonly hid: HidBackend;
  private readonly profiles: readonly DeviceProfile[];
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly pollMs: number;
  private readonly backoffInitial: number;
  private readonly backoffMax: number;
  private readonly colors: LightColors;
  private readonly log: Logger;
  private readonly slots = new Map<DeviceKind, Slot>();
  private readonly emitter: Emitter<ManagerEvents>;
  private readonly all: LiveValue<DeviceStates>;
  private timer: unknown = null;
  private running = false;
  private unknown: HidDeviceInfo[] = [];
  private scanning: Promise<void> | null = null;
  // Desired output state, re-applied whenever the device (re)connects: recovery without restart.
  private desiredLight: { kind: 'status'; status: LightStatus } | { kind: 'color'; color: Rgb; blink: boolean } | null = null;
  private desiredLeds: HandsetLeds = { offHook: false, ring: false, mute: false };

  /** Stable facades: valid for the manager's whole life, whatever is plugged in. */
  readonly handset: Handset;
  readonly callButton: CallButton;
  readonly statusLight: StatusLight;
  readonly presence: PresenceSensor;
  readonly scanner: CodeScanner;

  constructor(options: DeviceManagerOptions) {
    this.hid = options.hid;
    this.profiles = options.profiles ?? builtinProfiles;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.timers = options.timers ?? realTimers;
    this.pollMs = Math.min(10_000, Math.max(100, options.pollIntervalMs ?? 1000));
    this.backoffInitial = Math.max(10, options.backoff?.initialMs ?? 500);
    this.backoffMax = Math.max(this.backoffInitial, options.backoff?.maxMs ?? 30_000);
    this.colors = { ...defaultLightColors, ...options.lightColors };
    this.log = options.log ?? silentLogger;
    this.emitter = new Emitter<ManagerEvents>((err) => this.log.error({ error: String(err) }, 'hardware listener threw'));
    for (const kind of options.kinds ?? ALL_KINDS) {
      this.slots.set(kind, { kind, driver: null, path: null, profile: null, attempts: 0, state: new LiveValue<DeviceState>(ABSENT, sameState), unsub: [], malformed: 0, lastMalformed: null, reopens: 0, everConnected: false });
    }
    this.all = new LiveValue<DeviceStates>(this.snapshot(), sameState);
    const facades = createFacades(this);
    this.handset = facades.handset;
    this.callButton = facades.callButton;
    this.statusLight = facades.statusLight;
    this.presence = facades.presence;
    this.scanner = facades.scanner;
  }

  /** All device states as one live value. */
  get states(): ReadonlyValue<DeviceStates> {
    return this.all;
  }

  /** One device's state as a live value. */
  stateOf(kind: DeviceKind): ReadonlyValue<DeviceState> {
    return this.slot(kind)?.state ?? new LiveValue(ABSENT);
  }

  on<K extends keyof ManagerEvents>(event: K, fn: (...args: ManagerEvents[K]) => void): Unsubscribe {
    return this.emitter.on(event, fn);
  }

  /** First enumeration, then polling. Resolves after the first scan. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.scan();
  }

  /** Stops polling and closes every device (states become absent). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    await this.scanning;
    await Promise.all([...this.slots.values()].map((s) => this.detach(s, ABSENT)));
  }

  /** One enumeration pass now (coalesced with one in progress); reschedules the next poll. */
  scan(): Promise<void> {
    this.scanning ??= this.doScan().finally(() => {
      this.scanning = null;
      this.schedule();
    });
    return this.scanning;
  }

  /**
   * HID interfaces that look like booth peripherals (telephony, HID POS, presence) but match no
   * profile, from the last scan: the technician screen lists them with UnknownDeviceError's advice.
   */
  unknownDevices(): HidDeviceInfo[] {
    return this.unknown;
  }

  health(): Record<DeviceKind, DeviceHealth> {
    const out = {} as Record<DeviceKind, DeviceHealth>;
    for (const s of this.slots.values()) out[s.kind] = { state: s.state.get(), malformedReports: s.malformed, lastMalformed: s.lastMalformed, reopenCount: s.reopens };
    return out;
  }

  /** @internal the live driver behind a facade. */
  driver<K extends DeviceKind>(kind: K): PeripheralByKind[K] | null {
    return (this.slot(kind)?.driver as PeripheralByKind[K] | null) ?? null;
  }

  /** @internal facades record the desired output so it survives replug. */
  async applyLight(desired: NonNullable<DeviceManager['desiredLight']>): Promise<void> {
    this.desiredLight = desired;
    const light = this.driver('statusLight');
    if (!light) return; // applied on connect
    await (desired.kind === 'status' ? light.show(desired.status) : light.setColor(desired.color, { blink: desired.blink }));
  }

  /** @internal */
  async applyLeds(leds: Partial<HandsetLeds>): Promise<void> {
    this.desiredLeds = { ...this.desiredLeds, ...leds };
    await this.driver('handset')?.setLeds(leds);
  }

  /** @internal */
  subscribe<K extends DeviceKind>(kind: K, fn: (driver: PeripheralByKind[K]) => Unsubscribe): void {
    this.attachHooks.push({ kind, fn: fn as (d: PeripheralByKind[DeviceKind]) => Unsubscribe });
    const d = this.driver(kind);
    const slot = this.slot(kind);
    if (d && slot) slot.unsub.push(fn(d));
  }
  private readonly attachHooks: Array<{ kind: DeviceKind; fn: (d: PeripheralByKind[DeviceKind]) => Unsubscribe }> = [];

  private slot(kind: DeviceKind): Slot | undefined {
    return this.slots.get(kind);
  }

  private snapshot(): DeviceStates {
    const get = (k: DeviceKind) => this.slots.get(k)?.state.get() ?? ABSENT;
    return { handset: get('handset'), callButton: get('callButton'), statusLight: get('statusLight'), presence: get('presence'), scanner: get('scanner') };
  }

  private setState(slot: Slot, state: DeviceState): void {
    const before = slot.state.get();
    slot.state.set(state);
    if (sameState(before, state)) return;
    this.all.set(this.snapshot());
    this.emitter.emit('state', slot.kind, state);
  }

  private schedule(): void {
    if (!this.running) return;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    const now = this.clock.now();
    let next = now + this.pollMs;
    // A failed device still enumerated is retried at its backoff time if that comes before the next poll.
    for (const s of this.slots.values()) {
      const st = s.state.get();
      if (st.status === 'failed') next = Math.min(next, Math.max(now, st.retryAt));
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.scan();
    }, Math.max(0, next - now));
  }

  private backoff(attempts: number): number {
    // No jitter: one booth's own USB device, nobody to collide with.
    return backoffDelay(attempts - 1, { initialMs: this.backoffInitial, maxMs: this.backoffMax, jitter: 'none' });
  }

  private async doScan(): Promise<void> {
    let devices: HidDeviceInfo[];
    try {
      devices = await this.hid.devicesAsync();
    } catch (err) {
      this.log.error({ error: String(err) }, 'HID enumeration failed');
      return;
    }
    this.unknown = devices.filter((d) => PERIPHERAL_PAGES.has(d.usagePage ?? -1) && !matchProfile(this.profiles, d));
    for (const slot of this.slots.values()) {
      if (!this.running) return;
      await this.reconcile(slot, devices).catch((err) => this.log.error({ kind: slot.kind, error: String(err) }, 'hardware reconcile failed'));
    }
  }

  private pick(kind: DeviceKind, devices: HidDeviceInfo[]): { device: HidDeviceInfo & { path: string }; profile: DeviceProfile } | null {
    let best: { device: HidDeviceInfo & { path: string }; profile: DeviceProfile } | null = null;
    for (const d of devices) {
      if (!d.path) continue;
      const profile = matchProfile(this.profiles, d, kind);
      // Keep enumeration order, but a device with an exact profile beats one matched generically.
      if (profile && (!best || (profile.match.some((m) => m.productId !== undefined) && !best.profile.match.some((m) => m.productId !== undefined)))) {
        best = { device: d as HidDeviceInfo & { path: string }, profile };
      }
    }
    return best;
  }

  private async reconcile(slot: Slot, devices: HidDeviceInfo[]): Promise<void> {
    if (slot.driver) {
      if (devices.some((d) => d.path === slot.path)) return; // still there
      await this.detach(slot, ABSENT);
      return;
    }
    const found = this.pick(slot.kind, devices);
    if (!found) {
      slot.attempts = 0;
      this.setState(slot, ABSENT);
      return;
    }
    const st = slot.state.get();
    if (st.status === 'failed' && this.clock.now() < st.retryAt) return;
    await this.open(slot, found.device, found.profile);
  }

  private async open(slot: Slot, device: HidDeviceInfo & { path: string }, profile: DeviceProfile): Promise<void> {
    let handle: Awaited<ReturnType<HidBackend['open']>> | null = null;
    try {
      handle = await this.hid.open(device.path, { nonExclusive: profile.nonExclusive });
      const init = new WriteQueue(profile.name, handle);
      for (const report of profile.initFeatureReports) await init.write(report, true);
      const driver = createDriver(profile, handle, {
        timers: this.timers,
        lightColors: this.colors,
        onMalformed: (err) => {
          slot.malformed++;
          slot.lastMalformed = err.message;
          this.log.warn({ kind: slot.kind }, err.message);
          this.emitter.emit('malformed', slot.kind, err);
        },
      });
      slot.driver = driver;
      slot.path = device.path;
      slot.profile = profile;
      slot.attempts = 0;
      if (slot.everConnected) slot.reopens++;
      slot.everConnected = true;
      this.wire(slot, driver);
      this.setState(slot, { status: 'connected', profileId: profile.id, product: device.product ?? profile.name, path: device.path, since: this.clock.now() });
      this.log.info({ kind: slot.kind, path: device.path }, `${profile.name} connected`);
      await this.restore(slot.kind).catch(() => {}); // a failing write already moved the device to failed
    } catch (err) {
      await handle?.close().catch(() => {});
      slot.attempts++;
      const reason = err instanceof VisioError ? err : new DeviceOpenError(profile.name, device.path, err);
      this.setState(slot, { status: 'failed', profileId: profile.id, reason: toErrorInfo(reason), attempts: slot.attempts, retryAt: this.clock.now() + this.backoff(slot.attempts) });
      this.log.warn({ kind: slot.kind }, reason.message);
    }
  }

  private wire(slot: Slot, driver: PeripheralByKind[DeviceKind]): void {
    const emit = (ev: HardwareInput) => this.emitter.emit('input', ev);
    const on = driver.on as (e: string, fn: (...a: unknown[]) => void) => Unsubscribe;
    slot.unsub.push(
      on.call(driver, 'error', (err) => {
        const e = err as VisioError;
        if (slot.driver !== driver) return;
        slot.attempts++;
        void this.detach(slot, {
          status: 'failed', profileId: slot.profile?.id ?? '', reason: toErrorInfo(e), attempts: slot.attempts, retryAt: this.clock.now() + this.backoff(slot.attempts),
        }).then(() => this.schedule());
      }),
    );
    switch (slot.kind) {
      case 'handset':
        slot.unsub.push(on.call(driver, 'lifted', () => emit({ type: 'handset.lifted' })));
        slot.unsub.push(on.call(driver, 'hungUp', () => emit({ type: 'handset.hungUp' })));
        slot.unsub.push(on.call(driver, 'muteChanged', (muted) => emit({ type: 'handset.muteChanged', muted: muted as boolean })));
        break;
      case 'callButton':
        slot.unsub.push(on.call(driver, 'pressed', () => emit({ type: 'callButton.pressed' })));
        break;
      case 'presence':
        slot.unsub.push(on.call(driver, 'changed', (present) => emit({ type: 'presence.changed', present: present as boolean })));
        break;
      case 'scanner':
        slot.unsub.push(on.call(driver, 'scanned', (c) => emit({ type: 'code.scanned', ...(c as { code: string; symbology: string }) })));
        break;
      case 'statusLight':
        break;
    }
    for (const hook of this.attachHooks) if (hook.kind === slot.kind) slot.unsub.push(hook.fn(driver));
  }

  private async restore(kind: DeviceKind): Promise<void> {
    if (kind === 'statusLight' && this.desiredLight) await this.applyLight(this.desiredLight);
    if (kind === 'handset' && (this.desiredLeds.offHook || this.desiredLeds.ring || this.desiredLeds.mute)) await this.driver('handset')?.setLeds(this.desiredLeds);
  }

  private async detach(slot: Slot, next: DeviceState): Promise<void> {
    const driver = slot.driver;
    slot.driver = null;
    slot.path = null;
    for (const u of slot.unsub.splice(0)) u();
    if (next.status === 'absent') slot.attempts = 0;
    this.setState(slot, next);
    await driver?.close();
  }
}

// ---- Facades -----------------------------------------------------------------------------------
// Stable objects implementing the capability interfaces: listeners survive replug (they are
// re-attached to each new driver), commands are remembered and re-applied on reconnect, and a
// command while the device is absent resolves without effect (the booth must never wait on a
// missing light). close() is a no-op: the manager owns device lifetimes (use manager.stop()).

function facadeEmitter<E extends { [K in keyof E]: unknown[] }, K extends DeviceKind>(m: DeviceManager, kind: K, events: ReadonlyArray<keyof E & string>) {
  const emitter = new Emitter<E & PeripheralEvents>();
  m.subscribe(kind, (driver) => {
    const on = driver.on as (e: string, fn: (...a: unknown[]) => void) => Unsubscribe;
    const offs = [...events, 'error'].map((e) => on.call(driver, e, (...args: unknown[]) => (emitter.emit as (e: string, ...a: unknown[]) => void)(e, ...args)));
    return () => offs.forEach((off) => off());
  });
  return {
    on: <Ev extends keyof (E & PeripheralEvents)>(event: Ev, fn: (...args: (E & PeripheralEvents)[Ev]) => void) => emitter.on(event, fn),
    close: async () => {},
  };
}

function createFacades(m: DeviceManager) {
  const handset: Handset = {
    kind: 'handset',
    ...facadeEmitter<HandsetEvents, 'handset'>(m, 'handset', ['lifted', 'hungUp', 'muteChanged']),
    get offHook() {
      return m.driver('handset')?.offHook ?? false;
    },
    get muted() {
      return m.driver('handset')?.muted ?? false;
    },
    setLeds: (leds) => m.applyLeds(leds),
  };
  const callButton: CallButton = {
    kind: 'callButton',
    ...facadeEmitter<CallButtonEvents, 'callButton'>(m, 'callButton', ['pressed', 'released']),
    get isPressed() {
      return m.driver('callButton')?.isPressed ?? false;
    },
  };
  const statusLight: StatusLight = {
    kind: 'statusLight',
    ...facadeEmitter<Record<never, never>, 'statusLight'>(m, 'statusLight', []),
    show: (status) => m.applyLight({ kind: 'status', status }),
    setColor: (color, options) => m.applyLight({ kind: 'color', color, blink: options?.blink ?? false }),
    off: () => m.applyLight({ kind: 'status', status: 'off' }),
  };
  const presence: PresenceSensor = {
    kind: 'presence',
    ...facadeEmitter<PresenceEvents, 'presence'>(m, 'presence', ['changed']),
    get present() {
      return m.driver('presence')?.present ?? false;
    },
  };
  const scanner: CodeScanner = { kind: 'scanner', ...facadeEmitter<CodeScannerEvents, 'scanner'>(m, 'scanner', ['scanned']) };
  return { handset, callButton, statusLight, presence, scanner };
}
