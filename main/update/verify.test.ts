import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateReleaseKeys, publicKeyOfPrivate, signDetached } from './keys';
import { verifyManifest } from './verify';

const keys = generateReleaseKeys();
const other = generateReleaseKeys();
const manifest = `${JSON.stringify({
  schema: 1,
  product: 'visioguichet-kiosk',
  version: '1.2.0',
  releasedAt: '2026-11-29T09:00:00Z',
  runtime: 'browser-linux-x64',
  bundle: { url: 'visioguichet-1.2.0.tar.gz', size: 10, sha256: 'b'.repeat(64) },
  notes: 'Québec',
}, null, 2)}\n`;
const sig = signDetached(keys.privatePem, Buffer.from(manifest));

describe('verifyManifest', () => {
  it('accepts the manifest signed by a trusted key (any of several) and returns it parsed', () => {
    const r = verifyManifest(manifest, sig, [other.publicKey, keys.publicKey]);
    expect(r).toMatchObject({ ok: true, keyIndex: 1, manifest: { version: '1.2.0', notes: 'Québec' } });
    expect(publicKeyOfPrivate(keys.privatePem)).toBe(keys.publicKey);
  });

  it('accepts a PEM/SPKI public key too', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const s = signDetached(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), Buffer.from(manifest));
    expect(verifyManifest(manifest, s, [pem]).ok).toBe(true);
  });

  it.each([
    ['unsigned (empty signature)', manifest, ''],
    ['not base64', manifest, '!!!'],
    ['a tampered manifest (one byte of the version)', manifest.replace('1.2.0', '1.2.1'), sig],
    ['a tampered manifest (whitespace only)', manifest.replace('\n}', '}'), sig],
    ['a truncated signature', manifest, sig.slice(0, 40)],
  ])('refuses %s with signature_invalid', (_what, text, signature) => {
    const r = verifyManifest(text, signature, [keys.publicKey]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('signature_invalid');
  });

  it('refuses a signature by a key it does not trust, and everything when no key is configured', () => {
    const byOther = signDetached(other.privatePem, Buffer.from(manifest));
    const r = verifyManifest(manifest, byOther, [keys.publicKey]);
    expect(r.ok || r.error.message).toMatch(/does not match any of the 1 trusted/);
    const none = verifyManifest(manifest, sig, []);
    expect(none.ok || none.error.code).toBe('signature_invalid');
  });

  it('checks the signature before the content: a signed but invalid manifest is manifest_invalid, an unsigned invalid one signature_invalid', () => {
    const bad = manifest.replace('"browser-linux-x64"', '"windows"');
    const signedBad = verifyManifest(bad, signDetached(keys.privatePem, Buffer.from(bad)), [keys.publicKey]);
    expect(signedBad.ok || signedBad.error.code).toBe('manifest_invalid');
    expect(signedBad.ok || signedBad.error.message).toMatch(/runtime/);
    const unsignedBad = verifyManifest('not json', sig, [keys.publicKey]);
    expect(unsignedBad.ok || unsignedBad.error.code).toBe('signature_invalid');
  });

  it('says what a bad configured key should look like', () => {
    const r = verifyManifest(manifest, sig, ['abc']);
    expect(r.ok || `${r.error.code} ${r.error.message}`).toMatch(/^signature_invalid .*key #0 unusable: .*base64 of a raw 32-byte Ed25519/);
    // A bad key beside a good one does not stop the good one.
    expect(verifyManifest(manifest, sig, ['abc', keys.publicKey]).ok).toBe(true);
  });
});
