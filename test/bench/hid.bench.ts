// Hardware benchmark: prints figures, never fails. Run: npx tsx test/bench/hid.bench.ts
//  1. HID input report → typed event latency through the DeviceManager (simulated HID backend),
//     and on to a stand-in XState actor (the session machine is not this layer's).
//  2. Hot-plug: replug → device reopened (detection is bounded by the poll interval).
//  3. CPU of camera frame-health sampling per second of video (process.cpuUsage).
//  4. Cost of one real node-hid enumeration on this machine (to choose the poll interval).
import { performance } from 'node:perf_hooks';
import { createActor, createMachine } from 'xstate';
import { FrameWindow, type FrameLike } from '../../common/frame-health';
import { DeviceManager } from '../../hardware/manager';
import { createSimulatedBooth } from '../../hardware/sim/twins';
import { encodeHandsetInput } from '../../hardware/parsers';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const f = (n: number, d = 1) => n.toFixed(d);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function latency(): Promise<void> {
  const booth = createSimulatedBooth();
  const manager = new DeviceManager({ hid: booth.hid, pollIntervalMs: 1000 });
  await manager.start();
  const machine = createMachine({
    id: 'standin',
    initial: 'waiting',
    states: { waiting: { on: { 'handset.lifted': 'inCall' } }, inCall: { on: { 'handset.hungUp': 'waiting' } } },
  });
  const actor = createActor(machine).start();
  const toEvent: number[] = [];
  const toMachine: number[] = [];
  let t0 = 0;
  manager.on('input', (ev) => {
    const t1 = performance.now();
    toEvent.push((t1 - t0) * 1000);
    actor.send(ev as { type: 'handset.lifted' | 'handset.hungUp' });
    toMachine.push((performance.now() - t0) * 1000);
  });
  const profile = booth.handset.profile;
  const N = 5000;
  for (let i = 0; i < N; i++) {
    const report = encodeHandsetInput(profile, { offHook: i % 2 === 0, mutePressed: false });
    t0 = performance.now();
    booth.handset.device.emitInput(report);
    await new Promise<void>((r) => setImmediate(r));
  }
  await manager.stop();
  actor.stop();
  console.log(`1. HID report → typed event (simulated backend, ${toEvent.length}/${N} reports, µs): p50 ${f(pct(toEvent, 50))}  p95 ${f(pct(toEvent, 95))}  p99 ${f(pct(toEvent, 99))}`);
  console.log(`   … → stand-in XState actor transition (µs):                     p50 ${f(pct(toMachine, 50))}  p95 ${f(pct(toMachine, 95))}  p99 ${f(pct(toMachine, 99))}`);
  console.log('   (includes one microtask hop that stands for node-hid\'s read thread → JS callback; USB polling adds 1-10 ms on real devices)');
}

async function hotplug(pollIntervalMs: number, runs: number): Promise<void> {
  const booth = createSimulatedBooth();
  const manager = new DeviceManager({ hid: booth.hid, pollIntervalMs });
  await manager.start();
  const reopened: number[] = [];
  const lost: number[] = [];
  for (let i = 0; i < runs; i++) {
    const tUnplug = performance.now();
    booth.scanner.disconnect();
    while (manager.states.get().scanner.status === 'connected') await sleep(1);
    lost.push(performance.now() - tUnplug);
    while (manager.states.get().scanner.status !== 'absent') await sleep(1);
    // Replug at a random phase of the poll cycle, as a technician would.
    await sleep(Math.random() * pollIntervalMs);
    const tPlug = performance.now();
    booth.scanner.connect();
    while (manager.states.get().scanner.status !== 'connected') await sleep(1);
    reopened.push(performance.now() - tPlug);
  }
  await manager.stop();
  console.log(
    `2. Hot-plug, poll ${pollIntervalMs} ms, ${runs} runs (ms): unplug→noticed p50 ${f(pct(lost, 50))} max ${f(Math.max(...lost))};  replug→reopened p50 ${f(pct(reopened, 50))} p95 ${f(pct(reopened, 95))} max ${f(Math.max(...reopened))}`,
  );
}

function frameCpu(width: number, height: number, fps: number, seconds: number): void {
  const frames: FrameLike[] = Array.from({ length: 8 }, (_, k) => {
    const data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + k * 13) & 0xff;
    return { data, width, height };
  });
  const w = new FrameWindow(8);
  const before = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < fps * seconds; i++) {
    w.push(frames[i % frames.length]!);
    w.report();
  }
  const used = process.cpuUsage(before);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(
    `3. Frame health ${width}×${height} @ ${fps} samples/s over ${seconds} s of video: ${f(cpuMs / seconds, 3)} ms CPU per video second = ${f((cpuMs / seconds / 1000) * 100, 3)} % of one core (wall ${f(performance.now() - wall)} ms)`,
  );
}

async function realEnumeration(): Promise<void> {
  try {
    const { createNodeHidBackend } = await import('../../hardware/hid/node-hid');
    const hid = await createNodeHidBackend();
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      count = (await hid.devicesAsync()).length;
      times.push(performance.now() - t);
    }
    console.log(`4. node-hid devicesAsync() on this machine: ${count} HID interfaces, p50 ${f(pct(times, 50), 2)} ms, max ${f(Math.max(...times), 2)} ms per enumeration`);
  } catch (err) {
    console.log(`4. node-hid enumeration not measurable here: ${err instanceof Error ? err.message : String(err)}`);
  }
}

await latency();
await hotplug(250, 10);
await hotplug(1000, 5);
frameCpu(64, 36, 5, 600); // what the renderer samples (small canvas, 5 per second)
frameCpu(160, 90, 30, 60); // an upper bound: every frame at 160×90
await realEnumeration();
console.log('Frame CPU excludes the browser\'s drawImage/getImageData of the <video> into the sampling canvas (renderer side).');
