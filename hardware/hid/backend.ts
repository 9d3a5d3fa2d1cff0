// The HID backend seam: node-hid in production, the simulated backend in tests and simulation
// mode (serialport's binding-mock model). Only these few calls are used, so both stay small.

/** An enumerated HID interface, as node-hid's devicesAsync() describes it. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  product?: string | undefined;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  interface: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
  release?: number | undefined;
}

/** An open HID device. */
export interface HidHandle {
  /** Input reports as delivered by hidraw (byte 0 = report id when the device numbers reports). */
  onData(fn: (data: Uint8Array) => void): void;
  /** Read errors (typically: the device was unplugged). After an error the handle is unusable. */
  onError(fn: (err: Error) => void): void;
  /** Write an output report (byte 0 = report id, 0 when unnumbered); resolves with bytes written. */
  write(data: readonly number[]): Promise<number>;
  /** Send a feature report (byte 0 = report id). */
  sendFeatureReport(data: readonly number[]): Promise<number>;
  /** Release the OS handle; stops data events. */
  close(): Promise<void>;
}

export interface HidBackend {
  /** Enumerate HID interfaces (cheap enough to poll every second or so). */
  devicesAsync(): Promise<HidDeviceInfo[]>;
  /** Open by path. */
  open(path: string, options?: { nonExclusive?: boolean }): Promise<HidHandle>;
}
