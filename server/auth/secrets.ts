import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// scrypt (memory-hard) for human passwords and kiosk secrets alike; parameters travel with the hash
// so they can be raised later without invalidating stored accounts.
const DEFAULT_PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LEN = 32;

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a secret as `scrypt$N$r$p$salt$hash` (base64url parts), salted with 16 random bytes. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p } = DEFAULT_PARAMS;
  const key = await scryptAsync(secret, salt, KEY_LEN, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a secret against a stored hash in constant time; malformed hashes simply fail. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (expected.length === 0) return false;
  const key = await scryptAsync(secret, salt, expected.length, { N, r, p, maxmem: 256 * 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

// A valid hash of a random value: verifying an unknown username against it costs the same time as
// a real check, so response time does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;
/** Burns one scrypt verification (for unknown accounts). */
export async function burnVerification(secret: string): Promise<void> {
  dummyHash ??= hashSecret(randomBytes(16).toString('hex'));
  await verifySecret(secret, await dummyHash);
}

/** A random credential: 24 bytes base64url (32 chars) — well above the kiosk.auth minimum of 16. */
export function generateSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A password an agent can type: 16 chars from an unambiguous alphabet (≈ 80 bits). */
export function generatePassword(length = 16): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  let out = '';
  // 256 % 55 bias is negligible for a one-time demo/initial password; readability matters more.
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
