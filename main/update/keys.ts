// Ed25519 keys for signed releases. Public keys travel in the kiosk config (`updates.keys`) as the
// base64 of the raw 32-byte key (what `scripts/release.ts keygen` prints); a PEM/SPKI block is
// accepted too. The private key is a PKCS#8 PEM file that never leaves release engineering.
import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';

/** Parses one configured public key; throws with a message that says which format is expected. */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  if (t.startsWith('-----BEGIN')) {
    const key = createPublicKey(t);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`update key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not Ed25519`);
    return key;
  }
  const raw = Buffer.from(t, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== t) throw new Error('update key must be the base64 of a raw 32-byte Ed25519 public key (or a PEM block)');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** The base64 raw form of a public key (the config format). */
export function publicKeyBase64(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** A new key pair: PKCS#8 PEM private key and base64 raw public key. */
export function generateReleaseKeys(): { privatePem: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: publicKeyBase64(publicKey) };
}

/** Detached Ed25519 signature (base64) over exactly these bytes. */
export function signDetached(privatePem: string, bytes: Uint8Array): string {
  const key = createPrivateKey(privatePem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`signing key is ${key.asymmetricKeyType ?? '?'}, not Ed25519`);
  return sign(null, bytes, key).toString('base64');
}

/** The public half of a private PEM (base64 raw), to print after keygen or check a key file. */
export function publicKeyOfPrivate(privatePem: string): string {
  return publicKeyBase64(createPublicKey(createPrivateKey(privatePem)));
}
