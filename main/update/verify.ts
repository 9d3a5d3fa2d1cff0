import type { KeyObject } from 'node:crypto';
import { verify } from 'node:crypto';
import { ReleaseManifest } from '../../common/update';
import { UpdateError } from './errors';
import { parsePublicKey } from './keys';

export type VerifyResult = { ok: true; manifest: ReleaseManifest; keyIndex: number } | { ok: false; error: UpdateError };

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks the detached Ed25519 signature over the manifest's exact UTF-8 bytes against each trusted
 * key, and only then parses it. Nothing in the manifest is looked at before the signature holds:
 * an unsigned or tampered manifest never decides what is downloaded.
 */
export function verifyManifest(text: string, signatureB64: string, publicKeys: readonly (string | KeyObject)[]): VerifyResult {
  const fail = (code: 'signature_invalid' | 'manifest_invalid', message: string): VerifyResult => ({ ok: false, error: new UpdateError(code, message) });
  if (publicKeys.length === 0) return fail('signature_invalid', 'no update key configured (updates.keys): refusing every release');
  const sig = signatureB64.trim();
  if (!B64.test(sig)) return fail('signature_invalid', 'signature is missing or not base64');
  const sigBytes = Buffer.from(sig, 'base64');
  if (sigBytes.length !== 64) return fail('signature_invalid', `signature is ${sigBytes.length} bytes, an Ed25519 signature is 64`);
  const bytes = Buffer.from(text, 'utf8');
  let keyIndex = -1;
  const unusable: string[] = [];
  for (let i = 0; i < publicKeys.length && keyIndex < 0; i++) {
    const k = publicKeys[i]!;
    let key: KeyObject;
    try {
      key = typeof k === 'string' ? parsePublicKey(k) : k;
    } catch (err) {
      // A mistyped key in the config must not make every update crash: it just matches nothing.
      unusable.push(`key #${i} unusable: ${(err as Error).message}`);
      continue;
    }
    if (verify(null, bytes, key, sigBytes)) keyIndex = i;
  }
  if (keyIndex < 0) return fail('signature_invalid', `manifest signature does not match any of the ${publicKeys.length} trusted update key(s)${unusable.length ? ` (${unusable.join('; ')})` : ''}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail('manifest_invalid', `signed manifest is not JSON: ${(err as Error).message}`);
  }
  const r = ReleaseManifest.safeParse(json);
  if (!r.success) return fail('manifest_invalid', `signed manifest is invalid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return { ok: true, manifest: r.data, keyIndex };
}
