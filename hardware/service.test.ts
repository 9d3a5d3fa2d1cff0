// The hardware bridge section end to end on twins: a whole visit through setPhase, technician
// simulation controls through the validated bridge dispatch, events pushed to the renderer, health.
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeHandlers } from '../common/bridge/contract';
import { dispatchBridgeCall } from '../common/bridge/dispatch';
import { defaultSchedule } from '../common/config';
import { DeviceManager } from './manager';
import { ScreenScheduler } from './screen/scheduler';
import { SimScreen } from './screen/screen';
import { createHardwareService } from './service';
import { ManualClock } from './sim/clock';
import { createSimulatedBooth } from './sim/twins';

let stop: (() => Promise<void>) | null = null;
afterEach(async () => {
  await stop?.();
  stop = null;
});

async function setup(simulation = true) {
  const clock = new ManualClock(); // Monday 10:00 Montréal, open
  const booth = createSimulatedBooth();
  const manager = new DeviceManager({ hid: booth.hid, clock, timers: clock });
  const screen = new SimScreen();
  const scheduler = new ScreenScheduler({ screen, schedule: defaultSchedule, clock, timers: clock });
  const events: Array<[string, unknown[]]> = [];
  const service = createHardwareService({
    manager, scheduler, screen, booth: simulation ? booth : null, clock, timers: clock, required: ['statusLight'],
    emit: (event, ...payload) => void events.push([event, payload]),
  });
  await manager.start();
  await scheduler.start();
  stop = async () => {
    service.dispose();
    scheduler.stop();
    await manager.stop();
  };
  // Unimplemented channels are irrelevant here; only the hardware section is dispatched.
  const handlers = service.handlers as unknown as BridgeHandlers;
  const call = (channel: string, ...args: unknown[]) => dispatchBridgeCall(handlers, channel, args);
  return { clock, booth, manager, service, events, call, screen };
}

describe('hardware service', () => {
  it('status light colours and handset LED through a whole visit', async () => {
    const { booth, service } = await setup();
    const seen: unknown[] = [];
    for (const phase of ['attract', 'visit', 'call', 'attract', 'out_of_service', 'closed'] as const) {
      await service.setPhase(phase);
      seen.push([phase, booth.statusLight.color, booth.handset.leds.offHook]);
    }
    expect(seen).toEqual([
      ['attract', { r: 0, g: 255, b: 0, blink: false }, false],
      ['visit', { r: 255, g: 0, b: 0, blink: false }, false],
      ['call', { r: 255, g: 0, b: 0, blink: false }, true],
      ['attract', { r: 0, g: 255, b: 0, blink: false }, false],
      ['out_of_service', { r: 255, g: 120, b: 0, blink: true }, false],
      ['closed', null, false],
    ]);
  });

  it('technician controls drive the twins and the renderer receives typed events', async () => {
    const { call, clock, events } = await setup();
    expect((await call('hardware.sim.control', { action: 'press' })).ok).toBe(true);
    await call('hardware.sim.control', { action: 'scan', code: 'RDV-1234' });
    await call('hardware.sim.control', { action: 'lift' });
    await clock.advance(300);
    expect(events.filter(([e]) => e === 'hardware.input').map(([, p]) => p[0])).toEqual([
      { type: 'code.scanned', code: 'RDV-1234', symbology: ']Q1' },
      { type: 'handset.lifted' },
      { type: 'callButton.pressed' },
    ]);
    await call('hardware.sim.control', { action: 'disconnect', device: 'statusLight' });
    await clock.advance(1000);
    expect(events.filter(([e]) => e === 'hardware.state').map(([, p]) => p)).toContainEqual(['statusLight', { status: 'absent' }]);
    const snap = await call('hardware.sim.snapshot');
    expect(snap.ok && (snap.value as { connected: Record<string, boolean> }).connected.statusLight).toBe(false);
  });

  it('rejects bad control arguments and refuses sim controls on a real kiosk', async () => {
    const sim = await setup();
    expect((await sim.call('hardware.sim.control', { action: 'scan', code: '' })).ok).toBe(false);
    await stop?.();
    const real = await setup(false);
    expect(await real.call('hardware.sim.control', { action: 'press' })).toMatchObject({ ok: false, error: { code: 'not_simulated' } });
  });

  it('health: failures, required absent devices and camera verdicts become problem codes', async () => {
    const { booth, clock, service, call } = await setup();
    expect(service.health()).toMatchObject({ ok: true, problems: [] });
    booth.statusLight.disconnect();
    await clock.advance(1000);
    await call('hardware.cameraHealth', { verdict: 'black', meanLuma: 3, variance: 1, meanDiff: 0, frames: 8, deviceLabel: 'Logitech BRIO' });
    const h = service.health();
    expect(h.ok).toBe(false);
    expect(h.problems).toEqual(['statusLight:device_not_found', 'camera:black']);
    await clock.advance(60_000); // the renderer stopped reporting: stale camera report
    expect(service.health().problems).toContain('camera:no_frames');
  });

  it('a touch outside hours wakes the screen through the bridge', async () => {
    const { call, clock, screen } = await setup();
    await clock.advanceTo(Date.UTC(2026, 0, 5, 23, 0)); // 18:00, closed
    expect(screen.on).toBe(false);
    expect((await call('hardware.wake')).ok).toBe(true);
    expect(screen.on).toBe(true);
    expect((await call('hardware.screen')).ok).toBe(true);
  }, 120_000); // eight simulated hours of 1 s device polls: 6 s on a quiet machine, longer under load

  it('exercise cycles the light and restores the phase colour', async () => {
    const { booth, service, call, clock } = await setup();
    await service.setPhase('visit');
    const done = call('hardware.exercise', 'statusLight');
    await clock.advance(3000);
    expect((await done).ok).toBe(true);
    expect(booth.statusLight.device.writes.length).toBeGreaterThanOrEqual(4);
    expect(booth.statusLight.color).toEqual({ r: 255, g: 0, b: 0, blink: false });
  });
});
