// The real hub (server/main.ts startHub, config from VG_HUB_CONFIG) for the hub benchmarks, plus one
// bench hook: on SIGUSR2 it collects garbage twice and prints `mem <rss> <heapUsed> <external>` on
// stdout (with the sizes of the dispatcher's maps), so memory is measured on live objects, not on
// garbage not yet collected.
// Run with --expose-gc by test/bench/hub.bench.ts; the bare anchor (hub-bare.ts) has the same hook.
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { startHub } from '../../server/main';
import { collections, installMemoryProbe } from './hub-bare';

let probe: () => unknown = () => ({});
installMemoryProbe(() => probe());
const hub = await startHub();
probe = () => ({ dispatcher: collections(hub.dispatcher) });
// SIGUSR1 with VG_BENCH_HEAP_DIR set: a heap snapshot there (soak: what grows between two of them).
const heapDir = process.env.VG_BENCH_HEAP_DIR;
if (heapDir) process.on('SIGUSR1', () => process.stdout.write(`heap ${writeHeapSnapshot(join(heapDir, `hub-${Date.now()}.heapsnapshot`))}\n`));
process.stdout.write(`hub listening on ${hub.url}\n`);
process.on('SIGTERM', () => void hub.close().then(() => process.exit(0)));
