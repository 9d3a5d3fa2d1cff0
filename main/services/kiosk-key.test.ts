import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../common/log';
import { KIOSK_KEY_FILE, KIOSK_PUBLIC_KEY_FILE, KioskKeyFileError, loadOrCreateKioskKey } from './kiosk-key';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vg-key-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('booth key pair', () => {
  it('is made once at first start (private key 0600, PKCS8 PEM; public key beside it) and loaded unchanged afterwards', () => {
    const dir = tempDir();
    const log = memoryLogger();
    const first = loadOrCreateKioskKey(join(dir, 'data'), log);
    const path = join(dir, 'data', KIOSK_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(join(dir, 'data', KIOSK_PUBLIC_KEY_FILE), 'utf8')).toBe(first.publicKeyPem);
    expect(log.lines.some((l) => l.msg === 'booth key pair created')).toBe(true);
    const again = loadOrCreateKioskKey(join(dir, 'data'));
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.sign('x')).toBe(first.sign('x')); // Ed25519 signatures are deterministic
  });

  it('tightens a key file readable by others, and refuses (without overwriting) a file that is not an Ed25519 key', () => {
    const dir = tempDir();
    loadOrCreateKioskKey(dir);
    const path = join(dir, KIOSK_KEY_FILE);
    chmodSync(path, 0o644);
    const log = memoryLogger();
    loadOrCreateKioskKey(dir, log);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(log.lines.some((l) => l.level === 'warn')).toBe(true);
    writeFileSync(path, 'not a key');
    expect(() => loadOrCreateKioskKey(dir)).toThrow(KioskKeyFileError);
    expect(readFileSync(path, 'utf8')).toBe('not a key');
  });
});
