import { mkdtempSync, readFileSync, statSync, chmodSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fileKeyProvider, open, safeStorageKeyProvider, seal } from './crypto';
import { OutboxKeyError } from './errors';

const dir = mkdtempSync(join(tmpdir(), 'outbox-key-'));
afterEach(() => rmSync(join(dir, 'k'), { recursive: true, force: true }));

describe('field encryption', () => {
  it('round-trips and is bound to the record id', () => {
    const key = randomBytes(32);
    const blob = seal(key, 'id-1', { name: 'Zoé' });
    expect(blob.includes(Buffer.from('Zoé'))).toBe(false);
    expect(open(key, 'id-1', blob)).toEqual({ name: 'Zoé' });
    expect(() => open(key, 'id-2', blob)).toThrow();
    expect(() => open(randomBytes(32), 'id-1', blob)).toThrow();
  });
});

describe('key providers', () => {
  it('file: creates a 0600 32-byte key once, tightens loose permissions, refuses a bad size', async () => {
    const p = join(dir, 'k', 'outbox.key');
    const k1 = await fileKeyProvider(p).getKey();
    expect(k1).toHaveLength(32);
    expect(statSync(p).mode & 0o777).toBe(0o600);
    chmodSync(p, 0o644);
    expect(await fileKeyProvider(p).getKey()).toEqual(k1);
    expect(statSync(p).mode & 0o777).toBe(0o600);
    writeFileSync(p, 'short');
    await expect(fileKeyProvider(p).getKey()).rejects.toBeInstanceOf(OutboxKeyError);
  });

  it('safeStorage: wraps the key with the OS keyring and unwraps it on the next start', async () => {
    const fake = { isEncryptionAvailable: () => true, encryptString: (s: string) => Buffer.from(s, 'utf8').reverse(), decryptString: (b: Buffer) => Buffer.from(b).reverse().toString('utf8') };
    const p = join(dir, 'k', 'outbox.key.wrapped');
    const k1 = await safeStorageKeyProvider(fake, p).getKey();
    expect(readFileSync(p).includes(Buffer.from(k1.toString('base64')))).toBe(false);
    expect(await safeStorageKeyProvider(fake, p).getKey()).toEqual(k1);
    await expect(safeStorageKeyProvider({ ...fake, isEncryptionAvailable: () => false }, p).getKey()).rejects.toBeInstanceOf(OutboxKeyError);
  });
});
