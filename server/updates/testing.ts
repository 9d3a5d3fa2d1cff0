// Test helpers: real Ed25519 keys (node:crypto) and signed releases, made the way
// scripts/release.ts makes them (manifest bytes signed as they are, signature detached, base64).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { MANIFEST_SCHEMA, UPDATE_PRODUCT, type ReleaseManifest } from '../../common/update';

/** A release-signing key pair; `publicKey` is in the config format (base64 of the raw 32 bytes). */
export interface TestKeys {
  privateKey: KeyObject;
  publicKey: string;
}

export function makeKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return { privateKey, publicKey: Buffer.from(x, 'base64url').toString('base64') };
}

/** A signed release: manifest text, detached signature and bundle bytes. */
export interface TestRelease {
  version: string;
  manifest: string;
  signature: string;
  bundle: Buffer;
}

/** Signs `manifest` text with `keys` (base64 detached Ed25519 over its UTF-8 bytes). */
export const signText = (keys: TestKeys, text: string) => sign(null, Buffer.from(text, 'utf8'), keys.privateKey).toString('base64');

/** Makes a release whose bundle is `size` random bytes; `edit` changes the manifest before signing. */
export function makeRelease(keys: TestKeys, version: string, opts: { size?: number; edit?: (m: Record<string, unknown>) => void } = {}): TestRelease {
  const bundle = randomBytes(opts.size ?? 4096);
  const m: ReleaseManifest & Record<string, unknown> = {
    schema: MANIFEST_SCHEMA,
    product: UPDATE_PRODUCT,
    version,
    releasedAt: '2026-11-29T09:00:00Z',
    runtime: 'browser-linux-x64',
    bundle: { url: `visioguichet-${version}.tar.gz`, size: bundle.length, sha256: createHash('sha256').update(bundle).digest('hex') },
    notes: 'Québec: accents survive the signature',
  };
  opts.edit?.(m);
  const manifest = `${JSON.stringify(m, null, 2)}\n`;
  return { version, manifest, signature: signText(keys, manifest), bundle };
}
