import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/** Fills a buffer with random bytes (injected in tests). */
export type RandomFill = (buf: Uint8Array) => void;

/**
 * UUIDv7 ids (RFC 9562) from the `uuid` package: 48-bit Unix ms, then a sequence seeded randomly each
 * millisecond and incremented within it, so ids sort in creation order and stay monotonic when the
 * clock steps back. With the real clock and randomness this is uuid's own `v7()`; an injected clock
 * or random source (tests, a cloned booth's generator) gets the same sequence rule here, since uuid
 * keeps its state only for its own clock.
 */
export function createUuidV7(clock: () => number = Date.now, fill: RandomFill = randomFillSync): () => string {
  if (clock === Date.now && fill === randomFillSync) return () => v7();
  let msecs = Number.NEGATIVE_INFINITY;
  let seq = 0;
  return () => {
    const random = new Uint8Array(16);
    fill(random);
    const now = Math.floor(clock());
    if (now > msecs) {
      msecs = now;
      seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    } else {
      seq = (seq + 1) | 0;
      if (seq === 0) msecs++; // sequence exhausted: borrow the next millisecond rather than repeat
    }
    return v7({ msecs, seq, random });
  };
}
