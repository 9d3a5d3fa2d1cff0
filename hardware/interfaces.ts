// One interface per capability (docs/ARCHITECTURE.md "Hardware layer"). Drivers (node-hid), simulated twins
// and the DeviceManager's stable facades all implement these, so the session wiring never knows
// which one it holds.
//
// Common obligations of every peripheral:
// - `on(event, fn)` returns the unsubscribe function; listeners run synchronously in report order,
//   and a throwing listener never breaks the device.
// - Input events are edges, not levels: `lifted` fires once per lift, never on every report.
// - Commands (LEDs, colours) are serialised per device in call order; each resolves when the
//   bytes were written, or rejects with WriteFailedError / DeviceClosedError.
// - `close()` stops input events immediately (a report already read but not yet dispatched is
//   dropped), rejects commands still queued with DeviceClosedError, waits for the write in flight,
//   then releases the OS handle. It never throws and is idempotent.
import type { DeviceKind, HardwareInput, LightStatus, ScreenState } from '../common/bridge/hardware';
import type { VisioError } from '../common/result';
import type { Unsubscribe } from './observable';

export type { DeviceKind, HardwareInput, LightStatus, ScreenState };

/** Events every peripheral emits besides its own. */
export interface PeripheralEvents {
  /** The device failed at runtime (read error, unplugged). It is closed after this event. */
  error: [VisioError];
}

export interface Peripheral<E extends { [K in keyof E]: unknown[] }> {
  /** Which capability this is. */
  readonly kind: DeviceKind;
  /** Subscribe to an event; returns the unsubscribe function. */
  on<K extends keyof (E & PeripheralEvents)>(event: K, fn: (...args: (E & PeripheralEvents)[K]) => void): Unsubscribe;
  /** Release the device (see the obligations above). */
  close(): Promise<void>;
}

export interface HandsetLeds {
  /** LED page 0x08 usage 0x17 Off-Hook. */
  offHook: boolean;
  /** LED page 0x08 usage 0x18 Ring. */
  ring: boolean;
  /** LED page 0x08 usage 0x09 Mute. */
  mute: boolean;
}

export interface HandsetEvents {
  /** Hook switch (Telephony 0x0B:0x20) went off-hook: the citizen lifted the handset. */
  lifted: [];
  /** Hook switch went on-hook. */
  hungUp: [];
  /** Phone Mute (0x0B:0x2F) toggled; the payload is the new mute state. */
  muteChanged: [boolean];
}

/** Telephony handset or headset (HID page 0x0B) with optional LEDs (page 0x08). */
export interface Handset extends Peripheral<HandsetEvents> {
  /** Current hook state as last reported (false until the first report). */
  readonly offHook: boolean;
  /** Current mute state (toggled by the mute button, or set by `setLeds({ mute })`). */
  readonly muted: boolean;
  /** Set LEDs; omitted ones keep their state. Resolves once written (no-op when the model has no LEDs). */
  setLeds(leds: Partial<HandsetLeds>): Promise<void>;
}

export interface CallButtonEvents {
  /** The button went down (one event per press, however long it is held). */
  pressed: [];
  /** The button went up. */
  released: [];
}

/** Big physical call button: the accessible way to start a visit. */
export interface CallButton extends Peripheral<CallButtonEvents> {
  /** Whether the button is held down now. */
  readonly isPressed: boolean;
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Busylight-style status light outside the booth. Output only: emits no input events. */
export interface StatusLight extends Peripheral<Record<never, never>> {
  /** Show a booth status with the configured colours (free, busy, out of service, off). */
  show(status: LightStatus): Promise<void>;
  /** Raw colour (technician test); `blink` when the model supports it. */
  setColor(color: Rgb, options?: { blink?: boolean }): Promise<void>;
  /** Light off. */
  off(): Promise<void>;
}

export interface PresenceEvents {
  /** Someone arrived (true) or left (false); only on change. */
  changed: [boolean];
}

/** Human presence sensor (HID Sensor page 0x20, Biometric: Human Presence 0x11). */
export interface PresenceSensor extends Peripheral<PresenceEvents> {
  /** Last reported presence (false until the first report). */
  readonly present: boolean;
}

export interface ScannedCode {
  /** Decoded data (appointment code, URL in a QR code…), without symbology prefix. */
  code: string;
  /** AIM symbology identifier as sent by the scanner (e.g. "]Q1" for QR), or "" when unknown. */
  symbology: string;
}

export interface CodeScannerEvents {
  /** One complete code, after multi-report reassembly. */
  scanned: [ScannedCode];
}

/** Code scanner in HID POS mode (Bar Code Scanner page 0x8C). */
export type CodeScanner = Peripheral<CodeScannerEvents>;

/** The booth's screen. Methods reject with ScreenCommandError; the scheduler reports it in health. */
export interface Screen {
  /** Which mechanism drives it (xset, wlr-randr, backlight, ddcutil, simulated). */
  readonly method: string;
  /** Current state as far as the mechanism can tell. */
  state(): Promise<ScreenState>;
  /** Power the panel on or off (DPMS, backlight power, DDC power mode). */
  setPower(on: boolean): Promise<void>;
  /** Brightness 0–1; rejects when the mechanism cannot set it (check `canDim`). */
  setBrightness(level: number): Promise<void>;
  /** Whether setBrightness is supported. */
  readonly canDim: boolean;
}

/** Peripheral interface by kind. */
export interface PeripheralByKind {
  handset: Handset;
  callButton: CallButton;
  statusLight: StatusLight;
  presence: PresenceSensor;
  scanner: CodeScanner;
}
