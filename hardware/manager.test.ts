// Integration tests: DeviceManager + drivers + parsers on simulated twins (raw-report level).
import { afterEach, describe, expect, it } from 'vitest';
import type { HardwareInput } from '../common/bridge/hardware';
import { DeviceManager } from './manager';
import { ManualClock, flush } from './sim/clock';
import { createSimulatedBooth, HandsetTwin, type SimulatedBooth } from './sim/twins';
import { builtinProfiles, profileById } from './profiles';
import type { HandsetProfile } from './profiles/schema';

let manager: DeviceManager | null = null;
afterEach(async () => {
  await manager?.stop();
  manager = null;
});

async function setup(booth: SimulatedBooth = createSimulatedBooth()) {
  const clock = new ManualClock();
  const m = new DeviceManager({ hid: booth.hid, clock, timers: clock, pollIntervalMs: 1000, backoff: { initialMs: 500, maxMs: 8000 } });
  manager = m;
  const inputs: HardwareInput[] = [];
  m.on('input', (ev) => inputs.push(ev));
  await m.start();
  await clock.advance(0);
  return { booth, clock, m, inputs };
}

describe('DeviceManager with simulated twins', () => {
  it('finds and opens one device of each kind', async () => {
    const { m } = await setup();
    const s = m.states.get();
    expect(Object.values(s).map((x) => x.status)).toEqual(['connected', 'connected', 'connected', 'connected', 'connected']);
    expect(s.scanner.status === 'connected' && s.scanner.profileId).toBe('honeywell-hid-pos-scanner');
  });

  it('sends the scanner its HID POS init feature report on open', async () => {
    const { booth } = await setup();
    expect(booth.scanner.device.featureReports).toEqual([[0xfe, 0x01]]);
  });

  it('handset lift and hang-up become typed events; mute toggles and drives the mute LED', async () => {
    const { booth, inputs, clock, m } = await setup();
    booth.handset.lift();
    await clock.advance(0);
    expect(m.handset.offHook).toBe(true);
    booth.handset.pressMute();
    await clock.advance(0);
    booth.handset.hangUp();
    await clock.advance(0);
    expect(inputs).toEqual([{ type: 'handset.lifted' }, { type: 'handset.muteChanged', muted: true }, { type: 'handset.hungUp' }]);
    expect(booth.handset.leds.mute).toBe(true);
    await m.handset.setLeds({ offHook: true, ring: false });
    expect(booth.handset.lastWrite).toEqual([0x02, 0x03]);
  });

  it('the HP handset profile works through the same path', async () => {
    const booth = createSimulatedBooth({ profiles: { handset: 'hp-internet-handset' } });
    const { inputs, clock } = await setup(booth);
    booth.handset.lift();
    booth.handset.hangUp();
    await clock.advance(0);
    expect(inputs).toEqual([{ type: 'handset.lifted' }, { type: 'handset.hungUp' }]);
  });

  it('the polled call button gives exactly one pressed event per press', async () => {
    const { booth, inputs, clock, m } = await setup();
    booth.callButton.press();
    await clock.advance(500); // 5 polls
    expect(inputs).toEqual([{ type: 'callButton.pressed' }]);
    expect(m.callButton.isPressed).toBe(false);
    expect(booth.callButton.lastWrite).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 2]);
  });

  it('presence on/off and a scanned code arrive as typed events', async () => {
    const { booth, inputs, clock } = await setup();
    booth.presence.setPresent(true);
    booth.scanner.scan('RDV-7Q4K-2026');
    booth.presence.setPresent(false);
    await clock.advance(0);
    expect(inputs).toEqual([
      { type: 'presence.changed', present: true },
      { type: 'code.scanned', code: 'RDV-7Q4K-2026', symbology: ']Q1' },
      { type: 'presence.changed', present: false },
    ]);
  });

  it('status light shows free / busy / out of service through a visit', async () => {
    const { booth, m } = await setup();
    const seen: unknown[] = [];
    for (const status of ['free', 'busy', 'free', 'outOfService', 'off'] as const) {
      await m.statusLight.show(status);
      seen.push(booth.statusLight.color);
    }
    expect(seen).toEqual([
      { r: 0, g: 255, b: 0, blink: false },
      { r: 255, g: 0, b: 0, blink: false },
      { r: 0, g: 255, b: 0, blink: false },
      { r: 255, g: 120, b: 0, blink: true },
      null,
    ]);
  });

  it.each(['handset', 'callButton', 'statusLight', 'presence', 'scanner'] as const)('unplug/replug of the %s mid-visit recovers without restart', async (kind) => {
    const { booth, m, clock, inputs } = await setup();
    await m.statusLight.show('busy');
    const states: string[] = [];
    m.on('state', (k, s) => k === kind && states.push(s.status));
    booth[kind].disconnect();
    await clock.advance(1000);
    expect(m.states.get()[kind].status).toBe('absent');
    booth[kind].connect();
    await clock.advance(1000);
    expect(m.states.get()[kind].status).toBe('connected');
    expect(states[0]).toBe('failed'); // the read error is seen before enumeration loses the device
    expect(states.slice(-2)).toEqual(['absent', 'connected']);
    expect(m.health()[kind].reopenCount).toBe(1);
    // The device works again after replug, through the same facades and event stream.
    inputs.length = 0;
    switch (kind) {
      case 'handset': booth.handset.lift(); break;
      case 'callButton': booth.callButton.press(); break;
      case 'presence': booth.presence.setPresent(true); break;
      case 'scanner': booth.scanner.scan('ABC'); break;
      case 'statusLight': break;
    }
    await clock.advance(300);
    if (kind === 'statusLight') expect(booth.statusLight.color).toEqual({ r: 255, g: 0, b: 0, blink: false }); // re-applied
    else expect(inputs).toHaveLength(1);
  });

  it('an open failure is a named failed state, retried with backoff until it works', async () => {
    const booth = createSimulatedBooth({ connected: false });
    booth.presence.failOpen(new Error('EACCES'));
    booth.presence.connect();
    const { m, clock } = await setup(booth);
    const st = m.states.get().presence;
    expect(st.status).toBe('failed');
    if (st.status !== 'failed') return;
    expect(st.reason.code).toBe('device_open_failed');
    expect(st.reason.message).toMatch(/udev/);
    expect(st.retryAt - clock.now()).toBe(500);
    await clock.advance(500);
    const again = m.states.get().presence;
    expect(again.status === 'failed' && again.attempts).toBe(2);
    expect(again.status === 'failed' && again.retryAt - clock.now()).toBe(1000);
    booth.presence.failOpen(null);
    await clock.advance(1000);
    expect(m.states.get().presence.status).toBe('connected');
  });

  it('a malformed report is counted in health and the device stays connected', async () => {
    const { booth, m, clock, inputs } = await setup();
    const malformed: string[] = [];
    m.on('malformed', (kind) => malformed.push(kind));
    booth.scanner.emitRaw([0x02, 5]);
    booth.handset.emitRaw([0x01]);
    await clock.advance(0);
    expect(malformed).toEqual(['scanner', 'handset']);
    expect(m.health().scanner.malformedReports).toBe(1);
    expect(m.health().scanner.lastMalformed).toMatch(/report is 2 bytes/);
    booth.scanner.scan('OK');
    await clock.advance(0);
    expect(inputs).toEqual([{ type: 'code.scanned', code: 'OK', symbology: ']Q1' }]);
    expect(m.states.get().scanner.status).toBe('connected');
  });

  it('a write failure moves the light to failed with a reason, then it is reopened and the colour restored', async () => {
    const { booth, m, clock } = await setup();
    booth.statusLight.failWrites(1);
    await expect(m.statusLight.show('busy')).rejects.toMatchObject({ code: 'write_failed' });
    const st = m.states.get().statusLight;
    expect(st.status === 'failed' && st.reason.code).toBe('write_failed');
    await clock.advance(500);
    expect(m.states.get().statusLight.status).toBe('connected');
    expect(booth.statusLight.color).toEqual({ r: 255, g: 0, b: 0, blink: false });
  });

  it('commands while a device is absent resolve and are applied when it arrives', async () => {
    const booth = createSimulatedBooth({ connected: false });
    const { m, clock } = await setup(booth);
    await m.statusLight.show('free');
    await m.handset.setLeds({ ring: true });
    booth.statusLight.connect();
    booth.handset.connect();
    await clock.advance(1000);
    expect(booth.statusLight.color).toEqual({ r: 0, g: 255, b: 0, blink: false });
    expect(booth.handset.leds.ring).toBe(true);
  });

  it('a throwing listener does not break the others', async () => {
    const { booth, m, clock, inputs } = await setup();
    m.on('input', () => {
      throw new Error('listener bug');
    });
    booth.presence.setPresent(true);
    await clock.advance(0);
    expect(inputs).toHaveLength(1);
  });

  it('polling interval is bounded (never below 100 ms) and stop() cancels it', async () => {
    const booth = createSimulatedBooth();
    const clock = new ManualClock();
    const m = new DeviceManager({ hid: booth.hid, clock, timers: clock, pollIntervalMs: 1 });
    manager = m;
    await m.start();
    const before = booth.hid.enumerations;
    await clock.advance(1000);
    expect(booth.hid.enumerations - before).toBeLessThanOrEqual(10);
    await m.stop();
    const after = booth.hid.enumerations;
    await clock.advance(5000);
    expect(booth.hid.enumerations).toBe(after);
    expect(Object.values(m.states.get()).every((s) => s.status === 'absent')).toBe(true);
    manager = null;
  });

  it('facade listeners survive replug', async () => {
    const { booth, m, clock } = await setup();
    const lifts: number[] = [];
    m.handset.on('lifted', () => lifts.push(1));
    booth.handset.disconnect();
    await clock.advance(1000);
    booth.handset.connect();
    await clock.advance(1000);
    booth.handset.lift();
    await clock.advance(0);
    expect(lifts).toHaveLength(1);
  });
});

describe('twins', () => {
  it('a disconnected twin says what to do', async () => {
    const booth = createSimulatedBooth({ connected: false });
    expect(() => booth.handset.lift()).toThrow(/call connect\(\)/);
  });

  it('open() gives the capability interface without a manager', async () => {
    const booth = createSimulatedBooth();
    const twin = new HandsetTwin(booth.hid, profileById(builtinProfiles, 'hp-internet-handset') as HandsetProfile);
    twin.connect();
    const handset = await twin.open();
    const events: string[] = [];
    handset.on('lifted', () => events.push('lifted'));
    twin.lift();
    await flush();
    expect(events).toEqual(['lifted']);
    await handset.close();
    twin.hangUp();
    await flush();
    expect(events).toEqual(['lifted']); // nothing after close
  });
});

describe('keep-alive lights', () => {
  it('re-sends the last command every keepAliveMs (lights that fall back to off without a heartbeat)', async () => {
    const { StatusLightTwin } = await import('./sim/twins');
    const base = profileById(builtinProfiles, 'luxafor-flag');
    const profile = { ...base, id: 'keepalive-light', keepAliveMs: 10_000 } as typeof base;
    const booth = createSimulatedBooth({ connected: false });
    const twin = new StatusLightTwin(booth.hid, profile as never);
    twin.connect();
    const clock = new ManualClock();
    const m = new DeviceManager({ hid: booth.hid, clock, timers: clock, profiles: [profile], kinds: ['statusLight'] });
    manager = m;
    await m.start();
    await m.statusLight.show('busy');
    const n = twin.device.writes.length;
    await clock.advance(30_000);
    expect(twin.device.writes.length - n).toBe(3);
    expect(twin.color).toEqual({ r: 255, g: 0, b: 0, blink: false });
  });
});

describe('unknown devices', () => {
  it('lists peripheral-looking HID interfaces that no profile matches', async () => {
    const booth = createSimulatedBooth({ connected: false });
    const { SimHidBackend } = await import('./sim/hid-sim');
    booth.hid.plug(SimHidBackend.device({ vendorId: 0x05e0, productId: 0x1200, interface: 0, usagePage: 0x8c, usage: 0x02, product: 'Zebra DS2208' }));
    booth.hid.plug(SimHidBackend.device({ vendorId: 0x046d, productId: 0xc52b, interface: 2, usagePage: 0x0c, usage: 0x01 }));
    const clock = new ManualClock();
    const m = new DeviceManager({ hid: booth.hid, clock, timers: clock });
    manager = m;
    await m.start();
    expect(m.unknownDevices().map((d) => d.product)).toEqual(['Zebra DS2208']);
  });
});
