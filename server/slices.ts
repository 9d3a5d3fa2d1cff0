// A hub restart brings the whole fleet back at once: thousands of booth key proofs (an Ed25519 verify
// and a SQLite read each) arrive within seconds. Run as they come, a poll phase of the event loop
// holds them all, and an agent's login waits behind every one at each of its steps (HTTP, scrypt's
// completion, token, WebSocket). Here they wait in one queue and run in slices, with a turn of the
// event loop (setImmediate: pending I/O first) between two slices. A slice lasts at least `sliceMs`
// and at least as long as the I/O handled since the previous one (capped): jobs get half the loop
// when I/O is heavy. A fixed 5 ms slice starved them at 10,000 booths: each turn's I/O (upgrades,
// hellos) took seconds, proofs waited past the booths' 10 s welcome timeout, and none got online.

/** Runs synchronous jobs in order, in slices between two turns of the event loop (see above). */
export class SlicedQueue {
  private jobs: ((() => void) | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  /** When the previous slice ended (NaN: no slice since the queue was last empty). */
  private lastEnd = Number.NaN;

  /** `now`: a monotonic clock in ms (tests pass their own). */
  constructor(
    private readonly sliceMs = 5,
    private readonly now: () => number = () => performance.now(),
    /** Longest slice (ms): the most an agent's next step may wait behind jobs. */
    private readonly maxSliceMs = 250,
  ) {}

  /** Jobs waiting for their turn. */
  get pending(): number {
    return this.jobs.length - this.head;
  }

  /** Runs `job` at its turn; resolves with its result (rejects with what it threw). */
  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push(() => {
        try {
          resolve(job());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.drain);
      }
    });
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    const start = this.now();
    // The event loop's time since the previous slice is what I/O took: match it (within bounds).
    const gap = Number.isNaN(this.lastEnd) ? 0 : start - this.lastEnd;
    const end = start + Math.min(this.maxSliceMs, Math.max(this.sliceMs, gap));
    // At least one job per slice, so a slow job cannot stall the queue.
    do {
      const job = this.jobs[this.head];
      this.jobs[this.head++] = undefined;
      job?.();
    } while (this.head < this.jobs.length && this.now() < end);
    if (this.head >= this.jobs.length) {
      this.jobs = [];
      this.head = 0;
      this.lastEnd = Number.NaN;
      return;
    }
    this.lastEnd = this.now();
    // Drop the run part of a long queue now and then (shift() per job would be O(n) each).
    if (this.head > 1024 && this.head * 2 > this.jobs.length) {
      this.jobs = this.jobs.slice(this.head);
      this.head = 0;
    }
    this.scheduled = true;
    setImmediate(this.drain);
  };
}
