import { describe, expect, it } from 'vitest';
import { SlicedQueue } from './slices';

describe('SlicedQueue', () => {
  it('runs jobs in order, a slice at a time, letting the event loop turn between slices', async () => {
    let t = 0;
    const q = new SlicedQueue(4, () => t);
    const order: string[] = [];
    const results = Array.from({ length: 6 }, (_, i) =>
      q.run(() => {
        order.push(`job${i}`);
        t += 2; // each job "takes" 2 ms: two fit in a 4 ms slice
        return i * 10;
      }),
    );
    // Queued after the first slice was scheduled: it must run between the first and second slices.
    setImmediate(() => order.push('other work'));
    expect(q.pending).toBe(6);
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(order).toEqual(['job0', 'job1', 'other work', 'job2', 'job3', 'job4', 'job5']);
    expect(q.pending).toBe(0);
  });

  it('gives jobs as long a slice as the I/O took since the previous one (half the loop), within its cap', async () => {
    let t = 0;
    const q = new SlicedQueue(4, () => t, 30);
    const perSlice: number[] = [];
    let inSlice = 0;
    const jobs = Array.from({ length: 40 }, () =>
      q.run(() => {
        inSlice++;
        t += 2;
      }),
    );
    // Between slices, "I/O" takes 20 ms, then 100 ms (the cap, 30 ms, applies).
    const io = [20, 100];
    const tick = () => {
      perSlice.push(inSlice);
      inSlice = 0;
      t += io.shift() ?? 0;
      if (q.pending > 0) setImmediate(tick);
    };
    setImmediate(tick);
    await Promise.all(jobs);
    perSlice.push(inSlice);
    // 4 ms first (2 jobs), then the 20 ms of I/O (10 jobs), then the 30 ms cap (15 jobs), then the base 4 ms again.
    expect(perSlice.slice(0, 3)).toEqual([2, 10, 15]);
    expect(perSlice.reduce((a, b) => a + b, 0)).toBe(40);
  });

  it('runs at least one job per slice (a slow one cannot stall the queue) and passes a throw to its caller only', async () => {
    let t = 0;
    const q = new SlicedQueue(1, () => t);
    const slow = q.run(() => {
      t += 50;
      throw new Error('bad proof');
    });
    const next = q.run(() => 'still served');
    await expect(slow).rejects.toThrow('bad proof');
    expect(await next).toBe('still served');
  });

  it('keeps order across a long queue (its consumed head is dropped on the way)', async () => {
    let t = 0;
    const q = new SlicedQueue(1, () => t);
    const seen: number[] = [];
    const all = Array.from({ length: 5000 }, (_, i) =>
      q.run(() => {
        seen.push(i);
        if (i % 100 === 0) t += 1;
      }),
    );
    await Promise.all(all);
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});
