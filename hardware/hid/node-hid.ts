// node-hid adapter (HIDAsync API). The only module that touches the native binding; loaded lazily
// so tests and simulation mode never load it.
//
// Quirks of node-hid/hidapi on Linux (hidraw backend), which the rest of the layer relies on:
// - Input reports start with the report id only when the device uses numbered reports.
// - Output and feature reports MUST start with the report id (0 for unnumbered); hidapi strips a 0.
// - Concurrent write() calls on one handle are not safe: the drivers serialise them (WriteQueue).
// - Unplugging an open device emits 'error' ("could not read from HID device") on the handle;
//   the handle is dead afterwards and must be closed, then the device reopened by path once it
//   is enumerated again (the path changes: /dev/hidraw3 may come back as /dev/hidraw5).
// - close() stops the read thread; no 'data' event is delivered after it resolves.
import type { HidBackend, HidDeviceInfo, HidHandle } from './backend';

/** The HIDAsync surface used (exported for the adapter's tests). */
export interface HIDAsyncLike {
  on(event: 'data', fn: (data: Buffer) => void): unknown;
  on(event: 'error', fn: (err: unknown) => void): unknown;
  write(values: number[]): Promise<number>;
  sendFeatureReport(data: number[]): Promise<number>;
  close(): Promise<void>;
}

interface NodeHidModule {
  devicesAsync(): Promise<HidDeviceInfo[]>;
  HIDAsync: { open(path: string, options?: { nonExclusive?: boolean }): Promise<HIDAsyncLike> };
}

/** Adapts one node-hid HIDAsync handle to the HidHandle seam. */
export function wrapHidAsync(dev: HIDAsyncLike): HidHandle {
  let closed: Promise<void> | null = null;
  return {
    onData: (fn) => void dev.on('data', (buf: Buffer) => fn(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength))),
    onError: (fn) => void dev.on('error', (err: unknown) => fn(err instanceof Error ? err : new Error(String(err)))),
    write: (data) => dev.write([...data]),
    sendFeatureReport: (data) => dev.sendFeatureReport([...data]),
    // close() twice throws in node-hid; make it idempotent.
    close: () => (closed ??= dev.close().catch(() => {})),
  };
}

/** The real backend. Rejects with the loader's error when the native module cannot load (no libusb/hidraw). */
export async function createNodeHidBackend(): Promise<HidBackend> {
  const mod = (await import('node-hid')) as unknown as NodeHidModule & { default?: NodeHidModule };
  const HID = mod.default ?? mod;
  return {
    devicesAsync: () => HID.devicesAsync(),
    open: async (path, options) => wrapHidAsync(await HID.HIDAsync.open(path, { nonExclusive: options?.nonExclusive ?? false })),
  };
}
