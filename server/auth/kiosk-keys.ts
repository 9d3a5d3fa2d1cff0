// Booth credentials at the hub. The production credential is an Ed25519 key pair made on the booth:
// the hub stores the public key and the booth proves possession at each connection by signing a
// one-time nonce (common/protocol.ts `kioskAuthMessage`). A check is one signature verification
// (~0.1 ms), so a fleet reconnecting after a hub restart costs seconds of CPU, not minutes of scrypt.
import { createHash, createPublicKey, timingSafeEqual, verify as verifySignature, type KeyObject } from 'node:crypto';
import { HubError } from '../errors';

/** A public key given to the hub is not an Ed25519 key (PEM SPKI or base64 of the raw 32 bytes). */
export class KioskKeyError extends HubError {
  constructor(message: string) {
    super('invalid_message', message);
  }
}

// SPKI DER prefix of an Ed25519 public key (RFC 8410): a raw 32-byte key becomes DER by prepending it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Parses an Ed25519 public key (SPKI PEM, or base64/base64url of the raw 32 bytes); throws KioskKeyError. */
export function parseKioskPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) key = createPublicKey(trimmed);
    else {
      const raw = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
      if (raw.length !== 32) throw new Error(`${raw.length} bytes`);
      key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    }
  } catch (err) {
    throw new KioskKeyError(`not a public key (PEM, or base64 of 32 raw bytes): ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new KioskKeyError(`the booth key must be Ed25519, not ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/** The normalised form the hub stores: SPKI PEM. */
export function kioskPublicKeyPem(text: string): string {
  return parseKioskPublicKey(text).export({ type: 'spki', format: 'pem' }).toString();
}

/** Short fingerprint a technician can compare with the booth's screen or log (SHA-256 of the SPKI DER, 16 hex). */
export function kioskKeyFingerprint(pem: string): string {
  const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/**
 * Parsed public keys by kiosk, so a reconnect costs a verify and not a PEM parse (which costs as much
 * again). Keyed on the PEM text too: re-registering a booth's key takes effect at its next connection.
 */
export class PublicKeyCache {
  private readonly keys = new Map<string, { pem: string; key: KeyObject }>();

  constructor(private readonly maxEntries = 100_000) {}

  /** The parsed key, or undefined when `pem` no longer parses (the caller refuses the proof). */
  get(kioskId: string, pem: string): KeyObject | undefined {
    const hit = this.keys.get(kioskId);
    if (hit && hit.pem === pem) return hit.key;
    let key: KeyObject;
    try {
      key = parseKioskPublicKey(pem);
    } catch {
      return undefined;
    }
    if (this.keys.size >= this.maxEntries) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(kioskId, { pem, key });
    return key;
  }

  /** Number of cached keys (tests). */
  get size(): number {
    return this.keys.size;
  }
}

/** True when `signature` (base64url) is `key`'s Ed25519 signature of `message`. Never throws. */
export function verifyKioskProof(key: KeyObject, message: string, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64url');
  if (sig.length !== 64) return false;
  try {
    return verifySignature(null, Buffer.from(message, 'utf8'), key, sig);
  } catch {
    return false;
  }
}

/** SHA-256 of a generated kiosk secret (the memo written after its first scrypt check). */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison of a secret against a stored digest (base64url). */
export function digestMatches(secret: string, storedDigest: string): boolean {
  const expected = Buffer.from(storedDigest, 'base64url');
  const got = secretDigest(secret);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/**
 * At most `concurrency` jobs at once and `maxQueued` waiting; beyond that `run` rejects at once with
 * `rate_limited`, so a flood of development-secret logins (scrypt, ~50 ms of a libuv thread each)
 * cannot starve the pool that key-pair booths and agent logins also need.
 */
export class WorkLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  /** Runs `job` when a slot is free; rejects with HubError('rate_limited') when the queue is full. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) throw new HubError('rate_limited', 'too many authentications in progress; retry later');
      // The finishing job hands its slot over (active stays counted), so no newcomer slips in between.
      await new Promise<void>((go) => this.waiting.push(go));
    } else this.active++;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Jobs running and waiting (tests, health). */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}
