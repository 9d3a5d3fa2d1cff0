// A hub restart brings the whole fleet back at once: thousands of booth key proofs (an Ed25519 verify
// and a SQLite read each) arrive within seconds. Run as they come, a poll phase of the event loop
// holds them all, and an agent's login waits behind every one at each of its steps (HTTP, scrypt's
// completion, token, WebSocket). Here they wait in one queue and run in short slices, with a turn of
// the event loop (setImmediate: pending I/O first) between two slices.

/** Runs synchronous jobs in order, at most `sliceMs` of them at a time between two turns of the event loop. */
export class SlicedQueue {
  private jobs: ((() => void) | undefined)[] = [];
  private head = 0;
  private scheduled = false;

  /** `now`: a monotonic clock in ms (tests pass their own). */
  constructor(
    private readonly sliceMs = 5,
    private readonly now: () => number = () => performance.now(),
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
    const end = this.now() + this.sliceMs;
    // At least one job per slice, so a slow job cannot stall the queue.
    do {
      const job = this.jobs[this.head];
      this.jobs[this.head++] = undefined;
      job?.();
    } while (this.head < this.jobs.length && this.now() < end);
    if (this.head >= this.jobs.length) {
      this.jobs = [];
      this.head = 0;
      return;
    }
    // Drop the run part of a long queue now and then (shift() per job would be O(n) each).
    if (this.head > 1024 && this.head * 2 > this.jobs.length) {
      this.jobs = this.jobs.slice(this.head);
      this.head = 0;
    }
    this.scheduled = true;
    setImmediate(this.drain);
  };
}
