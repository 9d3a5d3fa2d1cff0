// The benchmarks' memory probe, shared by the bare anchor (hub-bare.ts), the tsx hub (hub-server.ts)
// and the compiled hub (hub-probe.ts). No imports: preloaded into the hub, it adds nothing to measure.

/**
 * SIGUSR2: collect garbage (needs --expose-gc) and print `mem <rss> <heapUsed> <external> <json>`,
 * the JSON being `extra()` (the hub's counted structures).
 */
export function installMemoryProbe(extra: () => unknown = () => ({})): void {
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    process.stdout.write(`mem ${m.rss} ${m.heapUsed} ${m.external + m.arrayBuffers} ${JSON.stringify(extra())}\n`);
  });
}

/** Size of every Map, Set and array an object holds directly (private fields included). */
export function collections(o: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v instanceof Map || v instanceof Set) out[k] = v.size;
    else if (Array.isArray(v)) out[k] = v.length;
  }
  return out;
}
