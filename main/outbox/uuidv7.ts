import { randomFillSync } from 'node:crypto';

/** Fills a buffer with random bytes (injected in tests). */
export type RandomFill = (buf: Uint8Array) => void;

/**
 * UUIDv7 generator (RFC 9562): 48-bit Unix ms, then a 12-bit counter in rand_a so ids made in the
 * same millisecond still sort in creation order (method 1), then 62 random bits. If the clock goes
 * backwards we keep the last timestamp, so ids stay monotonic within a process.
 */
export function createUuidV7(clock: () => number = Date.now, fill: RandomFill = randomFillSync): () => string {
  let lastMs = -1;
  let counter = 0;
  const bytes = new Uint8Array(16);
  // Random bytes drawn 4 KiB at a time: one syscall per 256 ids instead of one per id.
  const pool = new Uint8Array(4096);
  let poolAt = pool.length;
  return () => {
    let ms = Math.max(Math.floor(clock()), lastMs);
    if (ms === lastMs) {
      counter++;
      if (counter > 0xfff) {
        ms = lastMs + 1; // counter exhausted: borrow the next millisecond rather than repeat
        counter = 0;
      }
    } else {
      counter = 0;
    }
    lastMs = ms;
    if (poolAt === pool.length) {
      fill(pool);
      poolAt = 0;
    }
    bytes.set(pool.subarray(poolAt, poolAt + 16));
    poolAt += 16;
    // 48-bit big-endian timestamp (split: bitwise ops are 32-bit in JS).
    const hi = Math.floor(ms / 2 ** 32);
    const lo = ms >>> 0;
    bytes[0] = (hi >>> 8) & 0xff;
    bytes[1] = hi & 0xff;
    bytes[2] = (lo >>> 24) & 0xff;
    bytes[3] = (lo >>> 16) & 0xff;
    bytes[4] = (lo >>> 8) & 0xff;
    bytes[5] = lo & 0xff;
    bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    const hex = Buffer.from(bytes).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
