// Simulated twins: the device side of each peripheral, built from its profile. A twin turns a
// human action (lift, press, scan) into the exact raw reports the real model sends, and decodes
// what the host wrote (LEDs, colours), so the DeviceManager, drivers and parsers run unchanged.
// `open()` also gives the capability interface directly (same drivers), for tests without a manager.
import type { DeviceKind } from '../../common/bridge/hardware';
import { openDriver, realTimers, type DriverContext } from '../drivers';
import { TwinDisconnectedError } from '../errors';
import type { HandsetLeds, PeripheralByKind, Rgb } from '../interfaces';
import {
  decodeColor, decodeLeds, encodeCallButtonInput, encodeHandsetInput, encodePresenceInput, encodeScanReports,
} from '../parsers';
import { builtinProfiles, profileById } from '../profiles';
import type { CallButtonProfile, HandsetProfile, PresenceProfile, ProfileOf, ScannerProfile, StatusLightProfile } from '../profiles/schema';
import { SimHidBackend, type SimHidDevice } from './hid-sim';

abstract class Twin<K extends DeviceKind> {
  readonly device: SimHidDevice;
  constructor(readonly kind: K, readonly backend: SimHidBackend, readonly profile: ProfileOf<K>) {
    const m = profile.match[0] ?? {};
    this.device = SimHidBackend.device({
      vendorId: m.vendorId ?? 0x1209, // pid.codes test vendor for generic profiles
      productId: m.productId ?? 0x0001,
      usagePage: m.usagePage,
      usage: m.usage,
      interface: m.interface ?? 0,
      product: `${profile.name} (simulated)`,
      manufacturer: 'Visioguichet simulation',
    });
  }
  /** Plug in (a replug gets a new path, like hidraw). */
  connect(): void {
    this.backend.plug(this.device);
  }
  /** Unplug: enumeration loses it and open handles get a read error. */
  disconnect(): void {
    this.backend.unplug(this.device);
  }
  get connected(): boolean {
    return this.backend.isPlugged(this.device);
  }
  /** Last raw report the host wrote. */
  get lastWrite(): number[] | undefined {
    return this.device.lastWrite;
  }
  /** Make opening fail (e.g. EACCES) until called with null. */
  failOpen(err: Error | null = new Error('Permission denied (EACCES)')): void {
    this.device.failOpen = err;
  }
  /** Make the next n writes fail. */
  failWrites(n = 1): void {
    this.device.failWrites = n;
  }
  /** Forget writes and device-side state. */
  reset(): void {
    this.device.clearWrites();
    this.device.failOpen = null;
    this.device.failWrites = 0;
  }
  /** Send any raw report (malformed-report tests). */
  emitRaw(bytes: readonly number[]): void {
    this.ensure();
    this.device.emitInput(bytes);
  }
  /** The capability interface over this twin, without a DeviceManager. */
  async open(ctx: DriverContext = { timers: realTimers }): Promise<PeripheralByKind[K]> {
    this.ensure();
    return openDriver(this.profile, await this.backend.open(this.device.path), ctx);
  }
  protected ensure(): void {
    if (!this.connected) throw new TwinDisconnectedError(this.profile.name);
  }
}

export class HandsetTwin extends Twin<'handset'> {
  private offHook = false;
  constructor(backend: SimHidBackend, profile: HandsetProfile = profileById(builtinProfiles, 'hid-telephony-headset') as HandsetProfile) {
    super('handset', backend, profile);
  }
  lift(): void {
    this.ensure();
    this.offHook = true;
    this.device.emitInput(encodeHandsetInput(this.profile, { offHook: true, mutePressed: false }));
  }
  hangUp(): void {
    this.ensure();
    this.offHook = false;
    this.device.emitInput(encodeHandsetInput(this.profile, { offHook: false, mutePressed: false }));
  }
  /** Press and release the mute button. */
  pressMute(): void {
    this.ensure();
    this.device.emitInput(encodeHandsetInput(this.profile, { offHook: this.offHook, mutePressed: true }));
    this.device.emitInput(encodeHandsetInput(this.profile, { offHook: this.offHook, mutePressed: false }));
  }
  get isOffHook(): boolean {
    return this.offHook;
  }
  /** LEDs as last written by the host. */
  get leds(): HandsetLeds {
    const w = this.device.writes.filter((r) => this.profile.leds && r.length >= this.profile.leds.length).at(-1);
    return w ? decodeLeds(this.profile, w) : { offHook: false, ring: false, mute: false };
  }
  override reset(): void {
    super.reset();
    this.offHook = false;
  }
}

export class CallButtonTwin extends Twin<'callButton'> {
  private down = false;
  constructor(backend: SimHidBackend, profile: CallButtonProfile = profileById(builtinProfiles, 'dream-cheeky-big-red-button') as CallButtonProfile) {
    super('callButton', backend, profile);
    // Polled models answer each status request with the current state (see the profile's quirks).
    if (profile.poll) this.device.respond = () => encodeCallButtonInput(this.profile, this.down);
  }
  /** Press and release. */
  press(): void {
    this.hold();
    this.release();
  }
  hold(): void {
    this.ensure();
    this.down = true;
    if (!this.profile.poll) this.device.emitInput(encodeCallButtonInput(this.profile, true));
  }
  release(): void {
    this.ensure();
    // A polled device must be seen down by at least one poll; keep "down" until the next answer.
    if (this.profile.poll) {
      const previous = this.device.respond;
      this.device.respond = () => {
        this.down = false;
        this.device.respond = previous;
        return encodeCallButtonInput(this.profile, true);
      };
      return;
    }
    this.down = false;
    this.device.emitInput(encodeCallButtonInput(this.profile, false));
  }
  override reset(): void {
    super.reset();
    this.down = false;
  }
}

export class StatusLightTwin extends Twin<'statusLight'> {
  constructor(backend: SimHidBackend, profile: StatusLightProfile = profileById(builtinProfiles, 'embrava-blynclight') as StatusLightProfile) {
    super('statusLight', backend, profile);
  }
  /** What the light shows now (decoded from the last command); null = off or never set. */
  get color(): (Rgb & { blink: boolean }) | null {
    const w = this.device.lastWrite;
    return w ? decodeColor(this.profile, w) : null;
  }
}

export class PresenceTwin extends Twin<'presence'> {
  private present = false;
  constructor(backend: SimHidBackend, profile: PresenceProfile = profileById(builtinProfiles, 'amd-sfh-human-presence') as PresenceProfile) {
    super('presence', backend, profile);
  }
  setPresent(present: boolean): void {
    this.ensure();
    this.present = present;
    this.device.emitInput(encodePresenceInput(this.profile, present));
  }
  get isPresent(): boolean {
    return this.present;
  }
  override reset(): void {
    super.reset();
    this.present = false;
  }
}

export class ScannerTwin extends Twin<'scanner'> {
  constructor(backend: SimHidBackend, profile: ScannerProfile = profileById(builtinProfiles, 'honeywell-hid-pos-scanner') as ScannerProfile) {
    super('scanner', backend, profile);
  }
  /** Scan a code (QR by default): sends one or more HID POS reports. */
  scan(code: string, symbology = ']Q1'): void {
    this.ensure();
    for (const report of encodeScanReports(this.profile, code, symbology)) this.device.emitInput(report);
  }
}

export interface SimulatedBooth {
  hid: SimHidBackend;
  handset: HandsetTwin;
  callButton: CallButtonTwin;
  statusLight: StatusLightTwin;
  presence: PresenceTwin;
  scanner: ScannerTwin;
}

/** A booth with one twin of each kind, all plugged in (simulation mode and integration tests). */
export function createSimulatedBooth(options: { connected?: boolean; profiles?: Partial<Record<DeviceKind, string>> } = {}): SimulatedBooth {
  const hid = new SimHidBackend();
  const p = <T>(kind: DeviceKind, fallback: string) => profileById(builtinProfiles, options.profiles?.[kind] ?? fallback) as T;
  const booth: SimulatedBooth = {
    hid,
    handset: new HandsetTwin(hid, p('handset', 'hid-telephony-headset')),
    callButton: new CallButtonTwin(hid, p('callButton', 'dream-cheeky-big-red-button')),
    statusLight: new StatusLightTwin(hid, p('statusLight', 'embrava-blynclight')),
    presence: new PresenceTwin(hid, p('presence', 'amd-sfh-human-presence')),
    scanner: new ScannerTwin(hid, p('scanner', 'honeywell-hid-pos-scanner')),
  };
  if (options.connected ?? true) for (const k of ['handset', 'callButton', 'statusLight', 'presence', 'scanner'] as const) booth[k].connect();
  return booth;
}
