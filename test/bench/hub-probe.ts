// Preloaded into the compiled hub by the hub benchmark (`node --expose-gc --import <built probe>
// dist/hub/main.mjs`): the same SIGUSR2 memory probe the bare anchor has (test/bench/hub-bare.ts), so
// the hub measured is the very bundle its systemd unit runs, with nothing of the bench inside it.
// With VG_BENCH_PROF_DIR set (`./vg bench hub N --prof`), a CPU profile runs from the start and is
// written there at each SIGUSR2 (then starts again): where a cold accept or a storm spends its time.
// Both are opt-in, and never in the figures of a plain run.
import { installMemoryProbe } from './memory-probe';

installMemoryProbe();

// With VG_BENCH_HEAP_DIR set (`--heap`), SIGUSR1 writes a heap snapshot there and prints `heap <file>`.
const heapDir = process.env.VG_BENCH_HEAP_DIR;
if (heapDir) {
  const [{ writeHeapSnapshot }, { join }] = await Promise.all([import('node:v8'), import('node:path')]);
  process.on('SIGUSR1', () => process.stdout.write(`heap ${writeHeapSnapshot(join(heapDir, `hub-${process.pid}-${Date.now()}.heapsnapshot`))}\n`));
}

const profDir = process.env.VG_BENCH_PROF_DIR;
if (profDir) {
  const [{ Session }, { writeFileSync }, { join }] = await Promise.all([import('node:inspector'), import('node:fs'), import('node:path')]);
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.on('SIGUSR2', () => {
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(join(profDir, `hub-${process.pid}-${Date.now()}.cpuprofile`), JSON.stringify(res.profile));
      session.post('Profiler.start');
    });
  });
}
