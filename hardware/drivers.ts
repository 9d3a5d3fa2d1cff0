// node-hid drivers: each implements one capability interface on top of an open HidHandle and a
// device profile. The same drivers run on the simulated backend. Obligations are in interfaces.ts.
import type { LightStatus } from '../common/bridge/hardware';
import type { VisioError } from '../common/result';
import { DeviceClosedError, DeviceLostError, MalformedReportError, WriteFailedError } from './errors';
import type { HidHandle } from './hid/backend';
import type {
  CallButton, CallButtonEvents, CodeScanner, CodeScannerEvents, DeviceKind, Handset, HandsetEvents, HandsetLeds, PeripheralByKind,
  PeripheralEvents, PresenceEvents, PresenceSensor, Rgb, StatusLight,
} from './interfaces';
import { Emitter, type Unsubscribe } from './observable';
import {
  createCallButtonDecoder, createHandsetDecoder, createPresenceDecoder, createScannerDecoder, encodeColor, encodeLeds, encodeOff,
} from './parsers';
import type { CallButtonProfile, DeviceProfile, HandsetProfile, PresenceProfile, ProfileOf, ScannerProfile, StatusLightProfile } from './profiles/schema';
import { realTimers, type OneShotTimers } from '../common/time';

/** Drivers and the device manager need one-shot timers only (common/time.ts). */
export type Timers = OneShotTimers;
export { realTimers };

/** What a booth status looks like on the light. null = off. */
export type LightColors = Record<LightStatus, { color: Rgb; blink: boolean } | null>;
export const defaultLightColors: LightColors = {
  free: { color: { r: 0, g: 255, b: 0 }, blink: false },
  busy: { color: { r: 255, g: 0, b: 0 }, blink: false },
  // Amber and blinking: readable from outside as "not available", distinct from busy red.
  outOfService: { color: { r: 255, g: 120, b: 0 }, blink: true },
  off: null,
};

export interface DriverContext {
  timers: Timers;
  /** A malformed report was dropped (the device stays open). */
  onMalformed?: (err: MalformedReportError) => void;
  lightColors?: LightColors;
}

/** Serialises writes per device: node-hid handles are not safe for concurrent writes. */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private pending = 0;
  constructor(private readonly what: string, private readonly handle: HidHandle) {}

  write(bytes: readonly number[], feature = false): Promise<void> {
    if (this.closed) return Promise.reject(new DeviceClosedError(this.what));
    this.pending++;
    const run = async () => {
      this.pending--;
      if (this.closed) throw new DeviceClosedError(this.what);
      try {
        const n = feature ? await this.handle.sendFeatureReport(bytes) : await this.handle.write(bytes);
        if (n < 0) throw new Error(`wrote ${n} bytes`);
      } catch (err) {
        throw new WriteFailedError(this.what, err);
      }
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => {});
    return p;
  }

  /** Queued writes will reject with DeviceClosedError; resolves when the one in flight settles. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
  }

  get queued(): number {
    return this.pending;
  }
}

abstract class HidDriver<E extends { [K in keyof E]: unknown[] }> {
  protected readonly events = new Emitter<E & PeripheralEvents>();
  protected readonly queue: WriteQueue;
  protected closed = false;
  private closing: Promise<void> | null = null;
  /** Malformed reports dropped since open. */
  malformed = 0;

  constructor(readonly kind: DeviceKind, readonly profile: DeviceProfile, protected readonly handle: HidHandle, protected readonly ctx: DriverContext) {
    this.queue = new WriteQueue(profile.name, handle);
    handle.onData((data) => {
      if (this.closed) return; // close() drops reports read but not yet dispatched
      try {
        this.onReport(data);
      } catch (err) {
        // Never let a report escape as an exception: in node-hid this callback runs from an
        // EventEmitter, where a throw would crash main. Anything unexpected counts as malformed.
        const e = err instanceof MalformedReportError ? err : new MalformedReportError(profile.id, `parser failure: ${err instanceof Error ? err.message : String(err)}`, [...data]);
        this.malformed++;
        ctx.onMalformed?.(e);
      }
    });
    handle.onError((err) => this.fail(new DeviceLostError(profile.name, err)));
  }

  protected abstract onReport(data: Uint8Array): void;

  on<K extends keyof (E & PeripheralEvents)>(event: K, fn: (...args: (E & PeripheralEvents)[K]) => void): Unsubscribe {
    return this.events.on(event, fn);
  }

  /** Runtime failure: report it once, then close. */
  protected fail(err: VisioError): void {
    if (this.closed) return;
    (this.events as unknown as Emitter<PeripheralEvents>).emit('error', err);
    void this.close();
  }

  protected async write(bytes: readonly number[]): Promise<void> {
    try {
      await this.queue.write(bytes);
    } catch (err) {
      if (err instanceof WriteFailedError) this.fail(err);
      throw err;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.stopTimers();
      await this.queue.close();
      await this.handle.close().catch(() => {});
    })();
    return this.closing;
  }

  protected stopTimers(): void {}
}

export class HidHandset extends HidDriver<HandsetEvents> implements Handset {
  offHook = false;
  muted = false;
  private leds: HandsetLeds = { offHook: false, ring: false, mute: false };
  private readonly decode: ReturnType<typeof createHandsetDecoder>;
  constructor(override readonly profile: HandsetProfile, handle: HidHandle, ctx: DriverContext) {
    super('handset', profile, handle, ctx);
    this.decode = createHandsetDecoder(profile);
  }
  protected onReport(data: Uint8Array): void {
    for (const ev of this.decode(data)) {
      if (ev.type === 'lifted' || ev.type === 'hungUp') {
        this.offHook = ev.type === 'lifted';
        this.events.emit(ev.type);
      } else {
        // Phone Mute is a toggle (OOC): the host owns the state and drives the mute LED.
        this.muted = !this.muted;
        this.events.emit('muteChanged', this.muted);
        if (this.profile.leds) this.setLeds({ mute: this.muted }).catch(() => {});
      }
    }
  }
  async setLeds(leds: Partial<HandsetLeds>): Promise<void> {
    this.leds = { ...this.leds, ...leds };
    if (leds.mute !== undefined) this.muted = leds.mute;
    const report = encodeLeds(this.profile, this.leds);
    if (report) await this.write(report);
  }
}

export class HidCallButton extends HidDriver<CallButtonEvents> implements CallButton {
  isPressed = false;
  private readonly decode: ReturnType<typeof createCallButtonDecoder>;
  private pollTimer: unknown = null;
  constructor(override readonly profile: CallButtonProfile, handle: HidHandle, ctx: DriverContext) {
    super('callButton', profile, handle, ctx);
    this.decode = createCallButtonDecoder(profile);
    if (profile.poll) this.schedulePoll(0);
  }
  // Polled models (see the profile's quirks) answer a status request; a failed poll write is a failure.
  private schedulePoll(ms: number): void {
    const poll = this.profile.poll;
    if (!poll || this.closed) return;
    this.pollTimer = this.ctx.timers.setTimeout(() => {
      this.write(poll.command).then(() => this.schedulePoll(poll.intervalMs), () => {});
    }, ms);
  }
  protected override stopTimers(): void {
    if (this.pollTimer !== null) this.ctx.timers.clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }
  protected onReport(data: Uint8Array): void {
    for (const edge of this.decode(data)) {
      this.isPressed = edge === 'pressed';
      this.events.emit(edge);
    }
  }
}

export class HidStatusLight extends HidDriver<Record<never, never>> implements StatusLight {
  private last: number[] | null = null;
  private keepAlive: unknown = null;
  constructor(override readonly profile: StatusLightProfile, handle: HidHandle, ctx: DriverContext) {
    super('statusLight', profile, handle, ctx);
  }
  protected onReport(): void {
    // Lights are write-only; whatever they send is ignored.
  }
  show(status: LightStatus): Promise<void> {
    const look = (this.ctx.lightColors ?? defaultLightColors)[status];
    return look ? this.setColor(look.color, { blink: look.blink }) : this.off();
  }
  setColor(color: Rgb, options: { blink?: boolean } = {}): Promise<void> {
    return this.send(encodeColor(this.profile, color, options.blink ?? false));
  }
  off(): Promise<void> {
    return this.send(encodeOff(this.profile));
  }
  private async send(report: number[]): Promise<void> {
    this.last = report;
    await this.write(report);
    this.armKeepAlive();
  }
  // Lights that need a heartbeat (profile keepAliveMs) get the last command re-sent.
  private armKeepAlive(): void {
    if (!this.profile.keepAliveMs || this.closed) return;
    this.stopTimers();
    this.keepAlive = this.ctx.timers.setTimeout(() => {
      if (this.last) this.send(this.last).catch(() => {});
    }, this.profile.keepAliveMs);
  }
  protected override stopTimers(): void {
    if (this.keepAlive !== null) this.ctx.timers.clearTimeout(this.keepAlive);
    this.keepAlive = null;
  }
}

export class HidPresenceSensor extends HidDriver<PresenceEvents> implements PresenceSensor {
  present = false;
  private readonly decode: ReturnType<typeof createPresenceDecoder>;
  constructor(override readonly profile: PresenceProfile, handle: HidHandle, ctx: DriverContext) {
    super('presence', profile, handle, ctx);
    this.decode = createPresenceDecoder(profile);
  }
  protected onReport(data: Uint8Array): void {
    for (const present of this.decode(data)) {
      this.present = present;
      this.events.emit('changed', present);
    }
  }
}

export class HidCodeScanner extends HidDriver<CodeScannerEvents> implements CodeScanner {
  private readonly decode: ReturnType<typeof createScannerDecoder>;
  constructor(override readonly profile: ScannerProfile, handle: HidHandle, ctx: DriverContext) {
    super('scanner', profile, handle, ctx);
    this.decode = createScannerDecoder(profile);
  }
  protected onReport(data: Uint8Array): void {
    for (const code of this.decode(data)) this.events.emit('scanned', code);
  }
}

/** Builds the driver for a profile on an open handle, after sending the profile's init feature reports. */
export async function openDriver<K extends DeviceKind>(profile: ProfileOf<K>, handle: HidHandle, ctx: DriverContext): Promise<PeripheralByKind[K]> {
  const queue = new WriteQueue(profile.name, handle);
  for (const report of profile.initFeatureReports) await queue.write(report, true);
  return createDriver(profile, handle, ctx) as PeripheralByKind[K];
}

export function createDriver(profile: DeviceProfile, handle: HidHandle, ctx: DriverContext): PeripheralByKind[DeviceKind] {
  switch (profile.kind) {
    case 'handset':
      return new HidHandset(profile, handle, ctx);
    case 'callButton':
      return new HidCallButton(profile, handle, ctx);
    case 'statusLight':
      return new HidStatusLight(profile, handle, ctx);
    case 'presence':
      return new HidPresenceSensor(profile, handle, ctx);
    case 'scanner':
      return new HidCodeScanner(profile, handle, ctx);
    default: {
      const never: never = profile;
      throw new Error(`unhandled profile kind ${String(never)}`);
    }
  }
}
