// Named errors of the device layer. Each message says what happened AND what to do, because the
// person reading it is a technician in a booth, not the author of this code.
import { VisioError } from '../common/result';

const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** No enumerated HID device matches a profile (nothing plugged in, or udev hides it). */
export class DeviceNotFoundError extends VisioError {
  constructor(what: string) {
    super('device_not_found', `${what} is not plugged in or not visible. Check the USB cable, then check the udev rules (build/udev) so the kiosk user can read /dev/hidraw*.`);
  }
}

/** The device is enumerated but opening it failed (permissions, exclusive use, firmware hang). */
export class DeviceOpenError extends VisioError {
  constructor(what: string, path: string, cause?: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause ?? 'unknown cause');
    super('device_open_failed', `Could not open ${what} at ${path} (${detail}). Install build/udev/70-visioguichet.rules and replug it; if another program holds it, close that program. Retrying with backoff.`, { cause });
  }
}

/** A report shorter than its layout, or with impossible content. The report is dropped, the device kept. */
export class MalformedReportError extends VisioError {
  constructor(profileId: string, detail: string, readonly bytes: readonly number[] = []) {
    super('malformed_report', `Dropped a malformed report from ${profileId}: ${detail}. If this repeats, the device profile's report layout does not match this model; compare with its report descriptor (usbhid-dump).`);
  }
}

/** A write (LED, colour, poll command) did not reach the device. */
export class WriteFailedError extends VisioError {
  constructor(what: string, cause?: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause ?? 'short write');
    super('write_failed', `Write to ${what} failed (${detail}). The device will be reopened; if it keeps failing, replug it or replace the cable.`, { cause });
  }
}

/** A profile id or device that no known profile describes. */
export class UnknownDeviceError extends VisioError {
  constructor(what: string) {
    super('unknown_device', `${what} has no device profile. Add a JSON profile in hardware/profiles (see its README) with the vendor/product ids and report layout.`);
  }
}

/** A profile file that fails the schema. */
export class InvalidProfileError extends VisioError {
  constructor(source: string, detail: string) {
    super('invalid_profile', `Device profile ${source} is invalid: ${detail}. Fix the JSON against hardware/profiles/schema.ts.`);
  }
}

/** An operation on a device that was closed or unplugged; pending writes fail with this. */
export class DeviceClosedError extends VisioError {
  constructor(what: string) {
    super('device_closed', `${what} is closed or unplugged; the command was not sent. It will be re-sent automatically when the device comes back.`);
  }
}

/** Simulated twin used while disconnected: tells the developer which control to call. */
export class TwinDisconnectedError extends VisioError {
  constructor(what: string) {
    super('twin_disconnected', `Simulated ${what} is disconnected: call connect() on the twin (or the technician panel's "connect") first.`);
  }
}

/** No way to drive the screen was detected on this machine. */
export class ScreenUnavailableError extends VisioError {
  constructor(tried: string[]) {
    super('screen_unavailable', `No screen control found (tried: ${tried.join(', ') || 'nothing'}). Install x11-xserver-utils (xset), wlr-randr or ddcutil, or give the kiosk user write access to /sys/class/backlight.`);
  }
}

/** A screen command returned an error. */
export class ScreenCommandError extends VisioError {
  constructor(method: string, detail: string) {
    super('screen_command_failed', `Screen control via ${method} failed: ${detail}. Check that the display server is running and the command is installed.`);
  }
}

export const formatUsbId = (vendorId: number, productId: number) => `${hex(vendorId)}:${hex(productId)}`;

/** An open device stopped answering at runtime (read error): almost always an unplug. */
export class DeviceLostError extends VisioError {
  constructor(what: string, cause?: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause ?? 'read error');
    super('device_lost', `${what} stopped responding (${detail}); it was probably unplugged. It is reopened automatically when it is plugged back in.`, { cause });
  }
}
