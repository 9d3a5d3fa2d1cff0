// Ed25519 verification of release manifests at the hub. The hub holds public keys only: it checks
// what release engineering signed and relays it untouched; it never signs.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { ReleaseManifest } from '../../common/update';
import { ReleaseError } from './errors';

/** A configured release-signing public key. */
export interface UpdateKey {
  /** First 16 hex digits of the SHA-256 of the raw 32-byte key (shown in logs and the audit trail). */
  id: string;
  key: KeyObject;
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Parses one configured key: base64 of the raw 32 bytes, or a PEM SPKI block. Throws ReleaseError('no_update_keys') on junk. */
export function parseUpdateKey(text: string): UpdateKey {
  const t = text.trim();
  let key: KeyObject;
  try {
    if (t.includes('-----BEGIN')) key = createPublicKey(t);
    else {
      const raw = Buffer.from(t, 'base64');
      if (raw.length !== 32 || !/^[A-Za-z0-9+/=_-]+$/.test(t)) throw new Error('not 32 bytes of base64');
      key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    }
  } catch (err) {
    throw new ReleaseError('no_update_keys', `update key is neither base64 of a raw Ed25519 key nor a PEM public key: ${(err as Error).message}`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ReleaseError('no_update_keys', `update key is ${key.asymmetricKeyType ?? 'unknown'}, expected ed25519`);
  const raw = key.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI_PREFIX.length);
  return { id: createHash('sha256').update(raw).digest('hex').slice(0, 16), key };
}

/** A manifest whose signature checked out, parsed. */
export interface VerifiedManifest {
  /** The exact text that was signed (stored and relayed as is). */
  text: string;
  /** The base64 signature, trimmed. */
  signature: string;
  manifest: ReleaseManifest;
  /** Which configured key verified it. */
  keyId: string;
}

/**
 * Verifies the detached signature over the exact manifest bytes with any configured key, THEN
 * parses the manifest. Refuses with ReleaseError: no keys configured, signature missing / not
 * base64 / matching no key (`signature_invalid`), or a signed manifest that is not a valid
 * visioguichet release (`manifest_invalid`).
 */
export function verifyManifest(manifestBytes: Buffer | string, signatureB64: string, keys: readonly UpdateKey[]): VerifiedManifest {
  if (keys.length === 0) throw new ReleaseError('no_update_keys', 'no release-signing public key is configured (updateKeys): the hub refuses every release');
  const bytes = typeof manifestBytes === 'string' ? Buffer.from(manifestBytes, 'utf8') : manifestBytes;
  const sigText = signatureB64.trim();
  const sig = Buffer.from(sigText, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(sigText) || sig.length !== 64) throw new ReleaseError('signature_invalid', 'signature is missing or not base64 of a 64-byte Ed25519 signature');
  const good = keys.find((k) => verify(null, bytes, k.key, sig));
  if (!good) throw new ReleaseError('signature_invalid', `manifest signature matches none of the ${keys.length} configured update key(s): unsigned, tampered or signed with another key`);
  let text: string;
  let json: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    json = JSON.parse(text);
  } catch (err) {
    throw new ReleaseError('manifest_invalid', `signed manifest is not UTF-8 JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = ReleaseManifest.safeParse(json);
  if (!parsed.success) throw new ReleaseError('manifest_invalid', `signed manifest is not a valid release manifest: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return { text, signature: sigText, manifest: parsed.data, keyId: good.id };
}
