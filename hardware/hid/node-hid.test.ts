import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DeviceStates } from '../../common/bridge/hardware';
import { DeviceManager } from '../manager';
import { ManualClock } from '../sim/clock';
import { createNodeHidBackend, wrapHidAsync, type HIDAsyncLike } from './node-hid';

class FakeHIDAsync extends EventEmitter {
  writes: number[][] = [];
  closes = 0;
  async write(v: number[]) {
    this.writes.push(v);
    return v.length;
  }
  async sendFeatureReport(v: number[]) {
    return v.length;
  }
  async close() {
    this.closes++;
    if (this.closes > 1) throw new Error('device already closed'); // node-hid throws on a second close
  }
}

describe('node-hid adapter', () => {
  it('delivers Buffers as byte views (respecting the slice offset), errors as Error, and closes once', async () => {
    const dev = new FakeHIDAsync();
    const h = wrapHidAsync(dev as unknown as HIDAsyncLike);
    const got: number[][] = [];
    const errors: string[] = [];
    h.onData((d) => got.push([...d]));
    h.onError((e) => errors.push(e.message));
    const pool = Buffer.from([9, 9, 0x01, 0x01, 9]);
    dev.emit('data', pool.subarray(2, 4));
    dev.emit('error', 'could not read from HID device');
    expect(got).toEqual([[0x01, 0x01]]);
    expect(errors).toEqual(['could not read from HID device']);
    expect(await h.write([0x02, 0x06])).toBe(2);
    await Promise.all([h.close(), h.close()]);
    expect(dev.closes).toBe(1);
  });

  it('loads the native module and enumerates (zero devices is fine in a container)', async () => {
    const hid = await createNodeHidBackend();
    const list = await hid.devicesAsync();
    expect(Array.isArray(list)).toBe(true);
    const clock = new ManualClock();
    const m = new DeviceManager({ hid, clock, timers: clock });
    await m.start();
    // Whatever this machine has plugged in, the states are valid bridge payloads.
    expect(() => DeviceStates.parse(m.states.get())).not.toThrow();
    await m.stop();
  });
});
