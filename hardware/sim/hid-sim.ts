// Simulated HID backend (serialport binding-mock model): implements the same HidBackend seam as
// node-hid, so the DeviceManager, drivers and parsers run unchanged on simulated devices. Test
// controls live on SimHidDevice (emit a raw report, read what was written, make open/write fail).
import type { HidBackend, HidDeviceInfo, HidHandle } from '../hid/backend';

type DeviceInfo = HidDeviceInfo & { path: string };

interface SimHandle extends HidHandle {
  deliver(data: Uint8Array): void;
  fail(err: Error): void;
}

/** One simulated HID interface. */
export class SimHidDevice {
  /** Every output report written, oldest first (byte 0 = report id as written). */
  readonly writes: number[][] = [];
  /** Every feature report sent. */
  readonly featureReports: number[][] = [];
  /** Make open() reject with this error until cleared (null). */
  failOpen: Error | null = null;
  /** Number of upcoming writes that reject. */
  failWrites = 0;
  /** Device-side answer to a write (polled devices answer a status request with an input report). */
  respond: ((written: number[]) => number[] | null) | null = null;
  private readonly handles = new Set<SimHandle>();
  /** @internal set once plugged: a replug gets a new path, as hidraw numbering does. */
  pluggedBefore = false;

  constructor(readonly info: DeviceInfo) {}

  get path(): string {
    return this.info.path;
  }
  get lastWrite(): number[] | undefined {
    return this.writes.at(-1);
  }
  get openCount(): number {
    return this.handles.size;
  }

  /** Send an input report to every open handle (asynchronously, as a USB interrupt would). */
  emitInput(bytes: readonly number[]): void {
    const data = Uint8Array.from(bytes);
    for (const h of this.handles) queueMicrotask(() => h.deliver(data));
  }

  /** Forget writes (test reset). */
  clearWrites(): void {
    this.writes.length = 0;
    this.featureReports.length = 0;
  }

  /** @internal used by SimHidBackend */
  open(): HidHandle {
    if (this.failOpen) throw this.failOpen;
    const dataFns: Array<(d: Uint8Array) => void> = [];
    const errorFns: Array<(e: Error) => void> = [];
    let closed = false;
    const handle: SimHandle = {
      onData: (fn) => void dataFns.push(fn),
      onError: (fn) => void errorFns.push(fn),
      write: async (data) => {
        if (closed) throw new Error('Cannot write to a closed HID device');
        if (this.failWrites > 0) {
          this.failWrites--;
          throw new Error('Cannot write to hid device');
        }
        const bytes = [...data];
        this.writes.push(bytes);
        const answer = this.respond?.(bytes);
        if (answer) this.emitInput(answer);
        return bytes.length;
      },
      sendFeatureReport: async (data) => {
        if (closed) throw new Error('Cannot write to a closed HID device');
        this.featureReports.push([...data]);
        return data.length;
      },
      close: async () => {
        closed = true;
        this.handles.delete(handle);
      },
      deliver: (d) => {
        if (!closed) for (const fn of dataFns) fn(d);
      },
      fail: (err) => {
        if (closed) return;
        for (const fn of errorFns) fn(err);
      },
    };
    this.handles.add(handle);
    return handle;
  }

  /** @internal the device vanished: open handles get node-hid's read error. */
  breakHandles(): void {
    for (const h of [...this.handles]) h.fail(new Error('could not read from HID device'));
  }
}

let nextPath = 0;

export class SimHidBackend implements HidBackend {
  private readonly plugged = new Map<string, SimHidDevice>();
  /** How many times devicesAsync() was called (tests of the polling bound). */
  enumerations = 0;

  /** A new simulated device with a fresh hidraw-like path (not plugged yet). */
  static device(info: Omit<HidDeviceInfo, 'path'> & { path?: string }): SimHidDevice {
    return new SimHidDevice({ ...info, path: info.path ?? `/dev/hidraw-sim${nextPath++}` });
  }

  /** Plug in. A device plugged before comes back under a new path, like a real replug. */
  plug(device: SimHidDevice): void {
    if (this.isPlugged(device)) return;
    if (device.pluggedBefore) device.info.path = `/dev/hidraw-sim${nextPath++}`;
    device.pluggedBefore = true;
    this.plugged.set(device.path, device);
  }

  /** Unplug: the device disappears from enumeration and its open handles error out. */
  unplug(device: SimHidDevice): void {
    this.plugged.delete(device.path);
    device.breakHandles();
  }

  isPlugged(device: SimHidDevice): boolean {
    return this.plugged.get(device.path) === device;
  }

  async devicesAsync(): Promise<HidDeviceInfo[]> {
    this.enumerations++;
    return [...this.plugged.values()].map((d) => ({ ...d.info }));
  }

  async open(path: string): Promise<HidHandle> {
    const dev = this.plugged.get(path);
    if (!dev) throw new Error(`cannot open device with path ${path}`);
    return dev.open();
  }
}
