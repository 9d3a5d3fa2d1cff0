// Preloaded into the compiled hub by the hub benchmark (`node --expose-gc --import <built probe>
// dist/hub/main.mjs`): the same SIGUSR2 memory probe the bare anchor has (test/bench/hub-bare.ts), so
// the hub measured is the very bundle its systemd unit runs, with nothing of the bench inside it.
import { installMemoryProbe } from './memory-probe';

installMemoryProbe();
