import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OutboxKeyError } from './errors';

// AES-256-GCM field encryption: personal fields never reach the database file in clear. The row id
// is the additional authenticated data, so a sealed blob copied onto another row fails to open.
const IV_LEN = 12;
const TAG_LEN = 16;
export const KEY_LEN = 32;

/** Encrypts a JSON value bound to `aad` (the record id): iv | tag | ciphertext. */
export function seal(key: Buffer, aad: string, value: unknown): Buffer {
  const iv = randomBytes(IV_LEN);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Decrypts what seal() produced; throws if the key, the aad or the bytes do not match. */
export function open(key: Buffer, aad: string, blob: Buffer): unknown {
  const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_LEN));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(blob.subarray(IV_LEN, IV_LEN + TAG_LEN));
  const plain = Buffer.concat([decipher.update(blob.subarray(IV_LEN + TAG_LEN)), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}

/** Where the outbox gets its 32-byte key: a 0600 file (browser runtime) or Electron safeStorage (shell). */
export interface KeyProvider {
  /** Returns the key, creating and persisting a new random one on first use. */
  getKey(): Promise<Buffer>;
}

/**
 * Key in a file readable by the kiosk user only (0600). Created atomically on first use (written
 * and fsynced under a temporary name, then hard-linked into place) so a crash mid-write never
 * leaves a short key and two processes racing cannot each keep a different key.
 */
export function fileKeyProvider(path: string): KeyProvider {
  return {
    async getKey() {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      if (!existsSync(path)) {
        const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
        const fd = openSync(tmp, 'wx', 0o600);
        try {
          writeFileSync(fd, randomBytes(KEY_LEN));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        try {
          linkSync(tmp, path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutboxKeyError(`Cannot create key file ${path}`, { cause: err });
        } finally {
          unlinkSync(tmp);
        }
      }
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
      const key = readFileSync(path);
      if (key.length !== KEY_LEN) throw new OutboxKeyError(`Key file ${path} holds ${key.length} bytes, expected ${KEY_LEN}`);
      return key;
    },
  };
}

/** The part of Electron's `safeStorage` the shell adapter needs (injected: main/outbox never imports electron). */
export interface SafeStorageLike {
  /** True once the OS keyring is usable. */
  isEncryptionAvailable(): boolean;
  /** Encrypts with the OS keyring. */
  encryptString(plain: string): Buffer;
  /** Decrypts what encryptString produced. */
  decryptString(encrypted: Buffer): string;
}

/**
 * Key wrapped by Electron safeStorage (OS keyring) and stored at `blobPath`: the file alone is
 * useless on another machine or account.
 */
export function safeStorageKeyProvider(safeStorage: SafeStorageLike, blobPath: string): KeyProvider {
  return {
    async getKey() {
      if (!safeStorage.isEncryptionAvailable()) throw new OutboxKeyError('safeStorage is not available (no OS keyring)');
      let blob: Buffer | undefined;
      try {
        blob = readFileSync(blobPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OutboxKeyError(`Cannot read ${blobPath}`, { cause: err });
      }
      if (blob) {
        const key = Buffer.from(safeStorage.decryptString(blob), 'base64');
        if (key.length !== KEY_LEN) throw new OutboxKeyError(`Wrapped key in ${blobPath} has the wrong size`);
        return key;
      }
      const key = randomBytes(KEY_LEN);
      mkdirSync(dirname(blobPath), { recursive: true, mode: 0o700 });
      writeFileSync(blobPath, safeStorage.encryptString(key.toString('base64')), { mode: 0o600, flag: 'wx' });
      return key;
    },
  };
}
