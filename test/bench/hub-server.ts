// The real hub (server/main.ts startHub, config from VG_HUB_CONFIG) for the hub benchmarks, plus one
// bench hook: on SIGUSR2 it collects garbage twice and prints `mem <rss> <heapUsed> <external>` on
// stdout, so memory per connection is measured on live objects, not on garbage not yet collected.
// Run with --expose-gc by test/bench/hub.bench.ts; the bare anchor (hub-bare.ts) has the same hook.
import { startHub } from '../../server/main';
import { installMemoryProbe } from './hub-bare';

installMemoryProbe();
const hub = await startHub();
process.stdout.write(`hub listening on ${hub.url}\n`);
process.on('SIGTERM', () => void hub.close().then(() => process.exit(0)));
